// userstream/user/event_codec.hpp
//
// Converts user events to and from the store's envelope (type name + JSON payload). Payloads are ZITADEL's,
// byte-compatible in field names and omit-empty rules. ZITADEL's legacy v1 type names (`user.phone.changed`, ...)
// decode to the same events. Decoding never calls libphonenumber: stored numbers are trusted E.164.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "userstream/eventstore/stored_event.hpp"
#include "userstream/user/events.hpp"

namespace userstream::user {

struct encoded_event {
    std::string_view type;
    std::string payload;  // empty = no payload
};

// The current (non-legacy) type name of an event.
std::string_view event_type_of(const user_event& event) noexcept;

encoded_event encode(const user_event& event);

// What to do with a stored event whose type this codec does not know.
enum class unknown_event_policy { reject, skip };

// Decodes a stored user event. Returns nullopt for an unknown type under `skip`; throws decode_error naming
// instance, aggregate, sequence and type for a malformed payload, or an unknown type under `reject`.
std::optional<user_event> decode(const eventstore::stored_event& event,
                                 unknown_event_policy unknown = unknown_event_policy::reject);

// Every type name the codec decodes, current and legacy.
std::span<const std::string_view> known_event_types() noexcept;

// The current type name for a stored type name: itself, or for a ZITADEL legacy v1 name its current twin
// (`user.phone.code.added` -> `user.human.phone.code.added`). Unknown names are returned unchanged.
std::string_view current_event_type(std::string_view stored_type) noexcept;

// Every name an event of `current_type` may be stored under: the current name, then ZITADEL's legacy v1 name if it
// has one (for filtering a global read).
std::vector<std::string> stored_event_types(std::string_view current_type);

// What a secret in this stored event's payload is bound to (key_ring's associated data): the event's instance, its
// user and its current type name. The views point into `event` and into static storage.
secret_binding code_binding(const eventstore::stored_event& event) noexcept;

}  // namespace userstream::user
