#include "wire/error_bodies.hpp"

#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "google/rpc/status.pb.h"
#include "wire/protojson.hpp"
#include "wire/status_mapping.hpp"
#include "zitadel/message.pb.h"

namespace userstream::api::detail {

namespace {
zitadel::v1::ErrorDetail error_detail(const rpc_status& status) {
    zitadel::v1::ErrorDetail detail;
    detail.set_id(status.error_id);
    detail.set_message(status.error_message);
    return detail;
}

google::rpc::Status status_message(const rpc_status& status) {
    google::rpc::Status out;
    out.set_code(status.code);
    out.set_message(status.message);
    if (!status.error_id.empty()) out.add_details()->PackFrom(error_detail(status));
    return out;
}
}  // namespace

std::string rest_error_body(const rpc_status& status) {
    // protobuf's JSON mapping writes the Any as grpc-gateway does: "@type" first, then the detail's own fields.
    std::string body;
    if (!message_to_json(status_message(status), &body).ok()) {
        // Cannot happen for these messages; keep the answer well-formed anyway.
        body = nlohmann::json{{"code", status.code}, {"message", status.message}}.dump();
    }
    return body;
}

std::string connect_error_body(const rpc_status& status) {
    nlohmann::ordered_json body;
    body["code"] = connect_code_name(status.code);
    if (!status.message.empty()) body["message"] = status.message;
    if (!status.error_id.empty()) {
        body["details"] = nlohmann::ordered_json::array(
            {{{"type", "zitadel.v1.ErrorDetail"}, {"value", base64_unpadded(error_detail(status).SerializeAsString())}}});
    }
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string binary_status(const rpc_status& status) { return status_message(status).SerializeAsString(); }

std::string base64_unpadded(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(bytes.data()),
                                        static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(written));
    while (!out.empty() && out.back() == '=') out.pop_back();
    return out;
}

}  // namespace userstream::api::detail
