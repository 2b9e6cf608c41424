// A blocking unary gRPC client for the server tests: grpc::GenericStub over an insecure HTTP/2 channel, so requests
// are plain protobuf bytes (built with the generated classes) and no service stubs are generated.
#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace server_test {

struct grpc_reply {
    grpc::Status status;
    std::string response;  // the response message's bytes when status.ok()
};

struct grpc_call_options {
    std::vector<std::pair<std::string, std::string>> metadata;
    std::optional<std::chrono::system_clock::time_point> deadline;
};

class grpc_client {
public:
    explicit grpc_client(const std::string& address);  // HOST:PORT
    // One unary call of `method` ("/pkg.Service/Method") with `request` bytes; waits for its status.
    grpc_reply call(const std::string& method, const std::string& request, const grpc_call_options& options = {});

private:
    std::shared_ptr<grpc::Channel> channel_;
    std::unique_ptr<grpc::GenericStub> stub_;
};

// {{"authorization", "Bearer <token>"}} as call options.
grpc_call_options bearer(const std::string& token);

// HOST:PORT from the server's `userstream-server grpc listening on HOST:PORT` line among its standard output lines;
// nullopt when it printed none.
std::optional<std::string> grpc_listening_address(const std::vector<std::string>& stdout_lines);

}  // namespace server_test
