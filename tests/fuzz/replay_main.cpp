// A fuzz target without libFuzzer: runs LLVMFuzzerTestOneInput once on every file under the directories it is given
// (a target's committed corpus and its regressions), in name order, so `./dev test` replays them with g++ builds,
// also under ASan and UBSan. A property failure or a crash aborts the test; a missing directory fails it (a renamed
// corpus must not pass silently), except one named after --optional.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    std::vector<fs::path> files;
    bool optional = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--optional") {
            optional = true;
            continue;
        }
        const fs::path dir(arg);
        if (!fs::is_directory(dir)) {
            if (optional) {
                optional = false;
                continue;
            }
            std::fprintf(stderr, "replay: no directory %s\n", argv[i]);
            return 1;
        }
        optional = false;
        for (const auto& entry : fs::recursive_directory_iterator(dir)) {
            if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in.eof() && in.fail()) {
            std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
            return 1;
        }
        std::fprintf(stderr, "replay: %s\n", file.c_str());
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::printf("replayed %zu inputs\n", files.size());
    return 0;
}
