// The one CSV writer (RFC 4180, rows ending in "\n"): every CSV that iop
// writes (list, export, and any later table) goes through csv_cell and
// csv_row. It depends on nothing else of iop, so the CSV reader (csv.hpp)
// and the renderers (output.hpp) can both use it.
//
// SPEC section 8: a cell that a spreadsheet would run as a formula (one
// beginning with '=', '+', '-', '@', a tab or a carriage return) is written
// with a "'" before it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace iop {

enum class CsvEscape {
    // The formula neutralising alone: what people open in a spreadsheet.
    formula,
    // Also made reversible, for files that iop reads back (export, then
    // import): a cell that already is "'"s followed by a formula character
    // gets one more "'", which unneutralise (csv.hpp) removes again.
    reversible,
};

// Whether a cell beginning with `c` would run as a formula.
bool formula_start(char c);
// Whether `cell` is "'"s followed by a formula character: a value written
// neutralised (what unneutralise in csv.hpp reads back).
bool quoted_formula(std::string_view cell);

// One cell: neutralised, then quoted when it holds a comma, a quote or a
// line break (quotes doubled).
std::string csv_cell(std::string_view cell, CsvEscape escape = CsvEscape::formula);

// Cells joined by commas, ending with "\n".
std::string csv_row(const std::vector<std::string>& cells, CsvEscape escape = CsvEscape::formula);

} // namespace iop
