// Calendar dates and timestamps (include/iop/date.hpp), and treatment_week.
#include "iop/date.hpp"
#include "iop/record.hpp"
#include "testutil.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono;
using iop::Date;

using testutil::ymd;

namespace {} // namespace

TEST_SUITE_BEGIN("date");

TEST_CASE("parse_date reads strict YYYY-MM-DD") {
    auto d = iop::parse_date("2026-11-02");
    REQUIRE(d.has_value());
    CHECK(*d == ymd(2026, 11, 2));
    CHECK(static_cast<int>(d->year()) == 2026);
    CHECK(static_cast<unsigned>(d->month()) == 11u);
    CHECK(static_cast<unsigned>(d->day()) == 2u);

    CHECK(iop::parse_date("0001-01-01") == std::optional<Date>(ymd(1, 1, 1)));
    CHECK(iop::parse_date("9999-12-31") == std::optional<Date>(ymd(9999, 12, 31)));
    CHECK(iop::parse_date("2024-02-29") == std::optional<Date>(ymd(2024, 2, 29)));
    CHECK(iop::parse_date("2000-02-29") == std::optional<Date>(ymd(2000, 2, 29)));
}

TEST_CASE("parse_date refuses impossible and malformed dates") {
    const std::vector<std::string> bad = {
        "2026-02-30",  // no such day
        "2025-02-29",  // not a leap year
        "1900-02-29",  // century, not a leap year
        "2026-04-31",  // April has 30 days
        "2026-13-01",  // month 13
        "2026-00-10",  // month 0
        "2026-01-00",  // day 0
        "2026-01-32",  // day 32
        "0000-01-01",  // year 0
        "2026-1-1",    // unpadded
        "2026-01-1",   // unpadded day
        "26-01-01",    // two-digit year
        "2026-01-01x", // trailing junk
        "2026-01-01 ", // trailing space
        " 2026-01-01", // leading space
        "2026-01-01T00:00:00Z",
        "2026/01/01",
        "2026_01_01",
        "+026-01-01",
        "-026-01-01",
        "2026-+1-01",
        "2026-0a-01",
        "",
        "today",
        "20260101",
        "12026-01-01",
    };
    for (const auto& text : bad) {
        CAPTURE(text);
        CHECK_FALSE(iop::parse_date(text).has_value());
    }
    // An embedded NUL is not a terminator.
    CHECK_FALSE(iop::parse_date(std::string_view("2026-01-0\0", 10)).has_value());
}

TEST_CASE("format_date pads every field") {
    CHECK(iop::format_date(ymd(2026, 11, 2)) == "2026-11-02");
    CHECK(iop::format_date(ymd(1, 1, 1)) == "0001-01-01");
    CHECK(iop::format_date(ymd(985, 4, 9)) == "0985-04-09");
    CHECK(iop::format_date(ymd(9999, 12, 31)) == "9999-12-31");
}

TEST_CASE("parse and format round-trip") {
    for (const char* text : {"2026-11-02", "0001-01-01", "9999-12-31", "2024-02-29", "1985-04-12",
                             "2026-01-01", "2025-12-31"}) {
        CAPTURE(text);
        auto d = iop::parse_date(text);
        REQUIRE(d.has_value());
        CHECK(iop::format_date(*d) == text);
    }
    // Every day of a leap year and the next: format, parse back, and step by one.
    Date d = ymd(2023, 12, 31);
    for (int i = 0; i < 366 + 365 + 1; ++i) {
        Date next = iop::add_days(d, 1);
        CHECK(iop::days_between(d, next) == 1);
        auto back = iop::parse_date(iop::format_date(next));
        REQUIRE(back.has_value());
        CHECK(*back == next);
        d = next;
    }
    CHECK(d == ymd(2026, 1, 1));
}

TEST_CASE("days_between across month, year and leap boundaries") {
    CHECK(iop::days_between(ymd(2026, 11, 2), ymd(2026, 11, 2)) == 0);
    CHECK(iop::days_between(ymd(2026, 11, 2), ymd(2026, 11, 9)) == 7);
    CHECK(iop::days_between(ymd(2026, 11, 9), ymd(2026, 11, 2)) == -7);
    CHECK(iop::days_between(ymd(2026, 1, 31), ymd(2026, 2, 1)) == 1);
    CHECK(iop::days_between(ymd(2026, 2, 28), ymd(2026, 3, 1)) == 1);
    CHECK(iop::days_between(ymd(2028, 2, 28), ymd(2028, 3, 1)) == 2);
    CHECK(iop::days_between(ymd(2000, 2, 28), ymd(2000, 3, 1)) == 2);
    CHECK(iop::days_between(ymd(1900, 2, 28), ymd(1900, 3, 1)) == 1);
    CHECK(iop::days_between(ymd(2025, 12, 31), ymd(2026, 1, 1)) == 1);
    CHECK(iop::days_between(ymd(2026, 1, 1), ymd(2025, 12, 31)) == -1);
    CHECK(iop::days_between(ymd(2026, 1, 1), ymd(2027, 1, 1)) == 365);
    CHECK(iop::days_between(ymd(2024, 1, 1), ymd(2025, 1, 1)) == 366);
    CHECK(iop::days_between(ymd(1970, 1, 1), ymd(2026, 11, 2)) == 20759);
    CHECK(iop::days_between(ymd(1969, 12, 31), ymd(1970, 1, 1)) == 1);
}

TEST_CASE("add_days across month, year and leap boundaries") {
    CHECK(iop::add_days(ymd(2026, 11, 2), 0) == ymd(2026, 11, 2));
    CHECK(iop::add_days(ymd(2026, 1, 31), 1) == ymd(2026, 2, 1));
    CHECK(iop::add_days(ymd(2026, 1, 31), 30) == ymd(2026, 3, 2));
    CHECK(iop::add_days(ymd(2024, 2, 28), 1) == ymd(2024, 2, 29));
    CHECK(iop::add_days(ymd(2024, 2, 29), 1) == ymd(2024, 3, 1));
    CHECK(iop::add_days(ymd(2026, 2, 28), 1) == ymd(2026, 3, 1));
    CHECK(iop::add_days(ymd(2025, 12, 31), 1) == ymd(2026, 1, 1));
    CHECK(iop::add_days(ymd(2026, 1, 1), -1) == ymd(2025, 12, 31));
    CHECK(iop::add_days(ymd(2024, 3, 1), -1) == ymd(2024, 2, 29));
    CHECK(iop::add_days(ymd(2026, 11, 2), 7 * 12 - 1) == ymd(2027, 1, 24));
    CHECK(iop::add_days(ymd(2024, 1, 1), 366) == ymd(2025, 1, 1));
    // The result is always a valid, normalised date.
    CHECK(iop::add_days(ymd(2026, 1, 31), 29).ok());
    CHECK(iop::add_days(ymd(2026, 1, 31), 29) == ymd(2026, 3, 1));
}

TEST_CASE("age_on counts whole years, turning on the birthday") {
    Date born = ymd(1985, 4, 12);
    CHECK(iop::age_on(born, ymd(2026, 4, 11)) == 40);
    CHECK(iop::age_on(born, ymd(2026, 4, 12)) == 41);
    CHECK(iop::age_on(born, ymd(2026, 4, 13)) == 41);
    CHECK(iop::age_on(born, ymd(2026, 12, 31)) == 41);
    CHECK(iop::age_on(born, ymd(2027, 1, 1)) == 41);
    CHECK(iop::age_on(born, born) == 0);
    CHECK(iop::age_on(born, ymd(1986, 4, 11)) == 0);
    CHECK(iop::age_on(born, ymd(1986, 4, 12)) == 1);

    // The 18th birthday decides adolescence.
    Date teen = ymd(2008, 11, 2);
    CHECK(iop::age_on(teen, ymd(2026, 11, 1)) == 17);
    CHECK(iop::age_on(teen, ymd(2026, 11, 2)) == 18);

    // Born on 29 February: a year older on 1 March in common years.
    Date leapling = ymd(2008, 2, 29);
    CHECK(iop::age_on(leapling, ymd(2026, 2, 28)) == 17);
    CHECK(iop::age_on(leapling, ymd(2026, 3, 1)) == 18);
    CHECK(iop::age_on(leapling, ymd(2028, 2, 29)) == 20);
}

TEST_CASE("treatment_week: week k covers enrolled + 7(k-1) .. enrolled + 7k - 1") {
    Date enrolled = ymd(2026, 11, 2);
    CHECK(iop::treatment_week(enrolled, iop::add_days(enrolled, -1)) == 0);
    CHECK(iop::treatment_week(enrolled, iop::add_days(enrolled, -7)) == 0);
    CHECK(iop::treatment_week(enrolled, iop::add_days(enrolled, -8)) == 0);
    CHECK(iop::treatment_week(enrolled, iop::add_days(enrolled, -365)) == 0);
    CHECK(iop::treatment_week(enrolled, enrolled) == 1);
    CHECK(iop::treatment_week(enrolled, iop::add_days(enrolled, 6)) == 1);
    CHECK(iop::treatment_week(enrolled, iop::add_days(enrolled, 7)) == 2);
    CHECK(iop::treatment_week(enrolled, iop::add_days(enrolled, 13)) == 2);
    CHECK(iop::treatment_week(enrolled, iop::add_days(enrolled, 14)) == 3);
    CHECK(iop::treatment_week(enrolled, iop::add_days(enrolled, 83)) == 12);
    CHECK(iop::treatment_week(enrolled, iop::add_days(enrolled, 84)) == 13);
    // Across a year end: 2026-12-28 is day 56, week 9; 2027-01-04 is day 63, week 10.
    CHECK(iop::treatment_week(enrolled, ymd(2026, 12, 28)) == 9);
    CHECK(iop::treatment_week(enrolled, ymd(2027, 1, 3)) == 9);
    CHECK(iop::treatment_week(enrolled, ymd(2027, 1, 4)) == 10);
}

TEST_CASE("format_timestamp writes UTC with a Z") {
    CHECK(iop::format_timestamp(system_clock::time_point{}) == "1970-01-01T00:00:00Z");
    auto t = sys_days{ymd(2026, 11, 3)} + hours{17} + minutes{2} + seconds{11};
    CHECK(iop::format_timestamp(t) == "2026-11-03T17:02:11Z");
    // Fractions of a second are dropped, never rounded up.
    CHECK(iop::format_timestamp(t + milliseconds{999}) == "2026-11-03T17:02:11Z");
    auto last = sys_days{ymd(2025, 12, 31)} + hours{23} + minutes{59} + seconds{59};
    CHECK(iop::format_timestamp(last) == "2025-12-31T23:59:59Z");
    CHECK(iop::format_timestamp(sys_days{ymd(2024, 2, 29)} + hours{9}) == "2024-02-29T09:00:00Z");
}

TEST_CASE("parse_timestamp reads what format_timestamp writes") {
    auto t = sys_days{ymd(2026, 11, 3)} + hours{17} + minutes{2} + seconds{11};
    auto parsed = iop::parse_timestamp("2026-11-03T17:02:11Z");
    REQUIRE(parsed.has_value());
    CHECK(*parsed == t);
    CHECK(iop::format_timestamp(*parsed) == "2026-11-03T17:02:11Z");

    auto epoch = iop::parse_timestamp("1970-01-01T00:00:00Z");
    REQUIRE(epoch.has_value());
    CHECK(epoch->time_since_epoch().count() == 0);

    auto end = iop::parse_timestamp("2025-12-31T23:59:59Z");
    REQUIRE(end.has_value());
    CHECK(iop::format_timestamp(*end + seconds{1}) == "2026-01-01T00:00:00Z");

    for (const char* bad : {"2026-11-03 17:02:11Z", "2026-11-03T17:02:11",
                            "2026-11-03T17:02:11+01:00", "2026-11-03T17:02:11z",
                            "2026-11-03T24:00:00Z", "2026-11-03T17:60:00Z", "2026-11-03T17:02:61Z",
                            "2026-02-30T00:00:00Z", "2026-11-03T7:02:11Z", "2026-11-03T17:02:11.5Z",
                            "2026-11-03", "", "2026-11-03T17:02:1aZ", "0000-01-01T00:00:00Z"}) {
        CAPTURE(bad);
        CHECK_FALSE(iop::parse_timestamp(bad).has_value());
    }
}

TEST_CASE("date_suggestion tells what to write, never guessing the day/month order") {
    CHECK(iop::date_suggestion("10/20/2025") == "write 2025-10-20");
    CHECK(iop::date_suggestion("20/10/2025") == "write 2025-10-20");
    CHECK(iop::date_suggestion("20.10.2025") == "write 2025-10-20");
    CHECK(iop::date_suggestion("2025/10/20") == "write 2025-10-20");
    CHECK(iop::date_suggestion("2025/1/5") == "write 2025-01-05");
    CHECK(iop::date_suggestion("5/5/2025") == "write 2025-05-05");
    CHECK(iop::date_suggestion("03/04/2025") ==
          "it may be 2025-03-04 (month first) or 2025-04-03 (day first); write the one meant");
    // 02/30 is no date; 30/02 neither: nothing to suggest.
    CHECK_FALSE(iop::date_suggestion("02/30/2025"));
    CHECK_FALSE(iop::date_suggestion("31/11/2026"));
    // Not three numbers with a four-digit year, or two separators.
    for (const char* text : {"10/20/25", "10/20-2025", "Oct 20 2025", "10//2025", "1/2/3/2025",
                             "2025-10-20x", "", "10/20/20250", "10/20/1492"})
        CHECK_FALSE(iop::date_suggestion(text));
}

TEST_SUITE_END();
