// A patient record (include/iop/record.hpp): rendering and parsing back,
// the fold of the journal, load errors with positions, ids and text helpers.
#include "iop/error.hpp"
#include "iop/program.hpp"
#include "iop/record.hpp"
#include "testutil.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

using testutil::ymd;

namespace {

const std::string file = "patients/P-0001.toml";

iop::Header sample_header() {
    iop::Header h;
    h.id = "P-0001";
    h.name = "Jane Doe";
    h.born = ymd(1985, 4, 12);
    h.enrolled = ymd(2026, 11, 2);
    h.clinician = "Dr. Rivera";
    h.diagnosis = "Alcohol use disorder, moderate";
    h.insurance = "Acme Health";
    h.recorded_by = "jrivera";
    h.recorded_at = "2026-11-02T09:15:00Z";
    h.plan = iop::Plan{12, 3, 1, 1};
    return h;
}

template <typename T> T with_meta(T entry, iop::Date date, std::string by = "jrivera") {
    entry.date = date;
    entry.recorded_by = std::move(by);
    entry.recorded_at = "2026-11-03T17:02:11Z";
    return entry;
}

iop::Record render_and_parse(const iop::Header& h, const std::vector<iop::Entry>& entries) {
    std::string text = iop::render_header(h);
    for (const auto& e : entries)
        text += iop::render_entry(e);
    return iop::parse_record(text, file);
}

// Renders one entry after the sample header and returns it parsed back.
template <typename T> T round_trip(const T& entry) {
    iop::Record r = render_and_parse(sample_header(), {iop::Entry{entry}});
    REQUIRE(r.journal.size() == 1);
    REQUIRE(std::holds_alternative<T>(r.journal[0]));
    return std::get<T>(r.journal[0]);
}

void check_meta(const iop::EntryMeta& got, const iop::EntryMeta& want) {
    CHECK(got.date == want.date);
    CHECK(got.recorded_by == want.recorded_by);
    CHECK(got.recorded_at == want.recorded_at);
}

// The first ten lines of a hand-written record; entries start on line 11.
const std::string base = testutil::jane_doe_header;

std::string session_block(const std::string& date, const std::string& kind = "group",
                          const std::string& topic = "illness", const std::string& hours = "3.0",
                          const std::string& status = "attended") {
    std::string out = "\n[[session]]\ndate = " + date + "\nkind = \"" + kind + "\"\n";
    if (!topic.empty())
        out += "topic = \"" + topic + "\"\n";
    out += "hours = " + hours + "\nstatus = \"" + status + "\"\n";
    return out;
}

std::optional<iop::DataError> load_error(const std::string& text) {
    return testutil::data_error([&] { iop::parse_record(text, file); });
}


// Line (1-based) of the n-th occurrence (0-based) of `needle` in `text`.
int line_of(const std::string& text, const std::string& needle, int nth = 0) {
    std::size_t at = text.find(needle);
    for (int i = 0; i < nth && at != std::string::npos; ++i)
        at = text.find(needle, at + 1);
    REQUIRE(at != std::string::npos);
    return 1 +
           static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

} // namespace

TEST_SUITE_BEGIN("record");

// ---------------------------------------------------------------- header

TEST_CASE("render_header writes the SPEC layout") {
    std::string text = iop::render_header(sample_header());
    CHECK(text == "schema_version = 1\n"
                  "id = \"P-0001\"\n"
                  "name = \"Jane Doe\"\n"
                  "born = 1985-04-12\n"
                  "enrolled = 2026-11-02\n"
                  "clinician = \"Dr. Rivera\"\n"
                  "diagnosis = \"Alcohol use disorder, moderate\"\n"
                  "insurance = \"Acme Health\"\n"
                  "recorded_by = \"jrivera\"\n"
                  "recorded_at = 2026-11-02T09:15:00Z\n"
                  "\n"
                  "[plan]\n"
                  "weeks = 12\n"
                  "groups_per_week = 3\n"
                  "individual_per_week = 1\n"
                  "family_per_week = 1\n");
}

TEST_CASE("render_header parses back to the same header") {
    iop::Header h = sample_header();
    iop::Record r = render_and_parse(h, {});
    CHECK(r.file == file);
    CHECK(r.journal.empty());
    CHECK(r.header.id == "P-0001");
    CHECK(r.header.name == "Jane Doe");
    REQUIRE(r.header.born.has_value());
    CHECK(*r.header.born == ymd(1985, 4, 12));
    CHECK(r.header.enrolled == ymd(2026, 11, 2));
    CHECK(r.header.clinician == "Dr. Rivera");
    CHECK(r.header.diagnosis == "Alcohol use disorder, moderate");
    CHECK(r.header.insurance == "Acme Health");
    CHECK(r.header.recorded_by == "jrivera");
    CHECK(r.header.recorded_at == "2026-11-02T09:15:00Z");
    CHECK(r.header.plan.weeks == 12);
    CHECK(r.header.plan.groups_per_week == 3);
    CHECK(r.header.plan.individual_per_week == 1);
    CHECK(r.header.plan.family_per_week == 1);

    // Optional fields left out stay out.
    iop::Header bare;
    bare.id = "a";
    bare.name = "A";
    bare.enrolled = ymd(2026, 1, 1);
    bare.plan = iop::Plan{3, 2, 0, 0};
    std::string text = iop::render_header(bare);
    CHECK(text.find("born") == std::string::npos);
    CHECK(text.find("clinician") == std::string::npos);
    CHECK(text.find("recorded_at") == std::string::npos);
    iop::Record b = iop::parse_record(text, "patients/a.toml");
    CHECK(b.header.id == "a");
    CHECK_FALSE(b.header.born.has_value());
    CHECK(b.header.clinician == "");
    CHECK(b.header.recorded_by == "");
    CHECK(b.header.plan.weeks == 3);
    CHECK(b.header.plan.groups_per_week == 2);
    CHECK(b.header.plan.individual_per_week == 0);
    CHECK(b.header.plan.family_per_week == 0);
}

TEST_CASE("strings with quotes, backslashes, newlines and unicode survive") {
    const std::string one_line = "Zoë \"Jo\" O'Brien \\ C:\\path\ttab "
                                 "日本語 🙂 '''\"\"\" # not a comment";
    const std::string tricky = one_line + "\nsecond line\n\tthird";
    iop::Header h = sample_header();
    h.name = one_line;
    h.clinician = "Dr. \"Quote\"";
    h.diagnosis = "line1\nline2";
    h.insurance = "back\\slash";
    iop::Session s = with_meta(iop::Session{}, ymd(2026, 11, 3), "user \"x\"");
    s.topic = "illness";
    s.hours = 3;
    s.note = tricky;
    iop::Event n = with_meta(iop::Event{}, ymd(2026, 11, 4));
    n.type = iop::EventType::note;
    n.text = tricky;
    iop::Screen sc = with_meta(iop::Screen{}, ymd(2026, 11, 5));
    sc.substances = {one_line, "a,b"};
    iop::Record r = render_and_parse(h, {s, n, sc});
    CHECK(r.header.name == one_line);
    CHECK(r.header.clinician == "Dr. \"Quote\"");
    CHECK(r.header.diagnosis == "line1\nline2");
    CHECK(r.header.insurance == "back\\slash");
    REQUIRE(r.journal.size() == 3);
    CHECK(std::get<iop::Session>(r.journal[0]).note == tricky);
    CHECK(std::get<iop::Session>(r.journal[0]).recorded_by == "user \"x\"");
    CHECK(std::get<iop::Event>(r.journal[1]).text == tricky);
    CHECK(std::get<iop::Screen>(r.journal[2]).substances ==
          std::vector<std::string>{one_line, "a,b"});
}

TEST_CASE("load: every string follows the free-text rule, naming the key, never the text") {
    struct Case {
        std::string line, detail;
    };
    const std::string name_line = "name = \"Jane Doe\"\n";
    for (const Case& c : std::vector<Case>{
             {"name = \"Jane\\nDoe\"\n", "'name' holds a line break (\\n); this field is one line"},
             {"name = \"   \"\n", "'name' holds only spaces"},
             {"name = \"\"\n", "'name' is empty"},
             {name_line + "clinician = \"Dr\\u001b[2J\"\n",
              "'clinician' holds a control character (\\x1b)"},
             {name_line + "insurance = \"x\\u0085\"\n",
              "'insurance' holds a control character (\\u{0085})"},
             {name_line + "diagnosis = \"x\\u202Ey\"\n",
              "'diagnosis' holds a control character (\\u{202e})"},
             {name_line + "diagnosis = \"a\\r\\nb\"\n",
              "'diagnosis' holds a control character (\\r)"},
             {name_line + "recorded_by = \"a\\u2028b\"\n",
              "'recorded_by' holds a control character (\\u{2028})"},
         }) {
        std::string text = base;
        text.replace(text.find(name_line), name_line.size(), c.line);
        CAPTURE(c.line);
        REQUIRE_LOAD_ERROR(e, text);
        CHECK(e.detail() == c.detail);
    }
    REQUIRE_LOAD_ERROR(sub, base + "\n[[screen]]\ndate = 2026-11-03\nresult = \"positive\"\n"
                                   "substances = [\"ok\", \" x\"]\n");
    CHECK(sub.detail() ==
          "an item of '[[screen]].substances' begins or ends with a space; a list item is trimmed");
    REQUIRE_LOAD_ERROR(note, base + "\n[[event]]\ntype = \"note\"\ndate = 2026-11-03\n"
                                    "text = \"a\\u0007\"\n");
    CHECK(note.detail() == "'[[event]].text' holds a control character (\\x07)");
}

// ---------------------------------------------------------------- entries

TEST_CASE("render_entry: a session starts with a blank line and ends with a newline") {
    iop::Session s = with_meta(iop::Session{}, ymd(2026, 11, 3));
    s.kind = iop::SessionKind::group;
    s.topic = "illness";
    s.hours = 3;
    s.status = iop::SessionStatus::attended;
    CHECK(iop::render_entry(s) == "\n[[session]]\n"
                                  "date = 2026-11-03\n"
                                  "kind = \"group\"\n"
                                  "topic = \"illness\"\n"
                                  "hours = 3.0\n"
                                  "status = \"attended\"\n"
                                  "recorded_by = \"jrivera\"\n"
                                  "recorded_at = 2026-11-03T17:02:11Z\n");
}

TEST_CASE("sessions of every kind and status round-trip, with a note") {
    const iop::SessionKind kinds[] = {iop::SessionKind::group, iop::SessionKind::individual,
                                      iop::SessionKind::family};
    const iop::SessionStatus statuses[] = {iop::SessionStatus::attended, iop::SessionStatus::absent,
                                           iop::SessionStatus::excused};
    for (auto kind : kinds) {
        for (auto status : statuses) {
            CAPTURE(iop::to_string(kind));
            CAPTURE(iop::to_string(status));
            iop::Session s = with_meta(iop::Session{}, ymd(2026, 11, 3));
            s.kind = kind;
            s.topic = kind == iop::SessionKind::group ? "relapse-prevention" : "";
            s.hours = kind == iop::SessionKind::group ? 2.5 : 1.0;
            s.status = status;
            s.note = "note for " + std::string(iop::to_string(status));
            iop::Session got = round_trip(s);
            check_meta(got, s);
            CHECK(got.kind == kind);
            CHECK(got.topic == s.topic);
            CHECK(got.hours == s.hours);
            CHECK(got.status == status);
            CHECK(got.note == s.note);
            CHECK(got.pos.line == 18); // 16 header lines, a blank, then [[session]]
            CHECK(got.pos.column == 1);
        }
    }
}

TEST_CASE("a screen round-trips, with and without substances") {
    iop::Screen sc = with_meta(iop::Screen{}, ymd(2026, 11, 4));
    sc.result = iop::ScreenResult::positive;
    sc.substances = {"opioids", "cannabis"};
    iop::Screen got = round_trip(sc);
    check_meta(got, sc);
    CHECK(got.result == iop::ScreenResult::positive);
    CHECK(got.substances == std::vector<std::string>{"opioids", "cannabis"});
    CHECK(iop::render_entry(sc).find("substances = [\"opioids\", \"cannabis\"]\n") !=
          std::string::npos);

    iop::Screen neg = with_meta(iop::Screen{}, ymd(2026, 11, 11));
    neg.result = iop::ScreenResult::negative;
    got = round_trip(neg);
    CHECK(got.result == iop::ScreenResult::negative);
    CHECK(got.substances.empty());
    CHECK(got.date == ymd(2026, 11, 11));
}

TEST_CASE("medication start, review and stop round-trip") {
    iop::Medication start = with_meta(iop::Medication{}, ymd(2026, 11, 5));
    start.action = iop::MedAction::start;
    start.name = "Naltrexone";
    start.dose = "50 mg daily";
    start.review_days = 14;
    iop::Medication got = round_trip(start);
    check_meta(got, start);
    CHECK(got.action == iop::MedAction::start);
    CHECK(got.name == "Naltrexone");
    CHECK(got.dose == "50 mg daily");
    REQUIRE(got.review_days.has_value());
    CHECK(*got.review_days == 14);

    iop::Medication review = with_meta(iop::Medication{}, ymd(2026, 11, 19));
    review.action = iop::MedAction::review;
    review.name = "Naltrexone";
    review.dose = "100 mg daily";
    // A review or stop needs the start above it.
    auto after_start = [&](const iop::Medication& m) {
        iop::Record r = render_and_parse(sample_header(), {iop::Entry{start}, iop::Entry{m}});
        REQUIRE(r.journal.size() == 2);
        return std::get<iop::Medication>(r.journal[1]);
    };
    got = after_start(review);
    CHECK(got.action == iop::MedAction::review);
    CHECK(got.dose == "100 mg daily");
    CHECK_FALSE(got.review_days.has_value());

    iop::Medication stop = with_meta(iop::Medication{}, ymd(2026, 12, 1));
    stop.action = iop::MedAction::stop;
    stop.name = "Naltrexone";
    got = after_start(stop);
    CHECK(got.action == iop::MedAction::stop);
    CHECK(got.name == "Naltrexone");
    CHECK(got.dose == "");
    CHECK_FALSE(got.review_days.has_value());
    CHECK(got.date == ymd(2026, 12, 1));
}

TEST_CASE("events round-trip: plan-change, plan-review, aftercare, note") {
    iop::Event pc = with_meta(iop::Event{}, ymd(2026, 11, 16));
    pc.type = iop::EventType::plan_change;
    pc.plan.weeks = 10;
    pc.plan.groups_per_week = 4;
    pc.text = "stepping up";
    iop::Event got = round_trip(pc);
    check_meta(got, pc);
    CHECK(got.type == iop::EventType::plan_change);
    CHECK(got.plan.weeks == std::optional<int>(10));
    CHECK(got.plan.groups_per_week == std::optional<int>(4));
    CHECK_FALSE(got.plan.individual_per_week.has_value());
    CHECK_FALSE(got.plan.family_per_week.has_value());
    CHECK(got.text == "stepping up");

    iop::Event zero = with_meta(iop::Event{}, ymd(2026, 11, 16));
    zero.type = iop::EventType::plan_change;
    zero.plan.family_per_week = 0;
    got = round_trip(zero);
    CHECK(got.plan.family_per_week == std::optional<int>(0));
    CHECK_FALSE(got.plan.weeks.has_value());

    iop::Event pr = with_meta(iop::Event{}, ymd(2026, 12, 1));
    pr.type = iop::EventType::plan_review;
    pr.text = "on track";
    got = round_trip(pr);
    CHECK(got.type == iop::EventType::plan_review);
    CHECK(got.text == "on track");
    CHECK(got.date == ymd(2026, 12, 1));

    iop::Event ac = with_meta(iop::Event{}, ymd(2027, 1, 10));
    ac.type = iop::EventType::aftercare;
    ac.sponsor = "Sam R.";
    ac.groups = {"AA Tuesday 7pm", "NA"};
    got = round_trip(ac);
    CHECK(got.type == iop::EventType::aftercare);
    CHECK(got.sponsor == "Sam R.");
    CHECK(got.groups == std::vector<std::string>{"AA Tuesday 7pm", "NA"});

    iop::Event note = with_meta(iop::Event{}, ymd(2026, 11, 20));
    note.type = iop::EventType::note;
    note.text = "called family";
    got = round_trip(note);
    CHECK(got.type == iop::EventType::note);
    CHECK(got.text == "called family");
}

TEST_CASE("events round-trip: graduated (plain and forced) and discharged") {
    iop::Event g = with_meta(iop::Event{}, ymd(2027, 1, 24));
    g.type = iop::EventType::graduated;
    iop::Event got = round_trip(g);
    CHECK(got.type == iop::EventType::graduated);
    CHECK(got.forced == false);
    CHECK(got.reason == "");
    CHECK(iop::render_entry(g).find("forced") == std::string::npos);

    iop::Event forced = g;
    forced.forced = true;
    forced.reason = "moving out of state; aftercare arranged";
    forced.text = "approved by Dr. Rivera";
    got = round_trip(forced);
    CHECK(got.forced == true);
    CHECK(got.reason == "moving out of state; aftercare arranged");
    CHECK(got.text == "approved by Dr. Rivera");
    CHECK(iop::render_entry(forced).find("forced = true\n") != std::string::npos);

    for (const auto& reason : iop::discharge_reasons()) {
        CAPTURE(reason);
        iop::Event d = with_meta(iop::Event{}, ymd(2026, 12, 15));
        d.type = iop::EventType::discharged;
        d.reason = reason;
        d.text = "free text";
        got = round_trip(d);
        CHECK(got.type == iop::EventType::discharged);
        CHECK(got.reason == reason);
        CHECK(got.text == "free text");
        CHECK(got.date == ymd(2026, 12, 15));
    }
}

TEST_CASE("an entry without recorded_at round-trips without one") {
    iop::Session s;
    s.date = ymd(2026, 11, 3);
    s.kind = iop::SessionKind::individual;
    s.hours = 1;
    iop::Session got = round_trip(s);
    CHECK(got.recorded_at == "");
    CHECK(got.recorded_by == "");
    CHECK(got.kind == iop::SessionKind::individual);
}

TEST_CASE("recorded_at is kept as written: offsets, fractions, local times") {
    auto recorded_at = [](const std::string& value) {
        iop::Record r = iop::parse_record(base +
                                              "\n[[screen]]\ndate = 2026-11-03\n"
                                              "result = \"negative\"\nrecorded_at = " +
                                              value + "\n",
                                          file);
        return iop::meta(r.journal.at(0)).recorded_at;
    };
    CHECK(recorded_at("2026-11-03T17:02:11Z") == "2026-11-03T17:02:11Z");
    CHECK(recorded_at("2026-11-03T17:02:11+01:30") == "2026-11-03T17:02:11+01:30");
    CHECK(recorded_at("2026-11-03T17:02:11-05:00") == "2026-11-03T17:02:11-05:00");
    CHECK(recorded_at("2026-11-03T17:02:11.25Z") == "2026-11-03T17:02:11.25Z");
    CHECK(recorded_at("2026-11-03T17:02:11.000000005Z") == "2026-11-03T17:02:11.000000005Z");
    CHECK(recorded_at("2026-11-03T17:02:11") == "2026-11-03T17:02:11");
    CHECK(recorded_at("1900-01-01T00:00:00Z") == "1900-01-01T00:00:00Z");
    REQUIRE_LOAD_ERROR(old, base + "\n[[screen]]\ndate = 2026-11-03\nresult = \"negative\"\n"
                                   "recorded_at = 0999-01-02T03:04:05Z\n");
    CHECK(old.detail() == "'[[screen]].recorded_at' is dated 0999-01-02, must be between "
                          "1900-01-01 and 2100-12-31");

    REQUIRE_LOAD_ERROR(e, base + "\n[[screen]]\ndate = 2026-11-03\nresult = \"negative\"\n"
                                 "recorded_at = \"2026-11-03T17:02:11Z\"\n");
    CHECK(e.pos().line == 15);
    CHECK(e.pos().column == 15);
    CHECK(e.detail() == "'[[screen]].recorded_at' must be a date-time (e.g. 2026-11-03T17:02:11Z)");
}

TEST_CASE("journal order is file order even when kinds interleave") {
    std::string text = base +
                       "# a comment a coordinator added by hand\n"
                       "\n[[screen]]\ndate = 2026-11-03\nresult = \"negative\"\n" +
                       session_block("2026-11-04") +
                       "\n[[event]]\ntype = \"note\"\ndate = 2026-11-02\ntext = \"late note\"\n" +
                       "\n[[medication]]\ndate = 2026-11-05\naction = \"start\"\nname = \"x\"\n" +
                       session_block("2026-11-06", "individual", "", "1.0") +
                       "\n[[screen]]\ndate = 2026-11-03\nresult = \"positive\"\n" +
                       session_block("2026-11-07", "family", "", "1.5", "absent");
    iop::Record r = iop::parse_record(text, file);
    REQUIRE(r.journal.size() == 7);
    CHECK(std::holds_alternative<iop::Screen>(r.journal[0]));
    CHECK(std::holds_alternative<iop::Session>(r.journal[1]));
    CHECK(std::holds_alternative<iop::Event>(r.journal[2]));
    CHECK(std::holds_alternative<iop::Medication>(r.journal[3]));
    CHECK(std::holds_alternative<iop::Session>(r.journal[4]));
    CHECK(std::holds_alternative<iop::Screen>(r.journal[5]));
    CHECK(std::holds_alternative<iop::Session>(r.journal[6]));
    CHECK(std::get<iop::Screen>(r.journal[0]).result == iop::ScreenResult::negative);
    CHECK(std::get<iop::Session>(r.journal[1]).date == ymd(2026, 11, 4));
    CHECK(std::get<iop::Event>(r.journal[2]).text == "late note");
    CHECK(std::get<iop::Session>(r.journal[4]).kind == iop::SessionKind::individual);
    CHECK(std::get<iop::Screen>(r.journal[5]).result == iop::ScreenResult::positive);
    CHECK(std::get<iop::Session>(r.journal[6]).status == iop::SessionStatus::absent);
    CHECK(std::get<iop::Session>(r.journal[6]).hours == 1.5);
    // Each entry knows where its [[...]] header is.
    CHECK(iop::meta(r.journal[0]).pos.line == line_of(text, "[[screen]]", 0));
    CHECK(iop::meta(r.journal[1]).pos.line == line_of(text, "[[session]]", 0));
    CHECK(iop::meta(r.journal[2]).pos.line == line_of(text, "[[event]]", 0));
    CHECK(iop::meta(r.journal[3]).pos.line == line_of(text, "[[medication]]", 0));
    CHECK(iop::meta(r.journal[4]).pos.line == line_of(text, "[[session]]", 1));
    CHECK(iop::meta(r.journal[5]).pos.line == line_of(text, "[[screen]]", 1));
    CHECK(iop::meta(r.journal[6]).pos.line == line_of(text, "[[session]]", 2));
    CHECK(iop::meta(r.journal[0]).pos.line == 13);

    // Rendered entries appended in a mixed order keep that order too.
    iop::Session s = with_meta(iop::Session{}, ymd(2026, 11, 3));
    s.topic = "illness";
    s.hours = 3;
    iop::Screen sc = with_meta(iop::Screen{}, ymd(2026, 11, 3));
    iop::Event n = with_meta(iop::Event{}, ymd(2026, 11, 3));
    n.type = iop::EventType::note;
    n.text = "n";
    iop::Medication m = with_meta(iop::Medication{}, ymd(2026, 11, 3));
    m.name = "m";
    iop::Record rr = render_and_parse(sample_header(), {n, s, m, sc, n, s});
    REQUIRE(rr.journal.size() == 6);
    CHECK(rr.journal[0].index() == 3);
    CHECK(rr.journal[1].index() == 0);
    CHECK(rr.journal[2].index() == 2);
    CHECK(rr.journal[3].index() == 1);
    CHECK(rr.journal[4].index() == 3);
    CHECK(rr.journal[5].index() == 0);
}

TEST_CASE("a plan-change may carry its keys in a [plan] sub-table") {
    iop::Record r = iop::parse_record(base + "\n[[event]]\ntype = \"plan-change\"\n"
                                             "date = 2026-11-10\nplan = { groups_per_week = 5 }\n",
                                      file);
    REQUIRE(r.journal.size() == 1);
    const auto& e = std::get<iop::Event>(r.journal[0]);
    CHECK(e.plan.groups_per_week == std::optional<int>(5));
    CHECK_FALSE(e.plan.weeks.has_value());
}

// ---------------------------------------------------------------- fold

TEST_CASE("fold of a bare record") {
    iop::Record r = render_and_parse(sample_header(), {});
    iop::State s = iop::fold(r, iop::default_program());
    CHECK(s.status == iop::Status::active);
    CHECK_FALSE(s.ended.has_value());
    CHECK(s.discharge_reason == "");
    CHECK(s.plan.weeks == 12);
    CHECK(s.plan.groups_per_week == 3);
    CHECK(s.medications.empty());
    CHECK_FALSE(s.last_plan_review.has_value());
    CHECK(s.has_aftercare == false);
}

TEST_CASE("fold and plan_on: plan changes apply from their date, in file order") {
    auto change = [](iop::Date d, std::optional<int> weeks, std::optional<int> groups) {
        iop::Event e = with_meta(iop::Event{}, d);
        e.type = iop::EventType::plan_change;
        e.plan.weeks = weeks;
        e.plan.groups_per_week = groups;
        return e;
    };
    iop::Header h = sample_header();
    iop::Record r = render_and_parse(
        h, {change(ymd(2026, 11, 16), 10, std::nullopt), change(ymd(2026, 11, 23), std::nullopt, 4),
            // Dated earlier, written later: applies after the earlier-written ones.
            change(ymd(2026, 11, 20), 8, std::nullopt)});
    iop::State s = iop::fold(r, iop::default_program());
    CHECK(s.plan.weeks == 8);
    CHECK(s.plan.groups_per_week == 4);
    CHECK(s.plan.individual_per_week == 1);
    CHECK(s.plan.family_per_week == 1);

    iop::Plan p = iop::plan_on(r, ymd(2026, 11, 15));
    CHECK(p.weeks == 12);
    CHECK(p.groups_per_week == 3);
    p = iop::plan_on(r, ymd(2026, 11, 16));
    CHECK(p.weeks == 10);
    CHECK(p.groups_per_week == 3);
    p = iop::plan_on(r, ymd(2026, 11, 20));
    CHECK(p.weeks == 8);
    CHECK(p.groups_per_week == 3);
    p = iop::plan_on(r, ymd(2026, 11, 22));
    CHECK(p.weeks == 8);
    CHECK(p.groups_per_week == 3);
    p = iop::plan_on(r, ymd(2026, 11, 23));
    CHECK(p.weeks == 8);
    CHECK(p.groups_per_week == 4);
    p = iop::plan_on(r, ymd(2027, 6, 1));
    CHECK(p.weeks == 8);
    CHECK(p.groups_per_week == 4);

    // Two changes where the earlier-dated one is written last: on a day after
    // both, the one written last wins.
    iop::Record r2 = render_and_parse(h, {change(ymd(2026, 11, 20), 9, std::nullopt),
                                          change(ymd(2026, 11, 18), 7, std::nullopt)});
    CHECK(iop::plan_on(r2, ymd(2026, 11, 19)).weeks == 7);
    CHECK(iop::plan_on(r2, ymd(2026, 11, 21)).weeks == 7);
    CHECK(iop::fold(r2, iop::default_program()).plan.weeks == 7);

    iop::PlanChange pc;
    CHECK(pc.empty());
    pc.family_per_week = 0;
    CHECK_FALSE(pc.empty());
    iop::Plan plan{12, 3, 1, 1};
    pc.apply_to(plan);
    CHECK(plan.family_per_week == 0);
    CHECK(plan.weeks == 12);
}

TEST_CASE("load error: a medication review or stop with no start above it") {
    const std::string start = "\n[[medication]]\ndate = 2026-11-03\naction = \"start\"\n"
                              "name = \"Naltrexone\"\n";
    const std::string review = "\n[[medication]]\ndate = 2026-11-20\naction = \"review\"\n"
                               "name = \"Disulfiram\"\n";
    REQUIRE_LOAD_ERROR(e, base + start + review);
    CHECK(e.pos().line == 17);
    CHECK(e.detail() == "medication review without a start of that medication above it (or "
                        "after it was stopped)");
    CHECK(e.detail().find("Disulfiram") == std::string::npos); // no health data in messages

    const std::string stop = "\n[[medication]]\ndate = 2026-11-10\naction = \"stop\"\n"
                             "name = \"naltrexone\"\n";
    CHECK_FALSE(load_error(base + start + stop).has_value());
    REQUIRE_LOAD_ERROR(twice, base + start + stop + stop);
    CHECK(twice.pos().line == 22);
    CHECK(twice.detail().rfind("medication stop without", 0) == 0);
}

TEST_CASE("fold: medications start, review, stop and restart") {
    iop::Program program = iop::default_program();
    program.medication_review_days = 21;
    auto med = [](iop::Date d, iop::MedAction a, std::string name, std::string dose,
                  std::optional<int> review_days) {
        iop::Medication m = with_meta(iop::Medication{}, d);
        m.action = a;
        m.name = std::move(name);
        m.dose = std::move(dose);
        m.review_days = review_days;
        return m;
    };
    using A = iop::MedAction;
    iop::Record r = render_and_parse(
        sample_header(),
        {med(ymd(2026, 11, 3), A::start, "Naltrexone", "50 mg", std::nullopt),
         med(ymd(2026, 11, 5), A::start, "Buprenorphine", "8 mg", 7),
         med(ymd(2026, 11, 20), A::review, "naltrexone", "100 mg", 14),
         med(ymd(2026, 11, 10), A::review, "NALTREXONE", "",
             std::nullopt), // earlier: no effect on date
         med(ymd(2026, 12, 1), A::stop, "BUPRENORPHINE", "", std::nullopt)});
    iop::State s = iop::fold(r, program);
    REQUIRE(s.medications.size() == 2);
    const auto& nal = s.medications[0];
    CHECK(nal.name == "Naltrexone");
    CHECK(nal.dose == "100 mg");
    CHECK(nal.started == ymd(2026, 11, 3));
    CHECK(nal.last_review == ymd(2026, 11, 20));
    CHECK(nal.review_days == 14);
    CHECK(nal.active == true);
    CHECK_FALSE(nal.stopped.has_value());
    const auto& bup = s.medications[1];
    CHECK(bup.name == "Buprenorphine");
    CHECK(bup.dose == "8 mg");
    CHECK(bup.review_days == 7);
    CHECK(bup.active == false);
    REQUIRE(bup.stopped.has_value());
    CHECK(*bup.stopped == ymd(2026, 12, 1));

    // Review days default to the program's; a restart after a stop is a new course.
    iop::Record r2 = render_and_parse(
        sample_header(), {med(ymd(2026, 11, 3), A::start, "Naltrexone", "", std::nullopt),
                          med(ymd(2026, 11, 10), A::stop, "Naltrexone", "", std::nullopt),
                          med(ymd(2026, 11, 17), A::start, "naltrexone", "25 mg", std::nullopt)});
    iop::State s2 = iop::fold(r2, program);
    REQUIRE(s2.medications.size() == 2);
    CHECK(s2.medications[0].review_days == 21);
    CHECK(s2.medications[0].active == false);
    CHECK(s2.medications[1].active == true);
    CHECK(s2.medications[1].started == ymd(2026, 11, 17));
    CHECK(s2.medications[1].last_review == ymd(2026, 11, 17));
    CHECK(s2.medications[1].dose == "25 mg");

    CHECK(iop::same_medication("Naltrexone", "nALTREXONE"));
    CHECK_FALSE(iop::same_medication("Naltrexone", "Naltrexon"));
}

TEST_CASE("fold: plan reviews, aftercare, graduation and discharge") {
    auto ev = [](iop::Date d, iop::EventType t) {
        iop::Event e = with_meta(iop::Event{}, d);
        e.type = t;
        return e;
    };
    using T = iop::EventType;
    iop::Event empty_aftercare = ev(ymd(2026, 12, 1), T::aftercare);
    empty_aftercare.text = "to be arranged";
    iop::Event review1 = ev(ymd(2026, 12, 2), T::plan_review);
    iop::Event review0 = ev(ymd(2026, 11, 30), T::plan_review);
    iop::Record r = render_and_parse(sample_header(), {empty_aftercare, review1, review0});
    iop::State s = iop::fold(r, iop::default_program());
    CHECK(s.has_aftercare == false);
    REQUIRE(s.last_plan_review.has_value());
    CHECK(*s.last_plan_review == ymd(2026, 12, 2));
    CHECK(s.status == iop::Status::active);

    iop::Event sponsor = ev(ymd(2027, 1, 10), T::aftercare);
    sponsor.sponsor = "Sam";
    iop::Event groups_only = ev(ymd(2027, 1, 10), T::aftercare);
    groups_only.groups = {"NA"};
    CHECK(iop::fold(render_and_parse(sample_header(), {sponsor}), iop::default_program())
              .has_aftercare);
    CHECK(iop::fold(render_and_parse(sample_header(), {groups_only}), iop::default_program())
              .has_aftercare);

    iop::Event grad = ev(ymd(2027, 1, 24), T::graduated);
    iop::State g =
        iop::fold(render_and_parse(sample_header(), {sponsor, grad}), iop::default_program());
    CHECK(g.status == iop::Status::graduated);
    REQUIRE(g.ended.has_value());
    CHECK(*g.ended == ymd(2027, 1, 24));
    CHECK(g.discharge_reason == "");

    iop::Event dis = ev(ymd(2026, 12, 15), T::discharged);
    dis.reason = "against-advice";
    iop::Event late_note = ev(ymd(2027, 2, 1), T::note);
    late_note.text = "follow-up call";
    iop::State d =
        iop::fold(render_and_parse(sample_header(), {dis, late_note}), iop::default_program());
    CHECK(d.status == iop::Status::discharged);
    REQUIRE(d.ended.has_value());
    CHECK(*d.ended == ymd(2026, 12, 15));
    CHECK(d.discharge_reason == "against-advice");
}

TEST_CASE("is_adolescent: under 18 on the day of enrollment") {
    iop::Header h = sample_header();
    h.enrolled = ymd(2026, 11, 2);
    h.born = ymd(2008, 11, 3);
    CHECK(iop::is_adolescent(h));
    h.born = ymd(2008, 11, 2);
    CHECK_FALSE(iop::is_adolescent(h));
    h.born.reset();
    CHECK_FALSE(iop::is_adolescent(h));
}

// ---------------------------------------------------------------- load errors

TEST_CASE("load error: missing [plan]") {
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\nid = \"P-0001\"\nname = \"J\"\n"
                          "enrolled = 2026-11-02\n");
    CHECK(e.code() == iop::exit_data);
    CHECK(e.file() == file);
    CHECK(e.detail() == "missing the [plan] table");
    CHECK(e.pos().line == 1);

    REQUIRE_LOAD_ERROR(k, "schema_version = 1\nid = \"P-0001\"\nname = \"J\"\n"
                          "enrolled = 2026-11-02\n\n[plan]\nweeks = 12\ngroups_per_week = 3\n"
                          "individual_per_week = 1\n");
    CHECK(k.pos().line == 6);
    CHECK(k.detail() == "missing '[plan].family_per_week'");

    REQUIRE_LOAD_ERROR(w, "schema_version = 1\nid = \"P-0001\"\nname = \"J\"\n"
                          "enrolled = 2026-11-02\n\n[plan]\nweeks = 0\ngroups_per_week = 3\n"
                          "individual_per_week = 1\nfamily_per_week = 1\n");
    CHECK(w.pos().line == 7);
    CHECK(w.pos().column == 9);
    CHECK(w.detail() == "'[plan].weeks' is 0, must be between 1 and 520");
}

TEST_CASE("load error: header fields") {
    REQUIRE_LOAD_ERROR(id,
                       "schema_version = 1\nid = \"../x\"\nname = \"J\"\nenrolled = 2026-11-02\n");
    CHECK(id.pos().line == 2);
    CHECK(id.pos().column == 6);
    CHECK(id.detail() == "'id' is not a valid patient id: 1 to 64 letters, digits, '.', '_' or "
                         "'-', starting with a letter or digit");

    REQUIRE_LOAD_ERROR(name, "schema_version = 1\nid = \"P-0001\"\nenrolled = 2026-11-02\n");
    CHECK(name.detail() == "missing 'name'");

    REQUIRE_LOAD_ERROR(quoted, "schema_version = 1\nid = \"P-0001\"\nname = \"J\"\n"
                               "enrolled = \"2026-11-02\"\n");
    CHECK(quoted.pos().line == 4);
    CHECK(quoted.pos().column == 12);
    CHECK(quoted.detail() == "'enrolled' must be a date (YYYY-MM-DD, unquoted)");

    REQUIRE_LOAD_ERROR(born, "schema_version = 1\nid = \"P-0001\"\nname = \"J\"\n"
                             "born = 2027-01-01\nenrolled = 2026-11-02\n");
    CHECK(born.pos().line == 4);
    CHECK(born.detail() == "'born' is after 'enrolled'");
}

TEST_CASE("load error: a bad session kind, with did-you-mean") {
    std::string text = base + session_block("2026-11-03", "grop");
    REQUIRE_LOAD_ERROR(e, text);
    CHECK(e.pos().line == 14);
    CHECK(e.pos().column == 8);
    // The value is not repeated (no record content in messages): the position finds it.
    CHECK(e.detail() == "'[[session]].kind' must be one of: group, individual, family (did you "
                        "mean 'group'?)");
    CHECK(std::string(e.what()) ==
          "patients/P-0001.toml:14:8: '[[session]].kind' must be one of: group, individual, "
          "family (did you mean 'group'?)");

    REQUIRE_LOAD_ERROR(st,
                       base + session_block("2026-11-03", "group", "illness", "3.0", "atended"));
    CHECK(st.pos().line == 17);
    CHECK(st.detail() == "'[[session]].status' must be one of: attended, absent, excused (did "
                         "you mean 'attended'?)");

    REQUIRE_LOAD_ERROR(ev, base + "\n[[event]]\ntype = \"graduate\"\ndate = 2026-11-03\n");
    CHECK(ev.pos().line == 13);
    CHECK(ev.pos().column == 8);
    CHECK(ev.detail().find("(did you mean 'graduated'?)") != std::string::npos);

    REQUIRE_LOAD_ERROR(dr, base + "\n[[event]]\ntype = \"discharged\"\ndate = 2026-11-03\n"
                                  "reason = \"stepdown\"\n");
    CHECK(dr.pos().line == 15);
    CHECK(dr.detail().find("the discharge reason must be one of: step-down,") == 0);
    CHECK(dr.detail().find("(did you mean 'step-down'?)") != std::string::npos);
}

TEST_CASE("load error: a group session without a topic") {
    REQUIRE_LOAD_ERROR(e, base + session_block("2026-11-03", "group", ""));
    CHECK(e.pos().line == 12);
    CHECK(e.pos().column == 1);
    CHECK(e.detail() == "a group session needs a 'topic'");
    // Individual and family sessions need none.
    iop::Record r =
        iop::parse_record(base + session_block("2026-11-03", "individual", "", "1.0"), file);
    CHECK(std::get<iop::Session>(r.journal.at(0)).topic == "");
}

TEST_CASE("load error: a topic is a curriculum id, never spaced") {
    // Import and `attend --topic` trim a topic; one loaded with a space around
    // it would come back from `export --format csv` as another topic.
    for (const char* topic : {" illness", "illness ", "coping skills", "-stress", "stress!"}) {
        CAPTURE(topic);
        REQUIRE_LOAD_ERROR(e, base + session_block("2026-11-03", "group", topic));
        CHECK(e.pos().line == 15);
        CHECK(e.pos().column == 9);
        CHECK(e.detail() == "'[[session]].topic' is not a curriculum topic id: 1 to 64 letters, "
                            "digits, '.', '_' or '-', starting with a letter or digit");
    }
    // Any id loads, in the curriculum or not (a topic since removed counts nowhere).
    for (const char* topic : {"illness", "old-topic_2.b"}) {
        iop::Record r = iop::parse_record(base + session_block("2026-11-03", "group", topic), file);
        CHECK(std::get<iop::Session>(r.journal.at(0)).topic == topic);
    }
}

TEST_CASE("load error: hours are 0.1 to 12 in steps of 0.01") {
    REQUIRE_LOAD_ERROR(zero, base + session_block("2026-11-03", "group", "illness", "0"));
    CHECK(zero.pos().line == 16);
    CHECK(zero.pos().column == 9);
    CHECK(zero.detail() == "'hours' is 0, must be 0.1 to 12 in steps of 0.01");

    REQUIRE_LOAD_ERROR(big, base + session_block("2026-11-03", "group", "illness", "12.5"));
    CHECK(big.pos().line == 16);
    CHECK(big.pos().column == 9);
    CHECK(big.detail() == "'hours' is 12.5, must be 0.1 to 12 in steps of 0.01");
    REQUIRE_LOAD_ERROR(fine, base + session_block("2026-11-03", "group", "illness", "1.005"));
    CHECK(fine.detail() == "'hours' is 1.005, must be 0.1 to 12 in steps of 0.01");
    CHECK_NOTHROW(
        iop::parse_record(base + session_block("2026-11-03", "group", "illness", "0.1"), file));

    REQUIRE_LOAD_ERROR(neg, base + session_block("2026-11-03", "group", "illness", "-1.0"));
    CHECK(neg.pos().line == 16);

    REQUIRE_LOAD_ERROR(nan, base + session_block("2026-11-03", "group", "illness", "nan"));
    CHECK(nan.pos().line == 16);

    REQUIRE_LOAD_ERROR(txt, base + session_block("2026-11-03", "group", "illness", "\"3\""));
    CHECK(txt.detail() == "'[[session]].hours' must be a number");

    // The bounds: 12 is allowed, an integer is a number.
    iop::Record r =
        iop::parse_record(base + session_block("2026-11-03", "group", "illness", "12"), file);
    CHECK(std::get<iop::Session>(r.journal.at(0)).hours == 12.0);
    r = iop::parse_record(base + session_block("2026-11-03", "group", "illness", "0.25"), file);
    CHECK(std::get<iop::Session>(r.journal.at(0)).hours == 0.25);
}

TEST_CASE("load error: unknown keys, with did-you-mean") {
    std::string text = base + "\n[[session]]\ndate = 2026-11-03\nkind = \"individual\"\n"
                              "huors = 1.0\nstatus = \"attended\"\n";
    REQUIRE_LOAD_ERROR(e, text);
    CHECK(e.pos().line == 15);
    CHECK(e.pos().column == 1);
    CHECK(e.detail() == "unknown key '[[session]].huors' (did you mean 'hours'?)");

    REQUIRE_LOAD_ERROR(root, "schema_version = 1\nid = \"P-0001\"\nname = \"J\"\n"
                             "clinican = \"Dr. R\"\nenrolled = 2026-11-02\n");
    CHECK(root.pos().line == 4);
    CHECK(root.pos().column == 1);
    CHECK(root.detail() == "unknown key 'clinican' (did you mean 'clinician'?)");

    REQUIRE_LOAD_ERROR(plan, base + "wekks = 3\n");
    CHECK(plan.pos().line == 11);
    CHECK(plan.detail() == "unknown key '[plan].wekks' (did you mean 'weeks'?)");

    REQUIRE_LOAD_ERROR(ev, base + "\n[[event]]\ntype = \"note\"\ndate = 2026-11-03\ntext = \"x\"\n"
                                  "sponsor = \"y\"\n");
    CHECK(ev.pos().line == 16);
    CHECK(ev.detail() == "unknown key '[[event]].sponsor'");

    REQUIRE_LOAD_ERROR(tbl, base + "\n[sessions]\ndate = 2026-11-03\n");
    CHECK(tbl.pos().line == 12);
    CHECK(tbl.detail() == "unknown key 'sessions' (did you mean 'session'?)");
}

TEST_CASE("load error: schema_version") {
    std::string text = base;
    text.replace(0, std::string("schema_version = 1").size(), "schema_version = 2");
    REQUIRE_LOAD_ERROR(e, text);
    CHECK(e.pos().line == 1);
    CHECK(e.pos().column == 18);
    CHECK(e.detail() ==
          "schema_version 2 is newer than this iop supports (1); upgrade iop to read this file");

    REQUIRE_LOAD_ERROR(m, base.substr(std::string("schema_version = 1\n").size()));
    CHECK(m.detail() == "missing 'schema_version' (this iop writes schema_version = 1)");
}

TEST_CASE("load error: a second end of treatment") {
    std::string text =
        base + "\n[[event]]\ntype = \"graduated\"\ndate = 2027-01-20\n" +
        "\n[[event]]\ntype = \"note\"\ndate = 2027-01-25\ntext = \"ok after end\"\n" +
        "\n[[event]]\ntype = \"graduated\"\ndate = 2027-01-21\n";
    REQUIRE_LOAD_ERROR(e, text);
    CHECK(e.pos().line == 21);
    CHECK(e.pos().column == 1);
    CHECK(e.detail() == "second end of treatment: already graduated on 2027-01-20");

    REQUIRE_LOAD_ERROR(d, base + "\n[[event]]\ntype = \"discharged\"\ndate = 2026-12-01\n"
                                 "reason = \"moved\"\n"
                                 "\n[[event]]\ntype = \"graduated\"\ndate = 2026-12-01\n");
    CHECK(d.pos().line == 17);
    CHECK(d.detail() == "second end of treatment: already discharged on 2026-12-01");
}

TEST_CASE("load error: a session dated after discharge") {
    std::string head = base + "\n[[event]]\ntype = \"discharged\"\ndate = 2026-12-01\n"
                              "reason = \"transfer\"\n";
    REQUIRE_LOAD_ERROR(e, head + session_block("2026-12-02"));
    CHECK(e.pos().line == 17);
    CHECK(e.pos().column == 1);
    CHECK(e.detail() == "entry dated 2026-12-02 is after the patient was discharged on 2026-12-01");

    // The same day is still part of treatment, and notes may come later.
    iop::Record r = iop::parse_record(
        head + session_block("2026-12-01") +
            "\n[[event]]\ntype = \"note\"\ndate = 2026-12-20\ntext = \"called\"\n",
        file);
    CHECK(r.journal.size() == 3);
}

// The end of treatment bounds every entry, wherever it stands in the file.
TEST_CASE("load error: a session dated after discharge, written before it") {
    REQUIRE_LOAD_ERROR(e, base + session_block("2026-12-05") +
                              "\n[[event]]\ntype = \"discharged\"\ndate = 2026-12-01\n"
                              "reason = \"transfer\"\n");
    CHECK(e.file() == file);
    CHECK(e.pos().line == 12);
    CHECK(e.detail() == "entry dated 2026-12-05 is after the patient was discharged on 2026-12-01");
}

TEST_CASE("a plan-change with keys both flat and in plan = {...} loses none") {
    std::string text = base + "\n[[event]]\ntype = \"plan-change\"\ndate = 2026-11-10\n"
                              "weeks = 10\nplan = { groups_per_week = 4 }\n";
    iop::Record r = iop::parse_record(text, file);
    const auto& e = std::get<iop::Event>(r.journal.at(0));
    CHECK(e.plan.weeks == std::optional<int>(10));
    CHECK(e.plan.groups_per_week == std::optional<int>(4));
    CHECK_FALSE(e.plan.individual_per_week.has_value());
}

TEST_CASE("load error: a plan-change giving one key both flat and in plan = {...}") {
    REQUIRE_LOAD_ERROR(e, base + "\n[[event]]\ntype = \"plan-change\"\ndate = 2026-11-10\n"
                                 "weeks = 10\nplan = { weeks = 8 }\n");
    CHECK(e.pos().line == 16);
    CHECK(e.detail().find("'weeks' is given twice") != std::string::npos);
}

TEST_CASE("load error: an entry before enrollment") {
    REQUIRE_LOAD_ERROR(e, base + session_block("2026-11-01"));
    CHECK(e.pos().line == 12);
    CHECK(e.pos().column == 1);
    CHECK(e.detail() == "entry dated 2026-11-01 is before enrollment (2026-11-02)");

    REQUIRE_LOAD_ERROR(s, base + "\n[[screen]]\ndate = 2025-11-02\nresult = \"negative\"\n");
    CHECK(s.pos().line == 12);

    REQUIRE_LOAD_ERROR(bad, base + session_block("2026-02-30"));
    CHECK(bad.pos().line == 13);
}

TEST_CASE("load error: a plan-change that changes nothing, an empty medication name") {
    REQUIRE_LOAD_ERROR(e, base + "\n[[event]]\ntype = \"plan-change\"\ndate = 2026-11-10\n");
    CHECK(e.pos().line == 12);
    CHECK(e.detail().find("a plan-change event changes nothing") == 0);

    REQUIRE_LOAD_ERROR(m, base + "\n[[medication]]\ndate = 2026-11-10\naction = \"start\"\n"
                                 "name = \"\"\n");
    CHECK(m.pos().line == 15);
    CHECK(m.detail() == "medication 'name' is empty");
}

TEST_CASE("load error: a syntax error names its line") {
    REQUIRE_LOAD_ERROR(e, base + "\n[[session]]\ndate = 2026-11-03\nkind = \"group\n");
    CHECK(e.file() == file);
    CHECK(e.pos().line == 14);
    CHECK(e.pos().column > 0);
}

// ---------------------------------------------------------------- ids, text

TEST_CASE("valid_id accepts and refuses") {
    CHECK(iop::valid_id("P-0001"));
    CHECK(iop::valid_id("a"));
    CHECK(iop::valid_id("0"));
    CHECK(iop::valid_id("a.b_c-d"));
    CHECK(iop::valid_id("P..1"));
    CHECK(iop::valid_id(std::string(64, 'x')));
    CHECK_FALSE(iop::valid_id(std::string(65, 'x')));
    CHECK_FALSE(iop::valid_id(""));
    CHECK_FALSE(iop::valid_id("../x"));
    CHECK_FALSE(iop::valid_id(".."));
    CHECK_FALSE(iop::valid_id("/etc/passwd"));
    CHECK_FALSE(iop::valid_id("a/b"));
    CHECK_FALSE(iop::valid_id(".hidden"));
    CHECK_FALSE(iop::valid_id("-rf"));
    CHECK_FALSE(iop::valid_id("_x"));
    CHECK_FALSE(iop::valid_id("a b"));
    CHECK_FALSE(iop::valid_id("a\n"));
    CHECK_FALSE(iop::valid_id("a\\b"));
    CHECK_FALSE(iop::valid_id("Zoë"));
    CHECK_FALSE(iop::valid_id(std::string_view("a\0b", 3)));
}

TEST_CASE("require_valid_id throws a usage error that shows control characters") {
    CHECK_NOTHROW(iop::require_valid_id("P-0001"));
    try {
        iop::require_valid_id("a\n");
        FAIL("expected UsageError");
    } catch (const iop::UsageError& e) {
        CHECK(e.code() == 2);
        CHECK(std::string(e.what()).find("invalid patient id 'a\\n'") == 0);
    }
    CHECK_THROWS_AS(iop::require_valid_id("../x"), iop::UsageError);
    CHECK_THROWS_AS(iop::require_valid_id(""), iop::UsageError);
}

TEST_CASE("toml_quote") {
    CHECK(iop::toml_quote("") == "\"\"");
    CHECK(iop::toml_quote("abc") == "\"abc\"");
    CHECK(iop::toml_quote("say \"hi\"") == "\"say \\\"hi\\\"\"");
    CHECK(iop::toml_quote("C:\\x") == "\"C:\\\\x\"");
    CHECK(iop::toml_quote("a\nb") == "\"a\\nb\"");
    CHECK(iop::toml_quote("a\tb\rc") == "\"a\\tb\\rc\"");
    CHECK(iop::toml_quote("\b\f") == "\"\\b\\f\"");
    CHECK(iop::toml_quote("\x01") == "\"\\u0001\"");
    CHECK(iop::toml_quote("\x1f") == "\"\\u001F\"");
    CHECK(iop::toml_quote("\x7f") == "\"\\u007F\"");
    CHECK(iop::toml_quote(std::string_view("\0", 1)) == "\"\\u0000\"");
    CHECK(iop::toml_quote("Zoë 🙂") == "\"Zoë 🙂\"");
    CHECK(iop::toml_quote("'single'") == "\"'single'\"");
}

TEST_CASE("format_hours always writes a float") {
    CHECK(iop::format_hours(3) == "3.0");
    CHECK(iop::format_hours(2.5) == "2.5");
    CHECK(iop::format_hours(1) == "1.0");
    CHECK(iop::format_hours(12) == "12.0");
    CHECK(iop::format_hours(0.25) == "0.25");
    CHECK(iop::format_hours(1.75) == "1.75");
}

TEST_CASE("valid_utf8") {
    CHECK(iop::valid_utf8(""));
    CHECK(iop::valid_utf8("plain ASCII"));
    CHECK(iop::valid_utf8("Zoë"));
    CHECK(iop::valid_utf8("日本語"));
    CHECK(iop::valid_utf8("🙂"));
    CHECK(iop::valid_utf8("\xF4\x8F\xBF\xBF")); // U+10FFFF
    CHECK(iop::valid_utf8("\xEF\xBF\xBD"));     // U+FFFD
    CHECK_FALSE(iop::valid_utf8("\xFF"));
    CHECK_FALSE(iop::valid_utf8("\x80"));         // a lone continuation byte
    CHECK_FALSE(iop::valid_utf8("\xC3"));         // truncated
    CHECK_FALSE(iop::valid_utf8("ab\xC3"));       // truncated at the end
    CHECK_FALSE(iop::valid_utf8("\xF0\x9F\x99")); // truncated four-byte
    CHECK_FALSE(iop::valid_utf8("\xC3(x"));       // bad continuation
    CHECK_FALSE(iop::valid_utf8("\xC0\xAF"));     // overlong '/'
    CHECK_FALSE(iop::valid_utf8("\xE0\x80\xAF")); // overlong '/'
    CHECK_FALSE(iop::valid_utf8("\xF0\x80\x80\xAF"));
    CHECK_FALSE(iop::valid_utf8("\xED\xA0\x80"));     // surrogate U+D800
    CHECK_FALSE(iop::valid_utf8("\xED\xBF\xBF"));     // surrogate U+DFFF
    CHECK_FALSE(iop::valid_utf8("\xF4\x90\x80\x80")); // above U+10FFFF
    CHECK_FALSE(iop::valid_utf8("\xF8\x88\x80\x80\x80"));
}

TEST_CASE("enum names round-trip") {
    CHECK(iop::to_string(iop::SessionKind::individual) == "individual");
    CHECK(iop::parse_session_kind("family") == std::optional(iop::SessionKind::family));
    CHECK_FALSE(iop::parse_session_kind("Group").has_value());
    CHECK(iop::to_string(iop::SessionStatus::excused) == "excused");
    CHECK(iop::parse_session_status("absent") == std::optional(iop::SessionStatus::absent));
    CHECK(iop::to_string(iop::ScreenResult::positive) == "positive");
    CHECK(iop::parse_screen_result("negative") == std::optional(iop::ScreenResult::negative));
    CHECK(iop::to_string(iop::MedAction::review) == "review");
    CHECK(iop::parse_med_action("stop") == std::optional(iop::MedAction::stop));
    CHECK(iop::to_string(iop::EventType::plan_change) == "plan-change");
    CHECK(iop::to_string(iop::EventType::plan_review) == "plan-review");
    CHECK(iop::parse_event_type("discharged") == std::optional(iop::EventType::discharged));
    CHECK_FALSE(iop::parse_event_type("plan_change").has_value());
    CHECK(iop::to_string(iop::Status::graduated) == "graduated");
    CHECK(iop::parse_status("active") == std::optional(iop::Status::active));
    CHECK_FALSE(iop::parse_status("all").has_value());
    CHECK(iop::discharge_reasons() == std::vector<std::string>{"step-down", "step-up", "transfer",
                                                               "against-advice", "administrative",
                                                               "lost-contact", "incarcerated",
                                                               "moved", "death", "other"});
}

// ---------------------------------------------------- the treatment plan

namespace {

std::string goal_block(const std::string& ref, const std::string& action, const std::string& date,
                       const std::string& extra = "") {
    std::string out =
        "\n[[goal]]\nref = \"" + ref + "\"\naction = \"" + action + "\"\ndate = " + date + "\n";
    if (action == "add")
        out += "problem = \"Drinks daily\"\ngoal = \"Stay sober\"\n";
    if (action == "revise" && extra.empty())
        out += "goal = \"Stay sober and keep my job\"\n";
    return out + extra;
}

std::string objective_block(const std::string& ref, const std::string& action,
                            const std::string& date, const std::string& extra = "") {
    std::string out = "\n[[objective]]\nref = \"" + ref + "\"\naction = \"" + action +
                      "\"\ndate = " + date + "\n";
    if (action == "add")
        out += "text = \"Name 3 triggers\"\ntarget = 2026-12-01\n";
    if (action == "revise" && extra.empty())
        out += "target = 2026-12-15\n";
    return out + extra;
}

std::string signature_block(const std::string& role, const std::string& extra = "") {
    return "\n[[event]]\ntype = \"signature\"\ndate = 2026-11-04\nrole = \"" + role +
           "\"\nplan_version = 3\n" + extra;
}

} // namespace

TEST_CASE("render_entry: goal, objective and signature keys in their frozen order") {
    iop::Goal g = with_meta(iop::Goal{}, ymd(2026, 11, 3));
    g.ref = "G1";
    g.problem = "Drinks daily to cope with work stress";
    g.goal = "Stay sober";
    g.words = "I want to keep my job";
    g.dimension = 5;
    CHECK(iop::render_entry(g) == "\n[[goal]]\n"
                                  "ref = \"G1\"\n"
                                  "action = \"add\"\n"
                                  "date = 2026-11-03\n"
                                  "problem = \"Drinks daily to cope with work stress\"\n"
                                  "goal = \"Stay sober\"\n"
                                  "words = \"I want to keep my job\"\n"
                                  "dimension = 5\n"
                                  "recorded_by = \"jrivera\"\n"
                                  "recorded_at = 2026-11-03T17:02:11Z\n");
    iop::Objective o = with_meta(iop::Objective{}, ymd(2026, 11, 3));
    o.ref = "G1.1";
    o.text = "Name 3 triggers and 3 responses";
    o.measure = "reviewed with the counselor";
    o.target = ymd(2026, 12, 1);
    o.interventions = std::vector<std::string>{"relapse-prevention group", "individual CBT"};
    CHECK(iop::render_entry(o) ==
          "\n[[objective]]\n"
          "ref = \"G1.1\"\n"
          "action = \"add\"\n"
          "date = 2026-11-03\n"
          "text = \"Name 3 triggers and 3 responses\"\n"
          "measure = \"reviewed with the counselor\"\n"
          "target = 2026-12-01\n"
          "interventions = [\"relapse-prevention group\", \"individual CBT\"]\n"
          "recorded_by = \"jrivera\"\n"
          "recorded_at = 2026-11-03T17:02:11Z\n");
    iop::Event e = with_meta(iop::Event{}, ymd(2026, 11, 4));
    e.type = iop::EventType::signature;
    e.role = iop::SignRole::patient;
    e.signer = "Jane Doe";
    e.plan_version = 3;
    e.declined = true;
    e.reason = "wants to talk to her family first";
    CHECK(iop::render_entry(e) == "\n[[event]]\n"
                                  "type = \"signature\"\n"
                                  "date = 2026-11-04\n"
                                  "role = \"patient\"\n"
                                  "name = \"Jane Doe\"\n"
                                  "plan_version = 3\n"
                                  "declined = true\n"
                                  "reason = \"wants to talk to her family first\"\n"
                                  "recorded_by = \"jrivera\"\n"
                                  "recorded_at = 2026-11-03T17:02:11Z\n");
    iop::Session s = with_meta(iop::Session{}, ymd(2026, 11, 5));
    s.kind = iop::SessionKind::individual;
    s.hours = 1;
    s.objectives = {"G1.1", "G2.1"};
    CHECK(iop::render_entry(s).find("status = \"attended\"\nobjectives = [\"G1.1\", \"G2.1\"]\n"
                                    "recorded_by") != std::string::npos);

    // And each parses back to itself.
    iop::Record r = render_and_parse(sample_header(), {g, o, e, s});
    REQUIRE(r.journal.size() == 4);
    const auto& g2 = std::get<iop::Goal>(r.journal[0]);
    CHECK(g2.ref == "G1");
    CHECK(g2.words == g.words);
    CHECK(g2.dimension == 5);
    const auto& o2 = std::get<iop::Objective>(r.journal[1]);
    CHECK(o2.target == o.target);
    CHECK(o2.interventions == o.interventions);
    CHECK(o2.measure == o.measure);
    const auto& e2 = std::get<iop::Event>(r.journal[2]);
    CHECK(e2.role == iop::SignRole::patient);
    CHECK(e2.signer == "Jane Doe");
    CHECK(e2.plan_version == 3);
    CHECK(e2.declined);
    CHECK(e2.reason == e.reason);
    CHECK(std::get<iop::Session>(r.journal[3]).objectives == s.objectives);
    CHECK(iop::render_entry(r.journal[0]) == iop::render_entry(g));
    CHECK(iop::render_entry(r.journal[1]) == iop::render_entry(o));
    CHECK(iop::render_entry(r.journal[2]) == iop::render_entry(e));
    CHECK(iop::render_entry(r.journal[3]) == iop::render_entry(s));
}

TEST_CASE("load error: a goal or objective ref given twice names both lines") {
    const std::string g1 = goal_block("G1", "add", "2026-11-03");
    const std::string text = base + g1 + goal_block("G2", "add", "2026-11-03") + g1;
    REQUIRE_LOAD_ERROR(e, text);
    CHECK(e.pos().line == line_of(text, "[[goal]]", 2));
    CHECK(e.detail() == fmt::format("goal G1 is added twice: line {} and line {}",
                                    line_of(text, "[[goal]]", 0), line_of(text, "[[goal]]", 2)));
    const std::string o = objective_block("G1.1", "add", "2026-11-04");
    const std::string text2 = base + g1 + o + o;
    REQUIRE_LOAD_ERROR(f, text2);
    CHECK(f.detail() == fmt::format("objective G1.1 is added twice: line {} and line {}",
                                    line_of(text2, "[[objective]]", 0),
                                    line_of(text2, "[[objective]]", 1)));
}

TEST_CASE("load error: an objective of an unknown or closed goal, or dated before it") {
    const std::string g1 = goal_block("G1", "add", "2026-11-05");
    REQUIRE_LOAD_ERROR(a, base + g1 + objective_block("G2.1", "add", "2026-11-05"));
    CHECK(a.detail() == "objective G2.1 is added to goal G2, which is not added above");
    REQUIRE_LOAD_ERROR(b, base + objective_block("G1.1", "add", "2026-11-05") + g1);
    CHECK(b.detail() == "objective G1.1 is added to goal G1, which is not added above");
    REQUIRE_LOAD_ERROR(c, base + g1 + goal_block("G1", "achieved", "2026-11-10") +
                              objective_block("G1.1", "add", "2026-11-11"));
    CHECK(c.detail() == "objective G1.1 is added to goal G1, which was achieved on 2026-11-10");
    REQUIRE_LOAD_ERROR(d, base + g1 + objective_block("G1.1", "add", "2026-11-04"));
    CHECK(d.detail() == "objective G1.1 is dated 2026-11-04, before goal G1 was added on "
                        "2026-11-05");
    CHECK_FALSE(load_error(base + g1 + objective_block("G1.1", "add", "2026-11-05")).has_value());
}

TEST_CASE("load error: a revise or status change of an unknown or closed goal or objective") {
    const std::string g1 = goal_block("G1", "add", "2026-11-03");
    const std::string o1 = objective_block("G1.1", "add", "2026-11-03");
    REQUIRE_LOAD_ERROR(a, base + goal_block("G1", "revise", "2026-11-03"));
    CHECK(a.detail() == "goal G1 is revised but never added above");
    REQUIRE_LOAD_ERROR(b, base + g1 + objective_block("G1.2", "achieved", "2026-11-04"));
    CHECK(b.detail() == "objective G1.2 is achieved but never added above");
    REQUIRE_LOAD_ERROR(c, base + g1 + goal_block("G1", "dropped", "2026-11-04") +
                              goal_block("G1", "revise", "2026-11-05"));
    CHECK(c.detail() == "goal G1 is revised after it was dropped on 2026-11-04");
    REQUIRE_LOAD_ERROR(d, base + g1 + o1 + objective_block("G1.1", "not-achieved", "2026-11-04") +
                              objective_block("G1.1", "achieved", "2026-11-05"));
    CHECK(d.detail() == "objective G1.1 is achieved after it was not-achieved on 2026-11-04");
    const std::string text = base + g1 + o1 + goal_block("G1", "achieved", "2026-11-06") +
                             objective_block("G1.1", "revise", "2026-11-07");
    REQUIRE_LOAD_ERROR(e, text);
    CHECK(e.pos().line == line_of(text, "[[objective]]", 1));
    CHECK(e.detail() ==
          "objective G1.1 is revised after it was closed with goal G1 (achieved) on 2026-11-06");
    // partly-achieved and revise leave it open.
    CHECK_FALSE(load_error(base + g1 + o1 +
                           objective_block("G1.1", "partly-achieved", "2026-11-04") +
                           objective_block("G1.1", "revise", "2026-11-05") +
                           objective_block("G1.1", "achieved", "2026-11-06"))
                    .has_value());
}

TEST_CASE("load error: a plan entry dated before its add, a target before its date") {
    const std::string g1 = goal_block("G1", "add", "2026-11-05");
    REQUIRE_LOAD_ERROR(a, base + g1 + goal_block("G1", "achieved", "2026-11-04"));
    CHECK(a.detail() == "goal G1 achieved on 2026-11-04, before it was added on 2026-11-05");
    REQUIRE_LOAD_ERROR(b, base + g1 + objective_block("G1.1", "add", "2026-11-06") +
                              objective_block("G1.1", "revise", "2026-11-05"));
    CHECK(b.detail() == "objective G1.1 revised on 2026-11-05, before it was added on 2026-11-06");
    const std::string text =
        base + g1 + objective_block("G1.1", "revise", "2026-11-06", "target = 2026-11-01\n");
    // The target is checked on the entry itself, before any ref.
    const std::string early = base + g1 +
                              "\n[[objective]]\nref = \"G1.1\"\naction = \"add\"\ndate = "
                              "2026-11-06\ntext = \"x\"\ntarget = 2026-11-05\n";
    REQUIRE_LOAD_ERROR(c, early);
    CHECK(c.pos().line == line_of(early, "target = 2026-11-05"));
    CHECK(c.detail() == "'target' 2026-11-05 is before the entry's date 2026-11-06");
    CHECK_FALSE(load_error(base + g1 +
                           "\n[[objective]]\nref = \"G1.1\"\naction = \"add\"\ndate = "
                           "2026-11-06\ntext = \"x\"\ntarget = 2026-11-06\n")
                    .has_value());
    REQUIRE_LOAD_ERROR(d, text);
    CHECK(d.detail() == "'target' 2026-11-01 is before the entry's date 2026-11-06");
}

TEST_CASE("load error: plan entries' keys, texts and refs") {
    auto detail = [](const std::string& blocks) {
        auto e = load_error(base + blocks);
        REQUIRE_MESSAGE(e.has_value(), blocks);
        return e->detail();
    };
    CHECK(detail(goal_block("G1", "add", "2026-11-03", "words = \"\"\n")) == "'words' is empty");
    CHECK(detail("\n[[goal]]\nref = \"G1\"\naction = \"add\"\ndate = 2026-11-03\n"
                 "problem = \"\"\ngoal = \"x\"\n") == "'problem' is empty");
    CHECK(detail("\n[[goal]]\nref = \"G1\"\naction = \"add\"\ndate = 2026-11-03\n"
                 "problem = \"x\"\n") == "a goal added needs 'problem' and 'goal'");
    CHECK(
        detail(goal_block("G1", "add", "2026-11-03", "dimension = 7\n")).find("between 1 and 6") !=
        std::string::npos);
    CHECK(
        detail(goal_block("G1", "add", "2026-11-03", "dimension = 0\n")).find("between 1 and 6") !=
        std::string::npos);
    CHECK_FALSE(load_error(base + goal_block("G1", "add", "2026-11-03", "dimension = 6\n")));
    CHECK(detail(goal_block("G0", "add", "2026-11-03")) ==
          "'ref' must be a goal reference such as G1");
    CHECK(detail(goal_block("G01", "add", "2026-11-03")) ==
          "'ref' must be a goal reference such as G1");
    CHECK(detail(goal_block("G1", "add", "2026-11-03") +
                 objective_block("G1", "add", "2026-11-03")) ==
          "'ref' must be an objective reference such as G1.2");
    CHECK(detail(goal_block("G1", "add", "2026-11-03") +
                 objective_block("G1.1", "add", "2026-11-03", "interventions = [\"a\", \"\"]\n")) ==
          "an item of '[[objective]].interventions' is empty");
    CHECK(detail(goal_block("G1", "add", "2026-11-03") +
                 "\n[[objective]]\nref = \"G1.1\"\naction = \"add\"\ndate = 2026-11-03\n"
                 "text = \"x\"\n") == "an objective added needs 'text' and 'target'");
    CHECK(detail(goal_block("G1", "add", "2026-11-03") +
                 objective_block("G1.1", "add", "2026-11-03") +
                 objective_block("G1.1", "achieved", "2026-11-04", "text = \"y\"\n"))
              .find("revise it first") != std::string::npos);
    CHECK(detail(goal_block("G1", "add", "2026-11-03") +
                 "\n[[goal]]\nref = \"G1\"\naction = \"revise\"\ndate = 2026-11-03\n") ==
          "a goal revised changes nothing: give problem, goal, words or dimension");
    CHECK(detail(goal_block("G1", "add", "2026-11-03", "action2 = 1\n")).find("action2") !=
          std::string::npos);
    CHECK(detail(session_block("2026-11-03") + "objectives = [\"G1\"]\n") ==
          "'objectives' holds 'G1', which is not an objective reference such as G1.2");
    CHECK(detail(signature_block("witness")) ==
          "'[[event]].role' must be one of: patient, clinician, supervisor, guardian");
    CHECK(detail("\n[[event]]\ntype = \"signature\"\ndate = 2026-11-04\nrole = \"patient\"\n") ==
          "a signature needs 'plan_version'");
    CHECK(detail(signature_block("patient", "declined = true\n")) ==
          "a declined signature needs a 'reason'");
    CHECK_FALSE(
        load_error(base + signature_block("patient", "declined = true\nreason = \"no\"\n")));
    // A session may name an objective the plan does not hold: it addresses nothing.
    CHECK_FALSE(load_error(base + session_block("2026-11-03") + "objectives = [\"G9.9\"]\n"));
}

TEST_CASE("plan version: position decides, voids of version-making entries count") {
    iop::Goal g = with_meta(iop::Goal{}, ymd(2026, 11, 3));
    g.ref = "G1";
    g.problem = "Drinks daily";
    g.goal = "Stay sober";
    iop::Objective o = with_meta(iop::Objective{}, ymd(2026, 11, 3));
    o.ref = "G1.1";
    o.text = "Name 3 triggers";
    o.target = ymd(2026, 12, 1);
    iop::Event sign = with_meta(iop::Event{}, ymd(2026, 11, 4));
    sign.type = iop::EventType::signature;
    sign.plan_version = 3;
    iop::Event clinician = sign;
    clinician.role = iop::SignRole::clinician;
    iop::Session s = with_meta(iop::Session{}, ymd(2026, 11, 5));
    s.kind = iop::SessionKind::individual;
    s.hours = 1;
    s.objectives = {"G1.1"};
    const std::vector<iop::Entry> entries{g, o, sign, clinician, s};
    const auto refs = iop::entry_refs(entries);
    auto void_of = [&](std::size_t i) {
        iop::Event v = with_meta(iop::Event{}, ymd(2026, 11, 6));
        v.type = iop::EventType::void_;
        v.entry = refs[i];
        v.reason = "entered in error";
        return v;
    };
    auto with = [&](std::vector<iop::Entry> more) {
        std::vector<iop::Entry> all = entries;
        all.insert(all.end(), more.begin(), more.end());
        return render_and_parse(sample_header(), all);
    };

    iop::Record plain = with({});
    CHECK(iop::plan_version_at(iop::file_journal(plain), 0) == 1);
    CHECK(iop::plan_version_at(iop::file_journal(plain), 2) == 3);
    CHECK(iop::next_plan_version(plain) == 3);
    iop::TreatmentPlan tp = iop::treatment_plan(plain);
    CHECK(tp.version == 3);
    CHECK(tp.version_date == ymd(2026, 11, 3));
    CHECK(tp.signatures.size() == 2);
    CHECK(tp.missing.empty());
    CHECK(tp.find_objective("G1.1")->sessions == 1);

    SUBCASE("voiding a session makes no version") {
        iop::Record r = with({void_of(4)});
        CHECK(iop::next_plan_version(r) == 3);
        CHECK(iop::treatment_plan(r).missing.empty());
        CHECK(iop::treatment_plan(r).find_objective("G1.1")->sessions == 0);
    }
    SUBCASE("voiding the objective makes a version the signatures do not cover") {
        iop::Record r = with({void_of(1)});
        CHECK(iop::next_plan_version(r) == 4);
        iop::TreatmentPlan v = iop::treatment_plan(r);
        CHECK(v.version == 4);
        CHECK(v.version_date == ymd(2026, 11, 6));
        CHECK(v.signatures.empty());
        CHECK(v.missing ==
              std::vector<iop::SignRole>{iop::SignRole::patient, iop::SignRole::clinician});
        // The voided objective is no objective: none was ever added.
        CHECK(v.find_objective("G1.1") == nullptr);
        CHECK_FALSE(v.objective_added);
        CHECK(v.goals.size() == 1);
    }
    SUBCASE("a voided signature signs nothing") {
        iop::Record r = with({void_of(3)});
        CHECK(iop::next_plan_version(r) == 3);
        CHECK(iop::treatment_plan(r).missing ==
              std::vector<iop::SignRole>{iop::SignRole::clinician});
    }
    SUBCASE("next refs count voided goals and objectives, so none is given twice") {
        iop::Record r = with({void_of(1)});
        CHECK(iop::next_objective_ref(r, "G1") == "G1.2");
        CHECK(iop::next_objective_ref(r, "G2") == "G2.1");
        CHECK(iop::next_goal_ref(r) == "G2");
    }
}

TEST_CASE("the example clinic's records are written exactly as iop writes them") {
    // examples/clinic holds hand-written treatment plans: each file must be
    // byte for byte what render_header and render_entry give for what it
    // holds (the key order is what entry references hash).
    const std::filesystem::path dir =
        std::filesystem::path(IOP_SOURCE_DIR) / "examples" / "clinic" / "patients";
    int files = 0, goals = 0, objectives = 0, signatures = 0, addressed = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
        if (f.path().extension() != ".toml")
            continue;
        CAPTURE(f.path().string());
        std::ifstream in(f.path(), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        const iop::Record r = iop::parse_record(text.str(), f.path().filename().string());
        std::string rendered = iop::render_header(r.header);
        for (const iop::Entry& e : iop::file_journal(r)) {
            rendered += iop::render_entry(e);
            goals += std::holds_alternative<iop::Goal>(e);
            objectives += std::holds_alternative<iop::Objective>(e);
            const auto* ev = std::get_if<iop::Event>(&e);
            signatures += ev && ev->type == iop::EventType::signature;
            const auto* s = std::get_if<iop::Session>(&e);
            addressed += s && !s->objectives.empty();
        }
        CHECK(rendered == text.str());
        ++files;
    }
    CHECK(files == 6);
    CHECK(goals > 6);
    CHECK(objectives > 10);
    CHECK(signatures > 12);
    CHECK(addressed > 20);
}

TEST_SUITE_END();

TEST_CASE("recorded_on: recorded_at as a date in local time") {
    const char* saved = std::getenv("TZ");
    std::string old = saved ? saved : "";
    setenv("TZ", "XST5", 1); // five hours behind UTC, no daylight saving
    tzset();
    iop::Record r = iop::parse_record(R"(schema_version = 1
id = "P-0001"
name = "Jane Doe"
enrolled = 2026-11-02
recorded_at = 2026-11-02T12:00:00Z

[plan]
weeks = 12
groups_per_week = 3
individual_per_week = 1
family_per_week = 1

[[session]]
date = 2026-11-03
kind = "individual"
hours = 1.0
status = "attended"
recorded_at = 2026-11-04T03:00:00Z

[[session]]
date = 2026-11-04
kind = "individual"
hours = 1.0
status = "attended"
recorded_at = 2026-11-04T23:30:00-02:00

[[session]]
date = 2026-11-05
kind = "individual"
hours = 1.0
status = "attended"
recorded_at = 2026-11-05T23:30:00

[[session]]
date = 2026-11-06
kind = "individual"
hours = 1.0
status = "attended"
)",
                                      "patients/P-0001.toml");
    auto ymd = [](unsigned d) {
        return iop::Date{std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{d}};
    };
    CHECK(r.header.recorded_on == ymd(2));
    REQUIRE(r.journal.size() == 4);
    CHECK(iop::meta(r.journal[0]).recorded_on == ymd(3)); // 22:00 the evening before, locally
    CHECK(iop::meta(r.journal[1]).recorded_on == ymd(4)); // 01:30Z on the 5th is 20:30 on the 4th
    CHECK(iop::meta(r.journal[2]).recorded_on == ymd(5)); // no offset: local already
    CHECK_FALSE(iop::meta(r.journal[3]).recorded_on);     // not recorded
    if (saved)
        setenv("TZ", old.c_str(), 1);
    else
        unsetenv("TZ");
    tzset();
}

// SPEC section 3, "Entry references": references are printed and typed back
// weeks later, so the canonical rendering is frozen. The expected values are
// SHA-256 of the text the SPEC's layout gives (computed apart from iop); a
// change to render_entry that changes any of them fails here.
TEST_CASE("entry_refs: frozen references for one entry of every kind, -2 for a repeat") {
    auto m = [](auto entry, iop::Date date) {
        entry.date = date;
        entry.recorded_by = "jrivera";
        entry.recorded_at = "2026-11-03T17:02:11Z";
        return entry;
    };
    iop::Session s;
    s.kind = iop::SessionKind::group;
    s.topic = "illness";
    s.hours = 3.0;
    s.status = iop::SessionStatus::attended;
    s.note = "late";
    iop::Screen sc;
    sc.result = iop::ScreenResult::positive;
    sc.substances = {"cocaine"};
    iop::Medication med;
    med.action = iop::MedAction::start;
    med.name = "naltrexone";
    med.dose = "50 mg";
    med.review_days = 30;
    auto event = [](iop::EventType t) {
        iop::Event e;
        e.type = t;
        return e;
    };
    iop::Event change = event(iop::EventType::plan_change);
    change.plan.weeks = 16;
    iop::Event aftercare = event(iop::EventType::aftercare);
    aftercare.sponsor = "Sam";
    aftercare.groups = {"AA"};
    iop::Event graduated = event(iop::EventType::graduated);
    graduated.forced = true;
    graduated.reason = "court order";
    iop::Event discharged = event(iop::EventType::discharged);
    discharged.reason = "step-down";
    iop::Event note = event(iop::EventType::note);
    note.text = "called";
    iop::Event voided = event(iop::EventType::void_);
    voided.entry = "0123abcd";
    voided.reason = "wrong patient";
    iop::Event amend = event(iop::EventType::amend);
    amend.amend.name = "Jane Q. Doe";
    amend.reason = "misspelled";
    const std::vector<iop::Entry> entries = {
        m(s, ymd(2026, 11, 3)),
        m(sc, ymd(2026, 11, 4)),
        m(med, ymd(2026, 11, 4)),
        m(change, ymd(2026, 11, 5)),
        m(event(iop::EventType::plan_review), ymd(2026, 11, 6)),
        m(aftercare, ymd(2026, 11, 7)),
        m(graduated, ymd(2026, 11, 8)),
        m(discharged, ymd(2026, 11, 8)),
        m(note, ymd(2026, 11, 9)),
        m(voided, ymd(2026, 11, 10)),
        m(s, ymd(2026, 11, 3)),
        m(s, ymd(2026, 11, 3)),
        m(amend, ymd(2026, 11, 11)),
    };
    const std::vector<std::string> expected = {
        "7400eeb8", "5ddea569", "85d191b3", "c1a4f720",   "cc2e3ec9",   "14d9d065", "58a222ee",
        "fb232a95", "d4288eba", "3806e8c2", "7400eeb8-2", "7400eeb8-3", "29d6b1d0"};
    CHECK(iop::entry_refs(entries) == expected);
    CHECK(iop::canonical_entry(entries[0]).rfind("[[session]]\n", 0) == 0);

    // SPEC section 12's entries: a goal, an objective, a signature and a
    // session that addressed objectives.
    iop::Goal g;
    g.ref = "G1";
    g.problem = "Drinks daily";
    g.goal = "Stay sober";
    g.dimension = 5;
    iop::Objective o;
    o.ref = "G1.1";
    o.text = "Name 3 triggers";
    o.target = ymd(2026, 12, 1);
    o.interventions = std::vector<std::string>{"individual CBT"};
    iop::Event sign = event(iop::EventType::signature);
    sign.role = iop::SignRole::guardian;
    sign.signer = "Ann Doe";
    sign.plan_version = 3;
    iop::Session addressed = s;
    addressed.objectives = {"G1.1"};
    const std::vector<iop::Entry> plan = {m(g, ymd(2026, 11, 3)), m(o, ymd(2026, 11, 3)),
                                          m(sign, ymd(2026, 11, 4)),
                                          m(addressed, ymd(2026, 11, 5))};
    CHECK(iop::entry_refs(plan) ==
          std::vector<std::string>{"ca0c5281", "21eadcb7", "16723888", "59fda6fe"});
}

TEST_CASE("valid_entry_ref: 8 lowercase hex digits, then -2, -3...") {
    CHECK(iop::valid_entry_ref("7400eeb8"));
    CHECK(iop::valid_entry_ref("7400eeb8-2"));
    CHECK(iop::valid_entry_ref("7400eeb8-12"));
    CHECK_FALSE(iop::valid_entry_ref("7400EEB8"));
    CHECK_FALSE(iop::valid_entry_ref("7400eeb"));
    CHECK_FALSE(iop::valid_entry_ref("7400eeb8-1"));
    CHECK_FALSE(iop::valid_entry_ref("7400eeb8-02"));
    CHECK_FALSE(iop::valid_entry_ref("7400eeb8-"));
    CHECK_FALSE(iop::valid_entry_ref("7400eeb8x"));
}

TEST_CASE("load: a void takes its entry out of the journal; a bad void is a data error") {
    iop::Session s = with_meta(iop::Session{}, ymd(2026, 11, 3));
    s.kind = iop::SessionKind::individual;
    s.hours = 1.0;
    iop::Event end = with_meta(iop::Event{}, ymd(2026, 11, 4));
    end.type = iop::EventType::discharged;
    end.reason = "moved";
    const std::string end_ref = iop::entry_refs(std::vector<iop::Entry>{s, end})[1];
    iop::Event v = with_meta(iop::Event{}, ymd(2026, 11, 9));
    v.type = iop::EventType::void_;
    v.entry = end_ref;
    v.reason = "wrong patient";
    iop::Record r = render_and_parse(sample_header(), {s, end, v});
    REQUIRE(r.journal.size() == 1);
    CHECK(std::holds_alternative<iop::Session>(r.journal[0]));
    CHECK(r.voided.size() == 2);
    CHECK(iop::file_journal(r).size() == 3);
    CHECK(iop::fold(r, iop::Program{}).status == iop::Status::active);
    // A session dated after the voided discharge is no longer after an end.
    iop::Session later = with_meta(s, ymd(2026, 11, 6));
    CHECK(render_and_parse(sample_header(), {s, end, v, later}).journal.size() == 2);

    iop::Event unknown = v;
    unknown.entry = "00000000";
    CHECK_THROWS_WITH_AS(render_and_parse(sample_header(), {s, end, unknown}),
                         doctest::Contains("not an entry above it"), iop::DataError);
    iop::Event void_of_void = v;
    void_of_void.entry = iop::entry_refs(std::vector<iop::Entry>{s, end, v})[2];
    CHECK_THROWS_WITH_AS(render_and_parse(sample_header(), {s, end, v, void_of_void}),
                         doctest::Contains("a void itself"), iop::DataError);
    CHECK_THROWS_WITH_AS(render_and_parse(sample_header(), {s, end, v, v}),
                         doctest::Contains("voided a second time"), iop::DataError);
}

TEST_CASE("load: amend events change the header in file order; a voided one does not") {
    iop::Event a = with_meta(iop::Event{}, ymd(2026, 11, 4));
    a.type = iop::EventType::amend;
    a.amend.name = "Jane Q. Doe";
    a.amend.clinician = "Dr. Chen";
    a.reason = "misspelled";
    iop::Event b = with_meta(iop::Event{}, ymd(2026, 11, 5));
    b.type = iop::EventType::amend;
    b.amend.clinician = "Dr. Park";
    b.reason = "new clinician";
    iop::Record r = render_and_parse(sample_header(), {a, b});
    CHECK(r.header.name == "Jane Q. Doe");
    CHECK(r.header.clinician == "Dr. Park");
    CHECK(r.header.enrolled == ymd(2026, 11, 2));
    iop::Event v = with_meta(iop::Event{}, ymd(2026, 11, 6));
    v.type = iop::EventType::void_;
    v.entry = iop::entry_refs(std::vector<iop::Entry>{a, b})[1];
    v.reason = "wrong patient";
    CHECK(render_and_parse(sample_header(), {a, b, v}).header.clinician == "Dr. Chen");
    iop::Event born = a;
    born.amend = {};
    born.amend.born = ymd(2026, 12, 1);
    CHECK_THROWS_WITH_AS(render_and_parse(sample_header(), {born}),
                         doctest::Contains("'born' is after 'enrolled'"), iop::DataError);
}

// ------------------------------------------- level of care and payer (13)

namespace {

std::string asam_block(const std::string& extra = "", const std::string& d6 = "d6 = 2\n") {
    return "\n[[assessment]]\nkind = \"asam\"\ndate = 2026-11-05\nd1 = 2\nd2 = 1\nd3 = 3\n"
           "d4 = 0\nd5 = 4\n" +
           d6 + extra;
}

std::string auth_block(const std::string& extra = "", const std::string& units = "units = 24\n",
                       const std::string& to = "2026-12-02") {
    return "\n[[authorization]]\ndate = 2026-11-03\npayer = \"Acme Health\"\nnumber = "
           "\"AUTH-123\"\nfrom = 2026-11-03\nto = " +
           to + "\n" + units + "unit = \"session\"\n" + extra;
}

iop::AsamAssessment sample_asam() {
    iop::AsamAssessment a = with_meta(iop::AsamAssessment{}, ymd(2026, 11, 5));
    a.ratings = {2, 1, 3, 0, 4, 2};
    a.level = "2.5";
    a.note = "step up discussed";
    return a;
}

iop::Authorization sample_authorization() {
    iop::Authorization a = with_meta(iop::Authorization{}, ymd(2026, 11, 3));
    a.payer = "Acme Health";
    a.number = "AUTH-123";
    a.from = ymd(2026, 11, 3);
    a.to = ymd(2026, 12, 2);
    a.units = 24;
    a.unit = iop::AuthUnit::session;
    a.next_review = ymd(2026, 11, 20);
    a.note = "call before review";
    return a;
}

} // namespace

TEST_CASE("render_entry: assessment, authorization, placement and certification keys in their "
          "frozen order, and each parses back to itself") {
    const iop::AsamAssessment asam = sample_asam();
    CHECK(iop::render_entry(asam) == "\n[[assessment]]\n"
                                     "kind = \"asam\"\n"
                                     "date = 2026-11-05\n"
                                     "d1 = 2\nd2 = 1\nd3 = 3\nd4 = 0\nd5 = 4\nd6 = 2\n"
                                     "level = \"2.5\"\n"
                                     "note = \"step up discussed\"\n"
                                     "recorded_by = \"jrivera\"\n"
                                     "recorded_at = 2026-11-03T17:02:11Z\n");
    iop::AsamAssessment plain = with_meta(iop::AsamAssessment{}, ymd(2026, 11, 5));
    CHECK(iop::render_entry(plain) == "\n[[assessment]]\nkind = \"asam\"\ndate = 2026-11-05\n"
                                      "d1 = 0\nd2 = 0\nd3 = 0\nd4 = 0\nd5 = 0\nd6 = 0\n"
                                      "recorded_by = \"jrivera\"\n"
                                      "recorded_at = 2026-11-03T17:02:11Z\n");
    const iop::Authorization auth = sample_authorization();
    CHECK(iop::render_entry(auth) == "\n[[authorization]]\n"
                                     "date = 2026-11-03\n"
                                     "payer = \"Acme Health\"\n"
                                     "number = \"AUTH-123\"\n"
                                     "from = 2026-11-03\n"
                                     "to = 2026-12-02\n"
                                     "units = 24\n"
                                     "unit = \"session\"\n"
                                     "next_review = 2026-11-20\n"
                                     "note = \"call before review\"\n"
                                     "recorded_by = \"jrivera\"\n"
                                     "recorded_at = 2026-11-03T17:02:11Z\n");
    iop::Event placement = with_meta(iop::Event{}, ymd(2026, 11, 6));
    placement.type = iop::EventType::placement;
    placement.reason = "wants to keep her job";
    CHECK(iop::render_entry(placement) == "\n[[event]]\n"
                                          "type = \"placement\"\n"
                                          "date = 2026-11-06\n"
                                          "reason = \"wants to keep her job\"\n"
                                          "recorded_by = \"jrivera\"\n"
                                          "recorded_at = 2026-11-03T17:02:11Z\n");
    iop::Event cert = with_meta(iop::Event{}, ymd(2026, 11, 6));
    cert.type = iop::EventType::certification;
    cert.physician = "Dr. Chen";
    cert.text = "initial";
    CHECK(iop::render_entry(cert) == "\n[[event]]\n"
                                     "type = \"certification\"\n"
                                     "date = 2026-11-06\n"
                                     "physician = \"Dr. Chen\"\n"
                                     "note = \"initial\"\n"
                                     "recorded_by = \"jrivera\"\n"
                                     "recorded_at = 2026-11-03T17:02:11Z\n");

    iop::Authorization hours = with_meta(iop::Authorization{}, ymd(2026, 11, 3));
    hours.payer = "Acme Health";
    hours.number = "AUTH-124";
    hours.from = ymd(2026, 12, 3);
    hours.to = ymd(2026, 12, 31);
    hours.units = 40;
    hours.unit = iop::AuthUnit::hour;
    iop::Record r = render_and_parse(sample_header(), {asam, plain, auth, hours, placement, cert});
    REQUIRE(r.journal.size() == 6);
    const auto& a2 = std::get<iop::AsamAssessment>(r.journal[0]);
    check_meta(a2, asam);
    CHECK(a2.ratings == asam.ratings);
    CHECK(a2.level == "2.5");
    CHECK(a2.note == asam.note);
    CHECK(std::get<iop::AsamAssessment>(r.journal[1]).level.empty());
    const auto& u2 = std::get<iop::Authorization>(r.journal[2]);
    check_meta(u2, auth);
    CHECK(u2.payer == auth.payer);
    CHECK(u2.number == auth.number);
    CHECK(u2.from == auth.from);
    CHECK(u2.to == auth.to);
    CHECK(u2.units == 24);
    CHECK(u2.unit == iop::AuthUnit::session);
    CHECK(u2.next_review == auth.next_review);
    CHECK(u2.note == auth.note);
    const auto& h2 = std::get<iop::Authorization>(r.journal[3]);
    CHECK(h2.unit == iop::AuthUnit::hour);
    CHECK_FALSE(h2.next_review);
    CHECK(std::get<iop::Event>(r.journal[4]).reason == placement.reason);
    CHECK(std::get<iop::Event>(r.journal[5]).physician == "Dr. Chen");
    CHECK(std::get<iop::Event>(r.journal[5]).text == "initial");
    const std::vector<iop::Entry> written = {asam, plain, auth, hours, placement, cert};
    for (std::size_t i = 0; i < written.size(); ++i) {
        CAPTURE(i);
        CHECK(iop::render_entry(r.journal[i]) == iop::render_entry(written[i]));
    }

    // Frozen references: SHA-256 of the texts above (without their leading
    // blank line), computed apart from iop with Python's hashlib.
    CHECK(iop::entry_refs(written) == std::vector<std::string>{"e0f43294", "b9585a53", "52542f1a",
                                                               "9d677af7", "d45f3a54", "3c6459db"});
}

TEST_CASE("load error: an ASAM assessment's ratings, level and keys") {
    auto detail = [](const std::string& blocks) {
        auto e = load_error(base + blocks);
        REQUIRE_MESSAGE(e.has_value(), blocks);
        return e->detail();
    };
    CHECK_FALSE(load_error(base + asam_block()));
    CHECK_FALSE(load_error(base + asam_block("", "d6 = 4\n")));
    CHECK_FALSE(load_error(base + asam_block("", "d6 = 0\n")));
    const std::string high = base + asam_block("", "d6 = 5\n");
    REQUIRE_LOAD_ERROR(a, high);
    CHECK(a.pos().line == line_of(high, "d6 = 5"));
    CHECK(a.detail() == "'[[assessment]].d6' is 5, must be between 0 and 4");
    CHECK(detail(asam_block("", "d6 = -1\n")) ==
          "'[[assessment]].d6' is -1, must be between 0 and 4");
    CHECK(detail(asam_block("", "")) == "an ASAM assessment needs 'd6' (dimension 6 rated 0-4)");
    for (const std::string& level : iop::asam_levels()) {
        CAPTURE(level);
        CHECK_FALSE(load_error(base + asam_block("level = \"" + level + "\"\n")));
    }
    const std::string bad_level = base + asam_block("level = \"2\"\n");
    REQUIRE_LOAD_ERROR(b, bad_level);
    CHECK(b.pos().line == line_of(bad_level, "level = "));
    CHECK(b.detail() == "'level' must be one of: 0.5, 1, 2.1, 2.5, 3.1, 3.3, 3.5, 3.7, 4");
    CHECK(detail(asam_block("level = \"\"\n")).find("'level' must be one of") == 0);
    CHECK(detail("\n[[assessment]]\nkind = \"phq9\"\ndate = 2026-11-05\nd1 = 0\nd2 = 0\nd3 = 0\n"
                 "d4 = 0\nd5 = 0\nd6 = 0\n") == "'kind' must be: asam");
    CHECK(detail(asam_block("note = \"\"\n")) == "'note' is empty");
    CHECK(detail(asam_block("d7 = 1\n")).find("unknown key '[[assessment]].d7'") == 0);
    CHECK(detail(asam_block("dimension = 1\n")).find("unknown key '[[assessment]].dimension'") ==
          0);
}

TEST_CASE("load error: an authorization's dates, units, unit, texts and keys") {
    auto detail = [](const std::string& blocks) {
        auto e = load_error(base + blocks);
        REQUIRE_MESSAGE(e.has_value(), blocks);
        return e->detail();
    };
    CHECK_FALSE(load_error(base + auth_block()));
    // One day is a valid authorization: from and to may be the same day.
    CHECK_FALSE(load_error(base + auth_block("", "units = 1\n", "2026-11-03")));
    CHECK_FALSE(load_error(base + auth_block("", "units = 2000\n")));
    const std::string early = base + auth_block("", "units = 24\n", "2026-11-02");
    REQUIRE_LOAD_ERROR(a, early);
    CHECK(a.pos().line == line_of(early, "to = 2026-11-02"));
    CHECK(a.detail() == "'to' 2026-11-02 is before 'from' 2026-11-03");
    const std::string zero = base + auth_block("", "units = 0\n");
    REQUIRE_LOAD_ERROR(b, zero);
    CHECK(b.pos().line == line_of(zero, "units = 0"));
    CHECK(b.detail() == "'[[authorization]].units' is 0, must be between 1 and 2000");
    CHECK(detail(auth_block("", "units = 2001\n")) ==
          "'[[authorization]].units' is 2001, must be between 1 and 2000");
    CHECK(detail(auth_block("", "")) == "an authorization needs 'units'");
    CHECK(detail(auth_block("", "units = 2.5\n")).find("units") != std::string::npos);
    for (const char* unit : {"session", "day", "hour"}) {
        CAPTURE(unit);
        std::string text = auth_block();
        text.replace(text.find("\"session\""), 9, std::string("\"") + unit + "\"");
        CHECK_FALSE(load_error(base + text));
    }
    std::string week = auth_block();
    week.replace(week.find("\"session\""), 9, "\"week\"");
    CHECK(detail(week).find("'[[authorization]].unit' must be one of: session, day, hour") == 0);
    std::string no_payer = auth_block();
    no_payer.replace(no_payer.find("\"Acme Health\""), 13, "\"\"");
    CHECK(detail(no_payer) == "'payer' is empty");
    std::string no_number = auth_block();
    no_number.replace(no_number.find("\"AUTH-123\""), 10, "\"\"");
    CHECK(detail(no_number) == "'number' is empty");
    CHECK(detail(auth_block("note = \"\"\n")) == "'note' is empty");
    CHECK(detail(auth_block("next_review = \"soon\"\n")).find("next_review") != std::string::npos);
    CHECK(
        detail(auth_block("unit_price = 3\n")).find("unknown key '[[authorization]].unit_price'") ==
        0);
}

TEST_CASE("load error: placement and certification events") {
    auto detail = [](const std::string& blocks) {
        auto e = load_error(base + blocks);
        REQUIRE_MESSAGE(e.has_value(), blocks);
        return e->detail();
    };
    const std::string placement = "\n[[event]]\ntype = \"placement\"\ndate = 2026-11-06\n";
    const std::string cert = "\n[[event]]\ntype = \"certification\"\ndate = 2026-11-06\n";
    CHECK_FALSE(load_error(base + placement + "reason = \"wants to keep her job\"\n"));
    CHECK_FALSE(load_error(base + cert + "physician = \"Dr. Chen\"\n"));
    CHECK(detail(placement + "reason = \"\"\n") == "'reason' is empty");
    CHECK(detail(placement).find("reason") != std::string::npos);
    CHECK(detail(placement + "reason = \"x\"\nphysician = \"Dr. Chen\"\n")
              .find("unknown key '[[event]].physician'") == 0);
    CHECK(detail(cert + "physician = \"\"\n") == "'physician' is empty");
    CHECK(detail(cert).find("physician") != std::string::npos);
    CHECK(detail(cert + "physician = \"Dr. Chen\"\nreason = \"x\"\n")
              .find("unknown key '[[event]].reason'") == 0);
}
