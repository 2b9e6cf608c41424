// The ids, i18n keys and kinds of every error constant, spelled out as ZITADEL (or, for `US-` ids, docs/errors.md)
// spells them. Hosts match on these strings, so a test that compares an outcome with a constant cannot see a constant
// that changed: swapping `COMMAND-3M0fs` and `COMMAND-2M0fs` in errors.hpp would pass it. This table can.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "userstream/eventstore/errors.hpp"
#include "userstream/projections/errors.hpp"
#include "userstream/user/errors.hpp"

using namespace userstream;

namespace {

struct literal_row {
    const error_code& constant;
    std::string_view name;  // as in docs/errors.md
    std::string_view id;
    std::string_view key;
    std::string_view kind;
};

void check_rows(const std::vector<literal_row>& table) {
    for (const auto& row : table) {
        INFO(row.name);
        CHECK(row.constant.id == row.id);
        CHECK(row.constant.key == row.key);
        CHECK(to_string(row.constant.kind) == row.kind);
    }
}

template <class All>
void check_covers(const std::vector<literal_row>& table, const All& all) {
    std::set<const error_code*> listed;
    for (const auto& row : table) listed.insert(&row.constant);
    CHECK(listed.size() == table.size());
    std::size_t in_all = 0;
    for (const auto& code : all) {
        INFO(code.id);
        bool found = false;
        for (const auto& row : table) found = found || (row.id == code.id && row.key == code.key);
        CHECK(found);
        ++in_all;
    }
    CHECK(in_all == table.size());
}

}  // namespace

TEST_CASE("every error of the user domain has its literal id, key and kind", "[errors][ids]") {
    const std::vector<literal_row> table{
        {user::errors::phone_empty, "phone_empty", "PHONE-Zt0NV", "Errors.User.Phone.Empty", "InvalidArgument"},
        {user::errors::phone_invalid, "phone_invalid", "PHONE-so0wa", "Errors.User.Phone.Invalid", "InvalidArgument"},
        {user::errors::phone_too_long_v1, "phone_too_long_v1", "US-PHONE-len50",
         "Errors.User.Phone.TooLong", "InvalidArgument"},
        {user::errors::phone_missing_plus, "phone_missing_plus", "US-PHONE-plus",
         "Errors.User.Phone.MissingPlus", "InvalidArgument"},
        {user::errors::phone_too_long_v2, "phone_too_long_v2", "US-PHONE-len200",
         "Errors.User.Phone.TooLong", "InvalidArgument"},
        {user::errors::phone_not_possible, "phone_not_possible", "US-PHONE-possible",
         "Errors.User.Phone.NotPossible", "InvalidArgument"},
        {user::errors::phone_not_valid, "phone_not_valid", "US-PHONE-valid",
         "Errors.User.Phone.NotValid", "InvalidArgument"},
        {user::errors::user_id_missing_v1, "user_id_missing_v1", "US-USER-idmissing",
         "Errors.User.UserIDMissing", "InvalidArgument"},
        {user::errors::user_id_missing_v2, "user_id_missing_v2", "COMMAND-xP292j",
         "Errors.User.Phone.IDMissing", "InvalidArgument"},
        {user::errors::user_id_too_long, "user_id_too_long", "US-USER-idlen200",
         "Errors.User.IDTooLong", "InvalidArgument"},
        {user::errors::user_already_exists, "user_already_exists", "US-USER-exists",
         "Errors.User.AlreadyExisting", "FailedPrecondition"},
        {user::errors::text_invalid, "text_invalid", "US-INPUT-text", "Errors.Input.InvalidText", "InvalidArgument"},
        {user::errors::org_id_missing, "org_id_missing", "US-USER-orgmissing",
         "Errors.Org.IDMissing", "InvalidArgument"},
        {user::errors::user_not_found_v1, "user_not_found_v1", "COMMAND-3M0fs",
         "Errors.User.NotFound", "FailedPrecondition"},
        {user::errors::phone_not_changed_v1, "phone_not_changed_v1", "COMMAND-wF94r",
         "Errors.User.Phone.NotChanged", "FailedPrecondition"},
        {user::errors::phone_user_not_found_v2, "phone_user_not_found_v2", "COMMAND-ieJ2e",
         "Errors.User.Phone.NotFound", "NotFound"},
        {user::errors::user_not_initialised, "user_not_initialised", "COMMAND-uz0Uu",
         "Errors.User.NotInitialised", "FailedPrecondition"},
        {user::errors::phone_not_changed_v2, "phone_not_changed_v2", "COMMAND-Uch5e",
         "Errors.User.Phone.NotChanged", "FailedPrecondition"},
        {user::errors::verify_user_id_missing_v1, "verify_user_id_missing_v1", "COMMAND-Km9ds",
         "Errors.User.UserIDMissing", "InvalidArgument"},
        {user::errors::verify_code_empty_v1, "verify_code_empty_v1", "COMMAND-wMe9f",
         "Errors.User.Code.Empty", "InvalidArgument"},
        {user::errors::verify_user_not_found_v1, "verify_user_not_found_v1", "COMMAND-Rsj8c",
         "Errors.User.NotFound", "FailedPrecondition"},
        {user::errors::verify_code_not_found_v1, "verify_code_not_found_v1", "COMMAND-Rsj8c",
         "Errors.User.Code.NotFound", "NotFound"},
        {user::errors::verify_code_invalid_v1, "verify_code_invalid_v1", "COMMAND-sM0cs",
         "Errors.User.Code.Invalid", "InvalidArgument"},
        {user::errors::verify_code_empty_v2, "verify_code_empty_v2", "COMMAND-Fia4a",
         "Errors.User.Code.Empty", "InvalidArgument"},
        {user::errors::verify_code_invalid_v2, "verify_code_invalid_v2", "COMMAND-eis9R",
         "Errors.User.Code.Invalid", "InvalidArgument"},
        {user::errors::resend_user_id_missing_v1, "resend_user_id_missing_v1", "COMMAND-4M0ds",
         "Errors.User.UserIDMissing", "InvalidArgument"},
        {user::errors::resend_user_not_found_v1, "resend_user_not_found_v1", "COMMAND-2M0fs",
         "Errors.User.NotFound", "FailedPrecondition"},
        {user::errors::resend_phone_not_found_v1, "resend_phone_not_found_v1", "COMMAND-2b7Hf",
         "Errors.User.Phone.NotFound", "NotFound"},
        {user::errors::resend_already_verified_v1, "resend_already_verified_v1", "COMMAND-2M9sf",
         "Errors.User.Phone.AlreadyVerified", "FailedPrecondition"},
        {user::errors::resend_code_empty_v2, "resend_code_empty_v2", "PHONE-5xrra88eq8",
         "Errors.User.Code.Empty", "FailedPrecondition"},
        {user::errors::remove_user_id_missing_v1, "remove_user_id_missing_v1", "COMMAND-6M0ds",
         "Errors.User.UserIDMissing", "InvalidArgument"},
        {user::errors::remove_user_not_found_v1, "remove_user_not_found_v1", "COMMAND-3M9fs",
         "Errors.User.NotFound", "FailedPrecondition"},
        {user::errors::remove_phone_not_found_v1, "remove_phone_not_found_v1", "COMMAND-p6rsc",
         "Errors.User.Phone.NotFound", "NotFound"},
        {user::errors::remove_phone_not_found_v2, "remove_phone_not_found_v2", "COMMAND-ieJ2e",
         "Errors.User.Phone.NotFound", "FailedPrecondition"},
        {user::errors::code_sent_user_id_missing, "code_sent_user_id_missing", "COMMAND-3m9Fs",
         "Errors.User.UserIDMissing", "InvalidArgument"},
        {user::errors::code_sent_phone_not_found, "code_sent_phone_not_found", "COMMAND-66n8J",
         "Errors.User.Phone.NotFound", "NotFound"},
        {user::errors::user_remove_not_found, "user_remove_not_found", "COMMAND-m9od",
         "Errors.User.NotFound", "NotFound"},
        {user::errors::user_not_found_query, "user_not_found_query", "QUERY-Dfbg2", "Errors.User.NotFound", "NotFound"},
        {user::errors::is_verified_not_true, "is_verified_not_true", "US-PHONE-isverified",
         "Errors.User.Phone.IsVerifiedFalse", "InvalidArgument"},
        {user::errors::permission_denied_v1, "permission_denied_v1", "AUTH-5mWD2",
         "Errors.Token.Invalid", "PermissionDenied"},
        {user::errors::permission_denied_v2, "permission_denied_v2", "AUTH-AWfge",
         "Errors.PermissionDenied", "PermissionDenied"},
        {user::errors::unauthenticated, "unauthenticated", "US-AUTH-anonymous",
         "Errors.Token.Missing", "Unauthenticated"},
    };
    check_rows(table);
    check_covers(table, user::errors::all);
}

TEST_CASE("every error of the event store has its literal id, key and kind", "[errors][ids]") {
    const std::vector<literal_row> table{
        {eventstore::errors::concurrency_conflict, "concurrency_conflict", "EVENTSTORE-Conflict",
         "Errors.Eventstore.Conflict", "Conflict"},
        {eventstore::errors::invalid_text, "invalid_text", "EVENTSTORE-InvalidText",
         "Errors.Eventstore.InvalidText", "InvalidArgument"},
        {eventstore::errors::store_unavailable, "store_unavailable", "EVENTSTORE-Unavailable",
         "Errors.Eventstore.Unavailable", "Unavailable"},
        {eventstore::errors::commit_outcome_unknown, "commit_outcome_unknown", "EVENTSTORE-CommitUnknown",
         "Errors.Eventstore.CommitUnknown", "Unknown"},
        {eventstore::errors::invalid_payload, "invalid_payload", "EVENTSTORE-InvalidPayload",
         "Errors.Eventstore.InvalidPayload", "InvalidArgument"},
    };
    check_rows(table);
    check_covers(table, eventstore::errors::all);
}

TEST_CASE("every error of the read side has its literal id, key and kind", "[errors][ids]") {
    const std::vector<literal_row> table{
        {projections::errors::phone_user_not_found, "phone_user_not_found", "QUERY-DAvb3",
         "Errors.User.NotFound", "NotFound"},
        {projections::errors::user_not_human, "user_not_human", "QUERY-hliQl",
         "Errors.User.NotHuman", "FailedPrecondition"},
        {projections::errors::phone_not_found, "phone_not_found", "EVENT-pos9e",
         "Errors.User.PhoneNotFound", "NotFound"},
        {projections::errors::object_not_found, "object_not_found", "US-QUERY-objnotfound",
         "Errors.Object.NotFound", "NotFound"},
        {projections::errors::projection_behind, "projection_behind", "US-QUERY-behind",
         "Errors.Query.ProjectionNotUpToDate", "Unavailable"},
    };
    check_rows(table);
    check_covers(table, projections::errors::all);
}

