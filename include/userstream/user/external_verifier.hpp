// userstream/user/external_verifier.hpp
//
// An SMS provider that creates and checks verification codes itself (ZITADEL's Twilio Verify path). The host
// implements this interface over its provider's API and hands it to `user_service` and `sms_outbox`. While one is
// configured, `code.added` events carry no code, `code.sent` records the provider's verification id, and verifying a
// code asks the provider.
#pragma once

#include <string>
#include <string_view>

#include "userstream/user/phone_number.hpp"

namespace userstream::user {

enum class verifier_verdict {
    approved,
    expired,
    invalid,
    too_many_attempts,
};

class external_verifier {
public:
    virtual ~external_verifier() = default;

    // The configuration id recorded as `generatorId` (ZITADEL's SMS config id).
    virtual std::string config_id() const = 0;
    // Asks the provider to send a code to `phone`; returns the provider's verification id.
    // Throws on provider failure (the outbox retries).
    virtual std::string start_verification(const phone_number& phone, std::string_view user_id) = 0;
    // Checks `code` against the verification. Throws on provider failure.
    virtual verifier_verdict check_code(std::string_view verification_id, std::string_view code) = 0;
};

}  // namespace userstream::user
