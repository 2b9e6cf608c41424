#include "userstream/user/sms_outbox.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>

#include "userstream/user/event_codec.hpp"

namespace userstream::user {

namespace {

namespace et = event_types;

// Current and legacy names of the code event.
const std::vector<std::string> code_event_types{std::string(et::phone_code_added), "user.phone.code.added"};

// Events after a code that make sending it pointless.
constexpr std::array<std::string_view, 11> superseding_types{
    et::phone_code_added,    et::phone_code_sent,    et::phone_changed,      et::phone_verified,
    et::phone_removed,       et::user_removed,       "user.phone.code.added", "user.phone.code.sent",
    "user.phone.changed",    "user.phone.verified",  "user.phone.removed",
};

void default_sleep(std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }

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
        return std::find(superseding_types.begin(), superseding_types.end(), e.event_type) != superseding_types.end();
    });
}

sms_outbox::outcome sms_outbox::handle(const eventstore::stored_event& event) {
    const auto decoded = decode(event);
    const auto& added = std::get<phone_code_added>(*decoded);
    if (added.code_returned) return outcome::skipped;  // the caller got the code; no SMS
    std::optional<timestamp> expires_at;
    if (added.expiry.count() > 0) {
        expires_at = event.created_at + std::chrono::duration_cast<std::chrono::microseconds>(added.expiry);
        if (clock_.now() > *expires_at) return outcome::skipped;
    }
    if (superseded(event)) return outcome::skipped;

    const std::string& user_id = event.aggregate.aggregate_id;
    const auto model = users_.load(user_id);
    if (!model.user_exists() || model.phone_status() != phone_state::active) return outcome::skipped;

    external_verifier* verifier = users_.config().phone_verifier;
    const bool external = !added.code && !added.generator_id.empty();
    if (external && verifier == nullptr) return outcome::given_up;  // nobody can send it; see docs/verification.md

    sms_message message{user_id, event.owner, model.phone(), {}, expires_at};
    if (added.code) message.code = keys_.decrypt(*added.code);
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
        } catch (const std::exception&) {
            if (attempt < config_.max_send_attempts) {
                sleep_(backoff);
                backoff *= 2;
            }
        }
    }
    OPENSSL_cleanse(message.code.data(), message.code.size());
    if (!delivered) return outcome::given_up;

    // A business rejection here (the phone was removed meanwhile) needs no record; the SMS is gone either way.
    (void)users_.phone_code_sent(config_.recorder,
                                 {user_id, std::nullopt, external ? added.generator_id : std::string(), verification_id});
    return outcome::sent;
}

sms_outbox::report sms_outbox::run_once() {
    report totals;
    const eventstore::global_filter filter{users_.config().instance_id, {std::string(aggregate_type)}, code_event_types};
    auto position = checkpoints_.load(config_.reader_name);
    for (;;) {
        const auto page = store_.read_global(position, filter, config_.page_size);
        for (const auto& event : page) {
            switch (handle(event)) {
                case outcome::sent: ++totals.sent; break;
                case outcome::skipped: ++totals.skipped; break;
                case outcome::given_up: ++totals.given_up; break;
            }
            position = event.position;
            checkpoints_.save(config_.reader_name, position);
        }
        if (page.size() < config_.page_size) return totals;
    }
}

void sms_outbox::start(std::chrono::milliseconds interval) {
    if (running_.exchange(true)) return;
    worker_ = std::thread([this, interval] {
        while (running_.load()) {
            try {
                (void)run_once();
            } catch (const std::exception&) {
                // A store or key failure: the checkpoint did not move past the event, so the next round retries.
            }
            for (auto waited = std::chrono::milliseconds(0); waited < interval && running_.load();
                 waited += std::chrono::milliseconds(10)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        }
    });
}

void sms_outbox::stop() {
    running_.store(false);
    if (worker_.joinable()) worker_.join();
}

}  // namespace userstream::user
