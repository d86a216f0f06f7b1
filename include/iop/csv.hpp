// CSV for bulk import and export (SPEC section 8).
//
// Reading: RFC 4180 as spreadsheets write it (quoted commas, doubled quotes,
// line breaks inside quoted cells, CRLF, a UTF-8 byte-order mark), parsed by
// libcsv, each row with the physical line it starts on so that errors can say
// FILE:LINE. Writing: the one CSV writer (csv_writer.hpp), its formula
// neutralising made reversible so that an export reads back to the same
// values. The table layout that holds a whole record is journal_csv.hpp's.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iop {

struct CsvRow {
    int line = 0; // physical line (1-based) where the row starts
    std::vector<std::string> cells;
};

// Input that cannot be read as CSV past this point.
struct CsvError {
    int line = 0; // 0 when it concerns the whole input
    std::string message;
};

// Parses `text` with libcsv in strict mode and calls `on_row` for each row,
// the header included, in file order; blank lines are skipped and a leading
// UTF-8 byte-order mark ignored. Cells are kept byte for byte (no trimming).
// Returns the error that stopped parsing, if any: a NUL byte (binary data),
// UTF-16 text, malformed quoting, or a quoted cell never closed (reported on
// the line where it opens). Rows before it have been delivered.
std::optional<CsvError> parse_csv(std::string_view text,
                                  const std::function<void(CsvRow&)>& on_row);

// Every row at once (tests, small inputs).
struct CsvTable {
    std::vector<CsvRow> rows;
    std::optional<CsvError> error;
};
CsvTable parse_csv(std::string_view text);

// `text` without a leading UTF-8 byte-order mark.
std::string_view strip_bom(std::string_view text);

// A cell as export writes it: csv_cell(cell, CsvEscape::reversible)
// (quoting, and a "'" before a leading =, +, -, @, tab or carriage return,
// with one more rule that makes the escaping reversible: a cell that already
// is "'"s followed by such a character gets another "'").
std::string export_cell(std::string_view cell);
std::string export_row(const std::vector<std::string>& cells);
// What import reads: one leading "'" removed from "'"s followed by a formula
// character; every other cell unchanged. unneutralise(v) == v for a value v
// read back from export_cell(v).
std::string unneutralise(std::string_view cell);

// A list in one cell (substances, aftercare groups): items joined by ';',
// with '\' escaping a ';' or '\' inside an item.
std::string join_list(const std::vector<std::string>& items);
// The inverse: items split on unescaped ';', trimmed of spaces, empty ones
// dropped.
std::vector<std::string> split_list(std::string_view cell);

// ASCII spaces and tabs removed from both ends.
std::string_view trim(std::string_view text);

} // namespace iop
