#include "userstream/user/sms_outbox.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

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

}  // namespace

sms_outbox::sms_outbox(const eventstore::event_store& store, user_service& users, const key_ring& keys,
                       const clock& time, sms_sender& sender, eventstore::checkpoint_store& checkpoints,
                       sms_outbox_config config, sleeper sleep)
    : store_(store),
      users_(users),
      keys_(keys),
      clock_(time),
      sender_(sender),
      checkpoints_(checkpoints),
      config_(std::move(config)),
      sleep_(sleep ? std::move(sleep) : sleeper(default_sleep)) {}

sms_outbox::~sms_outbox() { stop(); }

bool sms_outbox::superseded(const eventstore::stored_event& event) const {
    const auto later = store_.read_aggregate(event.aggregate, event.sequence);
    return std::any_of(later.begin(), later.end(), [](const eventstore::stored_event& e) {
        const auto type = current_event_type(e.event_type);
        return std::find(superseding_types.begin(), superseding_types.end(), type) != superseding_types.end();
    });
}

void sms_outbox::note_problem(std::string text, std::string_view error_id) {
    std::lock_guard lock(status_mutex_);
    status_.last_error = std::move(text);
    status_.last_error_id = std::string(error_id);
}

sms_outbox::outcome sms_outbox::handle(const eventstore::stored_event& event) {
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
    report totals;
    const eventstore::global_filter filter{users_.config().instance_id, {std::string(aggregate_type)},
                                           stored_event_types(et::phone_code_added)};
    auto position = checkpoints_.load(config_.reader_name);
    for (;;) {
        const auto page = store_.read_global(position, filter, config_.page_size);
        for (const auto& event : page) {
            const outcome result = handle(event);
            report one;
            switch (result) {
                case outcome::sent: one.sent = 1; break;
                case outcome::skipped: one.skipped = 1; break;
                case outcome::given_up: one.given_up = 1; break;
                case outcome::undecryptable: one.given_up = one.undecryptable = 1; break;
                case outcome::sent_not_recorded: one.sent = one.record_failures = 1; break;
            }
            position = event.position;
            checkpoints_.save(config_.reader_name, position);
            // Counted once the checkpoint is past the event, so a status never counts an event twice.
            add(totals, one);
            std::lock_guard lock(status_mutex_);
            add(status_.totals, one);
        }
        if (page.size() < config_.page_size) break;
    }
    std::lock_guard lock(status_mutex_);
    ++status_.rounds;
    return totals;
}

void sms_outbox::round_failed(std::string text) {
    {
        std::lock_guard lock(status_mutex_);
        ++status_.failed_rounds;
    }
    note_problem(std::move(text));
}

void sms_outbox::work(std::chrono::milliseconds interval) {
    for (;;) {
        try {
            (void)run_once();
        } catch (const infrastructure_error& e) {
            // A store failure: the checkpoint did not move past the event, so the next round retries it.
            round_failed(fmt::format("a round failed: {}", e.what()));
        } catch (...) {
            // Not the library's exception type: it comes from host code (a store or checkpoint store of its own) and
            // might quote anything, so its text is not kept.
            round_failed("a round failed with an exception from host code");
        }
        std::unique_lock lock(wake_mutex_);
        if (wake_.wait_for(lock, interval, [this] { return stopping_; })) return;
    }
}

void sms_outbox::start(std::chrono::milliseconds interval) {
    std::lock_guard lifecycle(lifecycle_mutex_);
    if (worker_.joinable()) return;  // already running
    {
        std::lock_guard lock(wake_mutex_);
        stopping_ = false;
    }
    worker_ = std::thread([this, interval] { work(interval); });
    running_.store(true);
}

void sms_outbox::stop() {
    std::lock_guard lifecycle(lifecycle_mutex_);
    if (!worker_.joinable()) return;
    {
        std::lock_guard lock(wake_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
    running_.store(false);
}

sms_outbox::status_snapshot sms_outbox::status() const {
    std::lock_guard lock(status_mutex_);
    status_snapshot out = status_;
    out.running = running_.load();
    return out;
}

}  // namespace userstream::user
