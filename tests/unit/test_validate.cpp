// The checks a new patient or entry must pass (src/commands/validate.hpp),
// shared by the commands and by import: the same values give the same
// verdict whether they came from an option or a CSV column, named as such.
#include "commands/validate.hpp"
#include "iop/error.hpp"
#include "iop/program.hpp"
#include "testutil.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace iop;
using testutil::ymd;

namespace {

// The message of the UsageError `f` throws, or "" when it throws none.
template <typename F> std::string usage_error(F f) {
    try {
        f();
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

PatientInput patient(std::string name = "Jane Doe") {
    PatientInput in;
    in.id = "P-0001";
    in.name = std::move(name);
    return in;
}

} // namespace

TEST_SUITE_BEGIN("validate");

TEST_CASE("value_name: an option or a column") {
    CHECK(value_name(Naming::option, "hours") == "--hours");
    CHECK(value_name(Naming::option, "groups_per_week") == "--groups-per-week");
    CHECK(value_name(Naming::option, "enrolled") == "--start");
    CHECK(value_name(Naming::column, "enrolled") == "enrolled");
    CHECK(value_name(Naming::column, "groups_per_week") == "groups_per_week");
}

TEST_CASE("parse_hours: a plain decimal within a session's bounds") {
    CHECK(parse_hours("--hours", "3") == 3.0);
    CHECK(parse_hours("--hours", "1.25") == 1.25);
    CHECK(parse_hours("--hours", "12") == 12.0);
    for (const char* bad : {"0x1p1", "1e0", "-1", "+1", "1.255", " 1", "inf", "nan", ""})
        CHECK(usage_error([&] { parse_hours("--hours", bad); }).find("is not a number of hours") !=
              std::string::npos);
    CHECK(usage_error([] { parse_hours("hours", "12.5"); }) ==
          "hours 12.5 is out of range: a session lasts 0.1 to 12 hours");
    CHECK(usage_error([] { parse_hours("--hours", "0"); }).find("out of range") !=
          std::string::npos);
}

TEST_CASE("patient_header: id, name, dates and texts") {
    Date today = ymd(2026, 11, 30);
    Header h = patient_header(patient(), today, Naming::option);
    CHECK(h.id == "P-0001");
    CHECK(h.name == "Jane Doe");
    CHECK(h.enrolled == today);
    PatientInput in = patient();
    in.enrolled = "2026-11-02";
    in.born = "1985-04-12";
    in.diagnosis = "line one\nline two"; // diagnosis may span lines
    h = patient_header(in, today, Naming::column);
    CHECK(h.enrolled == ymd(2026, 11, 2));
    CHECK(h.born == ymd(1985, 4, 12));
    CHECK(h.diagnosis == "line one\nline two");

    CHECK(usage_error([&] { patient_header(patient("   "), today, Naming::option); }) ==
          "--name holds only spaces");
    CHECK(usage_error([&] {
              patient_header(patient("a\nb"), today, Naming::column);
          }).rfind("name holds a line break", 0) == 0);
    in = patient();
    in.born = "2027-01-01";
    in.enrolled = "2026-11-02";
    CHECK(usage_error([&] { patient_header(in, today, Naming::option); }) ==
          "--born 2027-01-01 is after the start of treatment (2026-11-02)");
    in = patient();
    in.id = "../x";
    CHECK(usage_error([&] {
              patient_header(in, today, Naming::option);
          }).rfind("invalid patient id", 0) == 0);
}

TEST_CASE("patient_plan: the program's defaults and bounds") {
    Program p = default_program();
    Plan plan = patient_plan(patient(), p, Naming::option);
    CHECK(plan.weeks == p.weeks.default_value);
    CHECK(plan.groups_per_week == p.groups_per_week.default_value);
    PatientInput in = patient();
    in.groups_per_week = 6;
    CHECK(usage_error([&] { patient_plan(in, p, Naming::option); }).find("--groups-per-week") !=
          std::string::npos);
    CHECK(usage_error([&] { patient_plan(in, p, Naming::column); }).find("groups_per_week") !=
          std::string::npos);
}

TEST_CASE("sessions: fields, then the program's topic and default hours") {
    Program p = default_program();
    SessionInput in;
    in.kind = "group";
    in.topic = "illness";
    Session s = session_fields(in, Naming::option);
    session_program(s, in, p, Naming::option);
    CHECK(s.kind == SessionKind::group);
    CHECK(s.topic == "illness");
    CHECK(s.hours == p.group_hours);

    in.kind = "grop";
    CHECK(usage_error([&] { session_fields(in, Naming::option); }).find("--kind") !=
          std::string::npos);
    in.kind = "group";
    in.topic = "ilness";
    s = session_fields(in, Naming::option);
    CHECK(usage_error([&] {
              session_program(s, in, p, Naming::option);
          }).rfind("unknown topic 'ilness' (did you mean 'illness'?)", 0) == 0);
    in.topic.reset();
    CHECK(usage_error([&] {
              session_program(s, in, p, Naming::option);
          }).rfind("a group session needs --topic", 0) == 0);
    CHECK(usage_error([&] {
              session_program(s, in, p, Naming::column);
          }).rfind("a group session needs a topic", 0) == 0);

    SessionInput ind;
    ind.kind = "individual";
    ind.hours = "1.5";
    ind.note = "first\nsecond"; // a note may span lines
    s = session_fields(ind, Naming::option);
    session_program(s, ind, p, Naming::option);
    CHECK(s.hours == 1.5);
    CHECK(s.note == "first\nsecond");
    ind.note = "bad \x1b[2J";
    CHECK(usage_error([&] { session_fields(ind, Naming::option); }) ==
          "--note holds a control character (\\x1b)");
}

TEST_CASE("identical_session: same date, kind, topic and status") {
    Record r;
    Session a;
    a.date = ymd(2026, 11, 3);
    a.kind = SessionKind::group;
    a.topic = "illness";
    r.journal.emplace_back(a);
    Session b = a;
    b.hours = 2.0; // hours and notes do not tell sessions apart
    b.note = "x";
    CHECK(identical_session(r, b) == &std::get<Session>(r.journal[0]));
    b.status = SessionStatus::absent;
    CHECK(identical_session(r, b) == nullptr);
    b = a;
    b.topic = "stress";
    CHECK(identical_session(r, b) == nullptr);
    b = a;
    b.date = ymd(2026, 11, 4);
    CHECK(identical_session(r, b) == nullptr);
}

TEST_CASE("entry_day and entry_date: not after today; entry_date not before enrollment") {
    const Date today = ymd(2026, 11, 10);
    CHECK(entry_day(today, std::nullopt, Naming::option) == today);
    CHECK(entry_day(today, std::string("2026-11-09"), Naming::option) == ymd(2026, 11, 9));
    CHECK(entry_day(today, std::string("yesterday"), Naming::option) == ymd(2026, 11, 9));
    CHECK(usage_error([&] { entry_day(today, std::string("2026-11-11"), Naming::option); }) ==
          "--date 2026-11-11 is after today (2026-11-10); entries record what happened, not "
          "plans");
    CHECK(usage_error([&] {
              entry_day(today, std::string("yesterday"), Naming::column);
          }).rfind("date 'yesterday' is not a valid date", 0) == 0);
    Record r;
    r.header.id = "P-0001";
    r.header.enrolled = ymd(2026, 11, 2);
    CHECK(entry_date(r, today, std::string("2026-11-02"), Naming::option) == ymd(2026, 11, 2));
    CHECK(usage_error([&] { entry_date(r, today, std::string("2026-11-01"), Naming::column); }) ==
          "date 2026-11-01 is before P-0001 was enrolled (2026-11-02)");
    CHECK(usage_error([&] {
              entry_date(r, today, std::string("2026-11-11"), Naming::option);
          }).find("is after today") != std::string::npos);
}

TEST_CASE("screen_fields: result and substances") {
    ScreenInput in;
    in.result = "positive";
    in.substances = {"alcohol", "cocaine"};
    Screen s = screen_fields(in, Naming::option);
    CHECK(s.result == ScreenResult::positive);
    CHECK(s.substances.size() == 2);
    in.result = "postive";
    CHECK(usage_error([&] { screen_fields(in, Naming::column); }).rfind("result", 0) == 0);
    in.result = "positive";
    in.substances = {" alcohol"};
    CHECK(usage_error([&] { screen_fields(in, Naming::option); }).find("--substance") !=
          std::string::npos);
}

TEST_CASE("screen_fields: pending, and substances only with a positive result") {
    ScreenInput in;
    in.result = "pending";
    CHECK(screen_fields(in, Naming::option).result == ScreenResult::pending);
    in.substances = {"cocaine"};
    CHECK(usage_error([&] { screen_fields(in, Naming::option); }) ==
          "--substance names a substance found; a pending screen found none");
    in.result = "negative";
    CHECK(usage_error([&] { screen_fields(in, Naming::column); }) ==
          "substances names a substance found; a negative screen found none");
}

TEST_CASE("require_active: an ended patient takes no entries") {
    Program p = default_program();
    Record r;
    r.header.id = "P-0001";
    r.header.enrolled = ymd(2026, 11, 2);
    CHECK_NOTHROW(require_active(r, p));
    Event e;
    e.type = EventType::discharged;
    e.reason = "moved";
    e.date = ymd(2026, 11, 20);
    r.journal.emplace_back(e);
    try {
        require_active(r, p);
        FAIL("no Refused");
    } catch (const Refused& x) {
        CHECK(std::string(x.what()) ==
              "patient 'P-0001' was discharged on 2026-11-20; no further entries are accepted");
    }
}

TEST_CASE("require_accepts: late entries up to the end of treatment") {
    Program p = default_program();
    Record r;
    r.header.id = "P-0001";
    r.header.enrolled = ymd(2026, 11, 2);
    Screen late;
    late.date = ymd(2026, 11, 25);
    CHECK_NOTHROW(require_accepts(r, p, late)); // active: anything
    Event end;
    end.type = EventType::graduated;
    end.date = ymd(2026, 11, 20);
    r.journal.emplace_back(end);
    Screen on_the_day;
    on_the_day.date = ymd(2026, 11, 20);
    CHECK_NOTHROW(require_accepts(r, p, on_the_day));
    Session before;
    before.date = ymd(2026, 11, 18);
    CHECK_NOTHROW(require_accepts(r, p, before));
    try {
        require_accepts(r, p, late);
        FAIL("no Refused");
    } catch (const Refused& x) {
        CHECK(std::string(x.what()) ==
              "patient 'P-0001' was graduated on 2026-11-20; an entry dated 2026-11-25 is after "
              "it (only entries dated on or before 2026-11-20 are accepted)");
    }
    Event note;
    note.type = EventType::note;
    note.text = "called";
    note.date = ymd(2026, 11, 25);
    CHECK_NOTHROW(require_accepts(r, p, note));
    Event again;
    again.type = EventType::discharged;
    again.reason = "moved";
    again.date = ymd(2026, 11, 19);
    CHECK_THROWS_AS(require_accepts(r, p, again), Refused);
}

TEST_CASE("a status cell takes a spreadsheet's spellings") {
    using S = SessionStatus;
    for (const char* text : {"attended", "Attended", "present", "PRESENT"})
        CHECK(session_status_cell(text) == S::attended);
    for (const char* text : {"absent", "no show", "no-show", "No Show", "noshow", "no_show"})
        CHECK(session_status_cell(text) == S::absent);
    for (const char* text : {"excused", "excused absence", "Excused-Absence"})
        CHECK(session_status_cell(text) == S::excused);
    CHECK(usage_error([] { session_status_cell("here"); }) ==
          "status 'here' is not valid; valid values: attended, absent, excused (also present, "
          "no show, excused absence)");
    CHECK(usage_error([] { session_status_cell("yes"); }) != "");
}

TEST_CASE("same_entry: goals, objectives and signatures by every value") {
    Goal g;
    g.ref = "G1";
    g.date = ymd(2026, 11, 3);
    g.problem = "p";
    g.goal = "g";
    Goal h = g;
    h.recorded_by = "someone else"; // who and when aside
    CHECK(same_entry(g, h));
    h = g;
    h.ref = "G2";
    CHECK_FALSE(same_entry(g, h));
    h = g;
    h.words = "w";
    CHECK_FALSE(same_entry(g, h));
    h = g;
    h.dimension = 2;
    CHECK_FALSE(same_entry(g, h));
    h = g;
    h.action = GoalAction::revise;
    CHECK_FALSE(same_entry(g, h));

    Objective o;
    o.ref = "G1.1";
    o.date = ymd(2026, 11, 3);
    o.text = "t";
    o.target = ymd(2026, 12, 1);
    Objective p = o;
    CHECK(same_entry(o, p));
    p.target = ymd(2026, 12, 2);
    CHECK_FALSE(same_entry(o, p));
    p = o;
    p.interventions = std::vector<std::string>{"CBT"};
    CHECK_FALSE(same_entry(o, p));
    p = o;
    p.note = "n";
    CHECK_FALSE(same_entry(o, p));
    CHECK_FALSE(same_entry(o, g));

    Event s;
    s.type = EventType::signature;
    s.date = ymd(2026, 11, 4);
    s.role = SignRole::patient;
    s.plan_version = 3;
    Event t = s;
    CHECK(same_entry(s, t));
    t.role = SignRole::clinician;
    CHECK_FALSE(same_entry(s, t));
    t = s;
    t.signer = "Jane";
    CHECK_FALSE(same_entry(s, t));
    t = s;
    t.plan_version = 4;
    CHECK_FALSE(same_entry(s, t));
    t = s;
    t.declined = true;
    t.reason = "r";
    CHECK_FALSE(same_entry(s, t));
}

// Two voids of the same day and reason void different entries; two
// amendments with the same reason change different keys. Neither is a
// duplicate of the other (an import would otherwise skip the second).
TEST_CASE("same_entry: voids by the entry they void, amendments by what they change") {
    Event v;
    v.type = EventType::void_;
    v.date = ymd(2026, 11, 4);
    v.entry = "0123abcd";
    v.reason = "wrong patient";
    Event w = v;
    CHECK(same_entry(v, w));
    w.entry = "0123abce";
    CHECK_FALSE(same_entry(v, w));

    Event a;
    a.type = EventType::amend;
    a.date = ymd(2026, 11, 4);
    a.reason = "typo";
    a.amend.name = "Jane Doe";
    Event b = a;
    CHECK(same_entry(a, b));
    b.amend.name = "Jane Roe";
    CHECK_FALSE(same_entry(a, b));
    b = a;
    b.amend.name.reset();
    b.amend.clinician = "Dr. Rivera";
    CHECK_FALSE(same_entry(a, b));
    b = a;
    b.amend.born = ymd(1985, 4, 12);
    CHECK_FALSE(same_entry(a, b));

    Event c;
    c.type = EventType::certification;
    c.date = ymd(2026, 11, 4);
    c.physician = "Dr. Chen";
    Event d = c;
    CHECK(same_entry(c, d));
    d.physician = "Dr. Park";
    CHECK_FALSE(same_entry(c, d));
}

TEST_SUITE_END();
