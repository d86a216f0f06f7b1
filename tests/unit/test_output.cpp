// Rendering for people and programs (include/iop/output.hpp): CSV cells that
// no spreadsheet runs as a formula, JSON values of the record types.
#include "iop/output.hpp"
#include "testutil.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>

using nlohmann::json;

using testutil::ymd;

namespace {

void set_meta(iop::EntryMeta& m, iop::Date date) {
    m.date = date;
    m.recorded_by = "jrivera";
    m.recorded_at = "2026-11-03T17:02:11Z";
}

} // namespace

TEST_SUITE_BEGIN("output");

TEST_CASE("csv_cell leaves plain cells alone") {
    CHECK(iop::csv_cell("") == "");
    CHECK(iop::csv_cell("plain") == "plain");
    CHECK(iop::csv_cell("P-0001") == "P-0001");
    CHECK(iop::csv_cell("2026-11-02") == "2026-11-02");
    CHECK(iop::csv_cell("3.0") == "3.0");
    CHECK(iop::csv_cell("a=b") == "a=b"); // only a leading character is a formula
    CHECK(iop::csv_cell("x-1") == "x-1");
    CHECK(iop::csv_cell("Zoë Ångström") == "Zoë Ångström");
}

TEST_CASE("csv_cell neutralises formula triggers with a leading quote") {
    CHECK(iop::csv_cell("=SUM(A1:A9)") == "'=SUM(A1:A9)");
    CHECK(iop::csv_cell("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"");
    CHECK(iop::csv_cell("+1") == "'+1");
    CHECK(iop::csv_cell("-1") == "'-1");
    CHECK(iop::csv_cell("-") == "'-");
    CHECK(iop::csv_cell("@SUM(1)") == "'@SUM(1)");
    CHECK(iop::csv_cell("\tcmd") == "'\tcmd");
    // A carriage return also forces quoting.
    CHECK(iop::csv_cell("\rcmd") == "\"'\rcmd\"");
    CHECK(iop::csv_cell("=1,2") == "\"'=1,2\"");
}

TEST_CASE("csv_cell quotes commas, quotes and line breaks (RFC 4180)") {
    CHECK(iop::csv_cell("a,b") == "\"a,b\"");
    CHECK(iop::csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(iop::csv_cell("\"") == "\"\"\"\"");
    CHECK(iop::csv_cell("line1\nline2") == "\"line1\nline2\"");
    CHECK(iop::csv_cell("line1\r\nline2") == "\"line1\r\nline2\"");
    CHECK(iop::csv_cell("Doe, Jane") == "\"Doe, Jane\"");
}

TEST_CASE("csv_row joins cells and ends with a newline") {
    CHECK(iop::csv_row({}) == "\n");
    CHECK(iop::csv_row({"a"}) == "a\n");
    CHECK(iop::csv_row({"P-0001", "Doe, Jane", "=cmd", ""}) == "P-0001,\"Doe, Jane\",'=cmd,\n");
}

TEST_CASE("to_json of a plan and a header") {
    iop::Plan plan{10, 4, 2, 0};
    CHECK(iop::to_json(plan) == json{{"weeks", 10},
                                     {"groups_per_week", 4},
                                     {"individual_per_week", 2},
                                     {"family_per_week", 0}});

    iop::Header h;
    h.id = "P-0001";
    h.name = "Jane Doe";
    h.enrolled = ymd(2026, 11, 2);
    h.clinician = "Dr. Rivera";
    h.plan = plan;
    json j = iop::to_json(h);
    CHECK(j.at("id") == "P-0001");
    CHECK(j.at("name") == "Jane Doe");
    CHECK(j.at("born").is_null());
    CHECK(j.at("enrolled") == "2026-11-02");
    CHECK(j.at("clinician") == "Dr. Rivera");
    CHECK(j.at("diagnosis") == "");
    CHECK(j.at("insurance") == "");
    CHECK(j.at("plan").at("weeks") == 10);
    h.born = ymd(1985, 4, 12);
    CHECK(iop::to_json(h).at("born") == "1985-04-12");
}

TEST_CASE("to_json of a session") {
    iop::Session s;
    set_meta(s, ymd(2026, 11, 3));
    s.kind = iop::SessionKind::group;
    s.topic = "illness";
    s.hours = 2.5;
    s.status = iop::SessionStatus::excused;
    s.note = "sick \"flu\"";
    json j = iop::to_json(iop::Entry{s});
    CHECK(j == json{{"entry", "session"},
                    {"date", "2026-11-03"},
                    {"kind", "group"},
                    {"topic", "illness"},
                    {"hours", 2.5},
                    {"status", "excused"},
                    {"note", "sick \"flu\""},
                    {"recorded_by", "jrivera"},
                    {"recorded_at", "2026-11-03T17:02:11Z"}});
    s.kind = iop::SessionKind::family;
    s.topic.clear();
    s.status = iop::SessionStatus::absent;
    j = iop::to_json(iop::Entry{s});
    CHECK(j.at("kind") == "family");
    CHECK(j.at("topic") == "");
    CHECK(j.at("status") == "absent");
}

TEST_CASE("to_json of a screen and a medication") {
    iop::Screen sc;
    set_meta(sc, ymd(2026, 11, 4));
    sc.result = iop::ScreenResult::positive;
    sc.substances = {"opioids", "THC"};
    json j = iop::to_json(iop::Entry{sc});
    CHECK(j == json{{"entry", "screen"},
                    {"date", "2026-11-04"},
                    {"result", "positive"},
                    {"substances", json::array({"opioids", "THC"})},
                    {"recorded_by", "jrivera"},
                    {"recorded_at", "2026-11-03T17:02:11Z"}});

    iop::Medication m;
    set_meta(m, ymd(2026, 11, 5));
    m.action = iop::MedAction::start;
    m.name = "naltrexone";
    m.dose = "50 mg daily";
    m.review_days = 14;
    j = iop::to_json(iop::Entry{m});
    CHECK(j.at("entry") == "medication");
    CHECK(j.at("date") == "2026-11-05");
    CHECK(j.at("action") == "start");
    CHECK(j.at("name") == "naltrexone");
    CHECK(j.at("dose") == "50 mg daily");
    CHECK(j.at("review_days") == 14);
    m.action = iop::MedAction::stop;
    m.review_days.reset();
    j = iop::to_json(iop::Entry{m});
    CHECK(j.at("action") == "stop");
    CHECK(j.at("review_days").is_null());
}

TEST_CASE("to_json of each event type") {
    iop::Event e;
    set_meta(e, ymd(2026, 12, 1));

    e.type = iop::EventType::plan_change;
    e.plan.groups_per_week = 4;
    e.plan.weeks = 10;
    e.text = "step up";
    json j = iop::to_json(iop::Entry{e});
    CHECK(j.at("entry") == "event");
    CHECK(j.at("type") == "plan-change");
    CHECK(j.at("date") == "2026-12-01");
    CHECK(j.at("plan") == json{{"weeks", 10}, {"groups_per_week", 4}});
    CHECK(j.at("note") == "step up");
    CHECK(j.at("recorded_by") == "jrivera");

    iop::Event a;
    set_meta(a, ymd(2026, 12, 2));
    a.type = iop::EventType::aftercare;
    a.sponsor = "Sam";
    a.groups = {"AA Tuesday", "NA"};
    j = iop::to_json(iop::Entry{a});
    CHECK(j.at("type") == "aftercare");
    CHECK(j.at("sponsor") == "Sam");
    CHECK(j.at("groups") == json::array({"AA Tuesday", "NA"}));
    CHECK_FALSE(j.contains("plan"));

    iop::Event g;
    set_meta(g, ymd(2027, 1, 20));
    g.type = iop::EventType::graduated;
    g.forced = true;
    g.reason = "moving away";
    j = iop::to_json(iop::Entry{g});
    CHECK(j.at("type") == "graduated");
    CHECK(j.at("forced") == true);
    CHECK(j.at("reason") == "moving away");

    iop::Event d;
    set_meta(d, ymd(2027, 1, 20));
    d.type = iop::EventType::discharged;
    d.reason = "step-down";
    d.text = "to weekly outpatient";
    j = iop::to_json(iop::Entry{d});
    CHECK(j.at("type") == "discharged");
    CHECK(j.at("reason") == "step-down");
    CHECK(j.at("note") == "to weekly outpatient");

    iop::Event n;
    set_meta(n, ymd(2026, 11, 10));
    n.type = iop::EventType::note;
    n.text = "called family";
    j = iop::to_json(iop::Entry{n});
    CHECK(j.at("type") == "note");
    CHECK(j.at("text") == "called family");

    iop::Event r;
    set_meta(r, ymd(2026, 12, 2));
    r.type = iop::EventType::plan_review;
    j = iop::to_json(iop::Entry{r});
    CHECK(j.at("type") == "plan-review");
    CHECK(j.at("note") == "");
}

TEST_CASE("write_json: compact, one line, UTF-8 kept") {
    std::ostringstream out;
    iop::write_json(out, json{{"name", "Zoë"}, {"n", 1}});
    CHECK(out.str() == "{\"n\":1,\"name\":\"Zoë\"}\n");
    std::ostringstream bad;
    iop::write_json(bad, json("a\xff"
                              "b"));
    CHECK(bad.str() == "\"a\xEF\xBF\xBD"
                       "b\"\n");
}

TEST_CASE("finding_line and to_json of a finding") {
    iop::Finding f;
    f.severity = iop::Severity::error;
    f.rule = "group-frequency";
    f.week = 3;
    f.message = "week 3 had 1 group session, plan is 3";
    f.arose = iop::Date{std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{23}};
    iop::Style plain(false);
    CHECK(iop::finding_line("patients/P-0001.toml", f, plain) ==
          "patients/P-0001.toml: error: week 3 had 1 group session, plan is 3 [group-frequency]");
    f.pos = {12, 5};
    CHECK(iop::finding_line("patients/P-0001.toml", f, plain) ==
          "patients/P-0001.toml:12:5: error: week 3 had 1 group session, plan is 3 "
          "[group-frequency]");
    iop::Style color(true);
    CHECK(iop::finding_line("f", f, color) ==
          "f:12:5: \x1b[31merror\x1b[0m: week 3 had 1 group session, plan is 3 [group-frequency]");

    json j = iop::to_json(f, "patients/P-0001.toml");
    CHECK(j == json{{"severity", "error"},
                    {"rule", "group-frequency"},
                    {"week", 3},
                    {"arose", "2026-11-23"},
                    {"message", "week 3 had 1 group session, plan is 3"},
                    {"file", "patients/P-0001.toml"},
                    {"line", 12},
                    {"column", 5}});
    f.week.reset();
    f.pos = {};
    f.severity = iop::Severity::warning;
    j = iop::to_json(f, "x");
    CHECK(j.at("severity") == "warning");
    CHECK(j.at("week").is_null());
    CHECK(j.at("line").is_null());
    CHECK(j.at("column").is_null());
}

TEST_CASE("invalid_record_json keeps the shape of check --format json") {
    iop::DataError err("patients/P-0002.toml", {7, 9}, "unknown key 'huors'");
    json j = iop::invalid_record_json("P-0002", err);
    CHECK(j.at("id") == "P-0002");
    CHECK(j.at("status").is_null());
    CHECK(j.at("graduation").is_null());
    REQUIRE(j.at("findings").size() == 1);
    const json& f = j.at("findings")[0];
    CHECK(f.at("rule") == "record-invalid");
    CHECK(f.at("severity") == "error");
    CHECK(f.at("message") == "unknown key 'huors'");
    CHECK(f.at("file") == "patients/P-0002.toml");
    CHECK(f.at("line") == 7);
    CHECK(f.at("column") == 9);
}

TEST_CASE("Style wraps only when enabled") {
    iop::Style off(false), on(true);
    CHECK(off.red("x") == "x");
    CHECK(off.bold("x") == "x");
    CHECK(on.red("x") == "\x1b[31mx\x1b[0m");
    CHECK(on.yellow("x") == "\x1b[33mx\x1b[0m");
    CHECK(on.green("x") == "\x1b[32mx\x1b[0m");
    CHECK(on.bold("x") == "\x1b[1mx\x1b[0m");
    CHECK(on.dim("x") == "\x1b[2mx\x1b[0m");
    CHECK(on.red("") == "");
}

TEST_CASE("pad and display_width count UTF-8 characters") {
    CHECK(iop::display_width("") == 0);
    CHECK(iop::display_width("abc") == 3);
    CHECK(iop::display_width("Zoë") == 3);
    CHECK(iop::pad("ab", 4) == "ab  ");
    CHECK(iop::pad("Zoë", 5) == "Zoë  ");
    CHECK(iop::pad("toolong", 3) == "toolong");
}

TEST_CASE("Format names") {
    CHECK(iop::to_string(iop::Format::text) == "text");
    CHECK(iop::to_string(iop::Format::json) == "json");
    CHECK(iop::to_string(iop::Format::csv) == "csv");
}

TEST_SUITE_END();
