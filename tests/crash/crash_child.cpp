// The process the crash test kills. THREADS threads push in a loop; each push has 1-3 events over one or two of the
// thread's own aggregates, and every event's payload says which push it belongs to and how many events that push
// has. After `append` returns, the push id is written to stdout in one write(2), so what the parent reads is exactly
// what was acknowledged before the SIGKILL.
//
//   crash_child URL RUN THREADS
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "userstream/backends/open_store.hpp"

namespace es = userstream::eventstore;

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: crash_child URL RUN THREADS\n");
        return 2;
    }
    try {
        auto store = userstream::backends::open_store(argv[1]);
        const std::string run = argv[2];
        const int threads = std::atoi(argv[3]);
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                const std::string prefix = "r" + run + "-t" + std::to_string(t);
                std::uint64_t sequences[2] = {0, 0};
                for (int n = 0;; ++n) {
                    const std::string push_id = prefix + "-" + std::to_string(n);
                    const int count = 1 + n % 3;
                    const bool both = n % 4 == 3;
                    std::vector<es::aggregate_append> batch;
                    for (int a = 0; a < (both ? 2 : 1); ++a) {
                        const int which = both ? a : n % 2;
                        batch.push_back({{"crash", "user", prefix + "-a" + std::to_string(which)},
                                         "org",
                                         es::sequence_number{sequences[which]},
                                         {}});
                    }
                    for (int i = 0; i < count; ++i) {
                        es::new_event event;
                        event.event_type = "crash.pushed";
                        event.payload = R"({"push":")" + push_id + R"(","of":)" + std::to_string(count) + "}";
                        batch[static_cast<std::size_t>(i) % batch.size()].events.push_back(event);
                    }
                    auto pushed = store->append(batch);
                    if (!pushed) {
                        std::fprintf(stderr, "crash_child: unexpected conflict on %s\n", push_id.c_str());
                        std::_Exit(3);
                    }
                    for (const auto& part : batch) {
                        const int which = part.aggregate.aggregate_id.back() - '0';
                        sequences[which] += part.events.size();
                    }
                    const std::string line = push_id + "\n";
                    if (::write(1, line.data(), line.size()) != static_cast<ssize_t>(line.size())) std::_Exit(4);
                }
            });
        }
        for (auto& th : pool) th.join();
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "crash_child: %s\n", e.what());
        return 1;
    }
}
