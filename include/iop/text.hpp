// Free text (SPEC section 11, "Free text, one rule everywhere"): what a name,
// a note or any other text field may hold, whether it came from an option, a
// CSV cell or a hand-edited record, and how text that came from outside is
// shown back in messages and output without ever reaching a terminal raw.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace iop {

// At most this many bytes in one free-text field.
inline constexpr std::size_t max_text_bytes = 4096;

// Whether a field may hold line breaks (note, diagnosis, reason and the plan
// texts) or is one line (every other field).
enum class Lines { one, many };

// Well-formed UTF-8: no overlong forms, surrogates or code points past U+10FFFF.
bool valid_utf8(std::string_view text);

// Why `text` breaks the free-text rule ("is empty", "holds a control
// character (\x1b)", ...), or nullopt when it follows it. The reason never
// quotes more of the text than the offending character, escaped.
std::optional<std::string> free_text_problem(std::string_view text, Lines lines);

// An item of a list (substances, aftercare groups): free_text_problem for
// one line, and no space or tab at either end, since a CSV list cell trims
// its items ("alcohol; opioids"), so only such items survive an export and
// import.
std::optional<std::string> list_item_problem(std::string_view item);

// `text` with every character the rule forbids (and any byte that is not
// UTF-8) written as an escape: \n, \r, \t where they are not allowed,
// \x1b for other bytes below 0x80, \u{202e} for code points. Line breaks are
// kept when `lines` is many. For anything read from a file or an argument
// that is printed back.
std::string escaped(std::string_view text, Lines lines = Lines::one);

// An excerpt of `text` for an error message: escaped, at most `max_chars`
// characters, with "..." when cut. Bad input is quoted this way, never whole.
std::string excerpt(std::string_view text, std::size_t max_chars = 40);

// A plain decimal as a person writes it: digits, then optionally a point and
// at most `max_decimals` digits ("1", "1.5", "0.25"); nullopt for anything
// else (a sign, an exponent, hex, spaces, "inf", more decimals).
std::optional<double> parse_plain_decimal(std::string_view text, int max_decimals);

} // namespace iop
