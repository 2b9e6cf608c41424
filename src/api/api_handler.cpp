// The handler: picks the protocol from path and content type, and gives `call` the same pipeline on binary protobuf.
#include "userstream/api/api_handler.hpp"

#include <mutex>

#include <google/protobuf/stubs/logging.h>

#include "pipeline.hpp"
#include "protocols/protocols.hpp"
#include "wire/error_bodies.hpp"
#include "wire/status_mapping.hpp"

namespace userstream::api {

struct api_handler::impl {
    impl(user::user_service& users, projections::user_projections& read_side, const authenticator& auth,
         const user::authorizer& permissions, api_options opts)
        : options(std::move(opts)), services{users, read_side, permissions, options}, run(services, auth) {}

    api_options options;
    detail::api_services services;
    detail::pipeline run;
};

namespace {
// "/<package>.<Service>/<Method>": two segments, the first qualified by a package.
bool is_rpc_path(std::string_view path) {
    if (!path.starts_with('/')) return false;
    const auto slash = path.find('/', 1);
    if (slash == std::string_view::npos || path.find('/', slash + 1) != std::string_view::npos) return false;
    const auto service = path.substr(1, slash - 1);
    return service.find('.') != std::string_view::npos && slash + 1 < path.size();
}

api_response unsupported_media_type() {
    return {415, {{"Accept-Post", "application/json, application/proto, application/grpc-web+proto"}}, {}};
}
}  // namespace

api_handler::api_handler(user::user_service& users, projections::user_projections& read_side,
                         const authenticator& auth, const user::authorizer& permissions, api_options options)
    : impl_(std::make_unique<impl>(users, read_side, auth, permissions, std::move(options))) {
    // protobuf logs a line on standard error for every binary message with a string field that is not UTF-8, which
    // any client can send: a host's log would be flooded at the client's will. The request is refused with
    // InvalidArgument anyway, so protobuf's own log is switched off, once, for the process.
    static std::once_flag silenced;
    std::call_once(silenced, [] { google::protobuf::SetLogHandler(nullptr); });
}

api_handler::~api_handler() = default;

api_response api_handler::handle(const api_request& request) const {
    try {
        const std::string_view target = request.target;
        const auto path = target.substr(0, target.find('?'));
        if (!is_rpc_path(path)) return detail::serve_rest(impl_->run, request, path);

        const auto type = detail::media_type(request.header("content-type").value_or(""));
        if (type == "application/grpc-web" || type == "application/grpc-web+proto") {
            return detail::serve_grpc_web(impl_->run, request, path);
        }
        if (type == "application/json" || type == "application/proto") {
            return detail::serve_connect(impl_->run, request, path);
        }
        // Connect's GET form sends no content type: there the method is what is wrong (405), or the path (404).
        if (request.method != "POST") return detail::serve_connect(impl_->run, request, path);
        return unsupported_media_type();
    } catch (const std::exception& e) {
        const auto status = impl_->run.internal_failure("handle", e.what());
        return {500, {{"Content-Type", "application/json"}}, detail::rest_error_body(status)};
    }
}

rpc_result api_handler::call(std::string_view method_name, std::string_view request,
                             const rpc_metadata& metadata) const {
    rpc_result out;
    try {
        const detail::method* m = detail::find_method(method_name);
        if (m == nullptr) {
            out.status = detail::plain_status(detail::rpc_code::unimplemented, "unknown method");
            return out;
        }
        if (request.size() > impl_->options.max_request_bytes) {
            out.status = detail::plain_status(detail::rpc_code::resource_exhausted, "request message too large");
            return out;
        }
        auto message = detail::new_message(*m->request_prototype);
        if (!message->ParseFromArray(request.data(), static_cast<int>(request.size()))) {
            out.status = detail::plain_status(detail::rpc_code::invalid_argument, "malformed protobuf request message");
            return out;
        }
        std::optional<std::string_view> authorization;
        if (metadata.authorization) authorization = *metadata.authorization;
        auto outcome = impl_->run.run(*m, *message, authorization, metadata.org_id, metadata.deadline);
        out.status = std::move(outcome.status);
        if (out.status.ok()) out.response = outcome.response->SerializeAsString();
    } catch (const std::exception& e) {
        out.status = impl_->run.internal_failure("call", e.what());
        out.response.clear();
    }
    return out;
}

std::vector<std::string> api_handler::methods() const {
    std::vector<std::string> out;
    for (const auto& m : detail::all_methods()) out.push_back("/" + std::string(m.full_name));
    return out;
}

std::string rpc_result::status_details() const { return status.ok() ? std::string() : detail::binary_status(status); }

}  // namespace userstream::api
