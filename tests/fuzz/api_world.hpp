// The host the API fuzz target and its corpus generator share: an in-memory store, a user service, the user
// projections (caught up by the queries themselves), a token file with known tokens, and the API handler over them, with two users already there (u1: a
// human of o1 with a verified phone; u2: a human of o1 without one). Also the layout of a fuzz input: which
// protocol, token, org header and method its first two bytes choose.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "methods/method_table.hpp"
#include "userstream/api/api_handler.hpp"
#include "userstream/eventstore/memory_event_store.hpp"

namespace userstream::fuzz {

enum class protocol { rest, connect_json, connect_proto, grpc_web };

// First byte: protocol (bits 0-1), bearer token (bits 2-3: admin of o1, the user u1, a reader of o1, none), an
// `x-zitadel-orgid: o1` header (bit 4). Second byte: the method, an index into `api_methods()`. Then, for REST, the
// user id that replaces the path's variable, up to a '\n'; then the body.
constexpr std::uint8_t choice_byte(protocol p, int token, bool org_header) {
    return static_cast<std::uint8_t>(static_cast<int>(p) | token << 2 | (org_header ? 16 : 0));
}
inline constexpr std::string_view tokens[] = {"admin-token", "u1-token", "reader-token", ""};

// The method table in name order, so an index keeps its meaning when the table's own order changes.
const std::vector<const api::detail::method*>& api_methods();

class api_world {
public:
    api_world();
    ~api_world();
    api_world(const api_world&) = delete;
    api_world& operator=(const api_world&) = delete;

    api::api_response handle(const api::api_request& request) const { return api_->handle(request); }
    // The last detail the handler logged about an internal failure, for a failing property's report.
    const std::string& last_log() const noexcept { return last_log_; }

private:
    struct parts;
    std::unique_ptr<parts> parts_;
    std::unique_ptr<api::api_handler> api_;
    std::string last_log_;
};

// The HTTP request a fuzz input stands for.
api::api_request request_of(const std::uint8_t* data, std::size_t size);

}  // namespace userstream::fuzz
