// Loading a program (program.toml): parse_program checks every value on load
// (min <= max, bounds, the curriculum). A program that loads must be usable:
// its defaults within its bounds, and an assessment of a new patient must run.
#include "fuzz.hpp"

#include "iop/engine.hpp"
#include "iop/program.hpp"
#include "iop/record.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace iop;
    static const std::string file = "program.toml";
    std::string_view text = fuzz::as_text(data, size);

    Program p;
    try {
        p = parse_program(text, file);
    } catch (const DataError& e) {
        IOP_FUZZ_CHECK(e.file() == file);
        IOP_FUZZ_CHECK(std::string_view(e.what()).substr(0, file.size()) == file);
        return 0;
    } catch (const Error&) {
        return 0;
    }

    IOP_FUZZ_CHECK(p.weeks.min <= p.weeks.default_value && p.weeks.default_value <= p.weeks.max);
    IOP_FUZZ_CHECK(p.groups_per_week.min <= p.groups_per_week.default_value &&
                   p.groups_per_week.default_value <= p.groups_per_week.max);
    IOP_FUZZ_CHECK(!p.curriculum.empty());
    for (const auto& t : p.curriculum)
        IOP_FUZZ_CHECK(p.find_topic(t.id) != nullptr);
    // [calendar]: at least one program day, every group day a program day.
    bool any_program_day = false;
    for (std::size_t i = 0; i < 7; ++i) {
        any_program_day = any_program_day || p.calendar.program_days[i];
        IOP_FUZZ_CHECK(!p.calendar.group_days[i] || p.calendar.program_days[i]);
    }
    IOP_FUZZ_CHECK(any_program_day);

    // A patient enrolled with the program's defaults, one group session on
    // the first topic, judged at the end of the planned weeks.
    try {
        Record r;
        r.file = "patients/P-0001.toml";
        r.header.id = "P-0001";
        r.header.name = "Test";
        r.header.enrolled = *parse_date("2026-11-02");
        r.header.plan = {p.weeks.default_value, p.groups_per_week.default_value,
                         p.individual_per_week, p.family_per_week};
        Session s;
        s.date = r.header.enrolled;
        s.topic = p.curriculum.front().id;
        s.hours = p.group_hours;
        r.journal.emplace_back(s);
        Assessment a = assess(p, r, add_days(r.header.enrolled, 7 * p.weeks.default_value));
        IOP_FUZZ_CHECK(a.attendance_rate >= 0 && a.attendance_rate <= 1);
    } catch (const Error&) {
    }
    return 0;
}
