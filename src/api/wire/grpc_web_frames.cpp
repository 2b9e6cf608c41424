#include "wire/grpc_web_frames.hpp"

#include <cstdint>

#include <fmt/format.h>

#include "wire/error_bodies.hpp"

namespace userstream::api::detail {

namespace {
constexpr unsigned char compressed_flag = 0x01;
constexpr unsigned char trailer_flag = 0x80;
constexpr std::size_t prefix_size = 5;

std::string frame(unsigned char flag, std::string_view bytes) {
    std::string out;
    out.reserve(prefix_size + bytes.size());
    const auto size = static_cast<std::uint32_t>(bytes.size());
    out.push_back(static_cast<char>(flag));
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xFFu));
    out.append(bytes);
    return out;
}
}  // namespace

unary_frame read_unary_request(std::string_view body) {
    if (body.empty()) return {};
    if (body.size() < prefix_size) return {{}, frame_error::truncated};
    const auto flag = static_cast<unsigned char>(body[0]);
    std::uint32_t size = 0;
    for (std::size_t i = 1; i < prefix_size; ++i) size = (size << 8) | static_cast<unsigned char>(body[i]);
    if (body.size() - prefix_size < size) return {{}, frame_error::truncated};
    if (flag & trailer_flag) return {{}, frame_error::trailer_in_request};
    if (flag & compressed_flag) return {{}, frame_error::compressed};
    if (body.size() - prefix_size != size) return {{}, frame_error::not_one_message};
    return {body.substr(prefix_size, size), frame_error::none};
}

std::string message_frame(std::string_view message) { return frame(0x00, message); }

std::string trailer_frame(const rpc_status& status) {
    std::string lines = fmt::format("grpc-status:{}\r\ngrpc-message:{}\r\n", status.code, percent_encode(status.message));
    if (!status.ok()) lines += "grpc-status-details-bin:" + base64_unpadded(binary_status(status)) + "\r\n";
    return frame(trailer_flag, lines);
}

std::string percent_encode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte > 0x7E || byte == '%') {
            out += fmt::format("%{:02X}", byte);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace userstream::api::detail
