// What every fuzz target shares: the libFuzzer entry point's declaration, a property check that stops the run with a
// message (libFuzzer then saves the input as a reproducer), and a reader that takes choices from the front of an input.
// The targets compile with clang and libFuzzer (./dev fuzz) and with g++ into replay drivers (replay_main.cpp), so
// nothing here may need libFuzzer's headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace userstream::fuzz {

// A property failed: print what, and abort, which libFuzzer and the replay driver both report as a crash.
[[noreturn]] inline void property_failed(std::string_view what) {
    std::fprintf(stderr, "fuzz property failed: %.*s\n", static_cast<int>(what.size()), what.data());
    std::abort();
}

inline void check(bool holds, std::string_view what) {
    if (!holds) property_failed(what);
}

// Reads choices off the front of an input; the rest is the text under test. Past the end it yields zeros, so every
// input, however short, is a valid one.
class input_reader {
public:
    input_reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    std::uint8_t byte() {
        if (size_ == 0) return 0;
        --size_;
        return *data_++;
    }

    // The next `n` bytes, or fewer at the end.
    std::string_view take(std::size_t n) {
        const std::string_view taken(reinterpret_cast<const char*>(data_), n < size_ ? n : size_);
        data_ += taken.size();
        size_ -= taken.size();
        return taken;
    }

    std::string_view rest() const { return {reinterpret_cast<const char*>(data_), size_}; }

    // Up to the first '\n' (consumed, not returned), or everything left.
    std::string_view line() {
        const auto all = rest();
        const auto end = all.find('\n');
        const auto taken = all.substr(0, end);
        const auto used = end == std::string_view::npos ? all.size() : end + 1;
        data_ += used;
        size_ -= used;
        return taken;
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
};

}  // namespace userstream::fuzz
