#include "iop/calendar.hpp"

#include "testutil.hpp"

#include <doctest/doctest.h>

using namespace iop;
using testutil::ymd;

namespace {

ClosureEntry entry(ClosureAction action, Date from, Date to, std::string reason = "holiday") {
    ClosureEntry e;
    e.action = action;
    e.from = from;
    e.to = to;
    e.reason = std::move(reason);
    return e;
}

} // namespace

TEST_SUITE("calendar") {
    TEST_CASE("weekday names, short and spelled out, any case") {
        CHECK(parse_weekday("mon") == 1u);
        CHECK(parse_weekday("Sunday") == 0u);
        CHECK(parse_weekday("SAT") == 6u);
        CHECK_FALSE(parse_weekday("mo").has_value());
        CHECK_FALSE(parse_weekday("").has_value());
        CHECK(weekday_name(3) == "wed");
    }

    TEST_CASE("dates on the command line: today, yesterday and weekday names, on or before today") {
        Date wed = ymd(2026, 12, 2);
        CHECK(parse_date_word("2026-11-03", wed) == ymd(2026, 11, 3));
        CHECK(parse_date_word("today", wed) == wed);
        CHECK(parse_date_word("TODAY", wed) == wed);
        CHECK(parse_date_word("yesterday", wed) == ymd(2026, 12, 1));
        CHECK(parse_date_word("wed", wed) == wed); // today itself is on or before today
        CHECK(parse_date_word("Monday", wed) == ymd(2026, 11, 30));
        CHECK(parse_date_word("thu", wed) == ymd(2026, 11, 26)); // last week's
        CHECK(parse_date_word("SUN", wed) == ymd(2026, 11, 29));
        CHECK(parse_date_word("fri", ymd(2027, 1, 1)) == ymd(2027, 1, 1));
        CHECK(parse_date_word("sat", ymd(2027, 1, 1)) == ymd(2026, 12, 26)); // across a year
        CHECK_FALSE(parse_date_word("tomorrow", wed).has_value());
        CHECK_FALSE(parse_date_word("mo", wed).has_value());
        CHECK_FALSE(parse_date_word("", wed).has_value());
        CHECK_FALSE(parse_date_word("2026-11-3", wed).has_value());
        CHECK_FALSE(parse_date_word(" today", wed).has_value());
    }

    TEST_CASE("no closures: only weekdays decide") {
        Calendar c;
        // 2026-11-30 is a Monday.
        CHECK(c.open_program_day(ymd(2026, 11, 30)));
        CHECK_FALSE(c.open_program_day(ymd(2026, 12, 5))); // Saturday
        CHECK(c.program_days_in(ymd(2026, 11, 30), ymd(2026, 12, 6)) == 5);
        CHECK(c.open_group_days_in(ymd(2026, 11, 30), ymd(2026, 12, 6)) == 5);
        CHECK(c.program_days_in(ymd(2026, 12, 6), ymd(2026, 11, 30)) == 0);
        CHECK_FALSE(c.any_closed(ymd(1900, 1, 1), ymd(2100, 12, 31)));
        CHECK(c.closed_ranges().empty());
    }

    TEST_CASE("the last entry whose range holds a date decides") {
        Calendar c;
        c.set_closures({
            entry(ClosureAction::add, ymd(2026, 12, 24), ymd(2026, 12, 31), "winter break"),
            entry(ClosureAction::cancel, ymd(2026, 12, 28), ymd(2026, 12, 29), "reopened"),
            entry(ClosureAction::add, ymd(2026, 12, 29), ymd(2026, 12, 29), "snow"),
        });
        CHECK_FALSE(c.closed(ymd(2026, 12, 23)));
        CHECK(c.closed(ymd(2026, 12, 24)));
        CHECK(c.closed(ymd(2026, 12, 27)));
        CHECK_FALSE(c.closed(ymd(2026, 12, 28)));
        CHECK(c.closed(ymd(2026, 12, 29)));
        CHECK(c.closed(ymd(2026, 12, 31)));
        CHECK_FALSE(c.closed(ymd(2027, 1, 1)));
        auto ranges = c.closed_ranges();
        REQUIRE(ranges.size() == 2);
        CHECK(ranges[0].first == ymd(2026, 12, 24));
        CHECK(ranges[0].last == ymd(2026, 12, 27));
        CHECK(ranges[0].reason == "winter break");
        CHECK(ranges[1].first == ymd(2026, 12, 29));
        CHECK(ranges[1].last == ymd(2026, 12, 31));
        CHECK(ranges[1].reason == "snow");
        CHECK(c.closed_days_in(ymd(2026, 12, 21), ymd(2026, 12, 27)) == 4);
        // Mon 21 .. Sun 27: Thu 24 and Fri 25 closed.
        CHECK(c.open_program_days_in(ymd(2026, 12, 21), ymd(2026, 12, 27)) == 3);
    }

    TEST_CASE("a cancel before any add changes nothing; an add after a cancel closes again") {
        Calendar c;
        c.set_closures({entry(ClosureAction::cancel, ymd(2027, 1, 18), ymd(2027, 1, 18)),
                        entry(ClosureAction::add, ymd(2027, 1, 18), ymd(2027, 1, 18))});
        CHECK(c.closed(ymd(2027, 1, 18)));
        c.set_closures({entry(ClosureAction::add, ymd(2027, 1, 18), ymd(2027, 1, 18)),
                        entry(ClosureAction::cancel, ymd(2027, 1, 18), ymd(2027, 1, 18))});
        CHECK_FALSE(c.closed(ymd(2027, 1, 18)));
        CHECK(c.closed_ranges().empty());
    }

    TEST_CASE("group days apart from program days") {
        Calendar c;
        c.group_days = {false, true, false, true, false, true, false}; // mon wed fri
        CHECK(c.group_days_in(ymd(2026, 11, 30), ymd(2026, 12, 6)) == 3);
        CHECK_FALSE(c.open_group_day(ymd(2026, 12, 1))); // Tuesday
        CHECK(c.open_program_day(ymd(2026, 12, 1)));
    }

    TEST_CASE("the last program day before a date, and runs without program days") {
        Calendar c;
        CHECK(c.last_program_day_before(ymd(2026, 11, 30)) == ymd(2026, 11, 27)); // Mon -> Fri
        CHECK(c.last_program_day_before(ymd(2026, 12, 1)) == ymd(2026, 11, 30));
        CHECK(c.longest_non_program_run() == 2);
        c.program_days = {false, true, false, true, false, false, false}; // mon wed
        CHECK(c.longest_non_program_run() == 4);                          // thu fri sat sun
        c.program_days = {};
        CHECK(c.longest_non_program_run() == 7);
        CHECK(c.last_program_day_before(ymd(2026, 12, 1)) == ymd(2026, 11, 30));
    }
}
