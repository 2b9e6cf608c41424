#include "server_options.hpp"

#include <charconv>
#include <string_view>

namespace server {

namespace {

std::size_t parse_count(const std::string& flag, const std::string& text, std::size_t min, std::size_t max) {
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
        throw usage_error(flag + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                          ", not '" + text + "'");
    }
    return value;
}

// HOST:PORT; an IPv6 host in brackets ([::1]:8080).
void parse_listen(const std::string& flag, const std::string& text, std::string& host_out, unsigned short& port_out) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
        throw usage_error(flag + " must be HOST:PORT (e.g. 127.0.0.1:8080), not '" + text + "'");
    }
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    host_out = host;
    port_out = static_cast<unsigned short>(parse_count(flag + "'s port", text.substr(colon + 1), 0, 65535));
}

// A fraction from 0 to 1, e.g. 0.1.
double parse_rate(const std::string& flag, const std::string& text) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0.0 && value <= 1.0)) {
        throw usage_error(flag + " must be a number from 0 to 1 (e.g. 0.1), not '" + text + "'");
    }
    return value;
}

bool is_region(const std::string& text) {
    return text.size() == 2 && text[0] >= 'A' && text[0] <= 'Z' && text[1] >= 'A' && text[1] <= 'Z';
}

}  // namespace

server_options parse_server_options(const std::vector<std::string>& arguments) {
    server_options out;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        std::string flag = arguments[i];
        std::optional<std::string> inline_value;
        if (const auto eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
            inline_value = flag.substr(eq + 1);
            flag.resize(eq);
        }
        const auto value = [&]() -> std::string {
            if (inline_value) return *inline_value;
            if (i + 1 >= arguments.size()) throw usage_error(flag + " needs a value");
            return arguments[++i];
        };
        const auto no_value = [&] {
            if (inline_value) throw usage_error(flag + " takes no value");
        };
        if (flag == "--listen") {
            parse_listen(flag, value(), out.host, out.port);
        } else if (flag == "--grpc-listen") {
#ifdef USERSTREAM_SERVER_GRPC
            std::string host;
            parse_listen(flag, value(), host, out.grpc_port);
            out.grpc_host = std::move(host);
#else
            throw usage_error("--grpc-listen: this userstream-server was built without gRPC (USERSTREAM_WITH_GRPC=OFF)");
#endif
        } else if (flag == "--store") {
            out.store_url = value();
            if (out.store_url.empty()) throw usage_error("--store must not be empty");
        } else if (flag == "--tokens") {
            out.tokens_file = value();
        } else if (flag == "--keys") {
            out.keys_file = value();
        } else if (flag == "--default-region") {
            const auto region = value();
            if (!is_region(region)) {
                throw usage_error("--default-region must be a two-letter ISO 3166 region in capitals (e.g. CH), not '" +
                                  region + "'");
            }
            out.phone.default_region = region;
        } else if (flag == "--phone-policy") {
            const auto policy = value();
            if (!userstream::user::parse_phone_policy(policy, out.phone.policy)) {
                throw usage_error("--phone-policy must be parse, possible or valid, not '" + policy + "'");
            }
        } else if (flag == "--threads") {
            out.worker_threads = parse_count(flag, value(), 1, 256);
        } else if (flag == "--max-connections") {
            out.max_connections = parse_count(flag, value(), 1, 1'000'000);
        } else if (flag == "--idle-timeout-ms") {
            out.idle_timeout = std::chrono::milliseconds(parse_count(flag, value(), 1, 86'400'000));
        } else if (flag == "--dev-sms-failure-rate") {
            out.dev_sms_failure_rate = parse_rate(flag, value());
        } else if (flag == "--dev") {
            no_value();
            out.dev = true;
        } else if (flag == "--help" || flag == "-h") {
            out.help = true;
        } else {
            throw usage_error("unknown flag '" + flag + "' (see --help)");
        }
    }
    return out;
}

void check_required(const server_options& options) {
    if (options.dev) return;
    if (options.dev_sms_failure_rate) {
        throw usage_error("--dev-sms-failure-rate is a fault injector for tests and needs --dev");
    }
    if (!options.tokens_file) throw usage_error("--tokens FILE is required (or --dev for a generated admin token)");
    if (!options.keys_file) throw usage_error("--keys FILE is required (or --dev for a generated key ring)");
}

std::string usage_text() {
    return R"(usage: userstream-server [flags]

ZITADEL's user phone API (REST, Connect, gRPC-Web) over HTTP/1.1, backed by a userstream event store.

  --listen HOST:PORT        address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --grpc-listen HOST:PORT   also serve native gRPC (HTTP/2) on this address (port 0 picks a free one)
  --store URL               event store (default sqlite:userstream.db; memory:, sqlite:PATH, postgresql://...)
  --tokens FILE             the API's token file (required without --dev)
  --keys FILE               the code key ring file, mode 0600 (required without --dev)
  --default-region XX       region for phone numbers without a country code (default CH)
  --phone-policy POLICY     parse, possible or valid (default valid)
  --threads N               worker threads for requests (default 4)
  --max-connections N       open connections at most; more wait in the accept backlog (default 1024)
  --dev                     development: generated admin token and key ring, SMS printed on standard output
  --help                    this text

docs/server.md describes endpoints, metrics, limits and shutdown.
)";
}

}  // namespace server
