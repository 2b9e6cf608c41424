// JSON shapes of the scenario runner's output lines, in grpc-gateway's conventions: lowerCamelCase names, sequences
// as strings, RFC 3339 timestamps with Z.
#pragma once

#include <nlohmann/json.hpp>

#include "userstream/core/error.hpp"
#include "userstream/eventstore/object_details.hpp"
#include "userstream/user/user_service.hpp"

namespace scenario {

// Answers keep their fields in insertion order, which is part of the wire format.
using json = nlohmann::ordered_json;
// Operations are read into the sorted type: ordered_json finds a key by a linear search, so parsing a line with n
// keys would cost n^2 (200,000 keys took 48 s); a sorted map costs n log n, and the runner never needs input order.
using input = nlohmann::json;

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
