// scenario [--store URL] [--pretty] [FILE]
//
// Reads JSON operations, one per line, from FILE or stdin, and writes one JSON result line per operation to stdout
// (docs/scenario.md describes every operation). Exit status: 0 when every line ran (failed operations are results,
// not errors), 2 for bad arguments or a store that cannot be opened.
#include <fstream>
#include <iostream>
#include <memory>

#include "runner.hpp"
#include "userstream/eventstore/memory_event_store.hpp"

int main(int argc, char** argv) {
    scenario::options opts;
    std::string store_url = "memory:";
    std::string file;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--pretty") {
            opts.pretty = true;
        } else if (arg == "--store" && i + 1 < argc) {
            store_url = argv[++i];
        } else if (arg == "--help" || arg == "-h") {
            std::cout << "usage: scenario [--store URL] [--pretty] [FILE]\n";
            return 0;
        } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
            std::cerr << "scenario: unknown option " << arg << "\n";
            return 2;
        } else {
            file = arg;
        }
    }
    if (store_url != "memory:") {
        std::cerr << "scenario: unsupported store URL (only memory: is built in)\n";
        return 2;
    }
    userstream::eventstore::memory_event_store store;
    scenario::runner run(store, opts);
    if (file.empty() || file == "-") {
        run.run(std::cin, std::cout);
        return 0;
    }
    std::ifstream in(file);
    if (!in) {
        std::cerr << "scenario: cannot read " << file << "\n";
        return 2;
    }
    run.run(in, std::cout);
    return 0;
}
