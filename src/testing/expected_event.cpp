#include "userstream/testing/expected_event.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace userstream::testing {

namespace {

using json = nlohmann::json;

bool is_any(const json& value) { return value.is_string() && value.get_ref<const std::string&>() == any_value; }

// The first field of `expected` that `stored` does not match, in words; nullopt when it matches.
std::optional<std::string> subset_mismatch(const json& expected, const json& stored, const std::string& path) {
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        const std::string field = path.empty() ? it.key() : path + "." + it.key();
        const json& want = it.value();
        const auto found = stored.find(it.key());
        const bool present = found != stored.end() && !found->is_null();
        if (want.is_null()) {
            if (present) return "field \"" + field + "\" should be absent, but is " + found->dump();
            continue;
        }
        if (!present) {
            return "field \"" + field + "\" is missing; expected " + (is_any(want) ? "any value" : want.dump());
        }
        if (is_any(want)) continue;
        if (want.is_object()) {
            if (!found->is_object()) return "field \"" + field + "\" is " + found->dump() + "; expected an object";
            if (auto mismatch = subset_mismatch(want, *found, field)) return mismatch;
            continue;
        }
        if (want != *found) return "field \"" + field + "\" is " + found->dump() + "; expected " + want.dump();
    }
    return std::nullopt;
}

std::string shown_payload(std::string_view payload) { return payload.empty() ? "{}" : std::string(payload); }

std::string listing(const std::vector<eventstore::stored_event>& stored,
                    const std::vector<expected_event>& expected) {
    std::string out = "\n  stored:";
    if (stored.empty()) out += " nothing";
    for (std::size_t i = 0; i < stored.size(); ++i) {
        out += "\n    " + std::to_string(i + 1) + ". " + stored[i].event_type + " " + shown_payload(stored[i].payload);
    }
    out += "\n  expected:";
    if (expected.empty()) out += " nothing";
    for (std::size_t i = 0; i < expected.size(); ++i) {
        out += "\n    " + std::to_string(i + 1) + ". " + expected[i].type + " " + shown_payload(expected[i].payload);
    }
    return out;
}

// The first difference between one stored and one expected event; nullopt when they match.
std::optional<std::string> event_mismatch(const eventstore::stored_event& stored, const expected_event& expected) {
    if (stored.event_type != expected.type) {
        return "the type is " + stored.event_type + "; expected " + expected.type;
    }
    const json want = json::parse(expected.payload.empty() ? std::string_view("{}") : expected.payload, nullptr,
                                  /*allow_exceptions=*/false);
    if (!want.is_object()) return "the expected payload is not a JSON object: " + expected.payload;
    if (want.empty()) return std::nullopt;
    const json found =
        json::parse(stored.payload.empty() ? std::string_view("{}") : stored.payload, nullptr, false);
    if (!found.is_object()) return "the stored payload is not a JSON object";
    return subset_mismatch(want, found, "");
}

}  // namespace

check_result match_events(const std::vector<eventstore::stored_event>& stored,
                          const std::vector<expected_event>& expected) {
    if (stored.size() != expected.size()) {
        return check_result::failed("expected " + std::to_string(expected.size()) + " events, " +
                                    std::to_string(stored.size()) + " were stored" + listing(stored, expected));
    }
    for (std::size_t i = 0; i < stored.size(); ++i) {
        if (auto mismatch = event_mismatch(stored[i], expected[i])) {
            return check_result::failed("event " + std::to_string(i + 1) + " (" + stored[i].event_type +
                                        "): " + *mismatch + listing(stored, expected));
        }
    }
    return check_result::passed();
}

}  // namespace userstream::testing
