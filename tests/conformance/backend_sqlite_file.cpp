// The conformance suite against a SQLite file in a fresh temporary directory. synchronous=normal keeps the suite
// fast; the durability of synchronous=full is the crash test's business.
#include <atomic>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "store_backend.hpp"
#include "userstream/backends/open_store.hpp"

namespace conformance {

namespace {
class sqlite_file_backend final : public store_backend {
public:
    sqlite_file_backend() {
        static std::atomic<int> counter{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("userstream-conformance-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        url_ = "sqlite:" + (dir_ / "events.db").string() + "?synchronous=normal";
    }
    ~sqlite_file_backend() override {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    std::shared_ptr<userstream::eventstore::event_store> open() override {
        return userstream::backends::open_store(url_);
    }
    std::optional<std::string> shared_url() const override { return url_; }

private:
    std::filesystem::path dir_;
    std::string url_;
};
}  // namespace

std::unique_ptr<store_backend> make_backend() { return std::make_unique<sqlite_file_backend>(); }

}  // namespace conformance
