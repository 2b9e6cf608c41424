// A tiny blocking HTTP/1.1 client over a loopback socket, for tests that must control the bytes on the wire: raw
// requests (oversized, malformed, chunked, sent slowly), several requests on one kept-alive connection, and whether
// the server closed the connection. Responses are parsed with Beast's parser. Every wait has a timeout.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace server_test {

using namespace std::chrono_literals;
using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_response {
    int status = 0;
    header_list headers;
    std::string body;
    bool keep_alive = true;

    std::optional<std::string> header(std::string_view name) const;  // case-insensitive
};

// A request as a client writes it: request line, Host, the headers, Content-Length when there is a body (or none, for
// a chunked one), the body.
std::string format_request(std::string_view method, std::string_view target, const header_list& headers = {},
                           std::string_view body = {});
// The body in chunks of `chunk_size` bytes with the terminating chunk, for `Transfer-Encoding: chunked`.
std::string chunked(std::string_view body, std::size_t chunk_size);

class http_connection {
public:
    // Connects to 127.0.0.1:port. Throws std::runtime_error when it cannot.
    explicit http_connection(unsigned short port);
    ~http_connection();
    http_connection(const http_connection&) = delete;
    http_connection& operator=(const http_connection&) = delete;

    // Writes the bytes as they are. False when the server closed the connection.
    bool send(std::string_view bytes);
    // The next response; nullopt when the connection closed or `timeout` passed first.
    std::optional<http_response> read_response(std::chrono::milliseconds timeout = 10s);
    // Sends a formatted request and reads its response; throws std::runtime_error when none comes.
    http_response request(std::string_view method, std::string_view target, const header_list& headers = {},
                          std::string_view body = {});
    // Whether the server closes the connection within `timeout` (end of stream or reset; bytes are dropped).
    bool closed_within(std::chrono::milliseconds timeout);
    void close();

private:
    // Appends what arrives within `timeout` to pending_; false on end of stream, error or timeout.
    bool receive(std::chrono::milliseconds timeout);
    int fd_ = -1;
    std::string pending_;
};

// One request on a connection of its own.
http_response http_request(unsigned short port, std::string_view method, std::string_view target,
                           const header_list& headers = {}, std::string_view body = {});

// `Authorization: Bearer <token>` and `Content-Type: application/json`.
header_list json_headers(const std::string& token);

}  // namespace server_test
