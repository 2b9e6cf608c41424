// The one thing that differs between runs of the conformance suite: how to get a fresh, empty store of the backend
// under test, how to open it again, and (for stores several processes can share) the URL another process opens.
// Each backend's executable links exactly one implementation of `make_backend`.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "userstream/eventstore/event_store.hpp"

namespace conformance {

class store_backend {
public:
    virtual ~store_backend() = default;
    // Opens the store this backend made (again). Durable backends return a new instance on each call; in-process
    // ones return the same instance, so "reopen" reads the same data on every backend.
    virtual std::shared_ptr<userstream::eventstore::event_store> open() = 0;
    // A URL for open_store() in another process, or nullopt for stores that live in this process only.
    virtual std::optional<std::string> shared_url() const = 0;
};

// A backend over a new, empty store; removes it when destroyed. Throws (failing the test) when the backend cannot
// be reached, e.g. when PostgreSQL is not configured.
std::unique_ptr<store_backend> make_backend();

}  // namespace conformance
