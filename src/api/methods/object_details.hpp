// The library's object details as ZITADEL's `details` messages. v1 change responses carry sequence, change date and
// resource owner (no creation date: ZITADEL's ChangeToDetailsPb); v1 reads add the creation date; v2 `Details` has
// sequence, change date and resource owner.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include "userstream/eventstore/object_details.hpp"
#include "zitadel/object.pb.h"
#include "zitadel/object/v2/object.pb.h"

namespace userstream::api::detail {

void set_timestamp(google::protobuf::Timestamp& out, timestamp t);
// v1 change responses (no creation date).
void set_details(zitadel::v1::ObjectDetails& out, const eventstore::object_details& details);
// v1 reads (with the creation date).
void set_view_details(zitadel::v1::ObjectDetails& out, const eventstore::object_details& details);
// v2.
void set_details(zitadel::object::v2::Details& out, const eventstore::object_details& details);

}  // namespace userstream::api::detail
