// handle() is thread-safe: many callers at once, each on its own user, in different protocols, all get their answers
// and every change is stored once; reads through the handler see each caller's own write.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "support/api_fixture.hpp"
#include "zitadel/management.pb.h"

using namespace userstream;
using namespace userstream::api_tests;
namespace mgmt = zitadel::management::v1;

TEST_CASE("Concurrent callers of handle() each get their own answer, and every change is stored once") {
    api_fixture f;
    constexpr int threads = 6;
    constexpr int rounds = 15;
    for (int t = 0; t < threads; ++t) f.given_human("u" + std::to_string(t), "o1");
    const auto before = f.events().size();

    std::atomic<int> failures{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            const auto p = all_protocols[static_cast<std::size_t>(t) % std::size(all_protocols)];
            const std::string user = "u" + std::to_string(t);
            for (int r = 0; r < rounds; ++r) {
                mgmt::UpdateHumanPhoneRequest change;
                change.set_user_id(user);
                change.set_phone("+41 79 " + std::to_string(100 + t) + " 00 " + std::to_string(10 + r));
                change.set_is_phone_verified(true);
                if (!f.send(p, "zitadel.management.v1.ManagementService/UpdateHumanPhone", change).ok()) ++failures;
                mgmt::GetHumanPhoneRequest get;
                get.set_user_id(user);
                const auto read = f.send(p, "zitadel.management.v1.ManagementService/GetHumanPhone", get);
                const std::string expected = "+4179" + std::to_string(100 + t) + "00" + std::to_string(10 + r);
                if (!read.ok() || read.as<mgmt::GetHumanPhoneResponse>().phone().phone() != expected) ++failures;
            }
        });
    }
    for (auto& w : workers) w.join();
    CHECK(failures == 0);
    // Each change stored phone.changed and phone.verified, once.
    CHECK(f.events().size() - before == static_cast<std::size_t>(threads * rounds * 2));
}
