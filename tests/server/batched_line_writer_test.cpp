// The access log's batched writer (examples/server/batched_line_writer.hpp): lines are held and handed to the sink
// together, in order, and none is lost at flush() or destruction.
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "batched_line_writer.hpp"
#include "support/dev_server.hpp"

using namespace std::chrono_literals;
using server::batched_line_writer;

namespace {
// What the sink received, one entry per call.
struct recording_sink {
    std::mutex mutex;
    std::vector<std::string> batches;

    batched_line_writer::sink sink() {
        return [this](std::string_view lines) {
            const std::lock_guard lock(mutex);
            batches.emplace_back(lines);
        };
    }
    std::vector<std::string> seen() {
        const std::lock_guard lock(mutex);
        return batches;
    }
};

constexpr batched_line_writer::limits never_on_time{.interval = 24h, .max_bytes = 64 * 1024};
}  // namespace

TEST_CASE("the access log holds its lines and writes them in one batch, in order, when flushed", "[server][access_log]") {
    recording_sink out;
    batched_line_writer writer(out.sink(), never_on_time);
    writer.write_line("access method=PUT route=/a status=200 duration_ms=1.000");
    writer.write_line("access method=GET route=/b status=404 duration_ms=2.000");
    writer.write_line("access method=POST route=/c status=500 duration_ms=3.000");
    CHECK(out.seen().empty());

    writer.flush();
    CHECK(out.seen() == std::vector<std::string>{"access method=PUT route=/a status=200 duration_ms=1.000\n"
                                                 "access method=GET route=/b status=404 duration_ms=2.000\n"
                                                 "access method=POST route=/c status=500 duration_ms=3.000\n"});
    writer.flush();  // nothing new: nothing written
    CHECK(out.seen().size() == 1);
}

TEST_CASE("the access log writes at once when it holds its size limit", "[server][access_log]") {
    recording_sink out;
    batched_line_writer writer(out.sink(), {.interval = 24h, .max_bytes = 12});
    writer.write_line("12345");  // 6 bytes with its newline: held
    CHECK(out.seen().empty());
    writer.write_line("abcde");  // 12: the limit, written by this call
    CHECK(out.seen() == std::vector<std::string>{"12345\nabcde\n"});
    writer.write_line("x");
    CHECK(out.seen().size() == 1);
}

TEST_CASE("the access log writes a held line once its interval has passed, without further lines or a flush",
          "[server][access_log]") {
    recording_sink out;
    batched_line_writer writer(out.sink(), {.interval = 20ms, .max_bytes = 64 * 1024});
    writer.write_line("first");
    CHECK(server_test::eventually([&] { return out.seen() == std::vector<std::string>{"first\n"}; }));
    writer.write_line("second");
    CHECK(server_test::eventually([&] { return out.seen() == std::vector<std::string>{"first\n", "second\n"}; }));
}

TEST_CASE("destroying the access log writes the lines it holds", "[server][access_log]") {
    recording_sink out;
    {
        batched_line_writer writer(out.sink(), never_on_time);
        writer.write_line("one");
        writer.write_line("two");
    }
    CHECK(out.seen() == std::vector<std::string>{"one\ntwo\n"});
}
