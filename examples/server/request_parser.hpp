// How userstream-server reads a request off a connection: Beast's parser for a whole (de-chunked) string body, with
// the server's header and body limits (beyond them the server answers 431 and 413). One definition for the server
// and for the fuzz target that feeds it arbitrary bytes (tests/fuzz/http_request_fuzz.cpp).
#pragma once

#include <cstdint>
#include <optional>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http_server.hpp"

namespace server {

using request_parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// A fresh parser in `parser` for the next request of a connection, limited as `config` says.
inline void start_request(std::optional<request_parser>& parser, const http_server_config& config) {
    parser.emplace();
    parser->header_limit(static_cast<std::uint32_t>(config.header_limit));
    parser->body_limit(config.body_limit);
}

}  // namespace server
