// userstream/core/result.hpp
//
// `result<T>` holds either a value or a business `error` (see error.hpp). It is `[[nodiscard]]` so that a rejected
// command cannot be ignored by accident. C++20 has no std::expected; this is the small subset the library needs.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "userstream/core/error.hpp"

namespace userstream {

template <class T>
class [[nodiscard]] result {
public:
    result(T value) : state_(std::in_place_index<0>, std::move(value)) {}          // NOLINT: implicit by design
    result(error err) : state_(std::in_place_index<1>, std::move(err)) {}          // NOLINT
    result(const error_code& code) : state_(std::in_place_index<1>, error(code)) {}  // NOLINT

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(state_); }
    const T& value() const& { assert(ok()); return std::get<0>(state_); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const error& err() const& { assert(!ok()); return std::get<1>(state_); }
    error&& err() && { assert(!ok()); return std::get<1>(std::move(state_)); }

private:
    std::variant<T, error> state_;
};

// The value type of a result that carries nothing on success.
struct done {};

}  // namespace userstream
