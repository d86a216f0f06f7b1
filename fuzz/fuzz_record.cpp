// Loading a patient record: parse_record (toml++ and the record loader), then
// what every command does with a record that loaded: fold the journal and run
// the plan engine and reminders. A record that loads must also render back to
// TOML that loads to the same record (what import and append rely on), and
// to the record cache's binary form that decodes to the same record; the
// input itself, taken as such a binary form, decodes or is refused, never
// crashes.
#include "fuzz.hpp"

#include "commands/common.hpp"
#include "commands/validate.hpp"
#include "iop/csv.hpp"
#include "iop/engine.hpp"
#include "iop/journal_csv.hpp"
#include "iop/program.hpp"
#include "iop/record.hpp"
#include "iop/record_codec.hpp"
#include "iop/reminders.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace {

const std::string file = "patients/P-0001.toml";

std::string render(const iop::Record& r) {
    std::string text = iop::render_header(r.header);
    for (const auto& e : r.journal)
        text += iop::render_entry(e);
    return text;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace iop;
    static const Program program = default_program();
    std::string_view text = fuzz::as_text(data, size);

    (void)decode_record(text, file);

    Record record;
    try {
        record = parse_record(text, file);
    } catch (const DataError& e) {
        // FILE:LINE:COL: the message names the file it was given.
        IOP_FUZZ_CHECK(e.file() == file);
        IOP_FUZZ_CHECK(std::string_view(e.what()).substr(0, file.size()) == file);
        return 0;
    } catch (const Error&) {
        return 0;
    }

    // What loaded renders to text that loads again, to the same text.
    std::string once = render(record);
    Record again;
    try {
        again = parse_record(once, file);
    } catch (const Error& e) {
        std::fprintf(stderr, "rendered record does not load: %s\n%s\n", e.what(), once.c_str());
        IOP_FUZZ_CHECK(!"a loaded record renders to text that loads");
    }
    IOP_FUZZ_CHECK(again.journal.size() == record.journal.size());
    IOP_FUZZ_CHECK(render(again) == once);

    // The record cache keeps it as it loaded, positions and all.
    {
        std::string bytes;
        encode_record(record, bytes);
        std::optional<Record> cached = decode_record(bytes, file);
        IOP_FUZZ_CHECK(cached.has_value() && *cached == record);
    }

    // What loaded is what `export --format csv` carries: each entry's row,
    // read back through the import's checks, is the same entry where the
    // checks take it (they also judge it against the program: a topic).
    {
        CsvTable table = parse_csv(journal_header() + journal_rows(record));
        IOP_FUZZ_CHECK(!table.error);
        std::vector<std::string> problems;
        std::optional<FileHeader> header = read_header(table.rows.front(), problems);
        IOP_FUZZ_CHECK(header.has_value());
        const std::vector<Entry> all = file_journal(record);
        IOP_FUZZ_CHECK(table.rows.size() == 2 + all.size());
        for (std::size_t i = 0; i < all.size(); ++i) {
            std::optional<RowReader> r = read_row(*header, table.rows[2 + i].cells);
            IOP_FUZZ_CHECK(r.has_value());
            std::optional<RowKind> kind = parse_row_kind(r->value(Column::record));
            IOP_FUZZ_CHECK(kind.has_value());
            try {
                reject_stray_values(*r, *kind);
                Entry got = entry_fields(*r, *kind, program).first;
                EntryMeta& m = meta(got);
                m.date = parse_date_option("date", r->required(Column::date));
                m.recorded_by = row_recorded_by(*r, "");
                m.recorded_at = row_recorded_at(*r, "");
                if (render_entry(got) != render_entry(all[i])) {
                    std::fprintf(stderr, "a CSV row reads back as\n%s\ninstead of\n%s\n",
                                 render_entry(got).c_str(), render_entry(all[i]).c_str());
                    IOP_FUZZ_CHECK(!"a loaded entry's CSV row reads back to the same entry");
                }
            } catch (const Error&) {
            }
        }
    }

    try {
        State state = fold(record, program);
        (void)state;
        // Judged a day after its last entry, within a bounded span of weeks.
        Date last = record.header.enrolled;
        for (const auto& e : record.journal)
            last = std::max(last, meta(e).date);
        Date today = add_days(record.header.enrolled,
                              std::min(days_between(record.header.enrolled, last) + 1, 800));
        Assessment a = assess(program, record, today);
        IOP_FUZZ_CHECK(a.attendance_rate >= 0 && a.attendance_rate <= 1);
        IOP_FUZZ_CHECK(a.curriculum.percent >= 0 && a.curriculum.percent <= 100);
        for (bool all : {false, true}) {
            RemindWindow window{today, add_days(today, -3), 7, all};
            auto reminders = reminders_for(program, record, a, window);
            for (const auto& r : reminders)
                IOP_FUZZ_CHECK(r.id == record.header.id && !r.kind.empty());
        }
    } catch (const Error&) {
    }
    return 0;
}
