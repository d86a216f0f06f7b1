// The units an authorization needs to the planned end (units_needed, `iop
// report authorizations`, SPEC section 13): sessions and hours pro rata at
// the plan's weekly rate, days as the open program days, rounded up; none
// for an empty span.
#include "iop/authorization.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <chrono>

namespace {

iop::Date ymd(int y, unsigned m, unsigned d) {
    return iop::Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

iop::Authorization auth(iop::Date from, iop::Date to, iop::AuthUnit unit) {
    iop::Authorization a;
    a.payer = "Acme";
    a.number = "A-1";
    a.from = from;
    a.to = to;
    a.units = 100;
    a.unit = unit;
    return a;
}

} // namespace

TEST_SUITE_BEGIN("authorization_report");

TEST_CASE("units_needed: sessions, hours and days to the earlier of the planned end and to") {
    const iop::Program program = iop::default_program(); // 3 h groups, 1 h the others
    const iop::Plan plan{12, 3, 1, 1};
    const iop::Date today = ymd(2026, 11, 10); // a Tuesday
    const iop::Date planned_end = ymd(2027, 1, 24);
    // 2026-11-11..2026-11-30: 20 days at 5 sessions a week = 14.29 -> 15.
    CHECK(iop::units_needed(program, plan,
                            auth(ymd(2026, 11, 2), ymd(2026, 11, 30), iop::AuthUnit::session),
                            planned_end, today) == 15);
    // 2026-11-11..2026-11-20: 10 days at 11 hours a week = 15.71 -> 16.
    CHECK(iop::units_needed(program, plan,
                            auth(ymd(2026, 11, 1), ymd(2026, 11, 20), iop::AuthUnit::hour),
                            planned_end, today) == 16);
    // Wednesday to Friday: 3 program days.
    CHECK(iop::units_needed(program, plan,
                            auth(ymd(2026, 11, 9), ymd(2026, 11, 13), iop::AuthUnit::day),
                            planned_end, today) == 3);
    // Starting later: from its first day; ending after the planned end: to it.
    // 2026-12-01..2027-01-24: 55 days = 39.29 -> 40.
    CHECK(iop::units_needed(program, plan,
                            auth(ymd(2026, 12, 1), ymd(2027, 1, 31), iop::AuthUnit::session),
                            planned_end, today) == 40);
    // Exactly whole weeks need exactly the weekly rate: 14 days = 10 sessions.
    CHECK(iop::units_needed(program, plan,
                            auth(ymd(2026, 11, 2), ymd(2026, 11, 24), iop::AuthUnit::session),
                            planned_end, today) == 10);
    // Ending today, or the planned end already past: nothing.
    CHECK(iop::units_needed(program, plan, auth(ymd(2026, 11, 2), today, iop::AuthUnit::session),
                            planned_end, today) == 0);
    CHECK(iop::units_needed(program, plan,
                            auth(ymd(2026, 11, 2), ymd(2026, 11, 30), iop::AuthUnit::session),
                            ymd(2026, 11, 10), today) == 0);
    // A plan of no sessions needs none.
    CHECK(iop::units_needed(program, iop::Plan{12, 0, 0, 0},
                            auth(ymd(2026, 11, 2), ymd(2026, 11, 30), iop::AuthUnit::hour),
                            planned_end, today) == 0);
}

TEST_CASE("overlapping_authorization: same payer, a shared day") {
    iop::Record rec;
    rec.journal.push_back(auth(ymd(2026, 11, 1), ymd(2026, 11, 30), iop::AuthUnit::session));
    iop::Authorization next = auth(ymd(2026, 12, 1), ymd(2026, 12, 31), iop::AuthUnit::session);
    CHECK(iop::overlapping_authorization(rec, next) == nullptr);
    next.from = ymd(2026, 11, 30);
    CHECK(iop::overlapping_authorization(rec, next) ==
          &std::get<iop::Authorization>(rec.journal[0]));
    next.payer = "Other";
    CHECK(iop::overlapping_authorization(rec, next) == nullptr);
    // One payer however it is typed: iop auth add, import and the FHIR
    // Coverage all ask same_payer.
    next.payer = std::get<iop::Authorization>(rec.journal[0]).payer;
    for (char& c : next.payer)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(next.payer != std::get<iop::Authorization>(rec.journal[0]).payer);
    CHECK(iop::same_payer(next.payer, std::get<iop::Authorization>(rec.journal[0]).payer));
    CHECK(iop::overlapping_authorization(rec, next) ==
          &std::get<iop::Authorization>(rec.journal[0]));
    CHECK_FALSE(iop::same_payer("Acme", "Acme Health"));
    // The same authorization whatever day it was recorded.
    iop::Authorization again = std::get<iop::Authorization>(rec.journal[0]);
    again.date = ymd(2026, 12, 5);
    again.recorded_by = "x";
    CHECK(iop::same_authorization(again, std::get<iop::Authorization>(rec.journal[0])));
    again.units = 13;
    CHECK_FALSE(iop::same_authorization(again, std::get<iop::Authorization>(rec.journal[0])));
}

TEST_SUITE_END();
