#include "userstream/user/user_service.hpp"

#include "decisions/decisions.hpp"
#include "userstream/core/text.hpp"
#include "userstream/eventstore/errors.hpp"
#include "userstream/user/errors.hpp"
#include "userstream/user/event_codec.hpp"

namespace userstream::user {

namespace {

eventstore::aggregate_key user_key(const user_service_config& config, const std::string& user_id) {
    return {config.instance_id, std::string(aggregate_type), user_id};
}

struct text_field {
    const char* name;
    std::string_view value;
};

// The boundary check every command makes first: the caller and every id and text field must be valid text. A NUL
// would otherwise cut an id short on PostgreSQL (making "victim\0x" name victim's stream), and bytes that are not
// UTF-8 could not be counted against a length limit.
std::optional<error> reject_invalid_text(const caller& who, std::initializer_list<text_field> fields) {
    for (const text_field& field : {text_field{"caller.userId", who.user_id}, text_field{"caller.orgId", who.org_id}}) {
        if (!is_valid_text(field.value)) return error(errors::text_invalid, field.name);
    }
    for (const text_field& field : fields) {
        if (!is_valid_text(field.value)) return error(errors::text_invalid, field.name);
    }
    return std::nullopt;
}

std::string_view or_empty(const std::optional<std::string>& value) { return value ? std::string_view(*value) : ""; }

// The defaults of a service built without a clock or ids. Both are stateless and thread-safe, so every such service
// shares one of each; they are never destroyed, so a service that outlives static destruction can still use them.
const clock& default_clock() {
    static const auto* const instance = new system_clock;
    return *instance;
}

id_generator& default_ids() {
    static auto* const instance = new uuid_generator;
    return *instance;
}

}  // namespace

user_service::user_service(eventstore::event_store& store, const authorizer& auth, const key_ring& keys,
                           user_service_config config)
    : user_service(store, auth, keys, default_clock(), default_ids(), std::move(config)) {}

user_service::user_service(eventstore::event_store& store, const authorizer& auth, const key_ring& keys,
                           const clock& time, id_generator& ids, user_service_config config)
    : store_(store),
      auth_(auth),
      keys_(keys),
      clock_(time),
      ids_(ids),
      config_(std::move(config)),
      cache_(config_.write_model_cache_capacity) {}

user_write_model user_service::load(const std::string& user_id) const {
    // No stored user can have an id that is not valid text (commands reject it), and a store need not accept it.
    if (!is_valid_text(user_id)) return {};
    user_write_model model = cache_.get(user_id).value_or(user_write_model{});
    const auto tail = store_.read_aggregate(user_key(config_, user_id), model.sequence());
    for (const auto& event : tail) model.apply(event);
    if (!tail.empty()) cache_.put(user_id, model);
    return model;
}

template <class Decide>
result<command_outcome> user_service::execute(const caller& who, const std::string& user_id, Decide&& decide) {
    // With a cached model the first decision is taken without reading the store. That is safe: a success must pass
    // the store's expected-sequence check, which fails if the cache was stale, and a rejection is confirmed on a
    // freshly read model before it is returned. Only the uncontended success path saves the read, which is the
    // common one.
    std::optional<user_write_model> unread = config_.decide_on_cached_state ? cache_.get(user_id) : std::nullopt;
    detail::command_effects effects;
    for (unsigned conflicts = 0;;) {
        // All events of one push share one timestamp, as ZITADEL's share the transaction start; expiry checks use
        // the same instant.
        const timestamp now = clock_.now();
        const detail::decision_context context{who,
                                               auth_,
                                               config_.phone,
                                               config_.phone_code,
                                               config_.phone_code_source,
                                               keys_,
                                               config_.phone_verifier,
                                               now,
                                               config_.max_failed_verifications,
                                               config_.verify_phone_v2_requires_permission,
                                               config_.hide_foreign_users,
                                               /*state_unconfirmed=*/static_cast<bool>(unread),
                                               effects,
                                               config_.instance_id,
                                               user_id};
        const bool read_now = !unread;
        user_write_model model = read_now ? load(user_id) : std::move(*unread);
        unread.reset();
        result<detail::decision> decided = decide(model, context);
        if (!read_now && effects.needs_fresh_state) continue;  // asking the provider needs state the store confirmed
        if (!decided) {
            if (!read_now) continue;  // decide again on what the store holds now
            return std::move(decided).err();
        }
        auto& decision = decided.value();

        eventstore::aggregate_append append;
        append.aggregate = user_key(config_, user_id);
        append.owner = decision.owner.empty() ? model.resource_owner() : decision.owner;
        append.expected_sequence = model.sequence();
        append.events.reserve(decision.events.size());
        for (const auto& event : decision.events) {
            auto encoded = encode(event);
            append.events.push_back({std::string(encoded.type), std::move(encoded.payload), aggregate_revision,
                                     who.user_id, now});
        }

        std::vector<eventstore::aggregate_append> batch;
        batch.push_back(std::move(append));
        auto appended = store_.append(std::move(batch));
        if (appended) {
            // The details after the push: the model's fold, advanced by what was just stored.
            for (std::size_t i = 0; i < appended->events.size(); ++i) model.apply(decision.events[i], appended->events[i]);
            if (decision.reject_after_push) {
                cache_.put(user_id, std::move(model));
                return std::move(*decision.reject_after_push);
            }
            command_outcome out;
            out.details = model.details();
            out.position = appended->last_position;
            out.events = std::move(appended->events);
            // The caller's copy of a returned code; the decision's own is wiped with it.
            if (decision.plain_code) out.verification_code = std::string(decision.plain_code->view());
            cache_.put(user_id, std::move(model));  // last: the model is not copied into the cache
            return out;
        }
        if (appended.err().kind != error_kind::conflict) return std::move(appended).err();
        // A conflict on an unread cache is not a retry: the cache was merely behind.
        if (read_now && ++conflicts > config_.conflict_retries) return std::move(appended).err();
    }
}

result<command_outcome> user_service::update_human_phone(const caller& who,
                                                         const update_human_phone_request& request) {
    if (auto rejected = reject_invalid_text(who, {{"userId", request.user_id}, {"orgId", or_empty(request.org_id)}, {"phone", request.phone}})) return std::move(*rejected);
    // Normalised once, before the lookup (ZITADEL's order), and reused by every retry.
    const auto phone = normalize_phone_v1(request.phone, config_.phone);
    return execute(who, request.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_update_human_phone(model, request, phone, ctx);
    });
}

result<command_outcome> user_service::set_phone(const caller& who, const set_phone_request& request) {
    if (auto rejected = reject_invalid_text(who, {{"userId", request.user_id}, {"phone", request.phone}})) return std::move(*rejected);
    detail::lazy_phone phone(request.phone, &normalize_phone_v2);
    return execute(who, request.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_set_phone(model, request, phone, ctx);
    });
}

result<command_outcome> user_service::verify_human_phone(const caller& who,
                                                         const verify_human_phone_request& request) {
    if (auto rejected = reject_invalid_text(who, {{"userId", request.user_id}, {"orgId", or_empty(request.org_id)}, {"verificationCode", request.code}})) return std::move(*rejected);
    return execute(who, request.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_verify_human_phone(model, request, ctx);
    });
}

result<command_outcome> user_service::verify_phone(const caller& who, const verify_phone_request& request) {
    if (auto rejected = reject_invalid_text(who, {{"userId", request.user_id}, {"verificationCode", request.code}})) return std::move(*rejected);
    return execute(who, request.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_verify_phone(model, request, ctx);
    });
}

result<command_outcome> user_service::resend_human_phone_verification(
    const caller& who, const resend_human_phone_verification_request& request) {
    if (auto rejected = reject_invalid_text(who, {{"userId", request.user_id}, {"orgId", or_empty(request.org_id)}})) return std::move(*rejected);
    return execute(who, request.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_resend_human_phone(model, request, ctx);
    });
}

result<command_outcome> user_service::resend_phone_code(const caller& who, const resend_phone_code_request& request) {
    if (auto rejected = reject_invalid_text(who, {{"userId", request.user_id}})) return std::move(*rejected);
    return execute(who, request.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_resend_phone_code(model, request, ctx);
    });
}

result<command_outcome> user_service::remove_human_phone(const caller& who, const remove_human_phone_request& request) {
    if (auto rejected = reject_invalid_text(who, {{"userId", request.user_id}, {"orgId", or_empty(request.org_id)}})) return std::move(*rejected);
    return execute(who, request.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_remove_human_phone(model, request, ctx);
    });
}

result<command_outcome> user_service::remove_phone(const caller& who, const remove_phone_request& request) {
    if (auto rejected = reject_invalid_text(who, {{"userId", request.user_id}})) return std::move(*rejected);
    return execute(who, request.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_remove_phone(model, request, ctx);
    });
}

result<command_outcome> user_service::phone_code_sent(const caller& who, const phone_code_sent_request& request) {
    if (auto rejected = reject_invalid_text(who, {{"userId", request.user_id},
                                               {"orgId", or_empty(request.org_id)},
                                               {"generatorId", request.generator_id},
                                               {"verificationId", request.verification_id}})) return std::move(*rejected);
    return execute(who, request.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_phone_code_sent(model, request, ctx);
    });
}

result<command_outcome> user_service::set_my_phone(const caller& who, std::string_view phone) {
    if (auto rejected = reject_invalid_text(who, {{"phone", phone}})) return std::move(*rejected);
    // Self-service can never mark the phone verified.
    const update_human_phone_request request{who.user_id, who.org_id, std::string(phone), false};
    const auto normalized = normalize_phone_v1(request.phone, config_.phone);
    return execute(who, who.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_update_human_phone(model, request, normalized, ctx, /*self_service=*/true);
    });
}

result<command_outcome> user_service::verify_my_phone(const caller& who, std::string_view code) {
    if (auto rejected = reject_invalid_text(who, {{"verificationCode", code}})) return std::move(*rejected);
    const verify_human_phone_request request{who.user_id, who.org_id, std::string(code)};
    return execute(who, who.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_verify_human_phone(model, request, ctx, /*self_service=*/true);
    });
}

result<command_outcome> user_service::resend_my_phone_verification(const caller& who) {
    if (auto rejected = reject_invalid_text(who, {})) return std::move(*rejected);
    const resend_human_phone_verification_request request{who.user_id, who.org_id};
    return execute(who, who.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_resend_human_phone(model, request, ctx, /*self_service=*/true);
    });
}

result<command_outcome> user_service::remove_my_phone(const caller& who) {
    if (auto rejected = reject_invalid_text(who, {})) return std::move(*rejected);
    const remove_human_phone_request request{who.user_id, who.org_id};
    return execute(who, who.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_remove_human_phone(model, request, ctx, /*self_service=*/true);
    });
}

result<command_outcome> user_service::add_human(const caller& who, const add_human_request& request) {
    const auto& profile = request.profile;
    if (auto rejected = reject_invalid_text(
            who, {{"userId", request.user_id}, {"orgId", request.org_id}, {"phone", request.phone},
                  {"username", request.username}, {"profile.givenName", profile.given_name},
                  {"profile.familyName", profile.family_name}, {"profile.nickName", profile.nick_name},
                  {"profile.displayName", profile.display_name},
                  {"profile.preferredLanguage", profile.preferred_language}, {"email", request.email}})) {
        return std::move(*rejected);
    }
    add_human_request with_id = request;
    if (with_id.user_id.empty()) with_id.user_id = ids_.next_id();
    const auto phone = normalize_phone_v2(request.phone, config_.phone);
    return execute(who, with_id.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_add_human(model, with_id, phone, ctx);
    });
}

result<command_outcome> user_service::add_machine(const caller& who, const add_machine_request& request) {
    if (auto rejected = reject_invalid_text(who, {{"userId", request.user_id}, {"orgId", request.org_id},
                                                  {"username", request.username}, {"name", request.name},
                                                  {"description", request.description}})) {
        return std::move(*rejected);
    }
    add_machine_request with_id = request;
    if (with_id.user_id.empty()) with_id.user_id = ids_.next_id();
    return execute(who, with_id.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_add_machine(model, with_id, ctx);
    });
}

result<command_outcome> user_service::remove_user(const caller& who, const remove_user_request& request) {
    if (auto rejected = reject_invalid_text(who, {{"userId", request.user_id}, {"orgId", or_empty(request.org_id)}})) return std::move(*rejected);
    return execute(who, request.user_id, [&](const user_write_model& model, const detail::decision_context& ctx) {
        return detail::decide_remove_user(model, request, ctx);
    });
}

}  // namespace userstream::user
