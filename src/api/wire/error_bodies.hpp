// The bytes of an error in each protocol: grpc-gateway's google.rpc.Status JSON, Connect's JSON error, and the
// binary google.rpc.Status of gRPC's `grpc-status-details-bin`. All carry the zitadel.v1.ErrorDetail when the status
// has an id, as ZITADEL's error interceptors attach it.
#pragma once

#include <string>
#include <string_view>

#include "userstream/api/api_handler.hpp"

namespace userstream::api::detail {

// {"code":9,"message":"…","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"…","message":"…"}]}
std::string rest_error_body(const rpc_status& status);
// {"code":"failed_precondition","message":"…","details":[{"type":"zitadel.v1.ErrorDetail","value":"<base64>"}]}
std::string connect_error_body(const rpc_status& status);
// The binary google.rpc.Status.
std::string binary_status(const rpc_status& status);

// Standard base64 without padding, as Connect and gRPC's binary headers send it.
std::string base64_unpadded(std::string_view bytes);

}  // namespace userstream::api::detail
