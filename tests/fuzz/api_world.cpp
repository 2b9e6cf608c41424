#include "api_world.hpp"

#include <algorithm>
#include <stdexcept>

#include <google/protobuf/stubs/logging.h>

#include "fuzz_check.hpp"
#include "userstream/core/id_generator.hpp"
#include "userstream/core/time.hpp"
#include "userstream/projections/user_projections.hpp"
#include "userstream/user/key_ring.hpp"
#include "userstream/user/user_service.hpp"

namespace userstream::fuzz {

namespace {

constexpr std::string_view token_file_json = R"({"tokens":[
  {"token":"admin-token","userId":"admin","orgId":"o1","permissions":{"o1":["user.read","user.write"]}},
  {"token":"reader-token","userId":"reader","orgId":"o1","permissions":{"o1":["user.read"]}},
  {"token":"u1-token","userId":"u1","orgId":"o1"}]})";

}  // namespace

const std::vector<const api::detail::method*>& api_methods() {
    static const auto sorted = [] {
        std::vector<const api::detail::method*> out;
        for (const auto& m : api::detail::all_methods()) out.push_back(&m);
        std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->full_name < b->full_name; });
        return out;
    }();
    return sorted;
}

struct api_world::parts {
    eventstore::memory_event_store store;
    manual_clock clock{timestamp(std::chrono::seconds(1'783'675'069))};  // 2026-07-10
    sequential_id_generator ids{"gen-"};
    user::key_ring keys;
    api::token_file tokens = api::token_file::parse(token_file_json);
    std::unique_ptr<user::user_service> users;
    std::unique_ptr<projections::user_projections> read_side;
};

api_world::api_world() : parts_(std::make_unique<parts>()) {
    // protobuf logs every string field that is not UTF-8 to stderr; at thousands of inputs a second that is most of
    // the run's time (the handler answers such a message InvalidArgument either way).
    google::protobuf::SetLogHandler(nullptr);
    auto& p = *parts_;
    p.keys.add_random_key("fuzz");
    p.keys.activate("fuzz");
    p.users = std::make_unique<user::user_service>(p.store, p.tokens, p.keys, p.clock, p.ids);
    const user::caller admin{"admin", "o1"};
    auto added = p.users->add_human(admin, {"u1", "o1", "+41 71 000 00 00", true});
    if (added) added = p.users->add_human(admin, {"u2", "o1", "", false});
    if (!added) throw std::runtime_error("api_world: cannot add the users: " + added.err().message);
    // Not started: a query's read-your-writes wait then applies the pending events on the calling thread, which is
    // faster than waking the runners' threads and keeps a run deterministic.
    p.read_side = std::make_unique<projections::user_projections>(p.store);
    if (!p.read_side->wait_for(added->position, std::chrono::seconds(5))) {
        throw std::runtime_error("api_world: the read side did not catch up");
    }
    api::api_options options;
    options.log = [this](std::string_view line) { last_log_ = std::string(line); };
    api_ = std::make_unique<api::api_handler>(*p.users, *p.read_side, p.tokens, p.tokens, options);
}

api_world::~api_world() { api_.reset(); }

api::api_request request_of(const std::uint8_t* data, std::size_t size) {
    input_reader in(data, size);
    const auto choice = in.byte();
    const auto p = static_cast<protocol>(choice & 3);
    const auto token = tokens[(choice >> 2) & 3];
    const auto& methods = api_methods();
    const auto& m = *methods[in.byte() % methods.size()];

    api::api_request request;
    if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + std::string(token));
    if (choice & 16) request.headers.emplace_back("x-zitadel-orgid", "o1");
    if (p == protocol::rest) {
        std::string path(m.rest.path);
        const auto user_id = in.line();
        if (const auto at = path.find("{user_id}"); at != std::string::npos) path.replace(at, 9, user_id);
        request.method = std::string(m.rest.verb);
        request.target = std::move(path);
        if (m.rest.has_body) request.headers.emplace_back("Content-Type", "application/json");
    } else {
        request.method = "POST";
        request.target = "/" + std::string(m.full_name);
        switch (p) {
            case protocol::connect_json:
                request.headers.emplace_back("Content-Type", "application/json");
                request.headers.emplace_back("Connect-Protocol-Version", "1");
                break;
            case protocol::connect_proto:
                request.headers.emplace_back("Content-Type", "application/proto");
                request.headers.emplace_back("Connect-Protocol-Version", "1");
                break;
            default:
                request.headers.emplace_back("Content-Type", "application/grpc-web+proto");
                request.headers.emplace_back("X-Grpc-Web", "1");
                break;
        }
    }
    request.body = std::string(in.rest());
    return request;
}

}  // namespace userstream::fuzz
