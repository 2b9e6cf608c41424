#include "userstream/user/sms_outbox.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <thread>

#include "userstream/subscriptions/projection_runner.hpp"
#include "userstream/user/errors.hpp"
#include "userstream/user/event_codec.hpp"

namespace userstream::user {

namespace {

namespace et = event_types;

// Events after a code that make sending it pointless (current names; legacy names are mapped to these first).
constexpr std::array<std::string_view, 6> superseding_types{
    et::phone_code_added, et::phone_code_sent, et::phone_changed, et::phone_verified, et::phone_removed, et::user_removed,
};

void default_sleep(std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }

// Where a code event is, for texts a host reads; never its payload.
std::string describe(const eventstore::stored_event& event) {
    return fmt::format("the code of user '{}' at position {}", event.aggregate.aggregate_id, event.position.value);
}

// Rejections of `code.sent` that mean the user or phone went away while the SMS was out: nothing left to record.
bool gone_meanwhile(const error& rejection) {
    return rejection.is(errors::code_sent_user_not_found) || rejection.is(errors::code_sent_phone_not_found);
}

void add(sms_outbox::report& sum, const sms_outbox::report& one) {
    sum.sent += one.sent;
    sum.skipped += one.skipped;
    sum.given_up += one.given_up;
    sum.undecryptable += one.undecryptable;
    sum.record_failures += one.record_failures;
}

sms_outbox::report difference(const sms_outbox::report& after, const sms_outbox::report& before) {
    return {after.sent - before.sent, after.skipped - before.skipped, after.given_up - before.given_up,
            after.undecryptable - before.undecryptable, after.record_failures - before.record_failures};
}

}  // namespace

// The outbox as a projection of the code events: the runner reads them and calls `apply` page by page; `apply`
// handles each code, then moves the checkpoint past it, then counts it. At-least-once: the checkpoint lives in the
// host's checkpoint store, apart from the SMS provider and the `code.sent` events.
struct sms_outbox::impl final : subscriptions::projection {
    enum class outcome { sent, skipped, given_up, undecryptable, sent_not_recorded };

    impl(const eventstore::event_store& store, user_service& users, const key_ring& keys, const clock& time,
         sms_sender& sender, eventstore::checkpoint_store& checkpoints, sms_outbox_config config, sleeper sleep)
        : store_(store),
          users_(users),
          keys_(keys),
          clock_(time),
          sender_(sender),
          checkpoints_(checkpoints),
          config_(std::move(config)),
          sleep_(sleep ? std::move(sleep) : sleeper(default_sleep)),
          filter_{users.config().instance_id, {std::string(aggregate_type)}, stored_event_types(et::phone_code_added)},
          runner_(store, *this,
                  {.page_size = config_.page_size,
                   .poll_interval = std::chrono::milliseconds(200),
                   .quote_host_errors = false}) {}

    // --- the projection ---------------------------------------------------------------------------------------------

    std::string name() const override { return config_.reader_name; }
    eventstore::global_filter filter() const override { return filter_; }
    subscriptions::delivery guarantee() const noexcept override { return subscriptions::delivery::at_least_once; }
    eventstore::global_position checkpoint() const override { return checkpoints_.load(config_.reader_name); }

    bool apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
               eventstore::global_position through) override {
        // Declining with the checkpoint unmoved tells the runner there is nothing to do here until its next poll.
        if (!leased()) return false;
        if (checkpoints_.load(config_.reader_name) != from) return false;  // another outbox on this checkpoint
        for (const auto& event : events) {
            // Before every code, not once a page: a lease lost meanwhile (its database connection gone) may already
            // be another process's, and a code must not leave twice.
            if (&event != &events.front() && !leased()) return false;
            const outcome result = handle(event);
            checkpoints_.save(config_.reader_name, event.position);
            // Counted once the checkpoint is past the event, so a status never counts an event twice.
            count(result);
        }
        // Past the events of other types too, so the next round starts at the head the runner saw.
        if (events.empty() || events.back().position != through) checkpoints_.save(config_.reader_name, through);
        return true;
    }

    // A rebuild sends nothing twice: every code already sent has its `code.sent`, which supersedes it.
    void reset() override { checkpoints_.save(config_.reader_name, {}); }

    bool leased() {
        const bool held = config_.lease == nullptr || config_.lease->hold();
        standing_by_.store(!held);
        return held;
    }

    // --- one code ---------------------------------------------------------------------------------------------------

    outcome handle(const eventstore::stored_event& event);
    bool superseded(const eventstore::stored_event& event) const;
    void note_problem(std::string text, std::string_view error_id = {});
    void count(outcome result);
    report totals() const;

    const eventstore::event_store& store_;
    user_service& users_;
    const key_ring& keys_;
    const clock& clock_;
    sms_sender& sender_;
    eventstore::checkpoint_store& checkpoints_;
    const sms_outbox_config config_;
    const sleeper sleep_;
    const eventstore::global_filter filter_;

    std::atomic<bool> standing_by_{false};
    mutable std::mutex status_mutex_;
    report totals_;               // guarded by status_mutex_
    std::string last_problem_;    // guarded by status_mutex_
    std::string last_error_id_;   // guarded by status_mutex_

    subscriptions::projection_runner runner_;  // last: it stops, and stops calling `apply`, before the rest goes
};

sms_outbox::sms_outbox(const eventstore::event_store& store, user_service& users, const key_ring& keys,
                       const clock& time, sms_sender& sender, eventstore::checkpoint_store& checkpoints,
                       sms_outbox_config config, sleeper sleep)
    : impl_(std::make_unique<impl>(store, users, keys, time, sender, checkpoints, std::move(config),
                                   std::move(sleep))) {}

sms_outbox::~sms_outbox() = default;

bool sms_outbox::impl::superseded(const eventstore::stored_event& event) const {
    const auto later = store_.read_aggregate(event.aggregate, event.sequence);
    return std::any_of(later.begin(), later.end(), [](const eventstore::stored_event& e) {
        const auto type = current_event_type(e.event_type);
        return std::find(superseding_types.begin(), superseding_types.end(), type) != superseding_types.end();
    });
}

void sms_outbox::impl::note_problem(std::string text, std::string_view error_id) {
    std::lock_guard lock(status_mutex_);
    last_problem_ = std::move(text);
    last_error_id_ = std::string(error_id);
}

void sms_outbox::impl::count(outcome result) {
    report one;
    switch (result) {
        case outcome::sent: one.sent = 1; break;
        case outcome::skipped: one.skipped = 1; break;
        case outcome::given_up: one.given_up = 1; break;
        case outcome::undecryptable: one.given_up = one.undecryptable = 1; break;
        case outcome::sent_not_recorded: one.sent = one.record_failures = 1; break;
    }
    std::lock_guard lock(status_mutex_);
    add(totals_, one);
}

sms_outbox::report sms_outbox::impl::totals() const {
    std::lock_guard lock(status_mutex_);
    return totals_;
}

sms_outbox::impl::outcome sms_outbox::impl::handle(const eventstore::stored_event& event) {
    std::optional<user_event> decoded;
    try {
        decoded = decode(event);
    } catch (const decode_error& e) {
        // A malformed event will not decode next round either; holding the checkpoint would stall every later code.
        note_problem(fmt::format("{} was given up: {}", describe(event), e.what()));
        return outcome::undecryptable;
    }
    const auto& added = std::get<phone_code_added>(*decoded);
    if (added.code_returned) return outcome::skipped;  // the caller got the code; no SMS
    std::optional<timestamp> expires_at;
    if (added.expiry.count() > 0) {
        expires_at = event.created_at + std::chrono::duration_cast<std::chrono::microseconds>(added.expiry);
        if (clock_.now() > *expires_at) return outcome::skipped;
    }
    if (superseded(event)) return outcome::skipped;

    const std::string& user_id = event.aggregate.aggregate_id;
    user_write_model model;
    try {
        model = users_.load(user_id);
    } catch (const decode_error& e) {
        // Another event of this user is malformed: where to send cannot be known, now or later.
        note_problem(fmt::format("{} was given up: {}", describe(event), e.what()));
        return outcome::given_up;
    }
    if (!model.user_exists() || model.phone_status() != phone_state::active) return outcome::skipped;

    external_verifier* verifier = users_.config().phone_verifier;
    const bool external = !added.code && !added.generator_id.empty();
    if (external && verifier == nullptr) {  // nobody can send it; see docs/verification.md
        note_problem(fmt::format("{} was given up: it belongs to external verifier '{}', but none is configured",
                                 describe(event), added.generator_id));
        return outcome::given_up;
    }

    sms_message message{user_id, event.owner, model.phone(), {}, expires_at};
    if (added.code) {
        try {
            message.code = keys_.decrypt(*added.code, code_binding(event));
        } catch (const infrastructure_error& e) {
            // A retired key, or a ciphertext that fails authentication: no later round can decrypt it either. The
            // key ring's message names the key id, never the ciphertext.
            note_problem(fmt::format("{} was given up: {}", describe(event), e.what()));
            return outcome::undecryptable;
        }
    }
    std::string verification_id;
    std::chrono::milliseconds backoff = config_.first_backoff;
    bool delivered = false;
    for (unsigned attempt = 1; attempt <= config_.max_send_attempts && !delivered; ++attempt) {
        try {
            if (external) {
                verification_id = verifier->start_verification(message.phone, user_id);
            } else {
                sender_.send(message);
            }
            delivered = true;
        } catch (...) {
            // The provider's text is not kept: a host's exception may quote the message, code included.
            if (attempt < config_.max_send_attempts) {
                sleep_(backoff);
                backoff *= 2;
            }
        }
    }
    message.code.clear();
    if (!delivered) {
        note_problem(fmt::format("{} was given up: the {} failed {} times", describe(event),
                                 external ? "external verifier" : "SMS sender", config_.max_send_attempts));
        return outcome::given_up;
    }

    const auto recorded = users_.phone_code_sent(
        config_.recorder, {user_id, std::nullopt, external ? added.generator_id : std::string(), verification_id});
    if (!recorded && !gone_meanwhile(recorded.err())) {
        // The SMS is out, so the code counts as sent; without code.sent a lost checkpoint would send it again, and an
        // external verification id would be lost, so the host must see this.
        note_problem(fmt::format("{} was sent, but recording code.sent failed: {} ({})", describe(event),
                                 recorded.err().message, recorded.err().id),
                     recorded.err().id);
        return outcome::sent_not_recorded;
    }
    return outcome::sent;
}

sms_outbox::report sms_outbox::run_once() {
    const auto before = impl_->totals();
    impl_->runner_.catch_up();
    return difference(impl_->totals(), before);
}

void sms_outbox::start(std::chrono::milliseconds interval) { impl_->runner_.start(interval); }

void sms_outbox::stop() { impl_->runner_.stop(); }

sms_outbox::status_snapshot sms_outbox::status() const {
    const auto activity = impl_->runner_.activity();
    status_snapshot out;
    out.running = activity.running;
    out.rounds = activity.rounds;
    out.failed_rounds = activity.failures;
    out.standing_by = impl_->standing_by_.load();
    std::lock_guard lock(impl_->status_mutex_);
    out.totals = impl_->totals_;
    out.last_error_id = impl_->last_error_id_;
    out.last_error = activity.last_error ? fmt::format("a round failed: {}", *activity.last_error) : impl_->last_problem_;
    return out;
}

}  // namespace userstream::user
