#include "sms_senders.hpp"

#include <openssl/crypto.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "console.hpp"

namespace server {

void console_sms_sender::send(const userstream::user::sms_message& message) {
    std::string line = "SMS to " + message.phone.e164() + " (user " + message.user_id +
                       "): your verification code is ";
    line += message.code.view();
    print_stdout_line(line);
    // The line held the code: wipe it rather than leave it in freed memory.
    OPENSSL_cleanse(line.data(), line.size());
}

flaky_sms_sender::flaky_sms_sender(std::unique_ptr<userstream::user::sms_sender> delivers, double failure_rate)
    : delivers_(std::move(delivers)), random_(std::random_device{}()), fails_(failure_rate) {}

void flaky_sms_sender::send(const userstream::user::sms_message& message) {
    bool fail = false;
    {
        std::lock_guard lock(mutex_);
        fail = fails_(random_);
    }
    if (fail) {
        print_stderr_line("userstream-server: SMS to user " + message.user_id +
                          " not sent: injected failure (--dev-sms-failure-rate)");
        throw std::runtime_error("injected SMS failure");
    }
    delivers_->send(message);
}

void unconfigured_sms_sender::send(const userstream::user::sms_message& message) {
    print_stderr_line("userstream-server: SMS to user " + message.user_id +
                      " not sent: no SMS provider configured");
    throw std::runtime_error("no SMS provider configured");
}

}  // namespace server
