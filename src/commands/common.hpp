// Helpers shared by the commands: option parsing and the one way to append
// a journal entry.
#pragma once

#include "commands/command.hpp"
#include "commands/validate.hpp"

#include <optional>
#include <string>
#include <vector>

namespace iop {

// Parses a strict YYYY-MM-DD value (--today, $IOP_TODAY, a CSV cell);
// UsageError naming the option or column otherwise.
Date parse_date_option(std::string_view option, const std::string& value);
// Parses a date option's value as the command line takes it: also today,
// yesterday and a weekday name (parse_date_word).
Date parse_date_option(std::string_view option, const std::string& value, Date today);

// One of `choices`, else UsageError listing them (with a suggestion).
std::string require_choice(std::string_view option, const std::string& value,
                           const std::vector<std::string>& choices);

// A free-text value by the rule of SPEC section 11 (free_text_problem), a
// CRLF in a field that may span lines read as a line break; UsageError naming
// the option (or the import column) and the problem, never the value. An
// empty value passes: an optional field left out (a required one checks that
// it is given).
std::string require_text(std::string_view option, const std::string& value,
                         Lines lines = Lines::one);

// An item of a list (--substance, --group, a CSV list's item): UsageError
// naming the option unless list_item_problem finds nothing.
std::string require_item(std::string_view option, const std::string& value);

// For an integer option: a plain whole number in decimal ("12", "-1"), no
// hex, octal, sign '+' or spaces, which CLI11 alone would take ("0x10",
// "010" as 8); leading zeros are dropped before CLI11 converts it. A
// transform: `->transform(whole_number())`.
const ValueCheck& whole_number();

// A plan value within the program's bounds (key: weeks, groups_per_week,
// individual_per_week or family_per_week); UsageError naming the option (or
// the import column).
int plan_bound(const Program& program, std::string_view key, int value,
               Naming naming = Naming::option);

// A record loaded for a write, with the bytes it was parsed from: the write
// checks and appends to exactly these bytes, read once.
struct LoadedRecord {
    Record record;
    std::string text;
};

// Loads a record that must be active: Refused (exit 1) when it has ended.
LoadedRecord load_active(Context& ctx, const std::string& id);
// Loads a record for a new entry; append_entry refuses the entry if it comes
// after the end of treatment (require_accepts: late entries are accepted).
LoadedRecord load_for_entry(Context& ctx, const std::string& id);

// The date of a new entry: --date or today; not before enrollment, not after today.
Date entry_date(const Context& ctx, const Record& record, const std::optional<std::string>& date);

// The checks `attend` makes of a session for patient `id`, shared with
// `group`: the record loaded and active, the session dated --date or today
// (entry_date), and no identical session unless `allow_duplicate`. Sets the
// session's date; throws the error attend reports.
LoadedRecord load_for_session(Context& ctx, const std::string& id, Session& session,
                              const std::optional<std::string>& date, bool allow_duplicate);

// The record's bytes with `entry` appended, stamped with recorded_by and
// recorded_at, once they parse back with the entry in it (IoError otherwise).
std::string appended_entry(Context& ctx, const LoadedRecord& loaded, Entry& entry);

// An end of treatment on `day` must not precede entries already recorded.
inline void require_no_later_entries(const Record& record, Date day) {
    require_no_later_entries(record, day, Naming::option);
}

// Stamps recorded_by/recorded_at, appends the entry to the record's bytes as
// loaded and, once the new file parses back with the entry in it, replaces
// the record's file with it.
void append_entry(Context& ctx, const LoadedRecord& loaded, Entry entry);

// Commit subjects (Store::describe_change), one per writing command, e.g.
// "attend P-0001: group, illness, 2026-11-03". They name ids, dates and kinds,
// never a patient's name or free text (a log is shown more widely than a file).
std::string entry_subject(std::string_view id, const Entry& entry);
std::string enroll_subject(const Header& header);
// "import sessions.csv: imported 2 sessions for 2 patients, skipped 0 duplicates";
// `file` is shown by its last component, "-" as "stdin".
std::string import_subject(std::string_view file, std::string_view summary);
std::string init_subject();

// SPEC section 6, "Caseloads": whether a patient's clinician is one of
// `names` (--clinician), compared without regard to (ASCII) case; every
// patient is in the caseload when no name is given.
bool in_caseload(const std::vector<std::string>& names, std::string_view clinician);
// The --clinician values as given, each checked as one line of free text.
std::vector<std::string> require_clinicians(const std::vector<std::string>& names);
// Adds the repeatable --clinician option of list, check, remind and roster.
void add_clinician_option(Args& app, std::vector<std::string>& target);

// An option's value given empty ("--hours ''"), which CLI11 would take as not
// given: refused instead. A check: `->check(not_empty())`.
const ValueCheck& not_empty();

// ---------------------------------------------------------------- the treatment plan

// A goal or objective reference as typed ("G1", "g1.2"): the letter in
// either case; UsageError naming `what` (an option or positional) otherwise.
std::string typed_goal_ref(std::string_view what, const std::string& text);
std::string typed_objective_ref(std::string_view what, const std::string& text);

// A plan text (--problem, --text, ...) given on the command line: the free-text
// rule with line breaks allowed; nullopt when not given.
std::optional<std::string> plan_text(std::string_view option,
                                     const std::optional<std::string>& value);

// The goal or objective `ref` of the record's plan (voided entries left out):
// Refused naming `iop show ID`, with a suggestion where one is close.
const GoalState& require_goal(const Record& record, const TreatmentPlan& plan,
                              const std::string& ref);
const ObjectiveState& require_objective(const Record& record, const TreatmentPlan& plan,
                                        const std::string& ref);
// "achieved on 2026-12-01", or "closed with goal G1 (dropped) on 2026-12-01":
// how a closed objective closed.
std::string closed_as(const TreatmentPlan& plan, const ObjectiveState& objective);

// The --objective values of a session, each an objective reference, each once.
std::vector<std::string> session_objectives(std::string_view option,
                                            const std::vector<std::string>& refs);
// The objectives a session addresses exist in the record's plan, were added
// on or before its date and had not closed before it: Refused otherwise.
void require_session_objectives(const Record& record, const Session& session);

// Prints a confirmation line on stdout unless --quiet.
void confirm(Context& ctx, const std::string& line);

} // namespace iop
