// Loading a patient record: parse_record (toml++ and the record loader), then
// what every command does with a record that loaded: fold the journal and run
// the plan engine and reminders. A record that loads must also render back to
// TOML that loads to the same record (what import and append rely on).
#include "fuzz.hpp"

#include "iop/engine.hpp"
#include "iop/program.hpp"
#include "iop/record.hpp"
#include "iop/reminders.hpp"

#include <algorithm>
#include <string>

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
