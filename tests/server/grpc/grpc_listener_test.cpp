// The gRPC listener in process, with a host `call` the test controls: what a client cannot see over a socket, such as
// a call that waited for a worker past its deadline never reaching the API.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "grpc/grpc_client.hpp"
#include "grpc/reflection_client.hpp"
#include "grpc_listener.hpp"

using namespace server_test;
using namespace std::chrono_literals;

TEST_CASE("gRPC listener: a call whose deadline passed while it waited for a worker is DEADLINE_EXCEEDED and never runs",
          "[server][grpc]") {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::promise<void> first_running;
    std::atomic<int> runs{0};
    std::mutex codes_mutex;
    std::vector<int> codes;

    server::grpc_listener_config config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.worker_threads = 1;  // the first call holds the only worker
    server::grpc_handlers handlers;
    handlers.call = [&](std::string_view method, std::string_view, const userstream::api::rpc_metadata&) {
        if (runs++ == 0) {
            first_running.set_value();
            released.wait();
        }
        userstream::api::rpc_result out;
        out.response = std::string(method);
        return out;
    };
    handlers.finished = [&](const server::finished_call& done) {
        const std::lock_guard lock(codes_mutex);
        codes.push_back(done.code);
    };
    server::grpc_listener listener(config, std::move(handlers));
    grpc_client client("127.0.0.1:" + std::to_string(listener.port()));

    auto first = std::async(std::launch::async, [&] { return client.call("/a.B/First", ""); });
    first_running.get_future().wait();
    grpc_call_options soon;
    soon.deadline = std::chrono::system_clock::now() + 300ms;
    const auto second = client.call("/a.B/Second", "", soon);
    CHECK(second.status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
    // The client gives up at its own deadline and resets the stream; the server's copy of the deadline is later by
    // the transit time, and until it passes the server can only see a cancelled call (CANCELLED). Free the worker
    // once the server's deadline has passed too, as the case names.
    std::this_thread::sleep_until(*soon.deadline + 200ms);

    release.set_value();
    const auto first_reply = first.get();
    CHECK(first_reply.status.ok());
    CHECK(first_reply.response == "/a.B/First");
    REQUIRE(listener.shutdown(5s));
    CHECK(runs == 1);
    const std::lock_guard lock(codes_mutex);
    CHECK_THAT(codes, Catch::UnorderedEquals(std::vector<int>{0, 4}));
}

TEST_CASE("gRPC listener: an error answers the code, the message and the status details as given", "[server][grpc]") {
    server::grpc_listener_config config;
    config.port = 0;
    server::grpc_handlers handlers;
    handlers.call = [](std::string_view, std::string_view, const userstream::api::rpc_metadata& metadata) {
        userstream::api::rpc_result out;
        out.status.code = 7;
        out.status.message = "denied for " + metadata.authorization.value_or("-") + " in " + metadata.org_id.value_or("-");
        out.status.error_id = "AUTH-x1";
        out.status.error_message = "denied";
        return out;
    };
    server::grpc_listener listener(config, std::move(handlers));
    grpc_client client("127.0.0.1:" + std::to_string(listener.port()));
    grpc_call_options options;
    options.metadata = {{"authorization", "Bearer t"}, {"x-zitadel-orgid", "o1"}};
    const auto out = client.call("/a.B/C", "", options);
    CHECK(out.status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(out.status.error_message() == "denied for Bearer t in o1");
    CHECK_FALSE(out.status.error_details().empty());
    CHECK(listener.shutdown(5s));
}

TEST_CASE("gRPC listener: reflection lists the configured services, and shutdown ends an open reflection stream with "
          "UNAVAILABLE at once, and reflection is not reported as a finished call",
          "[server][grpc][reflection]") {
    server::grpc_listener_config config;
    config.port = 0;
    config.services = {"a.B"};
    std::atomic<int> finished{0};
    server::grpc_handlers handlers;
    handlers.call = [](std::string_view, std::string_view, const userstream::api::rpc_metadata&) {
        return userstream::api::rpc_result{};
    };
    handlers.finished = [&](const server::finished_call&) { ++finished; };
    server::grpc_listener listener(config, std::move(handlers));

    reflection_stream<reflection_v1> stream("127.0.0.1:" + std::to_string(listener.port()));
    const auto listed = stream.list_services();
    REQUIRE(listed);
    CHECK_THAT(service_names(*listed),
               Catch::UnorderedEquals(std::vector<std::string>{"a.B", "grpc.health.v1.Health",
                                                               "grpc.reflection.v1.ServerReflection",
                                                               "grpc.reflection.v1alpha.ServerReflection"}));

    const auto started = std::chrono::steady_clock::now();
    CHECK(listener.shutdown(5s));
    CHECK(std::chrono::steady_clock::now() - started < 2s);
    CHECK(stream.wait_for_end().error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK(finished == 0);
}
