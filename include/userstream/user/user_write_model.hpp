// userstream/user/user_write_model.hpp
//
// The state every command of the user aggregate decides on (the phone commands and adding and removing users),
// folded from the user's event stream the way ZITADEL's HumanPhoneWriteModel does
// (docs/events.md, "write model"). Besides ZITADEL's fields it keeps the aggregate's
// object details, the last sequence (for the optimistic concurrency check) and the number of failed verifications
// of the pending code.
//
// Folding is cheap and pure: it never calls libphonenumber and never decrypts.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "userstream/eventstore/object_details.hpp"
#include "userstream/user/events.hpp"

namespace userstream::user {

enum class user_state { unspecified, active, initial, deleted };
enum class phone_state { unspecified, active, removed };

// The pending verification code, as the latest `phone_code_added` (and `phone_code_sent`) left it.
struct pending_code {
    std::optional<encrypted_value> code;  // cleared by phone_changed / phone_verified / user_removed
    timestamp created_at{};               // the code event's created_at
    std::chrono::nanoseconds expiry{0};   // 0 = never expires
    std::string generator_id;             // external verifier configuration, if any
    std::string verification_id;          // external verification id, from phone_code_sent
    unsigned failed_attempts = 0;         // verification.failed events since the code was issued
};

class user_write_model {
public:
    // Folds one stored event of this user's stream; events must come in sequence order. Unknown types are skipped
    // (the stream may hold events of other features); malformed payloads throw decode_error.
    void apply(const eventstore::stored_event& event);
    // Folds an already decoded event with its envelope.
    void apply(const user_event& event, const eventstore::stored_event& envelope);

    user_state user() const noexcept { return user_state_; }
    // ZITADEL's UserState.Exists(): neither unspecified (missing, or a machine) nor deleted.
    bool user_exists() const noexcept { return user_state_ == user_state::active || user_state_ == user_state::initial; }
    // Any user, human or machine, that has events and was not removed.
    bool aggregate_exists() const noexcept {
        return details_.details().sequence.value > 0 && user_state_ != user_state::deleted;
    }
    phone_state phone_status() const noexcept { return phone_state_; }
    const phone_number& phone() const noexcept { return phone_; }
    bool is_phone_verified() const noexcept { return verified_; }
    const pending_code& code() const noexcept { return code_; }
    const std::string& resource_owner() const noexcept { return details_.details().resource_owner; }
    const eventstore::object_details& details() const noexcept { return details_.details(); }
    eventstore::sequence_number sequence() const noexcept { return details_.details().sequence; }

private:
    user_state user_state_ = user_state::unspecified;
    phone_state phone_state_ = phone_state::unspecified;
    phone_number phone_;
    bool verified_ = false;
    pending_code code_;
    eventstore::object_details_fold details_;
};

}  // namespace userstream::user
