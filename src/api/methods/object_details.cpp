#include "methods/object_details.hpp"

namespace userstream::api::detail {

void set_timestamp(google::protobuf::Timestamp& out, timestamp t) {
    const auto micros = t.time_since_epoch().count();
    auto seconds = micros / 1'000'000;
    auto rest = micros % 1'000'000;
    if (rest < 0) {  // Timestamp's nanos are never negative
        rest += 1'000'000;
        --seconds;
    }
    out.set_seconds(seconds);
    out.set_nanos(static_cast<std::int32_t>(rest * 1000));
}

void set_details(zitadel::v1::ObjectDetails& out, const eventstore::object_details& details) {
    out.set_sequence(details.sequence.value);
    set_timestamp(*out.mutable_change_date(), details.change_date);
    out.set_resource_owner(details.resource_owner);
}

void set_view_details(zitadel::v1::ObjectDetails& out, const eventstore::object_details& details) {
    set_details(out, details);
    set_timestamp(*out.mutable_creation_date(), details.creation_date);
}

void set_details(zitadel::object::v2::Details& out, const eventstore::object_details& details) {
    out.set_sequence(details.sequence.value);
    set_timestamp(*out.mutable_change_date(), details.change_date);
    out.set_resource_owner(details.resource_owner);
}

}  // namespace userstream::api::detail
