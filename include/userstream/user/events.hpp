// userstream/user/events.hpp
//
// The events of the `user` aggregate that the phone domain produces or reads. Names are in the past tense; each
// struct is an immutable value. Their type names and JSON payloads are ZITADEL's (docs/events.md), so a stream can
// move between the two systems; `event_codec.hpp` converts between these structs and stored events.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "userstream/user/human_profile.hpp"
#include "userstream/user/key_ring.hpp"
#include "userstream/user/phone_number.hpp"

namespace userstream::user {

inline constexpr std::string_view aggregate_type = "user";
// ZITADEL's user aggregate version "v2" is stored as revision 2.
inline constexpr std::uint16_t aggregate_revision = 2;

namespace event_types {
inline constexpr std::string_view human_added = "user.human.added";
inline constexpr std::string_view human_registered = "user.human.selfregistered";
inline constexpr std::string_view human_initial_code_added = "user.human.initialization.code.added";
inline constexpr std::string_view human_initialized_check_succeeded = "user.human.initialization.check.succeeded";
inline constexpr std::string_view machine_added = "user.machine.added";
inline constexpr std::string_view user_removed = "user.removed";
inline constexpr std::string_view email_verified = "user.human.email.verified";
inline constexpr std::string_view phone_changed = "user.human.phone.changed";
inline constexpr std::string_view phone_verified = "user.human.phone.verified";
inline constexpr std::string_view phone_code_added = "user.human.phone.code.added";
inline constexpr std::string_view phone_code_sent = "user.human.phone.code.sent";
inline constexpr std::string_view phone_removed = "user.human.phone.removed";
inline constexpr std::string_view phone_verification_failed = "user.human.phone.verification.failed";
}  // namespace event_types

// A human user was created, optionally with a phone. A verified phone is a separate `phone_verified` event, a
// verified email a separate `email_verified` one. The phone comes first and the rest has initialisers, so that
// `human_added{phone}` reads as before.
struct human_added {
    phone_number phone;
    std::string user_name{};  // empty only for users added without username and email (readers use the user id)
    human_profile profile{};
    std::string email{};
};
// A human registered themselves (the same payload as human_added).
struct human_registered {
    phone_number phone;
    std::string user_name{};
    human_profile profile{};
    std::string email{};
};
// The human must complete initialisation before v2 phone commands apply (user state Initial).
struct human_initial_code_added {};
// Initialisation completed (user state Active).
struct human_initialized_check_succeeded {};
// A machine user was created; it has no phone, so phone commands treat it as missing.
struct machine_added {
    std::string user_name{};  // empty: readers use the user id
    std::string name{};
    std::string description{};
};
struct user_removed {};
// The human's email address is verified. Email verification codes are out of scope: this event is only written when
// the caller says the address is verified (v2 AddHumanUser `email.isVerified`).
struct email_verified {};

struct phone_changed {
    phone_number phone;
};
struct phone_verified {};
// A verification code was issued. `code` is absent when an external verifier creates the code; then `expiry` is 0
// and `generator_id` names the verifier's configuration.
struct phone_code_added {
    std::optional<encrypted_value> code;
    std::chrono::nanoseconds expiry{0};
    bool code_returned = false;
    std::string generator_id;
    std::string trigger_origin;
};
// The SMS with the code went out; an external verifier records its verification id here.
struct code_generator_info {
    std::string id;               // the SMS provider configuration that generated or sent the code
    std::string verification_id;  // the external verifier's id for this verification

    friend bool operator==(const code_generator_info&, const code_generator_info&) = default;
};
struct phone_code_sent {
    std::optional<code_generator_info> generator_info;  // absent: payload `{}`
};
struct phone_removed {};
struct phone_verification_failed {};

using user_event = std::variant<human_added, human_registered, human_initial_code_added,
                                human_initialized_check_succeeded, machine_added, user_removed, email_verified,
                                phone_changed, phone_verified, phone_code_added, phone_code_sent, phone_removed,
                                phone_verification_failed>;

}  // namespace userstream::user
