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
// queue, and the user can ask for a new code. A code that cannot be decrypted (its key was retired, or the ciphertext
// fails authentication) or whose event does not decode is given up too, and counted as undecryptable: retrying cannot
// help, and it must not hold back everyone else's codes.
//
// If recording `code.sent` is rejected (for example the recorder lost `user.write`), the SMS still counts as sent and
// the rejection is counted as a record failure, with its error id in the status. A user or phone removed between
// sending and recording is no failure: there is nothing left to record.
//
// `status()` is a thread-safe snapshot of cumulative counters and the last problem, for a host that runs the outbox
// with `start()` and never sees a `report`. Its texts name user ids, key ids and positions, never a code or a key.
//
// With an external verifier the outbox asks the provider to start a verification instead of sending a code, and
// records the provider's verification id in `code.sent`.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "userstream/eventstore/checkpoint_store.hpp"
#include "userstream/eventstore/event_store.hpp"
#include "userstream/user/user_service.hpp"
#include "userstream/user/verification_code.hpp"

namespace userstream::user {

// What the host's SMS provider gets. `code` is secret: never log it. It is wiped when the message (or a copy of it)
// is destroyed; a sender that copies it out (`code.view()`) owns that copy.
struct sms_message {
    std::string user_id;
    std::string resource_owner;
    phone_number phone;
    secret_string code;
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
        std::size_t given_up = 0;         // the sender kept failing, the code could not be read, or nobody can send it
        std::size_t undecryptable = 0;    // of those given up: unknown key, failed authentication or undecodable event
        std::size_t record_failures = 0;  // of those sent: recording `code.sent` was rejected
    };
    // Cumulative since construction, over every `run_once` call and background round.
    struct status_snapshot {
        bool running = false;            // the background thread is started
        std::size_t rounds = 0;          // rounds that handled every code stored so far
        std::size_t failed_rounds = 0;   // rounds cut short by an exception (a store failure); the next one retries
        report totals;
        std::string last_error_id;       // id of the last rejection of `code.sent` (e.g. "AUTH-5mWD2"); else empty
        std::string last_error;          // the last problem in words; empty while there was none
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
    // Throws infrastructure_error when the store or the checkpoint store fails; the checkpoint stays before the code
    // that met the failure.
    report run_once();

    // Polls in a background thread every `interval` until `stop`. Errors of one round are retried next round.
    // `start` and `stop` may be called from any threads, also concurrently (not from the sender): `start` on a
    // running outbox and `stop` on a stopped one do nothing, and `stop` returns after the current round.
    void start(std::chrono::milliseconds interval = std::chrono::milliseconds(200));
    void stop();

    // A snapshot of the counters and the last problem; safe from any thread, also while the background thread runs.
    status_snapshot status() const;

private:
    enum class outcome { sent, skipped, given_up, undecryptable, sent_not_recorded };
    outcome handle(const eventstore::stored_event& event);
    bool superseded(const eventstore::stored_event& event) const;
    void note_problem(std::string text, std::string_view error_id = {});
    void round_failed(std::string text);
    void work(std::chrono::milliseconds interval);

    const eventstore::event_store& store_;
    user_service& users_;
    const key_ring& keys_;
    const clock& clock_;
    sms_sender& sender_;
    eventstore::checkpoint_store& checkpoints_;
    sms_outbox_config config_;
    sleeper sleep_;

    mutable std::mutex status_mutex_;
    status_snapshot status_;

    std::mutex lifecycle_mutex_;  // serialises start and stop, so the worker is never replaced while it runs
    std::atomic<bool> running_{false};
    std::mutex wake_mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;  // guarded by wake_mutex_
    std::thread worker_;
};

}  // namespace userstream::user
