// A test double for an SMS provider that creates and checks codes itself (Twilio Verify in ZITADEL). It "sends"
// a fixed code per verification and answers checks from a script.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "userstream/user/external_verifier.hpp"

namespace userstream::testing {

class fake_external_verifier final : public user::external_verifier {
public:
    std::string config_id() const override { return "fake-verify-1"; }

    std::string start_verification(const user::phone_number& phone, std::string_view user_id) override {
        ++started;
        last_phone = phone.e164();
        last_user = std::string(user_id);
        return "VE" + std::to_string(started);
    }

    user::verifier_verdict check_code(std::string_view verification_id, std::string_view code) override {
        ++checks;
        last_checked_id = std::string(verification_id);
        if (forced) return *forced;
        return code == accepted_code ? user::verifier_verdict::approved : user::verifier_verdict::invalid;
    }

    std::string accepted_code = "424242";
    std::optional<user::verifier_verdict> forced;
    int started = 0;
    int checks = 0;
    std::string last_phone, last_user, last_checked_id;
};

}  // namespace userstream::testing
