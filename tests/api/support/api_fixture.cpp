#include "support/api_fixture.hpp"

#include <map>
#include <stdexcept>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "google/rpc/status.pb.h"
#include "userstream/user/event_codec.hpp"
#include "zitadel/message.pb.h"

namespace userstream::api_tests {

namespace {
namespace pb = google::protobuf;

std::string base64_decode(std::string text) {
    while (text.size() % 4 != 0) text.push_back('=');
    std::string out(text.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (n < 0) throw std::runtime_error("not base64");
    std::size_t pad = 0;
    for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++pad;
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

std::string percent_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

// The Connect protocol's code names.
int code_of_connect_name(std::string_view name) {
    static const std::map<std::string_view, int> codes{
        {"canceled", 1},          {"unknown", 2},         {"invalid_argument", 3}, {"deadline_exceeded", 4},
        {"not_found", 5},         {"already_exists", 6},  {"permission_denied", 7}, {"resource_exhausted", 8},
        {"failed_precondition", 9}, {"aborted", 10},      {"out_of_range", 11},    {"unimplemented", 12},
        {"internal", 13},         {"unavailable", 14},    {"data_loss", 15},       {"unauthenticated", 16}};
    const auto it = codes.find(name);
    return it == codes.end() ? -1 : it->second;
}

const pb::Message& prototype_of(const pb::Descriptor* type) {
    return *pb::MessageFactory::generated_factory()->GetPrototype(type);
}

const pb::MethodDescriptor& method_descriptor(std::string_view method) {
    std::string dotted(method);
    dotted[dotted.find('/')] = '.';
    const auto* found = pb::DescriptorPool::generated_pool()->FindMethodByName(dotted);
    if (found == nullptr) throw std::runtime_error("no such method in the generated pool: " + std::string(method));
    return *found;
}

void read_status(reply& out, const google::rpc::Status& status) {
    out.code = status.code();
    out.message = status.message();
    for (const auto& detail : status.details()) {
        zitadel::v1::ErrorDetail error;
        if (detail.UnpackTo(&error)) {
            out.error_id = error.id();
            out.error_message = error.message();
        }
    }
}

void decode_rest(reply& out, const pb::MethodDescriptor& m) {
    if (out.raw.status == 200) {
        out.response.reset(prototype_of(m.output_type()).New());
        if (!pb::util::JsonStringToMessage(out.raw.body, out.response.get()).ok()) {
            out.decode_problem = "REST success body is not the response JSON: " + out.raw.body;
            return;
        }
        out.code = 0;
        return;
    }
    google::rpc::Status status;
    if (!pb::util::JsonStringToMessage(out.raw.body, &status).ok()) {
        out.decode_problem = "REST error body is not a google.rpc.Status: " + out.raw.body;
        return;
    }
    read_status(out, status);
}

void decode_connect_error(reply& out) {
    const auto body = nlohmann::json::parse(out.raw.body, nullptr, false);
    if (!body.is_object() || !body.contains("code")) {
        out.decode_problem = "Connect error body is not a Connect error: " + out.raw.body;
        return;
    }
    out.code = code_of_connect_name(body["code"].get<std::string>());
    out.message = body.value("message", "");
    for (const auto& detail : body.value("details", nlohmann::json::array())) {
        if (detail.value("type", "") != "zitadel.v1.ErrorDetail") continue;
        zitadel::v1::ErrorDetail error;
        if (error.ParseFromString(base64_decode(detail.value("value", "")))) {
            out.error_id = error.id();
            out.error_message = error.message();
        }
    }
}

void decode_connect(reply& out, const pb::MethodDescriptor& m, bool json) {
    if (out.raw.status != 200) return decode_connect_error(out);
    out.response.reset(prototype_of(m.output_type()).New());
    const bool parsed = json ? pb::util::JsonStringToMessage(out.raw.body, out.response.get()).ok()
                             : out.response->ParseFromString(out.raw.body);
    if (!parsed) {
        out.decode_problem = "Connect success body is not the response message";
        return;
    }
    out.code = 0;
}

void decode_grpc_web(reply& out, const pb::MethodDescriptor& m) {
    if (out.raw.status != 200) {
        out.decode_problem = "gRPC-Web answered HTTP " + std::to_string(out.raw.status);
        return;
    }
    if (const auto status = out.raw.header("grpc-status")) {  // trailers-only
        out.code = std::stoi(std::string(*status));
        out.message = percent_decode(out.raw.header("grpc-message").value_or(""));
        if (const auto details = out.raw.header("grpc-status-details-bin")) {
            google::rpc::Status parsed;
            if (!parsed.ParseFromString(base64_decode(std::string(*details)))) {
                out.decode_problem = "grpc-status-details-bin is not a google.rpc.Status";
                return;
            }
            const int code = out.code;
            const auto message = out.message;
            read_status(out, parsed);
            if (out.code != code || out.message != message) out.decode_problem = "status details disagree";
        }
        return;
    }
    // Frames: a message, then trailers.
    std::string_view body = out.raw.body;
    std::string trailers;
    while (!body.empty()) {
        if (body.size() < 5) {
            out.decode_problem = "truncated frame in the answer";
            return;
        }
        const auto flag = static_cast<unsigned char>(body[0]);
        std::uint32_t size = 0;
        for (int i = 1; i < 5; ++i) size = (size << 8) | static_cast<unsigned char>(body[static_cast<std::size_t>(i)]);
        const auto payload = body.substr(5, size);
        body.remove_prefix(5 + size);
        if (flag & 0x80) {
            trailers = std::string(payload);
        } else {
            out.response.reset(prototype_of(m.output_type()).New());
            if (!out.response->ParseFromString(std::string(payload))) out.decode_problem = "bad message frame";
        }
    }
    if (trailers.find("grpc-status:0\r\n") == std::string::npos) {
        out.decode_problem = "no grpc-status:0 trailer: " + trailers;
        return;
    }
    if (!out.response) out.decode_problem = "no message frame";
    out.code = 0;
}
}  // namespace

std::string_view name_of(protocol p) {
    switch (p) {
        case protocol::rest: return "REST";
        case protocol::connect_json: return "Connect JSON";
        case protocol::connect_proto: return "Connect binary";
        case protocol::grpc_web: return "gRPC-Web";
    }
    return "?";
}

std::string token_file_json() {
    return R"({"tokens":[
      {"token":"admin-token","userId":"admin","orgId":"o1","permissions":{"o1":["user.read","user.write"]}},
      {"token":"reader-token","userId":"reader","orgId":"o1","permissions":{"o1":["user.read"]}},
      {"token":"other-token","userId":"other","orgId":"o2","permissions":{"o2":["user.read","user.write"]}},
      {"token":"u1-token","userId":"u1","orgId":"o1"}]})";
}

int expected_http_status(protocol p, int code) {
    if (p == protocol::grpc_web) return 200;
    static const int table[] = {200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401};
    return code >= 0 && code <= 16 ? table[code] : 500;
}

rest_rule rest_rule_of(std::string_view method) {
    static const std::map<std::string_view, rest_rule> rules{
        {"zitadel.management.v1.ManagementService/GetHumanPhone", {"GET", "/management/v1/users/{userId}/phone", false}},
        {"zitadel.management.v1.ManagementService/UpdateHumanPhone", {"PUT", "/management/v1/users/{userId}/phone", true}},
        {"zitadel.management.v1.ManagementService/RemoveHumanPhone",
         {"DELETE", "/management/v1/users/{userId}/phone", false}},
        {"zitadel.management.v1.ManagementService/ResendHumanPhoneVerification",
         {"POST", "/management/v1/users/{userId}/phone/_resend_verification", true}},
        {"zitadel.auth.v1.AuthService/GetMyPhone", {"GET", "/auth/v1/users/me/phone", false}},
        {"zitadel.auth.v1.AuthService/SetMyPhone", {"PUT", "/auth/v1/users/me/phone", true}},
        {"zitadel.auth.v1.AuthService/RemoveMyPhone", {"DELETE", "/auth/v1/users/me/phone", false}},
        {"zitadel.auth.v1.AuthService/VerifyMyPhone", {"POST", "/auth/v1/users/me/phone/_verify", true}},
        {"zitadel.auth.v1.AuthService/ResendMyPhoneVerification",
         {"POST", "/auth/v1/users/me/phone/_resend_verification", true}},
        {"zitadel.user.v2.UserService/SetPhone", {"POST", "/v2/users/{userId}/phone", true}},
        {"zitadel.user.v2.UserService/VerifyPhone", {"POST", "/v2/users/{userId}/phone/verify", true}},
        {"zitadel.user.v2.UserService/ResendPhoneCode", {"POST", "/v2/users/{userId}/phone/resend", true}},
        {"zitadel.user.v2.UserService/RemovePhone", {"DELETE", "/v2/users/{userId}/phone", true}},
        {"zitadel.user.v2.UserService/AddHumanUser", {"POST", "/v2/users/human", true}},
        {"zitadel.user.v2.UserService/GetUserByID", {"GET", "/v2/users/{userId}", false}},
        {"zitadel.user.v2.UserService/DeleteUser", {"DELETE", "/v2/users/{userId}", false}},
    };
    const auto it = rules.find(method);
    if (it == rules.end()) throw std::runtime_error("no REST rule for " + std::string(method));
    return it->second;
}

api_fixture::api_fixture(user::user_service_config config, api::api_options options)
    : tokens(api::token_file::parse(token_file_json())) {
    keys.add_random_key(std::string(testing::test_key_id));
    keys.activate(testing::test_key_id);
    if (config.phone_code_source == nullptr) config.phone_code_source = &codes;
    users = std::make_unique<user::user_service>(store, tokens, keys, clock, ids, config);
    read_side = std::make_unique<projections::user_projections>(store);
    read_side->start();
    if (!options.log) options.log = [this](std::string_view line) { log.emplace_back(line); };
    api = std::make_unique<api::api_handler>(*users, *read_side, tokens, tokens, options);
}

api_fixture::~api_fixture() { read_side->stop(); }

reply api_fixture::send(protocol p, std::string_view method, const pb::Message& request, std::string_view token,
                        std::optional<std::string> org_header) {
    return answer(p, method, request_for(p, method, request, token, std::move(org_header)));
}

api::api_request api_fixture::request_for(protocol p, std::string_view method, const pb::Message& request,
                                          std::string_view token, std::optional<std::string> org_header) const {
    api::api_request http;
    if (!token.empty()) http.headers.emplace_back("Authorization", "Bearer " + std::string(token));
    if (org_header) http.headers.emplace_back("x-zitadel-orgid", *org_header);
    switch (p) {
        case protocol::rest: {
            const auto rule = rest_rule_of(method);
            std::string path(rule.path);
            if (const auto at = path.find("{userId}"); at != std::string::npos) {
                const auto* field = request.GetDescriptor()->FindFieldByName("user_id");
                path.replace(at, 8, request.GetReflection()->GetString(request, field));
            }
            http.method = std::string(rule.verb);
            http.target = path;
            if (rule.has_body) {
                http.headers.emplace_back("Content-Type", "application/json");
                if (!pb::util::MessageToJsonString(request, &http.body).ok()) throw std::runtime_error("to JSON");
            }
            break;
        }
        case protocol::connect_json:
            http.method = "POST";
            http.target = "/" + std::string(method);
            http.headers.emplace_back("Content-Type", "application/json");
            http.headers.emplace_back("Connect-Protocol-Version", "1");
            if (!pb::util::MessageToJsonString(request, &http.body).ok()) throw std::runtime_error("to JSON");
            break;
        case protocol::connect_proto:
            http.method = "POST";
            http.target = "/" + std::string(method);
            http.headers.emplace_back("Content-Type", "application/proto");
            http.headers.emplace_back("Connect-Protocol-Version", "1");
            http.body = request.SerializeAsString();
            break;
        case protocol::grpc_web: {
            http.method = "POST";
            http.target = "/" + std::string(method);
            http.headers.emplace_back("Content-Type", "application/grpc-web+proto");
            http.headers.emplace_back("X-Grpc-Web", "1");
            const auto bytes = request.SerializeAsString();
            const auto size = static_cast<std::uint32_t>(bytes.size());
            http.body.push_back('\0');
            for (int shift = 24; shift >= 0; shift -= 8) http.body.push_back(static_cast<char>((size >> shift) & 0xFF));
            http.body += bytes;
            break;
        }
    }
    return http;
}

reply api_fixture::answer(protocol p, std::string_view method, const api::api_request& http) {
    const auto& descriptor = method_descriptor(method);
    reply out;
    out.raw = api->handle(http);
    out.http_status = out.raw.status;
    switch (p) {
        case protocol::rest: decode_rest(out, descriptor); break;
        case protocol::connect_json: decode_connect(out, descriptor, true); break;
        case protocol::connect_proto: decode_connect(out, descriptor, false); break;
        case protocol::grpc_web: decode_grpc_web(out, descriptor); break;
    }
    return out;
}

void api_fixture::given_human(const std::string& user_id, const std::string& org, const std::string& phone,
                              bool verified) {
    const user::caller admin{"admin", org};
    user::grant_table_authorizer everyone;
    everyone.grant("admin", org, user::permissions::user_write);
    user::user_service seeding(store, everyone, keys, clock, ids, users->config());
    auto out = seeding.add_human(admin, {user_id, org, phone, verified});
    if (!out) throw std::runtime_error("given_human: " + std::string(out.err().id));
    // Given means projected too: reads through the API wait only for writes made through it.
    if (!read_side->wait_for(out->position, std::chrono::seconds(10))) throw std::runtime_error("projection stuck");
}

void api_fixture::given_events(const std::string& user_id, const std::string& org,
                               const std::vector<user::user_event>& events) {
    eventstore::aggregate_append append{
        {users->config().instance_id, std::string(user::aggregate_type), user_id}, org, std::nullopt, {}};
    for (const auto& event : events) {
        auto encoded = user::encode(event);
        append.events.push_back(
            {std::string(encoded.type), std::move(encoded.payload), user::aggregate_revision, "seed", clock.now()});
    }
    std::vector<eventstore::aggregate_append> batch;
    batch.push_back(std::move(append));
    auto pushed = store.append(std::move(batch));
    if (!pushed) throw std::runtime_error("given_events: " + std::string(pushed.err().id));
    if (!read_side->wait_for(pushed->last_position, std::chrono::seconds(10))) throw std::runtime_error("projection stuck");
}

std::vector<eventstore::stored_event> api_fixture::events() const {
    return store.read_global({}, {}, 1'000'000);
}

}  // namespace userstream::api_tests
