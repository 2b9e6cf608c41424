#include "sms_senders.hpp"

#include <openssl/crypto.h>

#include <stdexcept>
#include <string>

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

void unconfigured_sms_sender::send(const userstream::user::sms_message& message) {
    print_stderr_line("userstream-server: SMS to user " + message.user_id +
                      " not sent: no SMS provider configured");
    throw std::runtime_error("no SMS provider configured");
}

}  // namespace server
