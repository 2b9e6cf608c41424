// The three protocols the handler speaks. Each finds the method, decodes the request, runs the pipeline and encodes
// the outcome in its own way; none writes any behaviour of its own into a method.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pipeline.hpp"
#include "userstream/api/api_message.hpp"

namespace userstream::api::detail {

// grpc-gateway REST: `path` is the target without its query.
api_response serve_rest(const pipeline& p, const api_request& request, std::string_view path);
// Connect unary: `path` is "/<package>.<Service>/<Method>"; the content type is application/json or application/proto.
api_response serve_connect(const pipeline& p, const api_request& request, std::string_view path);
// gRPC-Web (binary): `path` as for Connect.
api_response serve_grpc_web(const pipeline& p, const api_request& request, std::string_view path);

// Fills `message` from a JSON request body as grpc-gateway and connect-go do (Go's protojson): unknown fields are
// ignored, and the body must be JSON by RFC 8259. protobuf's C++ parser alone also takes trailing commas, unquoted
// keys, single quotes and raw control characters, which ZITADEL refuses. Nullopt when `message` was filled; otherwise
// the InvalidArgument message `what` ("malformed JSON request body") gets: with the rule of Go's protojson the body
// breaks, which names the field (`...: duplicate field "phone"`), or `what` alone when the body is no JSON or
// protobuf's parser refused it (its messages can quote the body: a code, a number).
std::optional<std::string> parse_json_request(std::string_view body, google::protobuf::Message& message,
                                              std::string_view what);

// The media type of a Content-Type value: lower case, without parameters ("application/json; charset=utf-8" ->
// "application/json").
std::string media_type(std::string_view content_type);

}  // namespace userstream::api::detail
