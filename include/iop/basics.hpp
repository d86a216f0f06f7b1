// Small pieces shared by every layer, below records and the program: patient
// ids, TOML quoting, hours as records write them, counted nouns and rates in
// messages. Depends on nothing of iop but text and errors.
#pragma once

#include <string>
#include <string_view>

namespace iop {

// [A-Za-z0-9][A-Za-z0-9._-]{0,63}
bool valid_id(std::string_view id);
// Throws UsageError (exit 2) unless valid_id(id); call before any path is built.
void require_valid_id(std::string_view id);

// A TOML basic string: "text" with quotes, backslashes and control
// characters escaped.
std::string toml_quote(std::string_view text);

// Hours as a record holds them: 3.0, 1.5 (a whole number keeps one decimal).
std::string format_hours(double hours);
// A decimal with at most two places and no trailing zeros: 9, 7.5, 8.25.
std::string decimal_text(double v);

// "1 day", "3 days": `n` and the noun that fits it.
std::string plural(long long n, std::string_view one, std::string_view many);

// A rate shown with two decimals, rounded down so that a rate just below a
// threshold never prints as equal to it (0.899 shows as 0.89, not 0.90).
std::string rate_text(double rate);

} // namespace iop
