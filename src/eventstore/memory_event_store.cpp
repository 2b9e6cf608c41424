#include "userstream/eventstore/memory_event_store.hpp"

#include <mutex>

#include "userstream/eventstore/errors.hpp"

namespace userstream::eventstore {

void memory_event_store::event_log::push_back(stored_event event) {
    if (size_ % chunk_size == 0) {
        chunks_.emplace_back();
        chunks_.back().reserve(chunk_size);
    }
    chunks_.back().push_back(std::move(event));
    ++size_;
}

result<append_result> memory_event_store::append(std::vector<aggregate_append> batch) {
    if (auto rejected = check_append(batch)) return std::move(*rejected);
    std::unique_lock lock(mutex_);

    // Check every aggregate before writing anything, so a conflict leaves the store untouched. The streams found are
    // kept, so that writing looks each aggregate up only once more if it is new.
    std::vector<std::uint64_t> next_sequence;
    std::vector<std::vector<std::size_t>*> found;
    next_sequence.reserve(batch.size());
    found.reserve(batch.size());
    std::size_t event_count = 0;
    for (const auto& part : batch) {
        const auto it = streams_.find(part.aggregate);
        const std::uint64_t current = it == streams_.end() ? 0 : log_[it->second.back()].sequence.value;
        if (part.expected_sequence && part.expected_sequence->value != current) {
            return errors::concurrency_conflict;
        }
        next_sequence.push_back(current);
        found.push_back(it == streams_.end() ? nullptr : &it->second);
        event_count += part.events.size();
    }

    append_result out;
    out.events.reserve(event_count);
    std::uint32_t in_tx_order = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        auto& part = batch[i];
        // The same aggregate may appear twice in one batch; continue from what this batch already wrote.
        for (std::size_t j = 0; j < i; ++j) {
            if (batch[j].aggregate == part.aggregate) next_sequence[i] += batch[j].events.size();
        }
        if (part.events.empty()) continue;  // checked above; creates no stream (whose `back()` the next push would read)
        // Pointers to mapped values survive rehashing, so one found above is still good after another part's insert.
        auto& stream = found[i] != nullptr ? *found[i] : streams_[part.aggregate];
        for (auto& event : part.events) {
            stored_event stored{part.aggregate,
                                part.owner,
                                std::move(event.creator),
                                sequence_number{++next_sequence[i]},
                                global_position{log_.size() + 1},
                                in_tx_order++,
                                event.created_at,
                                event.revision,
                                std::move(event.event_type),
                                std::move(event.payload)};
            stream.push_back(log_.size());
            out.events.push_back(stored);
            log_.push_back(std::move(stored));
        }
    }
    out.last_position = global_position{log_.size()};
    return out;
}

std::vector<stored_event> memory_event_store::read_aggregate(const aggregate_key& aggregate,
                                                             sequence_number after) const {
    std::shared_lock lock(mutex_);
    std::vector<stored_event> out;
    const auto it = streams_.find(aggregate);
    if (it == streams_.end()) return out;
    // Sequences are 1..N, so the events after `after` start at index `after`.
    const auto& indexes = it->second;
    const std::size_t first = std::min<std::size_t>(after.value, indexes.size());
    out.reserve(indexes.size() - first);
    for (std::size_t i = first; i < indexes.size(); ++i) {
        out.push_back(log_[indexes[i]]);
    }
    return out;
}

std::vector<stored_event> memory_event_store::read_global(global_position after, const global_filter& filter,
                                                          std::size_t limit) const {
    std::shared_lock lock(mutex_);
    std::vector<stored_event> out;
    for (std::size_t i = after.value; i < log_.size() && out.size() < limit; ++i) {
        if (filter.matches(log_[i])) out.push_back(log_[i]);
    }
    return out;
}

std::uint64_t memory_event_store::for_each_global(global_position after, const global_filter& filter,
                                                  const std::function<bool(const stored_event&)>& visit) const {
    // The common replay takes every event: decided once here, not by three field checks per event.
    const bool takes_all = filter.instance_id.empty() && filter.aggregate_types.empty() && filter.event_types.empty();
    std::shared_lock lock(mutex_);
    std::uint64_t visited = 0;
    if (after.value >= log_.size()) return visited;
    log_.visit_from(after.value, [&](const stored_event& event) {
        if (!takes_all && !filter.matches(event)) return true;
        ++visited;
        return visit(event);
    });
    return visited;
}

global_position memory_event_store::head() const {
    std::shared_lock lock(mutex_);
    return global_position{log_.size()};
}

}  // namespace userstream::eventstore
