#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>

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
std::string run_on(const std::filesystem::path& file, const std::string& sql) {
    sqlite3* raw = nullptr;
    if (sqlite3_open(file.c_str(), &raw) != SQLITE_OK) {
        sqlite3_close(raw);
        throw std::runtime_error("cannot open " + file.string());
    }
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    std::string first;
    char* message = nullptr;
    const auto keep_first = [](void* out, int columns, char** values, char**) {
        auto& text = *static_cast<std::string*>(out);
        if (text.empty() && columns > 0 && values[0] != nullptr) text = values[0];
        return 0;
    };
    if (sqlite3_exec(db.get(), sql.c_str(), keep_first, &first, &message) != SQLITE_OK) {
        const std::string error = message ? message : "error";
        sqlite3_free(message);
        throw std::runtime_error(error);
    }
    return first;
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
        return std::make_unique<subscriptions::sqlite_object_details>(
            subscriptions::sqlite_read_model_options{.path = file.string()});
    };
    b.open_phones = [file] {
        return std::make_unique<projections::sqlite_user_phones>(
            subscriptions::sqlite_read_model_options{.path = file.string()});
    };
    b.run_sql = [file](const std::string& sql) { return run_on(file, sql); };
    b.reopen();
    b.cleanup = [file] {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix, ignored);
    };
    return b;
}

}  // namespace userstream::testing
