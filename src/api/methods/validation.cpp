#include "methods/validation.hpp"

#include <fmt/format.h>

namespace userstream::api::detail {

namespace {
std::size_t runes(std::string_view text) noexcept {
    std::size_t count = 0;
    for (const char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0u) != 0x80u) ++count;  // not a continuation byte
    }
    return count;
}

// The checks of one message, in declaration order; the first failure wins.
class rules {
public:
    explicit rules(std::string_view message) : message_(message) {}

    rules& length(std::string_view field, std::string_view value, std::size_t min, std::size_t max) {
        const auto n = runes(value);
        if (n < min || n > max) {
            fail(field, min == 0 ? fmt::format("value length must be at most {} runes", max)
                                 : fmt::format("value length must be between {} and {} runes, inclusive", min, max));
        }
        return *this;
    }
    rules& prefix(std::string_view field, std::string_view value, std::string_view expected) {
        if (!value.starts_with(expected)) fail(field, fmt::format("value does not have prefix \"{}\"", expected));
        return *this;
    }
    rules& is_true(std::string_view field, bool present, bool value) {
        if (present && !value) fail(field, "value must equal true");
        return *this;
    }
    rules& required(std::string_view field, bool present) {
        if (!present) fail(field, "value is required");
        return *this;
    }
    rules& email(std::string_view field, std::string_view value) {
        if (!looks_like_email(value)) fail(field, "value must be a valid email address");
        return *this;
    }
    // An embedded message's own failure, in PGV's wording.
    rules& embedded(std::string_view field, const validation& inner) {
        if (inner) fail(field, "embedded message failed validation | caused by: " + *inner);
        return *this;
    }
    validation result() const { return failure_; }

private:
    void fail(std::string_view field, const std::string& reason) {
        if (!failure_) failure_ = fmt::format("invalid {}.{}: {}", message_, field, reason);
    }
    // PGV's check is Go's mail.ParseAddress on the bare address plus a hostname check; this keeps its shape: one '@',
    // a non-empty local part, a host of dot-separated labels of letters, digits and hyphens, at most 254 bytes.
    static bool looks_like_email(std::string_view value) {
        const auto at = value.find('@');
        if (at == std::string_view::npos || at == 0 || value.find('@', at + 1) != std::string_view::npos ||
            value.size() > 254) {
            return false;
        }
        for (const char c : value.substr(0, at)) {
            if (c <= ' ' || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' || c == ':' ||
                c == '"' || c == '[' || c == ']' || c == '\\' || c == 0x7F) {
                return false;
            }
        }
        const auto host = value.substr(at + 1);
        if (host.empty() || host.size() > 253) return false;
        std::size_t label = 0;
        for (std::size_t i = 0; i <= host.size(); ++i) {
            if (i == host.size() || host[i] == '.') {
                if (label == 0 || label > 63 || host[i - 1] == '-' || host[i - label] == '-') return false;
                label = 0;
                continue;
            }
            const char c = host[i];
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) return false;
            ++label;
        }
        return true;
    }

    std::string_view message_;
    validation failure_;
};

validation user_id_only(std::string_view message, std::string_view user_id) {
    return rules(message).length("UserId", user_id, 1, 200).result();
}

validation validate_profile(const zitadel::user::v2::SetHumanProfile& profile) {
    return rules("SetHumanProfile")
        .length("GivenName", profile.given_name(), 1, 200)
        .length("FamilyName", profile.family_name(), 1, 200)
        .length("NickName", profile.nick_name(), 0, 200)
        .length("DisplayName", profile.display_name(), 0, 200)
        .length("PreferredLanguage", profile.preferred_language(), 0, 10)
        .result();
}

validation validate_email(const zitadel::user::v2::SetHumanEmail& email) {
    return rules("SetHumanEmail").length("Email", email.email(), 1, 200).email("Email", email.email()).result();
}

validation validate_phone(const zitadel::user::v2::SetHumanPhone& phone) {
    return rules("SetHumanPhone")
        .length("Phone", phone.phone(), 0, 200)
        .is_true("IsVerified", phone.has_is_verified(), phone.is_verified())
        .result();
}
}  // namespace

namespace mgmt = zitadel::management::v1;
namespace auth = zitadel::auth::v1;
namespace v2 = zitadel::user::v2;

validation validate(const mgmt::GetHumanPhoneRequest& r) { return user_id_only("GetHumanPhoneRequest", r.user_id()); }
validation validate(const mgmt::UpdateHumanPhoneRequest& r) {
    return rules("UpdateHumanPhoneRequest")
        .length("UserId", r.user_id(), 1, 200)
        .length("Phone", r.phone(), 1, 50)
        .prefix("Phone", r.phone(), "+")
        .result();
}
validation validate(const mgmt::RemoveHumanPhoneRequest& r) {
    return user_id_only("RemoveHumanPhoneRequest", r.user_id());
}
validation validate(const mgmt::ResendHumanPhoneVerificationRequest& r) {
    return user_id_only("ResendHumanPhoneVerificationRequest", r.user_id());
}

validation validate(const auth::GetMyPhoneRequest&) { return std::nullopt; }
validation validate(const auth::SetMyPhoneRequest& r) {
    return rules("SetMyPhoneRequest").length("Phone", r.phone(), 1, 50).prefix("Phone", r.phone(), "+").result();
}
validation validate(const auth::VerifyMyPhoneRequest& r) {
    return rules("VerifyMyPhoneRequest").length("Code", r.code(), 1, 200).result();
}
validation validate(const auth::ResendMyPhoneVerificationRequest&) { return std::nullopt; }
validation validate(const auth::RemoveMyPhoneRequest&) { return std::nullopt; }

validation validate(const v2::AddHumanUserRequest& r) {
    rules check("AddHumanUserRequest");
    if (r.has_user_id()) check.length("UserId", r.user_id(), 1, 200);
    if (r.has_username()) check.length("Username", r.username(), 1, 200);
    check.required("Profile", r.has_profile());
    if (r.has_profile()) check.embedded("Profile", validate_profile(r.profile()));
    check.required("Email", r.has_email());
    if (r.has_email()) check.embedded("Email", validate_email(r.email()));
    if (r.has_phone()) check.embedded("Phone", validate_phone(r.phone()));
    return check.result();
}
validation validate(const v2::GetUserByIDRequest& r) { return user_id_only("GetUserByIDRequest", r.user_id()); }
validation validate(const v2::DeleteUserRequest& r) { return user_id_only("DeleteUserRequest", r.user_id()); }
validation validate(const v2::SetPhoneRequest& r) {
    return rules("SetPhoneRequest")
        .length("UserId", r.user_id(), 1, 200)
        .length("Phone", r.phone(), 1, 200)
        .is_true("IsVerified", r.has_is_verified(), r.is_verified())
        .result();
}
validation validate(const v2::VerifyPhoneRequest& r) {
    return rules("VerifyPhoneRequest")
        .length("UserId", r.user_id(), 1, 200)
        .length("VerificationCode", r.verification_code(), 1, 20)
        .result();
}
validation validate(const v2::ResendPhoneCodeRequest& r) { return user_id_only("ResendPhoneCodeRequest", r.user_id()); }
validation validate(const v2::RemovePhoneRequest& r) { return user_id_only("RemovePhoneRequest", r.user_id()); }

}  // namespace userstream::api::detail
