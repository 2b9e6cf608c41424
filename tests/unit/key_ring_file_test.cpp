// The key ring file: what a written ring holds, what loading accepts, and what it refuses (never quoting a key).
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "userstream/user/key_ring_file.hpp"

using namespace userstream::user;
namespace fs = std::filesystem;

namespace {

// A fresh directory, removed with everything in it at the end of the test.
struct scratch_dir {
    fs::path path;
    scratch_dir() {
        std::string pattern = (fs::temp_directory_path() / "key_ring_file.XXXXXX").string();
        path = ::mkdtemp(pattern.data());
    }
    ~scratch_dir() { fs::remove_all(path); }
};

void write_file(const fs::path& path, const std::string& text, mode_t mode = 0600) {
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
}

std::string read_file(const fs::path& path) {
    std::ostringstream out;
    out << std::ifstream(path).rdbuf();
    return out.str();
}

// 32 bytes "0123456789abcdef0123456789abcdef" and 32 bytes of 'k', in base64.
const std::string key_a = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const std::string key_b = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=";

const secret_binding binding{"default", "u1", "user.human.phone.code.added"};

// What loading `text` (mode 0600) throws; empty when it loads.
std::string load_error(const std::string& text) {
    scratch_dir dir;
    write_file(dir.path / "keys.json", text);
    key_ring keys;
    try {
        load_key_ring(keys, dir.path / "keys.json");
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("a new key ring file has mode 0600 and one active key that every later load of it shares",
          "[key_ring_file]") {
    scratch_dir dir;
    const auto path = dir.path / "keys.json";
    write_new_key_ring(path);

    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 07777) == 0600);

    key_ring first;
    load_key_ring(first, path);
    CHECK(first.active_key_id() == "k1");
    key_ring second;  // a restarted process
    load_key_ring(second, path);
    const auto sealed = first.encrypt("123456", binding);
    CHECK(second.decrypt(sealed, binding).view() == "123456");
    // Nothing but the file and its name is left behind (no temporary file).
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("writing a key ring never replaces an existing file", "[key_ring_file]") {
    scratch_dir dir;
    const auto path = dir.path / "keys.json";
    write_new_key_ring(path, "first");
    const auto before = read_file(path);
    CHECK_THROWS_WITH(write_new_key_ring(path, "second"), Catch::Contains("already exists"));
    CHECK(read_file(path) == before);
    key_ring keys;
    load_key_ring(keys, path);
    CHECK(keys.active_key_id() == "first");
}

TEST_CASE("a ring file with several keys activates the named one and still decrypts under the others",
          "[key_ring_file]") {
    scratch_dir dir;
    write_file(dir.path / "old.json", R"({"active":"k1","keys":[{"id":"k1","key":")" + key_a + R"("}]})");
    write_file(dir.path / "rotated.json", R"({"active":"k2","keys":[{"id":"k1","key":")" + key_a +
                                              R"("},{"id":"k2","key":")" + key_b + R"("}]})");
    key_ring old_ring;
    load_key_ring(old_ring, dir.path / "old.json");
    key_ring rotated;
    load_key_ring(rotated, dir.path / "rotated.json");
    CHECK(rotated.active_key_id() == "k2");
    CHECK(rotated.decrypt(old_ring.encrypt("424242", binding), binding).view() == "424242");
    CHECK(rotated.encrypt("1", binding).key_id == "k2");
}

TEST_CASE("a ring file that group or others may access is refused and the ring is left as it was",
          "[key_ring_file]") {
    scratch_dir dir;
    const auto path = dir.path / "keys.json";
    write_file(path, R"({"active":"k1","keys":[{"id":"k1","key":")" + key_a + R"("}]})", 0640);
    key_ring keys;
    std::array<unsigned char, key_ring::key_size> mine{};
    mine.fill('m');
    keys.add_key("mine", mine);
    keys.activate("mine");
    CHECK_THROWS_WITH(load_key_ring(keys, path), Catch::Contains("0640") && Catch::Contains("chmod 600") &&
                                                     Catch::Contains(path.string()));
    CHECK(keys.active_key_id() == "mine");

    ::chmod(path.c_str(), 0604);
    CHECK_THROWS_WITH(load_key_ring(keys, path), Catch::Contains("group or others"));
    ::chmod(path.c_str(), 0600);
    load_key_ring(keys, path);
    CHECK(keys.active_key_id() == "k1");
}

TEST_CASE("a damaged ring file is refused naming the problem, never quoting a key", "[key_ring_file]") {
    CHECK_THAT(load_error("not json"), Catch::Contains("not valid JSON"));
    CHECK_THAT(load_error(R"({"keys":[{"id":"k1","key":")" + key_a + R"("}]})"), Catch::Contains("\"active\""));
    CHECK_THAT(load_error(R"({"active":"k2","keys":[{"id":"k1","key":")" + key_a + R"("}]})"),
               Catch::Contains("\"active\" names key \"k2\", which is not listed"));
    CHECK_THAT(load_error(R"({"active":"k1","keys":[]})"), Catch::Contains("\"keys\""));
    CHECK_THAT(load_error(R"({"active":"k1","keys":[{"id":"k1","key":"not base64!"}]})"),
               Catch::Contains("key \"k1\" is not standard base64 of exactly 32 bytes"));
    // 31 bytes: valid base64 of the wrong length.
    const std::string short_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZQ==";
    const auto wrong_length = load_error(R"({"active":"k1","keys":[{"id":"k1","key":")" + short_key + R"("}]})");
    CHECK_THAT(wrong_length, Catch::Contains("exactly 32 bytes") && !Catch::Contains(short_key));
    const auto twice = load_error(R"({"active":"k1","keys":[{"id":"k1","key":")" + key_a + R"("},{"id":"k1","key":")" +
                                  key_b + R"("}]})");
    CHECK_THAT(twice, Catch::Contains("listed twice") && !Catch::Contains(key_a) && !Catch::Contains(key_b));
    CHECK_THAT(load_error(R"({"active":"k1","keys":[{"key":")" + key_a + R"("}]})"), Catch::Contains("no \"id\""));
}

TEST_CASE("a missing ring file is refused naming the file", "[key_ring_file]") {
    scratch_dir dir;
    key_ring keys;
    CHECK_THROWS_WITH(load_key_ring(keys, dir.path / "absent.json"),
                      Catch::Contains((dir.path / "absent.json").string()) && Catch::Contains("cannot open"));
}

TEST_CASE("a ring's text loads as its file would, the given path naming it in errors", "[key_ring_file]") {
    key_ring keys;
    load_key_ring_text(keys, R"({"active":"k1","keys":[{"id":"k1","key":")" + key_a + R"("}]})", "etc/keys.json");
    CHECK(keys.active_key_id() == "k1");
    CHECK(keys.decrypt(keys.encrypt("123456", binding), binding) == "123456");
    CHECK_THROWS_MATCHES(load_key_ring_text(keys, "not json", "etc/keys.json"), std::invalid_argument,
                         Catch::Matchers::Message("key ring file etc/keys.json: not valid JSON"));
    CHECK(keys.active_key_id() == "k1");
}

TEST_CASE("a ring file of arrays nested as deep as its size allows is refused, its text wiped without recursion",
          "[key_ring_file]") {
    // 1 MiB of nesting: the loader wipes every string of the parsed document, and did so by recursion, one call per
    // level, which overflowed the stack.
    const std::size_t depth = (1u << 20) / 2;
    CHECK_THAT(load_error(std::string(depth, '[') + std::string(depth, ']')), Catch::Contains("not a JSON object"));
    CHECK_THAT(load_error("{\"active\":\"k1\",\"keys\":" + std::string(depth - 20, '[') + std::string(depth - 20, ']') +
                          "}"),
               Catch::Contains("key 1 has no \"id\""));
}
