// The API's JSON writer and reader (src/api/wire/protojson.*) against protobuf's own: for every request and response
// message of every method, and for the error body's google.rpc.Status, filled in many ways, message_to_json writes
// exactly what google::protobuf::util::MessageToJsonString writes; for request bodies of many shapes, json_to_message
// accepts what JsonStringToMessage accepts and Go's protojson accepts too (a model of Go's rules below, written from
// Go's decoder), and makes the same message; and it refuses what protobuf's parser takes but Go's protojson refuses.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <cerrno>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>

#include "google/rpc/status.pb.h"
#include "methods/method_table.hpp"
#include "wire/protojson.hpp"
#include "zitadel/management.pb.h"
#include "zitadel/message.pb.h"
#include "zitadel/object.pb.h"
#include "zitadel/user/v2/user_service.pb.h"

namespace pb = google::protobuf;
namespace mgmt = zitadel::management::v1;
namespace v2 = zitadel::user::v2;

namespace {

// Texts that a writer of its own could get wrong: every printable ASCII character on its own, controls, non-ASCII,
// invalid UTF-8, and the plain texts the API usually holds.
std::vector<std::string> texts() {
    std::vector<std::string> out{"", "u1", "+41710000000", "dev-admin", "2026-11-27T10:00:00Z", "a b", "\n", "\t",
                                 std::string(1, '\0'), "\x7f", "\xc3\xa9", "\xe2\x80\xa8", "\xef\xbb\xbf", "\xff",
                                 "\xc3", "x\xe2\x80\x8by"};
    for (char c = 0x20; c < 0x7f; ++c) out.push_back(std::string("a") + c + "b");
    return out;
}

struct timestamp_value {
    std::int64_t seconds;
    std::int32_t nanos;
};
const std::vector<timestamp_value> timestamps{{0, 0},           {1'764'237'600, 0},         {1'764'237'600, 500'000'000},
                                              {1'764'237'600, 123'456'000}, {1'764'237'600, 123'456'789},
                                              {-1, 999'999'999}, {-62'135'596'800, 0},      {253'402'300'799, 999'999'999},
                                              {253'402'300'800, 0}, {0, -1},                 {951'782'400, 1}};

// Fills every field of `m` (and of its messages, to a depth) with the `variant`-th value of its kind.
void fill(pb::Message& m, std::size_t variant, int depth) {
    const auto* d = m.GetDescriptor();
    const auto* r = m.GetReflection();
    if (d->full_name() == "google.protobuf.Timestamp") {
        const auto& t = timestamps[variant % timestamps.size()];
        r->SetInt64(&m, d->FindFieldByNumber(1), t.seconds);
        r->SetInt32(&m, d->FindFieldByNumber(2), t.nanos);
        return;
    }
    if (d->full_name() == "google.protobuf.Any") return;  // left empty (the error test below packs a real one)
    static const auto all_texts = texts();
    for (int i = 0; i < d->field_count(); ++i) {
        const auto* f = d->field(i);
        const std::size_t v = variant + static_cast<std::size_t>(i);
        // Some fields stay unset, so that absence and oneofs are covered too.
        if ((v % 7) == 3) continue;
        const int copies = f->is_repeated() ? static_cast<int>(v % 3) : 1;
        for (int k = 0; k < copies; ++k) {
            const std::size_t w = v + static_cast<std::size_t>(k) * 5;
            switch (f->cpp_type()) {
                case pb::FieldDescriptor::CPPTYPE_STRING: {
                    const auto& text = all_texts[w % all_texts.size()];
                    f->is_repeated() ? r->AddString(&m, f, text) : r->SetString(&m, f, text);
                    break;
                }
                case pb::FieldDescriptor::CPPTYPE_BOOL:
                    f->is_repeated() ? r->AddBool(&m, f, w % 2 == 0) : r->SetBool(&m, f, w % 2 == 0);
                    break;
                case pb::FieldDescriptor::CPPTYPE_INT32: {
                    const std::int32_t values[] = {0, 1, -1, std::numeric_limits<std::int32_t>::max(),
                                                   std::numeric_limits<std::int32_t>::min()};
                    f->is_repeated() ? r->AddInt32(&m, f, values[w % 5]) : r->SetInt32(&m, f, values[w % 5]);
                    break;
                }
                case pb::FieldDescriptor::CPPTYPE_UINT64: {
                    const std::uint64_t values[] = {0, 1, 42, std::numeric_limits<std::uint64_t>::max()};
                    f->is_repeated() ? r->AddUInt64(&m, f, values[w % 4]) : r->SetUInt64(&m, f, values[w % 4]);
                    break;
                }
                case pb::FieldDescriptor::CPPTYPE_INT64: {
                    const std::int64_t values[] = {0, -1, std::numeric_limits<std::int64_t>::min()};
                    f->is_repeated() ? r->AddInt64(&m, f, values[w % 3]) : r->SetInt64(&m, f, values[w % 3]);
                    break;
                }
                case pb::FieldDescriptor::CPPTYPE_ENUM: {
                    const int count = f->enum_type()->value_count();
                    // Every known value, and one this build does not know.
                    const int value = w % static_cast<std::size_t>(count + 1) == static_cast<std::size_t>(count)
                                          ? 77
                                          : f->enum_type()->value(static_cast<int>(w % static_cast<std::size_t>(count)))->number();
                    f->is_repeated() ? r->AddEnumValue(&m, f, value) : r->SetEnumValue(&m, f, value);
                    break;
                }
                case pb::FieldDescriptor::CPPTYPE_MESSAGE:
                    if (depth < 4) fill(f->is_repeated() ? *r->AddMessage(&m, f) : *r->MutableMessage(&m, f), w, depth + 1);
                    break;
                default:
                    break;  // the API's messages have no floats (a test below would show a difference)
            }
        }
    }
}

void check_same_as_protobuf(const pb::Message& m) {
    const pb::LogSilencer quiet;  // protobuf logs the invalid UTF-8 and out-of-range timestamps given on purpose
    std::string expected;
    const auto expected_status = pb::util::MessageToJsonString(m, &expected);
    std::string written;
    const auto status = userstream::api::detail::message_to_json(m, &written);
    INFO(m.GetDescriptor()->full_name() << ": " << m.ShortDebugString());
    REQUIRE(status.ok() == expected_status.ok());
    if (expected_status.ok()) CHECK(written == expected);
}

}  // namespace

TEST_CASE("the API's JSON writer writes every message of every method exactly as protobuf's converter does",
          "[api][json]") {
    std::size_t compared = 0;
    for (const auto& method : userstream::api::detail::all_methods()) {
        for (const auto* prototype : {method.request_prototype, method.response_prototype}) {
            for (std::size_t variant = 0; variant < 60; ++variant) {
                std::unique_ptr<pb::Message> m(prototype->New());
                if (variant > 0) fill(*m, variant, 0);
                check_same_as_protobuf(*m);
                ++compared;
            }
        }
    }
    CHECK(compared > 1000);
}

TEST_CASE("the API's JSON writer writes an error status with its packed detail exactly as protobuf's converter does",
          "[api][json]") {
    zitadel::v1::ErrorDetail detail;
    detail.set_id("COMMAND-wF94r");
    detail.set_message("Phone not changed");
    google::rpc::Status status;
    status.set_code(9);
    status.set_message("Phone not changed (COMMAND-wF94r)");
    status.add_details()->PackFrom(detail);
    check_same_as_protobuf(status);
}

namespace {
// JSON values of every kind for a field, some of which the reader takes itself and some it leaves to protobuf.
const std::vector<std::string> json_values{
    R"("+41 71 000 00 00")", R"("")", R"("u1")", R"("a\"b")", R"("\u00e9")", "\"\xc3\xa9\"", R"("a/b")", "true", "false",
    "null", "0", "1", "-1", "1.5", R"("1")", R"("true")", "{}", "[]", R"(["x"])", R"({"a":1})", R"("USER_STATE_ACTIVE")",
    "18446744073709551615", R"("2026-11-27T10:00:00Z")"};

// A JSON value with every member of its objects kept, in order, also a key given twice (nlohmann's own types keep
// one), and each number as written.
struct json_node {
    enum kind_t { null, boolean, number, string, array, object } kind = null;
    std::string text;  // a string's value or a number as written
    std::vector<std::pair<std::string, json_node>> members;
    std::vector<json_node> items;
};

class tree_builder : public nlohmann::json_sax<nlohmann::json> {
public:
    json_node root;

    bool null() override { return add({json_node::null, {}, {}, {}}); }
    bool boolean(bool) override { return add({json_node::boolean, {}, {}, {}}); }
    bool number_integer(number_integer_t v) override { return add({json_node::number, std::to_string(v), {}, {}}); }
    bool number_unsigned(number_unsigned_t v) override { return add({json_node::number, std::to_string(v), {}, {}}); }
    bool number_float(number_float_t, const string_t& raw) override { return add({json_node::number, raw, {}, {}}); }
    bool string(string_t& v) override { return add({json_node::string, v, {}, {}}); }
    bool binary(binary_t&) override { return false; }
    bool start_object(std::size_t) override { return open(json_node::object); }
    bool key(string_t& k) override {
        key_ = k;
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(json_node::array); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

private:
    json_node* place(json_node value) {
        if (stack_.empty()) {
            root = std::move(value);
            return &root;
        }
        auto& parent = *stack_.back();
        if (parent.kind == json_node::array) {
            parent.items.push_back(std::move(value));
            return &parent.items.back();
        }
        parent.members.emplace_back(key_, std::move(value));
        return &parent.members.back().second;
    }
    bool add(json_node value) {
        place(std::move(value));
        return true;
    }
    bool open(json_node::kind_t kind) {
        stack_.push_back(place({kind, {}, {}, {}}));
        return true;
    }
    bool close() {
        stack_.pop_back();
        return true;
    }
    std::vector<json_node*> stack_;  // pointers stay valid: a container only grows while it is on top
    std::string key_;
};

// A model of Go's protojson.Unmarshal with DiscardUnknown, written from its decoder (encoding/protojson/decode.go and
// internal/encoding/json), for the field types of the API's messages; independent of src/api/wire/protojson_rules.cpp.

// Whether Go takes the JSON number `number` (or a string holding it) for an integer field: Go shifts the digits by the
// exponent (at most 20 before the point), then parses the digits that are left.
bool go_takes_integer_text(const std::string& number, bool is_signed, int bits) {
    static const std::regex grammar(R"((-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?)");
    std::smatch parts;
    if (!std::regex_match(number, parts, grammar)) return false;
    const bool negative = parts[1].length() > 0;
    std::string integral = parts[2].str() == "0" ? "" : parts[2].str();
    std::string fraction = parts[3].str();
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    if (integral.empty() && fraction.empty()) return true;
    long long exponent = 0;
    if (parts[4].length() > 0) {
        try {
            exponent = std::stoll(parts[4].str());
        } catch (const std::out_of_range&) {
            return false;
        }
        if (exponent > std::numeric_limits<std::int32_t>::max() || exponent < std::numeric_limits<std::int32_t>::min()) return false;
    }
    std::string digits;
    if (exponent >= 0) {
        if (static_cast<long long>(fraction.size()) > exponent) return false;
        if (static_cast<long long>(integral.size()) + exponent > 20) return false;
        digits = integral + fraction + std::string(static_cast<std::size_t>(exponent) - fraction.size(), '0');
    } else {
        if (!fraction.empty()) return false;
        const long long index = static_cast<long long>(integral.size()) + exponent;
        if (index < 0) return false;
        if (integral.find_first_not_of('0', static_cast<std::size_t>(index)) != std::string::npos) return false;
        digits = integral.substr(0, static_cast<std::size_t>(index));
    }
    if (digits.empty()) return false;
    errno = 0;
    if (is_signed) {
        const long long v = std::strtoll(((negative ? "-" : "") + digits).c_str(), nullptr, 10);
        if (errno == ERANGE) return false;
        return bits == 64 || (v >= std::numeric_limits<std::int32_t>::min() && v <= std::numeric_limits<std::int32_t>::max());
    }
    if (negative) return false;
    const unsigned long long v = std::strtoull(digits.c_str(), nullptr, 10);
    if (errno == ERANGE) return false;
    return bits == 64 || v <= std::numeric_limits<std::uint32_t>::max();
}

bool go_takes_scalar(const pb::FieldDescriptor& f, const json_node& v) {
    using fd = pb::FieldDescriptor;
    switch (f.cpp_type()) {
        case fd::CPPTYPE_BOOL:
            return v.kind == json_node::boolean;
        case fd::CPPTYPE_STRING:
            return v.kind == json_node::string;
        case fd::CPPTYPE_ENUM:
            return v.kind == json_node::string || (v.kind == json_node::number && go_takes_integer_text(v.text, true, 32));
        case fd::CPPTYPE_INT32:
        case fd::CPPTYPE_INT64:
        case fd::CPPTYPE_UINT32:
        case fd::CPPTYPE_UINT64: {
            const bool is_signed = f.cpp_type() == fd::CPPTYPE_INT32 || f.cpp_type() == fd::CPPTYPE_INT64;
            const int bits = f.cpp_type() == fd::CPPTYPE_INT32 || f.cpp_type() == fd::CPPTYPE_UINT32 ? 32 : 64;
            return (v.kind == json_node::number || v.kind == json_node::string) && go_takes_integer_text(v.text, is_signed, bits);
        }
        default:
            return false;  // the API's messages have no others
    }
}

bool go_takes_message(const pb::Descriptor& d, const json_node& v);

bool go_takes_value(const pb::FieldDescriptor& f, const json_node& v) {
    if (f.cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) return go_takes_scalar(f, v);
    if (f.message_type()->full_name() == "google.protobuf.Timestamp") {
        if (v.kind != json_node::string) return false;
        const auto point = v.text.rfind('.');
        const auto zone = v.text.find_last_of("Z-+");
        return point == std::string::npos || zone == std::string::npos || zone < point || zone - point <= 10;
    }
    return go_takes_message(*f.message_type(), v);
}

// The field a key names: by its JSON name first, then by its proto name.
const pb::FieldDescriptor* field_named(const pb::Descriptor& d, const std::string& key) {
    for (int i = 0; i < d.field_count(); ++i) {
        if (d.field(i)->json_name() == key) return d.field(i);
    }
    return d.FindFieldByName(key);
}

bool go_takes_message(const pb::Descriptor& d, const json_node& v) {
    if (v.kind != json_node::object) return false;
    std::set<int> numbers;
    std::set<const pb::OneofDescriptor*> oneofs;
    for (const auto& [key, value] : v.members) {
        const pb::FieldDescriptor* f = field_named(d, key);
        if (f == nullptr) continue;                              // DiscardUnknown
        if (!numbers.insert(f->number()).second) return false;  // duplicate field
        if (value.kind == json_node::null) continue;             // unset
        if (f->is_repeated()) {
            if (value.kind != json_node::array) return false;
            for (const auto& item : value.items) {
                if (!go_takes_value(*f, item)) return false;
            }
            continue;
        }
        if (f->containing_oneof() != nullptr && !oneofs.insert(f->containing_oneof()).second) return false;
        if (!go_takes_value(*f, value)) return false;
    }
    return true;
}

// True when Go's protojson accepts `json` for message type `d`.
bool go_takes(const pb::Descriptor& d, const std::string& json) {
    tree_builder tree;
    if (!nlohmann::json::sax_parse(json, &tree)) return false;  // not JSON by RFC 8259
    return go_takes_message(d, tree.root);
}

// Turns the message protobuf's parser made from `v` into the one Go makes: Go looks an enum string up as a name only
// and discards it when there is none ("1" included), where protobuf takes a number in a string.
void make_as_go_does(pb::Message& m, const json_node& v) {
    const auto* d = m.GetDescriptor();
    for (const auto& [key, value] : v.members) {
        const auto* f = field_named(*d, key);
        if (f == nullptr || f->is_repeated()) continue;
        if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_ENUM && value.kind == json_node::string &&
            f->enum_type()->FindValueByName(value.text) == nullptr) {
            m.GetReflection()->ClearField(&m, f);
        } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && value.kind == json_node::object &&
                   m.GetReflection()->HasField(m, f)) {
            make_as_go_does(*m.GetReflection()->MutableMessage(&m, f), value);
        }
    }
}

// json_to_message takes `json` if and only if protobuf's parser takes it and Go's protojson takes it, and then makes
// protobuf's message, as Go would make it.
void check_same_as_protobuf_parse(const pb::Message& prototype, const std::string& json) {
    const pb::LogSilencer quiet;
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    std::unique_ptr<pb::Message> expected(prototype.New());
    const auto expected_status = pb::util::JsonStringToMessage(json, expected.get(), options);
    std::unique_ptr<pb::Message> read(prototype.New());
    const auto status = userstream::api::detail::json_to_message(json, read.get(), options);
    INFO(prototype.GetDescriptor()->full_name() << " from " << json);
    REQUIRE(status.ok() == (expected_status.ok() && go_takes(*prototype.GetDescriptor(), json)));
    if (!status.ok()) return;
    tree_builder tree;
    REQUIRE(nlohmann::json::sax_parse(json, &tree));
    make_as_go_does(*expected, tree.root);
    CHECK(read->SerializeAsString() == expected->SerializeAsString());
}
}  // namespace

TEST_CASE("the API's JSON reader makes every request message exactly as protobuf's parser does, where Go's protojson takes the body too",
          "[api][json]") {
    std::size_t compared = 0;
    const std::vector<std::string> spaces{"", " ", "\n\t ", "\r\n"};
    for (const auto& method : userstream::api::detail::all_methods()) {
        const auto& prototype = *method.request_prototype;
        const auto* d = prototype.GetDescriptor();
        std::vector<std::string> keys{"unknownField", "user_idx"};
        for (int i = 0; i < d->field_count(); ++i) {
            keys.push_back(d->field(i)->json_name());
            keys.push_back(d->field(i)->name());
        }
        for (const auto& body : {std::string("{}"), std::string(" { } "), std::string("{,}"), std::string("[]")}) {
            check_same_as_protobuf_parse(prototype, body);
        }
        std::size_t n = 0;
        for (const auto& key : keys) {
            for (const auto& value : json_values) {
                const auto& space = spaces[n++ % spaces.size()];
                // One field; then two (the next key of the list, also the same key twice).
                check_same_as_protobuf_parse(prototype, "{" + space + "\"" + key + "\":" + space + value + space + "}");
                const auto& other = keys[n % keys.size()];
                const auto& other_value = json_values[(n * 7) % json_values.size()];
                check_same_as_protobuf_parse(prototype, "{\"" + key + "\":" + value + ",\"" + other + "\":" + other_value + "}");
                check_same_as_protobuf_parse(prototype, "{\"" + key + "\":" + value + "," + space + "\"" + key + "\":" +
                                                            other_value + "}");
                compared += 3;
            }
        }
        // Every field at once, with a plain value of its kind.
        std::string all = "{";
        for (int i = 0; i < d->field_count(); ++i) {
            const auto* f = d->field(i);
            if (i > 0) all += ",";
            all += "\"" + f->json_name() + "\":" +
                   (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_BOOL ? std::string("true") : std::string("\"v\""));
        }
        check_same_as_protobuf_parse(prototype, all + "}");
    }
    CHECK(compared > 1000);
}

TEST_CASE("the API's JSON reader makes nested request messages exactly as protobuf's parser does, where Go's protojson takes the body too",
          "[api][json]") {
    // AddHumanUser's messages hold the oneofs, the optional fields and the enum of the API's requests.
    const v2::AddHumanUserRequest prototype;
    const std::vector<std::pair<std::string, std::vector<std::string>>> parts{
        {"organization", {"orgId", "org_id", "orgDomain"}},
        {"profile", {"givenName", "given_name", "gender", "nickName"}},
        {"phone", {"phone", "sendCode", "returnCode", "return_code", "isVerified", "is_verified"}},
        {"email", {"email", "returnCode", "isVerified"}}};
    const std::vector<std::string> values{R"("x")", "true", R"("true")", "null", "{}", "1", R"("1")", R"("GENDER_MALE")", "1.0", "[]"};
    std::size_t compared = 0;
    for (const auto& [part, keys] : parts) {
        for (const auto& a : keys) {
            for (const auto& b : keys) {
                for (std::size_t i = 0; i < values.size(); ++i) {
                    const auto& va = values[i];
                    const auto& vb = values[(i * 3 + a.size()) % values.size()];
                    const std::string inner = "{\"" + a + "\":" + va + ",\"" + b + "\":" + vb + "}";
                    check_same_as_protobuf_parse(prototype, "{\"" + part + "\":" + inner + "}");
                    // The same message field twice: protobuf merges the two.
                    check_same_as_protobuf_parse(prototype, "{\"" + part + "\":{\"" + a + "\":" + va + "},\"" + part +
                                                                "\":{\"" + b + "\":" + vb + "}}");
                    compared += 2;
                }
            }
        }
    }
    CHECK(compared > 500);
}

namespace {
struct parse_case {
    const pb::Message* prototype;
    std::string json;
};

std::string read_with_json_to_message(const pb::Message& prototype, const std::string& json,
                                      pb::util::Status* status_out = nullptr) {
    const pb::LogSilencer quiet;
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    std::unique_ptr<pb::Message> read(prototype.New());
    const auto status = userstream::api::detail::json_to_message(json, read.get(), options);
    if (status_out != nullptr) *status_out = status;
    return status.ok() ? read->ShortDebugString() : "refused: " + std::string(status.message());
}

const mgmt::UpdateHumanPhoneRequest update_phone;
const v2::SetPhoneRequest set_phone;
const v2::AddHumanUserRequest add_human;
const zitadel::v1::ObjectDetails details;  // uint64 and Timestamp fields (no request has them)
const google::rpc::Status rpc_status;       // an int32 and a repeated message
const v2::HumanUser human;                 // a repeated string, an enum and a Timestamp
}  // namespace

TEST_CASE("the API's JSON reader refuses what protobuf's parser takes but Go's protojson refuses", "[api][json]") {
    const std::vector<parse_case> cases{
        // A bool as a string: protobuf takes every form of safe_strtob.
        {&update_phone, R"({"phone":"+41 71 000 00 00","isPhoneVerified":"true"})"},
        {&update_phone, R"({"isPhoneVerified":"false"})"},
        {&update_phone, R"({"isPhoneVerified":"yes"})"},
        {&update_phone, R"({"isPhoneVerified":"T"})"},
        {&update_phone, R"({"is_phone_verified":"1"})"},
        {&set_phone, R"({"isVerified":"true"})"},
        {&add_human, R"({"phone":{"isVerified":"true"}})"},
        {&add_human, R"({"email":{"isVerified":"true"}})"},
        // A field twice: by the same name, by its JSON and its proto name, with null on one side.
        {&update_phone, R"({"phone":"+41 71 000 00 00","phone":"+41 79 123 45 67"})"},
        {&update_phone, R"({"phone":"+41 71 000 00 00","isPhoneVerified":true,"is_phone_verified":false})"},
        {&update_phone, R"({"userId":"u1","user_id":"u2"})"},
        {&update_phone, R"({"phone":"+41 71 000 00 00","phone":null})"},
        {&update_phone, R"({"phone":null,"phone":"+41 71 000 00 00"})"},
        {&update_phone, R"({"isPhoneVerified":true,"isPhoneVerified":true})"},
        {&set_phone, R"({"returnCode":{},"return_code":null})"},
        {&set_phone, R"({"returnCode":null,"returnCode":{}})"},
        // A message field twice, which protobuf merges, also into two members of one oneof.
        {&add_human, R"({"phone":{"returnCode":{}},"phone":{"isVerified":true}})"},
        {&add_human, R"({"organization":{"orgId":"o1"},"organization":{"orgDomain":"example.com"}})"},
        {&add_human, R"({"profile":{"givenName":"M"},"profile":{"familyName":"M"}})"},
        {&add_human, R"({"profile":{"gender":"GENDER_MALE"},"profile":null})"},
        // A field twice in a nested message.
        {&add_human, R"({"profile":{"givenName":"M","given_name":"N"}})"},
        // Integers: a sign or a leading zero in a string; a number that is not whole.
        {&details, R"({"sequence":"+1"})"},
        {&details, R"({"sequence":"01"})"},
        {&rpc_status, R"({"code":"+1"})"},
        {&rpc_status, R"({"code":1e-400})"},
        // Lists: a single value, a list in a list, null in a list, a list twice.
        {&human, R"({"loginNames":"a"})"},
        {&human, R"({"loginNames":[["a"]]})"},
        {&human, R"({"loginNames":["a",null]})"},
        {&human, R"({"loginNames":["a"],"loginNames":["b"]})"},
        {&rpc_status, R"({"details":[null]})"},
        {&rpc_status, R"({"details":{}})"},
        // A Timestamp as an object, or with ten fraction digits.
        {&details, R"({"changeDate":{"seconds":1}})"},
        {&human, R"({"passwordChanged":"2026-01-01T00:00:00.1234567891Z"})"},
    };
    for (const auto& c : cases) {
        INFO(c.prototype->GetDescriptor()->full_name() << " from " << c.json);
        {
            const pb::LogSilencer quiet;
            pb::util::JsonParseOptions options;
            options.ignore_unknown_fields = true;
            std::unique_ptr<pb::Message> m(c.prototype->New());
            REQUIRE(pb::util::JsonStringToMessage(c.json, m.get(), options).ok());  // the gap this case is about
        }
        CHECK_FALSE(go_takes(*c.prototype->GetDescriptor(), c.json));
        pb::util::Status status;
        read_with_json_to_message(*c.prototype, c.json, &status);
        CHECK(status.code() == pb::util::StatusCode::kInvalidArgument);
    }
}

TEST_CASE("the API's JSON reader names the field it refuses, never its value", "[api][json]") {
    const std::string code = "S3CR3T";
    CHECK(read_with_json_to_message(update_phone, R"({"phone":"+41 71 000 00 00","isPhoneVerified":"true"})") ==
          "refused: invalid value for bool field isPhoneVerified");
    CHECK(read_with_json_to_message(update_phone, R"({"phone":"+41 71 000 00 00","phone":"+41 79 123 45 67"})") ==
          "refused: duplicate field \"phone\"");
    CHECK(read_with_json_to_message(update_phone, R"({"is_phone_verified":true,"isPhoneVerified":true})") ==
          "refused: duplicate field \"isPhoneVerified\"");
    CHECK(read_with_json_to_message(set_phone, R"({"sendCode":{},"returnCode":{}})").starts_with("refused: "));
    CHECK(read_with_json_to_message(add_human, R"({"phone":{"returnCode":{}},"phone":{"isVerified":true}})") ==
          "refused: duplicate field \"phone\"");
    CHECK(read_with_json_to_message(human, R"({"loginNames":"a"})") ==
          "refused: invalid value for repeated string field loginNames");
    const v2::VerifyPhoneRequest verify;
    const auto twice = read_with_json_to_message(
        verify, R"({"verificationCode":")" + code + R"(","verificationCode":")" + code + R"("})");
    CHECK(twice == "refused: duplicate field \"verificationCode\"");
}

TEST_CASE("the API's JSON reader takes what Go's protojson takes and makes the message Go makes", "[api][json]") {
    const std::vector<std::pair<parse_case, std::string>> cases{
        // Proto names, unknown fields (also twice, and deep), null for a field of any kind.
        {{&update_phone, R"({"phone":"+41 71 000 00 00","is_phone_verified":true})"}, R"(phone: "+41 71 000 00 00" is_phone_verified: true)"},
        {{&update_phone, R"({"phone":"p","x":1,"x":[{"y":[]}],"isPhoneVerified":false})"}, R"(phone: "p")"},
        {{&update_phone, R"({"phone":null,"isPhoneVerified":null})"}, ""},
        {{&add_human, R"({"profile":null,"phone":{"phone":"p","sendCode":null,"returnCode":{}}})"}, R"(phone { phone: "p" return_code { } })"},
        {{&set_phone, R"({"isVerified":null,"returnCode":{}})"}, R"(return_code { })"},
        {{&set_phone, R"({"returnCode":{},"sendCode":null})"}, R"(return_code { })"},
        {{&add_human, R"({"organization":{"orgId":null,"orgDomain":"example.com"}})"}, R"(organization { org_domain: "example.com" })"},
        // Escapes in keys, as Go reads them.
        {{&update_phone, R"({"is\u0050honeVerified":true})"}, "is_phone_verified: true"},
        // Enums: names, numbers (also unknown ones, and 1.0); unknown names are discarded.
        {{&add_human, R"({"profile":{"gender":"GENDER_FEMALE"}})"}, "profile { gender: GENDER_FEMALE }"},
        {{&add_human, R"({"profile":{"gender":2}})"}, "profile { gender: GENDER_MALE }"},
        {{&add_human, R"({"profile":{"gender":1.0}})"}, "profile { gender: GENDER_FEMALE }"},
        {{&add_human, R"({"profile":{"gender":77}})"}, "profile { gender: 77 }"},
        {{&add_human, R"({"profile":{"gender":"gender_female"}})"}, "profile { }"},
        // Integers as numbers or strings, in any notation of a whole number in range.
        {{&details, R"({"sequence":"18446744073709551615"})"}, "sequence: 18446744073709551615"},
        {{&details, R"({"sequence":1e2})"}, "sequence: 100"},
        {{&details, R"({"sequence":-0})"}, ""},
        {{&details, R"({"sequence":"\u0031"})"}, "sequence: 1"},
        {{&rpc_status, R"({"code":-2147483648})"}, "code: -2147483648"},
        {{&rpc_status, R"({"code":10e-1})"}, "code: 1"},
        {{&rpc_status, R"({"code":0e99999999999})"}, ""},
        {{&human, R"({"loginNames":["a","b"],"state":"USER_STATE_ACTIVE","passwordChanged":"2026-01-01T00:00:00.123456789Z"})"},
         R"(state: USER_STATE_ACTIVE login_names: "a" login_names: "b" password_changed { seconds: 1767225600 nanos: 123456789 })"},
    };
    for (const auto& [c, expected] : cases) {
        INFO(c.prototype->GetDescriptor()->full_name() << " from " << c.json);
        CHECK(go_takes(*c.prototype->GetDescriptor(), c.json));
        CHECK(read_with_json_to_message(*c.prototype, c.json) == expected);
    }
}

TEST_CASE("An enum given as a number in a string is a name Go's protojson does not know: the field stays unset",
          "[api][json]") {
    // protobuf's parser sets GENDER_FEMALE for "1"; Go looks "1" up as a name, finds none and discards it.
    CHECK(read_with_json_to_message(add_human, R"({"profile":{"givenName":"M","gender":"1"}})") == R"(profile { given_name: "M" })");
    CHECK(read_with_json_to_message(add_human, R"({"profile":{"gender":"2","givenName":"M"}})") == R"(profile { given_name: "M" })");
    CHECK(read_with_json_to_message(human, R"({"state":"1"})") == "");
}

TEST_CASE("Go's integer rule: whole numbers in range, whatever the notation", "[api][json]") {
    // Each as a JSON number and as a string, for an int32 (google.rpc.Status.code) and a uint64 (ObjectDetails.sequence).
    const std::vector<std::string> numbers{"0", "-0", "1", "-1", "1.0", "1.5", "1e2", "1E+2", "100e-2", "150e-2", "0.5e1",
                                           "0.05e1", "2147483647", "2147483648", "-2147483648", "-2147483649",
                                           "4294967295", "4294967296", "18446744073709551615", "18446744073709551616",
                                           "9223372036854775807", "-9223372036854775808", "1e19", "1e20", "1e-400",
                                           "0e-400", "123456789012345678901e-1", "100000000000000000000e-1",
                                           "1e2147483648", "0.00000000000000000001e20"};
    for (const auto& n : numbers) {
        for (const auto& text : {n, "\"" + n + "\""}) {
            for (const pb::Message* prototype : {static_cast<const pb::Message*>(&rpc_status), static_cast<const pb::Message*>(&details)}) {
                const std::string field = prototype == &rpc_status ? "code" : "sequence";
                const std::string json = "{\"" + field + "\":" + text + "}";
                INFO(json);
                pb::util::Status status;
                read_with_json_to_message(*prototype, json, &status);
                const bool go = go_takes(*prototype->GetDescriptor(), json);
                if (!go) CHECK_FALSE(status.ok());  // where protobuf's parser is stricter than Go, it stays so
                if (status.ok()) CHECK(go);
            }
        }
    }
}
