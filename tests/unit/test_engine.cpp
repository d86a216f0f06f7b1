// The plan engine, rule by rule, on records built in memory (SPEC section 5,
// docs/rules.md). Enrollment is Monday 2026-11-02; day(n) is n days later.
#include "iop/engine.hpp"
#include "iop/program.hpp"
#include "iop/record.hpp"
#include "testutil.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

using namespace iop;

using testutil::ymd;

namespace {

const Date enrolled = ymd(2026, 11, 2);
Date day(int n) {
    return add_days(enrolled, n);
}

// What one treatment week holds: groups on days 0, 2, 4, 5, 6 of the week (as
// many as asked), the individual session(s) on day 1, family on day 3, the
// screen(s) on day 1.
struct WeekSpec {
    int groups = 3;
    int individual = 1;
    int family = 1;
    int screens = 1;
    double group_hours = 3.0;
};

struct Builder {
    Record r;
    std::vector<std::string> topics{"illness"};
    std::size_t next_topic = 0;

    explicit Builder(Plan plan = Plan{}) {
        r.file = "patients/P-0001.toml";
        r.header.id = "P-0001";
        r.header.name = "Jane Doe";
        r.header.diagnosis = "Alcohol use disorder, moderate";
        r.header.enrolled = enrolled;
        r.header.plan = plan;
    }

    Builder& session(int d, SessionKind kind, double hours, SessionStatus status,
                     std::string topic) {
        Session s;
        s.date = day(d);
        s.kind = kind;
        s.hours = hours;
        s.status = status;
        s.topic = std::move(topic);
        s.recorded_by = "tester";
        r.journal.emplace_back(s);
        return *this;
    }
    std::string topic() {
        std::string t = topics[next_topic % topics.size()];
        ++next_topic;
        return t;
    }
    Builder& group(int d, double hours = 3.0, SessionStatus st = SessionStatus::attended) {
        return session(d, SessionKind::group, hours, st, topic());
    }
    Builder& group_on(int d, std::string t, SessionStatus st = SessionStatus::attended) {
        return session(d, SessionKind::group, 3.0, st, std::move(t));
    }
    Builder& individual(int d, double hours = 1.0, SessionStatus st = SessionStatus::attended) {
        return session(d, SessionKind::individual, hours, st, "");
    }
    Builder& family(int d, double hours = 1.0, SessionStatus st = SessionStatus::attended) {
        return session(d, SessionKind::family, hours, st, "");
    }
    Builder& screen(int d, ScreenResult result = ScreenResult::negative) {
        Screen s;
        s.date = day(d);
        s.result = result;
        r.journal.emplace_back(s);
        return *this;
    }
    Builder& med(int d, MedAction action, std::string name,
                 std::optional<int> review_days = std::nullopt) {
        Medication m;
        m.date = day(d);
        m.action = action;
        m.name = std::move(name);
        m.review_days = review_days;
        r.journal.emplace_back(m);
        return *this;
    }
    Builder& event(int d, EventType type) {
        Event e;
        e.date = day(d);
        e.type = type;
        if (type == EventType::discharged)
            e.reason = "lost-contact";
        r.journal.emplace_back(e);
        return *this;
    }
    Builder& plan_change(int d, PlanChange change) {
        Event e;
        e.date = day(d);
        e.type = EventType::plan_change;
        e.plan = change;
        r.journal.emplace_back(e);
        return *this;
    }
    // The treatment plan (SPEC section 12). Goal and objective texts never
    // reach a finding's message: the tests below check that they do not.
    Builder& goal(int d, std::string ref, GoalAction action = GoalAction::add) {
        Goal g;
        g.date = day(d);
        g.ref = std::move(ref);
        g.action = action;
        if (action == GoalAction::add) {
            g.problem = "Drinks daily to cope with work stress";
            g.goal = "Stay sober";
        } else if (action == GoalAction::revise) {
            g.goal = "Stay sober and keep my job";
        }
        r.journal.emplace_back(g);
        return *this;
    }
    Builder& objective(int d, std::string ref, int target) {
        Objective o;
        o.date = day(d);
        o.ref = std::move(ref);
        o.text = "Name 3 triggers and 3 responses";
        o.target = day(target);
        o.interventions = std::vector<std::string>{"relapse-prevention group"};
        r.journal.emplace_back(o);
        return *this;
    }
    Builder& objective_status(int d, std::string ref, ObjectiveAction action) {
        Objective o;
        o.date = day(d);
        o.ref = std::move(ref);
        o.action = action;
        r.journal.emplace_back(o);
        return *this;
    }
    Builder& revise_target(int d, std::string ref, int target) {
        Objective o;
        o.date = day(d);
        o.ref = std::move(ref);
        o.action = ObjectiveAction::revise;
        o.target = day(target);
        r.journal.emplace_back(o);
        return *this;
    }
    Builder& sign(int d, SignRole role, bool declined = false) {
        Event e;
        e.date = day(d);
        e.type = EventType::signature;
        e.role = role;
        e.plan_version = 1;
        e.declined = declined;
        if (declined)
            e.reason = "does not agree with the plan";
        r.journal.emplace_back(e);
        return *this;
    }
    // An individual session on day d that addressed the objectives `refs`.
    Builder& address(int d, std::vector<std::string> refs,
                     SessionStatus st = SessionStatus::attended) {
        individual(d, 1.0, st);
        std::get<Session>(r.journal.back()).objectives = std::move(refs);
        return *this;
    }
    // Goal G1 with objective G1.1 (target day `target`), signed by patient
    // and clinician, all on day d.
    Builder& signed_plan(int d, int target) {
        return goal(d, "G1")
            .objective(d, "G1.1", target)
            .sign(d, SignRole::patient)
            .sign(d, SignRole::clinician);
    }
    // An ASAM assessment (SPEC section 13) on day d: every dimension rated 1
    // unless `ratings` says otherwise, recommending `level` (none: no level).
    Builder& asam(int d, std::array<int, 6> ratings = {1, 1, 1, 1, 1, 1}, std::string level = "") {
        AsamAssessment a;
        a.date = day(d);
        a.ratings = ratings;
        a.level = std::move(level);
        r.journal.emplace_back(a);
        return *this;
    }
    Builder& aftercare(int d, std::string sponsor = "Sam") {
        Event e;
        e.date = day(d);
        e.type = EventType::aftercare;
        e.sponsor = std::move(sponsor);
        e.groups = {"AA Tuesday"};
        r.journal.emplace_back(e);
        return *this;
    }
    // Treatment week k (1-based) as described by spec.
    Builder& week(int k, WeekSpec spec = {}) {
        const int base = 7 * (k - 1);
        const int group_days[] = {0, 2, 4, 5, 6};
        for (int i = 0; i < spec.groups && i < 5; ++i)
            group(base + group_days[i], spec.group_hours);
        for (int i = 0; i < spec.individual; ++i)
            individual(base + 1);
        for (int i = 0; i < spec.family; ++i)
            family(base + 3);
        for (int i = 0; i < spec.screens; ++i)
            screen(base + 1);
        return *this;
    }
    // The last entry was recorded (recorded_at, as a local date) on day(d).
    Builder& recorded(int d) {
        meta(r.journal.back()).recorded_on = day(d);
        return *this;
    }
    Builder& weeks(int from, int to, WeekSpec spec = {}) {
        for (int k = from; k <= to; ++k)
            week(k, spec);
        return *this;
    }
};

std::vector<Finding> findings(const Assessment& a, std::string_view rule) {
    std::vector<Finding> out;
    for (const auto& f : a.findings)
        if (f.rule == rule)
            out.push_back(f);
    return out;
}

std::vector<Finding> findings(const Assessment& a, std::string_view rule, Severity s) {
    std::vector<Finding> out;
    for (const auto& f : findings(a, rule))
        if (f.severity == s)
            out.push_back(f);
    return out;
}

const Criterion& criterion(const Assessment& a, std::string_view id) {
    auto it = std::find_if(a.criteria.begin(), a.criteria.end(),
                           [&](const Criterion& c) { return c.id == id; });
    REQUIRE(it != a.criteria.end());
    return *it;
}

Assessment run(const Builder& b, int today, const Program& p = default_program()) {
    return assess(p, b.r, day(today));
}

// The core topics of the default curriculum, one entry per session needed (13).
const std::vector<std::string> all_core = {"illness",
                                           "illness",
                                           "early-recovery",
                                           "early-recovery",
                                           "shame-guilt",
                                           "relationships",
                                           "relationships",
                                           "stress",
                                           "stress",
                                           "relapse-prevention",
                                           "relapse-prevention",
                                           "relapse-prevention",
                                           "mutual-help"};

} // namespace

TEST_SUITE_BEGIN("engine");

TEST_CASE("severity names and rule ids") {
    CHECK(to_string(Severity::warning) == "warning");
    CHECK(to_string(Severity::error) == "error");
    CHECK(parse_severity("warning") == Severity::warning);
    CHECK(parse_severity("error") == Severity::error);
    CHECK_FALSE(parse_severity("Error").has_value());
    CHECK_FALSE(parse_severity("").has_value());
    const auto& ids = rule_ids();
    REQUIRE(ids.size() == 25);
    CHECK(ids.front() == "group-frequency");
    CHECK(ids[4] == "contact-gap");
    CHECK(ids[7] == "screen-pending");
    CHECK(ids[12] == "overdue");
    // SPEC section 12's rules follow section 5's, in the order of its table.
    CHECK(ids[13] == "plan-goals");
    CHECK(ids[14] == "plan-unsigned");
    CHECK(ids[15] == "objective-due");
    CHECK(ids[16] == "objective-unaddressed");
    // SPEC section 13's rules follow section 12's, in the order of its text.
    CHECK(ids[17] == "asam-reassess");
    CHECK(ids[18] == "asam-unaddressed");
    CHECK(ids[19] == "level-of-care");
    CHECK(ids[20] == "auth-missing");
    CHECK(ids[21] == "auth-units");
    CHECK(ids[22] == "auth-expiring");
    CHECK(ids[23] == "certification");
    CHECK(ids.back() == "record-invalid");
}

TEST_CASE("treatment weeks count from enrollment") {
    Builder b;
    SUBCASE("before enrollment: week 0, nothing to judge") {
        auto a = run(b, -1);
        CHECK(a.week == 0);
        CHECK(a.weeks.empty());
        CHECK(a.complete_weeks == 0);
        CHECK(a.findings.empty());
    }
    SUBCASE("enrollment day is day 1 of week 1, not complete") {
        auto a = run(b, 0);
        CHECK(a.week == 1);
        REQUIRE(a.weeks.size() == 1);
        CHECK(a.weeks[0].first == enrolled);
        CHECK(a.weeks[0].last == day(6));
        CHECK_FALSE(a.weeks[0].complete);
        CHECK(a.complete_weeks == 0);
    }
    SUBCASE("the last day of week 1 is still week 1, and week 1 is not complete yet") {
        auto a = run(b, 6);
        CHECK(a.week == 1);
        CHECK(a.complete_weeks == 0);
    }
    SUBCASE("the first day of week 2 completes week 1") {
        auto a = run(b, 7);
        CHECK(a.week == 2);
        REQUIRE(a.weeks.size() == 2);
        CHECK(a.weeks[0].complete);
        CHECK_FALSE(a.weeks[1].complete);
        CHECK(a.weeks[1].first == day(7));
        CHECK(a.weeks[1].last == day(13));
        CHECK(a.complete_weeks == 1);
    }
    SUBCASE("planned end and plan in force") {
        auto a = run(b, 10);
        CHECK(a.judged_on == day(10));
        CHECK(a.weeks_planned == 12);
        CHECK(a.planned_end == ymd(2027, 1, 24));
        CHECK(a.plan.groups_per_week == 3);
        CHECK(a.status == Status::active);
        CHECK_FALSE(a.ended.has_value());
    }
}

TEST_CASE("sessions are counted in the week of their date") {
    Builder b;
    b.group(6).group(7).individual(7).family(13, 1.0, SessionStatus::absent).screen(13);
    auto a = run(b, 14);
    REQUIRE(a.weeks.size() == 3);
    CHECK(a.weeks[0].groups == 1);
    CHECK(a.weeks[0].hours == doctest::Approx(3.0));
    CHECK(a.weeks[1].groups == 1);
    CHECK(a.weeks[1].individual == 1);
    CHECK(a.weeks[1].family == 0);
    CHECK(a.weeks[1].absent == 1);
    CHECK(a.weeks[1].screens == 1);
    CHECK(a.weeks[1].hours == doctest::Approx(4.0));
}

TEST_CASE("group-frequency: a complete week below the plan is an error") {
    SUBCASE("exactly the planned count") {
        Builder b;
        b.week(1);
        CHECK(findings(run(b, 7), "group-frequency").empty());
    }
    SUBCASE("one fewer") {
        Builder b;
        b.week(1, {.groups = 2});
        auto f = findings(run(b, 7), "group-frequency");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::error);
        CHECK(f[0].week == 1);
        CHECK(f[0].message == "week 1 had 2 group sessions, plan is 3");
    }
    SUBCASE("singular and zero") {
        Builder b;
        b.week(1, {.groups = 1}).week(2, {.groups = 0});
        auto f = findings(run(b, 14), "group-frequency");
        REQUIRE(f.size() == 2);
        CHECK(f[0].message == "week 1 had 1 group session, plan is 3");
        CHECK(f[1].message == "week 2 had 0 group sessions, plan is 3");
        CHECK(f[1].week == 2);
    }
    SUBCASE("the current week is only at risk") {
        Builder b;
        b.week(1);
        CHECK(findings(run(b, 13), "group-frequency").empty());
        CHECK(findings(run(b, 14), "group-frequency").size() == 1);
    }
    SUBCASE("absent sessions do not count") {
        Builder b;
        b.week(1, {.groups = 2}).group(6, 3.0, SessionStatus::absent);
        auto a = run(b, 7);
        CHECK(a.weeks[0].groups == 2);
        CHECK(a.weeks[0].absent == 1);
        CHECK(findings(a, "group-frequency").size() == 1);
    }
}

TEST_CASE("hours-per-week: minimum for complete weeks") {
    // 3 + 3 + x group hours, 1 individual hour, 1 family hour.
    auto week_with_last_group = [](double x) {
        Builder b;
        b.group(0).group(2).group(4, x).individual(1).family(3).screen(1);
        return b;
    };
    SUBCASE("9.0 hours meets the adult minimum") {
        auto a = run(week_with_last_group(1.0), 7);
        CHECK(a.weeks[0].hours == doctest::Approx(9.0));
        CHECK(findings(a, "hours-per-week").empty());
    }
    SUBCASE("8.5 hours is an error") {
        auto f = findings(run(week_with_last_group(0.5), 7), "hours-per-week");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::error);
        CHECK(f[0].week == 1);
        CHECK(f[0].message == "week 1 had 8.5 hours, adult minimum is 9");
    }
    SUBCASE("decimal rounding does not make 9 hours fall short") {
        Builder b;
        b.group(0, 2.8).group(2, 5.6).group(4, 0.6); // sums to 8.999999999999998 in doubles
        auto a = run(b, 7);
        CHECK(a.weeks[0].hours < 9.0);
        CHECK(findings(a, "hours-per-week").empty());
    }
    SUBCASE("adult at 6 hours: error; adolescent at 6 hours: none") {
        Builder adult;
        adult.group(0, 3.0).group(2, 2.0).group(4, 1.0);
        auto f = findings(run(adult, 7), "hours-per-week");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message == "week 1 had 6 hours, adult minimum is 9");

        Builder teen = adult;
        teen.r.header.born = ymd(2010, 1, 1); // 16 on enrollment
        REQUIRE(is_adolescent(teen.r.header));
        CHECK(findings(run(teen, 7), "hours-per-week").empty());
    }
    SUBCASE("adolescent below 6 hours") {
        Builder teen;
        teen.r.header.born = ymd(2010, 1, 1);
        teen.group(0, 3.0).group(2, 2.0).group(4, 0.5);
        auto f = findings(run(teen, 7), "hours-per-week");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message == "week 1 had 5.5 hours, adolescent minimum is 6");
    }
    SUBCASE("a session without hours counts the program's default for its kind") {
        Builder b;
        b.group(0, 0.0).group(2, 0.0).group(4, 0.0);
        auto a = run(b, 7);
        CHECK(a.weeks[0].hours == doctest::Approx(9.0));
        CHECK(findings(a, "hours-per-week").empty());
    }
}

TEST_CASE("hours-per-week: more than the maximum is a warning, current week included") {
    SUBCASE("19 hours is the maximum itself") {
        Builder b;
        b.group(0, 10.0).group(1, 9.0);
        CHECK(findings(run(b, 7), "hours-per-week").empty());
    }
    SUBCASE("20 hours in a complete week") {
        Builder b;
        b.group(0, 10.0).group(1, 10.0);
        auto f = findings(run(b, 7), "hours-per-week");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::warning);
        CHECK(f[0].week == 1);
        CHECK(f[0].message == "week 1 had 20 hours, maximum is 19 (partial hospitalization level)");
    }
    SUBCASE("20 hours so far in the current week") {
        Builder b;
        b.group(0, 10.0).group(1, 10.0);
        auto f = findings(run(b, 2), "hours-per-week");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::warning);
        CHECK(f[0].message ==
              "week 1 has 20 hours so far, maximum is 19 (partial hospitalization level)");
    }
}

TEST_CASE("individual-frequency: weekly warning") {
    SUBCASE("none held") {
        Builder b;
        b.week(1, {.individual = 0});
        auto f = findings(run(b, 7), "individual-frequency");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::warning);
        CHECK(f[0].week == 1);
        CHECK(f[0].message == "week 1 had 0 individual sessions, plan is 1");
    }
    SUBCASE("one of two planned") {
        Plan plan;
        plan.individual_per_week = 2;
        Builder b(plan);
        b.week(1, {.individual = 1});
        auto f = findings(run(b, 7), "individual-frequency");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message == "week 1 had 1 individual session, plan is 2");
    }
    SUBCASE("exactly as planned") {
        Builder b;
        b.week(1);
        CHECK(findings(run(b, 7), "individual-frequency").empty());
    }
}

TEST_CASE("individual-frequency: the 30-day rule is an error") {
    SUBCASE("30 days after the last individual session: none; 31: error") {
        Builder b;
        b.individual(3);
        CHECK(findings(run(b, 33), "individual-frequency", Severity::error).empty());
        auto f = findings(run(b, 34), "individual-frequency", Severity::error);
        REQUIRE(f.size() == 1);
        CHECK_FALSE(f[0].week.has_value());
        CHECK(f[0].message ==
              "no individual session for 31 days (since 2026-11-05), maximum is 30");
    }
    SUBCASE("counted from enrollment when none was held") {
        Builder b;
        b.individual(2, 1.0, SessionStatus::absent);
        CHECK(findings(run(b, 30), "individual-frequency", Severity::error).empty());
        auto f = findings(run(b, 31), "individual-frequency", Severity::error);
        REQUIRE(f.size() == 1);
        CHECK(f[0].message ==
              "no individual session for 31 days (since enrollment on 2026-11-02), maximum is 30");
    }
    SUBCASE("no individual sessions planned: neither the weekly nor the 30-day rule") {
        Plan plan;
        plan.individual_per_week = 0;
        Builder b(plan);
        b.weeks(1, 6, {.individual = 0});
        CHECK(findings(run(b, 42), "individual-frequency").empty());
    }
    SUBCASE("a plan change to 0 individual sessions stops the 30-day rule") {
        Builder b;
        PlanChange none;
        none.individual_per_week = 0;
        b.plan_change(20, none);
        CHECK(findings(run(b, 40), "individual-frequency", Severity::error).empty());
    }
}

TEST_CASE("family-frequency: weekly warning, never when none planned") {
    SUBCASE("missed") {
        Builder b;
        b.week(1, {.family = 0});
        auto f = findings(run(b, 7), "family-frequency");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::warning);
        CHECK(f[0].week == 1);
        CHECK(f[0].message == "week 1 had 0 family sessions, plan is 1");
    }
    SUBCASE("held") {
        Builder b;
        b.week(1);
        CHECK(findings(run(b, 7), "family-frequency").empty());
    }
    SUBCASE("planned 0") {
        Plan plan;
        plan.family_per_week = 0;
        Builder b(plan);
        b.weeks(1, 3, {.family = 0});
        CHECK(findings(run(b, 21), "family-frequency").empty());
    }
}

TEST_CASE("contact-gap: more than contact_max_gap_days + 1 days apart") {
    SUBCASE("enrollment and a first session 4 days later: none") {
        Builder b;
        b.group(4);
        CHECK(findings(run(b, 5), "contact-gap").empty());
    }
    SUBCASE("enrollment and a first session 5 days later: warning") {
        Builder b;
        b.group(5);
        auto f = findings(run(b, 5), "contact-gap");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::warning);
        CHECK(f[0].week == 1);
        CHECK(f[0].message == "4 days without service between enrollment on 2026-11-02 and the "
                              "first session on 2026-11-07, maximum is 3");
    }
    SUBCASE("two sessions 4 days apart: none; 5 days apart: warning in the later one's week") {
        Builder ok;
        ok.group(0).group(4).individual(8);
        CHECK(findings(run(ok, 9), "contact-gap").empty());

        Builder gap;
        gap.group(0).group(4).individual(9);
        auto f = findings(run(gap, 9), "contact-gap");
        REQUIRE(f.size() == 1);
        CHECK(f[0].week == 2);
        CHECK(f[0].message ==
              "4 days without service between sessions on 2026-11-06 and 2026-11-11, maximum is 3");
    }
    SUBCASE("absent and excused sessions are no contact") {
        Builder b;
        b.group(0)
            .group(2, 3.0, SessionStatus::absent)
            .individual(3, 1.0, SessionStatus::excused)
            .group(5);
        auto f = findings(run(b, 6), "contact-gap");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message ==
              "4 days without service between sessions on 2026-11-02 and 2026-11-07, maximum is 3");
    }
    SUBCASE("sessions are taken in date order, not file order") {
        Builder b;
        b.group(4).group(0).group(8); // day 0 backdated: gaps 4 and 4, none too long
        CHECK(findings(run(b, 9), "contact-gap").empty());
    }
    SUBCASE("a wider program setting") {
        Program p = default_program();
        p.contact_max_gap_days = 5;
        Builder b;
        b.group(0).group(6);
        CHECK(findings(run(b, 7, p), "contact-gap").empty());
        b.group(13);
        CHECK(findings(run(b, 14, p), "contact-gap").size() == 1);
    }
}

TEST_CASE("screen-frequency: weekly warning") {
    SUBCASE("no screen in a complete week") {
        Builder b;
        b.week(1, {.screens = 0}).week(2);
        auto f = findings(run(b, 14), "screen-frequency");
        REQUIRE(f.size() == 1);
        CHECK(f[0].week == 1);
        CHECK(f[0].severity == Severity::warning);
        CHECK(f[0].message == "week 1 had 0 drug screens, program requires 1");
    }
    SUBCASE("a positive screen still counts as a screen") {
        Builder b;
        b.week(1, {.screens = 0}).screen(6, ScreenResult::positive);
        CHECK(findings(run(b, 7), "screen-frequency").empty());
    }
    SUBCASE("program asks for none") {
        Program p = default_program();
        p.screens_per_week = 0;
        Builder b;
        b.weeks(1, 2, {.screens = 0});
        CHECK(findings(run(b, 14, p), "screen-frequency").empty());
    }
}

TEST_CASE("positive-screen: the latest screen decides") {
    SUBCASE("positive then negative: none") {
        Builder b;
        b.screen(1, ScreenResult::positive).screen(8);
        CHECK(findings(run(b, 9), "positive-screen").empty());
    }
    SUBCASE("negative then positive: warning") {
        Builder b;
        b.screen(1).screen(8, ScreenResult::positive);
        auto f = findings(run(b, 9), "positive-screen");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::warning);
        CHECK_FALSE(f[0].week.has_value());
        CHECK(f[0].message == "latest screen (2026-11-10) was positive: plan review advised");
    }
    SUBCASE("latest by date, not by file order") {
        Builder b;
        b.screen(8, ScreenResult::positive).screen(1); // negative entered late, backdated
        CHECK(findings(run(b, 9), "positive-screen").size() == 1);
    }
    SUBCASE("same day: the later entry is the latest") {
        Builder b;
        b.screen(8).screen(8, ScreenResult::positive);
        CHECK(findings(run(b, 9), "positive-screen").size() == 1);
        Builder c;
        c.screen(8, ScreenResult::positive).screen(8);
        CHECK(findings(run(c, 9), "positive-screen").empty());
    }
    SUBCASE("a positive screen dated after today is not seen yet") {
        Builder b;
        b.screen(1).screen(10, ScreenResult::positive);
        CHECK(findings(run(b, 9), "positive-screen").empty());
    }
    SUBCASE("a plan review dated on or after the screen clears it") {
        Builder b;
        b.screen(8, ScreenResult::positive).event(8, EventType::plan_review);
        CHECK(findings(run(b, 9), "positive-screen").empty());
        Builder c;
        c.screen(8, ScreenResult::positive).event(7, EventType::plan_review);
        CHECK(findings(run(c, 9), "positive-screen").size() == 1);
        // A review after a later positive screen answers that one only.
        Builder d;
        d.screen(1, ScreenResult::positive)
            .event(2, EventType::plan_review)
            .screen(8, ScreenResult::positive);
        CHECK(findings(run(d, 9), "positive-screen").size() == 1);
    }
    SUBCASE("a pending screen never fires it and never hides a positive one") {
        Builder b;
        b.screen(8, ScreenResult::pending);
        CHECK(findings(run(b, 9), "positive-screen").empty());
        Builder c;
        c.screen(1, ScreenResult::positive).screen(8, ScreenResult::pending);
        CHECK(findings(run(c, 9), "positive-screen").size() == 1);
    }
}

TEST_CASE("pending screens: counted until a result of the same date replaces them") {
    SUBCASE("a pending screen counts for screen-frequency") {
        Builder b;
        b.week(1, {.screens = 0}).screen(3, ScreenResult::pending);
        auto a = run(b, 7);
        CHECK(a.weeks[0].screens == 1);
        CHECK(findings(a, "screen-frequency").empty());
    }
    SUBCASE("its result replaces it: one screen, not two") {
        Builder b;
        b.week(1, {.screens = 0})
            .screen(3, ScreenResult::pending)
            .screen(3, ScreenResult::positive);
        auto a = run(b, 7);
        CHECK(a.weeks[0].screens == 1);
        CHECK(findings(a, "positive-screen").size() == 1);
        CHECK(findings(a, "screen-pending").empty());
        auto in_effect = screens_in_effect(b.r);
        REQUIRE(in_effect.size() == 1);
        CHECK(in_effect[0]->result == ScreenResult::positive);
    }
    SUBCASE("a result of another date replaces nothing") {
        Builder b;
        b.screen(3, ScreenResult::pending).screen(4);
        REQUIRE(screens_in_effect(b.r).size() == 2);
        REQUIRE(oldest_pending_screen(b.r) != nullptr);
        CHECK(oldest_pending_screen(b.r)->date == day(3));
    }
    SUBCASE("one result replaces one of two pending screens of a day") {
        Builder b;
        b.screen(3, ScreenResult::pending).screen(3, ScreenResult::pending).screen(3);
        auto in_effect = screens_in_effect(b.r);
        REQUIRE(in_effect.size() == 2);
        CHECK(in_effect[0]->result == ScreenResult::pending);
        CHECK(in_effect[1]->result == ScreenResult::negative);
    }
    SUBCASE("a result above the pending screen in the file does not replace it") {
        Builder b;
        b.screen(3).screen(3, ScreenResult::pending);
        CHECK(screens_in_effect(b.r).size() == 2);
    }
}

TEST_CASE("screen-pending: no result for more than screen_result_days") {
    Builder b;
    b.screen(3, ScreenResult::pending);
    CHECK(findings(run(b, 10), "screen-pending").empty()); // 7 days
    auto f = findings(run(b, 11), "screen-pending");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::warning);
    CHECK_FALSE(f[0].week.has_value());
    CHECK(f[0].arose == day(11));
    CHECK(f[0].message ==
          "screen of 2026-11-05 pending for 8 days, results are expected within 7 days");
    Program p = default_program();
    p.screen_result_days = 10;
    CHECK(findings(run(b, 11, p), "screen-pending").empty());
    b.screen(3);
    CHECK(findings(run(b, 11), "screen-pending").empty());
}

TEST_CASE("curriculum-pace: behind the elapsed share of the plan by more than 25 points") {
    Program p = default_program();
    p.curriculum = {Topic{"a", "A", 4, true}, Topic{"b", "B", 2, false}};
    // 12-week plan, day 42: half of it elapsed, expected 50 %.
    SUBCASE("exactly 25 points behind: none") {
        Builder b;
        b.group_on(0, "a").group_on(1, "b").group_on(2, "b");
        auto a = run(b, 42, p);
        CHECK(a.curriculum.percent == 25);
        CHECK(findings(a, "curriculum-pace").empty());
    }
    SUBCASE("more than 25 points behind: warning") {
        Builder b;
        b.group_on(1, "b").group_on(2, "b");
        auto a = run(b, 42, p);
        CHECK(a.curriculum.percent == 0);
        auto f = findings(a, "curriculum-pace");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::warning);
        CHECK(f[0].message == "core curriculum 0% done with 50% of the planned 12 weeks elapsed, "
                              "more than 25 points behind");
    }
    SUBCASE("one day less elapsed keeps 0% within bounds") {
        Builder b;
        // day 21: 25 % of 84 days elapsed
        CHECK(findings(run(b, 21, p), "curriculum-pace").empty());
        CHECK(findings(run(b, 22, p), "curriculum-pace").size() == 1);
    }
    SUBCASE("the elapsed share stops at 100%") {
        Builder b;
        b.group_on(0, "a").group_on(1, "a").group_on(2, "a");
        CHECK(findings(run(b, 200, p), "curriculum-pace").empty()); // 100 - 75 = 25
        Builder c;
        c.group_on(0, "a").group_on(1, "a");
        auto f = findings(run(c, 200, p), "curriculum-pace");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message == "core curriculum 50% done with 100% of the planned 12 weeks "
                              "elapsed, more than 25 points behind");
    }
    SUBCASE("the plan length in force counts") {
        Builder b;
        PlanChange shorter;
        shorter.weeks = 6;
        b.plan_change(5, shorter);
        // day 21 of 42 planned days: 50 % elapsed, 0 % done.
        CHECK(findings(run(b, 21, p), "curriculum-pace").size() == 1);
    }
}

TEST_CASE("plan-review: more than plan_review_days since enrollment or the last review") {
    SUBCASE("from enrollment") {
        Builder b;
        CHECK(findings(run(b, 30), "plan-review").empty());
        auto f = findings(run(b, 31), "plan-review");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::warning);
        CHECK(
            f[0].message ==
            "plan not reviewed for 31 days (since enrollment on 2026-11-02), review every 30 days");
    }
    SUBCASE("from the last review") {
        Builder b;
        b.event(20, EventType::plan_review);
        CHECK(findings(run(b, 31), "plan-review").empty());
        CHECK(findings(run(b, 50), "plan-review").empty());
        auto f = findings(run(b, 51), "plan-review");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message ==
              "plan not reviewed for 31 days (since 2026-11-22), review every 30 days");
    }
    SUBCASE("a plan change is not a review") {
        Builder b;
        PlanChange c;
        c.groups_per_week = 4;
        b.plan_change(20, c);
        CHECK(findings(run(b, 31), "plan-review").size() == 1);
    }
}

TEST_CASE("last_plan_review: the latest plan review up to the day judged") {
    Builder b;
    CHECK_FALSE(run(b, 30).last_plan_review.has_value());
    // File order is not date order.
    b.event(20, EventType::plan_review).event(10, EventType::plan_review);
    CHECK(run(b, 15).last_plan_review == day(10));
    CHECK(run(b, 30).last_plan_review == day(20));
    b.event(40, EventType::plan_review);
    CHECK(run(b, 39).last_plan_review == day(20)); // a review dated after today is not yet held
    CHECK(run(b, 40).last_plan_review == day(40));
    SUBCASE("after a discharge, the day treatment ended") {
        b.event(25, EventType::discharged);
        Assessment a = run(b, 60);
        CHECK(a.judged_on == day(25));
        CHECK(a.last_plan_review == day(20));
    }
}

TEST_CASE("medication-review: per active medication") {
    SUBCASE("its own review_days") {
        Builder b;
        b.med(0, MedAction::start, "sertraline", 14);
        CHECK(findings(run(b, 14), "medication-review").empty());
        auto f = findings(run(b, 15), "medication-review");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::warning);
        CHECK(f[0].message == "medication started 2026-11-02 not reviewed for 15 days (since "
                              "2026-11-02), review every 14 days");
        CHECK(f[0].message.find("sertraline") == std::string::npos);
    }
    SUBCASE("a review restarts the count") {
        Builder b;
        b.med(0, MedAction::start, "sertraline", 14).med(10, MedAction::review, "sertraline");
        CHECK(findings(run(b, 24), "medication-review").empty());
        auto f = findings(run(b, 25), "medication-review");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message == "medication started 2026-11-02 not reviewed for 15 days (since "
                              "2026-11-12), review every 14 days");
    }
    SUBCASE("the program's default when the start sets none") {
        Builder b;
        b.med(0, MedAction::start, "naltrexone");
        CHECK(findings(run(b, 30), "medication-review").empty());
        CHECK(findings(run(b, 31), "medication-review").size() == 1);
    }
    SUBCASE("a stopped medication needs no review") {
        Builder b;
        b.med(0, MedAction::start, "naltrexone").med(5, MedAction::stop, "naltrexone");
        auto a = run(b, 60);
        CHECK(findings(a, "medication-review").empty());
        REQUIRE(a.medications.size() == 1);
        CHECK_FALSE(a.medications[0].active);
    }
    SUBCASE("a stop dated after today has not happened yet") {
        Builder b;
        b.med(0, MedAction::start, "naltrexone").med(40, MedAction::stop, "naltrexone");
        auto a = run(b, 35);
        REQUIRE(a.medications.size() == 1);
        CHECK(a.medications[0].active);
        CHECK(findings(a, "medication-review").size() == 1);
    }
    SUBCASE("one finding per medication, in journal order") {
        Builder b;
        b.med(0, MedAction::start, "a-drug", 10).med(2, MedAction::start, "b-drug", 10);
        auto f = findings(run(b, 20), "medication-review");
        REQUIRE(f.size() == 2);
        CHECK(f[0].message.find("started 2026-11-02") != std::string::npos);
        CHECK(f[1].message.find("started 2026-11-04") != std::string::npos);
    }
}

TEST_CASE("lost-contact: more than lost_contact_days since the last attended session") {
    SUBCASE("from the last attended session") {
        Builder b;
        b.group(5).group(20, 3.0, SessionStatus::absent);
        CHECK(findings(run(b, 35), "lost-contact").empty());
        auto f = findings(run(b, 36), "lost-contact");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::error);
        CHECK_FALSE(f[0].week.has_value());
        CHECK(f[0].message == "no attended session for 31 days (since 2026-11-07), maximum is 30");
    }
    SUBCASE("from enrollment") {
        Builder b;
        CHECK(findings(run(b, 30), "lost-contact").empty());
        auto f = findings(run(b, 31), "lost-contact");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message ==
              "no attended session for 31 days (since enrollment on 2026-11-02), maximum is 30");
    }
}

TEST_CASE("overdue: after the planned end, error after the program's maximum") {
    Builder b; // 12 weeks: planned end day 83 (2027-01-24); 13-week maximum: day 90
    SUBCASE("on the planned end: none") {
        CHECK(findings(run(b, 83), "overdue").empty());
    }
    SUBCASE("the day after: warning") {
        auto f = findings(run(b, 84), "overdue");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::warning);
        CHECK(f[0].message ==
              "1 day past the planned end of 12 weeks (2027-01-24): graduation review due");
    }
    SUBCASE("on the last day of the maximum: still a warning") {
        auto f = findings(run(b, 90), "overdue");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::warning);
        CHECK(f[0].message ==
              "7 days past the planned end of 12 weeks (2027-01-24): graduation review due");
    }
    SUBCASE("after the maximum: one finding, the error") {
        auto f = findings(run(b, 91), "overdue");
        REQUIRE(f.size() == 1);
        CHECK(f[0].severity == Severity::error);
        CHECK(f[0].message == "1 day past the program maximum of 13 weeks (last day 2027-01-31)");
    }
    SUBCASE("a shorter plan ends earlier") {
        PlanChange c;
        c.weeks = 8;
        b.plan_change(10, c);
        auto a = run(b, 56);
        CHECK(a.weeks_planned == 8);
        CHECK(a.planned_end == day(55));
        REQUIRE(findings(a, "overdue").size() == 1);
        CHECK(findings(run(b, 55), "overdue").empty());
    }
    SUBCASE("not for a patient who left") {
        b.event(85, EventType::graduated); // after the planned end
        auto a = run(b, 200);
        CHECK(a.judged_on == day(85));
        CHECK(findings(a, "overdue").empty());
    }
}

TEST_CASE("plan changes: each week is judged by the plan on its first day") {
    PlanChange two;
    two.groups_per_week = 2;
    SUBCASE("a change in the middle of week 2 applies from week 3") {
        Builder b;
        b.week(1).week(2, {.groups = 2}).plan_change(10, two).week(3, {.groups = 2});
        auto a = run(b, 21);
        REQUIRE(a.weeks.size() == 4);
        CHECK(a.weeks[0].plan.groups_per_week == 3);
        CHECK(a.weeks[1].plan.groups_per_week == 3);
        CHECK(a.weeks[2].plan.groups_per_week == 2);
        CHECK(a.plan.groups_per_week == 2);
        auto f = findings(a, "group-frequency");
        REQUIRE(f.size() == 1);
        CHECK(f[0].week == 2);
        CHECK(f[0].message == "week 2 had 2 group sessions, plan is 3");
    }
    SUBCASE("a change on the first day of week 2 applies to week 2") {
        Builder b;
        b.week(1).plan_change(7, two).week(2, {.groups = 2});
        auto a = run(b, 14);
        CHECK(a.weeks[1].plan.groups_per_week == 2);
        CHECK(findings(a, "group-frequency").empty());
    }
    SUBCASE("a change dated after today is not in force yet") {
        Builder b;
        b.plan_change(30, two);
        auto a = run(b, 14);
        CHECK(a.plan.groups_per_week == 3);
    }
}

TEST_CASE("excused sessions count neither for nor against") {
    Builder b;
    b.week(1, {.groups = 2, .individual = 0})
        .group(6, 3.0, SessionStatus::excused)
        .individual(5, 1.0, SessionStatus::excused);
    auto a = run(b, 7);
    const auto& w = a.weeks[0];
    CHECK(w.groups == 2);
    CHECK(w.individual == 0);
    CHECK(w.excused == 2);
    CHECK(w.excused_groups == 1);
    CHECK(w.excused_individual == 1);
    CHECK(w.excused_family == 0);
    CHECK(w.excused_hours == doctest::Approx(4.0));
    CHECK(w.absent == 0);
    CHECK(w.hours == doctest::Approx(7.0)); // 2 x 3 group + 1 family; excused hours do not count
    // Not attended: still a finding, but covered by the excused ones.
    auto g = findings(a, "group-frequency");
    REQUIRE(g.size() == 1);
    CHECK(g[0].severity == Severity::warning);
    CHECK(g[0].message == "week 1 had 2 attended and 1 excused group sessions, plan is 3");
    auto i = findings(a, "individual-frequency");
    REQUIRE(i.size() == 1);
    CHECK(i[0].message == "week 1 had 0 attended and 1 excused individual session, plan is 1");
    auto h = findings(a, "hours-per-week");
    REQUIRE(h.size() == 1);
    CHECK(h[0].severity == Severity::warning);
    CHECK(h[0].message == "week 1 had 7 hours attended and 4 hours excused, adult minimum is 9");
}

TEST_CASE("excused sessions: a shortfall they do not cover stays an error") {
    Builder b;
    b.week(1, {.groups = 1}).group(6, 3.0, SessionStatus::excused);
    auto a = run(b, 7);
    auto g = findings(a, "group-frequency");
    REQUIRE(g.size() == 1);
    CHECK(g[0].severity == Severity::error);
    CHECK(g[0].message == "week 1 had 1 attended and 1 excused group sessions, plan is 3");
    auto h = findings(a, "hours-per-week");
    REQUIRE(h.size() == 1);
    CHECK(h[0].severity == Severity::error);
    CHECK(h[0].message == "week 1 had 5 hours attended and 3 hours excused, adult minimum is 9");
}

TEST_CASE("excused sessions: an excused session without hours counts its kind's default") {
    Builder b;
    b.week(1, {.groups = 2}).group(6, 0, SessionStatus::excused);
    auto a = run(b, 7);
    CHECK(a.weeks[0].excused_hours == doctest::Approx(3.0));
    auto h = findings(a, "hours-per-week");
    REQUIRE(h.size() == 1);
    CHECK(h[0].severity == Severity::warning);
}

TEST_CASE("excused sessions: absent ones cover nothing") {
    Builder b;
    b.week(1, {.groups = 2}).group(6, 3.0, SessionStatus::absent);
    auto a = run(b, 7);
    auto g = findings(a, "group-frequency");
    REQUIRE(g.size() == 1);
    CHECK(g[0].severity == Severity::error);
    CHECK(g[0].message == "week 1 had 2 group sessions, plan is 3");
}

TEST_CASE("excused sessions lower the attendance rate's requirement") {
    // Week 1: 2 attended and 1 excused groups, individual excused: r = 2 + 0.
    // Week 2: as planned, 3 + 1. Rate (2 + 4) / (2 + 4) = 1.
    Builder b;
    b.week(1, {.groups = 2, .individual = 0})
        .group(6, 3.0, SessionStatus::excused)
        .individual(5, 1.0, SessionStatus::excused)
        .week(2);
    CHECK(run(b, 14).attendance_rate == doctest::Approx(1.0));
    // More excused than required: r = max(0, ...), never negative.
    Builder c;
    c.week(1, {.groups = 0});
    for (int d : {0, 1, 2, 3})
        c.group(d, 3.0, SessionStatus::excused);
    c.week(2, {.groups = 1});
    // Week 1 requires no group and 1 individual; week 2: 1 + 1 of 3 + 1.
    CHECK(run(c, 14).attendance_rate == doctest::Approx(0.6));
}

TEST_CASE("a graduated or discharged patient is judged up to that date") {
    SUBCASE("graduated on the first day of week 4") {
        Builder b;
        b.topics = all_core;
        b.weeks(1, 3).aftercare(20).event(21, EventType::graduated);
        b.group(30).group(31); // hand-written after graduation: not part of the treatment
        auto a = run(b, 200);
        CHECK(a.status == Status::graduated);
        CHECK(a.ended == day(21));
        CHECK(a.judged_on == day(21));
        CHECK(a.week == 4);
        REQUIRE(a.weeks.size() == 4);
        CHECK(a.complete_weeks == 3);
        CHECK(a.weeks[3].groups == 0);
        CHECK(findings(a, "overdue").empty());
        CHECK(findings(a, "lost-contact").empty());
        CHECK(findings(a, "plan-review").empty());
        CHECK(findings(a, "group-frequency").empty());
    }
    SUBCASE("graduated on the last day of week 3: week 3 is not complete") {
        Builder b;
        b.weeks(1, 3).event(20, EventType::graduated);
        auto a = run(b, 40);
        CHECK(a.week == 3);
        CHECK(a.complete_weeks == 2);
        CHECK_FALSE(a.weeks[2].complete);
    }
    SUBCASE("discharged after losing contact: the days-based rules stop at the discharge") {
        Builder b;
        b.week(1).event(60, EventType::discharged);
        auto a = run(b, 300);
        CHECK(a.status == Status::discharged);
        CHECK(a.judged_on == day(60));
        CHECK(a.week == 9);
        auto f = findings(a, "lost-contact");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message == "no attended session for 56 days (since 2026-11-06), maximum is 30");
        CHECK(findings(a, "overdue").empty());
    }
    SUBCASE("a graduation dated after today has not happened") {
        Builder b;
        b.event(30, EventType::graduated);
        auto a = run(b, 20);
        CHECK(a.status == Status::active);
        CHECK_FALSE(a.ended.has_value());
        CHECK(a.judged_on == day(20));
    }
}

TEST_CASE("entries dated after today are ignored") {
    Builder b;
    b.week(1).group(9).individual(9).screen(9, ScreenResult::positive);
    auto a = run(b, 8);
    REQUIRE(a.weeks.size() == 2);
    CHECK(a.weeks[1].groups == 0);
    CHECK(a.weeks[1].individual == 0);
    CHECK(a.weeks[1].screens == 0);
    CHECK(findings(a, "positive-screen").empty());
}

TEST_CASE("curriculum progress") {
    SUBCASE("capped counts, core percent, completed and remaining in curriculum order") {
        Builder b;
        b.group_on(0, "illness")
            .group_on(1, "illness")
            .group_on(2, "illness") // capped at 2
            .group_on(3, "shame-guilt")
            .group_on(4, "family")                                // not core
            .group_on(5, "yoga")                                  // not in the program
            .group_on(6, "early-recovery", SessionStatus::absent) // not attended
            .group_on(6, "relapse-prevention", SessionStatus::excused)
            .session(6, SessionKind::individual, 1.0, SessionStatus::attended, "stress");
        auto a = run(b, 7);
        const auto& c = a.curriculum;
        CHECK(c.percent == 23); // 3 of 13 core sessions
        CHECK(c.completed == std::vector<std::string>{"illness", "shame-guilt", "family"});
        CHECK(c.remaining == std::vector<std::string>{"early-recovery", "relationships", "stress",
                                                      "relapse-prevention", "mutual-help",
                                                      "emotions", "medication"});
        REQUIRE(c.topics.size() == 10);
        CHECK(c.topics[0].id == "illness");
        CHECK(c.topics[0].attended == 2);
        CHECK(c.topics[0].needed == 2);
        CHECK(c.topics[0].core);
        CHECK(c.topics[1].attended == 0);
        CHECK(c.topics[7].id == "family");
        CHECK(c.topics[7].attended == 1);
        CHECK_FALSE(c.topics[7].core);
        CHECK(a.weeks[0].groups == 6); // the unknown topic still counts as a group session
    }
    SUBCASE("every core session attended: 100%") {
        Builder b;
        for (std::size_t i = 0; i < all_core.size(); ++i)
            b.group_on(static_cast<int>(i), all_core[i]);
        auto a = run(b, 14);
        CHECK(a.curriculum.percent == 100);
        CHECK(a.curriculum.remaining ==
              std::vector<std::string>{"family", "emotions", "medication"});
    }
    SUBCASE("rounded down") {
        Builder b;
        b.group_on(0, "illness").group_on(1, "illness"); // 2/13 = 15.38
        CHECK(run(b, 2).curriculum.percent == 15);
    }
    SUBCASE("no core topics: 100%") {
        Program p = default_program();
        p.curriculum = {Topic{"x", "X", 2, false}};
        Builder b;
        auto a = run(b, 7, p);
        CHECK(a.curriculum.percent == 100);
        CHECK(a.curriculum.remaining == std::vector<std::string>{"x"});
    }
}

TEST_CASE("attendance rate over complete weeks") {
    SUBCASE("no complete week: 1.0") {
        Builder b;
        CHECK(run(b, 6).attendance_rate == 1.0);
    }
    SUBCASE("capped per week, current week left out") {
        Builder b;
        b.week(1)                                    // 3 + 1 of 4
            .week(2, {.groups = 2, .individual = 0}) // 2 + 0 of 4
            .week(3, {.groups = 5, .individual = 2}) // capped: 3 + 1 of 4
            .week(4, {.groups = 0, .individual = 0});
        auto a = run(b, 22);
        CHECK(a.complete_weeks == 3);
        CHECK(a.attendance_rate == doctest::Approx(10.0 / 12.0));
        CHECK(criterion(a, "attendance").detail == "attendance 0.83 < 0.90");
    }
    SUBCASE("weeks judged by their own plan") {
        Builder b;
        PlanChange c;
        c.groups_per_week = 2;
        c.individual_per_week = 0;
        b.week(1, {.groups = 2, .individual = 0}).plan_change(7, c).week(2, {.groups = 2});
        auto a = run(b, 14);
        CHECK(a.attendance_rate == doctest::Approx(4.0 / 6.0)); // 2/4 + 2/2
    }
    SUBCASE("nothing required: 1.0") {
        Plan plan;
        plan.groups_per_week = 0;
        plan.individual_per_week = 0;
        Builder b(plan);
        CHECK(run(b, 21).attendance_rate == 1.0);
    }
}

TEST_CASE("graduation criteria") {
    // Five full weeks covering the whole core curriculum, negative screens.
    auto eligible_record = [] {
        Builder b;
        b.topics = all_core;
        b.topics.insert(b.topics.end(), {"family", "emotions"});
        // A signed plan whose one objective was addressed and achieved.
        b.signed_plan(0, 28)
            .address(8, {"G1.1"})
            .objective_status(20, "G1.1", ObjectiveAction::achieved);
        // Reassessed on day 28: asam-reassess (every 30 days) stays quiet.
        b.weeks(1, 5).event(28, EventType::plan_review).asam(28).aftercare(30);
        return b;
    };
    SUBCASE("all met: eligible") {
        auto a = run(eligible_record(), 35);
        CHECK(a.eligible);
        CHECK(a.unmet().empty());
        REQUIRE(a.criteria.size() == 7);
        CHECK(a.criteria[0].id == "min-weeks");
        CHECK(a.criteria[1].id == "curriculum");
        CHECK(a.criteria[2].id == "attendance");
        CHECK(a.criteria[3].id == "screens");
        CHECK(a.criteria[4].id == "objectives");
        CHECK(a.criteria[5].id == "signed-plan");
        CHECK(a.criteria[6].id == "aftercare");
        CHECK(a.criteria[0].detail == "5 complete weeks >= 3");
        CHECK(a.criteria[1].detail == "core curriculum 100%");
        CHECK(a.criteria[2].detail == "attendance 1.00 >= 0.90");
        CHECK(a.criteria[3].detail == "last 2 screens negative");
        CHECK(a.criteria[4].detail == "1 goal in the treatment plan, no objective open");
        CHECK(a.criteria[5].detail == "plan version 3 signed");
        CHECK(a.criteria[6].detail == "aftercare plan recorded");
        CHECK(a.findings.empty());
    }
    SUBCASE("a program that does not require the plan lists neither plan criterion") {
        Program p = default_program();
        p.require_objectives = false;
        p.require_signed_plan = false;
        Builder b;
        b.topics = all_core;
        b.weeks(1, 5).event(28, EventType::plan_review).aftercare(30);
        auto a = run(b, 35, p);
        REQUIRE(a.criteria.size() == 5);
        CHECK(a.criteria[4].id == "aftercare");
        CHECK(a.eligible);
        // The rules still speak: the plan is a finding, not a criterion.
        CHECK(findings(a, "plan-goals").size() == 1);
        CHECK(findings(a, "plan-unsigned").size() == 1);
    }
    SUBCASE("min-weeks: 2 complete weeks < 3, then 3 >= 3") {
        Builder b;
        auto two = run(b, 14);
        CHECK_FALSE(criterion(two, "min-weeks").met);
        CHECK(criterion(two, "min-weeks").detail == "2 complete weeks < 3");
        CHECK(criterion(run(b, 7), "min-weeks").detail == "1 complete week < 3");
        CHECK(criterion(run(b, 21), "min-weeks").met);
    }
    SUBCASE("curriculum") {
        Builder b;
        b.group_on(0, "illness").group_on(1, "illness").group_on(2, "shame-guilt");
        auto a = run(b, 3);
        const auto& c = criterion(a, "curriculum");
        CHECK_FALSE(c.met);
        CHECK(c.detail == "core curriculum 23% < 100%");
    }
    SUBCASE("attendance at exactly the minimum is met; just below is not") {
        Builder ten;
        ten.weeks(1, 9).week(10, {.groups = 0, .individual = 0}); // 36 of 40
        auto a = run(ten, 70);
        CHECK(a.attendance_rate == doctest::Approx(0.9));
        CHECK(criterion(a, "attendance").met);
        CHECK(criterion(a, "attendance").detail == "attendance 0.90 >= 0.90");

        Builder less;
        less.weeks(1, 8).week(9, {.groups = 2}).week(10, {.groups = 0, .individual = 0}); // 35/40
        auto b = run(less, 70);
        CHECK_FALSE(criterion(b, "attendance").met);
        CHECK(criterion(b, "attendance").detail == "attendance 0.87 < 0.90");
    }
    SUBCASE("screens") {
        Builder none;
        CHECK(criterion(run(none, 7), "screens").detail ==
              "last 2 screens: none recorded");
        Builder one;
        one.screen(1);
        CHECK_FALSE(criterion(run(one, 7), "screens").met);
        CHECK(criterion(run(one, 7), "screens").detail == "last 2 screens: only 1 screen recorded");
        Builder mixed;
        mixed.screen(1).screen(8, ScreenResult::positive).screen(15);
        CHECK_FALSE(criterion(run(mixed, 16), "screens").met);
        CHECK(criterion(run(mixed, 16), "screens").detail == "last 2 screens: 1 negative");
        mixed.screen(22);
        CHECK(criterion(run(mixed, 23), "screens").met);
        CHECK(criterion(run(mixed, 23), "screens").detail == "last 2 screens negative");
        Program p = default_program();
        p.negative_screens = 0;
        CHECK(criterion(run(none, 7, p), "screens").met);
        // Pending screens are not screens with a result; one newer than
        // the last negative ones keeps the criterion unmet until its result.
        mixed.screen(25, ScreenResult::pending);
        CHECK_FALSE(criterion(run(mixed, 26), "screens").met);
        CHECK(criterion(run(mixed, 26), "screens").detail ==
              "last 2 screens negative, but the screen of 2026-11-27 is pending");
        mixed.screen(25);
        CHECK(criterion(run(mixed, 26), "screens").met);
        Builder older;
        older.screen(1, ScreenResult::pending).screen(8).screen(15);
        CHECK(criterion(run(older, 16), "screens").met);
    }
    SUBCASE("aftercare") {
        Builder b;
        CHECK_FALSE(criterion(run(b, 7), "aftercare").met);
        CHECK(criterion(run(b, 7), "aftercare").detail == "no aftercare plan recorded");
        Program p = default_program();
        p.require_aftercare = false;
        CHECK(criterion(run(b, 7, p), "aftercare").met);
        b.aftercare(3);
        CHECK(criterion(run(b, 7), "aftercare").met);
        CHECK_FALSE(criterion(run(b, 2), "aftercare").met); // recorded after that day
    }
    SUBCASE("unmet lists each failing criterion in order") {
        Builder b = eligible_record();
        b.r.journal.pop_back(); // no aftercare
        b.screen(34, ScreenResult::positive);
        auto a = run(b, 35);
        CHECK_FALSE(a.eligible);
        CHECK(a.unmet() == std::vector<std::string>{"screens", "aftercare"});
    }
}

TEST_CASE("findings are ordered by week, then rule table order; week-less ones last") {
    Builder b;
    b.week(1, {.groups = 2, .screens = 0})
        .week(2, {.individual = 0, .family = 0})
        .group(20) // 4 days without service before it: contact-gap in week 3
        .screen(20, ScreenResult::positive)
        .goal(0, "G1")
        .objective(0, "G1.1", 30); // unsigned, due on day 30, never addressed
    auto a = run(b, 60);
    std::vector<std::pair<int, std::string>> got;
    for (const auto& f : a.findings)
        got.emplace_back(f.week.value_or(-1), f.rule);
    std::vector<std::pair<int, std::string>> want = {
        {1, "group-frequency"},  {1, "hours-per-week"}, // 2 x 3 + 1 + 1 = 8 hours
        {1, "screen-frequency"}, {2, "individual-frequency"}, {2, "family-frequency"},
        {3, "group-frequency"}, // from here on weeks hold 1 group or none at all
        {3, "hours-per-week"},   {3, "individual-frequency"}, {3, "family-frequency"},
        {3, "contact-gap"}, // table order; the screen on day 20 keeps week 3 off screen-frequency
        {4, "group-frequency"},
    };
    REQUIRE(got.size() >= want.size());
    for (std::size_t i = 0; i < want.size(); ++i)
        CHECK(got[i] == want[i]);
    // The tail: rules about no particular week, in table order.
    std::vector<std::string> tail;
    for (const auto& f : a.findings)
        if (!f.week)
            tail.push_back(f.rule);
    CHECK(tail == std::vector<std::string>{
                      "individual-frequency", "positive-screen", "curriculum-pace", "plan-review",
                      "lost-contact", "plan-unsigned", "objective-due", "objective-unaddressed",
                      "asam-reassess"}); // never assessed, 60 days after enrollment
    CHECK_FALSE(a.findings.back().week.has_value());
    // And the same result every time.
    auto again = run(b, 60);
    REQUIRE(again.findings.size() == a.findings.size());
    for (std::size_t i = 0; i < a.findings.size(); ++i)
        CHECK(again.findings[i].message == a.findings[i].message);
}

TEST_CASE("messages carry no name, diagnosis or drug") {
    Builder b;
    b.week(1, {.groups = 1, .individual = 0, .family = 0, .screens = 0})
        .med(0, MedAction::start, "buprenorphine")
        .screen(3, ScreenResult::positive)
        .group(20, 12.0)
        .group(21, 12.0);
    auto a = run(b, 100);
    REQUIRE(a.findings.size() > 10);
    for (const auto& f : a.findings) {
        CHECK(f.message.find("Jane") == std::string::npos);
        CHECK(f.message.find("Alcohol") == std::string::npos);
        CHECK(f.message.find("buprenorphine") == std::string::npos);
    }
    for (const auto& c : a.criteria)
        CHECK(c.detail.find("Jane") == std::string::npos);
}

TEST_CASE("when a finding arose (SPEC section 5), rule by rule") {
    auto arose = [](const Assessment& a, std::string_view rule,
                    Severity s = Severity::warning) -> Date {
        auto f = findings(a, rule, s);
        REQUIRE(f.size() == 1);
        return f[0].arose;
    };
    SUBCASE("a weekly rule: the day after its week") {
        Builder b;
        b.week(1, {1, 0, 0, 0, 3.0}).week(2);
        auto a = run(b, 17);
        for (const char* rule : {"individual-frequency", "family-frequency", "screen-frequency"})
            CHECK(arose(a, rule) == day(7));
        CHECK(arose(a, "group-frequency", Severity::error) == day(7));
        CHECK(arose(a, "hours-per-week", Severity::error) == day(7));
    }
    SUBCASE("the hours maximum: the session that took the week over it") {
        Program p = default_program();
        p.hours_max = 10;
        Builder b;
        b.group(0, 4.0).group(1, 4.0).group(3, 2.5).group(4, 4.0);
        auto a = run(b, 5, p);
        CHECK(arose(a, "hours-per-week") == day(3)); // 10.5 hours on day 3
    }
    SUBCASE("a contact gap: the session that closed it") {
        Builder b;
        b.group(0).group(9);
        CHECK(arose(run(b, 12), "contact-gap") == day(9));
    }
    SUBCASE("a positive screen: its date") {
        Builder b;
        b.screen(3, ScreenResult::positive);
        CHECK(arose(run(b, 12), "positive-screen") == day(3));
    }
    SUBCASE("more than N days after X: X + N + 1") {
        Builder b;
        b.group(0).individual(2).med(4, MedAction::start, "naltrexone", 10);
        auto a = run(b, 60);
        CHECK(arose(a, "individual-frequency", Severity::error) == day(2 + 30 + 1));
        CHECK(arose(a, "plan-review") == day(0 + 30 + 1));
        CHECK(arose(a, "medication-review") == day(4 + 10 + 1));
        CHECK(arose(a, "lost-contact", Severity::error) == day(2 + 30 + 1));
    }
    SUBCASE("overdue: the day after the planned end, or after the program maximum") {
        Builder b(Plan{4, 3, 1, 1});
        CHECK(arose(run(b, 30), "overdue") == day(28));
        CHECK(arose(run(b, 95), "overdue", Severity::error) == day(91));
    }
    SUBCASE("curriculum-pace: the first day of the run that ends today") {
        Program p = default_program();
        p.curriculum = {Topic{"a", "A", 4, true}};
        Builder b;
        // 12 weeks = 84 days; with nothing done the rule holds from the day
        // more than 25 % of them elapsed (day 22).
        CHECK(arose(run(b, 40, p), "curriculum-pace") == day(22));
        // One of four sessions on day 30 (25 %) puts it back within bounds
        // until more than 50 % elapsed: day 43.
        b.group_on(30, "a");
        CHECK(findings(run(b, 42, p), "curriculum-pace").empty());
        CHECK(arose(run(b, 50, p), "curriculum-pace") == day(43));
    }
    SUBCASE("curriculum-pace: the plan in force on each day") {
        Program p = default_program();
        p.curriculum = {Topic{"a", "A", 4, true}};
        Builder b;
        PlanChange shorter;
        shorter.weeks = 6;
        b.plan_change(5, shorter);
        // 12 weeks until day 5 (at most 6 % elapsed), then 6 weeks: more
        // than 25 % of 42 days on day 11.
        CHECK(arose(run(b, 21, p), "curriculum-pace") == day(11));
    }
}

TEST_CASE("when a finding was noticed: late entries reach the next morning") {
    SUBCASE("recorded on time: noticed the day it arose") {
        Builder b;
        b.week(1, {2, 1, 1, 1, 3.0}).recorded(4);
        auto f = findings(run(b, 9), "group-frequency", Severity::error);
        REQUIRE(f.size() == 1);
        CHECK(f[0].arose == day(7));
        CHECK(f[0].noticed == day(7));
    }
    SUBCASE("a session of the week recorded late: the day after it was recorded") {
        Builder b;
        b.week(1, {2, 1, 1, 1, 3.0}).recorded(8);
        auto f = findings(run(b, 9), "group-frequency", Severity::error);
        REQUIRE(f.size() == 1);
        CHECK(f[0].arose == day(7));
        CHECK(f[0].noticed == day(9));
    }
    SUBCASE("entries after the week do not delay it") {
        Builder b;
        b.week(1, {2, 1, 1, 1, 3.0}).group(8).recorded(12);
        auto f = findings(run(b, 13), "group-frequency", Severity::error);
        REQUIRE(f.size() == 1);
        CHECK(f[0].noticed == day(7));
    }
    SUBCASE("a contact gap closed by a session recorded that evening") {
        Builder b;
        b.group(0).group(9).recorded(9);
        auto f = findings(run(b, 10), "contact-gap");
        REQUIRE(f.size() == 1);
        CHECK(f[0].arose == day(9));
        CHECK(f[0].noticed == day(10));
    }
    SUBCASE("a late enrollment: the header's recorded_at counts") {
        Builder b;
        b.r.header.recorded_on = day(20);
        auto f = findings(run(b, 21), "group-frequency", Severity::error);
        REQUIRE(f.size() == 3); // weeks 1 to 3
        CHECK(f[0].arose == day(7));
        for (const Finding& x : f)
            CHECK(x.noticed == day(21));
    }
}

// ---------------------------------------------------------------- the calendar

namespace {

// Groups on Monday, Wednesday and Friday; `closed` days (day numbers, first
// to last) closed.
Program calendar_program(std::vector<std::pair<int, int>> closed,
                         Weekdays group_days = {false, true, false, true, false, true, false}) {
    Program p = default_program();
    p.calendar.group_days = group_days;
    std::vector<ClosureEntry> entries;
    for (auto [first, last] : closed) {
        ClosureEntry e;
        e.from = day(first);
        e.to = day(last);
        e.reason = "holiday";
        entries.push_back(e);
    }
    p.calendar.set_closures(std::move(entries));
    return p;
}

} // namespace

TEST_CASE("what a week requires: no closure, the plan exactly") {
    Program p = calendar_program({});
    WeekRequirement r = week_requirement(p, Plan{}, false, day(0));
    CHECK(r.groups == 3);
    CHECK(r.hours_min == 9);
    CHECK(r.individual == 1);
    CHECK(r.family == 1);
    CHECK(r.screens == 1);
    CHECK(r.group_days == 3);
    CHECK(r.open_group_days == 3);
    CHECK(r.open_program_day);
    CHECK_FALSE(r.lowered);
    // A closed Saturday closes no group day: nothing changes.
    WeekRequirement sat = week_requirement(calendar_program({{5, 5}}), Plan{}, false, day(0));
    CHECK(sat.groups == 3);
    CHECK(sat.hours_min == 9);
    CHECK_FALSE(sat.lowered);
    // But a week with a closed date requires at most its open group days
    // (SPEC section 5): a plan of 5 groups on 3 group days is capped at 3.
    Plan five;
    five.groups_per_week = 5;
    CHECK(week_requirement(calendar_program({}), five, false, day(0)).groups == 5);
    WeekRequirement capped = week_requirement(calendar_program({{5, 5}}), five, false, day(0));
    CHECK(capped.groups == 3);
    CHECK(capped.hours_min == 9);
    CHECK(capped.lowered);
    Builder b(five);
    b.week(1, {.groups = 2});
    auto g = findings(run(b, 7, calendar_program({{5, 5}})), "group-frequency");
    REQUIRE(g.size() == 1);
    CHECK(g[0].message == "week 1 had 2 group sessions, required is 3, the group days of a week "
                          "with a closure (plan is 5)");
}

TEST_CASE("a holiday Monday lowers its week's groups and hours") {
    Program p = calendar_program({{7, 7}}); // Monday of week 2
    WeekRequirement r = week_requirement(p, Plan{}, false, day(7));
    CHECK(r.groups == 2);
    CHECK(r.hours_min == doctest::Approx(6.0));
    CHECK(r.individual == 1);
    CHECK(r.family == 1);
    CHECK(r.screens == 1);
    CHECK(r.open_group_days == 2);
    CHECK(r.lowered);
    // The adolescent minimum is scaled too, not rounded: 6 * 2/3.
    CHECK(week_requirement(p, Plan{}, true, day(7)).hours_min == doctest::Approx(4.0));

    Builder b;
    b.week(1);
    // Week 2: one group on Wednesday, individual, family and screen: 5 hours.
    b.group(9).individual(8).family(10).screen(8);
    auto a = run(b, 14, p);
    REQUIRE(a.weeks.size() == 3);
    CHECK(a.weeks[1].required.groups == 2);
    auto g = findings(a, "group-frequency");
    REQUIRE(g.size() == 1);
    CHECK(g[0].message ==
          "week 2 had 1 group session, required is 2 with 1 of 3 group days closed (plan is 3)");
    auto h = findings(a, "hours-per-week");
    REQUIRE(h.size() == 1);
    CHECK(h[0].message == "week 2 had 5 hours, adult minimum is 6 with 1 of 3 group days closed");
    CHECK(findings(a, "individual-frequency").empty());

    // Two groups meet the lowered requirement; without the closure they would not.
    b.group(11);
    CHECK(findings(run(b, 14, p), "group-frequency").empty());
    CHECK(findings(run(b, 14, p), "hours-per-week").empty());
    CHECK(findings(run(b, 14, calendar_program({})), "group-frequency").size() == 1);
}

TEST_CASE("a closure lowers hours, not groups, when enough group days stay open") {
    // Groups Monday to Friday, Thursday closed: min(3, 4) groups, 9 * 4/5 hours.
    Program p = calendar_program({{3, 3}}, weekdays_mon_fri);
    WeekRequirement r = week_requirement(p, Plan{}, false, day(0));
    CHECK(r.groups == 3);
    CHECK(r.hours_min == doctest::Approx(7.2));
    CHECK(r.lowered);
    Builder b;
    b.group(0).group(2).individual(1).screen(1); // 7 hours, 2 groups
    auto a = run(b, 7, p);
    auto g = findings(a, "group-frequency");
    REQUIRE(g.size() == 1);
    CHECK(g[0].message == "week 1 had 2 group sessions, plan is 3");
    auto h = findings(a, "hours-per-week");
    REQUIRE(h.size() == 1);
    CHECK(h[0].message == "week 1 had 7 hours, adult minimum is 7.2 with 1 of 5 group days closed");
}

TEST_CASE("a week with no open program day breaks no weekly rule") {
    Program p = calendar_program({{7, 13}}); // all of week 2
    Builder b;
    b.week(1).week(3);
    auto a = run(b, 21, p);
    REQUIRE(a.weeks.size() == 4);
    CHECK_FALSE(a.weeks[1].required.open_program_day);
    CHECK(a.weeks[1].required.groups == 0);
    for (const char* rule : {"group-frequency", "hours-per-week", "individual-frequency",
                             "family-frequency", "screen-frequency"})
        CHECK_MESSAGE(findings(a, rule).empty(), rule);
    CHECK(a.attendance_rate == 1.0);
    // The same record without the closure falls short in week 2.
    auto open = run(b, 21, calendar_program({}));
    CHECK(findings(open, "group-frequency").size() == 1);
    CHECK(open.attendance_rate == doctest::Approx(8.0 / 12.0));
    // A closure of the weekend alone (no program day) leaves a week open.
    Program weekend = calendar_program({{5, 6}});
    CHECK(week_requirement(weekend, Plan{}, false, day(0)).open_program_day);
}

TEST_CASE("contact-gap leaves closed days out of the days without service") {
    SUBCASE("two closed days make a 5-day gap 3") {
        Builder b;
        b.group(0).group(6);
        CHECK(findings(run(b, 7, calendar_program({})), "contact-gap").size() == 1);
        CHECK(findings(run(b, 7, calendar_program({{2, 3}})), "contact-gap").empty());
    }
    SUBCASE("one closed day is not enough, and the message says so") {
        Builder b;
        b.group(0).group(6);
        auto f = findings(run(b, 7, calendar_program({{2, 2}})), "contact-gap");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message == "4 days without service (not counting 1 closed day) between "
                              "sessions on 2026-11-02 and 2026-11-08, maximum is 3");
    }
    SUBCASE("a closure outside the gap changes nothing") {
        Builder b;
        b.group(0).group(6);
        CHECK(findings(run(b, 7, calendar_program({{10, 12}})), "contact-gap").size() == 1);
    }
}

TEST_CASE("attendance rate: a week requires what the closures leave") {
    // Week 2 has a holiday Monday: 2 groups and 1 individual session are all
    // it requires, so the patient who came to both is at 100 %.
    Builder b;
    b.week(1).group(9).group(11).individual(8).family(10).screen(8);
    auto lowered = run(b, 14, calendar_program({{7, 7}}));
    CHECK(lowered.attendance_rate == 1.0);
    CHECK(criterion(lowered, "attendance").met);
    auto plain = run(b, 14, calendar_program({}));
    CHECK(plain.attendance_rate == doctest::Approx(7.0 / 8.0));
    CHECK_FALSE(criterion(plain, "attendance").met);
}

// ------------------------------------------------ the treatment plan (SPEC 12)

TEST_CASE("plan-goals: more than goals_within_days after enrollment and no objective ever added") {
    Builder b;
    CHECK(findings(run(b, 7), "plan-goals").empty());
    auto a = run(b, 8);
    auto f = findings(a, "plan-goals");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::warning);
    CHECK_FALSE(f[0].week.has_value());
    CHECK(f[0].message == "no objective in the treatment plan 8 days after enrollment on "
                          "2026-11-02, plan due within 7 days");
    CHECK(f[0].arose == day(8));
    CHECK(f[0].noticed == day(8));
    CHECK(findings(run(b, 20), "plan-goals")[0].arose == day(8)); // stays put
    SUBCASE("a goal alone is not a plan") {
        b.goal(3, "G1");
        CHECK(findings(run(b, 8), "plan-goals").size() == 1);
    }
    SUBCASE("an objective added, even late or closed since, ends it") {
        b.goal(3, "G1").objective(9, "G1.1", 40);
        CHECK(findings(run(b, 8), "plan-goals").size() == 1); // not yet added that day
        CHECK(findings(run(b, 9), "plan-goals").empty());
        b.objective_status(10, "G1.1", ObjectiveAction::dropped);
        CHECK(findings(run(b, 30), "plan-goals").empty());
    }
    SUBCASE("the program's days") {
        Program p = default_program();
        p.plan_goals_within_days = 0;
        CHECK(findings(run(b, 0, p), "plan-goals").empty());
        REQUIRE(findings(run(b, 1, p), "plan-goals").size() == 1);
        CHECK(findings(run(b, 1, p), "plan-goals")[0].message ==
              "no objective in the treatment plan 1 day after enrollment on 2026-11-02, plan due "
              "within 0 days");
    }
    SUBCASE("noticed the day after a late entry that covers its days") {
        b.individual(5).recorded(10);
        auto late = findings(run(b, 12), "plan-goals");
        REQUIRE(late.size() == 1);
        CHECK(late[0].arose == day(8));
        CHECK(late[0].noticed == day(11));
    }
}

TEST_CASE("plan-unsigned: the current version lacks a signature sign_within_days after it") {
    Builder b;
    CHECK(findings(run(b, 7), "plan-unsigned").empty());
    auto f = findings(run(b, 8), "plan-unsigned");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::warning);
    CHECK(f[0].message == "plan version 1 (enrollment 2026-11-02) lacks the patient and "
                          "clinician signatures, due within 7 days");
    CHECK(f[0].arose == day(8));
    SUBCASE("patient and clinician sign version 1") {
        b.sign(2, SignRole::patient);
        CHECK(findings(run(b, 8), "plan-unsigned")[0].message ==
              "plan version 1 (enrollment 2026-11-02) lacks the clinician signature, due within "
              "7 days");
        b.sign(3, SignRole::supervisor); // a supervisor is not the clinician
        CHECK(findings(run(b, 8), "plan-unsigned").size() == 1);
        b.sign(4, SignRole::clinician);
        CHECK(findings(run(b, 8), "plan-unsigned").empty());
        CHECK(findings(run(b, 3), "plan-unsigned").empty()); // not yet due
    }
    SUBCASE("a patient who declines, with a reason, counts; a clinician's decline does not") {
        b.sign(2, SignRole::patient, true).sign(2, SignRole::clinician, true);
        CHECK(findings(run(b, 8), "plan-unsigned")[0].message ==
              "plan version 1 (enrollment 2026-11-02) lacks the clinician signature, due within "
              "7 days");
        b.sign(3, SignRole::clinician);
        CHECK(findings(run(b, 8), "plan-unsigned").empty());
        CHECK(criterion(run(b, 8), "signed-plan").met);
    }
    SUBCASE("an adolescent's plan also needs the guardian") {
        b.r.header.born = ymd(2010, 5, 1); // 16 at enrollment
        b.sign(1, SignRole::patient).sign(1, SignRole::clinician);
        CHECK(findings(run(b, 8), "plan-unsigned")[0].message ==
              "plan version 1 (enrollment 2026-11-02) lacks the guardian signature, due within 7 "
              "days");
        CHECK(criterion(run(b, 8), "signed-plan").detail ==
              "plan version 1 lacks the guardian signature");
        b.sign(2, SignRole::guardian);
        CHECK(findings(run(b, 8), "plan-unsigned").empty());
        Builder none;
        none.r.header.born = ymd(2010, 5, 1);
        CHECK(findings(run(none, 8), "plan-unsigned")[0].message ==
              "plan version 1 (enrollment 2026-11-02) lacks the patient, clinician and guardian "
              "signatures, due within 7 days");
    }
    SUBCASE("a new version needs new signatures, due from the entry that made it") {
        b.signed_plan(1, 60); // versions 2 and 3 on day 1, signed
        CHECK(findings(run(b, 30), "plan-unsigned").empty());
        b.goal(10, "G2"); // version 4
        CHECK(findings(run(b, 17), "plan-unsigned").empty());
        auto g = findings(run(b, 18), "plan-unsigned");
        REQUIRE(g.size() == 1);
        CHECK(g[0].message == "plan version 4 (2026-11-12) lacks the patient and clinician "
                              "signatures, due within 7 days");
        CHECK(g[0].arose == day(18));
        CHECK(criterion(run(b, 18), "signed-plan").detail ==
              "plan version 4 lacks the patient and clinician signatures");
        // A status change of an objective makes no version; a plan-change does.
        Builder c;
        c.signed_plan(1, 60).objective_status(5, "G1.1", ObjectiveAction::partly_achieved);
        c.objective_status(6, "G1.1", ObjectiveAction::achieved);
        CHECK(run(c, 30).treatment_plan.version == 3);
        CHECK(findings(run(c, 30), "plan-unsigned").empty());
        PlanChange more;
        more.groups_per_week = 4;
        c.plan_change(8, more);
        CHECK(run(c, 30).treatment_plan.version == 4);
        CHECK(findings(run(c, 30), "plan-unsigned")[0].arose == day(16));
    }
    SUBCASE("position decides: a signature above the change does not cover it") {
        b.sign(9, SignRole::patient).sign(9, SignRole::clinician).goal(9, "G1");
        CHECK(run(b, 17).treatment_plan.version == 2);
        CHECK(findings(run(b, 17), "plan-unsigned")[0].message ==
              "plan version 2 (2026-11-11) lacks the patient and clinician signatures, due "
              "within 7 days");
    }
    SUBCASE("the program's days") {
        Program p = default_program();
        p.plan_sign_within_days = 2;
        CHECK(findings(run(b, 2, p), "plan-unsigned").empty());
        CHECK(findings(run(b, 3, p), "plan-unsigned")[0].arose == day(3));
    }
}

TEST_CASE("objective-due: an open objective's target is before today") {
    Builder b;
    b.signed_plan(0, 20).address(14, {"G1.1"});
    CHECK(findings(run(b, 20), "objective-due").empty());
    auto f = findings(run(b, 21), "objective-due");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::warning);
    CHECK_FALSE(f[0].week.has_value());
    CHECK(f[0].message == "objective G1.1 was due on 2026-11-22 and is still open");
    CHECK(f[0].arose == day(21));
    CHECK(f[0].noticed == day(21));
    CHECK(findings(run(b, 25), "objective-due")[0].arose == day(21));
    SUBCASE("closed: achieved, not achieved, dropped, or its goal closed") {
        Builder x = b;
        x.objective_status(22, "G1.1", ObjectiveAction::achieved);
        CHECK(findings(run(x, 25), "objective-due").empty());
        CHECK(findings(run(x, 21), "objective-due").size() == 1); // before it closed
        Builder y = b;
        y.objective_status(22, "G1.1", ObjectiveAction::partly_achieved); // still open
        CHECK(findings(run(y, 25), "objective-due").size() == 1);
        Builder z = b;
        z.goal(22, "G1", GoalAction::dropped);
        CHECK(findings(run(z, 25), "objective-due").empty());
    }
    SUBCASE("a revised target starts the run") {
        Builder c;
        c.signed_plan(0, 30).revise_target(5, "G1.1", 8);
        auto g = findings(run(c, 12), "objective-due");
        REQUIRE(g.size() == 1);
        CHECK(g[0].message == "objective G1.1 was due on 2026-11-10 and is still open");
        CHECK(g[0].arose == day(9));
    }
    SUBCASE("a revised target ends a run; the next one starts after the new target") {
        Builder c;
        c.signed_plan(0, 5).revise_target(10, "G1.1", 12);
        CHECK(findings(run(c, 9), "objective-due")[0].arose == day(6));
        CHECK(findings(run(c, 12), "objective-due").empty());
        CHECK(findings(run(c, 15), "objective-due")[0].arose == day(13));
    }
    SUBCASE("noticed after the latest entry recorded up to the target") {
        Builder c;
        c.signed_plan(0, 20).address(19, {"G1.1"}).recorded(23);
        auto g = findings(run(c, 25), "objective-due");
        REQUIRE(g.size() == 1);
        CHECK(g[0].arose == day(21));
        CHECK(g[0].noticed == day(24));
    }
}

TEST_CASE("objective-unaddressed: counted from the later of the add and the last attended "
          "session that addressed it") {
    Builder b;
    b.signed_plan(0, 90);
    CHECK(findings(run(b, 14), "objective-unaddressed").empty());
    auto f = findings(run(b, 15), "objective-unaddressed");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::warning);
    CHECK(f[0].message == "objective G1.1 not addressed in a session for 15 days (since added "
                          "2026-11-02), address it every 14 days");
    CHECK(f[0].arose == day(15));
    SUBCASE("an attended session addressing it restarts the count") {
        b.address(10, {"G1.1"});
        CHECK(findings(run(b, 24), "objective-unaddressed").empty());
        auto g = findings(run(b, 25), "objective-unaddressed");
        REQUIRE(g.size() == 1);
        CHECK(g[0].message == "objective G1.1 not addressed in a session for 15 days (since "
                              "2026-11-12), address it every 14 days");
        CHECK(g[0].arose == day(25));
        CHECK(run(b, 25).treatment_plan.find_objective("G1.1")->sessions == 1);
    }
    SUBCASE("absent and excused sessions address nothing") {
        b.address(10, {"G1.1"}, SessionStatus::absent)
            .address(11, {"G1.1"}, SessionStatus::excused);
        CHECK(findings(run(b, 15), "objective-unaddressed")[0].arose == day(15));
    }
    SUBCASE("a session addressing another objective, or before the add, does not count") {
        b.goal(1, "G2").objective(1, "G2.1", 90).address(10, {"G2.1"});
        auto a = run(b, 16);
        auto g = findings(a, "objective-unaddressed");
        REQUIRE(g.size() == 1); // G1.1 since day 0; G2.1 was addressed on day 10
        CHECK(g[0].message.find("objective G1.1 ") == 0);
        CHECK(g[0].arose == day(15));
        Builder c;
        c.address(0, {"G1.1"}).goal(3, "G1").objective(3, "G1.1", 90);
        CHECK(findings(run(c, 18), "objective-unaddressed")[0].arose == day(18));
    }
    SUBCASE("a closed objective is not due for a session") {
        b.objective_status(12, "G1.1", ObjectiveAction::not_achieved);
        CHECK(findings(run(b, 30), "objective-unaddressed").empty());
    }
    SUBCASE("the program's days") {
        Program p = default_program();
        p.plan_objective_unaddressed_days = 1;
        CHECK(findings(run(b, 1, p), "objective-unaddressed").empty());
        CHECK(findings(run(b, 2, p), "objective-unaddressed")[0].arose == day(2));
    }
}

TEST_CASE("graduation criteria objectives and signed-plan") {
    Builder b;
    CHECK_FALSE(criterion(run(b, 7), "objectives").met);
    CHECK(criterion(run(b, 7), "objectives").detail == "no goal in the treatment plan");
    CHECK_FALSE(criterion(run(b, 7), "signed-plan").met);
    CHECK(criterion(run(b, 7), "signed-plan").detail ==
          "plan version 1 lacks the patient and clinician signatures");
    b.signed_plan(1, 60).goal(2, "G2").objective(2, "G2.1", 60);
    CHECK_FALSE(criterion(run(b, 7), "objectives").met);
    CHECK(criterion(run(b, 7), "objectives").detail == "2 objectives open: G1.1, G2.1");
    b.objective_status(5, "G1.1", ObjectiveAction::not_achieved);
    CHECK(criterion(run(b, 7), "objectives").detail == "1 objective open: G2.1");
    b.goal(6, "G2", GoalAction::achieved);
    CHECK(criterion(run(b, 7), "objectives").met);
    CHECK(criterion(run(b, 7), "objectives").detail ==
          "2 goals in the treatment plan, no objective open");
    // Versions 4 and 5 (G2, G2.1) were never signed.
    CHECK_FALSE(criterion(run(b, 7), "signed-plan").met);
    b.sign(6, SignRole::patient).sign(6, SignRole::clinician);
    CHECK(criterion(run(b, 7), "signed-plan").met);
    CHECK(criterion(run(b, 7), "signed-plan").detail == "plan version 5 signed");
    CHECK(criterion(run(b, 5), "objectives").detail == "1 objective open: G2.1"); // as of day 5
    Program p = default_program();
    p.require_objectives = false;
    auto a = run(b, 7, p);
    CHECK(std::none_of(a.criteria.begin(), a.criteria.end(),
                       [](const Criterion& c) { return c.id == "objectives"; }));
    CHECK(criterion(a, "signed-plan").met);
}

TEST_CASE("plan findings name references and dates, never the plan's words") {
    Builder b;
    b.goal(0, "G1").objective(0, "G1.1", 10).goal(1, "G1", GoalAction::revise);
    auto a = run(b, 40);
    REQUIRE(findings(a, "objective-due").size() == 1);
    REQUIRE(findings(a, "objective-unaddressed").size() == 1);
    REQUIRE(findings(a, "plan-unsigned").size() == 1);
    for (const auto& f : a.findings)
        for (const char* words : {"Drinks", "sober", "triggers", "relapse-prevention group"}) {
            CAPTURE(f.message);
            CHECK(f.message.find(words) == std::string::npos);
        }
    for (const auto& c : a.criteria)
        CHECK(c.detail.find("sober") == std::string::npos);
}

TEST_CASE("the treatment plan folds goals and objectives in file order") {
    Builder b;
    b.signed_plan(0, 30)
        .address(3, {"G1.1"})
        .address(9, {"G1.1"})
        .address(12, {"G1.1"}, SessionStatus::absent)
        .goal(4, "G2")
        .objective(4, "G2.1", 40)
        .objective(4, "G2.2", 50)
        .objective_status(8, "G2.1", ObjectiveAction::achieved)
        .revise_target(9, "G1.1", 35)
        .goal(10, "G1", GoalAction::revise);
    const TreatmentPlan tp = run(b, 20).treatment_plan;
    REQUIRE(tp.goals.size() == 2);
    CHECK(tp.goals[0].goal == "Stay sober and keep my job");
    CHECK(tp.goals[0].problem == "Drinks daily to cope with work stress");
    const ObjectiveState* o = tp.find_objective("G1.1");
    REQUIRE(o);
    CHECK(o->target == day(35));
    CHECK(o->last_addressed == day(9));
    CHECK(o->sessions == 2);
    CHECK(o->status == "open");
    CHECK(tp.find_objective("G2.1")->status == "achieved");
    CHECK(tp.find_objective("G2.1")->closed == day(8));
    CHECK_FALSE(tp.find_objective("G2.1")->open);
    CHECK(tp.open_objectives().size() == 2);
    // G1, G1.1 (versions 2, 3), G2, G2.1, G2.2 (4, 5, 6), revise G1.1, revise G1 (7, 8).
    CHECK(tp.version == 8);
    CHECK(tp.version_date == day(10));
    CHECK(tp.signatures.empty());
    CHECK(tp.missing == std::vector<SignRole>{SignRole::patient, SignRole::clinician});
    // As of day 5: the entries dated after it are left out.
    const TreatmentPlan early = run(b, 5).treatment_plan;
    CHECK(early.version == 6);
    CHECK(early.find_objective("G2.1")->open);
    CHECK(early.find_objective("G1.1")->target == day(30));
}

TEST_SUITE_END();
