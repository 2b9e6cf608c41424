// The three protocols the handler speaks. Each finds the method, decodes the request, runs the pipeline and encodes
// the outcome in its own way; none writes any behaviour of its own into a method.
#pragma once

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

// The media type of a Content-Type value: lower case, without parameters ("application/json; charset=utf-8" ->
// "application/json").
std::string media_type(std::string_view content_type);

}  // namespace userstream::api::detail
