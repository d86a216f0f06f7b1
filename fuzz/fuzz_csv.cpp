// The CSV importer's reading side, without the records directory: libcsv
// parsing (parse_csv), the cell rules (formula escapes, lists, UTF-8), the
// header read into a layout and each row into its cells (journal_csv.hpp),
// and the checks `iop import` makes on each row's values
// (commands/validate.hpp, shared with enroll, attend and screen).
// Also a property: a row that export writes reads back to the same cells.
#include "fuzz.hpp"

#include "commands/common.hpp"
#include "commands/validate.hpp"
#include "iop/csv.hpp"
#include "iop/date.hpp"
#include "iop/journal_csv.hpp"
#include "iop/program.hpp"
#include "iop/record.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace iop;

template <typename F> void checked(F&& f) {
    try {
        f();
    } catch (const Error&) {
    }
}

// A row through the importer's own code: its cells by column (read_row),
// the columns its kind may fill, and the checks enroll, attend and screen
// make on the same values.
void validate(const FileHeader& header, const std::vector<std::string>& cells,
              const Program& program, Date today) {
    using C = Column;
    std::optional<RowReader> read;
    checked([&] { read = read_row(header, cells); });
    if (!read)
        return;
    const RowReader& r = *read;
    IOP_FUZZ_CHECK(r.cells().size() == header.width);
    std::optional<RowKind> kind = layout_kind(header.layout);
    if (!kind)
        kind = parse_row_kind(r.value(C::record));
    if (!kind)
        return; // the importer names the choices
    if (header.layout == Layout::journal)
        checked([&] { reject_stray_values(r, *kind); });
    if (*kind == RowKind::patient)
        checked([&] {
            PatientInput in = patient_input(r);
            Header h = patient_header(in, today, Naming::column);
            h.plan = patient_plan(in, program, Naming::column);
            IOP_FUZZ_CHECK(valid_id(h.id));
            IOP_FUZZ_CHECK(!h.born || *h.born <= h.enrolled);
        });
    else
        checked([&] {
            Entry entry = entry_fields(r, *kind, program).first;
            if (auto s = std::get_if<Session>(&entry)) {
                IOP_FUZZ_CHECK(plausible_hours(s->hours));
                IOP_FUZZ_CHECK(s->kind != SessionKind::group || program.find_topic(s->topic));
                IOP_FUZZ_CHECK(s->note.empty() || !free_text_problem(s->note, Lines::many));
            } else if (auto e = std::get_if<Event>(&entry)) {
                IOP_FUZZ_CHECK(e->text.empty() || !free_text_problem(e->text, Lines::many));
                IOP_FUZZ_CHECK(e->type != EventType::signature || !e->declined ||
                               !e->reason.empty());
            } else if (auto g = std::get_if<Goal>(&entry)) {
                IOP_FUZZ_CHECK(valid_goal_ref(g->ref));
                IOP_FUZZ_CHECK(g->action != GoalAction::add || (g->problem && g->goal));
                IOP_FUZZ_CHECK(!g->dimension || (*g->dimension >= 1 && *g->dimension <= 6));
            } else if (auto o = std::get_if<Objective>(&entry)) {
                // What a record's load would take: an empty list is no list.
                IOP_FUZZ_CHECK(valid_objective_ref(o->ref));
                IOP_FUZZ_CHECK(o->action != ObjectiveAction::add || (o->text && o->target));
                IOP_FUZZ_CHECK(!o->interventions || !o->interventions->empty());
                if (o->interventions)
                    for (const auto& i : *o->interventions)
                        IOP_FUZZ_CHECK(!list_item_problem(i));
            } else if (auto a = std::get_if<AsamAssessment>(&entry)) {
                // SPEC section 13: what a record's load would take.
                for (int v : a->ratings)
                    IOP_FUZZ_CHECK(v >= 0 && v <= 4);
                IOP_FUZZ_CHECK(a->level.empty() ||
                               std::find(asam_levels().begin(), asam_levels().end(), a->level) !=
                                   asam_levels().end());
            } else if (auto au = std::get_if<Authorization>(&entry)) {
                IOP_FUZZ_CHECK(au->from <= au->to);
                IOP_FUZZ_CHECK(au->units >= 1 && au->units <= max_authorization_units);
                IOP_FUZZ_CHECK(!au->payer.empty() && !au->number.empty());
            }
        });
    if (r.has(C::date))
        checked([&] { parse_date_option("date", r.value(C::date)); });
    checked([&] {
        std::string at = row_recorded_at(r, "");
        IOP_FUZZ_CHECK(at.empty() || valid_recorded_at(at));
    });
    checked([&] { row_recorded_by(r, ""); });
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

    // The header decides the layout (every problem listed), and where each
    // known column is: a cell that names it, or one of its aliases.
    std::vector<std::string> problems;
    std::optional<FileHeader> header = read_header(table.rows.front(), problems);
    IOP_FUZZ_CHECK(header.has_value() == problems.empty());
    if (!header)
        return 0;
    const auto& names = table.rows.front().cells;
    IOP_FUZZ_CHECK(header->width == names.size());
    for (std::size_t c = 0; c < column_count; ++c)
        if (header->index[c] >= 0)
            IOP_FUZZ_CHECK(header_column(trim(
                               unneutralise(names[static_cast<std::size_t>(header->index[c])]))) ==
                           static_cast<Column>(c));

    for (std::size_t k = 1; k < table.rows.size(); ++k)
        validate(*header, table.rows[k].cells, program, today);
    return 0;
}
