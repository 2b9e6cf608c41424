// A host in a box for API tests: an in-memory store, a user service with a manual clock, sequential ids and numbered
// codes, running user projections, a token file with a few callers, and the API handler over all of it. `send` speaks
// one of the four wire forms (REST, Connect JSON, Connect binary, gRPC-Web) the way a ZITADEL client would, and
// decodes the answer into a `reply` that is the same whatever the protocol, so one expectation covers all four.
//
// The REST paths and each protocol's error decoding are written here from ZITADEL's proto rules and the protocol
// specifications, independently of the library's own tables.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>

#include "userstream/api/api_handler.hpp"
#include "userstream/eventstore/memory_event_store.hpp"
#include "userstream/testing/scripted_codes.hpp"
#include "userstream/testing/user_fixture.hpp"
#include "userstream/user/events.hpp"

namespace userstream::api_tests {

enum class protocol { rest, connect_json, connect_proto, grpc_web };
inline constexpr protocol all_protocols[] = {protocol::rest, protocol::connect_json, protocol::connect_proto,
                                             protocol::grpc_web};
std::string_view name_of(protocol p);

// The callers of the token file: "admin-token" (admin of o1: user.read, user.write), "reader-token" (reader of o1:
// user.read), "other-token" (admin of o2), "u1-token" (the user u1 of o1, no permissions).
inline constexpr std::string_view admin_token = "admin-token";
inline constexpr std::string_view reader_token = "reader-token";
inline constexpr std::string_view other_admin_token = "other-token";
inline constexpr std::string_view u1_token = "u1-token";
std::string token_file_json();

struct reply {
    int code = -1;              // gRPC status code decoded from the protocol's form
    int http_status = 0;
    std::string message;        // the status message
    std::string error_id;       // the zitadel.v1.ErrorDetail id, empty when none was sent
    std::string error_message;  // the ErrorDetail message
    std::unique_ptr<google::protobuf::Message> response;  // when code == 0
    api::api_response raw;
    std::string decode_problem;  // non-empty when the answer did not decode as its protocol requires

    bool ok() const { return code == 0 && decode_problem.empty(); }
    template <class M>
    const M& as() const { return dynamic_cast<const M&>(*response); }
};

// The HTTP status each protocol must use for a gRPC code (grpc-gateway's, Connect's table, gRPC-Web's 200).
int expected_http_status(protocol p, int grpc_code);

class api_fixture {
public:
    explicit api_fixture(user::user_service_config config = {}, api::api_options options = {});
    ~api_fixture();

    // `method` is "zitadel.user.v2.UserService/SetPhone". `token` empty: no Authorization header.
    reply send(protocol p, std::string_view method, const google::protobuf::Message& request,
               std::string_view token = admin_token, std::optional<std::string> org_header = std::nullopt);
    // `send` in two steps, for a test that adds to the request: the HTTP request a client of protocol `p` sends, and
    // the handler's answer to it, decoded as `send` decodes it.
    api::api_request request_for(protocol p, std::string_view method, const google::protobuf::Message& request,
                                 std::string_view token = admin_token,
                                 std::optional<std::string> org_header = std::nullopt) const;
    reply answer(protocol p, std::string_view method, const api::api_request& http);
    // The raw exchange, for hostile-input tests.
    api::api_response raw(const api::api_request& request) { return api->handle(request); }

    // Adds a human user directly through the service (admin of its org), optionally with a verified phone.
    void given_human(const std::string& user_id, const std::string& org, const std::string& phone = "",
                     bool verified = false);
    // Appends `events` of `user_id`, owned by `org`, straight to the store, as an earlier process would have stored
    // them (a human still in initialisation, a machine, a removed user), and waits until the read side has them.
    void given_events(const std::string& user_id, const std::string& org, const std::vector<user::user_event>& events);
    // Every event stored so far.
    std::vector<eventstore::stored_event> events() const;

    eventstore::memory_event_store store;
    manual_clock clock{testing::test_epoch()};
    sequential_id_generator ids{"gen-"};
    testing::numbered_codes codes;
    user::key_ring keys;
    api::token_file tokens;
    std::unique_ptr<user::user_service> users;
    std::unique_ptr<projections::user_projections> read_side;
    std::unique_ptr<api::api_handler> api;
    std::vector<std::string> log;  // what the handler's log hook received
};

// The REST verb, path and whether the body is the request, per ZITADEL's google.api.http rules.
struct rest_rule {
    std::string_view verb;
    std::string_view path;
    bool has_body;
};
rest_rule rest_rule_of(std::string_view method);

}  // namespace userstream::api_tests
