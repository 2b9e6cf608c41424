// gRPC-Web's wire helpers (src/api/wire), specified directly: the percent-encoding of grpc-message and the trailer
// frame. Through api_handler an error is sent trailers-only and no library message holds '%' or non-ASCII bytes, so
// these rules of the gRPC-Web protocol would otherwise go unstated.
#include <catch2/catch.hpp>

#include <string>

#include "userstream/api/api_handler.hpp"
#include "wire/error_bodies.hpp"
#include "wire/grpc_web_frames.hpp"

using namespace userstream::api;
using namespace userstream::api::detail;

TEST_CASE("gRPC-Web: grpc-message is percent-encoded: '%', control bytes and non-ASCII as %XX, the rest as it is") {
    CHECK(percent_encode("Phone not changed (COMMAND-wF94r)") == "Phone not changed (COMMAND-wF94r)");
    CHECK(percent_encode("100% sure") == "100%25 sure");
    CHECK(percent_encode("a\r\nb\x7f") == "a%0D%0Ab%7F");
    CHECK(percent_encode("Z\xC3\xBCrich") == "Z%C3%BCrich");
}

TEST_CASE("gRPC-Web: a trailer frame holds grpc-status, grpc-message and, for an error, grpc-status-details-bin") {
    const rpc_status error{9, "Phone not changed (COMMAND-wF94r)", "COMMAND-wF94r", "Phone not changed"};
    const std::string lines = "grpc-status:9\r\ngrpc-message:Phone not changed (COMMAND-wF94r)\r\n"
                              "grpc-status-details-bin:" +
                              base64_unpadded(rpc_result{error, {}}.status_details()) + "\r\n";
    const auto frame = trailer_frame(error);
    REQUIRE(frame.size() == 5 + lines.size());
    CHECK(static_cast<unsigned char>(frame[0]) == 0x80);  // the trailer flag
    // The length, big-endian.
    CHECK(frame.substr(1, 4) == std::string{'\0', '\0', '\0', static_cast<char>(lines.size())});
    CHECK(frame.substr(5) == lines);

    const auto ok = trailer_frame(rpc_status{});
    CHECK(ok.substr(5) == "grpc-status:0\r\ngrpc-message:\r\n");
}
