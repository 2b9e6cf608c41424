// Defect 8.9: every id and text field a host passes in must be valid UTF-8 without NUL, on every command and query,
// before anything else is checked. A NUL cut ids short on PostgreSQL, and bytes that are not UTF-8 escaped the
// character limits.
#include "support/user_fixture.hpp"
#include "userstream/core/text.hpp"
#include "userstream/user/stream_queries.hpp"

using namespace userstream;
using namespace userstream::testing;

namespace {
const std::string nul_id("victim\0anything", 15);
const std::string not_utf8(100'000, '\x80');  // 100,000 continuation bytes: not one character
}  // namespace

TEST_CASE("valid text is well-formed UTF-8 without NUL", "[text]") {
    CHECK(is_valid_text(""));
    CHECK(is_valid_text("u1"));
    CHECK(is_valid_text("us\xC3\xA9r \xE2\x82\xAC \xF0\x9F\x93\xB1"));  // é, €, a four-byte emoji
    CHECK(count_characters("us\xC3\xA9r \xE2\x82\xAC \xF0\x9F\x93\xB1") == 8u);
    CHECK_FALSE(is_valid_text(std::string("a\0b", 3)));
    CHECK_FALSE(is_valid_text("\x80"));              // continuation byte without a lead
    CHECK_FALSE(is_valid_text("\xC3"));              // truncated sequence
    CHECK_FALSE(is_valid_text("\xC0\xAF"));          // overlong '/'
    CHECK_FALSE(is_valid_text("\xE0\x80\xAF"));      // overlong three-byte form
    CHECK_FALSE(is_valid_text("\xED\xA0\x80"));      // UTF-16 surrogate U+D800
    CHECK_FALSE(is_valid_text("\xF4\x90\x80\x80"));  // past U+10FFFF
    CHECK_FALSE(is_valid_text("\xFF"));
    CHECK_FALSE(count_characters(not_utf8).has_value());
}

TEST_CASE("a NUL, a stray byte or a character in long ASCII text counts the same at every position", "[text]") {
    // Long ASCII runs are checked several bytes at a time; what lies inside or across such a run must still count.
    for (std::size_t length = 1; length <= 40; ++length) {
        for (std::size_t at = 0; at < length; ++at) {
            INFO("length " << length << ", at " << at);
            std::string text(length, 'a');
            text[at] = '\0';
            CHECK_FALSE(count_characters(text).has_value());
            text[at] = '\x80';
            CHECK_FALSE(count_characters(text).has_value());
            text[at] = '\x7f';  // DEL is a character
            CHECK(count_characters(text) == length);
            text.replace(at, 1, "\xC3\xA9");  // é: two bytes, one character
            CHECK(count_characters(text) == length);
            text.replace(at, 2, "\xF0\x9F\x93\xB1");  // four bytes, one character
            CHECK(count_characters(text) == length);
            if (at + 1 == length) {  // the four-byte character ends the text: cut short, it is no character
                text.pop_back();
                CHECK_FALSE(count_characters(text).has_value());
            }
        }
    }
}

TEST_CASE("defect 8.9: a 100 kB id of invalid UTF-8 is rejected, not counted as 0 characters", "[text][issue8]") {
    user_fixture f;
    then_rejected(f.service.add_machine(admin, {not_utf8, "o1"}), errors::text_invalid);
    then_rejected(f.service.add_human(admin, {not_utf8, "o1", "", false}), errors::text_invalid);
    then_rejected(f.service.set_phone(admin, {not_utf8, "+41710000000", mark_verified{}}), errors::text_invalid);
    CHECK(f.store.head().value == 0);
    // The limit itself counts characters: 200 two-byte characters pass, 201 do not.
    std::string wide;
    for (int i = 0; i < 200; ++i) wide += "\xC3\xA9";
    CHECK(f.service.add_machine(admin, {wide, "o1"}).ok());
    then_rejected(f.service.set_phone(admin, {wide + "\xC3\xA9", "+41710000000", mark_verified{}}),
                  errors::user_id_too_long);
}

TEST_CASE("defect 8.9: an id with NUL is rejected by every command and names nobody's stream", "[text][issue8]") {
    user_fixture f;
    f.given("victim", "o1", {human_added{}, phone_changed{stored_phone("+41710000000")}});
    const auto before = f.store.head();

    then_rejected(f.service.update_human_phone(admin, {nul_id, "o1", "+41 71 000 00 01", true}), errors::text_invalid);
    then_rejected(f.service.set_phone(admin, {nul_id, "+41710000001", mark_verified{}}), errors::text_invalid);
    then_rejected(f.service.verify_human_phone(admin, {nul_id, "o1", "ABCDEF"}), errors::text_invalid);
    then_rejected(f.service.verify_phone(admin, {nul_id, "ABCDEF"}), errors::text_invalid);
    then_rejected(f.service.resend_human_phone_verification(admin, {nul_id, "o1"}), errors::text_invalid);
    then_rejected(f.service.resend_phone_code(admin, {nul_id}), errors::text_invalid);
    then_rejected(f.service.remove_human_phone(admin, {nul_id, "o1"}), errors::text_invalid);
    then_rejected(f.service.remove_phone(admin, {nul_id}), errors::text_invalid);
    then_rejected(f.service.phone_code_sent(admin, {nul_id, "o1", "", ""}), errors::text_invalid);
    then_rejected(f.service.add_human(admin, {nul_id, "o1", "", false}), errors::text_invalid);
    then_rejected(f.service.add_machine(admin, {nul_id, "o1"}), errors::text_invalid);
    then_rejected(f.service.remove_user(admin, {nul_id, "o1"}), errors::text_invalid);
    CHECK(f.store.head() == before);

    // Reads name no stream either: not victim's, and no error that could crash a caller.
    CHECK(get_user_events(f.store, f.config.instance_id, nul_id).empty());
    then_rejected(get_user_details(f.store, f.config.instance_id, nul_id), errors::text_invalid);
    CHECK_FALSE(f.service.load(nul_id).user_exists());
}

TEST_CASE("defect 8.9: NUL or invalid UTF-8 in any other field is rejected and names the field", "[text][issue8]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}, phone_changed{stored_phone("+41710000000")}});
    const auto before = f.store.head();
    const std::string nul_org("o1\0x", 4);

    const auto org = f.service.update_human_phone(admin, {"u1", nul_org, "+41 71 000 00 01", true});
    then_rejected(org, errors::text_invalid);
    CHECK(org.err().message.find("orgId") != std::string::npos);
    then_rejected(f.service.update_human_phone(admin, {"u1", "o1", "+41 71 000 00 01\x80", true}), errors::text_invalid);
    then_rejected(f.service.set_phone(admin, {"u1", std::string("+41710000001\0", 13), mark_verified{}}),
                  errors::text_invalid);
    then_rejected(f.service.verify_phone(admin, {"u1", std::string("ABC\0EF", 6)}), errors::text_invalid);
    const auto generator = f.service.phone_code_sent(admin, {"u1", "o1", std::string("gen\0", 4), ""});
    then_rejected(generator, errors::text_invalid);
    CHECK(generator.err().message.find("generatorId") != std::string::npos);
    then_rejected(f.service.phone_code_sent(admin, {"u1", "o1", "", "\xC0\xAF"}), errors::text_invalid);
    then_rejected(f.service.add_human(admin, {"u2", nul_org, "", false}), errors::text_invalid);
    then_rejected(f.service.set_my_phone({"u1", "o1"}, "+41\xFF"), errors::text_invalid);

    // The caller's identity is input too.
    const auto caller_id = f.service.remove_phone({std::string("admin\0", 6), "o1"}, {"u1"});
    then_rejected(caller_id, errors::text_invalid);
    CHECK(caller_id.err().message.find("caller.userId") != std::string::npos);
    CHECK(f.store.head() == before);

    // Direct callers of the normalisers get the same answer.
    const phone_rules rules;
    then_rejected(normalize_phone_v1("+41 71\x80", rules), errors::text_invalid);
    then_rejected(normalize_phone_v2(not_utf8, rules), errors::text_invalid);
}
