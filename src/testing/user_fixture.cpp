#include "userstream/testing/user_fixture.hpp"

#include <stdexcept>

#include "userstream/user/event_codec.hpp"

namespace userstream::testing {

namespace {

user::user_service_config with_codes(user::user_service_config config, user::code_source& codes) {
    if (config.phone_code_source == nullptr) config.phone_code_source = &codes;
    return config;
}

}  // namespace

timestamp test_epoch() { return *parse_rfc3339("2026-07-10T09:00:00Z"); }

user_fixture::user_fixture(user::user_service_config cfg)
    : own_store_(std::make_unique<eventstore::memory_event_store>()),
      store(*own_store_),
      config(with_codes(std::move(cfg), codes)),
      service(store, auth, keys, clock, ids, config) {
    keys.add_random_key(std::string(test_key_id));
    keys.activate(test_key_id);
    auth.grant(admin.user_id, user::grant_table_authorizer::any_org, user::permissions::user_write);
}

user_fixture::user_fixture(eventstore::event_store& target, user::user_service_config cfg)
    : store(target), config(with_codes(std::move(cfg), codes)), service(store, auth, keys, clock, ids, config) {
    keys.add_random_key(std::string(test_key_id));
    keys.activate(test_key_id);
    auth.grant(admin.user_id, user::grant_table_authorizer::any_org, user::permissions::user_write);
}

eventstore::global_position user_fixture::given(const std::string& user_id, const std::string& org,
                                                const std::vector<user::user_event>& events) {
    std::vector<std::pair<std::string, std::string>> raw;
    raw.reserve(events.size());
    for (const auto& event : events) {
        auto encoded = user::encode(event);
        raw.emplace_back(std::string(encoded.type), std::move(encoded.payload));
    }
    return given_raw(user_id, org, raw);
}

eventstore::global_position user_fixture::given_raw(const std::string& user_id, const std::string& org,
                                                    const std::vector<std::pair<std::string, std::string>>& events) {
    eventstore::aggregate_append append{
        {instance(), std::string(user::aggregate_type), user_id}, org, std::nullopt, {}};
    for (const auto& [type, payload] : events) {
        append.events.push_back({type, payload, user::aggregate_revision, "seed", clock.now()});
    }
    std::vector<eventstore::aggregate_append> batch;
    batch.push_back(std::move(append));
    auto pushed = store.append(std::move(batch));
    if (!pushed) {
        throw std::runtime_error("user_fixture::given: the store refused the events of " + user_id + ": " +
                                 std::string(pushed.err().id) + " " + pushed.err().message);
    }
    clock.advance(std::chrono::microseconds(1));
    return pushed->last_position;
}

std::vector<eventstore::stored_event> user_fixture::stream(const std::string& user_id) const {
    return store.read_aggregate({instance(), std::string(user::aggregate_type), user_id});
}

const user_fixture::outcome& user_fixture::record(const std::function<outcome()>& command) {
    const auto before = store.head();
    last_.reset();
    last_stored_.clear();
    last_.emplace(command());
    store.for_each_global(before, {}, [this](const eventstore::stored_event& event) {
        last_stored_.push_back(event);
        return true;
    });
    return *last_;
}

const user_fixture::outcome& user_fixture::when(const user::caller& who,
                                                const user::update_human_phone_request& request) {
    return record([&] { return service.update_human_phone(who, request); });
}
const user_fixture::outcome& user_fixture::when(const user::caller& who,
                                                const user::set_phone_request& request) {
    return record([&] { return service.set_phone(who, request); });
}
const user_fixture::outcome& user_fixture::when(const user::caller& who,
                                                const user::verify_human_phone_request& request) {
    return record([&] { return service.verify_human_phone(who, request); });
}
const user_fixture::outcome& user_fixture::when(const user::caller& who,
                                                const user::verify_phone_request& request) {
    return record([&] { return service.verify_phone(who, request); });
}
const user_fixture::outcome& user_fixture::when(const user::caller& who,
                                                const user::resend_human_phone_verification_request& request) {
    return record([&] { return service.resend_human_phone_verification(who, request); });
}
const user_fixture::outcome& user_fixture::when(const user::caller& who,
                                                const user::resend_phone_code_request& request) {
    return record([&] { return service.resend_phone_code(who, request); });
}
const user_fixture::outcome& user_fixture::when(const user::caller& who,
                                                const user::remove_human_phone_request& request) {
    return record([&] { return service.remove_human_phone(who, request); });
}
const user_fixture::outcome& user_fixture::when(const user::caller& who,
                                                const user::remove_phone_request& request) {
    return record([&] { return service.remove_phone(who, request); });
}
const user_fixture::outcome& user_fixture::when(const user::caller& who,
                                                const user::phone_code_sent_request& request) {
    return record([&] { return service.phone_code_sent(who, request); });
}
const user_fixture::outcome& user_fixture::when(const user::caller& who,
                                                const user::add_human_request& request) {
    return record([&] { return service.add_human(who, request); });
}
const user_fixture::outcome& user_fixture::when(const user::caller& who,
                                                const user::add_machine_request& request) {
    return record([&] { return service.add_machine(who, request); });
}
const user_fixture::outcome& user_fixture::when(const user::caller& who,
                                                const user::remove_user_request& request) {
    return record([&] { return service.remove_user(who, request); });
}

const user_fixture::outcome& user_fixture::when(const std::function<outcome(user::user_service&)>& command) {
    return record([&] { return command(service); });
}

check_result user_fixture::then_outcome(const error_code* code) const {
    if (!last_) return check_result::failed("no command ran: call when(...) first");
    if (code == nullptr) {
        if (last_->ok()) return check_result::passed();
        return check_result::failed("expected the command to succeed, it failed with " +
                                    std::string(last_->err().id) + " " + std::string(last_->err().key) + ": " +
                                    last_->err().message);
    }
    return check_error(*last_, *code);
}

check_result user_fixture::then_events(const std::vector<expected_event>& expected) const {
    if (auto succeeded = then_outcome(nullptr); !succeeded) return succeeded;
    return match_events(last_stored_, expected);
}

check_result user_fixture::then_rejected(const error_code& code) const {
    if (auto failed = then_outcome(&code); !failed) return failed;
    return match_events(last_stored_, {});
}

check_result user_fixture::then_failed(const error_code& code, const std::vector<expected_event>& expected) const {
    if (auto failed = then_outcome(&code); !failed) return failed;
    return match_events(last_stored_, expected);
}

}  // namespace userstream::testing
