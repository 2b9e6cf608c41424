// The native gRPC side of userstream-server (HTTP/2, gRPC C++ from Debian's libgrpc++-dev): one generic callback
// service takes every method, reads the single request message and hands the method name, the message bytes and the
// `authorization` and `x-zitadel-orgid` metadata to the host's `call` (api_handler::call), so no method is mapped
// twice. The answer goes back as the response message, or as a status with the code, the message and the binary
// google.rpc.Status (grpc++ sends it as `grpc-status-details-bin`).
//
// Threads. gRPC's own threads only read and write, and answer reflection (a lookup in memory); `call` runs on a pool
// of worker threads of the listener, because commands block on the store's commit. A call whose deadline has passed
// when a worker picks it up is answered DEADLINE_EXCEEDED without running. A request message over
// `max_message_bytes` is refused by gRPC itself with RESOURCE_EXHAUSTED.
//
// Operations. grpc.health.v1.Health answers NOT_SERVING until set_serving(true). Server reflection
// (grpc.reflection.v1.ServerReflection and v1alpha, grpc_reflection.hpp) is answered by the listener itself, since
// the generic service registers no service names: it lists `services` (the API layer's) with health and reflection,
// and describes any symbol of protobuf's generated pool. Reflection and health calls are not reported to `finished`.
// Shutdown ends open reflection streams (UNAVAILABLE) instead of waiting for their clients.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "userstream/api/api_handler.hpp"
#include "userstream/api/served_services.hpp"

namespace server {

struct grpc_listener_config {
    std::string host = "127.0.0.1";
    unsigned short port = 9090;  // 0: any free port (see port())
    std::size_t worker_threads = 4;
    std::size_t max_message_bytes = 64 * 1024;  // as the HTTP side's body limit
    // The services reflection lists besides health and reflection: what the API layer serves.
    std::vector<std::string> services = userstream::api::served_services();
};

// One finished call, for the access log and metrics. `method` is the raw "/pkg.Service/Method" the client sent.
struct finished_call {
    std::string_view method;
    int code = 0;  // the gRPC status code answered
    double seconds = 0;
};

struct grpc_handlers {
    // On a worker thread. An exception becomes INTERNAL without detail.
    std::function<userstream::api::rpc_result(std::string_view method, std::string_view request,
                                              const userstream::api::rpc_metadata& metadata)>
        call;
    // Once per call when it is done, on a gRPC thread. Must not block or throw. May be null.
    std::function<void(const finished_call&)> finished;
};

class grpc_listener {
public:
    // Binds and starts serving (health says NOT_SERVING until set_serving). Throws std::runtime_error naming the
    // address when it cannot listen there.
    grpc_listener(grpc_listener_config config, grpc_handlers handlers);
    // Shuts down (with no time for calls in flight) if shutdown() was not called.
    ~grpc_listener();
    grpc_listener(const grpc_listener&) = delete;
    grpc_listener& operator=(const grpc_listener&) = delete;

    unsigned short port() const noexcept;  // the bound port (the chosen one when the config said 0)
    std::string host() const;              // HOST:PORT as bound, IPv6 in brackets

    void set_serving(bool serving);

    // Stops taking calls, ends open reflection streams, and lets the calls in flight finish, for at most `bound`
    // (then gRPC cancels them). Returns true when every call is done and the workers are joined; false when a worker
    // still runs a call after the bound (the caller must not destroy what `call` uses, and should end the process).
    bool shutdown(std::chrono::milliseconds bound);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// The canonical name of a gRPC status code ("OK", "NOT_FOUND", ...), "UNKNOWN" for codes outside 0..16.
std::string_view grpc_code_name(int code);

}  // namespace server
