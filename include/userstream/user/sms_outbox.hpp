// userstream/user/sms_outbox.hpp
//
// Delivers verification codes by SMS, following ZITADEL's notification handler for `phone.code.added`. It is an
// at-least-once projection on the generic runner (userstream::subscriptions): the runner reads code events from the
// store's global stream after the outbox's checkpoint, a page at a time, and for each one that still matters the
// outbox hands the decrypted code to the host's `sms_sender`, then records `phone.code.sent` and moves its checkpoint.
// Polling, backoff after a failed round, and the report of failures are the runner's, as for every projection.
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
// A failure of the store or the checkpoint store ends the round before the code that met it (its checkpoint stays
// there): `run_once` throws it; in the background the runner reports it (`status()`: failed rounds, last error) and
// tries again after a pause that doubles up to two seconds. Nothing is skipped and nothing is swallowed.
//
// `status()` is a thread-safe snapshot of cumulative counters and the last problem, for a host that runs the outbox
// with `start()` and never sees a `report`. Its texts name user ids, key ids and positions, never a code or a key: an
// exception from host code (the sender, a store of the host's own) is reported as such, without its message.
//
// With several host processes on one store, give each outbox the same `lease` (and a shared checkpoint store): the
// process that holds the lease sends, the others stand by (`status().standing_by`) and take over when it goes away.
// The lease is confirmed before each code, so two processes never send the same code.
//
// With an external verifier the outbox asks the provider to start a verification instead of sending a code, and
// records the provider's verification id in `code.sent`.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "userstream/eventstore/checkpoint_store.hpp"
#include "userstream/eventstore/event_store.hpp"
#include "userstream/subscriptions/exclusive_lease.hpp"
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
    std::chrono::milliseconds first_backoff{200};  // before the second attempt to send one code; doubles after each
    std::size_t page_size = 256;                   // code events per read
    // Held before each code when set (not owned; must outlive the outbox): without it the outbox stands by, sending
    // nothing and leaving the checkpoint where it is. For several processes on one store; see the top of this file.
    subscriptions::exclusive_lease* lease = nullptr;
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
        std::size_t failed_rounds = 0;   // background rounds cut short by an exception (a store failure); retried
        bool standing_by = false;        // the last code met the lease held elsewhere (or unconfirmable): not sending
        report totals;
        std::string last_error_id;       // id of the last rejection of `code.sent` (e.g. "AUTH-5mWD2"); else empty
        std::string last_error;          // while rounds fail, why; otherwise the last problem with a code; else empty
    };
    // How the outbox waits between two attempts to send one code (tests pass one that only records the pause).
    using sleeper = std::function<void(std::chrono::milliseconds)>;

    // Reads code events from `store` (of `users`' instance) and keeps its position in `checkpoints` under
    // `config.reader_name`. `users` loads the user (for the number to send to), records `code.sent` as
    // `config.recorder`, and supplies the external verifier of its configuration, if any; `keys` decrypts the codes;
    // `time` decides whether a code has expired; `sender` sends each SMS. `sleep` waits between send attempts (the
    // default sleeps the thread). Every reference must outlive the outbox.
    sms_outbox(const eventstore::event_store& store, user_service& users, const key_ring& keys, const clock& time,
               sms_sender& sender, eventstore::checkpoint_store& checkpoints, sms_outbox_config config = {},
               sleeper sleep = {});
    ~sms_outbox();
    sms_outbox(const sms_outbox&) = delete;
    sms_outbox& operator=(const sms_outbox&) = delete;

    // Handles every code event stored so far, then returns what this call did. It may run while the background thread
    // runs: the two take turns, page by page. Throws infrastructure_error when the store or the checkpoint store
    // fails; the checkpoint stays before the code that met the failure.
    report run_once();

    // Runs rounds in a background thread every `interval` until `stop`; a failed round is retried after a pause that
    // doubles up to two seconds. `start` and `stop` may be called from any threads, also concurrently (not from the
    // sender): `start` on a running outbox and `stop` on a stopped one do nothing, and `stop` returns after the
    // current page.
    void start(std::chrono::milliseconds interval = std::chrono::milliseconds(200));
    void stop();

    // A snapshot of the counters and the last problem; safe from any thread, also while the background thread runs.
    // It asks no store, so it never throws and never waits on I/O.
    status_snapshot status() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace userstream::user
