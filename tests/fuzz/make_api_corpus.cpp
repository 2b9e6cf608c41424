// Writes the seed corpus of the api_handle fuzz target: for every method of the API's table, a valid request in each
// of the four protocols (REST JSON, Connect JSON, Connect binary, gRPC-Web), as api_world.hpp lays out an input. The
// request messages are written here as JSON and turned into binary protobuf by the method's own message type, so
// the binary seeds are what a ZITADEL client sends. Usage: make_api_corpus DIR (tests/fuzz/corpus/api_handle).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include <google/protobuf/util/json_util.h>

#include "api_world.hpp"

namespace pb = google::protobuf;
using userstream::fuzz::protocol;

namespace {

// A valid request per method, for the users the fuzz target's host holds (u1 with a verified phone, u2 without).
const std::map<std::string_view, std::string_view> requests{
    {"zitadel.auth.v1.AuthService/GetMyPhone", "{}"},
    {"zitadel.auth.v1.AuthService/SetMyPhone", R"({"phone":"+41 71 000 00 01"})"},
    {"zitadel.auth.v1.AuthService/VerifyMyPhone", R"({"code":"123456"})"},
    {"zitadel.auth.v1.AuthService/ResendMyPhoneVerification", "{}"},
    {"zitadel.auth.v1.AuthService/RemoveMyPhone", "{}"},
    {"zitadel.management.v1.ManagementService/GetHumanPhone", R"({"userId":"u1"})"},
    {"zitadel.management.v1.ManagementService/UpdateHumanPhone",
     R"({"userId":"u1","phone":"+41 71 000 00 02","isPhoneVerified":true})"},
    {"zitadel.management.v1.ManagementService/RemoveHumanPhone", R"({"userId":"u1"})"},
    {"zitadel.management.v1.ManagementService/ResendHumanPhoneVerification", R"({"userId":"u1"})"},
    {"zitadel.user.v2.UserService/AddHumanUser",
     R"({"userId":"u9","organization":{"orgId":"o1"},"profile":{"givenName":"Minnie","familyName":"Mouse"},)"
     R"("email":{"email":"minnie@example.com"},"phone":{"phone":"+41 71 000 00 03","returnCode":{}}})"},
    {"zitadel.user.v2.UserService/GetUserByID", R"({"userId":"u1"})"},
    {"zitadel.user.v2.UserService/DeleteUser", R"({"userId":"u2"})"},
    {"zitadel.user.v2.UserService/SetPhone", R"({"userId":"u2","phone":"+41 71 000 00 04","returnCode":{}})"},
    {"zitadel.user.v2.UserService/VerifyPhone", R"({"userId":"u1","verificationCode":"123456"})"},
    {"zitadel.user.v2.UserService/ResendPhoneCode", R"({"userId":"u1","sendCode":{}})"},
    {"zitadel.user.v2.UserService/RemovePhone", R"({"userId":"u1"})"},
};

std::string grpc_web_frame(const std::string& message) {
    std::string frame(5, '\0');
    for (int i = 0; i < 4; ++i) frame[static_cast<std::size_t>(4 - i)] = static_cast<char>(message.size() >> (8 * i));
    return frame + message;
}

std::string file_name(std::string_view method, std::string_view protocol_name, std::string_view token) {
    std::string name(method.substr(method.find('/') + 1));
    return name + "_" + std::string(protocol_name) + (token == "admin-token" ? "" : "_" + std::string(token));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_api_corpus DIR\n");
        return 2;
    }
    const std::filesystem::path dir(argv[1]);
    std::filesystem::create_directories(dir);
    const auto& methods = userstream::fuzz::api_methods();
    int written = 0;
    for (std::size_t index = 0; index < methods.size(); ++index) {
        const auto& m = *methods[index];
        const auto found = requests.find(m.full_name);
        if (found == requests.end()) {
            std::fprintf(stderr, "make_api_corpus: no request written for %.*s\n", static_cast<int>(m.full_name.size()),
                         m.full_name.data());
            return 1;
        }
        std::unique_ptr<pb::Message> message(m.request_prototype->New());
        if (!pb::util::JsonStringToMessage(std::string(found->second), message.get()).ok()) {
            std::fprintf(stderr, "make_api_corpus: the request of %s is not its message\n", std::string(m.full_name).c_str());
            return 1;
        }
        std::string json;
        (void)pb::util::MessageToJsonString(*message, &json);
        const std::string binary = message->SerializeAsString();
        // "Me" methods act on the caller: they get the self-service token; the others an admin of o1.
        const std::string_view token = m.full_name.starts_with("zitadel.auth.") ? "u1-token" : "admin-token";
        const int token_index = token == "u1-token" ? 1 : 0;
        const auto* user_field = message->GetDescriptor()->FindFieldByName("user_id");
        const std::string user_id = user_field ? message->GetReflection()->GetString(*message, user_field) : "";
        const std::pair<protocol, std::string> bodies[] = {
            {protocol::rest, user_id + "\n" + (m.rest.has_body ? json : std::string())},
            {protocol::connect_json, json},
            {protocol::connect_proto, binary},
            {protocol::grpc_web, grpc_web_frame(binary)},
        };
        const char* names[] = {"rest", "connect_json", "connect_proto", "grpc_web"};
        for (const auto& [p, body] : bodies) {
            const bool org_header = m.full_name.starts_with("zitadel.management.");
            std::string bytes;
            bytes.push_back(static_cast<char>(userstream::fuzz::choice_byte(p, token_index, org_header)));
            bytes.push_back(static_cast<char>(index));
            bytes += body;
            std::ofstream out(dir / file_name(m.full_name, names[static_cast<int>(p)], token), std::ios::binary);
            out << bytes;
            ++written;
        }
    }
    std::printf("make_api_corpus: wrote %d requests for %zu methods to %s\n", written, methods.size(), argv[1]);
    return 0;
}
