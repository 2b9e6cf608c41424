// The scenario runner: reads one JSON operation per line and answers one JSON line per operation. It only
// translates between that wire format and the library's calls; every rule lives in userstream::user.
#pragma once

#include <cstddef>
#include <cstdint>
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
    // The caps on one input line (docs/scenario.md): a longer or larger line answers SCENARIO-toolarge.
    static constexpr std::size_t max_line_bytes = 1'048'576;  // not counting the newline
    static constexpr std::size_t max_values = 10'000;         // object members and array elements, in total
    static constexpr int max_depth = 32;                      // levels of nesting; the line's object is level 1
    // advance_clock moves the clock by at most 100 years of 365.25 days per line.
    static constexpr std::int64_t max_advance_seconds = 3'155'760'000;

    // Starts the read side and takes the store's head as the last write, so the first query waits until the
    // projections hold what earlier runs stored. Throws infrastructure_error when the store cannot be read.
    runner(userstream::eventstore::event_store& store, options opts);

    // Runs every operation of `in`, writing results to `out`. Returns the number of failed operations. No line ends
    // the run: whatever goes wrong while answering one becomes that line's failure answer.
    int run(std::istream& in, std::ostream& out);

    // Answers one operation (a parsed JSON object). Never throws for a bad operation: a malformed one answers
    // SCENARIO-input, and an exception while carrying it out answers SCENARIO-internal.
    json execute(const input& op);

    // The ring that encrypts codes; a fresh random key is active unless the caller adds and activates another.
    userstream::user::key_ring& keys() noexcept { return keys_; }

private:
    using handler = json (runner::*)(const input& op);
    static const std::map<std::string, handler, std::less<>>& handlers();

    json configure(const input& op);
    json add_human(const input& op);
    json add_machine(const input& op);
    json remove_user(const input& op);
    json set_phone_v1(const input& op);
    json set_phone_v2(const input& op);
    json verify_phone_v1(const input& op);
    json verify_phone_v2(const input& op);
    json resend_code_v1(const input& op);
    json resend_code_v2(const input& op);
    json remove_phone_v1(const input& op);
    json remove_phone_v2(const input& op);
    json code_sent(const input& op);
    json advance_clock(const input& op);
    json deliver_sms(const input& op);
    json details(const input& op);
    json get_phone(const input& op);
    json events(const input& op);

    // Renders a command's answer and remembers its position, so later queries can wait for the runner's own writes.
    json answer(const userstream::result<userstream::user::command_outcome>& outcome);

    // One input line (at most max_line_bytes of it, `too_long` when there was more) answered; never throws.
    json answer_line(const std::string& line, bool too_long);

    userstream::user::caller caller_for(const input& op, const std::string& target_user);
    // A verify op's code; "@last_sms" stands for the code of the last SMS delivered to the user, so a static
    // script can complete a verification.
    std::string code_of(const input& op, const std::string& user);
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
    std::map<std::string, std::string> last_sms_code_;  // user id -> code of the last SMS "delivered" by deliver_sms
    // The read side: queries read the projections, after waiting until they hold this runner's last write (at
    // start-up, the store's head).
    std::unique_ptr<userstream::projections::user_projections> projections_;
    userstream::eventstore::global_position last_write_;
};

}  // namespace scenario
