// Rendering for people and programs (include/iop/output.hpp): CSV cells that
// no spreadsheet runs as a formula, JSON values of the record types, and the
// renderers of each view (show, list, remind, check) on plain data.
#include "iop/output.hpp"
#include "testutil.hpp"

#include "iop/audit.hpp"
#include "iop/program.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>

using nlohmann::json;

using testutil::ymd;

namespace {

template <typename Write> std::string rendered(Write write) {
    std::ostringstream out;
    write(out);
    return out.str();
}

iop::ListRow list_row(std::string id, std::string name, iop::Status status) {
    iop::ListRow r;
    r.header.id = std::move(id);
    r.header.name = std::move(name);
    r.header.enrolled = ymd(2026, 11, 2);
    r.header.clinician = "Dr. Rivera";
    r.status = status;
    r.week = 3;
    r.weeks_planned = 12;
    r.planned_end = ymd(2027, 1, 24);
    return r;
}

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
    s.objectives = {"G1.1", "G2.3"};
    json j = iop::to_json(iop::Entry{s});
    CHECK(j == json{{"entry", "session"},
                    {"date", "2026-11-03"},
                    {"kind", "group"},
                    {"topic", "illness"},
                    {"hours", 2.5},
                    {"status", "excused"},
                    {"note", "sick \"flu\""},
                    {"objectives", {"G1.1", "G2.3"}},
                    {"recorded_by", "jrivera"},
                    {"recorded_at", "2026-11-03T17:02:11Z"}});
    s.objectives = {"G1.1", "G2.1"}; // SPEC section 12: the objectives it addressed
    CHECK(iop::to_json(iop::Entry{s}).at("objectives") == json{"G1.1", "G2.1"});
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
    CHECK(iop::to_string(iop::Format::html) == "html");
}

TEST_CASE("csv_cell with CsvEscape::reversible: one more quote before a quoted formula") {
    using iop::CsvEscape;
    CHECK(iop::csv_cell("'=1") == "'=1");
    CHECK(iop::csv_cell("'=1", CsvEscape::reversible) == "''=1");
    CHECK(iop::csv_cell("''-x", CsvEscape::reversible) == "'''-x");
    CHECK(iop::csv_cell("'abc", CsvEscape::reversible) == "'abc");
    CHECK(iop::csv_cell("'", CsvEscape::reversible) == "'");
    CHECK(iop::csv_cell("=1", CsvEscape::reversible) == iop::csv_cell("=1"));
    CHECK(iop::csv_cell("'=a,b", CsvEscape::reversible) == "\"''=a,b\"");
    CHECK(iop::csv_row({"'=1", "x"}) == "'=1,x\n");
    CHECK(iop::csv_row({"'=1", "x"}, CsvEscape::reversible) == "''=1,x\n");
    CHECK(iop::quoted_formula("''@x"));
    CHECK_FALSE(iop::quoted_formula("=x"));
    CHECK_FALSE(iop::quoted_formula("'x"));
    CHECK_FALSE(iop::quoted_formula("''"));
}

TEST_CASE("list: text aligns its columns, JSON and CSV carry every field") {
    std::vector<iop::ListRow> rows = {list_row("P-1", "Zoë Doe", iop::Status::active),
                                      list_row("P-0002", "=Smith, Al", iop::Status::discharged)};
    rows[1].ended = ymd(2026, 11, 20);
    rows[1].discharge_reason = "moved";
    rows[1].header.name = "=Smith, Al\x1b";
    CHECK(rendered([&](auto& o) { iop::write_list_text(o, rows, iop::Style(false)); }) ==
          "P-1     active      week  3/12  since 2026-11-02  Zoë Doe\n"
          "P-0002  discharged  week  3/12  since 2026-11-02  =Smith, Al\\x1b\n");
    CHECK(rendered([&](auto& o) {
              iop::write_list_text(o, rows, iop::Style(true));
          }).find("\x1b[32mactive\x1b[0m      week") != std::string::npos);
    // SPEC section 13: the authorization in force today, empty when none.
    iop::Authorization au;
    au.payer = "Acme";
    au.number = "A-1";
    au.from = *iop::parse_date("2026-11-02");
    au.to = *iop::parse_date("2026-11-29");
    au.units = 12;
    rows[1].authorizations = {{au, 4.5, 3, std::nullopt}};
    rows[1].in_force = 0;
    CHECK(rendered([&](auto& o) { iop::write_list_csv(o, rows); }) ==
          "id,name,status,enrolled,week,weeks_planned,planned_end,ended,clinician,discharge_"
          "reason,auth_payer,auth_number,auth_to,auth_left\n"
          "P-1,Zoë Doe,active,2026-11-02,3,12,2027-01-24,,Dr. Rivera,,,,,\n"
          "P-0002,\"'=Smith, Al\x1b\",discharged,2026-11-02,3,12,2027-01-24,2026-11-20,"
          "Dr. Rivera,moved,Acme,A-1,2026-11-29,7.5\n");
    json j = json::parse(rendered([&](auto& o) { iop::write_list_json(o, rows); }));
    REQUIRE(j.size() == 2);
    CHECK(j[0] == json{{"id", "P-1"},
                       {"name", "Zoë Doe"},
                       {"status", "active"},
                       {"enrolled", "2026-11-02"},
                       {"week", 3},
                       {"weeks_planned", 12},
                       {"planned_end", "2027-01-24"},
                       {"ended", nullptr},
                       {"clinician", "Dr. Rivera"},
                       {"discharge_reason", nullptr},
                       {"authorizations", json::array()},
                       {"auth_in_force", nullptr}});
    CHECK(j[1].at("ended") == "2026-11-20");
    CHECK(j[1].at("auth_in_force") == "A-1");
    CHECK(j[1].at("authorizations")[0].at("left") == 7.5);
    CHECK(j[1].at("discharge_reason") == "moved");
    CHECK(rendered([&](auto& o) { iop::write_list_json(o, {}); }) == "[]\n");
    CHECK(rendered([&](auto& o) { iop::write_list_csv(o, {}); }) ==
          "id,name,status,enrolled,week,weeks_planned,planned_end,ended,clinician,discharge_"
          "reason,auth_payer,auth_number,auth_to,auth_left\n");
    CHECK(rendered([&](auto& o) { iop::write_list_text(o, {}, iop::Style(false)); }).empty());
}

TEST_CASE("show: text and JSON render the same view") {
    iop::Program program = iop::default_program();
    iop::Record rec;
    rec.file = "patients/P-0001.toml";
    rec.header.id = "P-0001";
    rec.header.name = "Jane Doe";
    rec.header.enrolled = ymd(2026, 11, 2);
    rec.header.diagnosis = "line one\nline two";
    rec.header.plan = iop::Plan{12, 3, 1, 0};
    iop::Session s;
    s.date = ymd(2026, 11, 2);
    s.kind = iop::SessionKind::group;
    s.topic = "illness";
    s.hours = 3.0;
    rec.journal.emplace_back(s);
    iop::Medication m;
    m.date = ymd(2026, 11, 3);
    m.action = iop::MedAction::start;
    m.name = "naltrexone";
    m.review_days = 7;
    rec.journal.emplace_back(m);
    iop::Date today = ymd(2026, 11, 12);
    iop::Assessment a = iop::assess(program, rec, today);
    iop::ShowView view{rec, a, program, today};

    std::string text = rendered([&](auto& o) { iop::write_show_text(o, view, iop::Style(false)); });
    CHECK(text.rfind("P-0001  Jane Doe  (active)\n  enrolled    2026-11-02\n", 0) == 0);
    CHECK(text.find("  diagnosis   line one\n              line two\n") != std::string::npos);
    CHECK(text.find("  week        2 of 12 (planned end 2027-01-24)\n") != std::string::npos);
    CHECK(text.find("     1  11-02 ~ 11-08  1/3 !   0/1 !   0/0     0/1 !   3 !\n") !=
          std::string::npos);
    CHECK(text.find("     2  11-09 ~ 11-15  0/3     0/1     0/0     0/1     0  (in progress)\n") !=
          std::string::npos);
    CHECK(text.find("  naltrexone: started 2026-11-03, last review 2026-11-03, next review "
                    "2026-11-10 (overdue)\n") != std::string::npos);
    CHECK(text.find("\nFindings\n  patients/P-0001.toml: error: week 1 had 1 group session, "
                    "plan is 3 [group-frequency]\n") != std::string::npos);
    CHECK(text.find("\nGraduation  not eligible\n") != std::string::npos);
    CHECK(text.find("\x1b") == std::string::npos);

    json j = json::parse(rendered([&](auto& o) { iop::write_show_json(o, view); }));
    CHECK(j.at("today") == "2026-11-12");
    REQUIRE(j.at("patients").size() == 1);
    // check's shape, and the whole picture beside it.
    json patient = j.at("patients")[0];
    CHECK(patient.at("screens") == json::array());
    CHECK(patient.at("plan_events") == json::array());
    CHECK(patient.at("aftercare") == nullptr);
    CHECK(patient.at("end") == nullptr);
    CHECK(patient.at("amendments") == json::array());
    CHECK(patient.at("treatment_plan") == json{{"version", 1},
                                               {"version_date", "2026-11-02"},
                                               {"goals", json::array()},
                                               {"signatures", json::array()},
                                               {"missing", {"patient", "clinician"}}});
    CHECK(patient.at("level_of_care") == json{{"asam", nullptr},
                                              {"placements", json::array()},
                                              {"certification", nullptr},
                                              {"certification_due", nullptr}});
    // SPEC section 13: no authorization, none needed (no insurance).
    CHECK(patient.at("authorizations") == json::array());
    CHECK(patient.at("uncovered_sessions") == nullptr);
    for (const char* key :
         {"screens", "plan_events", "aftercare", "end", "amendments", "treatment_plan",
          "level_of_care", "authorizations", "uncovered_sessions"})
        patient.erase(key);
    CHECK(patient == iop::assessment_json(rec, a));
}

TEST_CASE("show: the HTML page escapes every value and loads nothing") {
    iop::Program program = iop::default_program();
    iop::Record rec;
    rec.file = "patients/P-0001.toml";
    rec.header.id = "P-0001";
    // Values no loaded record holds (a control character), and markup.
    rec.header.name = "<b>\"Jo\" & 'Al'</b>\x1b[2J";
    rec.header.clinician = "Dr. <i>Who</i>";
    rec.header.enrolled = ymd(2026, 11, 2);
    iop::Goal g;
    set_meta(g, ymd(2026, 11, 3));
    g.ref = "G1";
    g.problem = "</td></tr></table><script>alert(1)</script>";
    g.goal = "line one\nline two";
    rec.journal.emplace_back(g);
    iop::Objective o;
    set_meta(o, ymd(2026, 11, 3));
    o.ref = "G1.1";
    o.text = "Walk <30 minutes> a day";
    o.target = ymd(2026, 12, 1);
    o.interventions = std::vector<std::string>{"<img src=x onerror=alert(1)>"};
    rec.journal.emplace_back(o);
    iop::Session s;
    s.date = ymd(2026, 11, 4);
    s.kind = iop::SessionKind::group;
    s.topic = "illness";
    s.hours = 3.0;
    s.objectives = {"G1.1"};
    rec.journal.emplace_back(s);
    iop::Date today = ymd(2026, 11, 12);
    iop::Assessment a = iop::assess(program, rec, today);
    iop::ShowView view{rec, a, program, today};

    std::string page = rendered([&](auto& out) { iop::write_show_html(out, view); });
    CHECK(page.rfind("<!DOCTYPE html>\n", 0) == 0);
    CHECK(page.find("&lt;b&gt;&quot;Jo&quot; &amp; &#39;Al&#39;&lt;/b&gt;\\x1b[2J") !=
          std::string::npos);
    CHECK(page.find("Dr. &lt;i&gt;Who&lt;/i&gt;") != std::string::npos);
    CHECK(page.find("&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(1)&lt;/script&gt;") !=
          std::string::npos);
    CHECK(page.find("line one\nline two") != std::string::npos); // kept: pre-line
    CHECK(page.find("Walk &lt;30 minutes&gt; a day") != std::string::npos);
    CHECK(page.find("<li>&lt;img src=x onerror=alert(1)&gt;</li>") != std::string::npos);
    CHECK(page.find("<script") == std::string::npos);
    CHECK(page.find("<img") == std::string::npos);
    CHECK(page.find("<i>") == std::string::npos);
    CHECK(page.find('\x1b') == std::string::npos);
    for (const char* banned : {"http", "url(", "@import", "<link", "src=\""})
        CHECK_MESSAGE(page.find(banned) == std::string::npos, banned);
    // The plan, the chart (one bar a week) and the signature lines.
    CHECK(page.find("plan version 3 of 2026-11-03") != std::string::npos);
    CHECK(page.find("2026-11-04<br>1 session") != std::string::npos);
    CHECK(page.find("<svg ") != std::string::npos);
    CHECK(page.find("<rect class=\"short\"") != std::string::npos);
    CHECK(page.find("<rect class=\"current\"") != std::string::npos);
    CHECK(page.find(">Date</td>") != std::string::npos);
    CHECK(page.find("Parent or guardian") == std::string::npos);
    CHECK(page == rendered([&](auto& out) { iop::write_show_html(out, view); }));
}

TEST_CASE("entry_summary: the plan's entries by reference only") {
    iop::Goal g;
    g.ref = "G1";
    g.problem = "private text";
    CHECK(iop::entry_summary(g) == "goal add G1");
    g.action = iop::GoalAction::dropped;
    CHECK(iop::entry_summary(g) == "goal dropped G1");
    iop::Objective o;
    o.ref = "G1.2";
    o.action = iop::ObjectiveAction::partly_achieved;
    CHECK(iop::entry_summary(o) == "objective partly-achieved G1.2");
    iop::Event e;
    e.type = iop::EventType::signature;
    e.role = iop::SignRole::guardian;
    e.signer = "private name";
    e.plan_version = 3;
    CHECK(iop::entry_summary(e) == "event signature guardian v3");
    e.declined = true;
    e.reason = "private reason";
    CHECK(iop::entry_summary(e) == "event signature guardian v3 declined");
    iop::Session s;
    s.kind = iop::SessionKind::individual;
    s.hours = 1.0;
    CHECK(iop::entry_summary(s) == "session individual 1.0h attended");
    s.objectives = {"G1.1", "G2.1"};
    CHECK(iop::entry_summary(s) == "session individual 1.0h attended for G1.1, G2.1");
}

TEST_CASE("remind: a heading a patient, items under it; JSON one flat list") {
    using iop::Reminder;
    using iop::ReminderPart;
    auto item = [](const char* id, const char* kind, iop::Date due, std::optional<iop::Date> arose,
                   const char* message, ReminderPart part, std::optional<int> week = {},
                   bool urgent = false) {
        return Reminder{id, kind, due, arose, message, part, week, urgent};
    };
    std::vector<iop::PatientReminders> patients(3);
    patients[0].id = "P-2";
    patients[0].week = 3;
    patients[0].weeks_planned = 12;
    patients[0].clinician = "Dr. Rivera";
    patients[0].items = {
        item("P-2", "group-frequency", ymd(2026, 11, 24), ymd(2026, 11, 23),
             "week 2 had 1 group session, plan is 3", ReminderPart::new_finding, 2, true),
        item("P-2", "hours-per-week", ymd(2026, 11, 24), ymd(2026, 11, 23),
             "week 2 had 3 hours, adult minimum is 9", ReminderPart::new_finding, 2, true),
        item("P-2", "screen", ymd(2026, 11, 29), std::nullopt, "line\nbreak \x1b",
             ReminderPart::week_need, 3)};
    patients[1].id = "P-3";
    patients[1].starts = ymd(2026, 12, 1);
    patients[1].items = {item("P-3", "plan-review", ymd(2026, 11, 30), ymd(2026, 11, 30), "due",
                              ReminderPart::open_item)};
    patients[2].id = "P-4"; // a record that could not be read: no week, no start
    patients[2].items = {item("P-4", "record-invalid", ymd(2026, 11, 24), std::nullopt, "broken",
                              ReminderPart::open_item, std::nullopt, true)};
    CHECK(
        rendered([&](auto& o) { iop::write_reminders_text(o, patients, iop::Style(false)); }) ==
        "P-2  week 3 of 12  clinician Dr. Rivera\n"
        "  2026-11-24  group-frequency        week 2 had 1 group session, plan is 3; had 3 hours, "
        "adult minimum is 9\n"
        "  2026-11-29  screen                 line\nbreak \\x1b\n"
        "\n"
        "P-3  starts 2026-12-01\n"
        "  2026-11-30  plan-review            due\n"
        "\n"
        "P-4\n"
        "  2026-11-24  record-invalid         broken\n");
    std::string colour =
        rendered([&](auto& o) { iop::write_reminders_text(o, patients, iop::Style(true)); });
    CHECK(colour.rfind("\x1b[1mP-2  week 3 of 12  clinician Dr. Rivera\x1b[0m\n"
                       "  2026-11-24  \x1b[31mgroup-frequency      \x1b[0m  week 2 had 1",
                       0) == 0);
    CHECK(colour.find("\x1b[31mscreen") == std::string::npos);
    // JSON: one object a finding, the shared line apart; arose null where none.
    CHECK(rendered([&](auto& o) { iop::write_reminders_json(o, patients); }) ==
          "[{\"arose\":\"2026-11-23\",\"due\":\"2026-11-24\",\"id\":\"P-2\","
          "\"kind\":\"group-frequency\",\"message\":\"week 2 had 1 group session, plan is 3\"},"
          "{\"arose\":\"2026-11-23\",\"due\":\"2026-11-24\",\"id\":\"P-2\","
          "\"kind\":\"hours-per-week\",\"message\":\"week 2 had 3 hours, adult minimum is 9\"},"
          "{\"arose\":null,\"due\":\"2026-11-29\",\"id\":\"P-2\",\"kind\":\"screen\","
          "\"message\":\"line\\nbreak \\u001b\"},"
          "{\"arose\":\"2026-11-30\",\"due\":\"2026-11-30\",\"id\":\"P-3\",\"kind\":"
          "\"plan-review\",\"message\":\"due\"},"
          "{\"arose\":null,\"due\":\"2026-11-24\",\"id\":\"P-4\",\"kind\":\"record-invalid\","
          "\"message\":\"broken\"}]\n");
    CHECK(rendered([&](auto& o) { iop::write_reminders_text(o, {}, iop::Style(false)); }).empty());
    CHECK(rendered([&](auto& o) { iop::write_reminders_json(o, {}); }) == "[]\n");
}

namespace {

struct CheckFixture {
    iop::Record rec;
    iop::Assessment a;
    iop::DataError broken{"patients/P-0009.toml", {4, 2}, "unknown key 'huors'"};
    std::vector<iop::FileFinding> files;

    CheckFixture() {
        rec.file = "patients/P-0001.toml";
        rec.header.id = "P-0001";
        rec.header.enrolled = ymd(2026, 11, 2);
        iop::Finding f;
        f.severity = iop::Severity::error;
        f.rule = "group-frequency";
        f.week = 1;
        f.message = "week 1 had 1 group session, plan is 3";
        f.arose = ymd(2026, 11, 9);
        a.findings = {f};
        iop::Finding perm;
        perm.rule = "permissions";
        perm.message = "readable by others";
        files = {{"patients", perm}};
    }
    void write(iop::CheckWriter& w, const std::vector<std::string>& removed) {
        w.directory(files, removed);
        w.unreadable("P-0009", broken);
        w.patient(rec, a);
        iop::Assessment all_well;
        w.patient(rec, all_well); // nothing found: no line in text
        w.finish();
    }
};

} // namespace

TEST_CASE("check: text writes a finding a line, each patient as it comes") {
    CheckFixture fx;
    std::ostringstream out;
    auto w = iop::check_text_writer(out, iop::Style(false), false, nullptr);
    fx.write(*w, {"patients/.P-0001.toml.tmp"});
    CHECK(out.str() == "patients: warning: readable by others [permissions]\n"
                       "removed patients/.P-0001.toml.tmp\n"
                       "patients/P-0009.toml:4:2: error: unknown key 'huors' [record-invalid]\n"
                       "patients/P-0001.toml: error: week 1 had 1 group session, plan is 3 "
                       "[group-frequency]\n");
    std::ostringstream quiet;
    auto q = iop::check_text_writer(quiet, iop::Style(false), true, nullptr);
    fx.write(*q, {"patients/.P-0001.toml.tmp"});
    CHECK(quiet.str().find("removed") == std::string::npos);
    std::ostringstream streamed; // written when handed over, not at finish()
    auto s = iop::check_text_writer(streamed, iop::Style(false), false, nullptr);
    s->patient(fx.rec, fx.a);
    CHECK_FALSE(streamed.str().empty());
}

TEST_CASE("check: JSON is one document, files and removed only when there are some") {
    CheckFixture fx;
    std::ostringstream out;
    auto w = iop::check_json_writer(out, ymd(2026, 11, 24));
    fx.write(*w, {"patients/.P-0001.toml.tmp"});
    json j = json::parse(out.str());
    CHECK(j.at("today") == "2026-11-24");
    REQUIRE(j.at("patients").size() == 3);
    CHECK(j.at("patients")[0] == iop::invalid_record_json("P-0009", fx.broken));
    CHECK(j.at("patients")[1] == iop::assessment_json(fx.rec, fx.a));
    CHECK(j.at("files") == json::array({{{"file", "patients"},
                                         {"severity", "warning"},
                                         {"rule", "permissions"},
                                         {"message", "readable by others"}}}));
    CHECK(j.at("removed") == json::array({"patients/.P-0001.toml.tmp"}));

    std::ostringstream none;
    auto n = iop::check_json_writer(none, ymd(2026, 11, 24));
    n->directory({}, {});
    CHECK(none.str().empty()); // nothing before finish()
    n->finish();
    CHECK(none.str() == "{\"patients\":[],\"today\":\"2026-11-24\"}\n");
}

TEST_SUITE_END();
