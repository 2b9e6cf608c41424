// The store-URL parser (src/backends/stores/store_url.hpp) on any text. Properties: it throws nothing but
// infrastructure_error, whose message starts with "open_store: "; a SQLite URL it accepts names a file. (What a
// PostgreSQL URL leaves for libpq is libpq's to judge, so it is not checked here.)
#include <string>
#include <variant>

#include "fuzz_check.hpp"
#include "stores/store_url.hpp"
#include "userstream/core/error.hpp"

using namespace userstream;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view url(reinterpret_cast<const char*>(data), size);
    backends::detail::store_url parsed;
    try {
        parsed = backends::detail::parse_store_url(url);
    } catch (const infrastructure_error& e) {
        fuzz::check(std::string_view(e.what()).starts_with("open_store: "), "a store-URL error without its prefix");
        return 0;
    }
    if (const auto* sqlite = std::get_if<backends::sqlite_options>(&parsed)) {
        fuzz::check(!sqlite->path.empty(), "an accepted SQLite URL names no file");
    }
    return 0;
}
