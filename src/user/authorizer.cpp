#include "userstream/user/authorizer.hpp"

#include <mutex>

namespace userstream::user {

void grant_table_authorizer::grant(std::string_view user_id, std::string_view org_id, std::string_view permission) {
    std::unique_lock lock(mutex_);
    grants_[std::string(user_id)][std::string(org_id)].emplace(permission);
}

void grant_table_authorizer::revoke_all(std::string_view user_id) {
    std::unique_lock lock(mutex_);
    if (const auto it = grants_.find(user_id); it != grants_.end()) grants_.erase(it);
}

bool grant_table_authorizer::has_permission(const caller& who, std::string_view permission,
                                            std::string_view org_id) const {
    std::shared_lock lock(mutex_);
    const auto user = grants_.find(who.user_id);
    if (user == grants_.end()) return false;
    for (const std::string_view org : {org_id, any_org}) {
        const auto granted = user->second.find(org);
        if (granted != user->second.end() && granted->second.count(permission) > 0) return true;
    }
    return false;
}

}  // namespace userstream::user
