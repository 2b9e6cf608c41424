// Defect 8.13: whether a caller can tell another organisation's existing user from a missing id. ZITADEL's answers
// differ (PermissionDenied against NotFound) and stay the default; `hide_foreign_users` makes them the same.
#include "support/user_fixture.hpp"

using namespace userstream;
using namespace userstream::testing;

namespace {

const caller outsider{"mallory", "org-m"};  // user.write on her own organisation only

// Every command that names a user by id alone, as an outsider calls it.
std::vector<result<command_outcome>> probe(user_service& service, const std::string& user_id) {
    std::vector<result<command_outcome>> out;
    out.push_back(service.set_phone(outsider, {user_id, "+41710000001", send_code{}}));
    out.push_back(service.verify_phone(outsider, {user_id, "ABCDEF"}));
    out.push_back(service.resend_phone_code(outsider, {user_id, send_code{}}));
    out.push_back(service.remove_phone(outsider, {user_id}));
    out.push_back(service.remove_user(outsider, {user_id, std::nullopt}));
    return out;
}

void require_same_answers(const std::vector<result<command_outcome>>& a, const std::vector<result<command_outcome>>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("command " << i);
        REQUIRE_FALSE(a[i].ok());
        REQUIRE_FALSE(b[i].ok());
        CHECK(a[i].err().id == b[i].err().id);
        CHECK(a[i].err().key == b[i].err().key);
        CHECK(a[i].err().kind == b[i].err().kind);
        CHECK(a[i].err().message == b[i].err().message);
    }
}

}  // namespace

TEST_CASE("defect 8.13: by default another organisation's user is PermissionDenied, a missing id NotFound, as in "
          "ZITADEL", "[permissions][issue8]") {
    user_fixture f;
    f.auth.grant(outsider.user_id, outsider.org_id, permissions::user_write);
    f.given("u1", "o1", {human_added{}, phone_changed{stored_phone("+41710000000")}});

    for (const auto& answer : probe(f.service, "u1")) {
        REQUIRE_FALSE(answer.ok());
        CHECK(answer.err().kind == error_kind::permission_denied);
    }
    for (const auto& answer : probe(f.service, "nobody")) {
        REQUIRE_FALSE(answer.ok());
        CHECK(answer.err().kind == error_kind::not_found);
    }
}

TEST_CASE("defect 8.13: with hide_foreign_users an outsider cannot tell an existing user from a missing id",
          "[permissions][issue8]") {
    user_service_config config;
    config.hide_foreign_users = true;
    user_fixture f(config);
    f.auth.grant(outsider.user_id, outsider.org_id, permissions::user_write);
    f.given("u1", "o1", {human_added{}, phone_changed{stored_phone("+41710000000")}});
    f.given("pending", "o1", {human_added{}, human_initial_code_added{}});  // not initialised: FailedPrecondition
    const auto before = f.store.head();

    const auto existing = probe(f.service, "u1");
    const auto uninitialised = probe(f.service, "pending");
    const auto missing = probe(f.service, "nobody");
    require_same_answers(existing, missing);
    require_same_answers(uninitialised, missing);
    then_rejected(existing.front(), errors::phone_user_not_found_v2);
    then_rejected(existing.back(), errors::user_remove_not_found);
    CHECK(f.store.head() == before);  // nothing stored, not even a failed verification

    SECTION("a caller who may see the user still learns that writing is denied") {
        f.auth.grant(outsider.user_id, "o1", permissions::user_read);
        then_rejected(f.service.set_phone(outsider, {"u1", "+41710000001", send_code{}}), errors::permission_denied_v2);
        then_rejected(f.service.remove_user(outsider, {"u1", std::nullopt}), errors::permission_denied_v2);
    }
    SECTION("the user themselves and the organisation's administrators are unaffected") {
        CHECK(f.service.set_phone({"u1", "o1"}, {"u1", "+41710000001", send_code{}}).ok());
        CHECK(f.service.set_phone(admin, {"u1", "+41710000002", mark_verified{}}).ok());
    }
}
