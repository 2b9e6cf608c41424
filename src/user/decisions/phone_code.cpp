// Issuing a verification code for a phone, and checking one against the pending code (or asking the external
// verifier).
#include "decisions.hpp"
#include "userstream/core/error.hpp"

namespace userstream::user::detail {

namespace {

bool expired(const pending_code& code, timestamp now) {
    if (code.expiry.count() == 0) return false;  // 0 = never expires
    const auto deadline = code.created_at + std::chrono::duration_cast<std::chrono::microseconds>(code.expiry);
    return now > deadline;  // valid up to and including the deadline, as ZITADEL's `creationDate+expiry < now`
}

}  // namespace

issued_code decision_context::issue_code(bool returned) const {
    if (!effects.code) {
        issued_code drawn;
        if (verifier != nullptr) {
            // The provider creates and checks the code; nothing secret is stored here.
            drawn.event.generator_id = verifier->config_id();
        } else {
            const secret_binding binding{stream_instance_id, stream_user_id, event_types::phone_code_added};
            if (codes != nullptr) {
                drawn.plain = codes->next_code(code_config);
                drawn.event.code = keys.encrypt(drawn.plain.view(), binding);
            } else {
                auto sealed = keys.encrypt_new_code(code_config, binding);  // code and nonce in one CSPRNG draw
                drawn.plain = std::move(sealed.plain);
                drawn.event.code = std::move(sealed.sealed);
            }
            drawn.event.expiry = code_config.expiry;
        }
        effects.code = std::move(drawn);
    }
    issued_code out = *effects.code;
    out.event.code_returned = returned && verifier == nullptr;
    return out;
}

bool pending_code_matches(const user_write_model& model, std::string_view code, const decision_context& context) {
    const auto& pending = model.code();
    // The attempt limit: ZITADEL has none, so a six-character code could be guessed by brute force.
    if (pending.failed_attempts >= context.max_failed_verifications) return false;
    if (pending.code) {
        if (expired(pending, context.now)) return false;
        // Codes are only ever stored in code.added events (legacy names bind like the current one).
        const secret_string plain = context.keys.decrypt(
            *pending.code, {context.stream_instance_id, context.stream_user_id, event_types::phone_code_added});
        return plain == code;  // constant time; `plain` is wiped on return
    }
    if (!pending.generator_id.empty()) {
        if (context.verifier == nullptr) {
            throw infrastructure_error("phone verification: the pending code belongs to external verifier '" +
                                       pending.generator_id + "', but none is configured");
        }
        auto& effects = context.effects;
        if (context.state_unconfirmed) {
            effects.needs_fresh_state = true;
            return false;
        }
        if (!effects.verdict || effects.verification_id != pending.verification_id) {
            effects.verdict = context.verifier->check_code(pending.verification_id, code);
            effects.verification_id = pending.verification_id;
        }
        return *effects.verdict == verifier_verdict::approved;
    }
    return false;
}

}  // namespace userstream::user::detail
