// Calendar dates without time zones. The engine uses these only; it never
// reads a clock.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace iop {

using Date = std::chrono::year_month_day;

// Strict YYYY-MM-DD (years 0001-9999); nullopt for anything else, including
// impossible days such as 2026-02-30.
std::optional<Date> parse_date(std::string_view text);
std::string format_date(Date d);

// For a date written another way than YYYY-MM-DD, what to write instead:
// "write 2025-10-20" for 10/20/2025, 20.10.2025 or 2025/10/20, where only one
// reading is a date; "it may be 2025-03-04 (month first) or 2025-04-03 (day
// first)" for 03/04/2025, since the day/month order is never guessed;
// nullopt for anything that is not three numbers with a four-digit year.
std::optional<std::string> date_suggestion(std::string_view text);

// The dates iop accepts from an option, a CSV cell or a record (today,
// enrolled, born, an entry's date, recorded_at): 1900-01-01 to 2100-12-31.
// A date centuries off is a typing error, and one in year 1 would make a
// report list every week since then.
inline constexpr Date min_date{std::chrono::year{1900}, std::chrono::January, std::chrono::day{1}};
inline constexpr Date max_date{std::chrono::year{2100}, std::chrono::December,
                               std::chrono::day{31}};
inline bool plausible_date(Date d) {
    return d >= min_date && d <= max_date;
}

// Whole days from a to b (b - a).
int days_between(Date a, Date b);
Date add_days(Date d, int days);

// Age in whole years on a given day.
int age_on(Date born, Date day);

// A UTC timestamp as written in recorded_at: 2026-11-03T17:02:11Z, its date
// plausible_date, seconds 00 to 59 (TOML has no leap second).
std::string format_timestamp(std::chrono::system_clock::time_point t);
std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view text);

// The calendar date of an instant in local time (the TZ environment
// variable, else the system's zone). For loading recorded_at; the engine
// never calls it.
Date local_date(std::chrono::sys_seconds t);

} // namespace iop

// fmt::format("{}", date) writes format_date(date): 2026-11-03.
template <> struct fmt::formatter<iop::Date> : fmt::formatter<std::string_view> {
    template <typename FormatContext> auto format(const iop::Date& d, FormatContext& ctx) const {
        return fmt::formatter<std::string_view>::format(iop::format_date(d), ctx);
    }
};
