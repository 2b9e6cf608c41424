#include "postgres_test_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace conformance {

std::string postgres_conninfo() {
    const char* value = std::getenv("USERSTREAM_TEST_POSTGRES");
    if (value == nullptr || *value == '\0') {
        throw std::runtime_error(
            "USERSTREAM_TEST_POSTGRES is not set: the PostgreSQL tests need a server. Run them through `./dev test`, "
            "which starts a throwaway PostgreSQL 15 cluster, or set it to a libpq conninfo string.");
    }
    return value;
}

std::string store_url_for_schema(const std::string& schema) {
    const std::string base = postgres_conninfo();
    if (base.starts_with("postgres")) return base + (base.find('?') == std::string::npos ? "?" : "&") + "schema=" + schema;
    return base + " schema=" + schema;
}

std::string unique_schema_name(const std::string& prefix) {
    static std::atomic<int> counter{0};
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" +
           std::to_string(now % 1000000);
}

void run_sql(const std::string& sql) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(postgres_conninfo().c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        throw std::runtime_error(std::string("PostgreSQL test server unreachable: ") + PQerrorMessage(conn.get()));
    }
    PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);  // DROP ... CASCADE notices are noise
    std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
    const auto status = PQresultStatus(res.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        throw std::runtime_error(std::string("PostgreSQL test SQL failed: ") + PQerrorMessage(conn.get()));
    }
}

void drop_schema(const std::string& schema) noexcept {
    try {
        run_sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (...) {
    }
}

std::string conninfo_for_database(const std::string& dbname) {
    const std::string base = postgres_conninfo();
    if (base.starts_with("postgres")) return base + (base.find('?') == std::string::npos ? "?" : "&") + "dbname=" + dbname;
    return base + " dbname=" + dbname;  // a later keyword wins in libpq's key=value form
}

namespace {

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("private_cluster: no socket for finding a free port");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("private_cluster: cannot find a free port");
    return ntohs(address.sin_port);
}

std::string tail_of(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string all = text.str();
    return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

}  // namespace

private_cluster::private_cluster(std::vector<std::string> settings) : settings_(std::move(settings)) {
    const char* bin = std::getenv("USERSTREAM_TEST_PGBIN");
    bin_ = bin != nullptr && *bin != '\0' ? bin : "/usr/lib/postgresql/15/bin";
    if (!std::filesystem::exists(bin_ + "/initdb")) {
        throw std::runtime_error("private_cluster: no PostgreSQL server binaries in " + bin_ +
                                 " (install Debian's postgresql package or set USERSTREAM_TEST_PGBIN)");
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "userstream-private-pg.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("private_cluster: mkdtemp failed");
    dir_ = pattern;
    if (::geteuid() == 0) {
        const passwd* postgres = ::getpwnam("postgres");
        if (postgres == nullptr || ::chown(dir_.c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
            throw std::runtime_error("private_cluster: running as root, but cannot hand " + dir_ + " to user postgres");
        }
    }
    try {
        run_pg({"initdb", "-D", dir_ + "/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale",
                "--no-sync"});
        // A port found free may be taken before the server binds it; then try another.
        for (int attempt = 1;; ++attempt) {
            port_ = free_port();
            try {
                start();
                break;
            } catch (const std::runtime_error&) {
                if (attempt == 5) throw;
            }
        }
    } catch (...) {
        std::filesystem::remove_all(dir_);
        throw;
    }
}

private_cluster::~private_cluster() {
    try {
        run_pg({"pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"});
    } catch (...) {
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string private_cluster::conninfo() const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=postgres";
}

std::vector<std::string> private_cluster::server_options() const {
    // pg_ctl hands -o to a shell, so a value with a space is quoted.
    std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
                          " -c unix_socket_directories=" + dir_ + " -c fsync=off -c max_connections=100";
    for (const auto& setting : settings_) {
        const auto eq = setting.find('=');
        options += " -c " + setting.substr(0, eq + 1) + "'" + setting.substr(eq + 1) + "'";
    }
    return {"-l", dir_ + "/server.log", "-o", options};
}

void private_cluster::start() {
    auto args = std::vector<std::string>{"pg_ctl", "-D", dir_ + "/data", "-w", "-t", "60"};
    for (auto& option : server_options()) args.push_back(std::move(option));
    args.emplace_back("start");
    run_pg(args);
}

void private_cluster::restart() {
    auto args = std::vector<std::string>{"pg_ctl", "-D", dir_ + "/data", "-m", "fast", "-w", "-t", "60"};
    for (auto& option : server_options()) args.push_back(std::move(option));
    args.emplace_back("restart");
    run_pg(args);
}

void private_cluster::stop() { run_pg({"pg_ctl", "-D", dir_ + "/data", "-m", "fast", "-w", "-t", "60", "stop"}); }

void private_cluster::run_pg(const std::vector<std::string>& args) const {
    // Everything is prepared before fork: the child only redirects its output and execs.
    std::vector<std::string> full;
    if (::geteuid() == 0) full = {"/usr/sbin/runuser", "-u", "postgres", "--"};
    full.push_back(bin_ + "/" + args.front());
    full.insert(full.end(), args.begin() + 1, args.end());
    std::vector<char*> argv;
    for (auto& arg : full) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const std::string log = dir_ + "/commands.log";
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("private_cluster: fork failed");
    if (child == 0) {
        const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (out >= 0) {
            ::dup2(out, 1);
            ::dup2(out, 2);
        }
        ::execv(argv.front(), argv.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("private_cluster: " + args.front() + " " + args.back() + " failed:\n" +
                                 tail_of(log) + "\nserver log:\n" + tail_of(dir_ + "/server.log"));
    }
}

}  // namespace conformance
