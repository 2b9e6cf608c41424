#include "postgres_fault_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <list>
#include <stdexcept>
#include <vector>

namespace conformance {

namespace {

sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const auto n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// One proxied connection. Each direction keeps the tail of what it saw, so a marker split across reads is found.
struct link {
    int client;
    int server;
    std::string client_tail;
    std::string server_tail;
    std::string awaited_reply;  // non-empty: the server's answer is being dropped until this tag
    bool closed = false;

    void close_both() {
        ::shutdown(client, SHUT_RDWR);
        ::shutdown(server, SHUT_RDWR);
        ::close(client);
        ::close(server);
        closed = true;
    }
};

// True when `marker` ends within the new bytes (it may start in the tail of earlier ones: a read can split it).
bool contains_across(std::string& tail, const char* data, std::size_t size, const std::string& marker) {
    std::string window = tail;
    window.append(data, size);
    const std::size_t from = tail.size() >= marker.size() ? tail.size() - marker.size() + 1 : 0;
    const bool found = !marker.empty() && window.find(marker, from) != std::string::npos;
    const std::size_t keep = 64;
    tail = window.size() > keep ? window.substr(window.size() - keep) : window;
    return found;
}

}  // namespace

fault_proxy::fault_proxy(std::string host, int port) : upstream_host_(std::move(host)), upstream_port_(port) {
    if (upstream_host_ != "127.0.0.1") throw std::invalid_argument("fault_proxy: only 127.0.0.1 upstreams");
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    auto address = loopback(0);
    socklen_t length = sizeof address;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 64) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        ::pipe(wake_) != 0) {
        throw std::runtime_error("fault_proxy: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { run(); });
}

fault_proxy::~fault_proxy() {
    const char stop = 's';
    (void)::write(wake_[1], &stop, 1);
    thread_.join();
    ::close(listener_);
    ::close(wake_[0]);
    ::close(wake_[1]);
}

std::string fault_proxy::conninfo() const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=postgres";
}

void fault_proxy::cut_before(const std::string& statement_text) {
    std::lock_guard lock(mutex_);
    armed_statement_ = statement_text;
    armed_reply_.clear();
}

void fault_proxy::cut_after_reply(const std::string& statement_text, const std::string& reply_tag) {
    std::lock_guard lock(mutex_);
    armed_statement_ = statement_text;
    armed_reply_ = reply_tag;
}

void fault_proxy::run() {
    std::list<link> links;
    std::vector<char> buffer(64 * 1024);
    for (;;) {
        std::vector<pollfd> fds{{wake_[0], POLLIN, 0}, {listener_, POLLIN, 0}};
        std::vector<std::pair<link*, bool>> owners;  // for each further fd: its link, and whether it is the client
        for (auto& l : links) {
            fds.push_back({l.client, POLLIN, 0});
            owners.emplace_back(&l, true);
            fds.push_back({l.server, POLLIN, 0});
            owners.emplace_back(&l, false);
        }
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[0].revents != 0) break;
        if (fds[1].revents & POLLIN) {
            const int client = ::accept(listener_, nullptr, nullptr);
            if (client >= 0) {
                const int server = ::socket(AF_INET, SOCK_STREAM, 0);
                const auto address = loopback(upstream_port_);
                if (server >= 0 && ::connect(server, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
                    const int one = 1;
                    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    links.push_back(link{client, server, {}, {}, {}});
                } else {
                    if (server >= 0) ::close(server);
                    ::close(client);
                }
            }
        }
        for (std::size_t i = 2; i < fds.size(); ++i) {
            auto [l, from_client] = owners[i - 2];
            if (l->closed || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            const int from = from_client ? l->client : l->server;
            const auto n = ::recv(from, buffer.data(), buffer.size(), 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                l->close_both();
                continue;
            }
            const auto size = static_cast<std::size_t>(n);
            if (from_client) {
                bool cut = false;
                bool await_reply = false;
                {
                    std::lock_guard lock(mutex_);
                    if (contains_across(l->client_tail, buffer.data(), size, armed_statement_)) {
                        cut = armed_reply_.empty();
                        await_reply = !cut;
                        if (await_reply) l->awaited_reply = armed_reply_;
                        armed_statement_.clear();
                        armed_reply_.clear();
                    }
                }
                if (cut) {
                    ++cuts_;
                    l->close_both();
                    continue;
                }
                if (!write_all(l->server, buffer.data(), size)) l->close_both();
            } else if (!l->awaited_reply.empty()) {
                // The server did the work; its answer goes nowhere, and the client learns only that the line died.
                if (contains_across(l->server_tail, buffer.data(), size, l->awaited_reply)) {
                    ++cuts_;
                    l->close_both();
                }
            } else if (!write_all(l->client, buffer.data(), size)) {
                l->close_both();
            }
        }
        links.remove_if([](const link& l) { return l.closed; });
    }
    for (auto& l : links) {
        if (!l.closed) l.close_both();
    }
}

}  // namespace conformance
