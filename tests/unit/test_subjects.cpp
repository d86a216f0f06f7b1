// Commit subjects (src/commands/common.hpp): each writing command names its
// change by the id, the kind and the date, never by a patient's name or free
// text.
#include "commands/common.hpp"
#include "testutil.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <string>

TEST_SUITE_BEGIN("subjects");

using testutil::ymd;

TEST_CASE("commit subjects name the command, the id, the kind and the date") {
    iop::Session s;
    s.date = ymd(2026, 11, 3);
    s.kind = iop::SessionKind::group;
    s.topic = "illness";
    CHECK(iop::entry_subject("P-0001", s) == "attend P-0001: group, illness, 2026-11-03");
    s.kind = iop::SessionKind::individual;
    s.topic.clear();
    s.status = iop::SessionStatus::absent;
    s.note = "free text never goes into a subject";
    CHECK(iop::entry_subject("P-0001", s) == "attend P-0001: individual, 2026-11-03, absent");

    iop::Screen sc;
    sc.date = ymd(2026, 11, 4);
    sc.result = iop::ScreenResult::positive;
    CHECK(iop::entry_subject("P-0002", sc) == "screen P-0002: positive, 2026-11-04");

    iop::Medication m;
    m.date = ymd(2026, 11, 5);
    m.action = iop::MedAction::start;
    m.name = "naltrexone";
    // No medication name in a commit message.
    CHECK(iop::entry_subject("P-0003", m) == "med P-0003: start, 2026-11-05");
    m.action = iop::MedAction::stop;
    CHECK(iop::entry_subject("P-0003", m) == "med P-0003: stop, 2026-11-05");

    iop::Event e;
    e.date = ymd(2026, 11, 26);
    e.type = iop::EventType::plan_change;
    e.plan.weeks = 12;
    e.plan.groups_per_week = 2;
    CHECK(iop::entry_subject("P-0004", e) ==
          "plan P-0004: change (weeks 12, groups_per_week 2), 2026-11-26");
    e.type = iop::EventType::plan_review;
    CHECK(iop::entry_subject("P-0004", e) == "plan P-0004: review, 2026-11-26");
    e.type = iop::EventType::aftercare;
    e.sponsor = "Luis M.";
    CHECK(iop::entry_subject("P-0004", e) == "aftercare P-0004: 2026-11-26");
    e.type = iop::EventType::graduated;
    CHECK(iop::entry_subject("P-0004", e) == "graduate P-0004: 2026-11-26");
    e.forced = true;
    CHECK(iop::entry_subject("P-0004", e) == "graduate P-0004: forced, 2026-11-26");
    e.type = iop::EventType::discharged;
    e.reason = "moved";
    CHECK(iop::entry_subject("P-0004", e) == "discharge P-0004: moved, 2026-11-26");
}

TEST_CASE("enroll, import and init subjects; no patient name") {
    iop::Header h;
    h.id = "P-0007";
    h.name = "Jane Doe";
    h.enrolled = ymd(2026, 11, 30);
    h.plan.weeks = 10;
    CHECK(iop::enroll_subject(h) == "enroll P-0007: from 2026-11-30, 10 weeks");
    CHECK(iop::import_subject("/tmp/x/sessions.csv", "imported 2 sessions for 2 patients") ==
          "import sessions.csv: imported 2 sessions for 2 patients");
    CHECK(iop::import_subject("-", "enrolled 1 patient") == "import stdin: enrolled 1 patient");
    CHECK(iop::init_subject().starts_with("init: "));
    // A file name with control characters goes in escaped, never raw.
    CHECK(iop::import_subject("/tmp/a\x1b[31m.csv", "enrolled 1 patient") ==
          "import a\\x1b[31m.csv: enrolled 1 patient");
    CHECK(iop::import_subject("x\nforged: subject.csv", "s") ==
          "import x\\nforged: subject.csv: s");
}

TEST_CASE("a date formats as format_date writes it") {
    CHECK(fmt::format("{}", ymd(2026, 11, 3)) == "2026-11-03");
    CHECK(fmt::format("[{:>12}]", ymd(1999, 1, 2)) == "[  1999-01-02]");
}

TEST_SUITE_END();
