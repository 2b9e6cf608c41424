// userstream/core/error.hpp
//
// The error channels of the library, defined once.
//
// * Business rejections (an invalid phone, a missing user, a denied permission, a concurrency conflict) are values:
//   `userstream::error`, carried by `userstream::result<T>`. Callers must look at them.
// * Infrastructure failures (a database that is down, a row that does not decode, a missing encryption key) throw
//   `userstream::infrastructure_error`, the root of the library's own exceptions (`decode_error` derives from it).
//   A push that meets a failing store is the exception: it returns `unavailable` or `unknown` (below), so the
//   caller learns whether the change may have been stored.
// * Programming errors (a violated precondition, such as a key of the wrong size or a NUL byte in a PostgreSQL
//   parameter) throw `std::invalid_argument`: the host called the library wrongly, and no retry helps.
//   docs/errors.md lists every place that throws it.
//
// Every error has a kind, a stable id (ZITADEL's where ZITADEL has one), an i18n key and an English message. The kind
// tells the caller what to do: `conflict` and `unknown` may be retried after re-reading, `unavailable` may be retried
// as it is, everything else is final for the same input. `docs/errors.md` lists every id.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace userstream {

enum class error_kind {
    invalid_argument,
    failed_precondition,
    not_found,
    permission_denied,
    unauthenticated,
    conflict,
    internal,
    // The store could not be reached or failed before the write was sent to it: nothing was written, and sending the
    // same request again is safe (gRPC UNAVAILABLE).
    unavailable,
    // The store failed after the write was sent to it (a connection lost during COMMIT): it may or may not have
    // landed. Re-read before deciding again (gRPC UNKNOWN).
    unknown,
};

// The kind's name as used in wire formats: "InvalidArgument", "FailedPrecondition", ...
std::string_view to_string(error_kind kind) noexcept;

// gRPC status code of a kind (InvalidArgument = 3, FailedPrecondition = 9, Conflict = Aborted 10, ...).
int grpc_code(error_kind kind) noexcept;

// HTTP status grpc-gateway uses for that gRPC code. FailedPrecondition maps to 400, as in ZITADEL.
int http_status(error_kind kind) noexcept;

// True when trying again can succeed: `unavailable` (nothing was written), `conflict` and `unknown` (re-read the
// aggregate, then decide again). A retried `unknown` is safe because it is decided anew on what the store holds and
// appended with the sequence it was decided on: if the first attempt landed, the retry sees it (or gets a Conflict),
// so it is never stored twice. A caller that appends without an expected sequence must re-read before retrying.
constexpr bool is_retryable(error_kind kind) noexcept {
    return kind == error_kind::conflict || kind == error_kind::unavailable || kind == error_kind::unknown;
}

// A static description of one error: all errors the library can return are `error_code` constants in
// `userstream/user/errors.hpp` and `userstream/eventstore/errors.hpp`.
struct error_code {
    error_kind kind;
    std::string_view id;       // stable, e.g. "COMMAND-wF94r"
    std::string_view key;      // i18n key, e.g. "Errors.User.Phone.NotChanged"
    std::string_view message;  // English text
};

// A business rejection. `detail` may add context (never a secret).
struct error {
    error_kind kind = error_kind::internal;
    std::string_view id;
    std::string_view key;
    std::string message;

    error() = default;
    error(const error_code& code) : kind(code.kind), id(code.id), key(code.key), message(code.message) {}  // NOLINT
    error(const error_code& code, std::string detail)
        : kind(code.kind), id(code.id), key(code.key), message(std::string(code.message) + ": " + std::move(detail)) {}

    bool is(const error_code& code) const noexcept { return id == code.id && key == code.key && kind == code.kind; }
};

// Raised for failures of the machinery around the domain: storage, decoding, keys. Never carries a secret.
class infrastructure_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Raised when the storage as a whole cannot serve a call (connection lost, server restarting, lock wait timed out,
// disk error), as opposed to one bad row or request: retrying later may succeed. Hosts answer it as Unavailable.
class unavailable_error : public infrastructure_error {
public:
    using infrastructure_error::infrastructure_error;
};

// A stored event that cannot be decoded. The message names instance, aggregate, sequence and event type.
class decode_error : public infrastructure_error {
public:
    using infrastructure_error::infrastructure_error;
};

}  // namespace userstream
