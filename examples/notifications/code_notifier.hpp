// An example of another component built on userstream: the notification side of a host, which texts each phone
// verification code the user service issues to the user's number, once, in the host's own words, through the host's
// SMS gateway. Which codes go out, and that each goes out once, is userstream's `sms_outbox`; what the text says and
// where it goes is this component's. Its specification, code_notifier_test.cpp, uses userstream::testing.
#pragma once

#include <cstddef>
#include <string>

#include "userstream/core/time.hpp"
#include "userstream/eventstore/checkpoint_store.hpp"
#include "userstream/eventstore/event_store.hpp"
#include "userstream/user/key_ring.hpp"
#include "userstream/user/sms_outbox.hpp"
#include "userstream/user/user_service.hpp"

namespace notifications {

// The host's SMS provider. `text` contains a secret code: an implementation must not log it.
class sms_gateway {
public:
    virtual ~sms_gateway() = default;
    // Throws when the provider fails; the notifier tries again later.
    virtual void send(const std::string& to_e164, const std::string& text) = 0;
};

// Texts every issued code, one SMS per code. The recorder of sent codes, "sms-outbox", needs user.write on the
// users' organisations. One thread at a time.
class code_notifier {
public:
    code_notifier(const userstream::eventstore::event_store& store, userstream::user::user_service& users,
                  const userstream::user::key_ring& keys, const userstream::clock& time, sms_gateway& gateway,
                  userstream::eventstore::checkpoint_store& checkpoints, std::string brand);

    // Texts every code issued since the last call that still matters, and returns how many texts went out.
    std::size_t deliver_pending();

private:
    // Words a code, then hands it to the gateway.
    class texter final : public userstream::user::sms_sender {
    public:
        texter(const userstream::clock& time, sms_gateway& gateway, std::string brand);
        void send(const userstream::user::sms_message& message) override;

    private:
        const userstream::clock& clock_;
        sms_gateway& gateway_;
        std::string brand_;
    };

    texter texter_;
    userstream::user::sms_outbox outbox_;
};

}  // namespace notifications
