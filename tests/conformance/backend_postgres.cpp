// The conformance suite against PostgreSQL: every test gets its own schema in the test server's database, dropped
// afterwards, so tests can run in parallel against one cluster.
#include "postgres_test_server.hpp"
#include "store_backend.hpp"
#include "userstream/backends/open_store.hpp"

namespace conformance {

namespace {
class postgres_backend final : public store_backend {
public:
    postgres_backend() : schema_(unique_schema_name("conformance")), url_(store_url_for_schema(schema_)) {}
    ~postgres_backend() override { drop_schema(schema_); }
    std::shared_ptr<userstream::eventstore::event_store> open() override {
        return userstream::backends::open_store(url_);
    }
    std::optional<std::string> shared_url() const override { return url_; }

private:
    std::string schema_;
    std::string url_;
};
}  // namespace

std::unique_ptr<store_backend> make_backend() { return std::make_unique<postgres_backend>(); }

}  // namespace conformance
