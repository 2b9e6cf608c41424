#include "userstream/user/user_write_model.hpp"

#include "overloaded.hpp"
#include "userstream/user/event_codec.hpp"

namespace userstream::user {

using userstream::detail::overloaded;

void user_write_model::apply(const eventstore::stored_event& event) {
    if (auto decoded = decode(event, unknown_event_policy::skip)) {
        apply(*decoded, event);
    } else {
        details_.apply(event);  // still part of the aggregate: it moves the sequence
    }
}

void user_write_model::apply(const user_event& event, const eventstore::stored_event& envelope) {
    details_.apply(envelope);
    const auto on_added = [this](const phone_number& phone) {
        phone_ = phone;
        verified_ = false;
        code_ = {};
        phone_state_ = phone.empty() ? phone_state::unspecified : phone_state::active;
        user_state_ = user_state::active;
    };
    std::visit(overloaded{
                   [&](const human_added& e) { on_added(e.phone); },
                   [&](const human_registered& e) { on_added(e.phone); },
                   [&](const human_initial_code_added&) { user_state_ = user_state::initial; },
                   [&](const human_initialized_check_succeeded&) { user_state_ = user_state::active; },
                   [&](const machine_added&) {
                       // Machines have no phone; to phone commands they look like a missing user, as in ZITADEL.
                       user_state_ = user_state::unspecified;
                       phone_state_ = phone_state::unspecified;
                       phone_ = {};
                       verified_ = false;
                       code_ = {};
                   },
                   [&](const user_removed&) {
                       code_ = {};
                       phone_ = {};
                       user_state_ = user_state::deleted;
                   },
                   [&](const email_verified&) {},  // the phone commands decide nothing on the email
                   [&](const phone_changed& e) {
                       phone_ = e.phone;
                       verified_ = false;
                       phone_state_ = phone_state::active;
                       code_.code.reset();
                   },
                   [&](const phone_verified&) {
                       verified_ = true;
                       code_.code.reset();
                   },
                   [&](const phone_code_added& e) {
                       code_.code = e.code;
                       code_.created_at = envelope.created_at;
                       code_.expiry = e.expiry;
                       code_.generator_id = e.generator_id;
                       code_.verification_id.clear();
                       code_.failed_attempts = 0;  // a new code starts a new count
                   },
                   [&](const phone_code_sent& e) {
                       code_.generator_id = e.generator_info ? e.generator_info->id : std::string();
                       code_.verification_id = e.generator_info ? e.generator_info->verification_id : std::string();
                   },
                   [&](const phone_removed&) {
                       // Clearing the number lets the same number be set again (ZITADEL issue #3538).
                       phone_state_ = phone_state::removed;
                       verified_ = false;
                       phone_ = {};
                   },
                   [&](const phone_verification_failed&) { ++code_.failed_attempts; },
               },
               event);
}

}  // namespace userstream::user
