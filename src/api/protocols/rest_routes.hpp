// grpc-gateway's routing for the table's HTTP rules: a rule's path template matches a request path segment by segment,
// `{user_id}` matching one non-empty segment (percent-decoded). A path that some rule matches with another verb is
// "method not allowed"; a path no rule matches is "not found".
#pragma once

#include <string>
#include <string_view>

#include "methods/method_table.hpp"

namespace userstream::api::detail {

struct route_match {
    const method* found = nullptr;
    bool path_known = false;  // some rule has this path (with another verb when `found` is null)
    std::string user_id;      // the {user_id} segment, decoded
    bool bad_escape = false;  // the path holds a malformed %-escape
};

route_match match_route(std::string_view verb, std::string_view path);

}  // namespace userstream::api::detail
