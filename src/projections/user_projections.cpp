#include "userstream/projections/user_projections.hpp"

#include "userstream/projections/errors.hpp"
#include "userstream/projections/memory_read_models.hpp"
#include "userstream/subscriptions/memory_object_details.hpp"

namespace userstream::projections {

user_projections::user_projections(const eventstore::event_store& store, subscriptions::runner_options options)
    : owned_details_(std::make_unique<subscriptions::memory_object_details>()),
      owned_phones_(std::make_unique<memory_user_phones>()),
      details_(*owned_details_),
      phones_(*owned_phones_),
      details_runner_(store, details_, options),
      phone_runner_(store, phones_, options) {}

user_projections::user_projections(const eventstore::event_store& store,
                                   subscriptions::object_details_read_model& details, user_phone_read_model& phones,
                                   subscriptions::runner_options options)
    : details_(details),
      phones_(phones),
      details_runner_(store, details_, options),
      phone_runner_(store, phones_, options) {}

// The runners go first (members are destroyed in reverse order), so no thread outlives the read models it writes.
user_projections::~user_projections() { stop(); }

void user_projections::start() {
    details_runner_.start();
    phone_runner_.start();
}

void user_projections::stop() {
    details_runner_.stop();
    phone_runner_.stop();
}

bool user_projections::wait_for(eventstore::global_position position, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!details_runner_.wait_for(position, timeout)) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return phone_runner_.wait_for(position, std::max(left, std::chrono::milliseconds(0)));
}

std::uint64_t user_projections::rebuild() { return details_runner_.rebuild() + phone_runner_.rebuild(); }

result<eventstore::object_details> user_projections::get_object_details(const eventstore::aggregate_key& aggregate,
                                                                        read_after after) {
    if (!details_runner_.wait_for(after.position, after.timeout)) return errors::projection_behind;
    return projections::get_object_details(details_, aggregate);
}

result<eventstore::object_details> user_projections::get_user_details(const std::string& instance_id,
                                                                      const std::string& user_id, read_after after) {
    if (!details_runner_.wait_for(after.position, after.timeout)) return errors::projection_behind;
    return projections::get_user_details(details_, instance_id, user_id);
}

result<human_phone> user_projections::get_human_phone(const std::string& instance_id, const std::string& user_id,
                                                      read_after after, missing_phone when_missing) {
    if (!phone_runner_.wait_for(after.position, after.timeout)) return errors::projection_behind;
    return projections::get_human_phone(phones_, instance_id, user_id, when_missing);
}

result<user_view> user_projections::get_user_by_id(const std::string& instance_id, const std::string& user_id,
                                                  read_after after) {
    if (!phone_runner_.wait_for(after.position, after.timeout)) return errors::projection_behind;
    return projections::get_user_by_id(phones_, instance_id, user_id);
}

}  // namespace userstream::projections
