#include "iop/reminders.hpp"

#include "testutil.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace iop;

namespace {

Date d(const char* s) { return *parse_date(s); }

Record patient(const char* enrolled) {
    Record r;
    r.file = "patients/P-1.toml";
    r.header.id = "P-1";
    r.header.name = "Test";
    r.header.enrolled = d(enrolled);
    r.header.plan = Plan{12, 2, 1, 0};
    return r;
}

Session session(const char* date, SessionKind kind, const char* topic = "illness") {
    Session s;
    s.date = d(date);
    s.kind = kind;
    s.topic = kind == SessionKind::group ? topic : "";
    s.hours = kind == SessionKind::group ? 3.0 : 1.0;
    return s;
}

Screen screen(const char* date, ScreenResult result = ScreenResult::negative) {
    Screen s;
    s.date = d(date);
    s.result = result;
    return s;
}

// SPEC section 12: goal G1 and objective G1.1 (target `target`) added on
// `date` and signed by patient and clinician, for tests about something else.
void give_plan(Record& r, const char* date, const char* target = "2027-03-01") {
    Goal g;
    g.date = d(date);
    g.ref = "G1";
    g.problem = "Drinks daily to cope with work stress";
    g.goal = "Stay sober";
    r.journal.push_back(g);
    Objective o;
    o.date = d(date);
    o.ref = "G1.1";
    o.text = "Name 3 triggers and 3 responses";
    o.target = d(target);
    r.journal.push_back(o);
    for (SignRole role : {SignRole::patient, SignRole::clinician}) {
        Event e;
        e.date = d(date);
        e.type = EventType::signature;
        e.role = role;
        e.plan_version = 3;
        r.journal.push_back(e);
    }
}

std::vector<std::string> kinds(const std::vector<Reminder>& rs) {
    std::vector<std::string> k;
    for (const auto& r : rs)
        k.push_back(r.kind);
    return k;
}

bool has(const std::vector<Reminder>& rs, const char* kind) {
    return std::any_of(rs.begin(), rs.end(), [&](const auto& x) { return x.kind == kind; });
}

const Reminder& item(const std::vector<Reminder>& rs, const char* kind) {
    auto it = std::find_if(rs.begin(), rs.end(), [&](const auto& x) { return x.kind == kind; });
    REQUIRE(it != rs.end());
    return *it;
}

struct Run {
    const char* since = nullptr; // default: the last program day before today
    int within = 0;
    bool all = false;
};

std::vector<Reminder> remind(const Program& p, const Record& r, const char* today, Run run = {}) {
    RemindWindow w{d(today), run.since ? d(run.since) : default_since(p, d(today)), run.within,
                   run.all};
    return reminders_for(p, r, assess(p, r, d(today)), w);
}

} // namespace

TEST_SUITE_BEGIN("reminders");

TEST_CASE("the window starts on the last program day before today: Monday covers the weekend") {
    Program p = default_program();
    CHECK(default_since(p, d("2026-11-09")) == d("2026-11-06")); // Mon -> Fri
    CHECK(default_since(p, d("2026-11-10")) == d("2026-11-09"));
    CHECK(default_since(p, d("2026-11-08")) == d("2026-11-06")); // Sun -> Fri
}

TEST_CASE("a past week's shortfall is said once, on the day after its week") {
    Program p = default_program();
    Record r = patient("2026-11-02"); // week 1 is Mon 2026-11-02 to Sun 2026-11-08
    give_plan(r, "2026-11-02");       // this case is about the week's shortfall
    r.journal.push_back(session("2026-11-02", SessionKind::group));
    auto rs = remind(p, r, "2026-11-09");
    CHECK(kinds(rs) == std::vector<std::string>{"group-frequency", "hours-per-week",
                                                "individual-frequency", "screen-frequency"});
    for (const auto& x : rs) {
        CHECK(x.due == d("2026-11-09"));
        CHECK(x.arose == d("2026-11-09"));
        CHECK(x.part == ReminderPart::new_finding);
    }
    CHECK(item(rs, "group-frequency").urgent);
    CHECK_FALSE(item(rs, "screen-frequency").urgent);
    // The week's hours share the groups' text line; JSON keeps both.
    CHECK(shares_line(rs[0], rs[1]));
    CHECK_FALSE(shares_line(rs[1], rs[2]));
    // Not again on the following days, nor on the next Monday.
    CHECK(remind(p, r, "2026-11-10").empty());
    CHECK(remind(p, r, "2026-11-11").empty());
    // --all lists it whatever its age; --since reaches back to it.
    CHECK(has(remind(p, r, "2026-11-11", {nullptr, 0, true}), "group-frequency"));
    CHECK(has(remind(p, r, "2026-11-11", {"2026-11-08"}), "group-frequency"));
    CHECK_FALSE(has(remind(p, r, "2026-11-11", {"2026-11-09"}), "group-frequency"));
}

TEST_CASE("a finding is said on the day it was noticed: a late entry reaches the next morning") {
    Program p = default_program();
    Record r = patient("2026-11-02");
    r.header.plan.individual_per_week = 0;
    r.journal.push_back(session("2026-11-02", SessionKind::group));
    // A screen of Friday entered the following Tuesday evening: week 1's
    // groups shortfall is then noticed on Wednesday, not on Monday.
    Screen late = screen("2026-11-06");
    late.recorded_on = d("2026-11-10");
    r.journal.push_back(late);
    CHECK_FALSE(has(remind(p, r, "2026-11-09"), "group-frequency"));
    auto rs = remind(p, r, "2026-11-11");
    REQUIRE(has(rs, "group-frequency"));
    CHECK(item(rs, "group-frequency").due == d("2026-11-11"));
    CHECK(item(rs, "group-frequency").arose == d("2026-11-09"));
}

TEST_CASE("open items are listed every day until resolved, and once when also new") {
    Program p = default_program();
    Record r = patient("2026-11-02");
    Medication start;
    start.date = d("2026-11-03");
    start.name = "naltrexone";
    start.review_days = 14;
    r.journal.push_back(start);
    CHECK_FALSE(has(remind(p, r, "2026-11-17"), "medication-review"));
    for (const char* day : {"2026-11-18", "2026-11-19", "2026-11-23", "2026-11-24"}) {
        auto rs = remind(p, r, day);
        CAPTURE(day);
        CHECK(std::count_if(rs.begin(), rs.end(),
                            [](const auto& x) { return x.kind == "medication-review"; }) == 1);
        const Reminder& m = item(rs, "medication-review");
        CHECK(m.due == d("2026-11-18"));
        CHECK(m.part == ReminderPart::open_item);
    }
    Medication review = start;
    review.action = MedAction::review;
    review.date = d("2026-11-24");
    r.journal.push_back(review);
    CHECK_FALSE(has(remind(p, r, "2026-11-25"), "medication-review"));
}

TEST_CASE("the 30-day individual error is open, the weekly individual warning is new once") {
    Program p = default_program();
    Record r = patient("2026-11-02");
    auto rs = remind(p, r, "2026-12-03"); // 31 days after enrollment
    const Reminder& gap = item(rs, "individual-frequency");
    CHECK(gap.part == ReminderPart::open_item);
    CHECK(gap.urgent);
    CHECK_FALSE(gap.week.has_value());
    CHECK(has(remind(p, r, "2026-12-04"), "individual-frequency"));
    CHECK(has(remind(p, r, "2026-12-07"), "lost-contact"));
    CHECK(has(remind(p, r, "2026-12-07"), "plan-review"));
    Finding weekly{Severity::warning, "individual-frequency", 3, "", {}, {}, {}};
    CHECK_FALSE(is_open_item(weekly));
    Finding gap30{Severity::error, "individual-frequency", std::nullopt, "", {}, {}, {}};
    CHECK(is_open_item(gap30));
}

TEST_CASE("no medication, substance or diagnosis in any reminder") {
    Program p = default_program();
    Record r = patient("2026-11-02");
    r.header.diagnosis = "F11.20 opioid use disorder";
    Medication start;
    start.date = d("2026-11-03");
    start.name = "buprenorphine";
    start.review_days = 7;
    r.journal.push_back(start);
    Screen positive = screen("2026-11-04", ScreenResult::positive);
    positive.substances = {"fentanyl"};
    r.journal.push_back(positive);
    auto rs = remind(p, r, "2026-11-20", {nullptr, 30, true});
    CHECK(has(rs, "medication-review"));
    CHECK(has(rs, "positive-screen"));
    for (const auto& x : rs) {
        CAPTURE(x.message);
        for (const char* word : {"buprenorphine", "fentanyl", "opioid", "F11"})
            CHECK(x.message.find(word) == std::string::npos);
    }
}

TEST_CASE("week-at-risk on the first day with no group day to spare, week-unmeetable after") {
    Program p = default_program();
    Record r = patient("2026-11-02");
    r.header.plan.groups_per_week = 3;
    CHECK_FALSE(has(remind(p, r, "2026-11-03"), "week-at-risk")); // 3 needed, 4 days left
    auto rs = remind(p, r, "2026-11-04");                         // Wed: 3 needed, 3 left
    const Reminder& risk = item(rs, "week-at-risk");
    CHECK(risk.message ==
          "3 group sessions still needed, 3 group days left: no group day to spare");
    CHECK(risk.arose == d("2026-11-04"));
    CHECK(risk.due == d("2026-11-08"));
    CHECK(risk.part == ReminderPart::week_need);
    rs = remind(p, r, "2026-11-05"); // Thu: 3 needed, 2 left
    CHECK_FALSE(has(rs, "week-at-risk"));
    CHECK(item(rs, "week-unmeetable").message ==
          "3 group sessions still needed, 2 group days left: the week's requirement can no "
          "longer be met");
    CHECK(item(rs, "week-unmeetable").urgent);
    CHECK_FALSE(has(remind(p, r, "2026-11-06"), "week-unmeetable")); // said once
    CHECK(has(remind(p, r, "2026-11-06", {nullptr, 0, true}), "week-unmeetable"));

    // Attended and excused sessions both count; a need met is not listed.
    Record k = patient("2026-11-02");
    k.header.plan.groups_per_week = 3;
    k.journal.push_back(session("2026-11-02", SessionKind::group));
    Session excused = session("2026-11-03", SessionKind::group, "stress");
    excused.status = SessionStatus::excused;
    k.journal.push_back(excused);
    CHECK_FALSE(has(remind(p, k, "2026-11-05"), "week-at-risk")); // 1 needed, 2 left
    CHECK(has(remind(p, k, "2026-11-06"), "week-at-risk"));       // 1 needed, 1 left
    k.journal.push_back(session("2026-11-06", SessionKind::group, "family"));
    CHECK_FALSE(has(remind(p, k, "2026-11-06", {nullptr, 0, true}), "week-at-risk"));
}

TEST_CASE("a week that cannot be met on Saturday is said on Monday") {
    Program p = default_program();
    Record r = patient("2026-11-04"); // week 1: Wed 2026-11-04 to Tue 2026-11-10
    r.header.plan.groups_per_week = 3;
    auto rs = remind(p, r, "2026-11-09"); // window Fri..Mon holds Sat 2026-11-07
    CHECK(item(rs, "week-unmeetable").arose == d("2026-11-07"));
    CHECK(item(rs, "week-unmeetable")
              .message.find("3 group sessions still needed, 2 group days "
                            "left") == 0);
    CHECK_FALSE(has(rs, "week-at-risk")); // superseded in the same window
}

TEST_CASE("individual, family and screen needs on the last lead_days open program days") {
    Program p = default_program();
    Record r = patient("2026-11-02");
    r.header.plan.family_per_week = 1;
    r.journal.push_back(session("2026-11-02", SessionKind::group));
    r.journal.push_back(session("2026-11-03", SessionKind::group, "stress"));
    CHECK(remind(p, r, "2026-11-04").empty()); // Wed
    auto rs = remind(p, r, "2026-11-05");      // Thu: 2 open program days left
    CHECK(kinds(rs) == std::vector<std::string>{"individual", "family", "screen"});
    CHECK(item(rs, "individual").message ==
          "1 individual session still needed this week, 2 program days left");
    CHECK(item(rs, "screen").due == d("2026-11-08"));
    CHECK_FALSE(item(rs, "screen").arose.has_value());
    CHECK(kinds(remind(p, r, "2026-11-06")).size() == 3); // Fri
    CHECK(remind(p, r, "2026-11-07").empty());            // Sat is no program day
    CHECK(kinds(remind(p, r, "2026-11-04", {nullptr, 0, true})).size() == 3); // --all
    r.journal.push_back(session("2026-11-05", SessionKind::individual));
    Session family = session("2026-11-05", SessionKind::family);
    family.status = SessionStatus::excused;
    r.journal.push_back(family);
    r.journal.push_back(screen("2026-11-06"));
    CHECK(kinds(remind(p, r, "2026-11-05")) == std::vector<std::string>{"screen"});
    CHECK(remind(p, r, "2026-11-06").empty());

    // A closed Friday moves the lead to Wednesday and Thursday.
    Record q = patient("2026-11-02");
    ClosureEntry closed;
    closed.from = closed.to = d("2026-11-06");
    p.calendar.set_closures({closed});
    CHECK(has(remind(p, q, "2026-11-04"), "individual"));
    CHECK_FALSE(has(remind(p, q, "2026-11-03"), "individual"));
}

TEST_CASE("a pending screen and the result that replaces it are one screen of the week") {
    Program p = default_program();
    p.screens_per_week = 2;
    Record r = patient("2026-11-02");
    r.header.plan.individual_per_week = 0;
    r.journal.push_back(session("2026-11-02", SessionKind::group));
    r.journal.push_back(session("2026-11-03", SessionKind::group, "stress"));
    r.journal.push_back(screen("2026-11-03", ScreenResult::pending));
    r.journal.push_back(screen("2026-11-03", ScreenResult::positive));
    auto rs = remind(p, r, "2026-11-05");
    REQUIRE(has(rs, "screen"));
    CHECK(item(rs, "screen").message ==
          "1 drug screen still needed this week, 2 program days left");
}

TEST_CASE("graduation-ready from lead_days before the planned end; planned-end within --within") {
    Program p = default_program();
    p.curriculum = {p.curriculum.front()};
    p.curriculum.front().sessions = 1;
    p.require_aftercare = false;
    Record r = patient("2026-11-02");
    r.header.plan.weeks = 4; // planned end Sun 2026-11-29
    for (const char* monday : {"2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"}) {
        Date m = d(monday);
        for (int i : {0, 1, 2}) {
            Session g = session(monday, SessionKind::group);
            g.date = add_days(m, i);
            r.journal.push_back(g);
        }
        Session ind = session(monday, SessionKind::individual);
        r.journal.push_back(ind);
        r.journal.push_back(screen(monday));
    }
    give_plan(r, "2026-11-02", "2026-11-20"); // signed, its objective achieved on time
    Objective done;
    done.date = d("2026-11-20");
    done.ref = "G1.1";
    done.action = ObjectiveAction::achieved;
    r.journal.push_back(done);
    REQUIRE(assess(p, r, d("2026-11-26")).eligible);
    CHECK_FALSE(has(remind(p, r, "2026-11-26"), "graduation-ready"));
    auto rs = remind(p, r, "2026-11-27"); // 2 days before the planned end
    CHECK(item(rs, "graduation-ready").due == d("2026-11-29"));
    CHECK(item(rs, "graduation-ready").part == ReminderPart::open_item);
    CHECK(has(remind(p, r, "2026-11-30"), "graduation-ready"));
    CHECK(has(remind(p, r, "2026-11-26", {nullptr, 0, true}), "graduation-ready"));

    CHECK_FALSE(has(remind(p, r, "2026-11-24", {nullptr, 4}), "planned-end"));
    rs = remind(p, r, "2026-11-24", {nullptr, 5});
    CHECK(item(rs, "planned-end").due == d("2026-11-29"));
    CHECK(item(rs, "planned-end").message ==
          "planned end 2026-11-29: graduation review; eligible to graduate");
    CHECK(has(remind(p, r, "2026-11-29"), "planned-end"));
    CHECK_FALSE(has(remind(p, r, "2026-11-30", {nullptr, 30}), "planned-end")); // past the end
}

TEST_CASE("sorted by due date, then new findings, open items, the week's needs, coming up") {
    Program p = default_program();
    Record r = patient("2026-11-02");
    Medication start;
    start.date = d("2026-11-02");
    start.name = "naltrexone";
    start.review_days = 7;
    r.journal.push_back(start);
    r.journal.push_back(session("2026-11-09", SessionKind::group));
    r.journal.push_back(session("2026-11-10", SessionKind::group, "stress"));
    r.journal.push_back(session("2026-11-11", SessionKind::group, "stress"));
    auto rs = remind(p, r, "2026-11-13", {nullptr, 90});
    // The review overdue since 2026-11-10 comes before this week's needs
    // (due Sunday) and the planned end.
    REQUIRE(rs.size() >= 3);
    CHECK(rs.front().kind == "medication-review");
    CHECK(rs.back().kind == "planned-end");
    CHECK(std::is_sorted(rs.begin(), rs.end(), [](const auto& a, const auto& b) {
        return a.due < b.due || (a.due == b.due && a.part < b.part);
    }));

    Event e;
    e.type = EventType::discharged;
    e.reason = "moved";
    e.date = d("2026-11-12");
    r.journal.push_back(e);
    CHECK(remind(p, r, "2026-11-13", {nullptr, 30, true}).empty());
}

TEST_CASE("the plan rules are open items, listed every day until resolved") {
    Program p = default_program();
    Record r = patient("2026-11-02");
    CHECK_FALSE(has(remind(p, r, "2026-11-09"), "plan-goals"));
    for (const char* day : {"2026-11-10", "2026-11-11", "2026-11-16"}) {
        CAPTURE(day);
        auto rs = remind(p, r, day);
        for (const char* kind : {"plan-goals", "plan-unsigned"}) {
            const Reminder& x = item(rs, kind);
            CHECK(x.part == ReminderPart::open_item);
            CHECK(x.due == d("2026-11-10"));
            CHECK(x.arose == d("2026-11-10"));
            CHECK_FALSE(x.urgent);
        }
    }
    CHECK(item(remind(p, r, "2026-11-10"), "plan-unsigned").message ==
          "plan version 1 (enrollment 2026-11-02) lacks the patient and clinician signatures, "
          "due within 7 days");
    // A plan added and signed on 2026-11-12, its objective due 2026-11-20
    // and never addressed: objective-due and objective-unaddressed are open
    // every day too.
    give_plan(r, "2026-11-12", "2026-11-20");
    CHECK_FALSE(has(remind(p, r, "2026-11-13"), "plan-goals"));
    CHECK_FALSE(has(remind(p, r, "2026-11-13"), "plan-unsigned"));
    for (const char* day : {"2026-11-27", "2026-11-30"}) {
        CAPTURE(day);
        auto rs = remind(p, r, day);
        CHECK_FALSE(has(rs, "plan-goals"));
        CHECK_FALSE(has(rs, "plan-unsigned"));
        CHECK(item(rs, "objective-due").part == ReminderPart::open_item);
        CHECK(item(rs, "objective-due").due == d("2026-11-21"));
        CHECK(item(rs, "objective-due").message ==
              "objective G1.1 was due on 2026-11-20 and is still open");
        CHECK(item(rs, "objective-unaddressed").part == ReminderPart::open_item);
        CHECK(item(rs, "objective-unaddressed").due == d("2026-11-27"));
    }
    for (const char* rule :
         {"plan-goals", "plan-unsigned", "objective-due", "objective-unaddressed"}) {
        Finding f{Severity::warning, rule, std::nullopt, "", {}, {}, {}};
        CHECK(is_open_item(f));
    }
}

TEST_CASE("an open objective's target date is coming up within --within") {
    Program p = default_program();
    Record r = patient("2026-11-02");
    give_plan(r, "2026-11-02", "2026-11-20");
    CHECK_FALSE(has(remind(p, r, "2026-11-10", {nullptr, 9}), "objective-target"));
    auto rs = remind(p, r, "2026-11-10", {nullptr, 10});
    const Reminder& t = item(rs, "objective-target");
    CHECK(t.due == d("2026-11-20"));
    CHECK_FALSE(t.arose.has_value());
    CHECK(t.part == ReminderPart::coming_up);
    CHECK(t.message == "objective G1.1 target date 2026-11-20");
    CHECK(has(remind(p, r, "2026-11-20"), "objective-target")); // on the day itself
    CHECK_FALSE(has(remind(p, r, "2026-11-21", {nullptr, 30}), "objective-target")); // past
    Objective done;
    done.date = d("2026-11-09");
    done.ref = "G1.1";
    done.action = ObjectiveAction::achieved;
    r.journal.push_back(done);
    CHECK_FALSE(has(remind(p, r, "2026-11-10", {nullptr, 30}), "objective-target"));
}

TEST_CASE("authorization-end names the units in the plural, as auth-units does") {
    Program p = default_program();
    p.authorization_warn_days = 2; // auth-expiring would say it otherwise (below)
    Record r = patient("2026-11-02");
    r.header.insurance = "Acme Health";
    Authorization a;
    a.date = d("2026-11-02");
    a.payer = "Acme Health";
    a.number = "AH-1";
    a.from = d("2026-11-02");
    a.to = d("2026-11-13");
    a.units = 10;
    r.journal.push_back(a);
    r.journal.push_back(session("2026-11-02", SessionKind::group));
    r.journal.push_back(session("2026-11-04", SessionKind::group));
    const auto rs = remind(p, r, "2026-11-10", {nullptr, 3});
    CHECK(item(rs, "authorization-end").message ==
          "authorization AH-1 ends 2026-11-13: 8 of 10 sessions left");
    r.journal.front() = [&] {
        Authorization one = a;
        one.units = 1;
        one.unit = AuthUnit::day;
        return one;
    }();
    r.journal.resize(1);
    const auto one = remind(p, r, "2026-11-10", {nullptr, 3});
    CHECK(item(one, "authorization-end").message ==
          "authorization AH-1 ends 2026-11-13: 1 of 1 day left");
}

// Every line calls for an action once: an authorization that auth-expiring
// lists as an open item does not come up again as authorization-end.
TEST_CASE("authorization-end is not said beside auth-expiring of the same authorization") {
    Program p = default_program(); // warn_days 7
    Record r = patient("2026-11-02");
    r.header.insurance = "Acme Health";
    Authorization a;
    a.date = d("2026-11-02");
    a.payer = "Acme Health";
    a.number = "AH-1";
    a.from = d("2026-11-02");
    a.to = d("2026-11-13");
    a.units = 10;
    r.journal.push_back(a);
    r.journal.push_back(session("2026-11-02", SessionKind::group));
    // 2026-11-05: 8 days before the end, only the coming-up item.
    const auto before = remind(p, r, "2026-11-05", {nullptr, 8});
    CHECK(has(before, "authorization-end"));
    CHECK_FALSE(has(before, "auth-expiring"));
    // 2026-11-10: 3 days before, auth-expiring says it; once.
    const auto rs = remind(p, r, "2026-11-10", {nullptr, 8});
    CHECK(has(rs, "auth-expiring"));
    CHECK_FALSE(has(rs, "authorization-end"));
}

TEST_CASE("no goal, objective or intervention text in any reminder") {
    Program p = default_program();
    Record r = patient("2026-11-02");
    give_plan(r, "2026-11-02", "2026-11-20");
    Goal revise;
    revise.date = d("2026-11-03");
    revise.ref = "G1";
    revise.action = GoalAction::revise;
    revise.words = "I want to keep my job";
    r.journal.push_back(revise);
    auto rs = remind(p, r, "2026-11-25", {nullptr, 30, true});
    CHECK(has(rs, "objective-due"));
    CHECK(has(rs, "objective-unaddressed"));
    CHECK(has(rs, "plan-unsigned"));
    for (const auto& x : rs) {
        CAPTURE(x.message);
        for (const char* word : {"Drinks", "sober", "triggers", "keep my job"})
            CHECK(x.message.find(word) == std::string::npos);
    }
}

// SPEC section 13: an authorization's end and its next utilization review
// come up within --within days.
Authorization authorization(const char* number, const char* from, const char* to,
                            const char* review = nullptr, const char* payer = "Acme") {
    Authorization a;
    a.date = d("2026-11-02");
    a.payer = payer;
    a.number = number;
    a.from = d(from);
    a.to = d(to);
    a.units = 30;
    if (review)
        a.next_review = d(review);
    return a;
}

TEST_CASE("authorization-end and authorization-review come up within --within days") {
    Program p = default_program();
    Record r = patient("2026-11-02"); // planned end 2027-01-24
    give_plan(r, "2026-11-02");
    r.journal.push_back(session("2026-11-03", SessionKind::group));
    r.journal.push_back(authorization("A-1", "2026-11-02", "2026-11-30", "2026-11-16"));
    // 2026-11-10: the review is 6 days away, the end 20.
    CHECK_FALSE(has(remind(p, r, "2026-11-10", {nullptr, 5}), "authorization-review"));
    const auto rs = remind(p, r, "2026-11-10", {nullptr, 6});
    const Reminder& review = item(rs, "authorization-review");
    CHECK(review.due == d("2026-11-16"));
    CHECK(review.part == ReminderPart::coming_up);
    CHECK(review.message == "authorization A-1 utilization review 2026-11-16");
    CHECK_FALSE(has(rs, "authorization-end"));
    CHECK_FALSE(has(remind(p, r, "2026-11-10", {nullptr, 19}), "authorization-end"));
    const auto ends = remind(p, r, "2026-11-10", {nullptr, 20});
    const Reminder& end = item(ends, "authorization-end");
    CHECK(end.due == d("2026-11-30"));
    CHECK(end.message == "authorization A-1 ends 2026-11-30: 29 of 30 sessions left");
    // A past review is not coming up.
    CHECK_FALSE(has(remind(p, r, "2026-11-17", {nullptr, 30}), "authorization-review"));
    // An authorization that follows it (any payer): its end does not come up.
    Record followed = r;
    followed.journal.push_back(authorization("B-1", "2026-12-01", "2026-12-31", nullptr, "Beta"));
    CHECK_FALSE(has(remind(p, followed, "2026-11-10", {nullptr, 20}), "authorization-end"));
    // The planned end on or before its end: nothing to renew.
    Record short_plan = patient("2026-11-02");
    short_plan.header.plan.weeks = 4; // planned end 2026-11-29
    give_plan(short_plan, "2026-11-02");
    short_plan.journal.push_back(authorization("A-1", "2026-11-02", "2026-11-29"));
    CHECK_FALSE(has(remind(p, short_plan, "2026-11-10", {nullptr, 30}), "authorization-end"));
}

TEST_SUITE_END();
