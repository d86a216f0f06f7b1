// The CSV importer's reading side, without the records directory: libcsv
// parsing (parse_csv), the cell rules (formula escapes, lists, UTF-8), the
// header's column names, and the checks `iop import` makes on each row's
// values (commands/validate.hpp, shared with enroll, attend and screen).
// Also a property: a row that export writes reads back to the same cells.
#include "fuzz.hpp"

#include "commands/common.hpp"
#include "commands/validate.hpp"
#include "iop/csv.hpp"
#include "iop/date.hpp"
#include "iop/program.hpp"
#include "iop/record.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace iop;

// A row's cells by column, as the importer reads them (formula escapes undone).
struct Row {
    const std::array<int, column_count>& index;
    std::vector<std::string> cells;

    bool has(Column c) const { return index[static_cast<std::size_t>(c)] >= 0; }
    std::string text(Column c) const {
        int i = index[static_cast<std::size_t>(c)];
        return i < 0 ? std::string() : cells[static_cast<std::size_t>(i)];
    }
    std::string value(Column c) const { return std::string(trim(text(c))); }
    std::optional<std::string> optional(Column c) const {
        std::string v = value(c);
        return v.empty() ? std::nullopt : std::optional<std::string>(v);
    }
    std::optional<int> integer(Column c) const {
        auto v = optional(c);
        int n = 0;
        if (!v)
            return std::nullopt;
        auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (ec != std::errc() || end != v->data() + v->size())
            throw UsageError("not a whole number");
        return n;
    }
};

template <typename F> void checked(F&& f) {
    try {
        f();
    } catch (const Error&) {
    }
}

void validate(const Row& r, const Program& program, Date today) {
    using C = Column;
    if (r.has(C::name) || r.has(C::enrolled))
        checked([&] {
            PatientInput in;
            in.id = r.value(C::id);
            in.name = r.text(C::name);
            in.enrolled = r.optional(C::enrolled);
            in.born = r.optional(C::born);
            in.clinician = r.text(C::clinician);
            in.diagnosis = r.text(C::diagnosis);
            in.insurance = r.text(C::insurance);
            in.weeks = r.integer(C::weeks);
            in.groups_per_week = r.integer(C::groups_per_week);
            in.individual_per_week = r.integer(C::individual_per_week);
            in.family_per_week = r.integer(C::family_per_week);
            Header h = patient_header(in, today, Naming::column);
            h.plan = patient_plan(in, program, Naming::column);
            IOP_FUZZ_CHECK(valid_id(h.id));
            IOP_FUZZ_CHECK(!h.born || *h.born <= h.enrolled);
        });
    if (r.has(C::kind))
        checked([&] {
            SessionInput in;
            in.kind = r.value(C::kind);
            in.topic = r.optional(C::topic);
            in.hours = r.optional(C::hours);
            if (auto st = r.optional(C::status))
                in.status = *parse_session_status(
                    require_choice("status", *st, {"attended", "absent", "excused"}));
            in.note = r.text(C::note);
            Session s = session_fields(in, Naming::column);
            session_program(s, in, program, Naming::column);
            IOP_FUZZ_CHECK(plausible_hours(s.hours));
            IOP_FUZZ_CHECK(s.kind != SessionKind::group || program.find_topic(s.topic));
        });
    if (r.has(C::result))
        checked([&] {
            ScreenInput in{r.value(C::result), split_list(r.text(C::substances))};
            screen_fields(in, Naming::column);
        });
    if (r.has(C::note))
        checked([&] {
            std::string note = require_text("note", r.text(C::note), Lines::many);
            IOP_FUZZ_CHECK(note.empty() || !free_text_problem(note, Lines::many));
        });
    if (r.has(C::date))
        checked([&] { parse_date_option("date", r.value(C::date)); });
    if (auto at = r.optional(C::recorded_at))
        (void)valid_recorded_at(*at);
    if (r.has(C::recorded_by))
        checked([&] { require_text("recorded_by", r.text(C::recorded_by)); });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Program program = default_program();
    static const Date today = *parse_date("2026-11-26");
    std::string_view text = fuzz::as_text(data, size);

    CsvTable table = parse_csv(text);
    int last_line = 0;
    for (const auto& row : table.rows) {
        IOP_FUZZ_CHECK(row.line > last_line);
        IOP_FUZZ_CHECK(!row.cells.empty());
        last_line = row.line;
    }
    if (table.error)
        IOP_FUZZ_CHECK(table.error->line >= 0 && !table.error->message.empty());

    // What export writes below its header reads back cell for cell (a row
    // of one empty cell is a blank line, which import skips).
    for (const auto& row : table.rows) {
        if (row.cells.size() == 1 && row.cells[0].empty())
            continue;
        CsvTable back = parse_csv("id\n" + export_row(row.cells));
        IOP_FUZZ_CHECK(!back.error);
        IOP_FUZZ_CHECK(back.rows.size() == 2);
        IOP_FUZZ_CHECK(back.rows[1].cells.size() == row.cells.size());
        for (std::size_t i = 0; i < row.cells.size(); ++i)
            IOP_FUZZ_CHECK(unneutralise(back.rows[1].cells[i]) == row.cells[i]);
    }

    // Lists: splitting what join_list wrote gives the same items.
    for (const auto& row : table.rows)
        for (const auto& cell : row.cells) {
            auto items = split_list(cell);
            IOP_FUZZ_CHECK(split_list(join_list(items)) == items);
        }

    if (table.rows.empty())
        return 0;

    // The header: known column names decide where each value is.
    std::array<int, column_count> index{};
    index.fill(-1);
    const auto& header = table.rows.front().cells;
    for (std::size_t i = 0; i < header.size(); ++i)
        if (auto col = parse_column(trim(unneutralise(header[i]))))
            if (index[static_cast<std::size_t>(*col)] < 0) {
                IOP_FUZZ_CHECK(column_name(*col) == trim(unneutralise(header[i])));
                index[static_cast<std::size_t>(*col)] = static_cast<int>(i);
            }

    for (std::size_t k = 1; k < table.rows.size(); ++k) {
        const auto& cells = table.rows[k].cells;
        if (cells.size() != header.size())
            continue; // the importer reports the row's width
        Row r{index, {}};
        bool utf8 = true;
        for (const auto& c : cells) {
            utf8 = utf8 && valid_utf8(c);
            r.cells.push_back(unneutralise(c));
        }
        if (utf8) // the importer refuses a row that is not
            validate(r, program, today);
    }
    return 0;
}
