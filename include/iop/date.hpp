// Calendar dates without time zones. The engine uses these only; it never
// reads a clock.
#pragma once

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

// Whole days from a to b (b - a).
int days_between(Date a, Date b);
Date add_days(Date d, int days);

// Age in whole years on a given day.
int age_on(Date born, Date day);

// A UTC timestamp as written in recorded_at: 2026-11-03T17:02:11Z.
std::string format_timestamp(std::chrono::system_clock::time_point t);
std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view text);

// The calendar date of an instant in local time (the TZ environment
// variable, else the system's zone). For loading recorded_at; the engine
// never calls it.
Date local_date(std::chrono::sys_seconds t);

} // namespace iop
