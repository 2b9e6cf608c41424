// userstream/user/sms_outbox.hpp
//
// Delivers verification codes by SMS, following ZITADEL's notification handler for `phone.code.added`. It reads
// code events from the store's global stream after its checkpoint, and for each one that still matters hands the
// decrypted code to the host's `sms_sender`, then records `phone.code.sent` and moves its checkpoint.
//
// A code is skipped when it was returned to the caller (`code_returned`), when it has expired, or when a later event
// of the same user superseded it (another code, a sent code, a changed, verified or removed phone, a removed user;
// ZITADEL looks only at later code events).
//
// Delivery is at-least-once: a crash after the SMS left but before `code.sent` was stored sends it again on restart.
// In normal operation a code is sent once: the checkpoint moves after each code, and a code whose `code.sent` exists
// counts as superseded even if the checkpoint was lost. A failing sender is retried with exponential backoff up to
// `max_send_attempts` times; then the code is given up (counted in the report) so one bad number cannot stall the
// queue, and the user can ask for a new code.
//
// With an external verifier the outbox asks the provider to start a verification instead of sending a code, and
// records the provider's verification id in `code.sent`.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "userstream/eventstore/checkpoint_store.hpp"
#include "userstream/eventstore/event_store.hpp"
#include "userstream/user/user_service.hpp"

namespace userstream::user {

// What the host's SMS provider gets. `code` is secret: never log it.
struct sms_message {
    std::string user_id;
    std::string resource_owner;
    phone_number phone;
    std::string code;
    std::optional<timestamp> expires_at;  // none: the code never expires
};

class sms_sender {
public:
    virtual ~sms_sender() = default;
    // Sends the message. Throws (any exception) when the provider failed; the outbox retries.
    virtual void send(const sms_message& message) = 0;
};

struct sms_outbox_config {
    std::string reader_name = "sms_outbox";  // checkpoint key
    caller recorder{"sms-outbox", ""};       // who records `code.sent`; needs user.write on the users' orgs
    unsigned max_send_attempts = 5;
    std::chrono::milliseconds first_backoff{200};
    std::size_t page_size = 256;
};

class sms_outbox {
public:
    struct report {
        std::size_t sent = 0;
        std::size_t skipped = 0;
        std::size_t given_up = 0;
    };
    using sleeper = std::function<void(std::chrono::milliseconds)>;

    // `users` supplies the store, key ring, clock, instance and external verifier through its configuration.
    sms_outbox(const eventstore::event_store& store, user_service& users, const key_ring& keys, const clock& time,
               sms_sender& sender, eventstore::checkpoint_store& checkpoints, sms_outbox_config config = {},
               sleeper sleep = {});
    ~sms_outbox();
    sms_outbox(const sms_outbox&) = delete;
    sms_outbox& operator=(const sms_outbox&) = delete;

    // Handles every code event stored so far, then returns. Not to be called while the background thread runs.
    report run_once();

    // Polls in a background thread every `interval` until `stop`. Errors of one round are retried next round.
    void start(std::chrono::milliseconds interval = std::chrono::milliseconds(200));
    void stop();

private:
    enum class outcome { sent, skipped, given_up };
    outcome handle(const eventstore::stored_event& event);
    bool superseded(const eventstore::stored_event& event) const;

    const eventstore::event_store& store_;
    user_service& users_;
    const key_ring& keys_;
    const clock& clock_;
    sms_sender& sender_;
    eventstore::checkpoint_store& checkpoints_;
    sms_outbox_config config_;
    sleeper sleep_;
    std::atomic<bool> running_{false};
    std::thread worker_;
};

}  // namespace userstream::user
