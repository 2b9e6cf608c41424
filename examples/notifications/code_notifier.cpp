#include "code_notifier.hpp"

#include <chrono>

namespace notifications {

code_notifier::texter::texter(const userstream::clock& time, sms_gateway& gateway, std::string brand)
    : clock_(time), gateway_(gateway), brand_(std::move(brand)) {}

void code_notifier::texter::send(const userstream::user::sms_message& message) {
    std::string text = "Your " + brand_ + " code is " + std::string(message.code.view()) + ".";
    if (message.expires_at) {
        const auto left = std::chrono::duration_cast<std::chrono::minutes>(*message.expires_at - clock_.now());
        text += " It expires in " + std::to_string(left.count()) + " minutes.";
    }
    gateway_.send(message.phone.e164(), text);
    userstream::user::wipe(text);  // it held the code
}

code_notifier::code_notifier(const userstream::eventstore::event_store& store, userstream::user::user_service& users,
                             const userstream::user::key_ring& keys, const userstream::clock& time,
                             sms_gateway& gateway, userstream::eventstore::checkpoint_store& checkpoints,
                             std::string brand)
    : texter_(time, gateway, std::move(brand)), outbox_(store, users, keys, time, texter_, checkpoints) {}

std::size_t code_notifier::deliver_pending() { return outbox_.run_once().sent; }

}  // namespace notifications
