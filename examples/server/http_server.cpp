// Beast's asynchronous server pattern (a listener, one session per connection), with the request's work moved to a
// thread pool, connection counting for --max-connections, and a shutdown that drains.
//
// Each I/O thread runs an io_context of its own, and each connection belongs to one of them (round robin), so a
// connection's handlers never run at once without a strand. The stream's executor is the io_context's own, not Asio's
// type-erased any_io_executor: with a strand inside, that copied its executor onto the heap for every asynchronous
// operation (about 23 allocations per request).
#include "http_server.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "console.hpp"
#include "request_parser.hpp"

namespace server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class session;

// What the listener and the sessions share. It outlives every session (the io_contexts, which own the last
// references to sessions, are destroyed first).
struct shared_state {
    http_server_config config;
    http_handlers handlers;
    net::thread_pool* workers = nullptr;

    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> in_flight{0};  // requests read whose response is not yet written
    std::atomic<bool> stopping{false};

    std::mutex sessions_mutex;
    std::unordered_map<const session*, std::weak_ptr<session>> sessions;

    std::mutex progress_mutex;
    std::condition_variable progress;  // in_flight or connections went down

    std::function<void()> connection_closed;  // lets the listener accept again

    void notify_progress() {
        { const std::lock_guard lock(progress_mutex); }
        progress.notify_all();
    }
};

// The server's own answers to requests that never reach the handlers.
userstream::api::api_response plain_error(int status, std::string_view message, int rpc_code) {
    return {status,
            {{"Content-Type", "application/json"}},
            "{\"code\":" + std::to_string(rpc_code) + ",\"message\":\"" + std::string(message) + "\"}"};
}

bool iequals(beast::string_view a, beast::string_view b) { return beast::iequals(a, b); }

std::string text_of(beast::string_view view) { return std::string(view.data(), view.size()); }

using executor_type = net::io_context::executor_type;
using socket_type = tcp::socket::rebind_executor<executor_type>::other;
using stream_type = beast::basic_stream<tcp, executor_type>;

class session : public std::enable_shared_from_this<session> {
public:
    session(socket_type&& socket, shared_state& state) : stream_(std::move(socket)), state_(state) {}

    ~session() {
        {
            const std::lock_guard lock(state_.sessions_mutex);
            state_.sessions.erase(this);
        }
        state_.connections.fetch_sub(1);
        state_.notify_progress();
        if (!state_.stopping.load() && state_.connection_closed) state_.connection_closed();
    }

    void run() {
        {
            const std::lock_guard lock(state_.sessions_mutex);
            state_.sessions.emplace(this, weak_from_this());
        }
        // A connection accepted while the server began to stop is closed at once (shutdown set `stopping` before it
        // looked at the sessions, so it either saw this one or this one sees `stopping`).
        if (state_.stopping.load()) stop();
        net::dispatch(stream_.get_executor(), beast::bind_front_handler(&session::read_header, shared_from_this()));
    }

    // From any thread: no new request on this connection; close it now unless a request is in flight: being answered,
    // or with its header read and its body arriving (the client already sent it; its answer says Connection: close).
    void stop() {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            self->draining_ = true;
            const bool arriving = self->parser_ && self->parser_->is_header_done();
            if (!self->busy_ && !arriving) self->close_now();
        });
    }

private:
    void read_header() {
        if (draining_) return close_now();
        start_request(parser_, state_.config);
        stream_.expires_after(state_.config.idle_timeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                beast::bind_front_handler(&session::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t) {
        if (ec) return on_read_error(ec);
        const auto expect = parser_->get()[http::field::expect];
        if (iequals(expect, "100-continue") && !parser_->is_done()) {
            // curl and others wait for this before sending a body.
            auto go_on = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                            parser_->get().version());
            stream_.expires_after(state_.config.idle_timeout);
            http::async_write(stream_, *go_on, [self = shared_from_this(), go_on](beast::error_code write_ec, std::size_t) {
                if (write_ec) return self->close_now();
                self->read_body();
            });
            return;
        }
        read_body();
    }

    void read_body() {
        if (parser_->is_done()) return dispatch();
        stream_.expires_after(state_.config.idle_timeout);
        http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&session::on_body, shared_from_this()));
    }

    void on_body(beast::error_code ec, std::size_t) {
        if (ec) return on_read_error(ec);
        dispatch();
    }

    void on_read_error(beast::error_code ec) {
        // Nothing to answer: the client left, went silent, or the server closed the connection.
        if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == net::error::eof ||
            ec == beast::error::timeout || ec == net::error::operation_aborted) {
            return close_now();
        }
        if (ec == http::error::body_limit) {
            return answer_and_close(plain_error(413, "Request body too large", 8));
        }
        if (ec == http::error::header_limit) {
            return answer_and_close(plain_error(431, "Request header fields too large", 8));
        }
        if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
            return answer_and_close(plain_error(400, "Malformed HTTP request", 3));
        }
        close_now();  // a socket error
    }

    void begin_exchange() {
        busy_ = true;
        started_ = std::chrono::steady_clock::now();
        state_.in_flight.fetch_add(1);
        method_.clear();
        target_.clear();
        if (parser_) {
            // Set once the request line is parsed, even when a later header broke a limit.
            method_ = text_of(parser_->get().method_string());
            target_ = text_of(parser_->get().target());
            if (parser_->is_header_done()) version_ = parser_->get().version();
        }
    }

    void answer_and_close(userstream::api::api_response out) {
        begin_exchange();
        keep_alive_ = false;
        write(std::move(out));
    }

    void dispatch() {
        begin_exchange();
        auto& request = parser_->get();
        keep_alive_ = request.keep_alive();
        userstream::api::api_request in{method_, target_, {}, std::move(request.body())};
        // A request's timeout counts from here, so the time it then waits for a worker counts against it.
        in.received = std::chrono::steady_clock::now();
        in.headers.reserve(static_cast<std::size_t>(std::distance(request.begin(), request.end())));
        for (const auto& field : request) in.headers.emplace_back(text_of(field.name_string()), text_of(field.value()));
        parser_.reset();

        try {
            if (state_.handlers.at_once) {
                if (auto out = state_.handlers.at_once(in)) return write(std::move(*out));
            }
        } catch (...) {
            return write(plain_error(500, "Internal", 13));
        }
        net::post(*state_.workers, [self = shared_from_this(), in = std::move(in)]() mutable {
            userstream::api::api_response out;
            try {
                out = self->state_.handlers.on_worker(in);
            } catch (...) {
                out = plain_error(500, "Internal", 13);
            }
            const auto executor = self->stream_.get_executor();
            net::post(executor, [self = std::move(self), out = std::move(out)]() mutable { self->write(std::move(out)); });
        });
    }

    // The response head is written here rather than by Beast's serializer (a message with a field container, each
    // field an allocation, and the serializer's own state, per response); the bytes are the ones Beast wrote: the
    // status line with the standard reason, the handler's headers in their order, Beast's Connection header rules
    // (`close` for HTTP/1.1 when not keeping the connection, `keep-alive` for HTTP/1.0 when keeping it), then
    // Content-Length. Framing headers from the handler are dropped: the server frames the body.
    void write(userstream::api::api_response out) {
        const bool keep = keep_alive_ && !draining_ && !state_.stopping.load();
        status_ = out.status;
        body_ = std::move(out.body);
        head_.clear();
        head_ += "HTTP/";
        head_ += static_cast<char>('0' + version_ / 10 % 10);
        head_ += '.';
        head_ += static_cast<char>('0' + version_ % 10);
        head_ += ' ';
        append_number(head_, static_cast<std::size_t>(out.status));
        head_ += ' ';
        const auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(out.status)));
        head_.append(reason.data(), reason.size());
        head_ += "\r\n";
        for (const auto& [name, value] : out.headers) {
            if (iequals(name, "content-length") || iequals(name, "transfer-encoding") || iequals(name, "connection")) {
                continue;
            }
            head_.append(name).append(": ").append(value).append("\r\n");
        }
        if (version_ >= 11 && !keep) head_ += "Connection: close\r\n";
        if (version_ < 11 && keep) head_ += "Connection: keep-alive\r\n";
        head_ += "Content-Length: ";
        append_number(head_, body_.size());
        head_ += "\r\n\r\n";
        stream_.expires_after(state_.config.idle_timeout);
        const std::array<net::const_buffer, 2> bytes{net::buffer(head_), net::buffer(body_)};
        net::async_write(stream_, bytes, [self = shared_from_this(), keep](beast::error_code ec, std::size_t) {
            self->on_write(ec, keep);
        });
    }

    static void append_number(std::string& out, std::size_t value) {
        std::array<char, 24> digits{};
        const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
        out.append(digits.data(), end);
    }

    void on_write(beast::error_code ec, bool keep) {
        busy_ = false;
        if (state_.handlers.finished) {
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
            state_.handlers.finished({method_, target_, status_, seconds});
        }
        state_.in_flight.fetch_sub(1);
        state_.notify_progress();
        if (ec) return close_now();
        if (!keep) return close_after_answer();
        read_header();
    }

    // After a response with `Connection: close`: stop sending, then read and drop what the client still sends (the
    // rest of an oversized body) for a moment, so that closing with unread data does not reset the connection before
    // the client has read the answer.
    void close_after_answer() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.expires_after(std::chrono::seconds(1));
        drain();
    }

    void drain() {
        stream_.async_read_some(net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            self->discarded_ += n;
            if (ec || self->discarded_ > 4 * 1024 * 1024) return self->close_now();
            self->drain();
        });
    }

    void close_now() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

    stream_type stream_;
    shared_state& state_;
    beast::flat_buffer buffer_;
    std::optional<request_parser> parser_;
    bool busy_ = false;      // a request is being answered
    bool draining_ = false;  // the server is stopping: answer what is in flight, read nothing more
    bool keep_alive_ = true;
    unsigned version_ = 11;
    int status_ = 0;
    std::string method_;
    std::string target_;
    std::string head_;  // the response being written: kept here so that the memory is reused
    std::string body_;
    std::chrono::steady_clock::time_point started_;
    std::array<char, 16 * 1024> discard_{};
    std::size_t discarded_ = 0;
};

// Accepts on the first io_context (one thread: its handlers need no strand) and hands each connection to the next
// io_context in turn.
class listener {
public:
    listener(std::vector<std::unique_ptr<net::io_context>>& ios, shared_state& state, const tcp::endpoint& endpoint)
        : ios_(ios), state_(state), executor_(ios.front()->get_executor()), acceptor_(executor_), retry_(executor_) {
        beast::error_code ec;
        acceptor_.open(endpoint.protocol(), ec);
        if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
        if (!ec) acceptor_.bind(endpoint, ec);
        if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
        if (ec) throw std::runtime_error("cannot listen on " + describe(endpoint) + ": " + ec.message());
    }

    tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

    void start() {
        net::dispatch(executor_, [this] { accept(); });
    }

    // From any thread, after a connection closed.
    void resume() {
        net::post(executor_, [this] {
            if (paused_) {
                paused_ = false;
                accept();
            }
        });
    }

    void close() {
        net::post(executor_, [this] {
            beast::error_code ignored;
            acceptor_.close(ignored);
            retry_.cancel();
        });
    }

    static std::string describe(const tcp::endpoint& endpoint) {
        const auto address = endpoint.address().to_string();
        return (endpoint.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(endpoint.port());
    }

private:
    void accept() {
        if (state_.stopping.load() || !acceptor_.is_open()) return;
        if (state_.connections.load() >= state_.config.max_connections) {
            paused_ = true;  // newcomers wait in the backlog until a connection closes (resume)
            return;
        }
        auto& io = *ios_[next_ % ios_.size()];
        ++next_;
        acceptor_.async_accept(io.get_executor(), [this](beast::error_code ec, socket_type socket) {
            on_accept(ec, std::move(socket));
        });
    }

    void on_accept(beast::error_code ec, socket_type socket) {
        if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
        if (ec) {
            // Out of descriptors or memory, for instance: wait a little rather than spin or give up.
            if (!reported_accept_error_) {
                print_stderr_line("userstream-server: accept failed (" + ec.message() + "); retrying");
                reported_accept_error_ = true;
            }
            retry_.expires_after(std::chrono::milliseconds(100));
            retry_.async_wait([this](beast::error_code wait_ec) {
                if (!wait_ec) accept();
            });
            return;
        }
        reported_accept_error_ = false;
        if (state_.stopping.load()) {
            beast::error_code ignored;
            socket.close(ignored);
            return;
        }
        state_.connections.fetch_add(1);
        std::make_shared<session>(std::move(socket), state_)->run();
        accept();
    }

    std::vector<std::unique_ptr<net::io_context>>& ios_;
    shared_state& state_;
    executor_type executor_;
    net::basic_socket_acceptor<tcp, executor_type> acceptor_;
    net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>, executor_type>
        retry_;
    std::size_t next_ = 0;
    bool paused_ = false;
    bool reported_accept_error_ = false;
};

tcp::endpoint resolve(const std::string& host, unsigned short port) {
    beast::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    if (!ec) return {address, port};
    net::io_context io;
    tcp::resolver resolver(io);
    const auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) throw std::runtime_error("cannot resolve listen host '" + host + "'");
    return results.begin()->endpoint();
}

}  // namespace

struct http_server::impl {
    // Declared first, destroyed last: sessions still owned by the io_context's handlers touch it when destroyed.
    shared_state state;
    net::thread_pool workers;
    std::vector<std::unique_ptr<net::io_context>> ios;  // one per I/O thread
    std::vector<net::executor_work_guard<executor_type>> work;
    std::unique_ptr<listener> accepting;
    std::vector<std::thread> io_threads;
    bool shut_down = false;

    impl(http_server_config config, http_handlers handlers)
        : workers(config.worker_threads) {
        for (std::size_t i = 0; i < std::max<std::size_t>(config.io_threads, 1); ++i) {
            ios.push_back(std::make_unique<net::io_context>(1));
        }
        state.config = std::move(config);
        state.handlers = std::move(handlers);
        state.workers = &workers;
        accepting = std::make_unique<listener>(ios, state, resolve(state.config.host, state.config.port));
        state.connection_closed = [this] { accepting->resume(); };
    }
};

http_server::http_server(http_server_config config, http_handlers handlers)
    : impl_(std::make_unique<impl>(std::move(config), std::move(handlers))) {}

http_server::~http_server() {
    if (!impl_->shut_down && !shutdown(std::chrono::milliseconds(0))) {
        // Workers still run requests that use the handlers; waiting is the only safe way out of here.
        impl_->workers.join();
    }
}

unsigned short http_server::port() const noexcept { return impl_->accepting->local_endpoint().port(); }

std::string http_server::host() const { return listener::describe(impl_->accepting->local_endpoint()); }

void http_server::start() {
    for (auto& io : impl_->ios) impl_->work.push_back(net::make_work_guard(*io));
    impl_->accepting->start();
    for (auto& io : impl_->ios) {
        impl_->io_threads.emplace_back([context = io.get()] { context->run(); });
    }
}

bool http_server::shutdown(std::chrono::milliseconds bound) {
    auto& state = impl_->state;
    if (impl_->shut_down) return state.in_flight.load() == 0;
    impl_->shut_down = true;
    state.stopping.store(true);
    impl_->accepting->close();
    // The sessions are collected under the lock and stopped outside it: stop() can let the I/O thread close a
    // connection, so the pointer held here may be a session's last, and ~session takes the same lock.
    std::vector<std::shared_ptr<session>> open;
    {
        const std::lock_guard lock(state.sessions_mutex);
        for (const auto& [key, weak] : state.sessions) {
            if (auto alive = weak.lock()) open.push_back(std::move(alive));
        }
    }
    for (const auto& each : open) each->stop();
    open.clear();
    const auto deadline = std::chrono::steady_clock::now() + bound;
    {
        std::unique_lock lock(state.progress_mutex);
        state.progress.wait_until(lock, deadline, [&] {
            return state.in_flight.load() == 0 && state.connections.load() == 0;
        });
    }
    const bool finished = state.in_flight.load() == 0;
    impl_->work.clear();
    for (auto& io : impl_->ios) io->stop();
    for (auto& thread : impl_->io_threads) thread.join();
    impl_->io_threads.clear();
    if (finished) impl_->workers.join();
    return finished;
}

std::size_t http_server::connections() const noexcept { return impl_->state.connections.load(); }

}  // namespace server
