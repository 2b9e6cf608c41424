// gRPC-Web with binary messages: one length-prefixed message frame in, a message frame and a trailer frame out. An
// error is sent "trailers-only": HTTP 200 with grpc-status, grpc-message and grpc-status-details-bin as headers and
// an empty body, which gRPC-Web clients read as the call's status.
#include "protocols/protocols.hpp"
#include "wire/error_bodies.hpp"
#include "wire/grpc_web_frames.hpp"
#include "wire/status_mapping.hpp"

namespace userstream::api::detail {

namespace {
constexpr std::string_view content_type = "application/grpc-web+proto";

api_response error_response(const rpc_status& status) {
    api_response out{200, {{"Content-Type", std::string(content_type)}}, {}};
    out.headers.emplace_back("grpc-status", std::to_string(status.code));
    out.headers.emplace_back("grpc-message", percent_encode(status.message));
    if (!status.error_id.empty()) out.headers.emplace_back("grpc-status-details-bin", base64_unpadded(binary_status(status)));
    return out;
}

std::string_view frame_problem(frame_error error) {
    switch (error) {
        case frame_error::truncated: return "truncated gRPC-Web frame";
        case frame_error::compressed: return "compressed messages are not supported";
        case frame_error::trailer_in_request: return "unexpected trailer frame in the request";
        case frame_error::not_one_message: return "a unary request carries exactly one message";
        case frame_error::none: break;
    }
    return "";
}
}  // namespace

api_response serve_grpc_web(const pipeline& p, const api_request& request, std::string_view path) {
    if (request.method != "POST") {
        api_response out{405, {{"Allow", "POST"}}, {}};
        return out;
    }
    const method* m = find_method(path);
    if (m == nullptr) return error_response(plain_status(rpc_code::unimplemented, "unknown method"));
    if (request.body.size() > p.options().max_request_bytes + 5) {
        return error_response(plain_status(rpc_code::resource_exhausted, "request message too large"));
    }
    const auto frame = read_unary_request(request.body);
    if (frame.error == frame_error::compressed) {
        return error_response(plain_status(rpc_code::unimplemented, std::string(frame_problem(frame.error))));
    }
    if (frame.error != frame_error::none) {
        return error_response(plain_status(rpc_code::invalid_argument, std::string(frame_problem(frame.error))));
    }
    auto message = new_message(*m->request_prototype);
    if (!message->ParseFromArray(frame.message.data(), static_cast<int>(frame.message.size()))) {
        return error_response(plain_status(rpc_code::invalid_argument, "malformed protobuf request message"));
    }

    auto outcome = p.run(*m, *message, request, timeout_form::grpc);
    if (!outcome.status.ok()) return error_response(outcome.status);

    api_response out{200, {{"Content-Type", std::string(content_type)}}, {}};
    out.body = message_frame(outcome.response->SerializeAsString()) + trailer_frame(outcome.status);
    return out;
}

}  // namespace userstream::api::detail
