// gRPC server reflection for the gRPC listener: the answers of grpc.reflection.v1.ServerReflection and
// grpc.reflection.v1alpha.ServerReflection (same messages, two packages; clients ask v1 first, then v1alpha), so that
// grpcurl-style tools can list and describe the services a generic handler serves without registering them by name.
//
// `list_services` answers the names it is given (the API layer's services, see userstream/api/served_services.hpp)
// plus gRPC health and both reflection services. `file_by_filename` and `file_containing_symbol` (a service, a method
// or a type) answer the serialized FileDescriptorProto of the file and of every file it imports, transitively, from
// protobuf's generated pool: the ZITADEL files linked with the API layer, and this listener's own reflection and
// health files. The extension requests look up the same pool (there are no extensions in it: NOT_FOUND for
// `file_containing_extension`, an empty list for `all_extension_numbers_of_type` of a known type). Not found is an
// `error_response` with NOT_FOUND, as gRPC C++'s own reflection answers. This file knows nothing of streams; the
// listener calls it once per request message.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace server {

enum class reflection_version { v1, v1alpha };

// The reflection version whose ServerReflectionInfo method `method` ("/pkg.Service/Method") is; nullopt for any
// other method.
std::optional<reflection_version> reflection_method_version(std::string_view method);

// What list_services names: `served`, then grpc.health.v1.Health and the two reflection services.
std::vector<std::string> reflected_services(std::vector<std::string> served);

// The serialized ServerReflectionResponse to one serialized ServerReflectionRequest of `version`, with
// `services` as the list_services answer. nullopt when `request` is not a ServerReflectionRequest. Thread-safe.
std::optional<std::string> answer_reflection_request(reflection_version version, std::string_view request,
                                                     const std::vector<std::string>& services);

}  // namespace server
