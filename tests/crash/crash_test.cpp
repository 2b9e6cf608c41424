// Kill a pushing process with SIGKILL at random points, 20 times per durable backend. After every kill the store
// reopens, every push the child acknowledged is there, no push is there in part, and the log keeps its shape
// (positions 1..N, per-aggregate sequences 1..K).
#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "postgres_test_server.hpp"
#include "userstream/backends/open_store.hpp"

namespace es = userstream::eventstore;
using namespace std::chrono;

namespace {

constexpr int kills = 20;

struct child_run {
    std::set<std::string> acknowledged;
};

// Starts the child, reads acknowledgements until a random moment after the first one, kills it, and collects every
// acknowledgement it managed to write.
child_run run_and_kill(const std::string& url, int run, std::mt19937& random) {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(out[1], 1);
        ::close(out[0]);
        ::close(out[1]);
        const std::string run_text = std::to_string(run);
        ::execl(CRASH_CHILD_PATH, "crash_child", url.c_str(), run_text.c_str(), "4", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(out[1]);

    std::string buffer;
    const auto read_some = [&](int timeout_ms) {
        pollfd p{out[0], POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) <= 0) return false;
        char chunk[4096];
        const auto got = ::read(out[0], chunk, sizeof chunk);
        if (got <= 0) return false;
        buffer.append(chunk, static_cast<std::size_t>(got));
        return true;
    };
    // Wait for the first acknowledgement (the store is open and pushing), then let it run a random while.
    const auto give_up = steady_clock::now() + seconds(20);
    while (buffer.find('\n') == std::string::npos && steady_clock::now() < give_up) read_some(100);
    REQUIRE(buffer.find('\n') != std::string::npos);
    const auto kill_at = steady_clock::now() + milliseconds(std::uniform_int_distribution<int>(1, 40)(random));
    while (steady_clock::now() < kill_at) {
        read_some(static_cast<int>(duration_cast<milliseconds>(kill_at - steady_clock::now()).count()) + 1);
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    INFO("child exited on its own with status " << status);
    REQUIRE(WIFSIGNALED(status));
    while (read_some(0)) {
    }
    ::close(out[0]);

    child_run result;
    std::size_t start = 0;
    for (auto end = buffer.find('\n'); end != std::string::npos; end = buffer.find('\n', start)) {
        result.acknowledged.insert(buffer.substr(start, end - start));
        start = end + 1;
    }
    return result;
}

void check_after_crash(es::event_store& store, const std::set<std::string>& acknowledged) {
    std::map<std::string, int> events_of_push;
    std::map<std::string, int> declared;
    std::map<std::string, std::uint64_t> last_sequence;
    std::uint64_t expected_position = 1;
    store.for_each_global({}, {}, [&](const es::stored_event& e) {
        REQUIRE(e.position.value == expected_position++);
        auto& last = last_sequence[e.aggregate.aggregate_id];
        REQUIRE(e.sequence.value == last + 1);
        last = e.sequence.value;
        const auto payload = nlohmann::json::parse(e.payload);
        const auto push = payload.at("push").get<std::string>();
        ++events_of_push[push];
        declared[push] = payload.at("of").get<int>();
        return true;
    });
    for (const auto& [push, count] : events_of_push) {
        INFO("push " << push);
        CHECK(count == declared[push]);  // no partial push
    }
    for (const auto& push : acknowledged) {
        INFO("acknowledged push " << push);
        CHECK(events_of_push.contains(push));
    }
}

void crash_loop(const std::string& url) {
    std::mt19937 random(std::random_device{}());
    std::set<std::string> acknowledged;
    std::size_t total = 0;
    for (int run = 0; run < kills; ++run) {
        const auto killed = run_and_kill(url, run, random);
        acknowledged.insert(killed.acknowledged.begin(), killed.acknowledged.end());
        total += killed.acknowledged.size();
        auto store = userstream::backends::open_store(url);
        check_after_crash(*store, acknowledged);
    }
    INFO("acknowledged pushes over all runs: " << total);
    CHECK(total > static_cast<std::size_t>(kills));
}

}  // namespace

TEST_CASE("crash: SQLite file, synchronous=full, group commit", "[crash]") {
    const auto dir = std::filesystem::temp_directory_path() / ("userstream-crash-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    crash_loop("sqlite:" + (dir / "events.db").string());
    std::filesystem::remove_all(dir);
}

TEST_CASE("crash: PostgreSQL, group commit", "[crash]") {
    const auto schema = conformance::unique_schema_name("crash");
    crash_loop(conformance::store_url_for_schema(schema));
    conformance::drop_schema(schema);
}
