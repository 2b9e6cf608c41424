// userstream-server's request parsing (examples/server/request_parser.hpp: Beast's parser with the server's limits)
// on any bytes a client could send down a connection, delivered in reads of a size the first byte chooses, and read
// as the server reads them: request after request while the connection is kept alive. Properties: parsing never
// crashes or reads out of bounds; a request that parses, written out again (its header by Beast, its body framed as
// the parser read it: chunked or not) and parsed again, has the same method, target, version, fields and body, so
// what the server hands the API is what the client sent. (Beast's own serializer is not used for the body: it decides
// on chunking from the first Transfer-Encoding field only, while the parser, rightly, reads them all as one list.)
#include <algorithm>
#include <optional>
#include <sstream>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/write.hpp>

#include "fuzz_check.hpp"
#include "request_parser.hpp"

namespace http = boost::beast::http;
namespace net = boost::asio;

namespace {

// Reads one message into `parser` from `pending` (bytes received, not yet parsed), taking more from `socket` in
// reads of at most `read_size` when the parser needs more, as Beast's read does. Returns the error that ended it.
boost::system::error_code read_message(server::request_parser& parser, std::string& pending,
                                       std::string_view& socket, std::size_t read_size) {
    boost::system::error_code ec;
    while (!parser.is_done()) {
        if (pending.empty()) {
            if (socket.empty()) {
                parser.put_eof(ec);
                return ec ? ec : http::error::end_of_stream;
            }
            const auto n = std::min(read_size, socket.size());
            pending.append(socket.substr(0, n));
            socket.remove_prefix(n);
        }
        const auto used = parser.put(net::buffer(pending), ec);
        pending.erase(0, used);
        if (ec == http::error::need_more) {
            ec = {};
            if (socket.empty()) {
                parser.put_eof(ec);
                return ec ? ec : http::error::end_of_stream;
            }
            const auto n = std::min(read_size, socket.size());
            pending.append(socket.substr(0, n));
            socket.remove_prefix(n);
            continue;
        }
        if (ec) return ec;
    }
    return ec;
}

std::string written_out(const server::request_parser& parser) {
    const auto& request = parser.get();
    std::ostringstream out;
    out << request.base();  // the request line, the fields and the empty line
    if (parser.chunked()) {
        if (!request.body().empty()) out << std::hex << request.body().size() << "\r\n" << request.body() << "\r\n";
        out << "0\r\n\r\n";
    } else {
        out << request.body();
    }
    return out.str();
}

void check_same(const http::request<http::string_body>& a, const http::request<http::string_body>& b) {
    using userstream::fuzz::check;
    check(a.method_string() == b.method_string(), "the method changes when the request is written out");
    check(a.target() == b.target(), "the target changes when the request is written out");
    check(a.version() == b.version(), "the version changes when the request is written out");
    check(a.body() == b.body(), "the body changes when the request is written out");
    auto i = a.begin();
    auto j = b.begin();
    for (; i != a.end() && j != b.end(); ++i, ++j) {
        check(i->name_string() == j->name_string() && i->value() == j->value(),
              "a field changes when the request is written out");
    }
    check(i == a.end() && j == b.end(), "the fields change when the request is written out");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    userstream::fuzz::input_reader in(data, size);
    const std::uint8_t choice = in.byte();
    const std::size_t read_size = choice == 0 ? 1 << 20 : choice;  // 0: everything in one read
    std::string_view socket = in.rest();
    const server::http_server_config config;  // the server's default limits

    std::string pending;
    std::optional<server::request_parser> parser;
    for (;;) {
        server::start_request(parser, config);
        if (read_message(*parser, pending, socket, read_size)) return 0;  // the server answers 4xx or closes
        const auto& request = parser->get();

        // Written out and read back, with room for the separators the serializer adds to the header.
        const std::string text = written_out(*parser);
        server::request_parser again;
        again.header_limit(static_cast<std::uint32_t>(config.header_limit * 2 + 1024));
        again.body_limit(config.body_limit);
        again.eager(true);
        boost::system::error_code ec;
        std::size_t used = 0;
        while (!ec && !again.is_done() && used < text.size()) {
            used += again.put(net::buffer(text.data() + used, text.size() - used), ec);
        }
        if (ec == http::error::need_more) ec = {};
        if (!ec && !again.is_done()) again.put_eof(ec);
        userstream::fuzz::check(!ec && again.is_done() && used == text.size(),
                                "a parsed request, written out, does not parse again: " + ec.message());
        check_same(request, again.get());

        if (!request.keep_alive()) return 0;
        if (pending.empty() && socket.empty()) return 0;
    }
}
