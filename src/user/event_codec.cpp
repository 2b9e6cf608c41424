#include "userstream/user/event_codec.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "detail/base64.hpp"
#include "overloaded.hpp"
#include "userstream/core/error.hpp"

namespace userstream::user {

namespace {

using json = nlohmann::json;
namespace et = event_types;

using userstream::detail::overloaded;

// Go's encoding/json writes struct fields in declaration order; ordered_json keeps ours the same.
using ordered = nlohmann::ordered_json;

std::string dump(const ordered& j) { return j.dump(); }

// The payloads every phone command writes (phone.changed, code.added) are written by hand: building them as
// ordered_json cost more than everything else a SetPhone does besides the phone parse and the code's encryption.
// The hand-written text is byte for byte what `dump` writes; a string field that is not plain printable ASCII
// (it would need escapes, or UTF-8 validation with dump's error) makes the whole payload go through nlohmann, so
// such fields keep dump's output and errors exactly.
bool is_plain(std::string_view text) noexcept {
    for (const char c : text) {
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
    }
    return true;
}

void append_field(std::string& out, std::string_view name) {
    if (out.size() > 1 && out.back() != '{') out += ',';
    out += '"';
    out += name;
    out += "\":";
}

void append_string(std::string& out, std::string_view name, std::string_view plain_value) {
    append_field(out, name);
    out += '"';
    out += plain_value;
    out += '"';
}

template <class Integer>
void append_integer(std::string& out, std::string_view name, Integer value) {
    append_field(out, name);
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
    out.append(digits.data(), end);
}

std::string phone_payload_json(const phone_number& phone) {
    ordered j = ordered::object();
    if (!phone.empty()) j["phone"] = phone.e164();
    return dump(j);
}

std::string phone_payload(const phone_number& phone) {
    // `phone,omitempty`: an empty number gives `{}`.
    if (phone.empty()) return "{}";
    if (!is_plain(phone.e164())) return phone_payload_json(phone);
    std::string out;
    out.reserve(phone.e164().size() + 12);
    out += '{';
    append_string(out, "phone", phone.e164());
    out += '}';
    return out;
}

// ZITADEL's HumanAddedEvent / HumanRegisteredEvent (internal/repository/user/human.go), fields in its declaration
// order. Go writes `userName` even when empty; we omit it then, so that users added without username and email keep
// the `{}` / `{"phone":...}` payload they always had (ZITADEL itself never stores an empty username).
template <class Added>
std::string human_added_payload(const Added& e) {
    ordered j = ordered::object();
    const auto put = [&j](const char* field, const std::string& value) {
        if (!value.empty()) j[field] = value;
    };
    put("userName", e.user_name);
    put("firstName", e.profile.given_name);
    put("lastName", e.profile.family_name);
    put("nickName", e.profile.nick_name);
    put("displayName", e.profile.display_name);
    put("preferredLanguage", e.profile.preferred_language);
    if (e.profile.gender != 0) j["gender"] = e.profile.gender;
    put("email", e.email);
    if (!e.phone.empty()) j["phone"] = e.phone.e164();
    return dump(j);
}

// ZITADEL's MachineAddedEvent: `userName`, `name`, `description` (omitempty). A machine added with none of them keeps
// the empty payload (NULL) it always had.
std::string machine_added_payload(const machine_added& e) {
    if (e.user_name.empty() && e.name.empty() && e.description.empty()) return {};
    ordered j = ordered::object();
    if (!e.user_name.empty()) j["userName"] = e.user_name;
    if (!e.name.empty()) j["name"] = e.name;
    if (!e.description.empty()) j["description"] = e.description;
    return dump(j);
}

std::string code_added_payload_json(const phone_code_added& e) {
    ordered j = ordered::object();
    if (e.code) {
        j["code"] = {{"CryptoType", e.code->crypto_type},
                     {"Algorithm", e.code->algorithm},
                     {"KeyID", e.code->key_id},
                     {"Crypted", detail::base64_encode(e.code->crypted)}};
    }
    if (e.expiry.count() != 0) j["expiry"] = e.expiry.count();
    if (e.code_returned) j["code_returned"] = true;
    if (!e.generator_id.empty()) j["generatorId"] = e.generator_id;
    if (!e.trigger_origin.empty()) j["triggerOrigin"] = e.trigger_origin;
    return dump(j);
}

// code_added_payload_json's fields in its order, without building a JSON tree.
std::string code_added_payload(const phone_code_added& e) {
    if ((e.code && (!is_plain(e.code->algorithm) || !is_plain(e.code->key_id))) || !is_plain(e.generator_id) ||
        !is_plain(e.trigger_origin)) {
        return code_added_payload_json(e);
    }
    std::string out;
    out.reserve(160);
    out += '{';
    if (e.code) {
        append_field(out, "code");
        out += '{';
        append_integer(out, "CryptoType", e.code->crypto_type);
        append_string(out, "Algorithm", e.code->algorithm);
        append_string(out, "KeyID", e.code->key_id);
        append_string(out, "Crypted", detail::base64_encode(e.code->crypted));  // the base64 alphabet is plain
        out += '}';
    }
    if (e.expiry.count() != 0) append_integer(out, "expiry", e.expiry.count());
    if (e.code_returned) {
        append_field(out, "code_returned");
        out += "true";
    }
    if (!e.generator_id.empty()) append_string(out, "generatorId", e.generator_id);
    if (!e.trigger_origin.empty()) append_string(out, "triggerOrigin", e.trigger_origin);
    out += '}';
    return out;
}

std::string code_sent_payload(const phone_code_sent& e) {
    ordered j = ordered::object();
    if (e.generator_info) {
        ordered info = ordered::object();
        if (!e.generator_info->id.empty()) info["id"] = e.generator_info->id;
        if (!e.generator_info->verification_id.empty()) info["verificationId"] = e.generator_info->verification_id;
        j["generatorInfo"] = std::move(info);
    }
    return dump(j);
}

[[noreturn]] void fail(const eventstore::stored_event& event, std::string_view why) {
    throw decode_error(fmt::format("cannot decode event {} of {} {} (instance {}), sequence {}: {}", event.event_type,
                                   event.aggregate.aggregate_type, event.aggregate.aggregate_id,
                                   event.aggregate.instance_id, event.sequence.value, why));
}

json parse_payload(const eventstore::stored_event& event) {
    if (event.payload.empty()) return json::object();
    json j = json::parse(event.payload, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) fail(event, "payload is not JSON");
    if (j.is_null()) return json::object();  // a JSON null column
    if (!j.is_object()) fail(event, "payload is not a JSON object");
    return j;
}

std::string optional_string(const eventstore::stored_event& event, const json& j, const char* field) {
    const auto it = j.find(field);
    if (it == j.end() || it->is_null()) return {};
    if (!it->is_string()) fail(event, fmt::format("field '{}' is not a string", field));
    return it->get<std::string>();
}

phone_number phone_from(const eventstore::stored_event& event) {
    return phone_number::from_stored(optional_string(event, parse_payload(event), "phone"));
}

// Payloads written before these fields existed (and ZITADEL's, with fields we do not model) decode: every field is
// optional.
template <class Added>
Added decode_human_added(const eventstore::stored_event& event) {
    const json j = parse_payload(event);
    Added e;
    e.phone = phone_number::from_stored(optional_string(event, j, "phone"));
    e.user_name = optional_string(event, j, "userName");
    e.profile.given_name = optional_string(event, j, "firstName");
    e.profile.family_name = optional_string(event, j, "lastName");
    e.profile.nick_name = optional_string(event, j, "nickName");
    e.profile.display_name = optional_string(event, j, "displayName");
    e.profile.preferred_language = optional_string(event, j, "preferredLanguage");
    if (const auto it = j.find("gender"); it != j.end() && !it->is_null()) {
        if (!it->is_number_integer()) fail(event, "field 'gender' is not an integer");
        const auto gender = it->get<std::int64_t>();
        // Go's domain.Gender is an int32; protobuf's open enums let any int32 through, so all of them decode.
        if (gender < std::numeric_limits<std::int32_t>::min() || gender > std::numeric_limits<std::int32_t>::max()) {
            fail(event, "field 'gender' is out of range");
        }
        e.profile.gender = static_cast<int>(gender);
    }
    e.email = optional_string(event, j, "email");
    return e;
}

machine_added decode_machine_added(const eventstore::stored_event& event) {
    const json j = parse_payload(event);
    return {optional_string(event, j, "userName"), optional_string(event, j, "name"),
            optional_string(event, j, "description")};
}

phone_code_added decode_code_added(const eventstore::stored_event& event) {
    const json j = parse_payload(event);
    phone_code_added e;
    if (const auto it = j.find("code"); it != j.end() && !it->is_null()) {
        if (!it->is_object()) fail(event, "field 'code' is not an object");
        encrypted_value code;
        if (const auto t = it->find("CryptoType"); t != it->end()) {
            if (!t->is_number_integer()) fail(event, "field 'code.CryptoType' is not an integer");
            code.crypto_type = t->get<std::int32_t>();
        }
        code.algorithm = optional_string(event, *it, "Algorithm");
        code.key_id = optional_string(event, *it, "KeyID");
        auto bytes = detail::base64_decode(optional_string(event, *it, "Crypted"));
        if (!bytes) fail(event, "field 'code.Crypted' is not base64");
        code.crypted = std::move(*bytes);
        e.code = std::move(code);
    }
    if (const auto it = j.find("expiry"); it != j.end() && !it->is_null()) {
        if (!it->is_number_integer()) fail(event, "field 'expiry' is not an integer (nanoseconds)");
        e.expiry = std::chrono::nanoseconds(it->get<std::int64_t>());
    }
    if (const auto it = j.find("code_returned"); it != j.end() && !it->is_null()) {
        if (!it->is_boolean()) fail(event, "field 'code_returned' is not a boolean");
        e.code_returned = it->get<bool>();
    }
    e.generator_id = optional_string(event, j, "generatorId");
    e.trigger_origin = optional_string(event, j, "triggerOrigin");
    return e;
}

phone_code_sent decode_code_sent(const eventstore::stored_event& event) {
    const json j = parse_payload(event);
    phone_code_sent e;
    if (const auto it = j.find("generatorInfo"); it != j.end() && !it->is_null()) {
        if (!it->is_object()) fail(event, "field 'generatorInfo' is not an object");
        e.generator_info = code_generator_info{optional_string(event, *it, "id"),
                                               optional_string(event, *it, "verificationId")};
    }
    return e;
}

// Events without a payload still validate that whatever is stored is JSON, so corruption is not silently ignored.
template <class Event>
Event without_payload(const eventstore::stored_event& event) {
    (void)parse_payload(event);
    return Event{};
}

using decoder = user_event (*)(const eventstore::stored_event&);

struct decoder_entry {
    std::string_view type;
    decoder decode;
    std::string_view current;  // the current twin of a legacy name; empty for a current name
};

constexpr decoder human_added_decoder = [](const eventstore::stored_event& e) -> user_event { return decode_human_added<human_added>(e); };
constexpr decoder human_registered_decoder = [](const eventstore::stored_event& e) -> user_event { return decode_human_added<human_registered>(e); };
constexpr decoder machine_added_decoder = [](const eventstore::stored_event& e) -> user_event { return decode_machine_added(e); };
constexpr decoder phone_changed_decoder = [](const eventstore::stored_event& e) -> user_event { return phone_changed{phone_from(e)}; };
constexpr decoder code_added_decoder = [](const eventstore::stored_event& e) -> user_event { return decode_code_added(e); };
constexpr decoder code_sent_decoder = [](const eventstore::stored_event& e) -> user_event { return decode_code_sent(e); };
template <class Event>
constexpr decoder empty_decoder = [](const eventstore::stored_event& e) -> user_event { return without_payload<Event>(e); };

// Current names first, then ZITADEL's legacy v1 names (internal/repository/user/v1.go) mapping to the same events.
// `user.machine.added` and `user.removed` have no legacy twin.
constexpr std::array<decoder_entry, 24> decoders{{
    {et::human_added, human_added_decoder, {}},
    {et::human_registered, human_registered_decoder, {}},
    {et::human_initial_code_added, empty_decoder<human_initial_code_added>, {}},
    {et::human_initialized_check_succeeded, empty_decoder<human_initialized_check_succeeded>, {}},
    {et::machine_added, machine_added_decoder, {}},
    {et::user_removed, empty_decoder<user_removed>, {}},
    {et::email_verified, empty_decoder<email_verified>, {}},
    {et::phone_changed, phone_changed_decoder, {}},
    {et::phone_verified, empty_decoder<phone_verified>, {}},
    {et::phone_code_added, code_added_decoder, {}},
    {et::phone_code_sent, code_sent_decoder, {}},
    {et::phone_removed, empty_decoder<phone_removed>, {}},
    {et::phone_verification_failed, empty_decoder<phone_verification_failed>, {}},
    {"user.added", human_added_decoder, et::human_added},
    {"user.selfregistered", human_registered_decoder, et::human_registered},
    {"user.initialization.code.added", empty_decoder<human_initial_code_added>, et::human_initial_code_added},
    {"user.initialization.check.succeeded", empty_decoder<human_initialized_check_succeeded>,
     et::human_initialized_check_succeeded},
    {"user.email.verified", empty_decoder<email_verified>, et::email_verified},
    {"user.phone.changed", phone_changed_decoder, et::phone_changed},
    {"user.phone.verified", empty_decoder<phone_verified>, et::phone_verified},
    {"user.phone.code.added", code_added_decoder, et::phone_code_added},
    {"user.phone.code.sent", code_sent_decoder, et::phone_code_sent},
    {"user.phone.removed", empty_decoder<phone_removed>, et::phone_removed},
    {"user.phone.verification.failed", empty_decoder<phone_verification_failed>, et::phone_verification_failed},
}};

constexpr auto make_type_list() {
    std::array<std::string_view, decoders.size()> types{};
    for (std::size_t i = 0; i < decoders.size(); ++i) types[i] = decoders[i].type;
    return types;
}
constexpr auto type_list = make_type_list();

}  // namespace

std::string_view event_type_of(const user_event& event) noexcept {
    return std::visit(overloaded{
                          [](const human_added&) { return et::human_added; },
                          [](const human_registered&) { return et::human_registered; },
                          [](const human_initial_code_added&) { return et::human_initial_code_added; },
                          [](const human_initialized_check_succeeded&) { return et::human_initialized_check_succeeded; },
                          [](const machine_added&) { return et::machine_added; },
                          [](const user_removed&) { return et::user_removed; },
                          [](const email_verified&) { return et::email_verified; },
                          [](const phone_changed&) { return et::phone_changed; },
                          [](const phone_verified&) { return et::phone_verified; },
                          [](const phone_code_added&) { return et::phone_code_added; },
                          [](const phone_code_sent&) { return et::phone_code_sent; },
                          [](const phone_removed&) { return et::phone_removed; },
                          [](const phone_verification_failed&) { return et::phone_verification_failed; },
                      },
                      event);
}

encoded_event encode(const user_event& event) {
    std::string payload = std::visit(overloaded{
                                         [](const human_added& e) { return human_added_payload(e); },
                                         [](const human_registered& e) { return human_added_payload(e); },
                                         [](const machine_added& e) { return machine_added_payload(e); },
                                         [](const phone_changed& e) { return phone_payload(e.phone); },
                                         [](const phone_code_added& e) { return code_added_payload(e); },
                                         [](const phone_code_sent& e) { return code_sent_payload(e); },
                                         [](const auto&) { return std::string(); },  // no payload: NULL column
                                     },
                                     event);
    return {event_type_of(event), std::move(payload)};
}

std::optional<user_event> decode(const eventstore::stored_event& event, unknown_event_policy unknown) {
    for (const auto& entry : decoders) {
        if (entry.type == event.event_type) return entry.decode(event);
    }
    if (unknown == unknown_event_policy::skip) return std::nullopt;
    fail(event, "unknown event type");
}

std::span<const std::string_view> known_event_types() noexcept { return type_list; }

std::string_view current_event_type(std::string_view stored_type) noexcept {
    for (const auto& entry : decoders) {
        if (entry.type == stored_type) return entry.current.empty() ? entry.type : entry.current;
    }
    return stored_type;
}

std::vector<std::string> stored_event_types(std::string_view current_type) {
    std::vector<std::string> out;
    for (const auto& entry : decoders) {
        if (entry.type == current_type || entry.current == current_type) out.emplace_back(entry.type);
    }
    return out;
}

secret_binding code_binding(const eventstore::stored_event& event) noexcept {
    return {event.aggregate.instance_id, event.aggregate.aggregate_id, current_event_type(event.event_type)};
}

}  // namespace userstream::user
