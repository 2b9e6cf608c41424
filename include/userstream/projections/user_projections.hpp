// userstream/projections/user_projections.hpp
//
// The user read side in one object for a host: the object-details and user-phone read models, a runner for each, and
// the queries with read-your-writes. A command's outcome carries the global position of its push; pass it to a query
// and the query first waits (up to a timeout) until the projection has applied that push. Reads that pass no position
// never wait, so only the caller who just wrote pays for consistency.
//
//     user_projections read_side(store);                       // in-memory read models
//     read_side.start();
//     auto out = users.set_phone(who, {"u1", "+41 71 000 00 00", mark_verified{}});
//     auto phone = read_side.get_human_phone("default", "u1", {out->position});
//     // phone->phone == "+41710000000", phone->is_verified == true
//
// For durable read models, construct the SQLite or PostgreSQL ones (sqlite_read_models.hpp, postgres_read_models.hpp)
// and pass them in. The runners and the object-details read model are the generic ones of userstream::subscriptions.
// Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "userstream/core/result.hpp"
#include "userstream/projections/user_queries.hpp"
#include "userstream/subscriptions/projection_runner.hpp"

namespace userstream::projections {

// Read-your-writes: wait until the projection has applied `position` (0 = do not wait), for at most `timeout`.
// When the wait times out the query answers US-QUERY-behind (retryable) rather than stale data.
struct read_after {
    eventstore::global_position position{};
    std::chrono::milliseconds timeout{5'000};
};

class user_projections {
public:
    // With in-memory read models.
    explicit user_projections(const eventstore::event_store& store, subscriptions::runner_options options = {});
    // With read models the host owns (they must outlive this object).
    user_projections(const eventstore::event_store& store, subscriptions::object_details_read_model& details,
                     user_phone_read_model& phones, subscriptions::runner_options options = {});
    ~user_projections();

    void start();  // both runners' background threads
    void stop();
    // Both read models reached `position` within `timeout`.
    bool wait_for(eventstore::global_position position, std::chrono::milliseconds timeout);
    // Rebuilds both read models from the log (see projection_runner::rebuild). Returns the events applied.
    std::uint64_t rebuild();

    result<eventstore::object_details> get_object_details(const eventstore::aggregate_key& aggregate,
                                                          read_after after = {});
    result<eventstore::object_details> get_user_details(const std::string& instance_id, const std::string& user_id,
                                                        read_after after = {});
    result<human_phone> get_human_phone(const std::string& instance_id, const std::string& user_id,
                                        read_after after = {}, missing_phone when_missing = missing_phone::not_found);
    // v2 GetUserByID from the user-phone read model (user_queries.hpp).
    result<user_view> get_user_by_id(const std::string& instance_id, const std::string& user_id,
                                     read_after after = {});

    subscriptions::projection_runner& details_runner() noexcept { return details_runner_; }
    subscriptions::projection_runner& phone_runner() noexcept { return phone_runner_; }
    const subscriptions::object_details_read_model& details() const noexcept { return details_; }
    const user_phone_read_model& phones() const noexcept { return phones_; }

private:
    std::unique_ptr<subscriptions::object_details_read_model> owned_details_;
    std::unique_ptr<user_phone_read_model> owned_phones_;
    subscriptions::object_details_read_model& details_;
    user_phone_read_model& phones_;
    subscriptions::projection_runner details_runner_;
    subscriptions::projection_runner phone_runner_;
};

}  // namespace userstream::projections
