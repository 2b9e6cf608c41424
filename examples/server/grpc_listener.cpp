#include "grpc_listener.hpp"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "grpc_reflection.hpp"

namespace server {

namespace api = userstream::api;

std::string_view grpc_code_name(int code) {
    static constexpr std::array<std::string_view, 17> names{
        "OK",           "CANCELLED",        "UNKNOWN",        "INVALID_ARGUMENT",  "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL",         "UNAVAILABLE",    "DATA_LOSS",         "UNAUTHENTICATED"};
    if (code < 0 || code >= static_cast<int>(names.size())) return "UNKNOWN";
    return names[static_cast<std::size_t>(code)];
}

namespace {

class reflection_reactor;

// What every call's reactor shares: the handlers, the workers, what reflection lists, and (under `mutex`) the count
// of calls not yet done and the open reflection streams, which shutdown ends itself.
struct listener_state {
    grpc_handlers handlers;
    boost::asio::thread_pool workers;
    std::vector<std::string> reflected;
    std::mutex mutex;
    std::condition_variable all_done;
    std::size_t open_calls = 0;
    bool stopping = false;
    std::unordered_set<reflection_reactor*> reflection_streams;

    listener_state(grpc_handlers h, std::size_t threads, std::vector<std::string> services)
        : handlers(std::move(h)), workers(threads), reflected(reflected_services(std::move(services))) {}

    void opened() {
        const std::lock_guard lock(mutex);
        ++open_calls;
    }
    void closed() {
        const std::lock_guard lock(mutex);
        if (--open_calls == 0) all_done.notify_all();
    }
};

// gRPC's deadline (system clock; the far future when the client set none) on the steady clock the API layer keeps
// its deadlines on, so a read waits for the read models no longer than the client waits for the answer.
std::optional<std::chrono::steady_clock::time_point> steady_deadline(std::chrono::system_clock::time_point deadline) {
    const auto left = deadline - std::chrono::system_clock::now();
    if (left > std::chrono::hours(24 * 365)) return std::nullopt;
    return std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(left);
}

std::optional<std::string> metadata_value(const grpc::ServerContextBase& context, std::string_view key) {
    const auto& all = context.client_metadata();
    const auto found = all.find(grpc::string_ref(key.data(), key.size()));
    if (found == all.end()) return std::nullopt;
    return std::string(found->second.data(), found->second.size());
}

// A received message's bytes in one string; nullopt when gRPC cannot give them.
std::optional<std::string> bytes_of(const grpc::ByteBuffer& buffer) {
    std::vector<grpc::Slice> slices;
    if (!buffer.Dump(&slices).ok()) return std::nullopt;
    std::string out;
    out.reserve(buffer.Length());
    for (const auto& slice : slices) out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    return out;
}

// One unary call as a bidi reactor (the generic callback API has no other kind): read one message, run it on a
// worker, write the answer and the status together. Nothing touches the reactor after Finish, since OnDone (which
// deletes it) may run at once on another thread.
class call_reactor final : public grpc::ServerGenericBidiReactor {
public:
    call_reactor(grpc::GenericCallbackServerContext* context, listener_state& state)
        : context_(context), state_(state), started_(std::chrono::steady_clock::now()) {
        state_.opened();
        StartRead(&request_);
    }

    void OnReadDone(bool ok) override {
        if (!ok) {
            // No message: the client half-closed without one, or gRPC refused it (over the size limit: the client
            // then sees gRPC's own RESOURCE_EXHAUSTED), or the call was cancelled.
            finish(grpc::Status(grpc::StatusCode::INTERNAL, "the call carried no request message"));
            return;
        }
        boost::asio::post(state_.workers, [this] { run(); });
    }

    void OnDone() override {
        if (state_.handlers.finished) {
            const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started_;
            state_.handlers.finished({context_->method(), code_, took.count()});
        }
        auto& state = state_;
        delete this;
        state.closed();
    }

private:
    void run() {
        if (std::chrono::system_clock::now() >= context_->deadline()) {
            finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline exceeded before the call ran"));
            return;
        }
        if (context_->IsCancelled()) {
            finish(grpc::Status(grpc::StatusCode::CANCELLED, "the call was cancelled before it ran"));
            return;
        }
        api::rpc_result result;
        try {
            const auto bytes = bytes_of(request_);
            if (!bytes) throw std::runtime_error("unreadable request buffer");
            const api::rpc_metadata metadata{metadata_value(*context_, "authorization"),
                                             metadata_value(*context_, "x-zitadel-orgid"),
                                             steady_deadline(context_->deadline())};
            result = state_.handlers.call(context_->method(), *bytes, metadata);
        } catch (...) {
            finish(grpc::Status(grpc::StatusCode::INTERNAL, "internal error"));
            return;
        }
        if (!result.status.ok()) {
            finish(grpc::Status(static_cast<grpc::StatusCode>(result.status.code), result.status.message,
                                result.status_details()));
            return;
        }
        const grpc::Slice slice(result.response);
        response_ = grpc::ByteBuffer(&slice, 1);
        code_ = 0;
        StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    }

    void finish(const grpc::Status& status) {
        code_ = static_cast<int>(status.error_code());
        Finish(status);
    }

    grpc::GenericCallbackServerContext* context_;
    listener_state& state_;
    std::chrono::steady_clock::time_point started_;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
    int code_ = 0;
};

// A reflection stream (grpc.reflection.v1 or v1alpha ServerReflectionInfo): one answer per request message, until
// the client half-closes. The answers are in-memory descriptor lookups, so they run on gRPC's thread, not on a worker.
// Reads and writes alternate, so at most one is outstanding. The stream stays open between requests: shutdown ends it
// (stop) rather than waiting for the client, and a stream that starts once shutdown began ends at once. It is not
// reported to `finished` (neither metrics nor access log), as the health service's calls are not.
//
// Locks: `mutex_` guards this stream's flags; listener_state::mutex may be held while taking it (stop), never the
// other way round. gRPC never runs a reaction inline in StartRead, StartWrite or Finish, so they are called under
// `mutex_`.
class reflection_reactor final : public grpc::ServerGenericBidiReactor {
public:
    reflection_reactor(listener_state& state, reflection_version version) : state_(state), version_(version) {
        bool stopping = false;
        {
            const std::lock_guard lock(state_.mutex);
            ++state_.open_calls;
            stopping = state_.stopping;
            if (!stopping) state_.reflection_streams.insert(this);
        }
        const std::lock_guard lock(mutex_);
        if (stopping) {
            finish_locked(shutting_down());
        } else {
            StartRead(&request_);
        }
    }

    // Ends the stream for shutdown (UNAVAILABLE): now while it waits for a request, or after the answer being written.
    // Called with listener_state::mutex held, so OnDone cannot run meanwhile.
    void stop() {
        const std::lock_guard lock(mutex_);
        if (finished_) return;
        if (writing_) {
            stop_wanted_ = true;
            return;
        }
        finish_locked(shutting_down());
    }

    void OnReadDone(bool ok) override {
        const std::lock_guard lock(mutex_);
        if (finished_) return;
        if (!ok) {
            // The client half-closed (or the call was cancelled): every request had its answer.
            finish_locked(grpc::Status::OK);
            return;
        }
        std::optional<std::string> answer;
        try {
            if (const auto bytes = bytes_of(request_)) {
                answer = answer_reflection_request(version_, *bytes, state_.reflected);
            }
        } catch (...) {
            finish_locked(grpc::Status(grpc::StatusCode::INTERNAL, "internal error"));
            return;
        }
        if (!answer) {
            finish_locked(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "not a ServerReflectionRequest"));
            return;
        }
        const grpc::Slice slice(*answer);
        response_ = grpc::ByteBuffer(&slice, 1);
        writing_ = true;
        StartWrite(&response_);
    }

    void OnWriteDone(bool ok) override {
        const std::lock_guard lock(mutex_);
        writing_ = false;
        if (!ok) {
            finish_locked(grpc::Status(grpc::StatusCode::CANCELLED, "the reflection stream was cancelled"));
        } else if (stop_wanted_) {
            finish_locked(shutting_down());
        } else {
            StartRead(&request_);
        }
    }

    void OnDone() override {
        auto& state = state_;
        {
            const std::lock_guard lock(state.mutex);
            state.reflection_streams.erase(this);
        }
        delete this;
        state.closed();
    }

private:
    static grpc::Status shutting_down() {
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");
    }

    void finish_locked(const grpc::Status& status) {
        finished_ = true;
        Finish(status);
    }

    listener_state& state_;
    reflection_version version_;
    std::mutex mutex_;
    bool finished_ = false;
    bool writing_ = false;
    bool stop_wanted_ = false;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
};

// Every call arrives here: reflection streams by their method name, everything else for the API.
class generic_service final : public grpc::CallbackGenericService {
public:
    explicit generic_service(listener_state& state) : state_(state) {}
    grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* context) override {
        if (const auto version = reflection_method_version(context->method())) {
            return new reflection_reactor(state_, *version);
        }
        return new call_reactor(context, state_);
    }

private:
    listener_state& state_;
};

std::string bracketed(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

struct grpc_listener::impl {
    grpc_listener_config config;
    listener_state state;
    generic_service service{state};
    std::unique_ptr<grpc::Server> server;
    int port = 0;
    bool shut_down = false;

    impl(grpc_listener_config c, grpc_handlers h)
        : config(std::move(c)), state(std::move(h), config.worker_threads, config.services) {}
};

grpc_listener::grpc_listener(grpc_listener_config config, grpc_handlers handlers)
    : impl_(std::make_unique<impl>(std::move(config), std::move(handlers))) {
    // A process-wide switch that must precede building the server.
    grpc::EnableDefaultHealthCheckService(true);

    const auto address = bracketed(impl_->config.host) + ":" + std::to_string(impl_->config.port);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &impl_->port);
    builder.SetMaxReceiveMessageSize(static_cast<int>(impl_->config.max_message_bytes));
    builder.RegisterCallbackGenericService(&impl_->service);
    impl_->server = builder.BuildAndStart();
    if (!impl_->server || impl_->port == 0) {
        impl_->state.workers.join();
        throw std::runtime_error("cannot listen for gRPC on " + address);
    }
    set_serving(false);
}

grpc_listener::~grpc_listener() {
    if (!impl_->shut_down) shutdown(std::chrono::milliseconds(0));
}

unsigned short grpc_listener::port() const noexcept { return static_cast<unsigned short>(impl_->port); }

std::string grpc_listener::host() const { return bracketed(impl_->config.host) + ":" + std::to_string(impl_->port); }

void grpc_listener::set_serving(bool serving) {
    if (auto* health = impl_->server->GetHealthCheckService()) health->SetServingStatus(serving);
}

bool grpc_listener::shutdown(std::chrono::milliseconds bound) {
    impl_->shut_down = true;
    set_serving(false);
    const auto deadline = std::chrono::system_clock::now() + bound;
    // Server::Shutdown returns only once every call is done, so a worker stuck past the bound would hold it forever:
    // it runs on a thread of its own, and this waits for the calls with the bound (plus time for gRPC to cancel).
    auto stopper = std::make_shared<std::thread>([server = impl_->server.get(), deadline] { server->Shutdown(deadline); });
    std::unique_lock lock(impl_->state.mutex);
    // Reflection streams stay open as long as their clients like: end them now, not at the bound.
    impl_->state.stopping = true;
    for (auto* stream : impl_->state.reflection_streams) stream->stop();
    const bool drained = impl_->state.all_done.wait_until(lock, deadline + std::chrono::seconds(1),
                                                          [this] { return impl_->state.open_calls == 0; });
    lock.unlock();
    if (!drained) {
        stopper->detach();
        return false;
    }
    stopper->join();
    impl_->server->Wait();
    impl_->state.workers.join();
    return true;
}

}  // namespace server
