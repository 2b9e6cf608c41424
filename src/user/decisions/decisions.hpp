// The decision functions of the user aggregate, one file per command family in this folder (set_phone.cpp,
// verify_phone.cpp, resend_code.cpp, remove_phone.cpp, code_sent.cpp, user_lifecycle.cpp; shared checks in
// request_checks.cpp, code issuing and checking in phone_code.cpp): given the folded write model and a request, which
// events follow, or which error. user_service loads, calls them, and pushes. A function may be called again after a
// concurrency conflict, with a fresher write model; what it needs from outside the model (a drawn and encrypted
// code, an external verifier's verdict) comes through `command_effects`, which does each at most once per command,
// so a re-decision repeats none of it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "userstream/core/result.hpp"
#include "userstream/core/time.hpp"
#include "userstream/user/authorizer.hpp"
#include "userstream/user/commands.hpp"
#include "userstream/user/events.hpp"
#include "userstream/user/external_verifier.hpp"
#include "userstream/user/key_ring.hpp"
#include "userstream/user/user_write_model.hpp"
#include "userstream/user/verification_code.hpp"

namespace userstream::user::detail {

struct decision {
    std::vector<user_event> events;
    std::optional<secret_string> plain_code;  // only for return_code
    std::string owner;                      // the resource owner for a new aggregate; empty = keep the existing one
    // Push `events`, then fail with this error anyway: a failed verification is recorded although the call fails.
    std::optional<error> reject_after_push;
};

struct issued_code {
    phone_code_added event;
    secret_string plain;  // empty with an external verifier; wiped when it goes out of scope
};

// What a command draws, encrypts and asks outside the store, kept for the whole command so that re-deciding after a
// conflict repeats none of it: the code is drawn and encrypted once (a retry stores the code the first decision drew),
// and the external verifier is asked about each verification at most once. A provider such as Twilio Verify counts
// every check and answers a second check of an approved code differently. It is never asked on a cached model that
// the store has not confirmed, which could name a verification that was already replaced.
struct command_effects {
    std::optional<issued_code> code;          // the code drawn for this command
    std::string verification_id;              // the verification the provider was asked about
    std::optional<verifier_verdict> verdict;  // its answer
    bool needs_fresh_state = false;           // a decision on unconfirmed state wanted to ask; read and decide again
};

// What decisions may use besides the write model.
struct decision_context {
    const caller& who;
    const authorizer& auth;
    const phone_rules& rules;
    const code_generator_config& code_config;
    code_source* codes;  // null: codes come from the CSPRNG (generate_code); set only by tests
    const key_ring& keys;
    external_verifier* verifier;  // null: codes are generated and checked here
    timestamp now;
    unsigned max_failed_verifications;
    bool verify_requires_permission;
    bool hide_foreign_users;
    // Whether the write model comes from the cache without a store read (user_service_config::decide_on_cached_state).
    bool state_unconfirmed;
    command_effects& effects;  // lives as long as the command, across re-decisions
    // The stream the command writes to: a new code's ciphertext is bound to it (key_ring's associated data).
    std::string_view stream_instance_id;
    std::string_view stream_user_id;

    bool may_write(std::string_view org_id) const { return auth.has_permission(who, permissions::user_write, org_id); }
    bool is_self(std::string_view user_id) const { return !who.user_id.empty() && who.user_id == user_id; }
    // Whether the caller may learn that the user exists: always, unless `hide_foreign_users` is set; then only the
    // user themselves and callers with user.read or user.write on the user's organisation.
    bool may_see(const user_write_model& model, std::string_view target_user_id) const {
        return !hide_foreign_users || is_self(target_user_id) || may_write(model.resource_owner()) ||
               auth.has_permission(who, permissions::user_read, model.resource_owner());
    }
    // Draws and encrypts a new code (once per command), or, with an external verifier, a code event that carries none.
    issued_code issue_code(bool returned) const;
};

// Whether `code` verifies the user's pending code: it must exist, be unexpired, not be exhausted by failed
// attempts, and match (compared in constant time), or be approved by the external verifier.
bool pending_code_matches(const user_write_model& model, std::string_view code, const decision_context& context);

// A phone number normalised at most once per command, however often the decision is retried.
class lazy_phone {
public:
    using normalizer = result<phone_number> (*)(std::string_view, const phone_rules&);
    lazy_phone(std::string_view input, normalizer normalize) : input_(input), normalize_(normalize) {}
    const result<phone_number>& get(const phone_rules& rules) {
        if (!value_) value_.emplace(normalize_(input_, rules));
        return *value_;
    }

private:
    std::string_view input_;
    normalizer normalize_;
    std::optional<result<phone_number>> value_;
};

// v1 commands. `self_service` marks the auth API's "me" variants, which act on the caller and need no permission.
result<decision> decide_update_human_phone(const user_write_model& model, const update_human_phone_request& request,
                                           const result<phone_number>& phone, const decision_context& context,
                                           bool self_service = false);
result<decision> decide_verify_human_phone(const user_write_model& model, const verify_human_phone_request& request,
                                           const decision_context& context, bool self_service = false);
result<decision> decide_resend_human_phone(const user_write_model& model,
                                           const resend_human_phone_verification_request& request,
                                           const decision_context& context, bool self_service = false);
result<decision> decide_remove_human_phone(const user_write_model& model, const remove_human_phone_request& request,
                                           const decision_context& context, bool self_service = false);
result<decision> decide_phone_code_sent(const user_write_model& model, const phone_code_sent_request& request,
                                        const decision_context& context);

// v2 commands.
result<decision> decide_verify_phone(const user_write_model& model, const verify_phone_request& request,
                                     const decision_context& context);
result<decision> decide_resend_phone_code(const user_write_model& model, const resend_phone_code_request& request,
                                          const decision_context& context);
result<decision> decide_remove_phone(const user_write_model& model, const remove_phone_request& request,
                                     const decision_context& context);

result<decision> decide_set_phone(const user_write_model& model, const set_phone_request& request, lazy_phone& phone,
                                  const decision_context& context);

result<decision> decide_add_human(const user_write_model& model, const add_human_request& request,
                                  const result<phone_number>& phone, const decision_context& context);
result<decision> decide_add_machine(const user_write_model& model, const add_machine_request& request,
                                    const decision_context& context);
result<decision> decide_remove_user(const user_write_model& model, const remove_user_request& request,
                                    const decision_context& context);

// Shared request checks.
std::optional<error> check_caller(const caller& who);
std::optional<error> check_user_id_v2(std::string_view user_id);
// v2's NewUserPhoneEvents: user id present, user exists (COMMAND-ieJ2e NotFound) and visible to the caller (the same
// NotFound), user initialised.
std::optional<error> check_v2_user(const user_write_model& model, std::string_view user_id,
                                   const decision_context& context);
// v1's authorisation: user.write on the org header (or the caller's org), unless self-service. Returns the org the
// write model is filtered by, or the error.
result<std::string> authorize_v1(const std::optional<std::string>& org_header, const decision_context& context,
                                 bool self_service);
// v1's write model is filtered by organisation: a user of another org is "not found".
bool exists_in(const user_write_model& model, const std::string& org);
// The user themselves (where `self_allowed`) or a caller with user.write on the user's org.
bool may_manage(const user_write_model& model, std::string_view user_id, bool self_allowed,
                const decision_context& context);

}  // namespace userstream::user::detail
