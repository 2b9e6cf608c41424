#include "store_url.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>
#include <vector>

namespace userstream::backends::detail {

namespace {

[[noreturn]] void bad(const std::string& what) { throw infrastructure_error("open_store: " + what); }

bool parse_switch(std::string_view key, std::string_view value) {
    if (value == "on" || value == "true" || value == "1") return true;
    if (value == "off" || value == "false" || value == "0") return false;
    bad("option " + std::string(key) + " must be on or off");
}

std::size_t parse_size(std::string_view key, std::string_view value) {
    std::size_t out = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    if (ec != std::errc() || end != value.data() + value.size()) bad("option " + std::string(key) + " must be a number");
    return out;
}

// The PostgreSQL options beyond schema, group_commit and max_group; false when `key` is not one of ours.
bool parse_postgres_option(postgres_options& options, std::string_view key, std::string_view value) {
    if (key == "commits") {
        if (value == "serialised") options.commits = postgres_commits::serialised;
        else if (value == "parallel") options.commits = postgres_commits::parallel;
        else bad("option commits must be serialised or parallel");
    } else if (key == "writers") {
        options.writers = parse_size(key, value);
        if (options.writers == 0) bad("option writers must be at least 1");
    } else {
        return false;
    }
    return true;
}

// Splits "a=1&b=2" into pairs.
std::vector<std::pair<std::string_view, std::string_view>> query_pairs(std::string_view query) {
    std::vector<std::pair<std::string_view, std::string_view>> pairs;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (item.empty()) continue;
        const auto eq = item.find('=');
        pairs.emplace_back(item.substr(0, eq), eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1));
    }
    return pairs;
}

sqlite_options parse_sqlite(std::string_view rest) {
    sqlite_options options;
    const auto question = rest.find('?');
    std::string_view path = rest.substr(0, question);
    if (path.starts_with("//")) path.remove_prefix(2);  // sqlite:///abs/path
    if (path.empty()) bad("sqlite: URL names no file (use sqlite:PATH or sqlite::memory:)");
    options.path = std::string(path);
    if (question == std::string_view::npos) return options;
    for (const auto& [key, value] : query_pairs(rest.substr(question + 1))) {
        if (key == "synchronous") {
            if (value == "off") options.synchronous = sqlite_synchronous::off;
            else if (value == "normal") options.synchronous = sqlite_synchronous::normal;
            else if (value == "full") options.synchronous = sqlite_synchronous::full;
            else bad("option synchronous must be off, normal or full");
        } else if (key == "group_commit") {
            options.group_commit = parse_switch(key, value);
        } else if (key == "busy_timeout_ms") {
            options.busy_timeout = std::chrono::milliseconds(parse_size(key, value));
        } else if (key == "max_group") {
            options.max_group = parse_size(key, value);
        } else {
            bad("unknown sqlite option '" + std::string(key) + "'");
        }
    }
    return options;
}

// Takes our own options out of a postgresql:// URI and leaves the rest for libpq, each item as it was written.
postgres_options parse_postgres_uri(std::string_view url) {
    postgres_options options;
    // As in libpq, the user info runs to the first '@' before any '/', so a '?' inside a password is not the query.
    const auto authority = url.find("://") + 3;
    const auto at_or_slash = url.find_first_of("@/", authority);
    const auto after_userinfo = at_or_slash != std::string_view::npos && url[at_or_slash] == '@' ? at_or_slash : authority;
    const auto question = url.find('?', after_userinfo);
    std::string conninfo(url.substr(0, question));
    if (question != std::string_view::npos) {
        std::string passed;
        std::string_view query = url.substr(question + 1);
        while (!query.empty()) {
            const auto amp = query.find('&');
            const auto item = query.substr(0, amp);
            query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
            if (item.empty()) continue;
            const auto eq = item.find('=');
            const auto key = item.substr(0, eq);
            const auto value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
            if (key == "schema") {
                options.schema = std::string(value);
            } else if (key == "group_commit") {
                options.group_commit = parse_switch(key, value);
            } else if (key == "max_group") {
                options.max_group = parse_size(key, value);
            } else if (parse_postgres_option(options, key, value)) {
            } else {
                passed += passed.empty() ? "?" : "&";
                passed += item;
            }
        }
        conninfo += passed;
    }
    options.conninfo = std::move(conninfo);
    return options;
}

// Takes our own keys out of a libpq key=value string. Values may be single-quoted with backslash escapes.
postgres_options parse_postgres_conninfo(std::string_view text) {
    postgres_options options;
    std::string passed;
    std::size_t at = 0;
    const auto skip_spaces = [&] {
        while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n')) ++at;
    };
    for (std::size_t item = 1;; ++item) {
        skip_spaces();
        if (at >= text.size()) break;
        const std::size_t start = at;
        while (at < text.size() && text[at] != '=' && text[at] != ' ') ++at;
        const auto key = text.substr(start, at - start);
        skip_spaces();
        // Named by its number, not its text: a word without '=' is often the rest of an unquoted password.
        if (at >= text.size() || text[at] != '=') {
            bad("conninfo: item " + std::to_string(item) + " has no '=' (a value with spaces must be in single quotes)");
        }
        ++at;
        skip_spaces();
        std::string value;
        if (at < text.size() && text[at] == '\'') {
            ++at;
            while (at < text.size() && text[at] != '\'') {
                if (text[at] == '\\' && at + 1 < text.size()) ++at;
                value += text[at++];
            }
            if (at >= text.size()) bad("conninfo: item " + std::to_string(item) + " has an unterminated quoted value");
            ++at;
        } else {
            while (at < text.size() && text[at] != ' ' && text[at] != '\t' && text[at] != '\n') value += text[at++];
        }
        if (key == "schema") {
            options.schema = value;
        } else if (key == "group_commit") {
            options.group_commit = parse_switch(key, value);
        } else if (key == "max_group") {
            options.max_group = parse_size(key, value);
        } else if (parse_postgres_option(options, key, value)) {
        } else {
            if (!passed.empty()) passed += ' ';
            passed += text.substr(start, at - start);
        }
    }
    options.conninfo = std::move(passed);
    return options;
}

}  // namespace

store_url parse_store_url(std::string_view url) {
    if (url == "memory:" || url == "memory://") return memory_url{};
    if (url.starts_with("sqlite::memory:")) {
        auto options = parse_sqlite(url.substr(7));
        options.path = ":memory:";
        return options;
    }
    if (url.starts_with("sqlite:")) return parse_sqlite(url.substr(7));
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return parse_postgres_uri(url);
    const auto colon = url.find(':');
    const auto equals = url.find('=');
    if (equals != std::string_view::npos && (colon == std::string_view::npos || equals < colon)) {
        return parse_postgres_conninfo(url);
    }
    if (colon == std::string_view::npos) {
        bad("store URL has no scheme (expected memory:, sqlite:PATH, sqlite::memory:, postgresql://... or a libpq "
            "conninfo string)");
    }
    // The scheme is named only when it looks like one: text before a ':' may be a user name and password.
    const auto scheme = url.substr(0, colon);
    const bool plain = scheme.size() <= 32 && std::all_of(scheme.begin(), scheme.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
               c == '.';
    });
    bad("unknown store URL scheme" + (plain ? " '" + std::string(scheme) + "'" : std::string()) +
        " (expected memory:, sqlite:, postgresql:// or a libpq conninfo string)");
}

}  // namespace userstream::backends::detail
