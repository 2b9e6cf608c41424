// The API layer's `api_handler::handle()` (userstream/api/api_handler.hpp) on any body of any method over REST JSON,
// Connect JSON, Connect binary and gRPC-Web, with a valid, a self-service, a read-only or no token (api_world.hpp
// lays out the input). Property: no answer is a server error, neither an HTTP 5xx nor, in gRPC-Web, a grpc-status of
// Unknown, DeadlineExceeded, Internal, Unavailable or DataLoss: whatever a client sends is the client's error.
// The host is made anew every few thousand inputs, so the store stays small however long the run.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "api_world.hpp"
#include "fuzz_check.hpp"

using namespace userstream;

namespace {

constexpr int inputs_per_world = 4096;

bool server_error_code(int code) { return code == 2 || code == 4 || code == 13 || code == 14 || code == 15; }

// The grpc-status of a gRPC-Web answer: a trailers-only header, or the trailer frame (flag 0x80) of the body.
int grpc_status(const api::api_response& out) {
    if (const auto header = out.header("grpc-status")) return std::atoi(std::string(*header).c_str());
    const std::string_view body = out.body;
    for (std::size_t at = 0; at + 5 <= body.size();) {
        const auto flag = static_cast<std::uint8_t>(body[at]);
        std::size_t length = 0;
        for (int i = 1; i <= 4; ++i) length = length << 8 | static_cast<std::uint8_t>(body[at + i]);
        const auto frame = body.substr(at + 5, length);
        if (flag & 0x80) {
            const auto key = frame.find("grpc-status:");
            if (key != std::string_view::npos) return std::atoi(std::string(frame.substr(key + 12, 4)).c_str());
        }
        at += 5 + length;
    }
    return -1;  // none: a malformed answer, which the property below reports
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::unique_ptr<fuzz::api_world> world;
    static int served = 0;
    if (!world || ++served % inputs_per_world == 0) {
        world.reset();
        world = std::make_unique<fuzz::api_world>();
    }
    const auto request = fuzz::request_of(data, size);
    const auto out = world->handle(request);
    const auto report = [&] {
        return request.method + " " + request.target + " answered " + std::to_string(out.status) + ": " + out.body +
               " (log: " + world->last_log() + ")";
    };
    // For checking a corpus: which answer each input gets (USERSTREAM_FUZZ_VERBOSE=1 fuzz_replay_api_handle DIR).
    static const bool verbose = std::getenv("USERSTREAM_FUZZ_VERBOSE") != nullptr;
    if (verbose) std::fprintf(stderr, "%s %s -> %d %.200s\n", request.method.c_str(), request.target.c_str(), out.status,
                              out.body.c_str());
    fuzz::check(out.status < 500, "a server error for client input: " + report());
    const auto content_type = request.header("Content-Type");
    if (content_type && content_type->starts_with("application/grpc-web") && out.status == 200) {
        const int code = grpc_status(out);
        fuzz::check(code >= 0, "a gRPC-Web answer without grpc-status: " + report());
        fuzz::check(!server_error_code(code), "a gRPC-Web server error for client input: " + report());
    }
    return 0;
}
