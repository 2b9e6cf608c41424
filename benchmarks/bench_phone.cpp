// The cost of normalising a phone and of a whole in-memory SetPhone, against the floor of bare libphonenumber
// (Parse + IsValidNumber + Format E.164) on the same inputs, measured in the same run.
//
//   build/release/benchmarks/bench_phone
//
// Read the ratios: normalize_phone / floor should be close to 1 (one parse, no re-parsing); a SetPhone adds the
// write-model load, the decision, an encrypted code and the append.
#include <benchmark/benchmark.h>
#include <phonenumbers/phonenumberutil.h>

#include <array>
#include <string>

#include "userstream/eventstore/memory_event_store.hpp"
#include "userstream/user/user_service.hpp"

namespace {

using namespace userstream;

const std::array<std::string, 8> inputs{"+41 71 000 00 00", "0711234567",       "0041711234567", "+41 79 123 45 67",
                                        "071 123 45 67",    "+4171 123 45 67", "079 765 43 21", "+41 44 668 18 00"};

void floor_libphonenumber(benchmark::State& state) {
    const auto& util = *i18n::phonenumbers::PhoneNumberUtil::GetInstance();
    std::size_t i = 0;
    for (auto _ : state) {
        i18n::phonenumbers::PhoneNumber number;
        std::string out;
        util.Parse(inputs[i++ % inputs.size()], "CH", &number);
        benchmark::DoNotOptimize(util.IsValidNumber(number));
        util.Format(number, i18n::phonenumbers::PhoneNumberUtil::E164, &out);
        benchmark::DoNotOptimize(out);
    }
}
BENCHMARK(floor_libphonenumber);

void normalize_phone_valid(benchmark::State& state) {
    const user::phone_rules rules;
    std::size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(user::normalize_phone(inputs[i++ % inputs.size()], rules));
}
BENCHMARK(normalize_phone_valid);

// SetPhone v2 on one user, alternating two numbers so every command changes the phone. Argument 0: is_verified
// (no code); 1: return_code (draws, encrypts and returns a code).
void set_phone_in_memory(benchmark::State& state) {
    eventstore::memory_event_store store;
    user::key_ring keys;
    keys.add_random_key("k");
    keys.activate("k");
    user::grant_table_authorizer auth;
    auth.grant("admin", "*", user::permissions::user_write);
    system_clock clock;
    sequential_id_generator ids;
    user::user_service users(store, auth, keys, clock, ids);
    const user::caller admin{"admin", "o1"};
    (void)users.add_human(admin, {"u1", "o1", "", false});
    std::size_t i = 0;
    for (auto _ : state) {
        const user::phone_verification how =
            state.range(0) == 0 ? user::phone_verification{user::mark_verified{}} : user::return_code{};
        auto out = users.set_phone(admin, {"u1", inputs[i++ % 2 == 0 ? 0 : 3], how});
        if (!out) state.SkipWithError("SetPhone failed");
    }
}
BENCHMARK(set_phone_in_memory)->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
