// JSON shapes of the scenario runner's output lines, in grpc-gateway's conventions: lowerCamelCase names, sequences
// as strings, RFC 3339 timestamps with Z.
#pragma once

#include <nlohmann/json.hpp>

#include "userstream/core/error.hpp"
#include "userstream/eventstore/object_details.hpp"
#include "userstream/user/user_service.hpp"

namespace scenario {

using json = nlohmann::ordered_json;

json details_json(const userstream::eventstore::object_details& details);
json event_json(const userstream::eventstore::stored_event& event);
json events_json(const std::vector<userstream::eventstore::stored_event>& events);
json success_json(const userstream::user::command_outcome& outcome);
json failure_json(const userstream::error& error);

}  // namespace scenario

namespace scenario {
// A readable rendering of one answer line, for the demo.
std::string pretty_text(const json& answer);
}  // namespace scenario
