// Connect unary, as the Connect protocol specification defines it for POST: the path names the method, the content
// type names the codec (application/proto or application/json), the answer uses the same codec, and an error is a
// JSON object with the Connect code name, the message and the ErrorDetail, under the specification's HTTP status.
// Compressed requests (Content-Encoding other than identity) are answered `unimplemented`; GET requests are not served.
#include <google/protobuf/util/json_util.h>

#include "protocols/protocols.hpp"
#include "wire/error_bodies.hpp"
#include "wire/protojson.hpp"
#include "wire/status_mapping.hpp"

namespace userstream::api::detail {

namespace {
api_response error_response(int http_status, const rpc_status& status) {
    return {http_status, {{"Content-Type", "application/json"}}, connect_error_body(status)};
}
api_response error_response(const rpc_status& status) {
    return error_response(connect_http_status(status.code), status);
}
}  // namespace

api_response serve_connect(const pipeline& p, const api_request& request, std::string_view path) {
    const method* m = find_method(path);
    if (m == nullptr) return error_response(404, plain_status(rpc_code::unimplemented, "unknown method"));
    if (request.method != "POST") {
        auto out = error_response(405, plain_status(rpc_code::unimplemented, "only POST is served"));
        out.headers.emplace_back("Allow", "POST");
        return out;
    }
    const std::string type = media_type(request.header("content-type").value_or(""));
    const bool json = type == "application/json";
    if (const auto encoding = request.header("content-encoding"); encoding && *encoding != "identity") {
        return error_response(plain_status(rpc_code::unimplemented, "request compression is not supported"));
    }
    if (request.body.size() > p.options().max_request_bytes) {
        return error_response(plain_status(rpc_code::resource_exhausted, "request message too large"));
    }

    auto message = new_message(*m->request_prototype);
    if (json) {
        if (!request.body.empty()) {
            if (auto refused = parse_json_request(request.body, *message, "malformed JSON request message")) {
                return error_response(plain_status(rpc_code::invalid_argument, std::move(*refused)));
            }
        }
    } else if (!message->ParseFromString(request.body)) {
        return error_response(plain_status(rpc_code::invalid_argument, "malformed protobuf request message"));
    }

    auto outcome = p.run(*m, *message, request, timeout_form::connect);
    if (!outcome.status.ok()) return error_response(outcome.status);

    std::string body;
    if (json) {
        if (!message_to_json(*outcome.response, &body).ok()) {
            return error_response(p.internal_failure(m->full_name, "the response could not be written as JSON"));
        }
    } else {
        body = outcome.response->SerializeAsString();
    }
    return {200, {{"Content-Type", json ? "application/json" : "application/proto"}}, std::move(body)};
}

}  // namespace userstream::api::detail
