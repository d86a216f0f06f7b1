#include "iop/calendar.hpp"

#include "testutil.hpp"

#include <doctest/doctest.h>

#include <random>

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

    TEST_CASE("closures.toml: read in file order, written back the same") {
        ClosureEntry e =
            entry(ClosureAction::add, ymd(2026, 12, 24), ymd(2026, 12, 27), "winter \"break\"");
        e.recorded_by = "jrivera";
        e.recorded_at = "2026-12-01T09:12:00Z";
        ClosureEntry c =
            entry(ClosureAction::cancel, ymd(2026, 12, 27), ymd(2026, 12, 27), "open after all");
        c.recorded_by = "jrivera";
        const std::string text = closures_header() + render_closure(e) + render_closure(c);
        auto back = parse_closures(text, "closures.toml");
        REQUIRE(back.size() == 2);
        CHECK(back[0].action == ClosureAction::add);
        CHECK(back[0].from == ymd(2026, 12, 24));
        CHECK(back[0].to == ymd(2026, 12, 27));
        CHECK(back[0].reason == "winter \"break\"");
        CHECK(back[0].recorded_by == "jrivera");
        CHECK(back[0].recorded_at == "2026-12-01T09:12:00Z");
        CHECK(back[1].action == ClosureAction::cancel);
        CHECK(back[1].recorded_at.empty());
        CHECK(back[1].pos.line > back[0].pos.line);
        CHECK(parse_closures(closures_header(), "closures.toml").empty());
        // `to` defaults to `from`.
        auto one = parse_closures("schema_version = 1\n[[closure]]\naction = \"add\"\n"
                                  "from = 2027-01-18\nreason = \"MLK Day\"\n",
                                  "closures.toml");
        REQUIRE(one.size() == 1);
        CHECK(one[0].to == ymd(2027, 1, 18));
    }

    TEST_CASE("closures.toml: mistakes are DataErrors with FILE:LINE:COL") {
        auto error = [](const std::string& body) {
            return testutil::data_error([&] {
                parse_closures("schema_version = 1\n[[closure]]\n" + body, "closures.toml");
            });
        };
        const std::string ok_tail = "from = 2027-01-18\nreason = \"x\"\n";
        SUBCASE("an unknown key") {
            auto e = error("action = \"add\"\n" + ok_tail + "reson = \"y\"\n");
            REQUIRE(e);
            CHECK(e->file() == "closures.toml");
            CHECK(e->pos().line == 6);
            CHECK(e->code() == exit_data);
        }
        SUBCASE("an unknown action") {
            auto e = error("action = \"remove\"\n" + ok_tail);
            REQUIRE(e);
            CHECK(e->pos().line == 3);
            CHECK(e->detail() == "'[[closure]].action' is 'remove', must be add or cancel");
        }
        SUBCASE("a wrong type") {
            auto e = error("action = \"add\"\nfrom = \"2027-01-18\"\nreason = \"x\"\n");
            REQUIRE(e);
            CHECK(e->pos().line == 4);
        }
        SUBCASE("to before from") {
            auto e = error("action = \"add\"\n" + ok_tail + "to = 2027-01-17\n");
            REQUIRE(e);
            CHECK(e->pos().line == 6);
            CHECK(e->detail() == "'[[closure]].to' 2027-01-17 is before 'from' 2027-01-18");
        }
        SUBCASE("an implausible date") {
            auto e = error("action = \"add\"\nfrom = 1066-10-14\nreason = \"x\"\n");
            REQUIRE(e);
            CHECK(e->pos().line == 4);
        }
        SUBCASE("a reason missing, empty or breaking the free-text rule") {
            auto missing = error("action = \"add\"\nfrom = 2027-01-18\n");
            REQUIRE(missing);
            CHECK(missing->pos().line == 2);
            auto empty = error("action = \"add\"\nfrom = 2027-01-18\nreason = \"\"\n");
            REQUIRE(empty);
            CHECK(empty->pos().line == 5);
            auto control =
                error("action = \"add\"\nfrom = 2027-01-18\nreason = \"a\\u001b[31m\"\n");
            REQUIRE(control);
            CHECK(control->pos().line == 5);
        }
        SUBCASE("no schema_version, or a newer one") {
            CHECK(testutil::data_error([] { parse_closures("", "closures.toml"); }));
            CHECK(testutil::data_error(
                [] { parse_closures("schema_version = 2\n", "closures.toml"); }));
        }
        SUBCASE("a syntax error") {
            auto e = testutil::data_error(
                [] { parse_closures("schema_version = 1\n[[closure]\n", "closures.toml"); });
            REQUIRE(e);
            CHECK(e->pos().line == 2);
        }
    }

    TEST_CASE("the counts and any_closed agree with a day-by-day walk, for random closures") {
        // What the engine asks of every week is computed without a calendar
        // date per day and by binary search: check both against the plain
        // definition over closures that overlap, cancel and adjoin.
        std::mt19937 rng(20261201);
        auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
        const Date origin = ymd(2026, 11, 2);
        for (int round = 0; round < 200; ++round) {
            CAPTURE(round);
            Calendar c;
            for (unsigned d = 0; d < 7; ++d) {
                c.program_days[d] = pick(0, 3) > 0;
                c.group_days[d] = c.program_days[d] && pick(0, 2) > 0;
            }
            std::vector<ClosureEntry> entries;
            for (int k = pick(0, 12); k > 0; --k) {
                const Date from = add_days(origin, pick(0, 80));
                entries.push_back(entry(pick(0, 3) ? ClosureAction::add : ClosureAction::cancel,
                                        from, add_days(from, pick(0, 9))));
            }
            c.set_closures(entries);
            for (int w = 0; w < 40; ++w) {
                const Date first = add_days(origin, pick(-10, 95));
                const Date last = add_days(first, pick(-2, 13));
                CAPTURE(format_date(first));
                CAPTURE(format_date(last));
                int program = 0, group = 0, open_program = 0, open_group = 0, closed = 0;
                for (Date d = first; d <= last; d = add_days(d, 1)) {
                    program += c.program_day(d);
                    group += c.group_day(d);
                    open_program += c.open_program_day(d);
                    open_group += c.open_group_day(d);
                    closed += c.closed(d);
                }
                CHECK(c.program_days_in(first, last) == program);
                CHECK(c.group_days_in(first, last) == group);
                CHECK(c.open_program_days_in(first, last) == open_program);
                CHECK(c.open_group_days_in(first, last) == open_group);
                CHECK(c.closed_days_in(first, last) == closed);
                CHECK(c.any_closed(first, last) == (closed > 0));
            }
        }
    }
}
