#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <stdexcept>

namespace server_test {

namespace http = boost::beast::http;

namespace {
bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}
}  // namespace

std::optional<std::string> http_response::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) return value;
    }
    return std::nullopt;
}

std::string format_request(std::string_view method, std::string_view target, const header_list& headers,
                           std::string_view body) {
    std::string out;
    out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    bool framed = false;
    for (const auto& [name, value] : headers) {
        out.append(name).append(": ").append(value).append("\r\n");
        framed = framed || iequals(name, "transfer-encoding") || iequals(name, "content-length");
    }
    if (!framed && (!body.empty() || method == "POST" || method == "PUT")) {
        out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    }
    out.append("\r\n").append(body);
    return out;
}

std::string chunked(std::string_view body, std::size_t chunk_size) {
    std::string out;
    static constexpr char digits[] = "0123456789abcdef";
    while (!body.empty()) {
        const auto piece = body.substr(0, chunk_size);
        std::string size;
        for (auto n = piece.size(); n > 0; n /= 16) size.insert(size.begin(), digits[n % 16]);
        out.append(size).append("\r\n").append(piece).append("\r\n");
        body.remove_prefix(piece.size());
    }
    return out + "0\r\n\r\n";
}

http_connection::http_connection(unsigned short port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd_);
        throw std::runtime_error("cannot connect to port " + std::to_string(port));
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

http_connection::~http_connection() { close(); }

void http_connection::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool http_connection::send(std::string_view bytes) {
    while (!bytes.empty()) {
        const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool http_connection::receive(std::chrono::milliseconds timeout) {
    pollfd ready{fd_, POLLIN, 0};
    const int polled = ::poll(&ready, 1, static_cast<int>(timeout.count()));
    if (polled <= 0) return false;
    char buffer[16 * 1024];
    const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    pending_.append(buffer, static_cast<std::size_t>(n));
    return true;
}

std::optional<http_response> http_connection::read_response(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    parser.body_limit(64 * 1024 * 1024);
    for (;;) {
        boost::beast::error_code ec;
        if (!pending_.empty()) {
            const auto used = parser.put(boost::asio::buffer(pending_), ec);
            pending_.erase(0, used);
        } else {
            ec = http::error::need_more;
        }
        if (!ec && parser.is_done()) break;
        if (ec && ec != http::error::need_more) throw std::runtime_error("malformed response: " + ec.message());
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !receive(left)) return std::nullopt;
    }
    auto message = parser.release();
    http_response out;
    out.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
        out.headers.emplace_back(std::string(field.name_string().data(), field.name_string().size()),
                                 std::string(field.value().data(), field.value().size()));
    }
    out.body = std::move(message.body());
    out.keep_alive = message.keep_alive();
    return out;
}

http_response http_connection::request(std::string_view method, std::string_view target, const header_list& headers,
                                       std::string_view body) {
    if (!send(format_request(method, target, headers, body))) throw std::runtime_error("the server closed the connection");
    auto out = read_response();
    if (!out) throw std::runtime_error("no response to " + std::string(method) + " " + std::string(target));
    return std::move(*out);
}

bool http_connection::closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd ready{fd_, POLLIN, 0};
        if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) return false;
        char buffer[4096];
        const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) return true;  // end of stream, or reset
    }
}

http_response http_request(unsigned short port, std::string_view method, std::string_view target,
                           const header_list& headers, std::string_view body) {
    http_connection connection(port);
    return connection.request(method, target, headers, body);
}

header_list json_headers(const std::string& token) {
    return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

}  // namespace server_test
