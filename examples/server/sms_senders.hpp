// The SMS senders userstream-server ships. Neither sends an SMS: no provider is built in. A host that delivers codes
// implements `userstream::user::sms_sender` on its provider's API and hands it to the outbox (docs/server.md).
//
// * `console_sms_sender` (--dev only) prints each message on standard output, code included, so a developer can
//   verify a phone by hand: `SMS to +41710000000 (user u1): your verification code is 123456`.
// * `unconfigured_sms_sender` (otherwise) says on standard error that a code was not sent, naming only the user,
//   never the phone or the code, and fails, so the outbox counts the code as given up instead of recording it sent.
#pragma once

#include "userstream/user/sms_outbox.hpp"

namespace server {

class console_sms_sender final : public userstream::user::sms_sender {
public:
    void send(const userstream::user::sms_message& message) override;
};

class unconfigured_sms_sender final : public userstream::user::sms_sender {
public:
    void send(const userstream::user::sms_message& message) override;
};

}  // namespace server
