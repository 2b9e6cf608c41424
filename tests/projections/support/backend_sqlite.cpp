#include <filesystem>
#include <random>

#include "backends.hpp"
#include "userstream/backends/sqlite_event_store.hpp"
#include "userstream/projections/sqlite_read_models.hpp"

namespace userstream::testing {

namespace {
std::filesystem::path scratch_file() {
    std::random_device entropy;
    return std::filesystem::temp_directory_path() /
           ("userstream-projections-" + std::to_string(entropy()) + "-" + std::to_string(entropy()) + ".db");
}
}  // namespace

// The events and the read models share one file, as a host would run them.
projection_backend make_sqlite_backend() {
    const auto file = scratch_file();
    projection_backend b;
    b.name = "sqlite";
    b.store = std::make_unique<backends::sqlite_event_store>(
        backends::sqlite_options{.path = file.string(), .synchronous = backends::sqlite_synchronous::off});
    b.open_details = [file] {
        return std::make_unique<projections::sqlite_object_details>(
            projections::sqlite_read_model_options{.path = file.string()});
    };
    b.open_phones = [file] {
        return std::make_unique<projections::sqlite_user_phones>(
            projections::sqlite_read_model_options{.path = file.string()});
    };
    b.reopen();
    b.cleanup = [file] {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix, ignored);
    };
    return b;
}

}  // namespace userstream::testing
