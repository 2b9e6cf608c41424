// The start of a test over native gRPC: `userstream-server --dev --grpc-listen 127.0.0.1:0`, the address it printed,
// and a generic-stub client on it.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "grpc/grpc_client.hpp"
#include "support/dev_server.hpp"

namespace server_test {

struct served_over_grpc {
    static constexpr std::string_view grpc_line = "userstream-server grpc listening on ";

    dev_server http{{"--grpc-listen", "127.0.0.1:0"}};
    std::string address;
    std::unique_ptr<grpc_client> client;

    served_over_grpc() {
        const auto line = http.process().wait_for_stdout(starts_with(std::string(grpc_line)));
        if (!line) throw std::runtime_error("no gRPC listening line:\n" + http.process().stderr_text());
        address = line->substr(grpc_line.size());
        client = std::make_unique<grpc_client>(address);
    }
    grpc_call_options admin() const { return bearer(http.token()); }
};

}  // namespace server_test
