#include "iop/reminders.hpp"

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

std::vector<std::string> kinds(const std::vector<Reminder>& rs) {
    std::vector<std::string> k;
    for (const auto& r : rs)
        k.push_back(r.kind);
    std::sort(k.begin(), k.end());
    return k;
}

std::vector<Reminder> remind(const Program& p, const Record& r, const char* today, int within = 0) {
    return reminders_for(p, r, assess(p, r, d(today)), d(today), within);
}

} // namespace

TEST_SUITE_BEGIN("reminders");

TEST_CASE("weekly items are due on the last day of the current week until done") {
    Program p = default_program();
    Record r = patient("2026-11-23");
    auto rs = remind(p, r, "2026-11-23");
    CHECK(kinds(rs) == std::vector<std::string>{"group", "individual", "screen"});
    for (const auto& x : rs)
        CHECK(x.due == d("2026-11-29"));

    r.journal.push_back(session("2026-11-23", SessionKind::group));
    r.journal.push_back(session("2026-11-24", SessionKind::group, "stress"));
    r.journal.push_back(session("2026-11-24", SessionKind::individual));
    std::get<Session>(r.journal.back()).hours = 3.0; // 9 hours in the week: no hours error
    Screen sc;
    sc.date = d("2026-11-24");
    r.journal.push_back(sc);
    CHECK(remind(p, r, "2026-11-24").empty());
    CHECK(remind(p, r, "2026-11-29").empty());
    CHECK(kinds(remind(p, r, "2026-11-30")) ==
          std::vector<std::string>{"group", "individual", "screen"});
}

TEST_CASE("group reminder says when the week's plan can no longer be met") {
    Program p = default_program();
    Record r = patient("2026-11-23");
    r.header.plan.groups_per_week = 3;
    auto rs = remind(p, r, "2026-11-28"); // 2 days left, 3 needed
    auto g = std::find_if(rs.begin(), rs.end(), [](const auto& x) { return x.kind == "group"; });
    REQUIRE(g != rs.end());
    CHECK(g->message.find("can no longer be met") != std::string::npos);
    rs = remind(p, r, "2026-11-27"); // 3 days left, 3 needed: still possible
    g = std::find_if(rs.begin(), rs.end(), [](const auto& x) { return x.kind == "group"; });
    REQUIRE(g != rs.end());
    CHECK(g->message.find("can no longer be met") == std::string::npos);
}

TEST_CASE("graduation review within the look-ahead, plan and medication reviews when due") {
    Program p = default_program();
    Record r = patient("2026-09-07"); // planned end 2026-11-29
    auto has = [](const std::vector<Reminder>& rs, const char* kind) {
        return std::any_of(rs.begin(), rs.end(), [&](const auto& x) { return x.kind == kind; });
    };
    CHECK(has(remind(p, r, "2026-11-24", 5), "graduation-review"));
    CHECK_FALSE(has(remind(p, r, "2026-11-24", 4), "graduation-review"));
    CHECK(has(remind(p, r, "2026-11-29", 0), "graduation-review"));
    CHECK_FALSE(has(remind(p, r, "2026-11-30", 30), "graduation-review")); // past the end

    Record m = patient("2026-11-02");
    Medication start;
    start.date = d("2026-11-03");
    start.name = "naltrexone";
    start.review_days = 14;
    m.journal.push_back(start);
    CHECK_FALSE(has(remind(p, m, "2026-11-16"), "medication-review"));
    CHECK(has(remind(p, m, "2026-11-17"), "medication-review")); // due day
    CHECK(has(remind(p, m, "2026-11-14", 3), "medication-review"));
    CHECK_FALSE(has(remind(p, m, "2026-12-01"), "plan-review"));
    CHECK(has(remind(p, m, "2026-12-02"), "plan-review")); // 30 days after enrollment
}

TEST_CASE("the plan review is due from the last review the assessment holds") {
    Program p = default_program();
    Record r = patient("2026-11-02");
    auto review = [&](const char* date) {
        Event e;
        e.type = EventType::plan_review;
        e.date = d(date);
        r.journal.push_back(e);
    };
    review("2026-11-20");
    review("2026-11-10"); // file order is not date order
    auto message = [&](const char* today) {
        for (const auto& x : remind(p, r, today))
            if (x.kind == "plan-review")
                return x.message;
        return std::string();
    };
    CHECK(message("2026-12-19") == "");
    CHECK(message("2026-12-20") == "plan review due 2026-12-20 (last review 2026-11-20)");
    CHECK(message("2026-12-21") == "plan review overdue since 2026-12-20 (last review 2026-11-20)");
    Record fresh = patient("2026-11-02");
    r = fresh;
    CHECK(message("2026-12-03") == "plan review overdue since 2026-12-02 (enrolled 2026-11-02)");
}

TEST_CASE("error findings come first; patients who left get nothing") {
    Program p = default_program();
    Record r = patient("2026-09-07");
    auto rs = remind(p, r, "2026-11-24");
    REQUIRE_FALSE(rs.empty());
    CHECK(rs.front().urgency == 0);
    CHECK(std::any_of(rs.begin(), rs.end(), [](const auto& x) { return x.kind == "lost-contact"; }));
    Event e;
    e.type = EventType::discharged;
    e.reason = "moved";
    e.date = d("2026-11-20");
    r.journal.push_back(e);
    CHECK(remind(p, r, "2026-11-24").empty());
}

TEST_SUITE_END();
