// Token comparison time. Given a token file of 1,024 callers, when the authenticator checks 10,000 known tokens and
// 10,000 unknown tokens of the same length (random ones, and near misses that differ from a known token only in the
// last character), then the two sets of timings are indistinguishable.
//
// Measured in process against token_file::authenticate, not over HTTP: a socket round trip adds tens of microseconds
// of noise to a check of a few microseconds, so only the in-process measurement could ever see a leak. The tries are
// interleaved in a random order, so drift of the machine's speed falls on both sets alike, and the slowest 10 % of
// each set (preemptions, interrupts) are dropped. A difference counts as distinguishable only when it is both
// statistically clear (Welch's t over the trimmed samples beyond 10, far past any chance result at this sample size)
// and large (the trimmed means differ by more than 5 %). A comparison that stops at the first matching entry (an
// early return, or an early-exit memcmp or == on the tokens inside such a loop) makes known tokens measurably faster
// as unknown ones here and fails both bounds by far; the constant-time scan differs only by copying the caller out.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include <nlohmann/json.hpp>

#include "userstream/api/authenticator.hpp"

namespace {

struct summary {
    double mean = 0;
    double variance = 0;
    std::size_t n = 0;
};

// Mean and variance of the fastest 90 %.
summary trimmed(std::vector<double> samples) {
    std::sort(samples.begin(), samples.end());
    samples.resize(samples.size() * 9 / 10);
    summary out;
    out.n = samples.size();
    out.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(out.n);
    for (const double s : samples) out.variance += (s - out.mean) * (s - out.mean);
    out.variance /= static_cast<double>(out.n - 1);
    return out;
}

double welch_t(const summary& a, const summary& b) {
    return (a.mean - b.mean) /
           std::sqrt(a.variance / static_cast<double>(a.n) + b.variance / static_cast<double>(b.n));
}

std::string random_token(std::mt19937_64& random) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(64, '0');
    for (auto& c : out) c = digits[random() % 16];
    return out;
}

}  // namespace

TEST_CASE("known and unknown tokens of equal length take indistinguishable time to check, over 10,000 tries each",
          "[security][timing]") {
    std::mt19937_64 random(20261127);  // fixed: a failure must reproduce
    constexpr std::size_t callers = 1024;
    constexpr std::size_t tries = 10'000;
    std::vector<std::string> tokens;
    nlohmann::json file{{"tokens", nlohmann::json::array()}};
    for (std::size_t i = 0; i < callers; ++i) {
        tokens.push_back(random_token(random));
        file["tokens"].push_back({{"token", tokens.back()}, {"userId", "u" + std::to_string(i)}, {"orgId", "o1"}});
    }
    const auto authenticator = userstream::api::token_file::parse(file.dump());

    // Every presented token is a string of its own, so known and unknown ones sit alike in memory.
    std::vector<std::string> known, unknown;
    for (std::size_t i = 0; i < tries; ++i) {
        known.push_back(tokens[random() % callers]);
        if (i % 2 == 0) {
            unknown.push_back(random_token(random));
        } else {  // a near miss: a known token with its last character changed
            auto near = tokens[random() % callers];
            near.back() = near.back() == 'f' ? '0' : 'f';
            unknown.push_back(std::move(near));
        }
    }
    std::vector<bool> order(2 * tries, false);
    std::fill(order.begin(), order.begin() + tries, true);
    std::shuffle(order.begin(), order.end(), random);

    for (std::size_t i = 0; i < 1'000; ++i) {  // warm the caches and the branch predictors
        (void)authenticator.authenticate(known[i]);
        (void)authenticator.authenticate(unknown[i]);
    }
    std::vector<double> known_ns, unknown_ns;
    std::size_t next_known = 0, next_unknown = 0, accepted = 0;
    for (const bool is_known : order) {
        const auto& token = is_known ? known[next_known++] : unknown[next_unknown++];
        const auto start = std::chrono::steady_clock::now();
        const auto who = authenticator.authenticate(token);
        const auto stop = std::chrono::steady_clock::now();
        accepted += who.has_value() ? 1 : 0;
        (is_known ? known_ns : unknown_ns).push_back(std::chrono::duration<double, std::nano>(stop - start).count());
    }
    REQUIRE(accepted == tries);  // every known token was accepted, no unknown one

    const auto k = trimmed(known_ns);
    const auto u = trimmed(unknown_ns);
    const double t = welch_t(k, u);
    const double relative = std::abs(k.mean - u.mean) / std::min(k.mean, u.mean);
    INFO("known: trimmed mean " << k.mean << " ns (sd " << std::sqrt(k.variance) << "), unknown: " << u.mean
                                << " ns (sd " << std::sqrt(u.variance) << "), Welch t " << t << ", difference "
                                << relative * 100 << " %");
    CHECK_FALSE((std::abs(t) > 10.0 && relative > 0.05));
}
