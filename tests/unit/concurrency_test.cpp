// Optimistic concurrency: a push carries the sequence its decision was based on; a concurrent write makes it a
// Conflict, and the service re-reads and re-decides a bounded number of times.
#include "support/forwarding_store.hpp"
#include "support/user_fixture.hpp"

#include <atomic>
#include <thread>

using namespace userstream;
using namespace userstream::testing;
namespace et = userstream::user::event_types;

namespace {

// A test double around the real memory store: before each of the first `interferences` appends it lets a
// "concurrent writer" append a phone change to the same user, so the service's expected sequence is stale.
class interfering_store final : public forwarding_store {
public:
    interfering_store(eventstore::event_store& inner, int interferences)
        : forwarding_store(inner), remaining_(interferences) {}

    result<eventstore::append_result> append(std::vector<eventstore::aggregate_append> batch) override {
        ++attempts;
        tried.push_back(batch);
        if (remaining_ > 0) {
            --remaining_;
            eventstore::aggregate_append other{batch.front().aggregate, batch.front().owner, std::nullopt, {}};
            auto encoded = encode(phone_changed{phone_number::from_stored("+4179000000" + std::to_string(remaining_))});
            other.events.push_back({std::string(encoded.type), encoded.payload, 2, "rival", {}});
            REQUIRE(inner_.append({other}).ok());
        }
        return inner_.append(std::move(batch));
    }
    int attempts = 0;
    std::vector<std::vector<eventstore::aggregate_append>> tried;  // every push this service attempted

private:
    int remaining_;
};

std::string fmt_phone(int thread, int i) { return "+41 79 " + std::to_string(100 + thread) + " " + std::to_string(1000 + i); }

}  // namespace

TEST_CASE("a concurrent write is retried after re-reading and re-deciding", "[concurrency]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    interfering_store store(f.store, 2);
    user_service service(store, f.auth, f.keys, f.clock, f.ids, f.config);

    auto out = service.update_human_phone(admin, {"u1", "o1", "+41 71 000 00 00", true});
    REQUIRE(out.ok());
    CHECK(store.attempts == 3);
    // The rivals' events stay; ours follow them with the next sequences.
    const auto stream = f.stream("u1");
    CHECK(types_of(stream) ==
          types({et::human_added, et::phone_changed, et::phone_changed, et::phone_changed, et::phone_verified}));
    CHECK(out->details.sequence.value == 5);
}

TEST_CASE("a re-decision after a conflict stores the code the first decision drew: decisions draw nothing twice",
          "[concurrency][codes]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    interfering_store store(f.store, 2);
    user_service service(store, f.auth, f.keys, f.clock, f.ids, f.config);

    auto out = service.set_phone(admin, {"u1", "+41 71 000 00 00", return_code{}});
    REQUIRE(out.ok());
    REQUIRE(store.tried.size() == 3);
    // Each attempt carried the same code event, ciphertext and nonce included, and that is the one stored.
    const auto code_payload = [](const std::vector<eventstore::aggregate_append>& batch) {
        return batch.front().events.back().payload;
    };
    CHECK(code_payload(store.tried[1]) == code_payload(store.tried[0]));
    CHECK(code_payload(store.tried[2]) == code_payload(store.tried[0]));
    const auto stored = f.stream("u1").back();
    REQUIRE(stored.event_type == et::phone_code_added);
    CHECK(stored.payload == code_payload(store.tried[0]));
    // The returned code is the stored one.
    const auto added = std::get<phone_code_added>(*decode(stored));
    CHECK(f.keys.decrypt(*added.code, code_binding(stored)) == *out->verification_code);
}

TEST_CASE("the re-decision sees the concurrent change", "[concurrency]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    interfering_store store(f.store, 1);
    user_service service(store, f.auth, f.keys, f.clock, f.ids, f.config);
    // The rival sets +41790000000; deciding again, our request for the same number is now NotChanged.
    then_rejected(service.set_phone(admin, {"u1", "+41790000000", send_code{}}), errors::phone_not_changed_v2);
    CHECK(store.attempts == 1);
}

TEST_CASE("after the configured retries the Conflict is returned and nothing of ours is stored", "[concurrency]") {
    user_service_config config;
    config.conflict_retries = 2;
    user_fixture f(config);
    f.given("u1", "o1", {human_added{}});
    interfering_store store(f.store, 100);
    user_service service(store, f.auth, f.keys, f.clock, f.ids, f.config);
    auto out = service.update_human_phone(admin, {"u1", "o1", "+41 71 000 00 00", true});
    then_rejected(out, eventstore::errors::concurrency_conflict);
    CHECK(store.attempts == 3);  // the first try and two retries
    for (const auto& e : f.stream("u1")) CHECK(e.creator != "admin");
}

TEST_CASE("threads racing on one user never lose an update silently", "[concurrency]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    std::atomic<int> succeeded{0}, conflicted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                auto out = f.service.set_phone(admin, {"u1", fmt_phone(t, i), mark_verified{}});
                (out ? succeeded : conflicted)++;
            }
        });
    }
    for (auto& t : threads) t.join();
    const auto stream = f.stream("u1");
    // Each success pushed exactly two events; sequences are gapless.
    CHECK(stream.size() == 1 + 2 * static_cast<std::size_t>(succeeded.load()));
    for (std::size_t i = 0; i < stream.size(); ++i) CHECK(stream[i].sequence.value == i + 1);
    CHECK(succeeded + conflicted == 100);
}
