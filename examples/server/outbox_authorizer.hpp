// The SMS outbox records `phone.code.sent` as a command of its own caller, which needs user.write on each user's
// organisation. The token file grants permissions to API callers only, so this authorizer adds that one grant for
// the outbox's caller and asks the token file about everyone else. The outbox's caller has an empty organisation,
// which no token can have (the token file refuses empty fields), so no API caller can pass for it.
#pragma once

#include <string>

#include "userstream/user/authorizer.hpp"

namespace server {

class outbox_authorizer final : public userstream::user::authorizer {
public:
    outbox_authorizer(const userstream::user::authorizer& api_callers, userstream::user::caller outbox)
        : api_callers_(api_callers), outbox_(std::move(outbox)) {}

    bool has_permission(const userstream::user::caller& who, std::string_view permission,
                        std::string_view org_id) const override {
        if (who.user_id == outbox_.user_id && who.org_id == outbox_.org_id) {
            return permission == userstream::user::permissions::user_write;
        }
        return api_callers_.has_permission(who, permission, org_id);
    }

private:
    const userstream::user::authorizer& api_callers_;
    userstream::user::caller outbox_;
};

}  // namespace server
