// A second process for the conformance suite: opens the store at a URL and makes PUSHES pushes on AGGREGATES shared
// aggregates (the other process uses the same ones), each decided on a fresh read with its expected sequence and
// retried on conflict, so the two processes really race.
//
//   conformance_writer URL TAG PUSHES AGGREGATES
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "userstream/backends/open_store.hpp"

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: conformance_writer URL TAG PUSHES AGGREGATES\n");
        return 2;
    }
    try {
        namespace es = userstream::eventstore;
        const std::string tag = argv[2];
        const int pushes = std::atoi(argv[3]);
        const int aggregates = std::atoi(argv[4]);
        auto store = userstream::backends::open_store(argv[1]);
        int conflicts = 0;
        for (int n = 0; n < pushes; ++n) {
            const es::aggregate_key key{"shared", "race", "agg-" + std::to_string(n % aggregates)};
            for (;;) {
                const auto stream = store->read_aggregate(key, {});
                const es::sequence_number expected{stream.empty() ? 0 : stream.back().sequence.value};
                es::new_event event;
                event.event_type = "race.pushed";
                event.payload = R"({"tag":")" + tag + R"(","n":)" + std::to_string(n) + "}";
                auto pushed = store->append({es::aggregate_append{key, "org", expected, {event}}});
                if (pushed) break;
                ++conflicts;
            }
        }
        std::printf("%d conflicts\n", conflicts);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "conformance_writer: %s\n", e.what());
        return 1;
    }
}
