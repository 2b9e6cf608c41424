// userstream/subscriptions/page_fold.hpp
//
// The page-at-a-time fold every read model of the library uses, in every storage, and a host's own exactly-once read
// model may use too: each event's row is loaded once per page (from a map, or with one SELECT), folded in memory, and
// the rows that changed are written back once, in first-touch order. A fold that throws (a malformed payload) leaves
// the storage untouched because nothing is written before the whole page is folded.
//
//     fold_page<my_row>(events,
//                       [&](const eventstore::aggregate_key& a) { return load_row(a); },   // std::optional<my_row>
//                       advance_my_row,                                                     // false: row unchanged
//                       [&](const eventstore::aggregate_key& a, const my_row& row) { save_row(a, row); });
#pragma once

#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "userstream/eventstore/stored_event.hpp"

namespace userstream::subscriptions {

// Load:  std::optional<Row>(const aggregate_key&)
// Fold:  bool(std::optional<Row>&, const stored_event&)  - true when the row changed
// Save:  void(const aggregate_key&, const Row&)
template <class Row, class Load, class Fold, class Save>
void fold_page(std::span<const eventstore::stored_event> events, Load&& load, Fold&& fold, Save&& save) {
    struct slot {
        std::optional<Row> row;
        bool changed = false;
    };
    std::unordered_map<eventstore::aggregate_key, slot, eventstore::aggregate_key_hash> slots;
    std::vector<const eventstore::aggregate_key*> order;  // node-based map: the keys do not move
    for (const auto& event : events) {
        auto it = slots.find(event.aggregate);
        if (it == slots.end()) it = slots.emplace(event.aggregate, slot{load(event.aggregate)}).first;
        if (fold(it->second.row, event) && !it->second.changed) {
            it->second.changed = true;
            order.push_back(&it->first);
        }
    }
    for (const auto* key : order) save(*key, *slots.at(*key).row);
}

}  // namespace userstream::subscriptions
