// The journal CSV (include/iop/journal_csv.hpp): a record written as rows
// reads back, through the import's own steps (header, row, the checks of
// commands/validate.hpp), to the same header and entries; the header's
// problems are named.
#include "iop/journal_csv.hpp"

#include "commands/common.hpp"
#include "commands/validate.hpp"
#include "iop/csv.hpp"
#include "iop/program.hpp"
#include "iop/record.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace {

iop::Date ymd(int y, unsigned m, unsigned d) {
    return iop::Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

template <typename T> T dated(T entry, iop::Date date, std::string by, std::string at) {
    entry.date = date;
    entry.recorded_by = std::move(by);
    entry.recorded_at = std::move(at);
    return entry;
}

// Every kind of entry and event, with text a spreadsheet or a CSV reader
// could take the wrong way: commas, quotes, line breaks, list separators,
// leading formula characters (also already neutralised ones), non-ASCII.
iop::Record hostile_record(const iop::Program& program) {
    iop::Record rec;
    iop::Header& h = rec.header;
    h.id = "P-0001";
    h.name = "=Zoë \"Jo\" O'Brien, Jr.";
    h.born = ymd(1985, 4, 12);
    h.enrolled = ymd(2026, 11, 2);
    h.clinician = "@Dr. Rivera; 北京";
    h.diagnosis = "Alcohol use disorder, moderate\n+ opioid use disorder, mild\n'-in remission";
    h.insurance = "'=Acme Health";
    h.plan = iop::Plan{12, 3, 1, 1};
    h.recorded_by = "jrivera";
    h.recorded_at = "2026-11-02T09:15:00Z";

    const std::string topic = program.topic_ids().front();
    iop::Session group;
    group.kind = iop::SessionKind::group;
    group.topic = topic;
    group.hours = 2.5;
    group.note = "first line, \"quoted\"\nsecond; line\n\n-- fourth line\n\tindented";
    rec.journal.push_back(dated(group, ymd(2026, 11, 3), "jrivera", "2026-11-03T19:02:11+02:00"));
    iop::Session individual;
    individual.kind = iop::SessionKind::individual;
    individual.hours = 1;
    individual.status = iop::SessionStatus::absent;
    individual.note = "=SUM(A1:A9)";
    rec.journal.push_back(
        dated(individual, ymd(2026, 11, 4), "=cmd|' /C calc'!A0", "2026-11-04T08:00:00.25-05:00"));
    iop::Session family;
    family.kind = iop::SessionKind::family;
    family.hours = 1.25;
    family.status = iop::SessionStatus::excused;
    rec.journal.push_back(dated(family, ymd(2026, 11, 5), "", "")); // as an old record may have

    iop::Screen positive;
    positive.result = iop::ScreenResult::positive;
    positive.substances = {"alcohol", "semi;colon", "back\\slash", "=opioids"};
    rec.journal.push_back(dated(positive, ymd(2026, 11, 6), "lab", "2026-11-06T10:00:00"));
    iop::Screen negative;
    rec.journal.push_back(dated(negative, ymd(2026, 11, 7), "lab", "2026-11-07T10:00:00Z"));

    iop::Medication start;
    start.action = iop::MedAction::start;
    start.name = "naltrexone, \"oral\"";
    start.dose = "-50 mg";
    start.review_days = 30;
    rec.journal.push_back(dated(start, ymd(2026, 11, 8), "drmd", "2026-11-08T12:00:00+05:30"));
    iop::Medication review;
    review.action = iop::MedAction::review;
    review.name = "naltrexone, \"oral\"";
    rec.journal.push_back(dated(review, ymd(2026, 11, 9), "drmd", "2026-11-09T12:00:00Z"));
    iop::Medication stop;
    stop.action = iop::MedAction::stop;
    stop.name = "'+buprenorphine";
    rec.journal.push_back(dated(stop, ymd(2026, 11, 10), "drmd", "2026-11-10T12:00:00Z"));

    iop::Event change;
    change.type = iop::EventType::plan_change;
    change.plan.weeks = 10;
    change.plan.individual_per_week = 2;
    change.text = "more individual sessions,\nfewer weeks";
    rec.journal.push_back(dated(change, ymd(2026, 11, 11), "jrivera", "2026-11-11T09:00:00Z"));
    iop::Event review_event;
    review_event.type = iop::EventType::plan_review;
    rec.journal.push_back(
        dated(review_event, ymd(2026, 11, 12), "jrivera", "2026-11-12T09:00:00-03:00"));
    iop::Event aftercare;
    aftercare.type = iop::EventType::aftercare;
    aftercare.sponsor = "\tSam \"S\" Smith,\t555-0100";
    aftercare.groups = {"AA", "NA; Tuesdays", "=SMART"};
    rec.journal.push_back(dated(aftercare, ymd(2026, 11, 13), "jrivera", "2026-11-13T09:00:00Z"));
    iop::Event note;
    note.type = iop::EventType::note;
    note.text = "-called, no answer\n@front desk: \"left a message\", 2x";
    rec.journal.push_back(dated(note, ymd(2026, 11, 14), "jrivera", "2026-11-14T09:00:00Z"));
    // The treatment plan (SPEC section 12): goals and objectives through
    // their actions, signatures (one declined), a session's objectives.
    iop::Goal goal;
    goal.ref = "G1";
    goal.problem = "=drinks daily; \"to cope\"\nwith work";
    goal.goal = "-stay sober, keep the job";
    goal.words = "I want my family back;\n\tand my job";
    goal.dimension = 5;
    rec.journal.push_back(dated(goal, ymd(2026, 11, 14), "jrivera", "2026-11-14T10:00:00Z"));
    iop::Goal revised;
    revised.ref = "G1";
    revised.action = iop::GoalAction::revise;
    revised.words = "+one day at a time";
    rec.journal.push_back(dated(revised, ymd(2026, 11, 15), "jrivera", "2026-11-15T10:00:00Z"));
    iop::Objective objective;
    objective.ref = "G1.1";
    objective.text = "name 3 triggers, 3 responses";
    objective.measure = "@plan reviewed";
    objective.target = ymd(2026, 12, 1);
    objective.interventions = {"relapse-prevention group; 3x a week", "back\\slash", "=CBT"};
    rec.journal.push_back(dated(objective, ymd(2026, 11, 14), "jrivera", "2026-11-14T10:01:00Z"));
    iop::Objective partly;
    partly.ref = "G1.1";
    partly.action = iop::ObjectiveAction::partly_achieved;
    partly.note = "2 of 3,\n\"so far\"";
    rec.journal.push_back(dated(partly, ymd(2026, 11, 16), "", ""));
    iop::Objective retarget;
    retarget.ref = "G1.1";
    retarget.action = iop::ObjectiveAction::revise;
    retarget.target = ymd(2026, 12, 15);
    retarget.interventions = std::vector<std::string>{"individual CBT weekly"};
    rec.journal.push_back(dated(retarget, ymd(2026, 11, 17), "jrivera", "2026-11-17T10:00:00Z"));
    iop::Objective dropped;
    dropped.ref = "G1.1";
    dropped.action = iop::ObjectiveAction::dropped;
    rec.journal.push_back(dated(dropped, ymd(2026, 11, 18), "jrivera", "2026-11-18T10:00:00Z"));
    iop::Goal achieved;
    achieved.ref = "G1";
    achieved.action = iop::GoalAction::achieved;
    achieved.note = "-sober 30 days";
    rec.journal.push_back(dated(achieved, ymd(2026, 11, 19), "jrivera", "2026-11-19T10:00:00Z"));
    iop::Event declined;
    declined.type = iop::EventType::signature;
    declined.role = iop::SignRole::patient;
    declined.plan_version = 3;
    declined.declined = true;
    declined.reason = "=would not sign,\ntoday";
    rec.journal.push_back(dated(declined, ymd(2026, 11, 19), "jrivera", "2026-11-19T11:00:00Z"));
    iop::Event signature;
    signature.type = iop::EventType::signature;
    signature.role = iop::SignRole::guardian;
    signature.signer = "'-Pat O'Brien, \"mother\"";
    signature.plan_version = 3;
    rec.journal.push_back(dated(signature, ymd(2026, 11, 19), "jrivera", "2026-11-19T11:01:00Z"));
    iop::Session addressed;
    addressed.kind = iop::SessionKind::individual;
    addressed.hours = 1;
    addressed.objectives = {"G1.1", "G2.10"};
    rec.journal.push_back(dated(addressed, ymd(2026, 11, 19), "jrivera", "2026-11-19T12:00:00Z"));

    // Level of care and payer (SPEC section 13).
    iop::AsamAssessment asam;
    asam.ratings = {0, 1, 2, 3, 4, 1};
    asam.level = "2.5";
    asam.note = "=step up?\n\"no bed\"; waiting";
    rec.journal.push_back(dated(asam, ymd(2026, 11, 19), "jrivera", "2026-11-19T13:00:00Z"));
    iop::AsamAssessment bare;
    rec.journal.push_back(dated(bare, ymd(2026, 11, 19), "", ""));
    iop::Authorization auth;
    auth.payer = "=Acme; \"Health\"";
    auth.number = "+PA-100";
    auth.from = ymd(2026, 11, 2);
    auth.to = ymd(2026, 11, 30);
    auth.units = 12;
    rec.journal.push_back(dated(auth, ymd(2026, 11, 2), "billing", "2026-11-02T13:00:00Z"));
    iop::Authorization hours;
    hours.payer = "Blue Plan";
    hours.number = "H-7";
    hours.from = ymd(2026, 12, 1);
    hours.to = ymd(2027, 1, 31);
    hours.units = 2000;
    hours.unit = iop::AuthUnit::hour;
    hours.next_review = ymd(2026, 12, 15);
    hours.note = "-call first,\nthen fax";
    rec.journal.push_back(dated(hours, ymd(2026, 11, 19), "billing", "2026-11-19T13:00:00Z"));
    iop::Event placement;
    placement.type = iop::EventType::placement;
    placement.reason = "no 2.5 bed nearby;\nstays in IOP";
    rec.journal.push_back(dated(placement, ymd(2026, 11, 19), "jrivera", "2026-11-19T14:00:00Z"));
    iop::Event certification;
    certification.type = iop::EventType::certification;
    certification.physician = "@Dr. Lee, MD";
    certification.text = "recertify in 60 days";
    rec.journal.push_back(dated(certification, ymd(2026, 11, 19), "drlee", "2026-11-19T15:00:00Z"));

    iop::Event graduated;
    graduated.type = iop::EventType::graduated;
    graduated.forced = true;
    graduated.reason = "moving away;\ncriteria nearly met";
    rec.journal.push_back(dated(graduated, ymd(2026, 11, 20), "jrivera", "2026-11-20T09:00:00Z"));
    iop::Event discharged;
    discharged.type = iop::EventType::discharged;
    discharged.reason = "transfer";
    discharged.text = "to the residential program";
    rec.journal.push_back(dated(discharged, ymd(2026, 11, 21), "jrivera", "2026-11-21T09:00:00Z"));
    return rec;
}

} // namespace

TEST_SUITE_BEGIN("journal_csv");

TEST_CASE("a record written as journal rows reads back to the same header and entries") {
    const iop::Program program = iop::default_program();
    const iop::Record rec = hostile_record(program);
    const iop::Date today = ymd(2026, 11, 26);

    std::string text = iop::journal_header() + iop::journal_rows(rec);
    iop::CsvTable table = iop::parse_csv(text);
    REQUIRE_FALSE(table.error);
    REQUIRE(table.rows.size() == 2 + rec.journal.size());

    std::vector<std::string> problems;
    std::optional<iop::FileHeader> header = iop::read_header(table.rows[0], problems);
    REQUIRE(header);
    CHECK(problems.empty());
    CHECK(header->layout == iop::Layout::journal);
    CHECK(header->width == iop::column_count);
    CHECK(header->as_written());

    using C = iop::Column;
    auto row = [&](std::size_t i, iop::RowKind expected) {
        std::optional<iop::RowReader> r = iop::read_row(*header, table.rows[i].cells);
        REQUIRE(r);
        std::optional<iop::RowKind> kind = iop::parse_row_kind(r->value(C::record));
        REQUIRE(kind);
        CHECK(*kind == expected);
        CHECK_NOTHROW(iop::reject_stray_values(*r, *kind));
        return *r;
    };

    // The patient row: the header as the record holds it.
    iop::Record back;
    {
        iop::RowReader r = row(1, iop::RowKind::patient);
        iop::PatientInput in = iop::patient_input(r);
        iop::Header& h = back.header;
        h = iop::patient_header(in, today, iop::Naming::column);
        h.plan = iop::patient_plan(in, program, iop::Naming::column);
        h.recorded_by = iop::row_recorded_by(r, "");
        h.recorded_at = iop::row_recorded_at(r, "");
        CHECK(iop::render_header(h) == iop::render_header(rec.header));
    }

    // Each entry row: the entry, byte for byte as the record file holds it.
    for (std::size_t i = 0; i < rec.journal.size(); ++i) {
        const iop::Entry& want = rec.journal[i];
        iop::RowKind expected =
            std::holds_alternative<iop::Session>(want)          ? iop::RowKind::session
            : std::holds_alternative<iop::Screen>(want)         ? iop::RowKind::screen
            : std::holds_alternative<iop::Medication>(want)     ? iop::RowKind::medication
            : std::holds_alternative<iop::Goal>(want)           ? iop::RowKind::goal
            : std::holds_alternative<iop::Objective>(want)      ? iop::RowKind::objective
            : std::holds_alternative<iop::AsamAssessment>(want) ? iop::RowKind::assessment
            : std::holds_alternative<iop::Authorization>(want)  ? iop::RowKind::authorization
                                                                : iop::RowKind::event;
        CAPTURE(i);
        iop::RowReader r = row(2 + i, expected);
        iop::Entry got = iop::entry_fields(r, expected, program).first;
        iop::EntryMeta& m = iop::meta(got);
        m.date = iop::parse_date_option("date", r.required(C::date));
        m.recorded_by = iop::row_recorded_by(r, "");
        m.recorded_at = iop::row_recorded_at(r, "");
        CHECK(iop::render_entry(got) == iop::render_entry(want));
        back.journal.push_back(std::move(got));
    }

    // And what was read is written as the same rows.
    CHECK(iop::journal_rows(back) == iop::journal_rows(rec));
}

TEST_CASE("each layout is told by its header, and a row has its kind's columns only") {
    std::vector<std::string> problems;
    auto layout = [&](const std::vector<std::string>& names) {
        problems.clear();
        auto h = iop::read_header(iop::CsvRow{1, names}, problems);
        REQUIRE(h);
        return h->layout;
    };
    CHECK(layout({"id", "name", "enrolled"}) == iop::Layout::patients);
    CHECK(layout({"id", "date", "kind"}) == iop::Layout::sessions);
    CHECK(layout({" id ", "date", "result"}) == iop::Layout::screens);
    CHECK(layout(iop::column_names()) == iop::Layout::journal);
    // SPEC section 13: an authorization file, its note not a session's.
    CHECK(layout({"id", "payer", "number", "from", "to", "units", "unit"}) ==
          iop::Layout::authorizations);
    CHECK(layout({"id", "payer", "number", "from", "to", "units", "note"}) ==
          iop::Layout::authorizations);
    CHECK(iop::layout_kind(iop::Layout::authorizations) == iop::RowKind::authorization);
    CHECK(iop::layout_kind(iop::Layout::screens) == iop::RowKind::screen);
    // A spreadsheet's headers: case, spaces, '_' and '-' aside, and aliases.
    CHECK(layout({"ID", "Name", "Enrolled"}) == iop::Layout::patients);
    CHECK(layout({"Patient ID", "Patient Name", "Enrollment Date", "Date of Birth",
                  "Groups-Per-Week"}) == iop::Layout::patients);
    CHECK(layout({"Patient", "Session Date", "Kind", "Attended"}) == iop::Layout::sessions);
    CHECK(layout({"patient_id", "DATE", "Result", "Substance"}) == iop::Layout::screens);
    // The roster's CSV: a session file with the patient's name.
    CHECK(layout({"id", "name", "date", "kind", "topic", "hours", "status"}) ==
          iop::Layout::sessions);
    CHECK(iop::header_column("Recorded By") == iop::Column::recorded_by);
    CHECK(iop::header_column("dob") == iop::Column::born);
    CHECK(iop::header_column("Attendance") == iop::Column::status);
    CHECK_FALSE(iop::header_column("Patients"));
    CHECK_FALSE(iop::header_column("day"));
    CHECK_FALSE(iop::layout_kind(iop::Layout::journal));

    // A header without both recorded_ columns is stamped, not taken as written.
    problems.clear();
    auto h = iop::read_header(iop::CsvRow{1, {"record", "id", "recorded_by"}}, problems);
    REQUIRE(h);
    CHECK_FALSE(h->as_written());

    // A journal row with a value in a column its kind does not use.
    problems.clear();
    h = iop::read_header(iop::CsvRow{1, {"record", "id", "date", "result", "type", "note"}},
                         problems);
    REQUIRE(h);
    auto r = iop::read_row(*h, {"screen", "P-1", "2026-11-03", "negative", "", "hello"});
    REQUIRE(r);
    CHECK_THROWS_WITH_AS(iop::reject_stray_values(*r, iop::RowKind::screen),
                         "1 value in 'note' for a screen row; leave it empty", iop::UsageError);
    auto event = iop::read_row(*h, {"event", "P-1", "2026-11-03", "negative", "discharged", ""});
    REQUIRE(event);
    CHECK_THROWS_WITH_AS(iop::reject_stray_values(*event, iop::RowKind::event),
                         "1 value in 'result' for a discharged event row; leave it empty",
                         iop::UsageError);

    // Rows of empty cells are skipped; a short row, bad UTF-8 or a value
    // under a nameless column are not.
    CHECK_FALSE(iop::read_row(*h, {"", " ", "", "\t", "", ""}));
    CHECK_THROWS_WITH_AS(iop::read_row(*h, {"screen", "P-1"}),
                         "the row has 2 fields while the header has 6", iop::UsageError);
    CHECK_THROWS_WITH_AS(iop::read_row(*h, {"screen", "P-1", "2026-11-03", "\xff", "", ""}),
                         "column 'result' is not valid UTF-8; save the file as \"CSV UTF-8\"",
                         iop::UsageError);
    problems.clear();
    auto sessions = iop::read_header(iop::CsvRow{1, {"id", "date", "kind", ""}}, problems);
    REQUIRE(sessions);
    CHECK_THROWS_WITH_AS(iop::read_row(*sessions, {"P-1", "2026-11-03", "group", "x"}),
                         "a value in column 4, which has no name in the header", iop::UsageError);
    // Cells are read with their formula escape undone, values trimmed.
    auto session = iop::read_row(*sessions, {" P-1 ", "2026-11-03", "'=group", ""});
    REQUIRE(session);
    CHECK(session->value(iop::Column::id) == "P-1");
    CHECK(session->text(iop::Column::id) == " P-1 ");
    CHECK(session->text(iop::Column::kind) == "=group");
    CHECK(session->text(iop::Column::note).empty());
    CHECK_THROWS_WITH_AS(session->required(iop::Column::topic), "topic is empty", iop::UsageError);
}

TEST_CASE("a header's problems are all named, and nothing is read from it") {
    auto problems_of = [](const std::vector<std::string>& names) {
        std::vector<std::string> problems;
        auto h = iop::read_header(iop::CsvRow{1, names}, problems);
        CHECK_FALSE(h);
        return problems;
    };
    CHECK(problems_of({"id", "name", "enrolled", "kind"}) ==
          std::vector<std::string>{
              "the header mixes patient columns and session columns; put each in its own file, "
              "or add a 'record' column that names what each row is (the journal layout iop "
              "export --format csv writes)"});
    CHECK(problems_of({"id", "date"}) ==
          std::vector<std::string>{
              "cannot tell what the file holds from its header: patients need "
              "id,name,enrolled,...; sessions id,date,kind,...; screens id,date,result,...; "
              "authorizations id,payer,number,from,to,units,unit; see docs/import-export.md"});
    CHECK(problems_of({"id", "date", "kind", "Kind", "tpoic", "colour"}) ==
          std::vector<std::string>{
              "column 'kind' appears twice in the header",
              "unknown columns 'tpoic' (did you mean 'topic'?), 'colour'; a session file has the "
              "columns 'id', 'name', 'date', 'kind', 'topic', 'hours', 'status', 'objectives', "
              "'note', 'recorded_by', 'recorded_at'"});
    CHECK(problems_of({"ID", "When"}) ==
          std::vector<std::string>{
              "unknown column 'When'",
              "cannot tell what the file holds from its header: patients need "
              "id,name,enrolled,...; sessions id,date,kind,...; screens id,date,result,...; "
              "authorizations id,payer,number,from,to,units,unit; see docs/import-export.md"});
    CHECK(problems_of({"id", "date", "result", "dose"}) ==
          std::vector<std::string>{
              "column 'dose' does not belong in a screen file; a screen file has the columns "
              "'id', 'date', 'result', 'substances', 'recorded_by', 'recorded_at'"});
    CHECK(problems_of({"name", "born"}) ==
          std::vector<std::string>{"missing columns 'id', 'enrolled': a patient file needs 'id', "
                                   "'name', 'enrolled'"});
    CHECK(problems_of({"record", "name"}) ==
          std::vector<std::string>{"missing column 'id': a journal file needs 'record', 'id'"});
}

TEST_CASE("goal, objective and signature rows are checked as the record's entries are") {
    const iop::Program program = iop::default_program();
    std::vector<std::string> problems;
    const auto header = iop::read_header(iop::CsvRow{1, iop::column_names()}, problems);
    REQUIRE(header);
    using C = iop::Column;
    // A journal row of `kind` with the given cells, checked.
    auto fields = [&](iop::RowKind kind, std::vector<std::pair<C, std::string>> values) {
        std::vector<std::string> cells(iop::column_count);
        cells[static_cast<std::size_t>(C::record)] = std::string(iop::to_string(kind));
        cells[static_cast<std::size_t>(C::id)] = "P-1";
        cells[static_cast<std::size_t>(C::date)] = "2026-11-03";
        for (const auto& [c, v] : values)
            cells[static_cast<std::size_t>(c)] = v;
        auto r = iop::read_row(*header, cells);
        REQUIRE(r);
        iop::reject_stray_values(*r, kind);
        return iop::entry_fields(*r, kind, program).first;
    };
    const auto goal = iop::RowKind::goal;
    const auto objective = iop::RowKind::objective;
    const auto event = iop::RowKind::event;

    auto g = fields(goal, {{C::ref, "G1"}, {C::action, "add"}, {C::problem, "p"}, {C::goal, "g"}});
    REQUIRE(std::holds_alternative<iop::Goal>(g));
    CHECK(std::get<iop::Goal>(g).problem == "p");
    CHECK_FALSE(std::get<iop::Goal>(g).words);
    CHECK_THROWS_WITH_AS(fields(goal, {{C::ref, "G1"}, {C::action, "add"}, {C::problem, "p"}}),
                         "a goal added needs a problem and a goal", iop::UsageError);
    CHECK_THROWS_WITH_AS(
        fields(goal, {{C::ref, "G1"}, {C::action, "add"}, {C::problem, " "}, {C::goal, "g"}}),
        "problem holds only spaces", iop::UsageError);
    CHECK_THROWS_WITH_AS(
        fields(goal, {{C::ref, "G01"}, {C::action, "add"}, {C::problem, "p"}, {C::goal, "g"}}),
        "ref 'G01' is not a goal reference such as G1", iop::UsageError);
    CHECK_THROWS_WITH_AS(fields(goal, {{C::ref, "G1"}, {C::action, "revise"}}),
                         "a goal revised changes nothing: give problem, goal, words or dimension",
                         iop::UsageError);
    CHECK_THROWS_WITH_AS(fields(goal, {{C::ref, "G1"}, {C::action, "revise"}, {C::dimension, "7"}}),
                         "dimension 7 is out of range 1..6", iop::UsageError);
    CHECK_THROWS_WITH_AS(fields(goal, {{C::ref, "G1"}, {C::action, "achieved"}, {C::words, "w"}}),
                         "a goal achieved carries no problem, goal, words or dimension: revise it "
                         "first",
                         iop::UsageError);
    CHECK_THROWS_AS(fields(goal, {{C::ref, "G1"}, {C::action, "done"}}), iop::UsageError);
    // A goal row has no objective's columns.
    CHECK_THROWS_WITH_AS(
        fields(goal, {{C::ref, "G1"}, {C::action, "achieved"}, {C::target, "2026-12-01"}}),
        "1 value in 'target' for a goal row; leave it empty", iop::UsageError);

    auto o = fields(objective, {{C::ref, "G1.1"},
                                {C::action, "add"},
                                {C::text, "t"},
                                {C::target, "2026-12-01"},
                                {C::interventions, "a; b\\;c "}});
    REQUIRE(std::holds_alternative<iop::Objective>(o));
    CHECK(std::get<iop::Objective>(o).interventions == std::vector<std::string>{"a", "b;c"});
    CHECK_THROWS_WITH_AS(fields(objective, {{C::ref, "G1.1"}, {C::action, "add"}, {C::text, "t"}}),
                         "an objective added needs a text and a target", iop::UsageError);
    CHECK_THROWS_WITH_AS(
        fields(objective,
               {{C::ref, "G1.1"}, {C::action, "add"}, {C::text, "t"}, {C::target, "2026-11-02"}}),
        "target 2026-11-02 is before the objective's date 2026-11-03", iop::UsageError);
    CHECK_THROWS_WITH_AS(
        fields(objective,
               {{C::ref, "G1"}, {C::action, "add"}, {C::text, "t"}, {C::target, "2026-12-01"}}),
        "ref 'G1' is not an objective reference such as G1.2", iop::UsageError);
    CHECK_THROWS_WITH_AS(
        fields(objective, {{C::ref, "G1.1"}, {C::action, "achieved"}, {C::text, "t"}}),
        "an objective marked achieved carries no text, measure, target or interventions: "
        "revise it first",
        iop::UsageError);
    CHECK_THROWS_WITH_AS(fields(objective, {{C::ref, "G1.1"}, {C::action, "revise"}}),
                         "an objective revised changes nothing: give text, measure, target or "
                         "interventions",
                         iop::UsageError);
    CHECK_THROWS_WITH_AS(
        fields(objective, {{C::ref, "G1.1"}, {C::action, "revise"}, {C::text, "a\x1b[2J"}}),
        "text holds a control character (\\x1b)", iop::UsageError);

    auto sig = fields(event, {{C::type, "signature"}, {C::role, "guardian"}, {C::name, "Pat"}});
    REQUIRE(std::holds_alternative<iop::Event>(sig));
    CHECK(std::get<iop::Event>(sig).role == iop::SignRole::guardian);
    CHECK(std::get<iop::Event>(sig).signer == "Pat");
    CHECK(std::get<iop::Event>(sig).plan_version == 0); // the import gives the version it stands at
    CHECK_THROWS_AS(fields(event, {{C::type, "signature"}, {C::role, "nurse"}}), iop::UsageError);
    CHECK_THROWS_WITH_AS(fields(event, {{C::type, "signature"}}), "role is empty", iop::UsageError);
    CHECK_THROWS_WITH_AS(
        fields(event, {{C::type, "signature"}, {C::role, "patient"}, {C::declined, "true"}}),
        "a declined signature needs a reason", iop::UsageError);
    CHECK_THROWS_WITH_AS(
        fields(event, {{C::type, "signature"}, {C::role, "patient"}, {C::plan_version, "0"}}),
        "plan_version 0 is out of range 1..1000000", iop::UsageError);
    CHECK_THROWS_WITH_AS(
        fields(event, {{C::type, "signature"}, {C::role, "patient"}, {C::problem, "p"}}),
        "1 value in 'problem' for a signature event row; leave it empty", iop::UsageError);

    auto session =
        fields(iop::RowKind::session, {{C::kind, "individual"}, {C::objectives, "G1.1; G2.3"}});
    CHECK(std::get<iop::Session>(session).objectives == std::vector<std::string>{"G1.1", "G2.3"});
    CHECK_THROWS_WITH_AS(
        fields(iop::RowKind::session, {{C::kind, "individual"}, {C::objectives, "G1"}}),
        "objectives holds 'G1', which is not an objective reference such as G1.2", iop::UsageError);
}

TEST_CASE("the column and row-kind names") {
    CHECK(iop::journal_header() == iop::export_row(iop::column_names()));
    CHECK(iop::row_kind_names() ==
          std::vector<std::string>{"patient", "session", "screen", "medication", "event", "goal",
                                   "objective", "assessment", "authorization"});
    for (const auto& name : iop::row_kind_names())
        CHECK(iop::to_string(*iop::parse_row_kind(name)) == name);
    CHECK_FALSE(iop::parse_row_kind("Patient"));
    // Every kind of row names its patient and says who recorded it; only
    // the journal layout's `record` column says what a row is.
    for (auto k : {iop::RowKind::patient, iop::RowKind::session, iop::RowKind::screen,
                   iop::RowKind::medication, iop::RowKind::event, iop::RowKind::goal,
                   iop::RowKind::objective}) {
        const auto& cols = iop::kind_columns(k);
        CHECK(cols.front() == iop::Column::id);
        CHECK(cols[cols.size() - 2] == iop::Column::recorded_by);
        CHECK(cols.back() == iop::Column::recorded_at);
        CHECK(std::count(cols.begin(), cols.end(), iop::Column::record) == 0);
    }
}

TEST_SUITE_END();
