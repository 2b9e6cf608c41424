#include "wire.hpp"

#include <fmt/format.h>

#include <string>

namespace scenario {

json details_json(const userstream::eventstore::object_details& details) {
    return {{"sequence", std::to_string(details.sequence.value)},
            {"creationDate", userstream::format_rfc3339(details.creation_date)},
            {"changeDate", userstream::format_rfc3339(details.change_date)},
            {"resourceOwner", details.resource_owner}};
}

json event_json(const userstream::eventstore::stored_event& event) {
    json out = {{"type", event.event_type}, {"sequence", std::to_string(event.sequence.value)}};
    // Events without payload (a NULL column) have no "payload" field.
    if (!event.payload.empty()) out["payload"] = json::parse(event.payload);
    return out;
}

json events_json(const std::vector<userstream::eventstore::stored_event>& events) {
    json out = json::array();
    for (const auto& e : events) out.push_back(event_json(e));
    return out;
}

json success_json(const userstream::user::command_outcome& outcome) {
    json out = {{"ok", true}, {"details", details_json(outcome.details)}, {"events", events_json(outcome.events)}};
    if (outcome.verification_code) out["verificationCode"] = *outcome.verification_code;
    return out;
}

json failure_json(const userstream::error& error) {
    return {{"ok", false},
            {"error",
             {{"id", error.id}, {"key", error.key}, {"kind", userstream::to_string(error.kind)}, {"message", error.message}}}};
}

}  // namespace scenario

namespace scenario {

std::string pretty_text(const json& answer) {
    std::string out;
    if (!answer.value("ok", false)) {
        const auto& e = answer["error"];
        return fmt::format("  rejected  {} ({}, {}): {}\n", e["id"].get<std::string>(), e["kind"].get<std::string>(),
                           e["key"].get<std::string>(), e["message"].get<std::string>());
    }
    if (answer.contains("details")) {
        const auto& d = answer["details"];
        out += fmt::format("  ok        sequence {}, created {}, changed {}, owner {}\n", d["sequence"].get<std::string>(),
                           d["creationDate"].get<std::string>(), d["changeDate"].get<std::string>(),
                           d["resourceOwner"].get<std::string>());
    } else {
        out += "  ok\n";
    }
    for (const auto& e : answer.value("events", json::array())) {
        out += fmt::format("  {:>8}  {:<40} {}\n", e["sequence"].get<std::string>(), e["type"].get<std::string>(),
                           e.contains("payload") ? e["payload"].dump() : "");
    }
    if (answer.contains("verificationCode")) {
        out += fmt::format("  verification code returned to the caller: {}\n", answer["verificationCode"].get<std::string>());
    }
    for (const auto& sms : answer.value("messages", json::array())) {
        out += fmt::format("  SMS to {} (user {}): your verification code is {}\n", sms["phone"].get<std::string>(),
                           sms["userId"].get<std::string>(), sms["code"].get<std::string>());
    }
    if (answer.contains("now")) out += fmt::format("  the clock now reads {}\n", answer["now"].get<std::string>());
    for (const char* field : {"phone", "isPhoneVerified"}) {
        if (answer.contains(field)) out += fmt::format("  {}: {}\n", field, answer[field].dump());
    }
    return out;
}

}  // namespace scenario
