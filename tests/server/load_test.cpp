// Load: 50 clients each change the phone of their own user while 5 more change one shared user, all at once over
// kept-alive connections. Every answer is a 200 or a documented error (docs/errors.md), and afterwards the store is
// consistent: each user's stream is gapless, holds exactly the changes that were acknowledged, and the read model the
// server answers from equals both a fold of the stream and a rebuild by the library's projections.
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
    std::vector<phone_state> acknowledged;  // the changes answered 200, in order
    int conflicts = 0;                      // 409 EVENTSTORE-Conflict
    int not_changed = 0;                    // 400 COMMAND-wF94r
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
    dev_server server({}, store_url);
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
            std::mt19937 random(static_cast<unsigned>(client));
            // The shared user's clients choose among three numbers, so some changes are NotChanged.
            const std::vector<std::string> shared_numbers{"+41799990001", "+41799990002", "+41799990003"};
            try {
                auto connection = std::make_unique<http_connection>(server.port());
                while (!go) std::this_thread::yield();
                for (int round = 0; round < rounds && clock_type::now() - start < time_budget; ++round) {
                    // Every other change is unverified, so the SMS outbox writes to the same streams meanwhile.
                    const phone_state wanted = own ? phone_state{own_number(client, round), round % 2 == 0}
                                                   : phone_state{shared_numbers[random() % 3], random() % 2 == 0};
                    if (!change_phone(*connection, token, own ? users[static_cast<std::size_t>(client)] : shared_user,
                                      wanted, log)) {
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
    int conflicts = 0;
    int not_changed = 0;
    for (std::size_t client = 0; client < logs.size(); ++client) {
        const auto& log = logs[client];
        requests += static_cast<int>(log.acknowledged.size()) + log.conflicts + log.not_changed;
        conflicts += log.conflicts;
        not_changed += log.not_changed;
        INFO("client " << client);
        for (const auto& problem : log.unexpected) UNSCOPED_INFO(problem);
        CHECK(log.unexpected.empty());
        CHECK_FALSE(log.acknowledged.empty());
    }
    WARN(requests << " phone changes in " << seconds << " s (" << static_cast<int>(requests / seconds)
                  << " requests/s): " << conflicts << " conflicts (409), " << not_changed << " not changed (400)");

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
