#include "wire/protojson_rules.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

namespace userstream::api::detail {

namespace {
namespace pb = google::protobuf;
using fd = pb::FieldDescriptor;

// Known messages nested deeper than this are refused (protobuf's C++ parser stops at the same depth). The API's
// requests nest three deep; only a recursive message type could go further. Unknown fields are skipped without
// recursion, however deep.
constexpr int max_depth = 100;

// Which of a message's fields (or oneofs) an object has named: a bit per index, on the stack for up to 64.
class index_set {
public:
    explicit index_set(int size) {
        if (size > 64) more_.resize(static_cast<std::size_t>(size));
    }
    // Marks `i`; false when it was marked already.
    bool insert(int i) {
        if (!more_.empty()) {
            const bool had = more_[static_cast<std::size_t>(i)];
            more_[static_cast<std::size_t>(i)] = true;
            return !had;
        }
        const std::uint64_t bit = std::uint64_t{1} << i;
        const bool had = (bits_ & bit) != 0;
        bits_ |= bit;
        return !had;
    }

private:
    std::uint64_t bits_ = 0;
    std::vector<bool> more_;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The length of the JSON number (RFC 8259's grammar) at the start of `text`, or 0 if there is none.
std::size_t number_length(std::string_view text) {
    std::size_t i = 0;
    if (i < text.size() && text[i] == '-') ++i;
    if (i >= text.size()) return 0;
    if (text[i] == '0') {
        ++i;
    } else if (is_digit(text[i])) {
        while (i < text.size() && is_digit(text[i])) ++i;
    } else {
        return 0;
    }
    if (i < text.size() && text[i] == '.') {
        ++i;
        if (i >= text.size() || !is_digit(text[i])) return 0;
        while (i < text.size() && is_digit(text[i])) ++i;
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        if (i >= text.size() || !is_digit(text[i])) return 0;
        while (i < text.size() && is_digit(text[i])) ++i;
    }
    return i;
}

// Whether Go's protojson takes the JSON number `number` (a whole RFC 8259 number) for an integer field of `bits`
// bits: its value must be a whole number in range, whatever its notation (1.0, 1e2 and 100e-2 are 1, 100 and 1; 1.5
// and 1e-400 are not whole). As Go decides it: the digits are shifted by the exponent, at most 20 of them before the
// point, and what falls behind the point must be zeros.
bool go_takes_integer(std::string_view number, int bits, bool is_signed) {
    std::size_t i = 0;
    const bool negative = number[i] == '-';
    if (negative) ++i;
    std::string_view integral;
    if (number[i] == '0') {
        ++i;  // a leading zero carries no digit
    } else {
        const std::size_t start = i;
        while (i < number.size() && is_digit(number[i])) ++i;
        integral = number.substr(start, i - start);
    }
    std::string_view fraction;
    if (i < number.size() && number[i] == '.') {
        const std::size_t start = ++i;
        while (i < number.size() && is_digit(number[i])) ++i;
        fraction = number.substr(start, i - start);
        while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
    }
    if (integral.empty() && fraction.empty()) return true;  // zero, whatever the sign and the exponent
    std::int64_t exponent = 0;
    if (i < number.size()) {  // 'e' or 'E'
        ++i;
        const bool negative_exponent = number[i] == '-';
        if (number[i] == '-' || number[i] == '+') ++i;
        while (i < number.size() && number[i] == '0') ++i;
        if (number.size() - i > 10) return false;  // beyond an int32, where Go gives up
        for (; i < number.size(); ++i) exponent = exponent * 10 + (number[i] - '0');
        if (negative_exponent) exponent = -exponent;
        if (exponent > INT32_MAX || exponent < INT32_MIN) return false;
    }
    // The whole number's digits: the integral part and `exponent` more (from the fraction, then zeros), or the
    // integral part less -exponent digits, which must all be zeros.
    const auto integral_size = static_cast<std::int64_t>(integral.size());
    const auto fraction_size = static_cast<std::int64_t>(fraction.size());
    std::int64_t digits = 0;  // never 0 below: with no digit before the point and none after it, it was zero
    if (exponent >= 0) {
        if (fraction_size > exponent || integral_size + exponent > 20) return false;
        digits = integral_size + exponent;
    } else {
        if (fraction_size > 0) return false;
        digits = integral_size + exponent;
        if (digits < 0) return false;
        for (auto k = static_cast<std::size_t>(digits); k < integral.size(); ++k) {
            if (integral[k] != '0') return false;
        }
    }
    if (digits > 20) return false;  // 10^20 and more: beyond 64 bits (the first digit is never a zero here)
    std::uint64_t magnitude = 0;
    for (std::int64_t k = 0; k < digits; ++k) {
        char digit = '0';
        if (k < integral_size) {
            digit = integral[static_cast<std::size_t>(k)];
        } else if (k - integral_size < fraction_size) {
            digit = fraction[static_cast<std::size_t>(k - integral_size)];
        }
        const auto d = static_cast<std::uint64_t>(digit - '0');
        if (magnitude > (UINT64_MAX - d) / 10) return false;  // past 2^64
        magnitude = magnitude * 10 + d;
    }
    if (!is_signed) return !negative && (bits == 64 || magnitude <= (std::uint64_t{1} << bits) - 1);
    const std::uint64_t limit = std::uint64_t{1} << (bits - 1);
    return negative ? magnitude <= limit : magnitude < limit;
}

// Appends the UTF-8 of code point `c`.
void append_utf8(std::string& out, std::uint32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

class rules_walk {
public:
    explicit rules_walk(std::string_view json) : in_(json) {}

    pb::util::Status run(pb::Message& message) {
        space();
        if (!take('{')) return pb::util::Status();  // not an object: the parser has refused it
        object(&message, *message.GetDescriptor(), 1);
        return refusal_.empty() ? pb::util::Status() : pb::util::InvalidArgumentError(refusal_);
    }

private:
    // Each step returns false when the walk ends: a rule is broken (refusal_ says which) or the text is not JSON
    // (the parser's verdict stands).

    // The members of an object for message type `d`, after its '{'. `m` is the message the parser made from it, or
    // null where there is none to look into (an element of a list).
    bool object(pb::Message* m, const pb::Descriptor& d, int depth) {
        space();
        if (take('}')) return true;
        index_set fields(d.field_count());
        index_set oneofs(d.oneof_decl_count());
        for (;;) {
            std::string_view key;
            if (!string(key, key_scratch_)) return false;
            space();
            if (!take(':')) return false;
            space();
            const fd* field = find(d, key);
            if (field == nullptr) {
                if (!skip_value()) return false;  // unknown fields are ignored, as ZITADEL's DiscardUnknown does
            } else {
                if (!fields.insert(field->index())) return refuse("duplicate field \"" + std::string(key) + "\"");
                if (!member(m, *field, depth, oneofs)) return false;
            }
            space();
            if (take('}')) return true;
            if (!take(',')) return false;
            space();
        }
    }

    bool member(pb::Message* m, const fd& field, int depth, index_set& oneofs) {
        if (literal("null")) return true;  // unset, as Go leaves it (and names the field all the same)
        if (field.is_map()) return peek('{') ? skip_value() : wrong_type(field);  // maps: not looked into
        if (field.is_repeated()) {
            if (!take('[')) return wrong_type(field);
            space();
            if (take(']')) return true;
            for (;;) {
                if (peek('n')) return wrong_type(field);  // null in a list
                if (!value(nullptr, field, depth)) return false;
                space();
                if (take(']')) return true;
                if (!take(',')) return false;
                space();
            }
        }
        if (const auto* oneof = field.containing_oneof(); oneof != nullptr && !oneofs.insert(oneof->index())) {
            return refuse("error parsing \"" + field.json_name() + "\", oneof " + oneof->full_name() + " is already set");
        }
        return value(m, field, depth);
    }

    // A singular value, or an element of a list (then `m` is null).
    bool value(pb::Message* m, const fd& field, int depth) {
        switch (field.cpp_type()) {
            case fd::CPPTYPE_BOOL:
                return literal("true") || literal("false") || wrong_type(field);
            case fd::CPPTYPE_STRING:
                return peek('"') ? skip_value() : wrong_type(field);  // bytes' base64: not looked into
            case fd::CPPTYPE_INT32:
                return integer(field, 32, true);
            case fd::CPPTYPE_INT64:
                return integer(field, 64, true);
            case fd::CPPTYPE_UINT32:
                return integer(field, 32, false);
            case fd::CPPTYPE_UINT64:
                return integer(field, 64, false);
            case fd::CPPTYPE_FLOAT:
            case fd::CPPTYPE_DOUBLE:
                return peek('"') || peek_number() ? skip_value() : wrong_type(field);  // not looked into
            case fd::CPPTYPE_ENUM:
                return enumeration(m, field);
            case fd::CPPTYPE_MESSAGE:
                return message(m, field, depth);
        }
        return wrong_type(field);
    }

    // A number, or a string holding exactly a number (no spaces), whose value is whole and in range.
    bool integer(const fd& field, int bits, bool is_signed) {
        std::string_view number;
        if (peek('"')) {
            if (!string(number, value_scratch_)) return false;
            if (number.empty() || number_length(number) != number.size()) return wrong_type(field);
        } else {
            const std::size_t n = number_length(in_.substr(at_));
            if (n == 0) return peek_scalar_start() ? wrong_type(field) : false;
            number = in_.substr(at_, n);
            at_ += n;
        }
        return go_takes_integer(number, bits, is_signed) || wrong_type(field);
    }

    // A name (an unknown one leaves the field unset, as Go discards it) or a whole int32 number.
    bool enumeration(pb::Message* m, const fd& field) {
        if (peek('"')) {
            std::string_view name;
            if (!string(name, value_scratch_)) return false;
            if (field.enum_type()->FindValueByName(std::string(name)) == nullptr && m != nullptr) {
                // protobuf took a number in a string ("1") as that value; Go knows no such name.
                m->GetReflection()->ClearField(m, &field);
            }
            return true;
        }
        const std::size_t n = number_length(in_.substr(at_));
        if (n == 0) return peek_scalar_start() ? wrong_type(field) : false;
        const auto number = in_.substr(at_, n);
        at_ += n;
        return go_takes_integer(number, 32, true) || wrong_type(field);
    }

    bool message(pb::Message* m, const fd& field, int depth) {
        const auto& type = *field.message_type();
        if (type.full_name() == "google.protobuf.Timestamp") {
            std::string_view text;
            if (!peek('"')) return wrong_type(field);
            if (!string(text, value_scratch_)) return false;
            // Go takes at most nine fraction digits; protobuf C++ drops the rest.
            const auto point = text.rfind('.');
            const auto zone = text.find_last_of("Z-+");
            if (point != std::string_view::npos && zone != std::string_view::npos && zone >= point && zone - point > 10) {
                return wrong_type(field);
            }
            return true;
        }
        if (type.file()->package() == "google.protobuf") return skip_value();  // other well-known types: not looked into
        if (!take('{')) return wrong_type(field);
        if (depth >= max_depth) return refuse("message nested too deeply at field \"" + field.json_name() + "\"");
        pb::Message* nested = nullptr;
        if (m != nullptr && m->GetReflection()->HasField(*m, &field)) nested = m->GetReflection()->MutableMessage(m, &field);
        return object(nested, type, depth + 1);
    }

    bool wrong_type(const fd& field) {
        static constexpr std::string_view kinds[] = {"", "double", "float", "int64", "uint64", "int32", "fixed64",
                                                     "fixed32", "bool", "string", "group", "message", "bytes", "uint32",
                                                     "enum", "sfixed32", "sfixed64", "sint32", "sint64"};
        std::string out = "invalid value for ";
        if (field.is_repeated()) out += "repeated ";
        out += kinds[field.type()];
        out += " field ";
        out += field.json_name();
        return refuse(std::move(out));
    }

    bool refuse(std::string reason) {
        refusal_ = std::move(reason);
        return false;
    }

    static const fd* find(const pb::Descriptor& d, std::string_view key) {
        // As Go: the JSON name first, then the proto name.
        for (int i = 0; i < d.field_count(); ++i) {
            if (d.field(i)->json_name() == key) return d.field(i);
        }
        for (int i = 0; i < d.field_count(); ++i) {
            if (d.field(i)->name() == key) return d.field(i);
        }
        return nullptr;
    }

    // Skips one value of any kind, nested to any depth, without recursion. False if the text is not JSON there.
    bool skip_value() {
        std::size_t open = 0;
        do {
            if (at_ >= in_.size()) return false;
            const char c = in_[at_];
            if (c == '"') {
                std::string_view ignored;
                if (!string_raw(ignored)) return false;
            } else if (c == '{' || c == '[') {
                ++open;
                ++at_;
            } else if (c == '}' || c == ']') {
                if (open == 0) return false;
                --open;
                ++at_;
            } else if (c == ',' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                if (open == 0) return false;
                ++at_;
            } else {
                // A number or a literal: up to the next delimiter.
                while (at_ < in_.size() && in_[at_] != ',' && in_[at_] != '}' && in_[at_] != ']' && in_[at_] != ' ' &&
                       in_[at_] != '\t' && in_[at_] != '\n' && in_[at_] != '\r' && in_[at_] != ':') {
                    ++at_;
                }
            }
        } while (open > 0);
        return true;
    }

    // A string's text between its quotes, as written (escapes undone by string() when needed).
    bool string_raw(std::string_view& raw) {
        if (!take('"')) return false;
        const std::size_t start = at_;
        while (at_ < in_.size() && in_[at_] != '"') at_ += in_[at_] == '\\' ? 2 : 1;
        if (at_ >= in_.size()) {
            at_ = in_.size();  // an escape at the very end steps past it
            return false;
        }
        raw = in_.substr(start, at_ - start);
        ++at_;
        return true;
    }

    // A string's value: the text itself when it holds no escape, else its unescaped copy in `scratch`.
    bool string(std::string_view& out, std::string& scratch) {
        std::string_view raw;
        if (!string_raw(raw)) return false;
        if (raw.find('\\') == std::string_view::npos) {
            out = raw;
            return true;
        }
        scratch.clear();
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] != '\\') {
                scratch += raw[i];
                continue;
            }
            if (++i >= raw.size()) return false;
            switch (raw[i]) {
                case '"': scratch += '"'; break;
                case '\\': scratch += '\\'; break;
                case '/': scratch += '/'; break;
                case 'b': scratch += '\b'; break;
                case 'f': scratch += '\f'; break;
                case 'n': scratch += '\n'; break;
                case 'r': scratch += '\r'; break;
                case 't': scratch += '\t'; break;
                case 'u': {
                    std::uint32_t c = 0;
                    if (!hex4(raw, i + 1, c)) return false;
                    i += 4;
                    if (c >= 0xD800 && c <= 0xDBFF) {  // a high surrogate: its low one follows
                        std::uint32_t low = 0;
                        if (i + 2 >= raw.size() || raw[i + 1] != '\\' || raw[i + 2] != 'u' || !hex4(raw, i + 3, low) ||
                            low < 0xDC00 || low > 0xDFFF) {
                            return false;
                        }
                        i += 6;
                        c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
                    } else if (c >= 0xDC00 && c <= 0xDFFF) {
                        return false;
                    }
                    append_utf8(scratch, c);
                    break;
                }
                default:
                    return false;
            }
        }
        out = scratch;
        return true;
    }

    static bool hex4(std::string_view text, std::size_t at, std::uint32_t& out) {
        if (at + 4 > text.size()) return false;
        out = 0;
        for (std::size_t k = at; k < at + 4; ++k) {
            const char c = text[k];
            out <<= 4;
            if (c >= '0' && c <= '9') {
                out |= static_cast<std::uint32_t>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                out |= static_cast<std::uint32_t>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                out |= static_cast<std::uint32_t>(c - 'A' + 10);
            } else {
                return false;
            }
        }
        return true;
    }

    void space() {
        while (at_ < in_.size() && (in_[at_] == ' ' || in_[at_] == '\t' || in_[at_] == '\n' || in_[at_] == '\r')) ++at_;
    }
    bool peek(char c) const { return at_ < in_.size() && in_[at_] == c; }
    bool peek_number() const { return at_ < in_.size() && (in_[at_] == '-' || is_digit(in_[at_])); }
    // The start of a JSON value other than a number (which the caller has ruled out).
    bool peek_scalar_start() const {
        return at_ < in_.size() && (in_[at_] == '"' || in_[at_] == 't' || in_[at_] == 'f' || in_[at_] == 'n' ||
                                    in_[at_] == '{' || in_[at_] == '[');
    }
    bool take(char c) {
        if (!peek(c)) return false;
        ++at_;
        return true;
    }
    bool literal(std::string_view word) {
        if (in_.substr(at_, word.size()) != word) return false;
        at_ += word.size();
        return true;
    }

    std::string_view in_;
    std::size_t at_ = 0;
    std::string refusal_;
    std::string key_scratch_;
    std::string value_scratch_;
};
}  // namespace

pb::util::Status check_go_protojson_rules(std::string_view json, pb::Message& message) {
    return rules_walk(json).run(message);
}

}  // namespace userstream::api::detail
