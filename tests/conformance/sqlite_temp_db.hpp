// A scratch directory holding one SQLite file for a test, removed afterwards, and raw SQL on that file outside the
// store: for the SQLite-specific and migration tests, which look at or prepare the file behind the store's back.
#pragma once

#include <sqlite3.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

namespace userstream::conformance_tests {

struct temp_db {
    temp_db() {
        static int counter = 0;
        dir = std::filesystem::temp_directory_path() /
              ("userstream-sqlite-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
    }
    ~temp_db() { std::filesystem::remove_all(dir); }
    std::string path() const { return (dir / "events.db").string(); }

    // Runs SQL on a raw connection, returning the first column of the first row (if any).
    std::string raw(const std::string& sql) const {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path().c_str(), &db) == SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        std::string first;
        char* error = nullptr;
        const int rc = sqlite3_exec(
            db, sql.c_str(),
            [](void* out, int, char** values, char**) {
                auto& text = *static_cast<std::string*>(out);
                if (text.empty() && values[0]) text = values[0];
                return 0;
            },
            &first, &error);
        const std::string message = error ? error : "";
        sqlite3_free(error);
        sqlite3_close(db);
        INFO(message);
        REQUIRE(rc == SQLITE_OK);
        return first;
    }

    std::filesystem::path dir;
};

}  // namespace userstream::conformance_tests
