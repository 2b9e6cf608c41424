// userstream/user/user_service.hpp
//
// The command side of the user aggregate. Each method checks the caller, validates input, folds the user's stream
// into a write model, decides which events follow, and pushes them in one transaction with the sequence it decided
// on. If another writer got there first, the service reads again and decides again, up to `conflict_retries` times,
// then returns the Conflict. (ZITADEL blindly retries with a recomputed sequence, so the last writer wins.)
//
//     memory_event_store store;
//     auto keys = key_ring::with_random_key();   // development only; production keys come from a secret store
//     grant_table_authorizer auth; auth.grant("admin", "o1", permissions::user_write);
//     user_service users(store, auth, keys);     // the system clock, random UUIDs
//     auto out = users.add_human({"admin", "o1"}, {"u1", "o1", "", false});
//     if (out) out = users.update_human_phone({"admin", "o1"}, {"u1", "o1", "+41 71 000 00 00", true});
//     if (!out) report(out.err());                // e.g. COMMAND-wF94r Errors.User.Phone.NotChanged
//
// examples/first_call/main.cpp is this example as a whole program (the README shows it; the tests build and run it).
//
// Business rejections come back in the result, and so does a push that meets a failing store (kinds `unavailable`
// and `unknown`, docs/errors.md); other store failures throw infrastructure_error. Thread-safe as long as the store,
// authorizer, clock and id generator are.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "userstream/core/id_generator.hpp"
#include "userstream/core/result.hpp"
#include "userstream/core/time.hpp"
#include "userstream/eventstore/event_store.hpp"
#include "userstream/eventstore/object_details.hpp"
#include "userstream/user/authorizer.hpp"
#include "userstream/user/commands.hpp"
#include "userstream/user/external_verifier.hpp"
#include "userstream/user/key_ring.hpp"
#include "userstream/user/phone_number.hpp"
#include "userstream/user/user_write_model.hpp"
#include "userstream/user/verification_code.hpp"
#include "userstream/user/write_model_cache.hpp"

namespace userstream::user {

struct user_service_config {
    std::string instance_id = "default";
    phone_rules phone;
    code_generator_config phone_code;
    // Tests only: where codes come from instead of OpenSSL's CSPRNG (see `code_source`). Null, the default, draws
    // them with `generate_code`. Not owned; must outlive the service.
    code_source* phone_code_source = nullptr;
    // When set, an external SMS verifier (ZITADEL's Twilio Verify path) creates and checks codes: `code.added` then
    // carries no code, expiry 0 and the verifier's configuration id as `generatorId`. Not owned; must outlive the
    // service.
    external_verifier* phone_verifier = nullptr;
    // After this many failed verifications of one pending code, the code is dead until a new one is issued
    // (ZITADEL has no limit). Counted from `verification.failed` events since the last `code.added`.
    unsigned max_failed_verifications = 5;
    // v2 VerifyPhone requires the caller to be the user or to hold user.write on the user's org. ZITADEL checks
    // nothing; false restores that for hosts that depend on it.
    bool verify_phone_v2_requires_permission = true;
    // ZITADEL answers PermissionDenied for another organisation's existing user but NotFound for an id that does not
    // exist, so a caller can probe which ids exist elsewhere. When set, a caller who is not the user and holds neither
    // user.read nor user.write on the user's organisation gets the same NotFound as for a missing user (v2 phone
    // commands and remove_user; v1 commands filter by organisation and leak nothing). Off by default, as in ZITADEL;
    // see docs/verification.md.
    bool hide_foreign_users = false;
    // How often a command re-reads and re-decides after a concurrency conflict before returning it.
    unsigned conflict_retries = 3;
    // How many users' folded write models are kept between commands (0 disables the cache).
    std::size_t write_model_cache_capacity = 100'000;
    // Decide first on a cached model without reading the store; the expected-sequence check catches a stale cache
    // and a rejection is confirmed on fresh state before it is returned. Saves one store round trip per command.
    bool decide_on_cached_state = true;
};

// What a successful command returns.
struct command_outcome {
    eventstore::object_details details;       // of the aggregate after this push
    eventstore::global_position position;     // of this push's last event, for read-your-writes
    std::vector<eventstore::stored_event> events;  // as stored
    // The plain code, only for v2 `return_code` (SetPhone, ResendPhoneCode, AddHumanUser's phone).
    std::optional<std::string> verification_code;
};

class user_service {
public:
    // With the system clock and random (version 4) UUIDs for generated ids. `store`, `auth` and `keys` are not owned
    // and must outlive the service.
    user_service(eventstore::event_store& store, const authorizer& auth, const key_ring& keys,
                 user_service_config config = {});
    // With a clock and an id generator of the host's (tests inject a manual_clock and sequential ids). Not owned.
    user_service(eventstore::event_store& store, const authorizer& auth, const key_ring& keys, const clock& time,
                 id_generator& ids, user_service_config config = {});

    // v1 management UpdateHumanPhone.
    result<command_outcome> update_human_phone(const caller& who, const update_human_phone_request& request);
    // v2 SetPhone.
    result<command_outcome> set_phone(const caller& who, const set_phone_request& request);

    // v1 VerifyHumanPhone. A wrong, expired or exhausted code stores `verification.failed` and returns COMMAND-sM0cs.
    result<command_outcome> verify_human_phone(const caller& who, const verify_human_phone_request& request);
    // v2 VerifyPhone. Every failure, also "no code pending", stores `verification.failed` and returns COMMAND-eis9R.
    result<command_outcome> verify_phone(const caller& who, const verify_phone_request& request);
    // v1 ResendHumanPhoneVerification.
    result<command_outcome> resend_human_phone_verification(const caller& who,
                                                            const resend_human_phone_verification_request& request);
    // v2 ResendPhoneCode.
    result<command_outcome> resend_phone_code(const caller& who, const resend_phone_code_request& request);
    // v1 RemoveHumanPhone.
    result<command_outcome> remove_human_phone(const caller& who, const remove_human_phone_request& request);
    // v2 RemovePhone.
    result<command_outcome> remove_phone(const caller& who, const remove_phone_request& request);
    // HumanPhoneVerificationCodeSent: the notification side records that the SMS went out.
    result<command_outcome> phone_code_sent(const caller& who, const phone_code_sent_request& request);

    // v1 auth API "me" variants: they act on the caller's own user and organisation, need no permission, and
    // SetMyPhone never marks the phone verified.
    result<command_outcome> set_my_phone(const caller& who, std::string_view phone);
    result<command_outcome> verify_my_phone(const caller& who, std::string_view code);
    result<command_outcome> resend_my_phone_verification(const caller& who);
    result<command_outcome> remove_my_phone(const caller& who);

    result<command_outcome> add_human(const caller& who, const add_human_request& request);
    result<command_outcome> add_machine(const caller& who, const add_machine_request& request);
    result<command_outcome> remove_user(const caller& who, const remove_user_request& request);

    // The user's current write model: the cached fold advanced by the events stored since, or a full fold.
    user_write_model load(const std::string& user_id) const;

    const user_service_config& config() const noexcept { return config_; }

private:
    template <class Decide>
    result<command_outcome> execute(const caller& who, const std::string& user_id, Decide&& decide);

    eventstore::event_store& store_;
    const authorizer& auth_;
    const key_ring& keys_;
    const clock& clock_;
    id_generator& ids_;
    user_service_config config_;
    mutable write_model_cache cache_;
};

}  // namespace userstream::user
