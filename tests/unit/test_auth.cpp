// SPEC section 13, authorizations: authorization_usage (units per session,
// per day and per hour; the first-started covering authorization) and the
// rules auth-missing, auth-units and auth-expiring.
#include "iop/authorization.hpp"
#include "iop/engine.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace iop;

namespace {

Date d(const char* s) {
    return *parse_date(s);
}

// P-1, insured, enrolled Monday 2026-11-02 for 12 weeks: planned end
// 2027-01-24.
Record insured(const char* insurance = "Acme Health") {
    Record r;
    r.file = "patients/P-1.toml";
    r.header.id = "P-1";
    r.header.name = "Test";
    r.header.enrolled = d("2026-11-02");
    r.header.insurance = insurance;
    r.header.plan = Plan{12, 2, 1, 0};
    return r;
}

Session attended(const char* date, double hours = 3.0,
                 SessionStatus status = SessionStatus::attended) {
    Session s;
    s.date = d(date);
    s.kind = SessionKind::group;
    s.topic = "illness";
    s.hours = hours;
    s.status = status;
    return s;
}

Authorization auth(const char* number, const char* from, const char* to, int units,
                   AuthUnit unit = AuthUnit::session, const char* payer = "Acme Health") {
    Authorization a;
    a.date = d("2026-11-02");
    a.payer = payer;
    a.number = number;
    a.from = d(from);
    a.to = d(to);
    a.units = units;
    a.unit = unit;
    return a;
}

const AuthorizationUse& use(const AuthorizationUsage& u, const char* number) {
    auto it = std::find_if(u.authorizations.begin(), u.authorizations.end(),
                           [&](const AuthorizationUse& x) { return x.auth.number == number; });
    REQUIRE(it != u.authorizations.end());
    return *it;
}

std::vector<Finding> of_rule(const Assessment& a, const char* rule) {
    std::vector<Finding> out;
    for (const Finding& f : a.findings)
        if (f.rule == rule)
            out.push_back(f);
    return out;
}

// Sessions 11-03 (3 h), 11-04 (3 h), 11-04 (1 h), 11-05 (1.5 h) and an
// absent one on 11-06: 4 sessions, 3 distinct days, 8.5 hours.
void four_sessions(Record& r) {
    r.journal.push_back(attended("2026-11-03"));
    r.journal.push_back(attended("2026-11-04"));
    r.journal.push_back(attended("2026-11-04", 1.0));
    r.journal.push_back(attended("2026-11-05", 1.5));
    r.journal.push_back(attended("2026-11-06", 3.0, SessionStatus::absent));
}

} // namespace

TEST_SUITE_BEGIN("authorization");

TEST_CASE("authorization_usage counts sessions, distinct days or hours") {
    Record r = insured();
    four_sessions(r);
    r.journal.push_back(auth("S", "2026-11-02", "2026-11-29", 12, AuthUnit::session, "S"));
    r.journal.push_back(auth("D", "2026-11-02", "2026-11-29", 10, AuthUnit::day, "D"));
    r.journal.push_back(auth("H", "2026-11-02", "2026-11-29", 40, AuthUnit::hour, "H"));
    // Each payer's authorization alone: the first-started rule would give
    // every session to S, so each is folded on its own.
    for (const char* n : {"S", "D", "H"}) {
        Record one = r;
        one.journal.erase(std::remove_if(one.journal.begin(), one.journal.end(),
                                         [&](const Entry& e) {
                                             const auto* a = std::get_if<Authorization>(&e);
                                             return a && a->number != n;
                                         }),
                          one.journal.end());
        const AuthorizationUsage u = authorization_usage(one);
        REQUIRE(u.authorizations.size() == 1);
        CHECK(u.uncovered.empty());
        const AuthorizationUse& x = u.authorizations[0];
        CHECK(x.sessions == 4);
        CHECK_FALSE(x.over_on);
        if (std::string(n) == "S") {
            CHECK(x.used == 4);
            CHECK(x.left() == 8);
        } else if (std::string(n) == "D") {
            CHECK(x.used == 3); // two sessions on 11-04 are one day
            CHECK(x.left() == 7);
        } else {
            CHECK(x.used == doctest::Approx(8.5));
            CHECK(x.left() == doctest::Approx(31.5));
        }
    }
    // `through` leaves out what comes later.
    Record one = insured();
    four_sessions(one);
    one.journal.push_back(auth("S", "2026-11-02", "2026-11-29", 12));
    CHECK(authorization_usage(one, d("2026-11-04")).authorizations[0].used == 3);
    CHECK(authorization_usage(one, d("2026-11-01")).authorizations.empty()); // entered 11-02
}

TEST_CASE("a session counts against the covering authorization that started first") {
    Record r = insured();
    four_sessions(r);
    r.journal.push_back(auth("B", "2026-11-04", "2026-11-30", 10, AuthUnit::session, "Beta"));
    r.journal.push_back(auth("A", "2026-11-02", "2026-11-04", 2));
    const AuthorizationUsage u = authorization_usage(r);
    CHECK(u.authorizations[0].auth.number == "B"); // file order
    CHECK(use(u, "A").used == 3);                  // 11-03 and both of 11-04
    CHECK(use(u, "A").over_on == d("2026-11-04")); // the third session: past 2
    CHECK(use(u, "B").used == 1);                  // 11-05
    CHECK_FALSE(use(u, "B").over_on);
    CHECK(u.covering(d("2026-11-04"))->auth.number == "A");
    CHECK(u.covering(d("2026-11-05"))->auth.number == "B");
    CHECK(u.covering(d("2026-12-01")) == nullptr);
}

TEST_CASE("on a tie of start dates, file order decides") {
    Record r = insured();
    r.journal.push_back(attended("2026-11-03"));
    r.journal.push_back(auth("first", "2026-11-02", "2026-11-20", 5, AuthUnit::session, "X"));
    r.journal.push_back(auth("second", "2026-11-02", "2026-11-29", 5, AuthUnit::session, "Y"));
    const AuthorizationUsage u = authorization_usage(r);
    CHECK(use(u, "first").used == 1);
    CHECK(use(u, "second").used == 0);
}

TEST_CASE("auth-missing: one finding naming the first uncovered session and the count") {
    Program p = default_program();
    Record r = insured();
    four_sessions(r);
    r.journal.push_back(auth("A", "2026-11-05", "2026-11-30", 10));
    Assessment a = assess(p, r, d("2026-11-10"));
    auto f = of_rule(a, "auth-missing");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::error);
    CHECK(f[0].message ==
          "session of 2026-11-03 is not covered by an authorization (3 uncovered sessions)");
    CHECK(f[0].arose == d("2026-11-03"));
    CHECK(a.uncovered_sessions == 3);
    // One uncovered session: no count.
    Record one = insured();
    one.journal.push_back(attended("2026-11-03"));
    f = of_rule(assess(p, one, d("2026-11-10")), "auth-missing");
    REQUIRE(f.size() == 1);
    CHECK(f[0].message == "session of 2026-11-03 is not covered by an authorization");
    // insured: no insurance, no finding; always: every patient; never: none.
    Record uninsured = insured("");
    uninsured.journal.push_back(attended("2026-11-03"));
    CHECK(of_rule(assess(p, uninsured, d("2026-11-10")), "auth-missing").empty());
    CHECK_FALSE(assess(p, uninsured, d("2026-11-10")).uncovered_sessions);
    p.authorization_required = Program::Need::always;
    CHECK(of_rule(assess(p, uninsured, d("2026-11-10")), "auth-missing").size() == 1);
    p.authorization_required = Program::Need::never;
    CHECK(of_rule(assess(p, one, d("2026-11-10")), "auth-missing").empty());
    CHECK_FALSE(assess(p, one, d("2026-11-10")).uncovered_sessions);
}

TEST_CASE("auth-units: an authorization whose services exceed its units") {
    Program p = default_program();
    Record r = insured();
    four_sessions(r);
    r.journal.push_back(auth("A", "2026-11-02", "2026-11-29", 3, AuthUnit::day));
    CHECK(of_rule(assess(p, r, d("2026-11-10")), "auth-units").empty()); // 3 days of 3
    r.journal.push_back(attended("2026-11-09"));
    auto f = of_rule(assess(p, r, d("2026-11-10")), "auth-units");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::error);
    CHECK(f[0].message == "authorization A (2026-11-02 to 2026-11-29) used 4 of its 3 days");
    CHECK(f[0].arose == d("2026-11-09"));
}

TEST_CASE("auth-expiring: ends within warn_days, nothing follows, the plan goes on") {
    Program p = default_program(); // warn_days 7
    Record r = insured();
    r.journal.push_back(auth("A", "2026-11-02", "2026-11-20", 30));
    // 8 days before the end: not yet.
    CHECK(of_rule(assess(p, r, d("2026-11-12")), "auth-expiring").empty());
    auto f = of_rule(assess(p, r, d("2026-11-14")), "auth-expiring");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::warning);
    CHECK(f[0].message == "authorization A ends on 2026-11-20 (in 6 days) and none covers "
                          "2026-11-21; planned end 2027-01-24");
    CHECK(f[0].arose == d("2026-11-13")); // warn_days before its end
    f = of_rule(assess(p, r, d("2026-11-20")), "auth-expiring");
    REQUIRE(f.size() == 1);
    CHECK(f[0].message.find("(today)") != std::string::npos);
    // After its end nothing covers today: auth-expiring is no more.
    CHECK(of_rule(assess(p, r, d("2026-11-21")), "auth-expiring").empty());
    // An authorization (of any payer) covering the day after: none.
    Record next = r;
    next.journal.push_back(auth("B", "2026-11-21", "2026-12-31", 30, AuthUnit::session, "B"));
    CHECK(of_rule(assess(p, next, d("2026-11-14")), "auth-expiring").empty());
    // A planned end on or before its end: none.
    Record short_plan = r;
    short_plan.header.plan = Plan{3, 2, 1, 0}; // planned end 2026-11-22
    short_plan.journal.back() = auth("A", "2026-11-02", "2026-11-22", 30);
    CHECK(of_rule(assess(p, short_plan, d("2026-11-16")), "auth-expiring").empty());
    // Not required of this patient: none.
    p.authorization_required = Program::Need::never;
    CHECK(of_rule(assess(p, r, d("2026-11-14")), "auth-expiring").empty());
}

TEST_SUITE_END();
