// Sets a phone through the installed library and prints the normalised number from the stored event.
#include <iostream>

#include <userstream/eventstore/memory_event_store.hpp>
#include <userstream/user/user_service.hpp>

int main() {
    using namespace userstream;
    eventstore::memory_event_store store;
    user::key_ring keys;
    keys.add_random_key("k1");
    keys.activate("k1");
    user::grant_table_authorizer auth;
    auth.grant("admin", "*", user::permissions::user_write);
    system_clock clock;
    uuid_generator ids;
    user::user_service users(store, auth, keys, clock, ids);
    const user::caller admin{"admin", "o1"};
    auto added = users.add_human(admin, {"u1", "o1", "", false});
    auto changed = users.update_human_phone(admin, {"u1", "o1", "+41 71 000 00 00", true});
    if (!added || !changed) return 1;
    std::cout << changed->events.front().payload << "\n";
    return changed->events.front().payload == R"({"phone":"+41710000000"})" ? 0 : 1;
}
