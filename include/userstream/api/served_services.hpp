// userstream/api/served_services.hpp
//
// The gRPC services the API layer serves, by full name, for a host that describes them to clients: a gRPC server's
// reflection (`list_services`), which cannot learn them from a generic handler that registers no service by name.
// The list comes from the same method table that `api_handler` dispatches through, so a service is listed exactly
// when at least one of its methods is served.
//
//     for (const auto& name : userstream::api::served_services()) std::cout << name << '\n';
//     // zitadel.management.v1.ManagementService, zitadel.auth.v1.AuthService, zitadel.user.v2.UserService
//
// The protobuf descriptors of these services (and of their messages) are in protobuf's generated pool of any process
// that links the API layer, under the names listed here.
#pragma once

#include <string>
#include <vector>

namespace userstream::api {

// Full service names ("<package>.<Service>"), each once, in the order the method table first names them. Never throws
// except std::bad_alloc; thread-safe.
std::vector<std::string> served_services();

}  // namespace userstream::api
