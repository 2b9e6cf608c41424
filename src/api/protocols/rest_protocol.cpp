// REST as grpc-gateway serves ZITADEL: the HTTP rule picks the method, a JSON body (for `body: "*"` rules) fills the
// request with unknown fields ignored, the path's {user_id} overrides the body's, and the answer is the response in
// protobuf's JSON mapping or a google.rpc.Status JSON with grpc-gateway's HTTP status.
#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "protocols/protocols.hpp"
#include "protocols/rest_routes.hpp"
#include "wire/error_bodies.hpp"
#include "wire/protojson.hpp"
#include "wire/status_mapping.hpp"

namespace userstream::api::detail {

namespace {
api_response json_response(int status, std::string body) {
    return {status, {{"Content-Type", "application/json"}}, std::move(body)};
}

api_response error_response(int http_status, const rpc_status& status) {
    return json_response(http_status, rest_error_body(status));
}

api_response error_response(const rpc_status& status) {
    return error_response(gateway_http_status(status.code), status);
}
}  // namespace

api_response serve_rest(const pipeline& p, const api_request& request, std::string_view path) {
    const auto route = match_route(request.method, path);
    if (route.bad_escape) return error_response(400, plain_status(rpc_code::invalid_argument, "malformed path escape"));
    if (!route.found) {
        if (route.path_known) {
            auto out = error_response(405, plain_status(rpc_code::unimplemented, "Method Not Allowed"));
            return out;
        }
        return error_response(404, plain_status(rpc_code::not_found, "Not Found"));
    }
    const method& m = *route.found;

    auto message = new_message(*m.request_prototype);
    if (m.rest.has_body && !request.body.empty()) {
        if (request.body.size() > p.options().max_request_bytes) {
            return error_response(413, plain_status(rpc_code::resource_exhausted, "request body too large"));
        }
        if (const auto type = request.header("content-type"); type && media_type(*type) != "application/json") {
            return error_response(415, plain_status(rpc_code::invalid_argument, "unsupported content type"));
        }
        if (auto refused = parse_json_request(request.body, *message, "malformed JSON request body")) {
            return error_response(plain_status(rpc_code::invalid_argument, std::move(*refused)));
        }
    }
    if (const auto* field = message->GetDescriptor()->FindFieldByName("user_id");
        field != nullptr && m.rest.path.find("{user_id}") != std::string_view::npos) {
        message->GetReflection()->SetString(message.get(), field, route.user_id);
    }

    auto outcome = p.run(m, *message, request, timeout_form::grpc);
    if (!outcome.status.ok()) return error_response(outcome.status);

    std::string body;
    if (!message_to_json(*outcome.response, &body).ok()) {
        return error_response(p.internal_failure(m.full_name, "the response could not be written as JSON"));
    }
    return json_response(200, std::move(body));
}

std::optional<std::string> parse_json_request(std::string_view body, google::protobuf::Message& message,
                                              std::string_view what) {
    if (!nlohmann::json::accept(body)) return std::string(what);  // iterative: deep nesting cannot exhaust the stack
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    bool rule_broken = false;
    const auto status = json_to_message(body, &message, options, &rule_broken);
    if (status.ok()) return std::nullopt;
    if (!rule_broken) return std::string(what);
    return std::string(what) + ": " + std::string(status.message());
}

std::string media_type(std::string_view content_type) {
    const auto semicolon = content_type.find(';');
    auto type = content_type.substr(0, semicolon);
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
    std::string out(type);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

}  // namespace userstream::api::detail
