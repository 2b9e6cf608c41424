#include "runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "userstream/user/errors.hpp"
#include "userstream/user/sms_outbox.hpp"
#include "userstream/user/stream_queries.hpp"
#include "operation_parser.hpp"

namespace scenario {

namespace {

using namespace userstream;
using namespace userstream::user;

const std::string default_admin = "admin";

// Raised for a line that is not a well-formed operation; becomes an InvalidArgument failure line.
struct malformed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

constexpr error_code malformed_input{error_kind::invalid_argument, "SCENARIO-input", "Errors.Scenario.Malformed",
                                     "Malformed operation"};
constexpr error_code too_large_input{error_kind::invalid_argument, "SCENARIO-toolarge", "Errors.Scenario.TooLarge",
                                     "Operation too large"};
constexpr error_code internal_failure{error_kind::internal, "SCENARIO-internal", "Errors.Scenario.Internal",
                                      "Internal error"};

// Reads the next line into `line`, keeping at most max_line_bytes of it and dropping the rest (`too_long`), so a
// line without end costs time but no memory. Returns false at the end of the input.
bool read_line(std::istream& in, std::string& line, bool& too_long) {
    using traits = std::istream::traits_type;
    line.clear();
    too_long = false;
    auto* buffer = in.rdbuf();
    if (buffer == nullptr) return false;
    bool any = false;
    for (;;) {
        const auto c = buffer->sbumpc();
        if (traits::eq_int_type(c, traits::eof())) {
            in.setstate(std::ios::eofbit);
            return any;
        }
        any = true;
        if (c == '\n') return true;
        if (line.size() < runner::max_line_bytes) {
            line.push_back(traits::to_char_type(c));
        } else {
            too_long = true;
        }
    }
}

const input& field(const input& op, const char* name) {
    const auto it = op.find(name);
    if (it == op.end()) throw malformed(fmt::format("missing field '{}'", name));
    return *it;
}

std::string string_field(const input& op, const char* name) {
    const auto& v = field(op, name);
    if (!v.is_string()) throw malformed(fmt::format("field '{}' must be a string", name));
    return v.get<std::string>();
}

std::optional<std::string> optional_string(const input& op, const char* name) {
    if (!op.contains(name) || op[name].is_null()) return std::nullopt;
    return string_field(op, name);
}

bool optional_bool(const input& op, const char* name) {
    if (!op.contains(name) || op[name].is_null()) return false;
    if (!op[name].is_boolean()) throw malformed(fmt::format("field '{}' must be a boolean", name));
    return op[name].get<bool>();
}

// SetPhone's oneof: at most one of sendCode / returnCode / isVerified.
result<phone_verification> verification_of(const input& op) {
    int given = 0;
    phone_verification how = send_code{};
    for (const char* name : {"sendCode", "returnCode"}) {
        if (!op.contains(name)) continue;
        if (!op[name].is_object()) throw malformed(fmt::format("field '{}' must be an object", name));
        ++given;
        how = std::string_view(name) == "sendCode" ? phone_verification{send_code{}} : phone_verification{return_code{}};
    }
    if (op.contains("isVerified")) {
        ++given;
        if (!optional_bool(op, "isVerified")) return errors::is_verified_not_true;
        how = mark_verified{};
    }
    if (given > 1) throw malformed("at most one of sendCode, returnCode, isVerified");
    return how;
}

}  // namespace

runner::runner(eventstore::event_store& store, options opts)
    : store_(store), options_(opts), last_write_(store.head()) {
    // Codes in the scenario are encrypted under a key that lives only as long as the run.
    keys_.add_random_key("scenario-key");
    keys_.activate("scenario-key");
    // The outbox records code.sent under its own identity.
    auth_.grant("sms-outbox", grant_table_authorizer::any_org, permissions::user_write);
    rebuild_service();
    projections_ = std::make_unique<projections::user_projections>(store_);
    projections_->start();
}

json runner::answer(const result<command_outcome>& outcome) {
    if (!outcome) return failure_json(outcome.err());
    last_write_ = std::max(last_write_, outcome->position);
    return success_json(outcome.value());
}

void runner::rebuild_service() {
    service_ = std::make_unique<user_service>(store_, auth_, keys_, clock_, ids_, config_);
}

caller runner::caller_for(const input& op, const std::string& target_user) {
    if (!op.contains("caller")) {
        // Without a caller: an administrator with user.write on every org, whose own org is the target user's
        // (what matters when a v1 op leaves out the org header).
        auth_.revoke_all(default_admin);
        auth_.grant(default_admin, grant_table_authorizer::any_org, permissions::user_write);
        return {default_admin, target_user.empty() ? std::string() : service_->load(target_user).resource_owner()};
    }
    const auto& c = op["caller"];
    if (!c.is_object()) throw malformed("field 'caller' must be an object");
    caller who{optional_string(c, "userId").value_or(""), optional_string(c, "orgId").value_or("")};
    auth_.revoke_all(who.user_id);
    if (c.contains("permissions")) {
        const auto& grants = c["permissions"];
        if (!grants.is_object()) throw malformed("field 'caller.permissions' must be an object of arrays");
        for (const auto& [org, list] : grants.items()) {
            if (!list.is_array()) throw malformed("field 'caller.permissions' must be an object of arrays");
            for (const auto& permission : list) {
                if (!permission.is_string()) throw malformed("permissions must be strings");
                auth_.grant(who.user_id, org, permission.get<std::string>());
            }
        }
    }
    return who;
}

const std::map<std::string, runner::handler, std::less<>>& runner::handlers() {
    static const std::map<std::string, handler, std::less<>> table{
        {"configure", &runner::configure},         {"add_human", &runner::add_human},
        {"add_machine", &runner::add_machine},     {"remove_user", &runner::remove_user},
        {"set_phone_v1", &runner::set_phone_v1},   {"set_phone_v2", &runner::set_phone_v2},
        {"verify_phone_v1", &runner::verify_phone_v1}, {"verify_phone_v2", &runner::verify_phone_v2},
        {"resend_code_v1", &runner::resend_code_v1}, {"resend_code_v2", &runner::resend_code_v2},
        {"remove_phone_v1", &runner::remove_phone_v1}, {"remove_phone_v2", &runner::remove_phone_v2},
        {"code_sent", &runner::code_sent},         {"advance_clock", &runner::advance_clock},
        {"deliver_sms", &runner::deliver_sms},     {"details", &runner::details},
        {"get_phone", &runner::get_phone},
        {"events", &runner::events},
    };
    return table;
}

json runner::execute(const input& op) {
    try {
        if (!op.is_object()) throw malformed("an operation must be a JSON object");
        const std::string name = string_field(op, "op");
        const auto it = handlers().find(name);
        if (it == handlers().end()) throw malformed(fmt::format("unknown op '{}'", name));
        return (this->*(it->second))(op);
    } catch (const malformed& e) {
        return failure_json(error(malformed_input, e.what()));
    } catch (const infrastructure_error& e) {
        // The library promises these never carry a secret, and their text tells the operator what failed.
        return failure_json(error(internal_failure, e.what()));
    } catch (...) {
        // Any other exception's text is not vetted for secrets, so only its occurrence is reported.
        return failure_json(error(internal_failure, "unexpected exception"));
    }
}

json runner::configure(const input& op) {
    if (auto region = optional_string(op, "defaultRegion")) config_.phone.default_region = *region;
    if (auto policy = optional_string(op, "phonePolicy")) {
        if (!parse_phone_policy(*policy, config_.phone.policy)) {
            throw malformed("phonePolicy must be parse, possible or valid");
        }
    }
    rebuild_service();
    return {{"ok", true}};
}

json runner::add_human(const input& op) {
    add_human_request request{string_field(op, "userId"), string_field(op, "orgId"),
                              optional_string(op, "phone").value_or(""), optional_bool(op, "isPhoneVerified")};
    return answer(service_->add_human(caller_for(op, ""), request));
}

json runner::add_machine(const input& op) {
    add_machine_request request{string_field(op, "userId"), string_field(op, "orgId")};
    return answer(service_->add_machine(caller_for(op, ""), request));
}

json runner::remove_user(const input& op) {
    const auto user = string_field(op, "userId");
    return answer(service_->remove_user(caller_for(op, user), {user, optional_string(op, "orgId")}));
}

json runner::set_phone_v1(const input& op) {
    const auto user = string_field(op, "userId");
    update_human_phone_request request{user, optional_string(op, "orgId"), string_field(op, "phone"),
                                       optional_bool(op, "isPhoneVerified")};
    return answer(service_->update_human_phone(caller_for(op, user), request));
}

json runner::set_phone_v2(const input& op) {
    const auto user = string_field(op, "userId");
    auto how = verification_of(op);
    const auto phone = string_field(op, "phone");
    const auto who = caller_for(op, user);
    if (!how) return failure_json(how.err());
    return answer(service_->set_phone(who, {user, phone, how.value()}));
}

std::string runner::code_of(const input& op, const std::string& user) {
    std::string code = string_field(op, "code");
    if (code == "@last_sms") {
        const auto it = last_sms_code_.find(user);
        if (it == last_sms_code_.end()) throw malformed("no SMS was delivered to this user yet");
        code = it->second;
    }
    return code;
}

json runner::verify_phone_v1(const input& op) {
    const auto user = string_field(op, "userId");
    verify_human_phone_request request{user, optional_string(op, "orgId"), code_of(op, user)};
    return answer(service_->verify_human_phone(caller_for(op, user), request));
}

json runner::verify_phone_v2(const input& op) {
    const auto user = string_field(op, "userId");
    verify_phone_request request{user, code_of(op, user)};
    return answer(service_->verify_phone(caller_for(op, user), request));
}

json runner::resend_code_v1(const input& op) {
    const auto user = string_field(op, "userId");
    resend_human_phone_verification_request request{user, optional_string(op, "orgId")};
    return answer(service_->resend_human_phone_verification(caller_for(op, user), request));
}

json runner::resend_code_v2(const input& op) {
    const auto user = string_field(op, "userId");
    if (op.contains("isVerified")) throw malformed("resend_code_v2 takes sendCode or returnCode");
    auto how = verification_of(op);
    const auto who = caller_for(op, user);
    const code_delivery delivery = std::holds_alternative<return_code>(how.value()) ? code_delivery{return_code{}}
                                                                                   : code_delivery{send_code{}};
    return answer(service_->resend_phone_code(who, {user, delivery}));
}

json runner::remove_phone_v1(const input& op) {
    const auto user = string_field(op, "userId");
    remove_human_phone_request request{user, optional_string(op, "orgId")};
    return answer(service_->remove_human_phone(caller_for(op, user), request));
}

json runner::remove_phone_v2(const input& op) {
    const auto user = string_field(op, "userId");
    return answer(service_->remove_phone(caller_for(op, user), {user}));
}

json runner::code_sent(const input& op) {
    const auto user = string_field(op, "userId");
    phone_code_sent_request request{user, optional_string(op, "orgId"), "", ""};
    if (op.contains("generatorInfo")) {
        const auto& info = op["generatorInfo"];
        if (!info.is_object()) throw malformed("field 'generatorInfo' must be an object");
        request.generator_id = optional_string(info, "id").value_or("");
        request.verification_id = optional_string(info, "verificationId").value_or("");
    }
    return answer(service_->phone_code_sent(caller_for(op, user), request));
}

json runner::advance_clock(const input& op) {
    const auto& field_value = field(op, "seconds");
    // Bounded before any conversion: converting a double past the int64 range is undefined behaviour. The test is
    // written so that NaN fails it too.
    const double seconds = field_value.is_number() ? field_value.get<double>() : -1;
    if (!(seconds >= 0 && seconds <= static_cast<double>(max_advance_seconds))) {
        throw malformed(fmt::format("field 'seconds' must be a number from 0 to {} (100 years)", max_advance_seconds));
    }
    const std::chrono::microseconds by(static_cast<std::int64_t>(seconds * 1e6));
    if (clock_.now() > latest_rfc3339 - by) {
        throw malformed(fmt::format("the clock would pass {}, the last time RFC 3339 can write",
                                    format_rfc3339(latest_rfc3339)));
    }
    clock_.advance(by);
    return {{"ok", true}, {"now", format_rfc3339(clock_.now())}};
}

json runner::deliver_sms(const input&) {
    sms_outbox outbox(store_, *service_, keys_, clock_, sms_, checkpoints_);
    const auto report = outbox.run_once();
    last_write_ = std::max(last_write_, store_.head());  // the outbox stored code.sent events
    json messages = json::array();
    for (const auto& sms : sms_.take()) {
        const std::string code(sms.code.view());  // the console "delivers" the code in the answer
        json message = {{"userId", sms.user_id}, {"phone", sms.phone.e164()}, {"code", code}};
        if (sms.expires_at) message["expiresAt"] = format_rfc3339(*sms.expires_at);
        last_sms_code_[sms.user_id] = code;
        messages.push_back(std::move(message));
    }
    return {{"ok", true}, {"messages", std::move(messages)}, {"skipped", report.skipped}, {"givenUp", report.given_up}};
}

json runner::details(const input& op) {
    const auto found = projections_->get_user_details(config_.instance_id, string_field(op, "userId"), {last_write_});
    if (!found) return failure_json(found.err());
    return {{"ok", true}, {"details", details_json(found.value())}};
}

json runner::get_phone(const input& op) {
    const auto found = projections_->get_human_phone(config_.instance_id, string_field(op, "userId"), {last_write_});
    if (!found) return failure_json(found.err());
    return {{"ok", true}, {"phone", found->phone}, {"isPhoneVerified", found->is_verified}};
}

json runner::events(const input& op) {
    return {{"ok", true}, {"events", events_json(get_user_events(store_, config_.instance_id, string_field(op, "userId")))}};
}

json runner::answer_line(const std::string& line, bool too_long) {
    try {
        if (too_long) {
            throw too_large(fmt::format("the line is longer than {} bytes", max_line_bytes));
        }
        const input op = parse_operation(line, max_values, max_depth);
        if (op.is_discarded()) return failure_json(error(malformed_input, "the line is not JSON"));
        return execute(op);
    } catch (const too_large& e) {
        return failure_json(error(too_large_input, e.what()));
    } catch (...) {
        return failure_json(error(internal_failure, "unexpected exception"));  // e.g. out of memory
    }
}

int runner::run(std::istream& in, std::ostream& out) {
    int failures = 0;
    std::string line;
    bool too_long = false;
    bool in_narration = false;
    while (read_line(in, line, too_long)) {
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos && !too_long) continue;
        if (first != std::string::npos && line[first] == '#') {  // a comment, however long
            if (options_.pretty) out << (in_narration ? "" : "\n") << line.substr(first) << "\n";  // the narration
            in_narration = true;
            continue;
        }
        in_narration = false;
        const json answer = answer_line(line, too_long);
        if (!answer["ok"].get<bool>()) ++failures;
        if (options_.pretty) {
            out << "> " << line.substr(std::min(first, line.size())) << (too_long ? " ..." : "") << "\n"
                << pretty_text(answer);
        } else {
            // Replacing invalid UTF-8 (say, in a store's error text) keeps the line JSON instead of throwing.
            out << answer.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
        }
        out.flush();
    }
    return failures;
}

}  // namespace scenario
