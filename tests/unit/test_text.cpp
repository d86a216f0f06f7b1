#include "iop/text.hpp"

#include <doctest/doctest.h>

#include <string>

using iop::Lines;

TEST_SUITE_BEGIN("text");

TEST_CASE("free text: what every field may hold") {
    CHECK_FALSE(iop::free_text_problem("Jane Doe", Lines::one));
    CHECK_FALSE(iop::free_text_problem("Zoë 日本語\tcol", Lines::one));
    CHECK_FALSE(iop::free_text_problem("first line\nsecond\nthird", Lines::many));
    // A line break is LF: CR is a control character even where lines are allowed
    // (a CSV cell's CRLF is read as LF before the rule applies).
    CHECK(*iop::free_text_problem("first\r\nsecond", Lines::many) ==
          "holds a control character (\\r)");
    CHECK(*iop::free_text_problem("a\rb", Lines::one) ==
          "holds a line break (\\r); this field is one line");
    CHECK(*iop::free_text_problem("", Lines::one) == "is empty");
    CHECK(*iop::free_text_problem("   \t ", Lines::one) == "holds only spaces");
    CHECK(*iop::free_text_problem(" \n ", Lines::many) == "holds only spaces");
    CHECK(*iop::free_text_problem("a\nb", Lines::one) ==
          "holds a line break (\\n); this field is one line");
    CHECK(*iop::free_text_problem("a\x1b[2Jb", Lines::many) == "holds a control character (\\x1b)");
    CHECK(*iop::free_text_problem("a\x7f", Lines::one) == "holds a control character (\\x7f)");
    CHECK(*iop::free_text_problem("a\xc2\x85", Lines::many) ==
          "holds a control character (\\u{0085})"); // C1 NEL
    CHECK(*iop::free_text_problem("a\xe2\x80\xae", Lines::one) ==
          "holds a control character (\\u{202e})"); // right-to-left override
    CHECK(*iop::free_text_problem("a\xe2\x81\xa6", Lines::one) ==
          "holds a control character (\\u{2066})"); // left-to-right isolate
    CHECK(*iop::free_text_problem("a\xe2\x80\xa8", Lines::many) ==
          "holds a control character (\\u{2028})"); // line separator
    CHECK(*iop::free_text_problem("a\xe2\x80\xa9", Lines::many) ==
          "holds a control character (\\u{2029})"); // paragraph separator
    CHECK(*iop::free_text_problem("a\xff", Lines::one) == "is not valid UTF-8");
    CHECK_FALSE(iop::free_text_problem(std::string(iop::max_text_bytes, 'x'), Lines::one));
    CHECK(*iop::free_text_problem(std::string(iop::max_text_bytes + 1, 'x'), Lines::one) ==
          "is longer than 4096 bytes");
}

TEST_CASE("escaped: nothing forbidden reaches the output raw") {
    CHECK(iop::escaped("Jane Doe") == "Jane Doe");
    CHECK(iop::escaped("Zoë\tx") == "Zoë\tx");
    CHECK(iop::escaped("a\x1b[31mb") == "a\\x1b[31mb");
    CHECK(iop::escaped("a\nb") == "a\\nb");
    CHECK(iop::escaped("a\nb", Lines::many) == "a\nb");
    CHECK(iop::escaped("a\rb", Lines::many) == "a\\rb");
    CHECK(iop::escaped("x\xe2\x80\xaey") == "x\\u{202e}y");
    CHECK(iop::escaped("x\xc2\x9by") == "x\\u{009b}y");
    CHECK(iop::escaped("x\xff\xc3y") == "x\\xff\\xc3y");
}

TEST_CASE("excerpt: short and escaped") {
    CHECK(iop::excerpt("short") == "short");
    CHECK(iop::excerpt(std::string(30'000'000, 'h')) == std::string(40, 'h') + "...");
    CHECK(iop::excerpt("ab\x1b"
                       "cd",
                       3) == "ab\\x1b...");
    CHECK(iop::excerpt("日本語です", 3) == "日本語...");
}

TEST_CASE("parse_plain_decimal: digits and at most so many decimals, nothing else") {
    CHECK(*iop::parse_plain_decimal("1", 2) == 1.0);
    CHECK(*iop::parse_plain_decimal("1.5", 2) == 1.5);
    CHECK(*iop::parse_plain_decimal("0.25", 2) == 0.25);
    CHECK(*iop::parse_plain_decimal("012", 2) == 12.0);
    for (const char* bad : {"", ".5", "1.", "1.234", "0x1p1", "1e-300", "1e2", "-1", "+1", " 1",
                            "1 ", "inf", "nan", "1,5", "1234567890"})
        CHECK_MESSAGE(!iop::parse_plain_decimal(bad, 2), bad);
    CHECK(*iop::parse_plain_decimal("0.001", 3) == 0.001);
}

TEST_SUITE_END();
