// A client of gRPC server reflection for the tests, over the stubs grpc_cpp_plugin generates from the listener's
// reflection.proto files: one bidi stream (ServerReflectionInfo) on which a test sends requests and reads each
// answer, for either version. `reflection_v1` and `reflection_v1alpha` name a version's types, so a Catch2
// TEMPLATE_TEST_CASE runs the same specification against both.
#pragma once

#include <google/protobuf/descriptor.pb.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace server_test {

struct reflection_v1 {
    using service = grpc::reflection::v1::ServerReflection;
    using request = grpc::reflection::v1::ServerReflectionRequest;
    using response = grpc::reflection::v1::ServerReflectionResponse;
};

struct reflection_v1alpha {
    using service = grpc::reflection::v1alpha::ServerReflection;
    using request = grpc::reflection::v1alpha::ServerReflectionRequest;
    using response = grpc::reflection::v1alpha::ServerReflectionResponse;
};

template <class Version>
class reflection_stream {
public:
    using request = typename Version::request;
    using response = typename Version::response;

    // Opens the stream on `address` (HOST:PORT), with a deadline of 20 s for the whole stream.
    explicit reflection_stream(const std::string& address)
        : stub_(Version::service::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))) {
        context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
        stream_ = stub_->ServerReflectionInfo(&context_);
    }

    // Sends one request and reads its answer; nullopt when the stream ended instead.
    std::optional<response> ask(const request& question) {
        if (!stream_->Write(question)) return std::nullopt;
        response answer;
        if (!stream_->Read(&answer)) return std::nullopt;
        return answer;
    }

    std::optional<response> list_services() {
        request question;
        question.set_list_services("");
        return ask(question);
    }

    std::optional<response> file_containing_symbol(const std::string& symbol) {
        request question;
        question.set_file_containing_symbol(symbol);
        return ask(question);
    }

    std::optional<response> file_by_filename(const std::string& name) {
        request question;
        question.set_file_by_filename(name);
        return ask(question);
    }

    // Half-closes and waits for the stream's status, after reading any answer still on its way.
    grpc::Status finish() {
        stream_->WritesDone();
        response ignored;
        while (stream_->Read(&ignored)) {
        }
        return stream_->Finish();
    }
    // Waits for the status of a stream the server ends (no half-close).
    grpc::Status wait_for_end() {
        response ignored;
        while (stream_->Read(&ignored)) {
        }
        return stream_->Finish();
    }

private:
    std::unique_ptr<typename Version::service::Stub> stub_;
    grpc::ClientContext context_;
    std::unique_ptr<grpc::ClientReaderWriter<request, response>> stream_;
};

// The service names of a list_services answer.
template <class Response>
std::vector<std::string> service_names(const Response& answer) {
    std::vector<std::string> out;
    for (const auto& service : answer.list_services_response().service()) out.push_back(service.name());
    return out;
}

// The FileDescriptorProtos of a file_descriptor_response, parsed.
template <class Response>
std::vector<google::protobuf::FileDescriptorProto> file_descriptors(const Response& answer) {
    std::vector<google::protobuf::FileDescriptorProto> out;
    for (const auto& bytes : answer.file_descriptor_response().file_descriptor_proto()) {
        if (!out.emplace_back().ParseFromString(bytes)) throw std::runtime_error("not a FileDescriptorProto");
    }
    return out;
}

}  // namespace server_test
