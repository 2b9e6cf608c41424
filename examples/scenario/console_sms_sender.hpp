// The example programs' SMS "provider": it prints each message to the program's output instead of sending it.
// For demos only; a real host plugs in its provider. Messages carry the secret code, so this never writes to a log.
#pragma once

#include <vector>

#include "userstream/user/sms_outbox.hpp"

namespace scenario {

class console_sms_sender final : public userstream::user::sms_sender {
public:
    void send(const userstream::user::sms_message& message) override { outgoing_.push_back(message); }
    // The messages "sent" since the last call; the runner prints them as the answer of the delivering operation.
    std::vector<userstream::user::sms_message> take() { return std::exchange(outgoing_, {}); }

private:
    std::vector<userstream::user::sms_message> outgoing_;
};

}  // namespace scenario
