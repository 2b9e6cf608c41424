#include <iostream>

#include <userstream/eventstore/memory_event_store.hpp>
#include <userstream/user/user_service.hpp>

int main() {
    using namespace userstream;
    eventstore::memory_event_store store;
    // Development only: a random key that dies with the process. In production, add_key() keys from a secret store.
    auto keys = user::key_ring::with_random_key();
    user::grant_table_authorizer auth;
    auth.grant("admin", "o1", user::permissions::user_write);
    user::user_service users(store, auth, keys);  // the system clock; random UUIDs for generated ids

    const user::caller admin{"admin", "o1"};
    auto out = users.add_human(admin, {"u1", "o1", "", false});
    if (out) out = users.update_human_phone(admin, {"u1", "o1", "+41 71 000 00 00", true});
    if (!out) {
        std::cerr << out.err().id << ' ' << out.err().message << '\n';  // e.g. COMMAND-wF94r
        return 1;
    }
    for (const auto& event : out->events) std::cout << event.event_type << ' ' << event.payload << '\n';
    const auto& details = out->details;
    std::cout << "sequence " << details.sequence.value << ", changed " << format_rfc3339(details.change_date)
              << ", resource owner " << details.resource_owner << '\n';
}
