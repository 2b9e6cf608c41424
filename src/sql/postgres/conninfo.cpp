#include "postgres/conninfo.hpp"

#include <libpq-fe.h>

#include <memory>
#include <set>
#include <string_view>
#include <vector>

namespace userstream::sql::postgres {

namespace {

using options_ptr = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

std::string ordinal(std::size_t n) { return std::to_string(n); }

// libpq's own keywords are safe to name in a message; anything else written where a keyword belongs may be a piece
// of a password (`password=a b` makes "b" a keyword).
bool is_libpq_keyword(std::string_view word) {
    static const std::set<std::string, std::less<>> keywords = [] {
        std::set<std::string, std::less<>> out{"ssl", "requiressl"};
        const options_ptr defaults(PQconndefaults(), &PQconninfoFree);
        for (const auto* o = defaults.get(); o != nullptr && o->keyword != nullptr; ++o) out.emplace(o->keyword);
        return out;
    }();
    return keywords.contains(word);
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// What libpq's URI decoder accepts: '%' only as "%XY" with two hex digits, and never "%00".
bool decodes(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') continue;
        if (i + 2 >= text.size() || !is_hex(text[i + 1]) || !is_hex(text[i + 2])) return false;
        if (text[i + 1] == '0' && text[i + 2] == '0') return false;
        i += 2;
    }
    return true;
}

bool plain_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_';
}

// A host list entry that can be shown and resolved: a name, an IPv4 or IPv6 address (with a zone after '%').
bool plain_host(std::string_view host) {
    for (const char c : host) {
        if (!plain_name_char(c) && c != ':' && c != '%') return false;
    }
    return true;
}

// A socket directory (libpq treats a host starting with '/' as one; '@' starts an abstract socket name).
bool socket_host(std::string_view host) { return !host.empty() && (host.front() == '/' || host.front() == '@'); }

bool plain_path(std::string_view path) {
    for (const char c : path) {
        if (!plain_name_char(c) && c != '/') return false;
    }
    return true;
}

std::vector<std::string_view> split_list(std::string_view list) {
    std::vector<std::string_view> out;
    while (true) {
        const auto comma = list.find(',');
        out.push_back(list.substr(0, comma));
        if (comma == std::string_view::npos) return out;
        list.remove_prefix(comma + 1);
    }
}

bool showable(std::string_view keyword, std::string_view value) {
    if (value.empty()) return true;
    if (keyword == "host" || keyword == "hostaddr") {
        for (const auto entry : split_list(value)) {
            if (!(plain_host(entry) || (entry.front() == '/' && plain_path(entry)))) return false;
        }
        return true;
    }
    if (keyword == "port") {
        for (const char c : value) {
            if (!(c >= '0' && c <= '9') && c != ',') return false;
        }
        return true;
    }
    for (const char c : value) {
        if (!plain_name_char(c)) return false;
    }
    return true;
}

// Where a postgresql:// URI breaks, following libpq's parser (conninfo_uri_parse_options): user info up to the first
// '@' before any '/', then comma-separated host[:port] entries, then /dbname, then ?key=value&... parameters.
std::string locate_uri_problem(std::string_view uri) {
    uri.remove_prefix(uri.find("://") + 3);
    std::size_t p = 0;
    const auto at_or_slash = uri.find_first_of("@/");
    if (at_or_slash != std::string_view::npos && uri[at_or_slash] == '@') {
        const auto userinfo = uri.substr(0, at_or_slash);
        const auto colon = userinfo.find(':');
        if (!decodes(userinfo.substr(0, colon))) return "the user name in the URI is not valid percent-encoding";
        if (colon != std::string_view::npos && !decodes(userinfo.substr(colon + 1))) {
            return "the password in the URI is not valid percent-encoding (write '%' as %25)";
        }
        p = at_or_slash + 1;
    }
    std::size_t entry = 0;
    do {
        ++entry;
        if (p < uri.size() && uri[p] == ',') ++p;
        const std::string which = "host " + ordinal(entry) + " in the URI";
        std::size_t start = p;
        if (p < uri.size() && uri[p] == '[') {
            const auto close = uri.find(']', p);
            if (close == std::string_view::npos) return which + " opens '[' without a closing ']'";
            if (close == p + 1) return which + " has an empty IPv6 address";
            p = close + 1;
            if (p < uri.size() && std::string_view(":/?,").find(uri[p]) == std::string_view::npos) {
                return which + " has text after its ']'";
            }
        } else {
            while (p < uri.size() && std::string_view(":/?,").find(uri[p]) == std::string_view::npos) ++p;
            if (!decodes(uri.substr(start, p - start))) return which + " is not valid percent-encoding";
        }
        if (p < uri.size() && uri[p] == ':') {
            start = ++p;
            while (p < uri.size() && std::string_view("/?,").find(uri[p]) == std::string_view::npos) ++p;
            if (!decodes(uri.substr(start, p - start))) return "the port of " + which + " is not valid percent-encoding";
        }
    } while (p < uri.size() && uri[p] == ',');
    if (p < uri.size() && uri[p] == '/') {
        const auto start = ++p;
        while (p < uri.size() && uri[p] != '?') ++p;
        if (!decodes(uri.substr(start, p - start))) return "the database name in the URI is not valid percent-encoding";
    }
    if (p < uri.size()) {
        auto query = uri.substr(p + 1);
        for (std::size_t n = 1; !query.empty(); ++n) {
            const auto amp = query.find('&');
            const auto item = query.substr(0, amp);
            query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
            const std::string which = "query parameter " + ordinal(n) + " of the URI";
            const auto eq = item.find('=');
            if (eq == std::string_view::npos) return which + " has no '=' (write '&' in a value as %26)";
            if (item.find('=', eq + 1) != std::string_view::npos) return which + " has a second '=' (write it as %3D)";
            const auto key = item.substr(0, eq);
            if (!decodes(key)) return which + " has a name that is not valid percent-encoding";
            if (!is_libpq_keyword(key)) return which + " is not a libpq parameter";
            if (!decodes(item.substr(eq + 1))) {
                return "the value of query parameter '" + std::string(key) + "' is not valid percent-encoding";
            }
        }
    }
    return "the URI does not parse (percent-encode '@', '/', ':', '%', '?', '&', spaces and brackets in a password)";
}

// Where a key=value conninfo breaks, following libpq's conninfo_parse: a keyword, optional spaces, '=', optional
// spaces, then a value that is either single-quoted (backslash escapes) or runs to the next space.
std::string locate_keyword_value_problem(std::string_view text) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    std::size_t at = 0;
    for (std::size_t n = 1;; ++n) {
        while (at < text.size() && space(text[at])) ++at;
        if (at >= text.size()) break;
        const std::size_t start = at;
        while (at < text.size() && text[at] != '=' && !space(text[at])) ++at;
        const auto key = text.substr(start, at - start);
        while (at < text.size() && space(text[at])) ++at;
        const std::string which = "item " + ordinal(n) + " of the connection string";
        if (at >= text.size() || text[at] != '=') {
            return which + " has no '=' (a value with spaces must be in single quotes)";
        }
        if (!is_libpq_keyword(key)) return which + " is not a libpq parameter";
        ++at;
        while (at < text.size() && space(text[at])) ++at;
        if (at < text.size() && text[at] == '\'') {
            ++at;
            while (at < text.size() && text[at] != '\'') at += text[at] == '\\' ? 2 : 1;
            if (at >= text.size()) return "the quoted value of '" + std::string(key) + "' has no closing quote";
            ++at;
        } else {
            while (at < text.size() && !space(text[at])) at += text[at] == '\\' ? 2 : 1;
        }
    }
    return "the connection string does not parse (a value with spaces or quotes must be in single quotes)";
}

std::string shown(std::string_view keyword, const char* value) {
    if (value == nullptr || *value == '\0') return "?";
    return showable(keyword, value) ? std::string(value) : "(not shown)";
}

}  // namespace

std::optional<std::string> conninfo_problem(const std::string& conninfo) {
    char* message = nullptr;
    const options_ptr options(PQconninfoParse(conninfo.c_str(), &message), &PQconninfoFree);
    if (!options) {
        // libpq's message quotes the text around the fault, which may be the password: it is dropped unread.
        PQfreemem(message);
        const bool uri = conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://");
        return uri ? locate_uri_problem(conninfo) : locate_keyword_value_problem(conninfo);
    }
    for (const auto* o = options.get(); o->keyword != nullptr; ++o) {
        const std::string_view keyword = o->keyword;
        if (o->val == nullptr || *o->val == '\0') continue;
        if (keyword == "host") {
            for (const auto entry : split_list(o->val)) {
                if (!entry.empty() && !plain_host(entry) && !socket_host(entry)) {
                    return std::string("the host is not a host name, an IP address or a socket directory (in a URI, "
                                       "percent-encode '@', '/' and ':' in a password)");
                }
            }
        } else if (keyword == "hostaddr" && !showable(keyword, o->val)) {
            return std::string("the hostaddr is not an IP address");
        } else if (keyword == "port" && !showable(keyword, o->val)) {
            return std::string("the port is not a number (in a URI, percent-encode '/' and ':' in a password)");
        }
    }
    return std::nullopt;
}

std::string describe_connection(const pg_conn* conn) {
    auto* c = const_cast<PGconn*>(conn);  // libpq's getters take a non-const pointer but do not modify
    return "host " + shown("host", PQhost(c)) + " port " + shown("port", PQport(c)) + " database " +
           shown("dbname", PQdb(c)) + " user " + shown("user", PQuser(c));
}

std::string connection_failure_reason(const pg_conn* conn, const std::string& conninfo) {
    std::string reason = PQerrorMessage(const_cast<PGconn*>(conn));
    if (const auto end = reason.find('\n'); end != std::string::npos) reason.resize(end);
    // Everything of the conninfo that must not appear: the passwords, and every value too odd to show.
    std::vector<std::string> hidden;
    char* message = nullptr;
    const options_ptr options(PQconninfoParse(conninfo.c_str(), &message), &PQconninfoFree);
    PQfreemem(message);
    if (!options) return "the connection string does not parse";
    for (const auto* o = options.get(); o->keyword != nullptr; ++o) {
        if (o->val == nullptr || *o->val == '\0') continue;
        const std::string_view keyword = o->keyword;
        const bool secret = keyword == "password" || keyword == "sslpassword";
        const bool named = keyword == "host" || keyword == "hostaddr" || keyword == "port" || keyword == "dbname" ||
                           keyword == "user";
        if (secret || (named && !showable(keyword, o->val))) hidden.emplace_back(o->val);
    }
    for (const auto& value : hidden) {
        if (reason.find(value) != std::string::npos) {
            return "the server could not be reached or refused the connection (libpq's message is withheld: it "
                   "quotes the connection string)";
        }
    }
    return reason;
}

}  // namespace userstream::sql::postgres
