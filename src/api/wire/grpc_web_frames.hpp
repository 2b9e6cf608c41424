// gRPC-Web's body: length-prefixed frames (a flag byte, a 4-byte big-endian length, the bytes). Flag 0x00 is a
// message, 0x80 the trailers ("grpc-status:0\r\n…" as HTTP/1 header lines); bit 0x01 marks a compressed message.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "userstream/api/api_handler.hpp"

namespace userstream::api::detail {

enum class frame_error { none, truncated, compressed, trailer_in_request, not_one_message };

// The one message of a unary request body. A body with no frame is an empty message (gRPC-Web clients send a frame
// even for an empty message, but an empty body means the same).
struct unary_frame {
    std::string_view message;
    frame_error error = frame_error::none;
};
unary_frame read_unary_request(std::string_view body);

std::string message_frame(std::string_view message);
// The trailer frame of a status (grpc-status, grpc-message, and grpc-status-details-bin for an error).
std::string trailer_frame(const rpc_status& status);

// gRPC's percent-encoding of grpc-message: bytes outside printable ASCII, and '%', as %XX.
std::string percent_encode(std::string_view text);

}  // namespace userstream::api::detail
