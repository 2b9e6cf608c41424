#include "grpc_client.hpp"


#include <future>

namespace server_test {

grpc_client::grpc_client(const std::string& address)
    : channel_(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())),
      stub_(std::make_unique<grpc::GenericStub>(channel_)) {}

grpc_reply grpc_client::call(const std::string& method, const std::string& request,
                             const grpc_call_options& options) {
    grpc::ClientContext context;
    for (const auto& [key, value] : options.metadata) context.AddMetadata(key, value);
    context.set_deadline(options.deadline.value_or(std::chrono::system_clock::now() + std::chrono::seconds(20)));
    const grpc::Slice slice(request);
    const grpc::ByteBuffer request_buffer(&slice, 1);
    grpc::ByteBuffer response_buffer;
    std::promise<grpc::Status> done;
    stub_->UnaryCall(&context, method, grpc::StubOptions(), &request_buffer, &response_buffer,
                     [&done](grpc::Status status) { done.set_value(std::move(status)); });
    grpc_reply reply{done.get_future().get(), {}};
    if (reply.status.ok()) {
        std::vector<grpc::Slice> slices;
        (void)response_buffer.Dump(&slices);
        for (const auto& s : slices) reply.response.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    return reply;
}

grpc_call_options bearer(const std::string& token) { return {{{"authorization", "Bearer " + token}}, std::nullopt}; }

std::optional<std::string> grpc_listening_address(const std::vector<std::string>& stdout_lines) {
    const std::string prefix = "userstream-server grpc listening on ";
    for (const auto& line : stdout_lines) {
        if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
    }
    return std::nullopt;
}

}  // namespace server_test
