// Rendering for people and programs. A command gathers plain data (a view
// below, or Record + Assessment where those already are plain data) and
// hands it to the renderer of the format asked for; no command formats its
// own text, JSON or CSV. One file a format, each with one function a view:
//
//   src/output.cpp       formats, styles, column widths
//   src/output_text.cpp  text for people: write_*_text, finding_line
//   src/output_json.cpp  JSON for scripts: to_json, write_*_json
//   src/output_csv.cpp   CSV for spreadsheets: write_*_csv, over the one CSV
//                        writer (csv_writer.hpp) that export uses too
//
// A new format is one more file of renderers over the same views. The
// printable treatment plan of `show --format html` (SPEC section 12) goes in
// src/output_html.cpp as write_show_html(std::ostream&, const ShowView&),
// declared beside write_show_text below: it takes the very ShowView that the
// text and JSON renderers take, and show only adds Format::html to the
// formats it offers and one more case where it picks its renderer.
//
// A new view (a roster, say) is a struct here and a renderer in the file of
// each format it is offered in.
#pragma once

#include "iop/csv_writer.hpp"
#include "iop/engine.hpp"
#include "iop/record.hpp"
#include "iop/reminders.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace iop {

class Progress;
struct FileFinding; // audit.hpp

enum class Format { text, json, csv, fhir, html }; // fhir: export only; html: show only
std::string_view to_string(Format);

// ANSI styles, or plain text when colour is off.
class Style {
  public:
    explicit Style(bool enabled) : enabled_(enabled) {}
    bool enabled() const { return enabled_; }
    std::string bold(std::string_view s) const { return wrap("1", s); }
    std::string dim(std::string_view s) const { return wrap("2", s); }
    std::string red(std::string_view s) const { return wrap("31", s); }
    std::string yellow(std::string_view s) const { return wrap("33", s); }
    std::string green(std::string_view s) const { return wrap("32", s); }

  private:
    std::string wrap(std::string_view code, std::string_view s) const;
    bool enabled_;
};

// ---------------------------------------------------------------- values

// JSON values of the record types, with the keys the record files use.
nlohmann::json to_json(const Plan& plan);
nlohmann::json to_json(const Header& header);
nlohmann::json to_json(const Entry& entry);
// SPEC section 12: {version, version_date, goals (each with its objectives),
// signatures (of the current version), missing (roles)}.
nlohmann::json to_json(const TreatmentPlan& plan);

nlohmann::json to_json(const Finding& finding, const std::string& file);

// A patient in the shape of `check --format json` (SPEC section 6), with the
// details `show` needs (header, weekly grid, criteria, medications) added.
nlohmann::json assessment_json(const Record& record, const Assessment& assessment);
// A record that could not be loaded, in the same shape.
nlohmann::json invalid_record_json(const std::string& id, const DataError& error);
// The finding that stands for a record that could not be loaded.
Finding invalid_record_finding(const DataError& error);

// "patients/P-0001.toml: error: week 3 had ... [group-frequency]", with
// ":LINE:COL" after the file name where the position is known.
std::string finding_line(const std::string& file, const Finding& finding, const Style& style);

// Compact JSON on one line, then a newline; UTF-8 kept as is.
void write_json(std::ostream& out, const nlohmann::json& value);

// Pads `s` with spaces to `width` display columns (UTF-8 aware).
std::string pad(std::string_view s, std::size_t width);
// Display columns: code points of UTF-8 text.
std::size_t display_width(std::string_view s);
// `text` cut to `width` display columns (at least 4), "..." marking the cut.
std::string cut_to(const std::string& text, std::size_t width);

// ---------------------------------------------------------------- authorizations

// SPEC section 13: one authorization with its units used and left, as show
// and `iop auth ID list` print it: "A-1  Acme  2026-11-02 to 2026-11-29  12
// sessions: used 4, left 8 (4 sessions counted)", then the next review and
// the session that took it past its units, when there are.
std::string authorization_text(const AuthorizationUse& use);
// The lines of show's Authorizations block, each indented by two spaces:
// one an authorization (or "none recorded"), then the uncovered sessions
// when the patient needs an authorization (`uncovered` given).
void write_authorizations_text(std::ostream& out, const std::vector<AuthorizationUse>& uses,
                               const std::optional<int>& uncovered);
// {payer, number, from, to, units, unit, used, left, sessions, over_on,
// next_review, note}.
nlohmann::json authorization_json(const AuthorizationUse& use);
// `iop auth ID list`: {id, today, authorizations: [authorization_json],
// uncovered_sessions (null when none is needed)}; and its CSV, a row an
// authorization (id, payer, number, from, to, units, unit, used, left,
// sessions, next_review, over_on).
void write_authorizations_json(std::ostream& out, const std::string& id, Date today,
                               const std::vector<AuthorizationUse>& uses,
                               const std::optional<int>& uncovered);
void write_authorizations_csv(std::ostream& out, const std::string& id,
                              const std::vector<AuthorizationUse>& uses);

// ---------------------------------------------------------------- show

// One patient as `iop show` presents it.
struct ShowView {
    const Record& record;         // the header, and the dates of plan changes
    const Assessment& assessment; // as of today
    const Program& program;       // the grid's thresholds, the topics' titles
    Date today;                   // a medication review before it is overdue
};
// The entries of the record that `show` lists beyond the assessment (SPEC
// section 11), in file order: every screen, the plan changes and reviews,
// the latest aftercare plan and the event that ended treatment.
struct ShowJournal {
    std::vector<const Screen*> screens;
    std::vector<const Event*> plan_events; // plan-change and plan-review
    const Event* aftercare = nullptr;      // the latest
    const Event* ending = nullptr;         // graduated or discharged, when treatment has ended
    std::vector<const Event*> amendments;  // amend events, file order
};
ShowJournal show_journal(const ShowView& view);
// SPEC section 13, show's level of care: the latest ASAM assessment (the
// assessment's), the placements recorded on or after it (all of them when
// there is none), the latest physician certification and, for an active
// patient the program requires one of, the last day the next is due.
struct LevelOfCareView {
    const AsamAssessment* asam = nullptr;
    std::vector<const Event*> placements; // file order
    const Event* certification = nullptr;
    std::optional<Date> certification_due;
    bool empty() const {
        return !asam && placements.empty() && !certification && !certification_due;
    }
};
LevelOfCareView level_of_care_view(const ShowView& view);
// A goal's or objective's status as show prints it: "open", "partly-achieved",
// "achieved on 2026-11-20", "closed with its goal on 2026-11-20".
std::string plan_status_text(std::string_view status, bool open, const std::optional<Date>& closed);
void write_show_text(std::ostream& out, const ShowView& view, const Style& style);
// {"today": ..., "patients": [assessment_json]}: the shape of check's JSON.
void write_show_json(std::ostream& out, const ShowView& view);
// The printable treatment plan (SPEC section 12): one self-contained HTML
// page, no script and no external resource, every value escaped, print CSS
// that fits A4 and Letter. src/output_html.cpp.
void write_show_html(std::ostream& out, const ShowView& view);

// `iop show ID --journal` (SPEC section 11): every entry with its reference,
// a voided one marked with its void's reason. src/output_journal.cpp.
struct JournalView {
    const std::string& id;
    const std::vector<JournalItem>& items;
};
void write_journal_text(std::ostream& out, const JournalView& view, const Style& style);
// {"id": ..., "journal": [{"ref": ..., "voided_by": REF or null, "void_reason": TEXT
// or null, "entry": to_json(entry)}]}
void write_journal_json(std::ostream& out, const JournalView& view);
// One line saying what an entry is, its free text escaped: "session group
// illness 3h attended for G1.1", "medication start NAME", "event discharged";
// the treatment plan's entries by reference only: "goal add G1", "objective
// achieved G1.2", "event signature patient v3".
std::string entry_summary(const Entry& entry);

// ---------------------------------------------------------------- list

// One line of `iop list`.
struct ListRow {
    Header header; // a copy: the record itself is released once read
    Status status = Status::active;
    int week = 0; // treatment week on today, or on the day treatment ended
    int weeks_planned = 0;
    Date planned_end{};
    std::optional<Date> ended;
    std::string discharge_reason; // empty unless discharged
    // SPEC section 13: the authorizations with their units used as of today,
    // and which of them is in force today (the one a session today counts
    // against), if any.
    std::vector<AuthorizationUse> authorizations;
    std::optional<std::size_t> in_force;
};
void write_list_text(std::ostream& out, const std::vector<ListRow>& rows, const Style& style);
void write_list_json(std::ostream& out, const std::vector<ListRow>& rows);
void write_list_csv(std::ostream& out, const std::vector<ListRow>& rows);

// ---------------------------------------------------------------- remind

// One patient's reminders, under a heading line.
struct PatientReminders {
    std::string id;
    int week = 0;                // current treatment week; 0 before enrollment
    int weeks_planned = 0;       // shown with `week`
    std::optional<Date> starts;  // the enrollment date, shown while week is 0
    std::string clinician;       // shown when there is one
    std::vector<Reminder> items; // sorted (sort_reminders)
};
// Patients in the order given, a blank line between them; an hours-per-week
// shortfall that shares_line with the group-frequency item before it is
// said on that item's line.
void write_reminders_text(std::ostream& out, const std::vector<PatientReminders>& patients,
                          const Style& style);
// One list of {id, kind, due, arose, message}, every patient's items in
// turn, one object each (arose null for items that are not findings).
void write_reminders_json(std::ostream& out, const std::vector<PatientReminders>& patients);

// ---------------------------------------------------------------- report authorizations

// One authorization of `iop report authorizations` (SPEC section 13), with
// its patient: units used and left as of today, units needed to the planned
// end at the plan's weekly rate (units_needed), and how many more than are
// left (0 when enough are).
struct AuthorizationReportRow {
    std::string id;
    std::string name;
    std::string clinician;
    Date planned_end{};
    Authorization auth;
    double used = 0;
    double left = 0;
    int needed = 0;
    double more = 0;
};
// A column heading, then each patient's line and their authorizations
// beneath it, fitted to 80 columns; nothing when there are no rows.
void write_authorization_report_text(std::ostream& out,
                                     const std::vector<AuthorizationReportRow>& rows,
                                     const Style& style);
// [{id, name, clinician, planned_end, payer, number, from, to, units, unit,
// next_review, used, left, needed, more}, ...]; [] when there are no rows.
void write_authorization_report_json(std::ostream& out,
                                     const std::vector<AuthorizationReportRow>& rows);
// The same columns, one row an authorization; the header row alone when
// there are none.
void write_authorization_report_csv(std::ostream& out,
                                    const std::vector<AuthorizationReportRow>& rows);

// ---------------------------------------------------------------- closure list

// The closed dates of the program calendar, as ranges (Calendar::closed_ranges):
// "2027-01-18  reason" or "2026-12-24 to 2026-12-27  reason", one a line.
void write_closures_text(std::ostream& out, const std::vector<ClosedRange>& ranges);
// [{"from", "to", "reason"}, ...]
void write_closures_json(std::ostream& out, const std::vector<ClosedRange>& ranges);

// ---------------------------------------------------------------- check

// `iop check` is written as its records are assessed, in id order: text
// output holds nothing back, and its memory stays flat in the number of
// records (docs/benchmarks.md). So its renderers take the report piece by
// piece rather than one struct: first the directory, then each patient,
// then finish().
class CheckWriter {
  public:
    virtual ~CheckWriter() = default;
    // Findings about the directory itself (selected already) and the
    // temporary files `--clean` removed.
    virtual void directory(const std::vector<FileFinding>& findings,
                           const std::vector<std::string>& removed) = 0;
    // A record that could not be read.
    virtual void unreadable(const std::string& id, const DataError& error) = 0;
    // A patient whose findings have been selected already.
    virtual void patient(const Record& record, const Assessment& assessment) = 0;
    // After the last patient.
    virtual void finish() = 0;
};
// One finding a line; nothing when all is well. `progress`, if given, is
// cleared before a patient's lines are written to the same terminal.
// `quiet` leaves out the lines naming removed files.
std::unique_ptr<CheckWriter> check_text_writer(std::ostream& out, const Style& style, bool quiet,
                                               Progress* progress);
// One document, {"today", "patients", ["files"], ["removed"]}, written by
// finish() (SPEC section 6).
std::unique_ptr<CheckWriter> check_json_writer(std::ostream& out, Date today);

} // namespace iop
