// The HTTP/1.1 side of userstream-server, on Boost.Beast and Asio: it accepts connections, reads requests (keep-alive,
// chunked bodies de-chunked by Beast's parser), and hands each one to the host's handlers, then writes the answer.
// It knows nothing of the API: it moves method, target, headers and body in, and status, headers and body out.
//
// Threads. A few I/O threads run the sockets, each with an io_context of its own; each connection belongs to one of
// them, so its handlers run one at a time on that thread. A request's `on_worker` handler runs on a pool of worker
// threads, never on an I/O thread, because API commands block on the store's commit; the answer is posted back to the
// connection's thread to be written. So a slow commit holds one worker and one
// connection, while accepting and reading go on. `at_once` answers on the I/O thread, for checks that never block
// (health), so they answer even when every worker is busy.
//
// Limits. A header section over `header_limit` is answered 431, a body over `body_limit` 413, a request Beast cannot
// parse 400; each then closes the connection. A connection silent for `idle_timeout` (between requests, or in the
// middle of one) is closed. At `max_connections` open connections the server stops accepting until one closes;
// newcomers wait in the kernel's accept backlog. Errors in accept (out of file descriptors) are retried after a
// pause, never fatal.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "userstream/api/api_message.hpp"

namespace server {

struct http_server_config {
    std::string host = "127.0.0.1";
    unsigned short port = 8080;  // 0: any free port (see port())
    std::size_t io_threads = 2;
    std::size_t worker_threads = 4;
    std::size_t max_connections = 1024;
    std::size_t header_limit = 8 * 1024;
    std::size_t body_limit = 64 * 1024;
    std::chrono::milliseconds idle_timeout{10'000};
};

// One finished exchange, for the access log and metrics. `method` and `target` are empty when the request line never
// arrived whole; `target` is the raw target, for deriving a route, never for logging.
struct finished_exchange {
    std::string_view method;
    std::string_view target;
    int status = 0;
    double seconds = 0;
};

struct http_handlers {
    // On an I/O thread; must not block. nullopt passes the request to `on_worker`.
    std::function<std::optional<userstream::api::api_response>(const userstream::api::api_request&)> at_once;
    // On a worker thread. An exception becomes a 500 without detail.
    std::function<userstream::api::api_response(const userstream::api::api_request&)> on_worker;
    // After each response is written (or failed to be), on an I/O thread. Must not block or throw.
    std::function<void(const finished_exchange&)> finished;
};

class http_server {
public:
    // Resolves the host and binds and listens on it; nothing is accepted before start(). Throws std::runtime_error
    // naming the address when it cannot listen there.
    http_server(http_server_config config, http_handlers handlers);
    // Shuts down (with no time for requests in flight) if shutdown() was not called.
    ~http_server();
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;

    unsigned short port() const noexcept;  // the bound port (the chosen one when the config said 0)
    std::string host() const;              // the bound address, as text

    // Starts the I/O threads and accepting.
    void start();

    // Stops accepting, closes idle connections, and lets requests in flight finish and their responses go out (with
    // `Connection: close`), for at most `bound`. Returns true when every request finished; the threads are then
    // joined. Returns false when requests still run: their workers still use the handlers, so the caller must not
    // destroy what those use, and should end the process.
    bool shutdown(std::chrono::milliseconds bound);

    std::size_t connections() const noexcept;  // open now

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace server
