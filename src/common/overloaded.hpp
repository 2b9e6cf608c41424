// The "overloaded" idiom for std::visit: one lambda per alternative of a variant, e.g. the user events. One definition
// for the whole library, reachable by every library target through the internal, build-only target
// `userstream_common` (src/CMakeLists.txt); it is no part of the installed API, so hosts never see it.
#pragma once

namespace userstream::detail {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
// Written out for clang 14 (the fuzz build), which does not deduce aggregate template arguments (C++20's P1816).
template <class... F>
overloaded(F...) -> overloaded<F...>;

}  // namespace userstream::detail
