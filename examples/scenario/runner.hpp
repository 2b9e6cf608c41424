// The scenario runner: reads one JSON operation per line and answers one JSON line per operation. It only
// translates between that wire format and the library's calls; every rule lives in userstream::core.
#pragma once

#include <istream>
#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "userstream/core/time.hpp"
#include "userstream/eventstore/event_store.hpp"
#include "userstream/user/user_service.hpp"
#include "console_sms_sender.hpp"
#include "userstream/eventstore/checkpoint_store.hpp"
#include "userstream/projections/user_projections.hpp"
#include "wire.hpp"

namespace scenario {

struct options {
    bool pretty = false;  // human-readable output for the demo instead of JSON lines
};

class runner {
public:
    runner(userstream::eventstore::event_store& store, options opts);

    // Runs every operation of `in`, writing results to `out`. Returns the number of failed operations.
    int run(std::istream& in, std::ostream& out);

    // Answers one operation (a parsed JSON object).
    json execute(const json& op);

    // The ring that encrypts codes; a fresh random key is active unless the caller adds and activates another.
    userstream::user::key_ring& keys() noexcept { return keys_; }

private:
    using handler = json (runner::*)(const json& op);
    static const std::map<std::string, handler, std::less<>>& handlers();

    json configure(const json& op);
    json add_human(const json& op);
    json add_machine(const json& op);
    json remove_user(const json& op);
    json set_phone_v1(const json& op);
    json set_phone_v2(const json& op);
    json verify_phone_v1(const json& op);
    json verify_phone_v2(const json& op);
    json resend_code_v1(const json& op);
    json resend_code_v2(const json& op);
    json remove_phone_v1(const json& op);
    json remove_phone_v2(const json& op);
    json code_sent(const json& op);
    json advance_clock(const json& op);
    json deliver_sms(const json& op);
    json details(const json& op);
    json get_phone(const json& op);
    json events(const json& op);

    // Renders a command's answer and remembers its position, so later queries can wait for the runner's own writes.
    json answer(const userstream::result<userstream::user::command_outcome>& outcome);

    userstream::user::caller caller_for(const json& op, const std::string& target_user);
    // A verify op's code; "@last_sms" stands for the code of the last SMS delivered to the user, so a static
    // script can complete a verification.
    std::string code_of(const json& op, const std::string& user);
    void rebuild_service();

    userstream::eventstore::event_store& store_;
    options options_;
    userstream::offset_clock clock_;
    userstream::uuid_generator ids_;
    userstream::user::grant_table_authorizer auth_;
    userstream::user::key_ring keys_;
    userstream::user::user_service_config config_;
    std::unique_ptr<userstream::user::user_service> service_;
    console_sms_sender sms_;
    userstream::eventstore::memory_checkpoint_store checkpoints_;
    std::map<std::string, std::string> last_sms_code_;
    // The read side: queries read the projections, after waiting until they hold this runner's last write.
    std::unique_ptr<userstream::projections::user_projections> projections_;
    userstream::eventstore::global_position last_write_;  // user id -> code of the last SMS "delivered" by deliver_sms
};

}  // namespace scenario
