// The scenario runner: reads one JSON operation per line and answers one JSON line per operation. It only
// translates between that wire format and the library's calls; every rule lives in userstream::core.
#pragma once

#include <istream>
#include <memory>
#include <ostream>
#include <string>

#include "userstream/core/time.hpp"
#include "userstream/eventstore/event_store.hpp"
#include "userstream/user/user_service.hpp"
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

private:
    userstream::user::caller caller_for(const json& op, const std::string& target_user);
    void rebuild_service();

    userstream::eventstore::event_store& store_;
    options options_;
    userstream::offset_clock clock_;
    userstream::uuid_generator ids_;
    userstream::user::grant_table_authorizer auth_;
    userstream::user::key_ring keys_;
    userstream::user::user_service_config config_;
    std::unique_ptr<userstream::user::user_service> service_;
};

}  // namespace scenario
