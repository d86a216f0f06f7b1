// The journal CSV (SPEC section 8): the table layout that `iop export
// --format csv` writes and `iop import` reads, and the narrower patient,
// session and screen files import also takes.
//
// One place for the format: the columns (their names, their order, which
// kind of row fills which), reading a header into a layout, a data row into
// its cells by column, and a record into rows. What the values must be (a
// known topic, a plan within the program's bounds, ...) is checked by the
// same code the commands use (commands/validate.hpp), on a RowReader.
#pragma once

#include "iop/csv.hpp"
#include "iop/record.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iop {

// ---------------------------------------------------------------- columns

// Every column an import file may have. The journal layout is all of them,
// in this order, with `record` saying what each row is; the other layouts
// (patients, sessions, screens, authorizations) are subsets without `record`.
enum class Column {
    record,
    id,
    name,
    born,
    enrolled,
    clinician,
    diagnosis,
    insurance,
    weeks,
    groups_per_week,
    individual_per_week,
    family_per_week,
    date,
    kind,
    topic,
    hours,
    status,
    objectives, // a session: the objectives (G1.1, ...) it addressed
    result,
    substances,
    action,
    medication,
    dose,
    review_days,
    type,
    sponsor,
    groups,
    forced,
    reason,
    entry, // a void event: the reference of the entry it voids
    // The treatment plan (SPEC section 12): goal and objective rows, and a
    // signature event's role, plan_version and declined.
    ref,
    problem,
    goal,
    words,
    dimension,
    text,
    measure,
    target,
    interventions,
    role,
    plan_version,
    declined,
    // SPEC section 13: an ASAM assessment's ratings and level, an
    // authorization, a certification event's physician.
    d1,
    d2,
    d3,
    d4,
    d5,
    d6,
    level,
    payer,
    number,
    from,
    to,
    units,
    unit,
    next_review,
    physician,
    note,
    recorded_by,
    recorded_at,
};
inline constexpr std::size_t column_count = static_cast<std::size_t>(Column::recorded_at) + 1;

std::string_view column_name(Column c);
std::optional<Column> parse_column(std::string_view name);
// The column a header cell names: its name or one of a few aliases ("Patient
// ID", "Attended", ...), without regard to case, spaces, '_' and '-'.
std::optional<Column> header_column(std::string_view name);
// Every column name, in journal order.
const std::vector<std::string>& column_names();

// What one row records: the `record` cell of a journal row.
enum class RowKind {
    patient,
    session,
    screen,
    medication,
    event,
    goal,
    objective,
    assessment,
    authorization
};
std::string_view to_string(RowKind k);
std::optional<RowKind> parse_row_kind(std::string_view name);
// Every row kind's name, in this order.
const std::vector<std::string>& row_kind_names();

// The columns a row of each kind may fill (`record` aside): id first, the
// recorded_ pair last.
const std::vector<Column>& kind_columns(RowKind k);
// The event columns each event type uses, beyond id, date, type and the
// recorded_ pair.
std::vector<Column> event_columns(EventType t);

// ---------------------------------------------------------------- header

// What a file holds, decided by its header.
enum class Layout { patients, sessions, screens, authorizations, journal };
// "a patient file", ...
std::string_view layout_noun(Layout l);
// The kind of every row of a file of one kind; the journal layout has none.
std::optional<RowKind> layout_kind(Layout l);

struct FileHeader {
    Layout layout = Layout::sessions;
    std::array<int, column_count> index{}; // cell index of each column, -1 if absent
    std::vector<std::size_t> unnamed;      // cells without a column name
    std::size_t width = 0;

    bool has(Column c) const { return index[static_cast<std::size_t>(c)] >= 0; }
    // An export (the journal layout with both recorded_ columns) is taken as
    // written: an entry without recorded_by or recorded_at stays without.
    bool as_written() const {
        return layout == Layout::journal && has(Column::recorded_by) && has(Column::recorded_at);
    }
};

// The header decides the layout; every problem with it is appended to
// `problems` (and then nothing is returned).
std::optional<FileHeader> read_header(const CsvRow& row, std::vector<std::string>& problems);

// ---------------------------------------------------------------- rows

// One data row's cells by column, formula escapes undone.
class RowReader {
  public:
    RowReader(const FileHeader& header, std::vector<std::string> cells)
        : header_(&header), cells_(std::move(cells)) {}

    bool has(Column c) const { return header_->has(c); }
    // The cell as written: free text keeps its spaces.
    const std::string& text(Column c) const;
    // A structured value (id, date, number, name from a list), trimmed.
    std::string value(Column c) const { return std::string(trim(text(c))); }
    std::optional<std::string> optional(Column c) const;
    // UsageError "<column> is empty" for an empty cell.
    std::string required(Column c) const;
    // UsageError unless empty or a whole number.
    std::optional<int> integer(Column c) const;
    const std::vector<std::string>& cells() const { return cells_; }
    const FileHeader& header() const { return *header_; }

  private:
    const FileHeader* header_;
    std::vector<std::string> cells_;
};

// A data row as parsed (parse_csv): its cells by column, or nothing for a
// row of empty cells (spreadsheets leave them below the data). UsageError for
// a row whose width is not the header's, a cell that is not UTF-8, or a
// value under a column without a name.
std::optional<RowReader> read_row(const FileHeader& header, const std::vector<std::string>& cells);

// UsageError for a value in a column a row of `kind` does not use (for an
// event, its type's columns): a misaligned row, never silently dropped.
void reject_stray_values(const RowReader& r, RowKind kind);

// ---------------------------------------------------------------- writing

// The journal layout's header row: every column name.
std::string journal_header();
// A record as journal rows: a row for the patient, then one per entry in
// file order; what read_row and the import's checks read back to the same
// header and entries.
std::string journal_rows(const Record& record);

} // namespace iop
