// Server reflection on userstream-server's gRPC listener, over a real socket with generated reflection stubs, for
// both versions a client may ask (grpc.reflection.v1 first, then v1alpha): what grpcurl-style tools need to list the
// ZITADEL services served through the generic handler and to describe their requests.
#include <catch2/catch.hpp>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor_database.h>

#include <chrono>
#include <future>

#include "grpc/reflection_client.hpp"
#include "grpc/served_over_grpc.hpp"

using namespace server_test;

namespace {

namespace pb = google::protobuf;

const std::vector<std::string> expected_services{
    "zitadel.management.v1.ManagementService", "zitadel.auth.v1.AuthService",
    "zitadel.user.v2.UserService",             "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",     "grpc.reflection.v1alpha.ServerReflection"};

// The answer's files and the messages they define, as a client's own pool built from that answer alone.
struct answered_pool {
    pb::SimpleDescriptorDatabase files;
    pb::DescriptorPool pool{&files};

    explicit answered_pool(const std::vector<pb::FileDescriptorProto>& answer) {
        for (const auto& file : answer) {
            if (!files.Add(file)) throw std::runtime_error("the answer holds " + file.name() + " twice");
        }
    }
};

const pb::MethodDescriptorProto* method_named(const pb::FileDescriptorProto& file, const std::string& service,
                                              const std::string& method) {
    for (const auto& s : file.service()) {
        if (s.name() != service) continue;
        for (const auto& m : s.method()) {
            if (m.name() == method) return &m;
        }
    }
    return nullptr;
}

}  // namespace

TEMPLATE_TEST_CASE("gRPC reflection: list_services names the three ZITADEL services, health and reflection",
                   "[server][grpc][reflection]", reflection_v1, reflection_v1alpha) {
    served_over_grpc server;
    reflection_stream<TestType> stream(server.address);
    const auto answer = stream.list_services();
    REQUIRE(answer);
    INFO(answer->DebugString());
    REQUIRE(answer->has_list_services_response());
    CHECK_THAT(service_names(*answer), Catch::UnorderedEquals(expected_services));
    CHECK(stream.finish().ok());
}

TEMPLATE_TEST_CASE("gRPC reflection: file_containing_symbol of UserService answers its file and every import, "
                   "enough to describe SetPhoneRequest",
                   "[server][grpc][reflection]", reflection_v1, reflection_v1alpha) {
    served_over_grpc server;
    reflection_stream<TestType> stream(server.address);
    const auto answer = stream.file_containing_symbol("zitadel.user.v2.UserService");
    REQUIRE(answer);
    INFO(answer->DebugString());
    REQUIRE(answer->has_file_descriptor_response());
    const auto files = file_descriptors(*answer);
    REQUIRE(!files.empty());
    CHECK(files.front().name() == "zitadel/user/v2/user_service.proto");
    const auto* set_phone = method_named(files.front(), "UserService", "SetPhone");
    REQUIRE(set_phone != nullptr);
    CHECK(set_phone->input_type() == ".zitadel.user.v2.SetPhoneRequest");
    CHECK(set_phone->output_type() == ".zitadel.user.v2.SetPhoneResponse");

    // A pool of the answer alone resolves the request, down to the message types its fields take from imports.
    answered_pool client(files);
    const auto* request = client.pool.FindMessageTypeByName("zitadel.user.v2.SetPhoneRequest");
    REQUIRE(request != nullptr);
    REQUIRE(request->FindFieldByName("user_id") != nullptr);
    CHECK(request->FindFieldByName("phone")->number() == 2);
    const auto* send_code = request->FindFieldByName("send_code");
    REQUIRE(send_code != nullptr);
    REQUIRE(send_code->message_type() != nullptr);
    CHECK(send_code->message_type()->full_name() == "zitadel.user.v2.SendPhoneVerificationCode");
    CHECK(send_code->message_type()->file()->name() != files.front().name());
    CHECK(client.pool.FindServiceByName("zitadel.user.v2.UserService")->FindMethodByName("SetPhone") != nullptr);
    CHECK(stream.finish().ok());
}

TEMPLATE_TEST_CASE("gRPC reflection: several requests on one stream each get their own answer, in order, "
                   "unknown names as NOT_FOUND",
                   "[server][grpc][reflection]", reflection_v1, reflection_v1alpha) {
    served_over_grpc server;
    reflection_stream<TestType> stream(server.address);

    const auto by_method = stream.file_containing_symbol("zitadel.user.v2.UserService.SetPhone");
    REQUIRE(by_method);
    CHECK(by_method->original_request().file_containing_symbol() == "zitadel.user.v2.UserService.SetPhone");
    REQUIRE(by_method->has_file_descriptor_response());
    CHECK(file_descriptors(*by_method).front().name() == "zitadel/user/v2/user_service.proto");

    const auto by_message = stream.file_containing_symbol("zitadel.user.v2.SetPhoneRequest");
    REQUIRE(by_message);
    REQUIRE(by_message->has_file_descriptor_response());
    CHECK(file_descriptors(*by_message).front().name() == "zitadel/user/v2/user_service.proto");

    const auto v1_service = stream.file_containing_symbol("zitadel.management.v1.ManagementService");
    REQUIRE(v1_service);
    REQUIRE(v1_service->has_file_descriptor_response());
    CHECK(method_named(file_descriptors(*v1_service).front(), "ManagementService", "UpdateHumanPhone") != nullptr);

    const auto by_file = stream.file_by_filename("zitadel/auth.proto");
    REQUIRE(by_file);
    REQUIRE(by_file->has_file_descriptor_response());
    CHECK(file_descriptors(*by_file).front().name() == "zitadel/auth.proto");

    const auto unknown_symbol = stream.file_containing_symbol("zitadel.user.v2.NoSuchThing");
    REQUIRE(unknown_symbol);
    CHECK(unknown_symbol->original_request().file_containing_symbol() == "zitadel.user.v2.NoSuchThing");
    REQUIRE(unknown_symbol->has_error_response());
    CHECK(unknown_symbol->error_response().error_code() == static_cast<int>(grpc::StatusCode::NOT_FOUND));

    const auto unknown_file = stream.file_by_filename("zitadel/no_such.proto");
    REQUIRE(unknown_file);
    REQUIRE(unknown_file->has_error_response());
    CHECK(unknown_file->error_response().error_code() == static_cast<int>(grpc::StatusCode::NOT_FOUND));

    typename TestType::request extension;
    extension.mutable_file_containing_extension()->set_containing_type("zitadel.user.v2.SetPhoneRequest");
    extension.mutable_file_containing_extension()->set_extension_number(1000);
    const auto no_extension = stream.ask(extension);
    REQUIRE(no_extension);
    REQUIRE(no_extension->has_error_response());
    CHECK(no_extension->error_response().error_code() == static_cast<int>(grpc::StatusCode::NOT_FOUND));

    const auto listed = stream.list_services();
    REQUIRE(listed);
    CHECK_THAT(service_names(*listed), Catch::UnorderedEquals(expected_services));
    CHECK(stream.finish().ok());
}

TEMPLATE_TEST_CASE("gRPC reflection: the health and reflection services are described too",
                   "[server][grpc][reflection]", reflection_v1, reflection_v1alpha) {
    served_over_grpc server;
    reflection_stream<TestType> stream(server.address);
    for (const std::string symbol : {"grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                                     "grpc.reflection.v1alpha.ServerReflection"}) {
        INFO(symbol);
        const auto answer = stream.file_containing_symbol(symbol);
        REQUIRE(answer);
        REQUIRE(answer->has_file_descriptor_response());
        answered_pool client(file_descriptors(*answer));
        CHECK(client.pool.FindServiceByName(symbol) != nullptr);
    }
    CHECK(stream.finish().ok());
}

TEST_CASE("gRPC reflection: SIGTERM with a reflection stream open ends it with UNAVAILABLE and exits 0 without "
          "waiting for the shutdown bound",
          "[server][grpc][reflection]") {
    served_over_grpc server;
    auto stream = std::make_unique<reflection_stream<reflection_v1alpha>>(server.address);
    REQUIRE(stream->list_services());
    // The client waits on the open stream, as a tool does between requests, and closes its connection once the stream
    // ended. (A blocking stub reads from its connection only while a thread waits on a call: an idle one would answer
    // the server's closing handshake only when gRPC's backup poller comes by, every 5 s.)
    auto ended = std::async(std::launch::async, [&stream] {
        const auto status = stream->wait_for_end();
        stream.reset();
        return status;
    });
    const auto started = std::chrono::steady_clock::now();
    CHECK(server.http.stop() == 0);
    // The bound is 10 s; ending the stream is immediate, the rest of the shutdown takes well under a second.
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(4));
    CHECK(ended.get().error_code() == grpc::StatusCode::UNAVAILABLE);
}
