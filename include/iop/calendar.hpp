// The program calendar (SPEC section 10): the weekdays on which the program
// runs and holds groups, and the closures (holidays, snow days) of
// closures.toml. Pure: the store reads closures.toml, this only answers
// "is this day open?".
#pragma once

#include "iop/date.hpp"
#include "iop/error.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iop {

// A set of weekdays, indexed by std::chrono::weekday::c_encoding() (0 = Sunday).
using Weekdays = std::array<bool, 7>;

// Monday to Friday: the default program and group days.
inline constexpr Weekdays weekdays_mon_fri{false, true, true, true, true, true, false};

// "mon".."sun" (also spelled out, any case) to its c_encoding; nullopt otherwise.
std::optional<unsigned> parse_weekday(std::string_view name);
// The three-letter name of a c_encoding weekday: "mon".
std::string_view weekday_name(unsigned c_encoding);

// A date as the command line takes it (SPEC section 6, "Dates on the command
// line"): YYYY-MM-DD, `today`, `yesterday`, or a weekday name ("mon",
// "monday", any case) meaning the latest such day on or before today.
// nullopt otherwise. Files and CSV take YYYY-MM-DD only (parse_date).
std::optional<Date> parse_date_word(std::string_view text, Date today);

enum class ClosureAction { add, cancel };
std::string_view to_string(ClosureAction);

// One [[closure]] entry of closures.toml, in file order.
struct ClosureEntry {
    ClosureAction action = ClosureAction::add;
    Date from{};
    Date to{}; // inclusive; equals from when the file gives none
    std::string reason;
    std::string recorded_by;
    std::string recorded_at;
    SourcePos pos; // of the [[closure]] header, for messages
};

// A run of closed dates, first to last inclusive.
struct ClosedRange {
    Date first{};
    Date last{};
    std::string reason; // of the add entry that closed the range's first day
};

// closures.toml (SPEC section 10): its schema_version, and the longest range
// one `iop closure` entry may cover.
inline constexpr int closures_schema_version = 1;
inline constexpr int max_closure_days = 366;

// Reads closures.toml strictly, as a patient record is read: unknown keys,
// wrong types, implausible dates, `to` before `from` and a reason that
// breaks the free-text rule (text.hpp) throw DataError naming `file` and the
// position. Entries in file order.
std::vector<ClosureEntry> parse_closures(std::string_view text, const std::string& file);

// The first lines of a new closures.toml (schema_version).
std::string closures_header();
// One entry as appended to closures.toml: a blank line, then [[closure]].
std::string render_closure(const ClosureEntry& entry);

class Calendar {
  public:
    Weekdays program_days = weekdays_mon_fri;
    Weekdays group_days = weekdays_mon_fri;

    // Replaces the closures (file order). A date is closed when the last
    // entry whose range holds it is an add.
    void set_closures(std::vector<ClosureEntry> entries);
    const std::vector<ClosureEntry>& closures() const { return entries_; }

    bool closed(Date d) const;
    bool program_day(Date d) const; // by weekday only
    bool group_day(Date d) const;   // by weekday only
    bool open_program_day(Date d) const { return program_day(d) && !closed(d); }
    bool open_group_day(Date d) const { return group_day(d) && !closed(d); }

    // Counts over first..last inclusive (0 when last < first).
    int program_days_in(Date first, Date last) const;
    int group_days_in(Date first, Date last) const;
    int open_program_days_in(Date first, Date last) const;
    int open_group_days_in(Date first, Date last) const;
    int closed_days_in(Date first, Date last) const;
    // Whether a date of first..last is closed (false when last < first).
    bool any_closed(Date first, Date last) const;

    // The closed dates as maximal ranges of consecutive days, in date order.
    std::vector<ClosedRange> closed_ranges() const;

    // The last program day (by weekday; closures not skipped) before d.
    Date last_program_day_before(Date d) const;

    // The longest run of consecutive days that are not program days (by
    // weekday): 2 for Monday to Friday, 7 when no day is a program day.
    int longest_non_program_run() const;

  private:
    std::vector<ClosureEntry> entries_;
    // Sorted, disjoint closed ranges, computed by set_closures.
    std::vector<ClosedRange> ranges_;
};

} // namespace iop
