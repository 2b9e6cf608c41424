// The SMS senders userstream-server ships. Neither sends an SMS: no provider is built in. A host that delivers codes
// implements `userstream::user::sms_sender` on its provider's API and hands it to the outbox (docs/server.md).
//
// * `console_sms_sender` (--dev only) prints each message on standard output, code included, so a developer can
//   verify a phone by hand: `SMS to +41710000000 (user u1): your verification code is 123456`.
// * `unconfigured_sms_sender` (otherwise) says on standard error that a code was not sent, naming only the user,
//   never the phone or the code, and fails, so the outbox counts the code as given up instead of recording it sent.
// * `flaky_sms_sender` is a test double, a fault injector for soak runs (--dev-sms-failure-rate, --dev only): it
//   fails a given fraction of sends at random, saying so on standard error (user id only), and hands the others to the
//   sender it wraps, so the outbox's retries and give-ups run as they would against a provider that drops requests.
#pragma once

#include <memory>
#include <mutex>
#include <random>

#include "userstream/user/sms_outbox.hpp"

namespace server {

class console_sms_sender final : public userstream::user::sms_sender {
public:
    void send(const userstream::user::sms_message& message) override;
};

class flaky_sms_sender final : public userstream::user::sms_sender {
public:
    // Fails each send with probability `failure_rate` (0 to 1), else lets `delivers` send it.
    flaky_sms_sender(std::unique_ptr<userstream::user::sms_sender> delivers, double failure_rate);
    void send(const userstream::user::sms_message& message) override;

private:
    std::unique_ptr<userstream::user::sms_sender> delivers_;
    std::mutex mutex_;  // the draw: the outbox sends from one thread, but nothing here relies on it
    std::mt19937_64 random_;
    std::bernoulli_distribution fails_;
};

class unconfigured_sms_sender final : public userstream::user::sms_sender {
public:
    void send(const userstream::user::sms_message& message) override;
};

}  // namespace server
