// The event codec's decoder (userstream/user/event_codec.hpp) on any stored event: the input's first line is the type
// name (the seed corpus has every name the codec knows, current and legacy), the rest the payload. Properties: decoding throws nothing but decode_error; a decoded
// event encodes under its current type name, and that encoding decodes and encodes again to the same payload (the
// codec's output is a fixed point, so an event read back and stored again is stored unchanged). The first encoding
// may differ from the input: JSON spacing, key order and unknown fields are not kept.
#include <string>

#include "fuzz_check.hpp"
#include "userstream/core/error.hpp"
#include "userstream/user/event_codec.hpp"

using namespace userstream;

namespace {

eventstore::stored_event stored(std::string_view type, std::string_view payload) {
    eventstore::stored_event event;
    event.aggregate = {"instance", "user", "u1"};
    event.owner = "o1";
    event.creator = "admin";
    event.sequence.value = 1;
    event.position.value = 1;
    event.revision = 2;
    event.event_type = std::string(type);
    event.payload = std::string(payload);
    return event;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::input_reader in(data, size);
    const auto type = in.line();

    std::optional<user::user_event> event;
    try {
        event = user::decode(stored(type, in.rest()));
    } catch (const decode_error&) {
        return 0;
    }
    fuzz::check(event.has_value(), "decode under reject returned no event");
    const auto first = user::encode(*event);
    fuzz::check(first.type == user::current_event_type(type), "an event re-encodes under another type name");

    std::optional<user::user_event> again;
    try {
        again = user::decode(stored(first.type, first.payload));
    } catch (const decode_error& e) {
        fuzz::property_failed(std::string("the codec's own encoding does not decode: ") + e.what());
    }
    fuzz::check(again.has_value(), "the codec's own encoding decodes to nothing");
    const auto second = user::encode(*again);
    fuzz::check(second.type == first.type && second.payload == first.payload,
                "a decoded event re-encodes to another payload: " + first.payload + " -> " + second.payload);
    return 0;
}
