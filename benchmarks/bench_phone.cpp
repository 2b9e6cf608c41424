// The cost of normalising a phone and of a whole in-memory SetPhone, against the floor of bare libphonenumber
// (Parse + IsValidNumber + Format E.164) on the same inputs, measured in the same run.
//
//   build/release/benchmarks/bench_phone
//
// For instruction counts, which are repeatable where wall time is not, one loop can run alone under callgrind; only
// the loop is instrumented, so setup (libphonenumber's metadata, the first user) does not count:
//
//   valgrind --tool=callgrind --instr-atstart=no build/release/benchmarks/bench_phone --count=floor:1000
//   (modes: floor, verified, return_code, code; Ir per operation = "Collected" / 1000)
//
// Read the ratios: normalize_phone / floor should be close to 1 (one parse, no re-parsing); a SetPhone adds the
// write-model load, the decision, an encrypted code and the append.
#include <benchmark/benchmark.h>
#include <phonenumbers/phonenumberutil.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

#include "userstream/eventstore/memory_event_store.hpp"
#include "userstream/user/user_service.hpp"

namespace {

using namespace userstream;

const std::array<std::string, 8> inputs{"+41 71 000 00 00", "0711234567",       "0041711234567", "+41 79 123 45 67",
                                        "071 123 45 67",    "+4171 123 45 67", "079 765 43 21", "+41 44 668 18 00"};

// One iteration of the floor: what any SetPhone must at least do with its input.
void floor_once(const i18n::phonenumbers::PhoneNumberUtil& util, const std::string& input) {
    i18n::phonenumbers::PhoneNumber number;
    std::string out;
    util.Parse(input, "CH", &number);
    benchmark::DoNotOptimize(util.IsValidNumber(number));
    util.Format(number, i18n::phonenumbers::PhoneNumberUtil::E164, &out);
    benchmark::DoNotOptimize(out);
}

void floor_libphonenumber(benchmark::State& state) {
    const auto& util = *i18n::phonenumbers::PhoneNumberUtil::GetInstance();
    std::size_t i = 0;
    for (auto _ : state) floor_once(util, inputs[i++ % inputs.size()]);
}
BENCHMARK(floor_libphonenumber);

void normalize_phone_valid(benchmark::State& state) {
    const user::phone_rules rules;
    std::size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(user::normalize_phone(inputs[i++ % inputs.size()], rules));
}
BENCHMARK(normalize_phone_valid);

// The floor's eight inputs in an order in which no two neighbours (also last and first) normalise to the same number,
// so every SetPhone changes the phone and each command parses exactly the inputs the floor parses, as often.
// (National inputs parse in fewer instructions than international ones: a SetPhone on only "+41 ..." inputs would be
// compared with a cheaper floor than its own.)
const std::array<std::size_t, 8> set_phone_order{1, 0, 2, 3, 4, 6, 5, 7};

// SetPhone v2 on one user, cycling through the floor's inputs so every command changes the phone. Argument 0:
// is_verified (no code); 1: return_code (draws, encrypts and returns a code).
// A service on a memory store with user u1 added, as both the benchmark and the instruction count use it.
struct set_phone_fixture {
    eventstore::memory_event_store store;
    user::key_ring keys;
    user::grant_table_authorizer auth;
    system_clock clock;
    sequential_id_generator ids;
    user::user_service users{store, auth, keys, clock, ids};
    const user::caller admin{"admin", "o1"};
    std::size_t i = 0;

    set_phone_fixture() {
        keys.add_random_key("k");
        keys.activate("k");
        auth.grant("admin", "*", user::permissions::user_write);
        (void)users.add_human(admin, {"u1", "o1", "", false});
    }
    bool set_phone(bool verified) {
        const user::phone_verification how =
            verified ? user::phone_verification{user::mark_verified{}} : user::return_code{};
        return users.set_phone(admin, {"u1", inputs[set_phone_order[i++ % set_phone_order.size()]], how}).ok();
    }
};

void set_phone_in_memory(benchmark::State& state) {
    set_phone_fixture fixture;
    for (auto _ : state) {
        if (!fixture.set_phone(state.range(0) == 0)) state.SkipWithError("SetPhone failed");
    }
}
BENCHMARK(set_phone_in_memory)->Arg(0)->Arg(1);

// What return_code adds that no implementation can skip: a code drawn from OpenSSL's CSPRNG and encrypted with
// AES-256-GCM under a fresh random nonce, bound to the user (the same call a SetPhone makes, nothing else).
void code_draw_and_encrypt(benchmark::State& state) {
    user::key_ring keys;
    keys.add_random_key("k");
    keys.activate("k");
    const user::code_generator_config config;
    for (auto _ : state) {
        benchmark::DoNotOptimize(keys.encrypt_new_code(config, {"default", "u1", user::event_types::phone_code_added}));
    }
}
BENCHMARK(code_draw_and_encrypt);

// --count=MODE:N: N operations of one kind with only that loop instrumented for callgrind (see the top of the file).
int count_instructions(std::string_view spec) {
    const auto colon = spec.find(':');
    const std::string_view mode = spec.substr(0, colon);
    std::size_t n = 0;
    if (colon == std::string_view::npos ||
        std::from_chars(spec.data() + colon + 1, spec.data() + spec.size(), n).ec != std::errc{} ||
        (mode != "floor" && mode != "verified" && mode != "return_code" && mode != "code")) {
        std::fprintf(stderr, "usage: bench_phone --count=floor|verified|return_code|code:N\n");
        return 2;
    }
    const auto& util = *i18n::phonenumbers::PhoneNumberUtil::GetInstance();
    const user::code_generator_config config;
    set_phone_fixture fixture;
    // Warm both paths up (first allocations, OpenSSL's lazy initialisation), then start again from the first input.
    for (int k = 0; k < 16; ++k) {
        if (!fixture.set_phone(k % 2 == 0)) return 1;
    }
    fixture.i = 0;
    CALLGRIND_START_INSTRUMENTATION;
    for (std::size_t k = 0; k < n; ++k) {
        if (mode == "floor") {
            floor_once(util, inputs[k % inputs.size()]);
        } else if (mode == "code") {
            benchmark::DoNotOptimize(
                fixture.keys.encrypt_new_code(config, {"default", "u1", user::event_types::phone_code_added}));
        } else if (!fixture.set_phone(mode == "verified")) {
            return 1;
        }
    }
    CALLGRIND_STOP_INSTRUMENTATION;
    std::printf("%zu %.*s operations\n", n, static_cast<int>(mode.size()), mode.data());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    constexpr std::string_view count_flag = "--count=";
    if (argc == 2 && std::string_view(argv[1]).substr(0, count_flag.size()) == count_flag) {
        return count_instructions(std::string_view(argv[1]).substr(count_flag.size()));
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
