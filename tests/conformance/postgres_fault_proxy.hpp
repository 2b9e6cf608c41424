// A TCP proxy between a store and a PostgreSQL server that cuts a connection at a chosen point of the conversation, so
// a test can lose the connection exactly before a statement reaches the server, or exactly after the server has
// committed but before the client hears of it. Real outages give no such control: a restart lands wherever it lands.
//
//     fault_proxy proxy("127.0.0.1", cluster.port());
//     postgres_event_store store({.conninfo = proxy.conninfo()});
//     proxy.cut_after_reply("COMMIT");   // the next COMMIT commits, and its answer is lost
//
// A cut is armed once and fires on the first connection whose traffic matches; the others go on untouched.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

namespace conformance {

class fault_proxy {
public:
    // Listens on 127.0.0.1 (a free port) and forwards every connection to host:port.
    fault_proxy(std::string host, int port);
    ~fault_proxy();
    fault_proxy(const fault_proxy&) = delete;
    fault_proxy& operator=(const fault_proxy&) = delete;

    // "host=127.0.0.1 port=<the proxy's> user=postgres dbname=postgres"
    std::string conninfo() const;

    // The next time a client sends a statement containing `statement_text`, that connection is closed on both sides
    // and the bytes are not forwarded: the server never sees the statement.
    void cut_before(const std::string& statement_text);
    // The next time a client sends a statement containing `statement_text`, it is forwarded; the server's answer, up to
    // and including a command tag `reply_tag` (say "COMMIT"), is dropped and the connection closed on both sides.
    void cut_after_reply(const std::string& statement_text, const std::string& reply_tag);
    // How many cuts have fired.
    int cuts() const noexcept { return cuts_.load(); }

private:
    void run();

    std::string upstream_host_;
    int upstream_port_;
    int listener_ = -1;
    int port_ = 0;
    int wake_[2] = {-1, -1};
    std::mutex mutex_;
    // The armed cut: the client bytes to look for, and for cut_after_reply, the server bytes that end the answer.
    std::string armed_statement_;
    std::string armed_reply_;
    std::atomic<int> cuts_{0};
    std::thread thread_;
};

}  // namespace conformance
