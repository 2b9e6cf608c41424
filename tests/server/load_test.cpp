// Load: 50 clients each change the phone of their own user while 5 more change one shared user, all at once over
// kept-alive connections. With the gRPC listener built, a third of the own-user clients and two of the shared user's
// send the same v1 UpdateHumanPhone over native gRPC instead. Every answer is a 200 (gRPC OK) or a documented error
// (docs/errors.md), and afterwards the store is consistent: each user's stream is gapless, holds exactly the changes
// that were acknowledged over either protocol, and the read model the server answers from equals both a fold of the
// stream and a rebuild by the library's projections.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/dev_server.hpp"
#include "userstream/backends/open_store.hpp"
#include "userstream/projections/user_projections.hpp"
#include "userstream/user/events.hpp"
#if USERSTREAM_SERVER_TEST_GRPC
#include "google/rpc/status.pb.h"
#include "grpc/grpc_client.hpp"
#include "zitadel/management.pb.h"
#include "zitadel/message.pb.h"
#endif

using namespace server_test;

namespace {

using clock_type = std::chrono::steady_clock;
constexpr int own_clients = 50;
constexpr int shared_clients = 5;
constexpr int rounds = 100;                // requests per client
constexpr auto time_budget = 40s;          // clients stop early past it (a slow machine), and the test still checks
const std::string shared_user = "shared";  // the user the 5 clients fight over

std::string own_user(int client) {
    char id[16];
    std::snprintf(id, sizeof id, "load-%02d", client);
    return id;
}

// A distinct valid Swiss mobile number per client and round: +41 79 CCC RRRR.
std::string own_number(int client, int round) {
    char number[20];
    std::snprintf(number, sizeof number, "+4179%03d%04d", client, round);
    return number;
}

struct phone_state {
    std::string phone;
    bool verified = false;
    friend bool operator==(const phone_state&, const phone_state&) = default;
};

std::ostream& operator<<(std::ostream& out, const phone_state& state) {
    return out << state.phone << (state.verified ? " (verified)" : " (unverified)");
}

// What one client saw.
struct client_log {
    bool over_grpc = false;                 // the client spoke native gRPC, not HTTP/1.1
    std::vector<phone_state> acknowledged;  // the changes answered 200 (gRPC OK), in order
    int conflicts = 0;                      // 409 (gRPC ABORTED) EVENTSTORE-Conflict
    int not_changed = 0;                    // 400 (gRPC FAILED_PRECONDITION) COMMAND-wF94r
    std::vector<std::string> unexpected;    // anything else, described
};

// v1 UpdateHumanPhone, the seed's request. Sorts the answer into `log`; false when the connection is gone.
bool change_phone(http_connection& connection, const std::string& token, const std::string& user,
                  const phone_state& wanted, client_log& log) {
    const std::string body = R"({"phone":")" + wanted.phone + R"(","isPhoneVerified":)" +
                             (wanted.verified ? "true" : "false") + "}";
    if (!connection.send(format_request("PUT", "/management/v1/users/" + user + "/phone", json_headers(token), body))) {
        log.unexpected.push_back("the server closed the connection");
        return false;
    }
    const auto out = connection.read_response(30s);
    if (!out) {
        log.unexpected.push_back("no answer within 30 s");
        return false;
    }
    std::string id;
    if (out->status != 200) {
        const auto error = nlohmann::json::parse(out->body, nullptr, false);
        if (error.is_object() && error.contains("details") && error["details"].is_array() &&
            !error["details"].empty()) {
            id = error["details"][0].value("id", "");
        }
    }
    if (out->status == 200) {
        log.acknowledged.push_back(wanted);
    } else if (out->status == 409 && id == "EVENTSTORE-Conflict") {
        ++log.conflicts;
    } else if (out->status == 400 && id == "COMMAND-wF94r") {
        ++log.not_changed;
    } else {
        log.unexpected.push_back(std::to_string(out->status) + " " + out->body);
    }
    return out->keep_alive;
}

#if USERSTREAM_SERVER_TEST_GRPC
const std::vector<std::string> server_flags{"--grpc-listen", "127.0.0.1:0"};

// A third of the own-user clients, and two of the shared user's five, speak gRPC.
bool over_grpc(int client) { return client < own_clients ? client % 3 == 2 : client >= own_clients + 3; }

// The id of the zitadel.v1.ErrorDetail in a status's details (grpc-status-details-bin); empty when there is none.
std::string error_detail_id(const grpc::Status& status) {
    google::rpc::Status details;
    zitadel::v1::ErrorDetail detail;
    if (!details.ParseFromString(status.error_details()) || details.details_size() == 0 ||
        !details.details(0).UnpackTo(&detail)) {
        return {};
    }
    return detail.id();
}

// The same v1 UpdateHumanPhone over native gRPC, the organisation in x-zitadel-orgid. Sorts the answer into `log`.
void change_phone_over_grpc(grpc_client& client, const std::string& token, const std::string& user,
                            const phone_state& wanted, client_log& log) {
    zitadel::management::v1::UpdateHumanPhoneRequest request;
    request.set_user_id(user);
    request.set_phone(wanted.phone);
    request.set_is_phone_verified(wanted.verified);
    auto options = bearer(token);
    options.metadata.emplace_back("x-zitadel-orgid", "dev");
    options.deadline = std::chrono::system_clock::now() + 30s;
    const auto out = client.call("/zitadel.management.v1.ManagementService/UpdateHumanPhone",
                                 request.SerializeAsString(), options);
    const auto code = out.status.error_code();
    if (code == grpc::StatusCode::OK) {
        log.acknowledged.push_back(wanted);
    } else if (code == grpc::StatusCode::ABORTED && error_detail_id(out.status) == "EVENTSTORE-Conflict") {
        ++log.conflicts;
    } else if (code == grpc::StatusCode::FAILED_PRECONDITION && error_detail_id(out.status) == "COMMAND-wF94r") {
        ++log.not_changed;
    } else {
        log.unexpected.push_back("gRPC " + std::to_string(code) + " " + out.status.error_message());
    }
}
#else
const std::vector<std::string> server_flags{};
bool over_grpc(int) { return false; }
#endif

// The phone as a fresh fold of the stream: the last phone.changed number, verified when a phone.verified followed.
phone_state fold(const std::vector<userstream::eventstore::stored_event>& events, std::vector<std::string>& changes) {
    namespace types = userstream::user::event_types;
    phone_state out;
    for (const auto& event : events) {
        if (event.event_type == types::phone_changed) {
            out = {nlohmann::json::parse(event.payload).at("phone").get<std::string>(), false};
            changes.push_back(out.phone);
        } else if (event.event_type == types::phone_verified) {
            out.verified = true;
        } else if (event.event_type == types::phone_removed) {
            out = {};
        }
    }
    return out;
}

void run_load(const std::string& store_url) {
    dev_server server(server_flags, store_url);
#if USERSTREAM_SERVER_TEST_GRPC
    const auto grpc_address = grpc_listening_address(server.process().stdout_lines());
    REQUIRE(grpc_address);
#endif
    const std::string url = store_url.empty() ? "sqlite:" + server.database().string() : store_url;
    const auto token = server.token();
    std::vector<std::string> users;
    for (int client = 0; client < own_clients; ++client) users.push_back(own_user(client));
    users.push_back(shared_user);
    for (const auto& user : users) REQUIRE(add_user(server.port(), token, user).status == 200);

    std::vector<client_log> logs(own_clients + shared_clients);
    std::atomic<bool> go{false};
    const auto start = clock_type::now();
    std::vector<std::thread> clients;
    for (int client = 0; client < own_clients + shared_clients; ++client) {
        clients.emplace_back([&, client] {
            auto& log = logs[static_cast<std::size_t>(client)];
            const bool own = client < own_clients;
            log.over_grpc = over_grpc(client);
            std::mt19937 random(static_cast<unsigned>(client));
            // The shared user's clients choose among three numbers, so some changes are NotChanged.
            const std::vector<std::string> shared_numbers{"+41799990001", "+41799990002", "+41799990003"};
            try {
                std::unique_ptr<http_connection> connection;
                if (!log.over_grpc) connection = std::make_unique<http_connection>(server.port());
#if USERSTREAM_SERVER_TEST_GRPC
                std::unique_ptr<grpc_client> rpc;
                if (log.over_grpc) rpc = std::make_unique<grpc_client>(*grpc_address);
#endif
                while (!go) std::this_thread::yield();
                for (int round = 0; round < rounds && clock_type::now() - start < time_budget; ++round) {
                    // Every other change is unverified, so the SMS outbox writes to the same streams meanwhile.
                    const phone_state wanted = own ? phone_state{own_number(client, round), round % 2 == 0}
                                                   : phone_state{shared_numbers[random() % 3], random() % 2 == 0};
                    const auto& user = own ? users[static_cast<std::size_t>(client)] : shared_user;
#if USERSTREAM_SERVER_TEST_GRPC
                    if (rpc) {
                        change_phone_over_grpc(*rpc, token, user, wanted, log);
                        continue;
                    }
#endif
                    if (!change_phone(*connection, token, user, wanted, log)) {
                        connection = std::make_unique<http_connection>(server.port());
                    }
                }
            } catch (const std::exception& e) {
                log.unexpected.push_back(e.what());
            }
        });
    }
    go = true;
    for (auto& client : clients) client.join();
    const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();

    int requests = 0;
    int grpc_requests = 0;
    int conflicts = 0;
    int not_changed = 0;
    for (std::size_t client = 0; client < logs.size(); ++client) {
        const auto& log = logs[client];
        const int answered = static_cast<int>(log.acknowledged.size()) + log.conflicts + log.not_changed;
        requests += answered;
        if (log.over_grpc) grpc_requests += answered;
        conflicts += log.conflicts;
        not_changed += log.not_changed;
        INFO("client " << client);
        for (const auto& problem : log.unexpected) UNSCOPED_INFO(problem);
        CHECK(log.unexpected.empty());
        CHECK_FALSE(log.acknowledged.empty());
    }
    WARN(requests << " phone changes in " << seconds << " s (" << static_cast<int>(requests / seconds)
                  << " requests/s, " << grpc_requests << " of them over gRPC): " << conflicts << " conflicts (409), "
                  << not_changed << " not changed (400)");

    // What the server answers from its read model, read-your-writes after the last change it acknowledged.
    std::map<std::string, phone_state> served;
    for (const auto& user : users) {
        const auto out = http_request(server.port(), "GET", "/management/v1/users/" + user + "/phone",
                                      json_headers(token));
        INFO(user << ": " << out.body);
        REQUIRE(out.status == 200);
        const auto phone = nlohmann::json::parse(out.body).at("phone");
        served[user] = {phone.value("phone", ""), phone.value("isPhoneVerified", false)};
    }
    REQUIRE(server.stop() == 0);

    // The store, read directly now that the server is gone.
    const auto store = userstream::backends::open_store(url);
    userstream::projections::user_projections rebuilt(*store);  // in-memory read models, built from the log
    rebuilt.start();
    REQUIRE(rebuilt.wait_for(store->head(), 20s));
    for (std::size_t index = 0; index < users.size(); ++index) {
        const auto& user = users[index];
        INFO("user " << user);
        const auto events = store->read_aggregate({"default", std::string(userstream::user::aggregate_type), user});
        REQUIRE_FALSE(events.empty());
        for (std::size_t i = 0; i < events.size(); ++i) {
            INFO("event " << i << " of " << events.size());
            CHECK(events[i].sequence.value == i + 1);
            if (i > 0) CHECK(events[i].position > events[i - 1].position);
        }
        std::vector<std::string> changes;
        const auto folded = fold(events, changes);
        CHECK(served.at(user) == folded);
        const auto projected = rebuilt.get_human_phone("default", user);
        REQUIRE(projected);
        CHECK(phone_state{projected->phone, projected->is_verified} == folded);
        if (user != shared_user) {
            // Only this client changed this phone: the stream holds exactly its acknowledged changes, in order, and
            // nothing of the ones refused.
            const auto& acknowledged = logs[index].acknowledged;
            std::vector<std::string> numbers;
            for (const auto& change : acknowledged) numbers.push_back(change.phone);
            CHECK(changes == numbers);
            REQUIRE_FALSE(acknowledged.empty());
            CHECK(folded == acknowledged.back());
        }
    }
    rebuilt.stop();
}

}  // namespace

TEST_CASE("under load on SQLite, 50 clients on their own users and 5 on one shared user get only 200 or documented "
          "errors, and then each stream is gapless, holds what was acknowledged, and the read model equals a rebuild",
          "[server][load]") {
    run_load({});
}

#if USERSTREAM_SERVER_TEST_POSTGRES
TEST_CASE("under load on PostgreSQL, 50 clients on their own users and 5 on one shared user get only 200 or "
          "documented errors, and then each stream is gapless, holds what was acknowledged, and the read model equals "
          "a rebuild",
          "[server][load][postgres]") {
    run_load(postgres_store_url());
}
#endif
