// What the two stored-row fuzz targets check alike: that a row error never quotes the payload, and that decoding a row
// into an event reused from the previous row (as a replay does, keeping its strings' buffers) gives what decoding it
// afresh gives.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "userstream/core/error.hpp"
#include "userstream/eventstore/stored_event.hpp"

namespace userstream::fuzz {

inline bool same_event(const eventstore::stored_event& a, const eventstore::stored_event& b) {
    return a.aggregate == b.aggregate && a.owner == b.owner && a.creator == b.creator &&
           a.sequence.value == b.sequence.value && a.position.value == b.position.value &&
           a.in_tx_order == b.in_tx_order && a.created_at == b.created_at && a.revision == b.revision &&
           a.event_type == b.event_type && a.payload == b.payload;
}

// The payload may hold personal data, so a row error must not quote it. Checked by difference: `decode_other()`
// decodes the same row with the payload's content (not its type or JSONB version byte, which may be what is wrong)
// replaced by other bytes, and must fail with the same message.
template <class DecodeOther>
void check_message_ignores_payload(std::string_view message, DecodeOther&& decode_other) {
    try {
        decode_other();
    } catch (const decode_error& e) {
        check(message == e.what(), "a row error depends on the payload's content: it may quote it");
        return;
    }
    property_failed("a row that fails decodes once its payload's content is replaced");
}

// Decodes row 1 twice, into a fresh event and into the event row 0 was decoded into, and checks both agree: the same
// event, or both a decode_error. `decode(row, event)` throws decode_error for a row it cannot read.
template <class Decode>
void check_reuse(Decode&& decode) {
    eventstore::stored_event reused;
    try {
        decode(0, reused);
    } catch (const decode_error&) {
    }
    std::optional<eventstore::stored_event> fresh;
    try {
        eventstore::stored_event event;
        decode(1, event);
        fresh = std::move(event);
    } catch (const decode_error&) {
    }
    bool reused_ok = true;
    try {
        decode(1, reused);
    } catch (const decode_error&) {
        reused_ok = false;
    }
    check(reused_ok == fresh.has_value(), "a row decodes differently into a reused event");
    if (fresh) check(same_event(*fresh, reused), "a row decodes to another event into a reused event");
}

}  // namespace userstream::fuzz
