#include "wire/protojson.hpp"

#include "wire/protojson_rules.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/type.pb.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>

namespace userstream::api::detail {

namespace {
namespace pb = google::protobuf;

constexpr std::string_view type_url_prefix = "type.googleapis.com";

// protobuf's descriptor-pool resolver with each answer kept. Types of the generated pool never change, so a kept
// answer stays right; the set of types is the API's few messages, so the cache stays small.
class cached_type_resolver final : public pb::util::TypeResolver {
public:
    cached_type_resolver()
        : inner_(pb::util::NewTypeResolverForDescriptorPool(std::string(type_url_prefix),
                                                            pb::DescriptorPool::generated_pool())) {}

    pb::util::Status ResolveMessageType(const std::string& type_url, pb::Type* message_type) override {
        return resolve(types_, type_url, message_type,
                       [this](const std::string& url, pb::Type* out) { return inner_->ResolveMessageType(url, out); });
    }

    pb::util::Status ResolveEnumType(const std::string& type_url, pb::Enum* enum_type) override {
        return resolve(enums_, type_url, enum_type,
                       [this](const std::string& url, pb::Enum* out) { return inner_->ResolveEnumType(url, out); });
    }

private:
    template <class T, class Resolve>
    pb::util::Status resolve(std::unordered_map<std::string, T>& cache, const std::string& url, T* out,
                             const Resolve& from_inner) {
        {
            const std::shared_lock lock(mutex_);
            if (const auto it = cache.find(url); it != cache.end()) {
                *out = it->second;
                return pb::util::Status();
            }
        }
        T resolved;
        auto status = from_inner(url, &resolved);
        if (!status.ok()) return status;  // unknown types are not kept: a client could name any number of them
        *out = resolved;
        const std::unique_lock lock(mutex_);
        cache.emplace(url, std::move(resolved));
        return status;
    }

    std::unique_ptr<pb::util::TypeResolver> inner_;
    std::shared_mutex mutex_;
    std::unordered_map<std::string, pb::Type> types_;
    std::unordered_map<std::string, pb::Enum> enums_;
};

cached_type_resolver& resolver() {
    static cached_type_resolver instance;
    return instance;
}

// The answers' JSON written straight from the message, for the field types the API's messages use: strings of plain
// ASCII, bool, 32- and 64-bit integers, enums, Timestamp, nested and repeated messages. protobuf's converter
// serialises the message, then walks the bytes against Type descriptions; for a SetPhone answer that was 36,000
// instructions of the request's 372,000. Anything else (a string that would need an escape or holds non-ASCII, floats,
// bytes, maps, other well-known types, a Timestamp out of range) returns false and goes the converter's way, so the
// output is always protobuf's (tests/api/protojson_test.cpp compares the two over every message of the API).
class direct_writer {
public:
    explicit direct_writer(std::string& out) : out_(out) {}

    bool message(const pb::Message& m, int depth = 0) {
        if (depth > 32) return false;
        const auto* descriptor = m.GetDescriptor();
        if (descriptor->file()->package() == "google.protobuf") return false;  // well-known types: the converter's
        const auto* reflection = m.GetReflection();
        std::vector<const pb::FieldDescriptor*> fields;
        reflection->ListFields(m, &fields);  // set fields, by number: the order the converter writes them in
        out_ += '{';
        bool first = true;
        for (const auto* field : fields) {
            if (field->is_map()) return false;
            if (!first) out_ += ',';
            first = false;
            out_ += '"';
            out_ += field->json_name();
            out_ += "\":";
            if (field->is_repeated()) {
                out_ += '[';
                const int n = reflection->FieldSize(m, field);
                for (int i = 0; i < n; ++i) {
                    if (i > 0) out_ += ',';
                    if (!value(m, *reflection, field, i, depth)) return false;
                }
                out_ += ']';
            } else if (!value(m, *reflection, field, -1, depth)) {
                return false;
            }
        }
        out_ += '}';
        return true;
    }

private:
    using fd = pb::FieldDescriptor;

    bool value(const pb::Message& m, const pb::Reflection& r, const fd* f, int i, int depth) {
        const bool rep = i >= 0;
        switch (f->cpp_type()) {
            case fd::CPPTYPE_STRING: {
                if (f->type() == fd::TYPE_BYTES) return false;
                std::string scratch;
                const std::string& text = rep ? r.GetRepeatedStringReference(m, f, i, &scratch)
                                              : r.GetStringReference(m, f, &scratch);
                return string(text);
            }
            case fd::CPPTYPE_BOOL:
                out_ += (rep ? r.GetRepeatedBool(m, f, i) : r.GetBool(m, f)) ? "true" : "false";
                return true;
            case fd::CPPTYPE_INT32:
                number(rep ? r.GetRepeatedInt32(m, f, i) : r.GetInt32(m, f));
                return true;
            case fd::CPPTYPE_UINT32:
                number(rep ? r.GetRepeatedUInt32(m, f, i) : r.GetUInt32(m, f));
                return true;
            case fd::CPPTYPE_INT64:
                out_ += '"';
                number(rep ? r.GetRepeatedInt64(m, f, i) : r.GetInt64(m, f));
                out_ += '"';
                return true;
            case fd::CPPTYPE_UINT64:
                out_ += '"';
                number(rep ? r.GetRepeatedUInt64(m, f, i) : r.GetUInt64(m, f));
                out_ += '"';
                return true;
            case fd::CPPTYPE_ENUM: {
                const int n = rep ? r.GetRepeatedEnumValue(m, f, i) : r.GetEnumValue(m, f);
                const auto* named = f->enum_type()->FindValueByNumber(n);
                if (named == nullptr) {
                    number(n);  // a value this build does not know: its number, as the converter writes it
                    return true;
                }
                return string(named->name());
            }
            case fd::CPPTYPE_MESSAGE: {
                const pb::Message& nested = rep ? r.GetRepeatedMessage(m, f, i) : r.GetMessage(m, f);
                if (nested.GetDescriptor()->full_name() == "google.protobuf.Timestamp") return timestamp(nested);
                return message(nested, depth + 1);
            }
            default:
                return false;  // float, double
        }
    }

    // Only text that protobuf writes as it is: printable ASCII without the characters it escapes or might.
    bool string(std::string_view text) {
        for (const char c : text) {
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c == '\'' ||
                c == '=') {
                return false;
            }
        }
        out_ += '"';
        out_.append(text);
        out_ += '"';
        return true;
    }

    template <class T>
    void number(T value) {
        std::array<char, 24> digits{};
        const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
        out_.append(digits.data(), end);
    }

    // RFC 3339 in UTC with 0, 3, 6 or 9 fraction digits, as protobuf writes a Timestamp; out of its range: false.
    bool timestamp(const pb::Message& t) {
        const auto* d = t.GetDescriptor();
        const auto* r = t.GetReflection();
        const std::int64_t seconds = r->GetInt64(t, d->FindFieldByNumber(1));
        const std::int32_t nanos = r->GetInt32(t, d->FindFieldByNumber(2));
        constexpr std::int64_t min_seconds = -62135596800;  // 0001-01-01T00:00:00Z
        constexpr std::int64_t max_seconds = 253402300799;  // 9999-12-31T23:59:59Z
        if (seconds < min_seconds || seconds > max_seconds || nanos < 0 || nanos > 999999999) return false;
        const std::chrono::sys_seconds at{std::chrono::seconds(seconds)};
        const auto day = std::chrono::floor<std::chrono::days>(at);
        const std::chrono::year_month_day date{day};
        const std::int64_t rest = (at - day).count();  // seconds since midnight
        char text[40];
        int n = std::snprintf(text, sizeof text, "\"%04d-%02u-%02uT%02lld:%02lld:%02lld", static_cast<int>(date.year()),
                              static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                              static_cast<long long>(rest / 3600), static_cast<long long>(rest / 60 % 60),
                              static_cast<long long>(rest % 60));
        if (nanos != 0) {
            if (nanos % 1000000 == 0) {
                n += std::snprintf(text + n, sizeof text - static_cast<std::size_t>(n), ".%03d", nanos / 1000000);
            } else if (nanos % 1000 == 0) {
                n += std::snprintf(text + n, sizeof text - static_cast<std::size_t>(n), ".%06d", nanos / 1000);
            } else {
                n += std::snprintf(text + n, sizeof text - static_cast<std::size_t>(n), ".%09d", nanos);
            }
        }
        out_.append(text, static_cast<std::size_t>(n));
        out_ += "Z\"";
        return true;
    }

    std::string& out_;
};

// The requests' JSON read straight into the message when it is one flat object of known singular string and bool
// fields: plain ASCII strings without escapes, true or false, no field twice, no oneof member. That is what a
// SetPhone or UpdateHumanPhone body is; protobuf's parser would turn it into bytes against Type descriptions and parse
// those (20,000 instructions). Anything else returns false and goes protobuf's way, so what protobuf accepts, and
// the message it makes, are unchanged (tests/api/protojson_test.cpp compares the two). What it accepts, Go's protojson
// accepts too and reads the same, so these bodies skip the check of Go's rules (wire/protojson_rules.hpp).
class flat_reader {
public:
    flat_reader(std::string_view json, pb::Message& message) : in_(json), message_(message) {}

    bool read() {
        const auto* d = message_.GetDescriptor();
        const auto* r = message_.GetReflection();
        message_.Clear();
        space();
        if (!take('{')) return false;
        space();
        if (take('}')) return end();
        for (;;) {
            std::string_view key;
            if (!string(key)) return false;
            space();
            if (!take(':')) return false;
            space();
            const pb::FieldDescriptor* field = find(*d, key);
            if (field == nullptr || field->is_repeated() || field->real_containing_oneof() != nullptr) return false;
            if (r->HasField(message_, field)) return false;  // twice (or a default: then protobuf decides)
            if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING && field->type() != pb::FieldDescriptor::TYPE_BYTES) {
                std::string_view text;
                if (!string(text)) return false;
                if (text.empty() && !field->has_presence()) return false;  // leaves no trace of a duplicate
                r->SetString(&message_, field, std::string(text));
            } else if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_BOOL) {
                bool value = false;
                if (literal("true")) {
                    value = true;
                } else if (!literal("false")) {
                    return false;
                }
                if (!value && !field->has_presence()) return false;  // as above
                r->SetBool(&message_, field, value);
            } else {
                return false;
            }
            space();
            if (take('}')) return end();
            if (!take(',')) return false;
            space();
        }
    }

private:
    static const pb::FieldDescriptor* find(const pb::Descriptor& d, std::string_view key) {
        for (int i = 0; i < d.field_count(); ++i) {
            const auto* f = d.field(i);
            if (f->json_name() == key || f->name() == key) return f;
        }
        return nullptr;
    }
    bool end() {
        space();
        return at_ == in_.size();
    }
    void space() {
        while (at_ < in_.size() && (in_[at_] == ' ' || in_[at_] == '\t' || in_[at_] == '\n' || in_[at_] == '\r')) ++at_;
    }
    bool take(char c) {
        if (at_ < in_.size() && in_[at_] == c) {
            ++at_;
            return true;
        }
        return false;
    }
    bool literal(std::string_view word) {
        if (in_.substr(at_, word.size()) != word) return false;
        at_ += word.size();
        return true;
    }
    // A string of printable ASCII without escapes.
    bool string(std::string_view& out) {
        if (!take('"')) return false;
        const std::size_t start = at_;
        while (at_ < in_.size() && in_[at_] != '"') {
            const char c = in_[at_];
            if (c < 0x20 || c > 0x7e || c == '\\') return false;
            ++at_;
        }
        if (at_ == in_.size()) return false;
        out = in_.substr(start, at_ - start);
        ++at_;
        return true;
    }

    std::string_view in_;
    std::size_t at_ = 0;
    pb::Message& message_;
};

std::string type_url(const pb::Message& message) {
    std::string out(type_url_prefix);
    out += '/';
    out += message.GetDescriptor()->full_name();
    return out;
}
}  // namespace

pb::util::Status message_to_json(const pb::Message& message, std::string* output) {
    output->clear();
    if (direct_writer(*output).message(message)) return pb::util::Status();
    output->clear();
    return pb::util::BinaryToJsonString(&resolver(), type_url(message), message.SerializeAsString(), output,
                                        pb::util::JsonPrintOptions());
}

pb::util::Status json_to_message(std::string_view json, pb::Message* message,
                                 const pb::util::JsonParseOptions& options, bool* rule_broken) {
    if (flat_reader(json, *message).read()) return pb::util::Status();
    message->Clear();  // as protobuf leaves it when it fails
    std::string binary;
    auto status = pb::util::JsonToBinaryString(&resolver(), type_url(*message),
                                               pb::StringPiece(json.data(), json.size()), &binary, options);
    if (status.ok() && !message->ParseFromString(binary)) {
        return pb::util::InvalidArgumentError("JSON transcoder produced invalid protobuf output.");
    }
    if (status.ok()) {
        status = check_go_protojson_rules(json, *message);
        if (rule_broken != nullptr) *rule_broken = !status.ok();
    }
    if (!status.ok()) message->Clear();
    return status;
}

}  // namespace userstream::api::detail
