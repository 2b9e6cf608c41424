// Hostile clients against one running server: malformed requests, oversized bodies and headers, slow clients,
// 1,000 idle connections and connections beyond --max-connections. Throughout, a health check on a connection of its
// own is answered 200 within 2 s, and after each phase an ordinary change and read of a phone still work.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/dev_server.hpp"

using namespace server_test;

namespace {

using clock_type = std::chrono::steady_clock;
constexpr auto health_bound = 2s;
constexpr auto idle_timeout = 4s;  // --idle-timeout-ms: also the bound on reading a request's header
constexpr std::size_t max_connections = 1100;

// The client side of 1,000+ connections needs as many descriptors: take what the hard limit allows.
void raise_descriptor_limit(rlim_t wanted) {
    rlimit limit{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
    if (limit.rlim_cur >= wanted) return;
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min<rlim_t>(wanted, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
    INFO("RLIMIT_NOFILE hard limit " << limit.rlim_max);
    REQUIRE(limit.rlim_cur >= wanted);
}

// GET /debug/healthz on a fresh connection every 100 ms from a thread of its own; any answer other than a 200 within
// the bound is a problem. Paused while connections are meant to wait in the accept backlog (a newcomer waits too).
class health_monitor {
public:
    explicit health_monitor(unsigned short port) : port_(port), thread_([this] { run(); }) {}
    ~health_monitor() {
        stop_ = true;
        thread_.join();
    }
    health_monitor(const health_monitor&) = delete;
    health_monitor& operator=(const health_monitor&) = delete;

    // Returns once no check is running.
    void pause() {
        const std::lock_guard lock(checking_);
        paused_ = true;
    }
    void resume() { paused_ = false; }

    std::vector<std::string> problems() const {
        const std::lock_guard lock(results_);
        return problems_;
    }
    std::size_t checks() const { return checks_.load(); }
    std::chrono::milliseconds slowest() const {
        const std::lock_guard lock(results_);
        return slowest_;
    }

private:
    void run() {
        while (!stop_) {
            {
                const std::lock_guard lock(checking_);
                if (!paused_) check();
            }
            std::this_thread::sleep_for(100ms);
        }
    }

    void check() {
        const auto start = clock_type::now();
        std::string problem;
        try {
            http_connection connection(port_);
            if (!connection.send(format_request("GET", "/debug/healthz"))) {
                problem = "the server closed the connection";
            } else if (const auto out = connection.read_response(health_bound); !out) {
                problem = "no answer within 2 s";
            } else if (out->status != 200) {
                problem = "status " + std::to_string(out->status);
            }
        } catch (const std::exception& e) {
            problem = e.what();
        }
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
        ++checks_;
        const std::lock_guard lock(results_);
        slowest_ = std::max(slowest_, took);
        if (!problem.empty()) problems_.push_back("health check: " + problem);
    }

    unsigned short port_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> paused_{false};
    std::mutex checking_;
    mutable std::mutex results_;
    std::vector<std::string> problems_;
    std::chrono::milliseconds slowest_{0};
    std::atomic<std::size_t> checks_{0};
    std::thread thread_;  // last: starts once the members above exist
};

// What an ordinary client does between the hostile phases: change u1's phone to a number not used before, then read
// it back.
void ordinary_request_works(const dev_server& server, int& round) {
    ++round;
    char digits[8];
    std::snprintf(digits, sizeof digits, "%02d", round % 100);
    const auto put = http_request(server.port(), "PUT", "/management/v1/users/u1/phone", json_headers(server.token()),
                                  std::string(R"({"phone":"+41 79 555 00 )") + digits + R"(","isPhoneVerified":true})");
    CHECK(put.status == 200);
    const auto get = http_request(server.port(), "GET", "/management/v1/users/u1/phone", json_headers(server.token()));
    CHECK(get.status == 200);
    CHECK_THAT(get.body, Catch::Contains(std::string(R"("phone":"+417955500)") + digits + "\""));
}

// The value of an unlabelled sample in Prometheus text; -1 when absent.
double metric(const std::string& text, const std::string& name) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
    }
    return -1;
}

struct malformed_request {
    std::string what;
    std::string bytes;
};

std::vector<malformed_request> malformed_requests() {
    using namespace std::string_literals;
    return {
        {"a request line without a version", "GET /debug/healthz\r\n\r\n"},
        {"a request line with two spaces", "GET  /debug/healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
        {"a method with a character no token has", "G(T /debug/healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
        {"a TLS ClientHello on the plain port", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"s + std::string(64, 'r')},
        {"a NUL byte in the target", "GET /debug/\0healthz HTTP/1.1\r\nHost: x\r\n\r\n"s},
        {"a version that is not HTTP/x.y", "GET /debug/healthz HTTP/1.1x\r\nHost: x\r\n\r\n"},
        {"bare LF line endings", "GET /debug/healthz HTTP/1.1\nHost: x\n\n"},
        {"a header name with a space", "GET /debug/healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n"},
        {"a header line without a colon", "GET /debug/healthz HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n"},
        {"a negative Content-Length", "POST /v2/users/u1/phone HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"},
        {"two different Content-Lengths",
         "POST /v2/users/u1/phone HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"},
        {"Content-Length and chunked together",
         "POST /v2/users/u1/phone HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
         "2\r\n{}\r\n0\r\n\r\n"},
        {"a chunk size that is not hex",
         "POST /v2/users/u1/phone HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"},
        {"a chunk longer than its size",
         "POST /v2/users/u1/phone HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}}}\r\n0\r\n\r\n"},
    };
}

}  // namespace

TEST_CASE("hostile clients get 400, 413, 431 or are closed, while a health check answers within 2 s throughout and "
          "ordinary requests still work",
          "[server][hostile]") {
    raise_descriptor_limit(4096);
    dev_server server({"--idle-timeout-ms", std::to_string(idle_timeout / 1ms), "--max-connections",
                       std::to_string(max_connections)});
    REQUIRE(add_user(server.port(), server.token(), "u1").status == 200);
    int round = 0;
    health_monitor health(server.port());

    // Malformed requests: each is answered 400 (the server's JSON error, code 3) and its connection closed.
    for (const auto& request : malformed_requests()) {
        INFO(request.what);
        http_connection connection(server.port());
        REQUIRE(connection.send(request.bytes));
        const auto out = connection.read_response(5s);
        REQUIRE(out);
        CHECK(out->status == 400);
        CHECK(out->body == R"({"code":3,"message":"Malformed HTTP request"})");
        CHECK_FALSE(out->keep_alive);
        CHECK(connection.closed_within(3s));
    }
    // Random bytes: answered 400 (or 431, for 8 KiB without a line end), never a crash (a fixed seed, so a failure
    // repeats).
    std::mt19937 random(20240611);
    for (int i = 0; i < 30; ++i) {
        std::string junk(1 + random() % (16 * 1024), '\0');
        for (auto& c : junk) c = static_cast<char>(random());
        INFO("random request " << i);
        http_connection connection(server.port());
        connection.send(junk);  // the server may close before all of it is sent
        const auto out = connection.read_response(5s);
        REQUIRE(out);
        CHECK((out->status == 400 || out->status == 431));
    }
    // A request cut short, then the client leaves.
    {
        http_connection connection(server.port());
        REQUIRE(connection.send("PUT /management/v1/users/u1/phone HTTP/1.1\r\nHost: x\r\n"
                                "Content-Length: 50\r\n\r\n{"));
    }
    CHECK(server.process().running());
    ordinary_request_works(server, round);

    // Oversized: a declared body of 100 MiB is refused from its header alone; a chunked one once it passes 64 KiB.
    {
        http_connection connection(server.port());
        REQUIRE(connection.send("POST /v2/users/u1/phone HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                "Content-Length: 104857600\r\n\r\n"));
        const auto out = connection.read_response(5s);
        REQUIRE(out);
        CHECK(out->status == 413);
        CHECK(out->body == R"({"code":8,"message":"Request body too large"})");
    }
    {
        http_connection connection(server.port());
        REQUIRE(connection.send("POST /v2/users/u1/phone HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                "Transfer-Encoding: chunked\r\n\r\n"));
        const std::string chunk = "4000\r\n" + std::string(0x4000, ' ') + "\r\n";
        for (int i = 0; i < 64 && connection.send(chunk); ++i) {
        }
        const auto out = connection.read_response(5s);
        REQUIRE(out);
        CHECK(out->status == 413);
    }
    // Headers over 8 KiB: many small ones, one long target, and a header section that never ends.
    {
        header_list many;
        for (int i = 0; i < 300; ++i) many.emplace_back("X-Filler-" + std::to_string(i), std::string(30, 'h'));
        http_connection connection(server.port());
        REQUIRE(connection.send(format_request("GET", "/debug/healthz", many)));
        const auto out = connection.read_response(5s);
        REQUIRE(out);
        CHECK(out->status == 431);
        CHECK(out->body == R"({"code":8,"message":"Request header fields too large"})");
    }
    {
        http_connection connection(server.port());
        REQUIRE(connection.send(format_request("GET", "/debug/healthz?" + std::string(9 * 1024, 'q'))));
        const auto out = connection.read_response(5s);
        REQUIRE(out);
        CHECK(out->status == 431);
    }
    {
        http_connection connection(server.port());
        REQUIRE(connection.send("GET /debug/healthz HTTP/1.1\r\nHost: x\r\nX-Endless: " + std::string(10 * 1024, 'e')));
        const auto out = connection.read_response(5s);
        REQUIRE(out);
        CHECK(out->status == 431);
    }
    ordinary_request_works(server, round);
    CHECK(health.problems().empty());

    // Slow clients: ten that send one byte a second. The header timeout closes each (sending does not extend it),
    // and meanwhile other clients are served.
    {
        const std::string slow_request = format_request("GET", "/debug/healthz");
        std::vector<std::unique_ptr<http_connection>> slow;
        for (int i = 0; i < 10; ++i) slow.push_back(std::make_unique<http_connection>(server.port()));
        std::vector<std::optional<clock_type::duration>> closed_after(slow.size());
        const auto start = clock_type::now();
        std::size_t sent = 0;
        std::size_t open = slow.size();
        while (open > 0 && clock_type::now() - start < idle_timeout + 4s) {
            if (clock_type::now() - start >= sent * 1s && sent < slow_request.size()) {
                for (std::size_t i = 0; i < slow.size(); ++i) {
                    if (!closed_after[i]) slow[i]->send(slow_request.substr(sent, 1));
                }
                ++sent;
                ordinary_request_works(server, round);
            }
            for (std::size_t i = 0; i < slow.size(); ++i) {
                if (!closed_after[i] && slow[i]->closed_within(5ms)) {
                    closed_after[i] = clock_type::now() - start;
                    --open;
                }
            }
            std::this_thread::sleep_for(50ms);
        }
        CHECK(sent < slow_request.size());  // the request never completed, so nothing was answered
        for (std::size_t i = 0; i < slow.size(); ++i) {
            INFO("slow client " << i);
            REQUIRE(closed_after[i]);
            CHECK(*closed_after[i] >= idle_timeout - 500ms);
            CHECK(*closed_after[i] <= idle_timeout + 3s);
        }
    }
    ordinary_request_works(server, round);
    CHECK(health.problems().empty());

    // 1,000 idle connections at once: all accepted, the server answers others meanwhile, then closes each idle one.
    {
        const auto start = clock_type::now();
        std::vector<std::unique_ptr<http_connection>> idle;
        for (int i = 0; i < 1000; ++i) idle.push_back(std::make_unique<http_connection>(server.port()));
        const auto opened = clock_type::now() - start;
        INFO("opening 1,000 connections took " << std::chrono::duration_cast<std::chrono::milliseconds>(opened).count()
                                               << " ms");
        CHECK(eventually([&] {
            const auto out = http_request(server.port(), "GET", "/debug/metrics");
            return metric(out.body, "userstream_http_connections") >= 1000;
        }, 3s));
        ordinary_request_works(server, round);
        std::size_t closed = 0;
        for (auto& connection : idle) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(start + idle_timeout + 5s -
                                                                                     clock_type::now());
            if (connection->closed_within(std::max(left, 5ms))) ++closed;
        }
        CHECK(closed == idle.size());
    }
    ordinary_request_works(server, round);
    CHECK(health.problems().empty());

    // Beyond --max-connections: newcomers wait (no answer, no crash) until connections close, then they are served.
    {
        health.pause();
        REQUIRE(eventually([&] {
            const auto out = http_request(server.port(), "GET", "/debug/metrics");
            return metric(out.body, "userstream_http_connections") <= 1;
        }));
        std::vector<std::unique_ptr<http_connection>> holders;
        for (std::size_t i = 0; i < max_connections; ++i) {
            holders.push_back(std::make_unique<http_connection>(server.port()));
        }
        std::vector<std::unique_ptr<http_connection>> waiting;
        for (int i = 0; i < 50; ++i) {
            waiting.push_back(std::make_unique<http_connection>(server.port()));
            REQUIRE(waiting.back()->send(format_request("GET", "/debug/healthz")));
        }
        CHECK_FALSE(waiting.front()->read_response(300ms));
        CHECK(server.process().running());
        holders.resize(holders.size() - 100);  // the clients close 100
        for (auto& connection : waiting) {
            const auto out = connection->read_response(health_bound);
            REQUIRE(out);
            CHECK(out->status == 200);
        }
        holders.clear();
        health.resume();
    }
    ordinary_request_works(server, round);

    std::this_thread::sleep_for(300ms);  // one more health check after the last phase
    const auto problems = health.problems();
    for (const auto& problem : problems) UNSCOPED_INFO(problem);
    CHECK(problems.empty());
    INFO("health checks: " << health.checks() << ", slowest " << health.slowest().count() << " ms");
    CHECK(health.checks() >= 20);
    CHECK(server.stop() == 0);
}
