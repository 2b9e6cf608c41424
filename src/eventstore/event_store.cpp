#include "userstream/eventstore/event_store.hpp"

#include <algorithm>

#include "userstream/core/text.hpp"
#include "userstream/eventstore/errors.hpp"

namespace userstream::eventstore {

std::size_t aggregate_key_hash::operator()(const aggregate_key& key) const noexcept {
    const std::hash<std::string> h;
    std::size_t seed = h(key.instance_id);
    for (const auto* part : {&key.aggregate_type, &key.aggregate_id}) {
        seed ^= h(*part) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
    }
    return seed;
}

namespace {
bool contains_or_empty(const std::vector<std::string>& allowed, const std::string& value) {
    return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}
}  // namespace

bool global_filter::matches(const stored_event& event) const {
    return (instance_id.empty() || instance_id == event.aggregate.instance_id) &&
           contains_or_empty(aggregate_types, event.aggregate.aggregate_type) &&
           contains_or_empty(event_types, event.event_type);
}

namespace {
// JSONB refuses the escape \u0000 (SQLSTATE 22P05). Escapes are skipped pairwise, so an escaped backslash followed by
// "u0000" is not one.
bool holds_nul_escape(std::string_view payload) {
    // find() jumps from backslash to backslash (memchr), most payloads have none.
    for (std::size_t i = payload.find('\\'); i != std::string_view::npos && i + 1 < payload.size();
         i = payload.find('\\', i + 2)) {
        if (payload.substr(i + 1, 5) == "u0000") return true;
    }
    return false;
}
}  // namespace

std::optional<error> check_append(const std::vector<aggregate_append>& batch) {
    for (const auto& part : batch) {
        const auto& key = part.aggregate;
        for (const std::string* text : {&key.instance_id, &key.aggregate_type, &key.aggregate_id, &part.owner}) {
            if (!is_valid_text(*text)) return error(errors::invalid_text);
        }
        for (const auto& event : part.events) {
            if (!is_valid_text(event.event_type) || !is_valid_text(event.creator)) return error(errors::invalid_text);
            if (!is_valid_text(event.payload) || holds_nul_escape(event.payload)) return error(errors::invalid_payload);
        }
    }
    return std::nullopt;
}

}  // namespace userstream::eventstore
