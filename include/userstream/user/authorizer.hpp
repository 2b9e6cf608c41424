// userstream/user/authorizer.hpp
//
// Who is calling, and what they may do. The library never decides memberships itself: the host implements
// `authorizer` on top of its own role model and passes it to `user_service`. `grant_table_authorizer` is a simple
// in-memory implementation for tests, examples and small hosts.
#pragma once

#include <map>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace userstream::user {

namespace permissions {
inline constexpr std::string_view user_write = "user.write";
// Seeing users without changing them. Matters only under `user_service_config::hide_foreign_users`, where a caller
// with neither permission on a user's organisation is told the user does not exist.
inline constexpr std::string_view user_read = "user.read";
}

// The authenticated caller of a command: their user id and the organisation they belong to.
struct caller {
    std::string user_id;
    std::string org_id;
};

class authorizer {
public:
    virtual ~authorizer() = default;
    // Whether `who` holds `permission` on organisation `org_id`. Must be thread-safe.
    virtual bool has_permission(const caller& who, std::string_view permission, std::string_view org_id) const = 0;
};

// Grants per user id: (org id or "*" for every org) -> permissions. Thread-safe.
class grant_table_authorizer final : public authorizer {
public:
    static constexpr std::string_view any_org = "*";

    void grant(std::string_view user_id, std::string_view org_id, std::string_view permission);
    void revoke_all(std::string_view user_id);
    bool has_permission(const caller& who, std::string_view permission, std::string_view org_id) const override;

private:
    mutable std::shared_mutex mutex_;
    std::map<std::string, std::map<std::string, std::set<std::string, std::less<>>, std::less<>>, std::less<>> grants_;
};

}  // namespace userstream::user
