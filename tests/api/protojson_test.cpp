// The API's JSON writer and reader (src/api/wire/protojson.*) against protobuf's own: for every request and response
// message of every method, and for the error body's google.rpc.Status, filled in many ways, message_to_json writes
// exactly what google::protobuf::util::MessageToJsonString writes; for request bodies of many shapes, json_to_message
// accepts what JsonStringToMessage accepts and makes the same message.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>

#include "google/rpc/status.pb.h"
#include "methods/method_table.hpp"
#include "wire/protojson.hpp"
#include "zitadel/message.pb.h"

namespace pb = google::protobuf;

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

void check_same_as_protobuf_parse(const pb::Message& prototype, const std::string& json) {
    const pb::LogSilencer quiet;
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    std::unique_ptr<pb::Message> expected(prototype.New());
    const auto expected_status = pb::util::JsonStringToMessage(json, expected.get(), options);
    std::unique_ptr<pb::Message> read(prototype.New());
    const auto status = userstream::api::detail::json_to_message(json, read.get(), options);
    INFO(prototype.GetDescriptor()->full_name() << " from " << json);
    REQUIRE(status.ok() == expected_status.ok());
    if (expected_status.ok()) CHECK(read->SerializeAsString() == expected->SerializeAsString());
}
}  // namespace

TEST_CASE("the API's JSON reader makes every request message exactly as protobuf's parser does", "[api][json]") {
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
