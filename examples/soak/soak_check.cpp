// userstream-soak-check: the end-of-run checks of `./dev soak` (docs/soak.md) that need the store itself. It runs after
// userstream-server has stopped, opens the store and the read models exactly as the server does (store_backing.cpp),
// and answers three questions with one JSON object on standard output:
//
//   acknowledged   every write the soak client saw acknowledged (a JSON line per write: op, user, the sequence of the
//                  answer's details, and the phone it set) is in the user's stream at that sequence, with the event
//                  type and phone state the operation stores;
//   read_models    the read models the server answered from equal a rebuild: both projections are rebuilt from the
//                  event stream into fresh in-memory read models, and every row must equal the served one, which must
//                  have applied the whole log;
//   codes          every issued code that was not returned to the caller was sent (its SMS line, with this code, is
//                  in the server's standard output; the checker decrypts each code with the key ring to match it), or
//                  skipped by the outbox's rules (superseded by a later event of the user, expired, or issued while
//                  the user had no phone), or given up
//                  with a reason (the fault injector's failure lines name the user at least max-send-attempts times).
//
//   userstream-soak-check --store URL --keys FILE --acks FILE [--sms FILE]... [--failures FILE]...
//                         [--max-send-attempts N]
//
// Exit status 0 when all three hold, 1 when one does not, 2 for a bad command line or unreadable input. No code, key
// or phone number is printed: failures name users, sequences and positions.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "store_backing.hpp"
#include "userstream/projections/user_projections.hpp"
#include "userstream/subscriptions/memory_object_details.hpp"
#include "userstream/user/event_codec.hpp"
#include "userstream/user/events.hpp"
#include "userstream/user/key_ring_file.hpp"

namespace {

namespace us = userstream;
namespace types = us::user::event_types;
using json = nlohmann::json;

struct arguments {
    std::string store;
    std::string keys;
    std::string acks;
    std::vector<std::string> sms;
    std::vector<std::string> failures;
    unsigned max_send_attempts = 5;
};

arguments parse(int argc, char** argv) {
    arguments out;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
        const std::string value = argv[++i];
        if (flag == "--store") out.store = value;
        else if (flag == "--keys") out.keys = value;
        else if (flag == "--acks") out.acks = value;
        else if (flag == "--sms") out.sms.push_back(value);
        else if (flag == "--failures") out.failures.push_back(value);
        else if (flag == "--max-send-attempts") out.max_send_attempts = static_cast<unsigned>(std::stoul(value));
        else throw std::invalid_argument("unknown flag " + flag);
    }
    if (out.store.empty() || out.keys.empty() || out.acks.empty()) {
        throw std::invalid_argument("--store, --keys and --acks are required");
    }
    return out;
}

std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::invalid_argument("cannot read " + path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// A user's phone after a prefix of its stream, as the operations see it.
struct phone_state {
    std::string phone;  // empty: none
    bool verified = false;
};

phone_state fold_to(const std::vector<us::eventstore::stored_event>& events, std::uint64_t sequence) {
    phone_state out;
    for (const auto& event : events) {
        if (event.sequence.value > sequence) break;
        if (event.event_type == types::phone_changed) {
            out = {json::parse(event.payload).at("phone").get<std::string>(), false};
        } else if (event.event_type == types::phone_verified) {
            out.verified = true;
        } else if (event.event_type == types::phone_removed) {
            out = {};
        }
    }
    return out;
}

// One acknowledged write against its user's stream; empty when it is there as acknowledged, else what is wrong.
std::string check_ack(const json& ack, const std::vector<us::eventstore::stored_event>& events) {
    const auto op = ack.at("op").get<std::string>();
    const auto sequence = std::stoull(ack.at("sequence").get<std::string>());
    const us::eventstore::stored_event* at = nullptr;
    for (const auto& event : events) {
        if (event.sequence.value == sequence) at = &event;
    }
    if (at == nullptr) return fmt::format("no event at sequence {} (the stream has {})", sequence, events.size());
    const auto state = fold_to(events, sequence);
    const auto& type = at->event_type;
    if (op == "add_human") {
        if (events.front().event_type != types::human_added) return "the stream does not start with human.added";
        return {};
    }
    if (op == "set_phone") {
        const auto phone = ack.at("phone").get<std::string>();
        const bool verified = ack.at("verified").get<bool>();
        if (state.phone != phone) return fmt::format("the phone at sequence {} is not the one set", sequence);
        if (state.verified != verified) return fmt::format("the phone at sequence {} is not {}", sequence,
                                                           verified ? "verified" : "unverified");
        if (!verified && type != types::phone_code_added) return fmt::format("sequence {} is {}", sequence, type);
        if (verified && type != types::phone_verified) return fmt::format("sequence {} is {}", sequence, type);
        return {};
    }
    if (op == "verify") {
        if (type != types::phone_verified || !state.verified) return fmt::format("sequence {} is {}", sequence, type);
        return {};
    }
    if (op == "resend") {
        if (type != types::phone_code_added) return fmt::format("sequence {} is {}", sequence, type);
        return {};
    }
    if (op == "remove") {
        if (type != types::phone_removed || !state.phone.empty()) return fmt::format("sequence {} is {}", sequence, type);
        return {};
    }
    return "unknown op " + op;
}

bool supersedes(const std::string& type) {
    return type == types::phone_code_added || type == types::phone_code_sent || type == types::phone_changed ||
           type == types::phone_verified || type == types::phone_removed || type == types::user_removed;
}

}  // namespace

int main(int argc, char** argv) {
    arguments args;
    us::user::key_ring keys;
    std::vector<json> acks;
    std::set<std::pair<std::string, std::string>> sms_seen;  // (user, code) of every dev SMS line
    std::map<std::string, std::size_t> injected_failures;     // per user
    try {
        args = parse(argc, argv);
        us::user::load_key_ring(keys, args.keys);
        for (const auto& line : lines_of(args.acks)) {
            if (!line.empty()) acks.push_back(json::parse(line));
        }
        const std::regex sms_line(R"(SMS to \S+ \(user (\S+)\): your verification code is (\S+))");
        for (const auto& file : args.sms) {
            for (const auto& line : lines_of(file)) {
                std::smatch match;
                if (std::regex_match(line, match, sms_line)) sms_seen.emplace(match[1], match[2]);
            }
        }
        const std::regex failure_line(R"(userstream-server: SMS to user (\S+) not sent: injected failure.*)");
        for (const auto& file : args.failures) {
            for (const auto& line : lines_of(file)) {
                std::smatch match;
                if (std::regex_match(line, match, failure_line)) ++injected_failures[match[1]];
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "userstream-soak-check: %s\n", e.what());
        return 2;
    }

    auto backing = server::open_store_backing(args.store);
    auto& store = *backing.store;
    const auto head = store.head();

    // Every user stream, from one pass over the log.
    std::map<std::string, std::vector<us::eventstore::stored_event>> streams;
    us::eventstore::global_filter users_only;
    users_only.aggregate_types = {std::string(us::user::aggregate_type)};
    store.for_each_global({}, users_only, [&](const us::eventstore::stored_event& event) {
        streams[event.aggregate.aggregate_id].push_back(event);
        return true;
    });

    json report;
    bool ok = true;

    // 1. Acknowledged writes.
    {
        json missing = json::array();
        std::map<std::string, std::size_t> by_op;
        for (const auto& ack : acks) {
            const auto user = ack.at("user").get<std::string>();
            ++by_op[ack.at("op").get<std::string>()];
            const auto stream = streams.find(user);
            std::string problem = stream == streams.end() ? "the user has no stream" : check_ack(ack, stream->second);
            if (!problem.empty() && missing.size() < 50) missing.push_back({{"ack", ack}, {"problem", problem}});
            if (!problem.empty()) ok = false;
        }
        report["acknowledged"] = {{"checked", acks.size()}, {"by_op", by_op}, {"problems", missing},
                                  {"ok", missing.empty()}};
    }

    // 2. The served read models against a rebuild from the log.
    {
        json out;
        bool equal = true;
        if (!backing.details || !backing.phones) {
            out["note"] = "a memory store keeps no read models to compare";
        } else {
            us::projections::user_projections rebuilt(store);  // fresh in-memory read models
            const auto applied = rebuilt.rebuild();
            const auto served_phones = backing.phones->rows();
            const auto rebuilt_phones = rebuilt.phones().rows();
            const auto served_details = backing.details->rows();
            const auto rebuilt_details = rebuilt.details().rows();
            json differences = json::array();
            const auto served_user_checkpoint = backing.phones->checkpoint().value;
            const auto served_details_checkpoint = backing.details->checkpoint().value;
            if (served_user_checkpoint != head.value || served_details_checkpoint != head.value) {
                equal = false;
                differences.push_back(fmt::format("the served read models stopped at {} and {}, the log's head is {}",
                                                  served_user_checkpoint, served_details_checkpoint, head.value));
            }
            if (served_phones.size() != rebuilt_phones.size()) {
                equal = false;
                differences.push_back(fmt::format("user rows: {} served, {} rebuilt", served_phones.size(),
                                                  rebuilt_phones.size()));
            } else {
                for (std::size_t i = 0; i < served_phones.size(); ++i) {
                    if (served_phones[i] == rebuilt_phones[i]) continue;
                    equal = false;
                    if (differences.size() < 20) {
                        differences.push_back("user row of " + rebuilt_phones[i].user_id + " differs");
                    }
                }
            }
            if (served_details.size() != rebuilt_details.size()) {
                equal = false;
                differences.push_back(fmt::format("object details rows: {} served, {} rebuilt", served_details.size(),
                                                  rebuilt_details.size()));
            } else {
                for (std::size_t i = 0; i < served_details.size(); ++i) {
                    if (served_details[i] == rebuilt_details[i]) continue;
                    equal = false;
                    if (differences.size() < 40) {
                        differences.push_back("details row of " + rebuilt_details[i].first.aggregate_id + " differs");
                    }
                }
            }
            out = {{"user_rows", served_phones.size()},   {"details_rows", served_details.size()},
                   {"events_rebuilt", applied},           {"head", head.value},
                   {"differences", differences}};
        }
        out["ok"] = equal;
        ok = ok && equal;
        report["read_models"] = out;
    }

    // 3. Every issued code: sent, skipped by the outbox's rules, or given up with a reason.
    {
        std::size_t issued = 0, returned = 0, sent = 0, superseded = 0, superseded_by_late_sent = 0, expired = 0,
                    given_up = 0, sent_without_record = 0, no_phone = 0;
        std::map<std::string, std::size_t> by_key;
        std::map<std::string, std::size_t> given_up_per_user;
        json unaccounted = json::array();
        const auto now = std::chrono::system_clock::now();
        for (const auto& [user, events] : streams) {
            for (std::size_t i = 0; i < events.size(); ++i) {
                const auto& event = events[i];
                if (event.event_type != types::phone_code_added) continue;
                ++issued;
                const auto decoded = us::user::decode(event);
                const auto& added = std::get<us::user::phone_code_added>(*decoded);
                if (added.code) ++by_key[added.code->key_id];
                if (added.code_returned) {
                    ++returned;
                    continue;
                }
                bool printed = false;
                if (added.code) {
                    const auto plain = keys.decrypt(*added.code, us::user::code_binding(event));
                    printed = sms_seen.contains({user, std::string(plain.view())});
                }
                std::string later;  // the first later event that supersedes the code
                bool recorded = false;
                bool next_code = false;
                for (std::size_t j = i + 1; j < events.size(); ++j) {
                    // code.sent for this code comes before the user's next code (it may follow a verification
                    // made from the SMS line before the outbox recorded the send).
                    if (events[j].event_type == types::phone_code_sent && !next_code) recorded = true;
                    if (events[j].event_type == types::phone_code_added) next_code = true;
                    if (later.empty() && supersedes(events[j].event_type)) later = events[j].event_type;
                }
                if (printed) {
                    ++sent;
                    if (!recorded) ++sent_without_record;
                    continue;
                }
                // A v2 resend after RemovePhone issues a code, as ZITADEL's does (its write model keeps the code of
                // a removed phone); the outbox skips it: there is no number to send it to.
                if (fold_to(events, event.sequence.value).phone.empty()) {
                    ++no_phone;
                    continue;
                }
                if (!later.empty()) {
                    ++superseded;
                    if (later == types::phone_code_sent) ++superseded_by_late_sent;
                    continue;
                }
                if (added.expiry.count() > 0 &&
                    std::chrono::time_point_cast<std::chrono::microseconds>(now) >
                        event.created_at + std::chrono::duration_cast<std::chrono::microseconds>(added.expiry)) {
                    ++expired;
                    continue;
                }
                // Neither sent nor skipped: the outbox must have given it up, and the reason is on record.
                if (injected_failures[user] >= args.max_send_attempts * (given_up_per_user[user] + 1)) {
                    ++given_up;
                    ++given_up_per_user[user];
                    continue;
                }
                if (unaccounted.size() < 50) {
                    unaccounted.push_back({{"user", user}, {"sequence", event.sequence.value},
                                           {"position", event.position.value}});
                }
            }
        }
        std::size_t failures = 0;
        for (const auto& [user, count] : injected_failures) failures += count;
        const bool codes_ok = unaccounted.empty();
        ok = ok && codes_ok;
        report["codes"] = {{"issued", issued},
                           {"returned", returned},
                           {"sent", sent},
                           {"sent_without_code_sent_event", sent_without_record},
                           {"skipped_superseded", superseded},
                           {"of_which_superseded_by_a_late_code_sent", superseded_by_late_sent},
                           {"skipped_expired", expired},
                           {"skipped_no_phone", no_phone},
                           {"given_up_after_injected_failures", given_up},
                           {"injected_failures", failures},
                           {"by_key", by_key},
                           {"unaccounted", unaccounted},
                           {"ok", codes_ok}};
    }
    report["users"] = streams.size();
    report["events"] = head.value;
    report["ok"] = ok;
    std::cout << report.dump(2) << std::endl;
    return ok ? 0 : 1;
}
