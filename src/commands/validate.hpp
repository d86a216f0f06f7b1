// The checks a new patient or journal entry must pass, shared by the commands
// that record one (enroll, attend, screen) and by `iop import`: one code path,
// so that a CSV row is judged exactly as the same values given on the command
// line. Each check throws the error the command reports (UsageError, Refused);
// import reports its message at the row's line instead.
#pragma once

#include "iop/program.hpp"
#include "iop/record.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iop {

// How a value is named in messages: as the command-line option that gives it
// ("--hours", "--start") or as the import column that holds it ("hours",
// "enrolled"). Keys are the record's field names.
enum class Naming { option, column };
std::string value_name(Naming naming, std::string_view key);

// Hours as written in an option or a CSV cell: a plain decimal with at most
// two decimal places (no sign, exponent or hex), from min_session_hours to
// max_session_hours; UsageError naming the option or column otherwise.
double parse_hours(std::string_view name, std::string_view text);

// ---------------------------------------------------------------- patients

struct PatientInput {
    std::string id;
    std::string name;
    std::optional<std::string> enrolled; // default today
    std::optional<std::string> born;
    std::string clinician, diagnosis, insurance;
    std::optional<int> weeks, groups_per_week, individual_per_week, family_per_week;
};

// The header of a new patient without its plan: id, name, dates and texts.
Header patient_header(const PatientInput& in, Date today, Naming naming);
// Its plan: each value within the program's bounds, the program's default
// where not given.
Plan patient_plan(const PatientInput& in, const Program& program, Naming naming);

// The header fields that make two patients the same (recorded_by/_at aside).
bool same_header(const Header& a, const Header& b);

// ---------------------------------------------------------------- sessions

struct SessionInput {
    std::string kind;
    std::optional<std::string> topic;
    std::optional<std::string> hours; // as written; default from the program for the kind
    SessionStatus status = SessionStatus::attended;
    std::string note;
};

// The checks that need no program: kind, note, hours in range.
Session session_fields(const SessionInput& in, Naming naming);
// Then the topic (required for group sessions, must exist) and default hours.
void session_program(Session& session, const SessionInput& in, const Program& program,
                     Naming naming);

// An entry of the record identical to `session` by the SPEC's rule (same
// date, kind, topic and status), or nullptr.
const Session* identical_session(const Record& record, const Session& session);

// ---------------------------------------------------------------- screens

struct ScreenInput {
    std::string result;
    std::vector<std::string> substances;
};
Screen screen_fields(const ScreenInput& in, Naming naming);

// ---------------------------------------------------------------- any entry

// Refused (exit 1) unless the record, as its journal stands, is active.
void require_active(const Record& record, const Program& program);
// Refused (exit 1) when the record's treatment has ended and `entry` may not
// follow it: the one place that says which entries come late (SPEC section
// 11). An entry dated on or before the graduation or discharge date is
// accepted, a note at any time; a second graduation or discharge never.
void require_accepts(const Record& record, const Program& program, const Entry& entry);

// The day a new entry is given: `date` or today, not after today.
Date entry_day(Date today, const std::optional<std::string>& date, Naming naming);

// The date of a new entry: `date` or today; not before enrollment, not after
// today.
Date entry_date(const Record& record, Date today, const std::optional<std::string>& date,
                Naming naming);

// An end of treatment on `day` must not precede entries already recorded.
void require_no_later_entries(const Record& record, Date day, Naming naming);

// Two entries hold the same values (recorded_by, recorded_at and position
// aside); sessions compare by identical_session's rule.
bool same_entry(const Entry& a, const Entry& b);

// ---------------------------------------------------------------- CSV rows

class RowReader;    // journal_csv.hpp
enum class RowKind; // journal_csv.hpp

// A patient row of an import file (journal_csv.hpp) as the values enroll
// takes, unchecked but for the whole numbers and a given `enrolled`.
PatientInput patient_input(const RowReader& r);

// A status cell: attended, absent or excused, or a spreadsheet's spelling
// of one (present; no show, no-show; excused absence), without regard to
// case, spaces, '_' and '-'.
SessionStatus session_status_cell(const std::string& cell);

// A row's `name` cell (the roster's CSV), where not empty, must be the
// patient's name: Refused naming both otherwise.
void require_same_name(const RowReader& r, const Header& header);

// The checks of an entry row that need no record, in the order the commands
// make them: the entry it records (its date and recorded_ pair left unset),
// and its event type for an event.
std::pair<Entry, std::optional<EventType>> entry_fields(const RowReader& r, RowKind kind,
                                                        const Program& program);

// A row's recorded_by and recorded_at, checked; `otherwise` where the cell
// is empty.
std::string row_recorded_by(const RowReader& r, const std::string& otherwise);
std::string row_recorded_at(const RowReader& r, const std::string& otherwise);

} // namespace iop
