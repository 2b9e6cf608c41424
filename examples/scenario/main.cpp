// scenario [--store URL] [--pretty] [FILE]
//
// Reads JSON operations, one per line, from FILE or stdin, and writes one JSON result line per operation to stdout
// (docs/scenario.md describes every operation). The store defaults to `memory:`; with `sqlite:PATH` state survives
// between runs. Exit status: 0 when every line ran (failed operations are answers, not errors), 2 for bad
// arguments, a store that cannot be opened or read, or a key file beside a SQLite store that cannot be used (one
// that is not exactly 32 bytes, say), with the reason on stderr.
#include <fstream>
#include <iostream>
#include <memory>

#include "key_file.hpp"
#include "runner.hpp"
#include "userstream/backends/open_store.hpp"

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
    std::unique_ptr<userstream::eventstore::event_store> store;
    try {
        store = userstream::backends::open_store(store_url);
    } catch (const std::exception& e) {
        std::cerr << "scenario: " << e.what() << "\n";
        return 2;
    }
    std::unique_ptr<scenario::runner> runner;
    try {
        runner = std::make_unique<scenario::runner>(*store, opts);
        // A SQLite file keeps its codes' key beside it, so a later run can still decrypt them.
        if (store_url.rfind("sqlite:", 0) == 0 && store_url != "sqlite::memory:") {
            const auto path = store_url.substr(store_url.rfind("sqlite://", 0) == 0 ? 9 : 7);
            scenario::use_key_file(runner->keys(), path.substr(0, path.find('?')) + ".key");
        }
    } catch (const std::exception& e) {
        // A damaged key file, or a store that opened but cannot be read: nothing this run could answer is right.
        std::cerr << "scenario: " << e.what() << "\n";
        return 2;
    }
    if (opts.pretty) {
        std::cout << "# store: " << store_url << ", " << store->head().value << " events stored before this run\n";
    }
    std::ifstream in;
    if (!file.empty() && file != "-") {
        in.open(file);
        if (!in) {
            std::cerr << "scenario: cannot read " << file << "\n";
            return 2;
        }
    }
    runner->run(in.is_open() ? static_cast<std::istream&>(in) : std::cin, std::cout);
    return 0;
}
