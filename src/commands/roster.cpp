// `iop roster` (SPEC section 11): the patients expected at a group on a day,
// as a sign-in sheet to print or as a session file to fill in and import.
#include "commands/common.hpp"

#include "iop/csv_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <variant>

namespace iop {

namespace {

struct RosterOptions {
    std::optional<std::string> date;
    std::optional<std::string> topic;
    std::vector<std::string> clinicians;
};

struct RosterRow {
    std::string id;
    std::string name;
};

// The sheet fits a page of 80 columns in a terminal font: the id, the name
// (cut to the width left), a box each for attended, absent and excused, and
// a line to sign on.
constexpr std::size_t sheet_width = 79;
constexpr std::size_t max_id_column = 20; // a longer id is printed on a line of its own
const std::string boxes = "[ ] [ ] [ ]";
const std::string boxes_header = "Att Abs Exc";
constexpr std::size_t signature_width = 24;
// And a page of 60 lines, which A4 and Letter hold at 6 lines an inch: the
// heading takes 9 lines and the last line's summary 2, so a long roster goes
// on over pages (a form feed between them), each with the heading.
constexpr std::size_t page_lines = 60;
constexpr std::size_t header_lines = 9;
constexpr std::size_t footer_lines = 2;

// `text` cut to `width` columns, then padded to them.
std::string fitted(const std::string& text, std::size_t width) {
    return pad(cut_to(text, width), width);
}

std::string_view weekday_long(Date day) {
    static const char* const names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};
    return names[std::chrono::weekday(std::chrono::sys_days(day)).c_encoding()];
}

void write_sheet(std::ostream& out, const std::vector<RosterRow>& rows, Date day,
                 const Topic* topic, double hours) {
    std::size_t id_width = 2;
    for (const auto& r : rows)
        id_width = std::max(id_width, std::min(display_width(r.id), max_id_column));
    const std::size_t name_width =
        sheet_width - id_width - 2 - 2 - boxes.size() - 2 - signature_width;
    // Each patient's row (two lines for an id too long for its column).
    std::vector<std::string> lines;
    std::vector<std::size_t> page_starts{0};
    std::size_t used = 0;
    for (const auto& r : rows) {
        std::string id = escaped(r.id);
        std::string text;
        if (display_width(id) > id_width) {
            text = id + '\n';
            id.clear();
        }
        text += fitted(id, id_width) + "  " + fitted(escaped(r.name), name_width) + "  " + boxes +
                "  " + std::string(signature_width, '_') + '\n';
        const auto n = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
        if (used > 0 && used + n > page_lines - header_lines - footer_lines) {
            page_starts.push_back(lines.size());
            used = 0;
        }
        used += n;
        lines.push_back(std::move(text));
    }
    page_starts.push_back(lines.size());
    const std::size_t pages = page_starts.size() - 1;
    for (std::size_t page = 0; page < pages; ++page) {
        if (page > 0)
            out << '\f';
        out << "Group sign-in sheet";
        if (pages > 1)
            out << fmt::format(", page {} of {}", page + 1, pages);
        out << "\n\n";
        out << fmt::format("Date:      {} ({})\n", format_date(day), weekday_long(day));
        out << cut_to(fmt::format("Topic:     {}",
                               topic ? escaped(topic->id) + " (" + escaped(topic->title) + ")"
                                     : std::string(30, '_')),
                   sheet_width)
            << '\n';
        out << fmt::format("Hours:     {}\n", format_hours(hours));
        out << fmt::format("Clinician: {}\n\n", std::string(30, '_'));
        out << fitted("ID", id_width) << "  " << fitted("Name", name_width) << "  " << boxes_header
            << "  Signature\n";
        out << std::string(id_width, '-') << "  " << std::string(name_width, '-') << "  "
            << std::string(boxes.size(), '-') << "  " << std::string(signature_width, '-') << '\n';
        for (std::size_t i = page_starts[page]; i < page_starts[page + 1]; ++i)
            out << lines[i];
    }
    if (rows.empty())
        out << fmt::format("(no patients are expected on {})\n", format_date(day));
    out << fmt::format("\n{} expected. Mark one box a row: attended, absent or excused.\n",
                       plural(static_cast<long long>(rows.size()), "patient", "patients"));
}

void write_csv(std::ostream& out, const std::vector<RosterRow>& rows, Date day,
               const std::optional<std::string>& topic, double hours) {
    out << csv_row({"id", "name", "date", "kind", "topic", "hours", "status"});
    for (const auto& r : rows)
        out << csv_row(
            {r.id, r.name, format_date(day), "group", topic.value_or(""), format_hours(hours), ""},
            CsvEscape::reversible);
}

int roster(const RosterOptions& o, Context& ctx) {
    const Date day = o.date ? parse_date_option("--date", *o.date, ctx.today) : ctx.today;
    const std::vector<std::string> clinicians = require_clinicians(o.clinicians);
    Store& store = ctx.store();
    const Program& program = store.program();
    if (o.topic) { // checked as a group session's topic is
        SessionInput in;
        in.kind = "group";
        in.topic = o.topic;
        Session session = session_fields(in, Naming::option);
        session_program(session, in, program, Naming::option);
    }

    std::vector<RosterRow> rows;
    int broken = 0;
    // Enrolled on or before the day and not ended before it.
    auto work = [&](Store::Loaded& l) -> std::variant<std::monostate, RosterRow, DataError> {
        if (l.error) {
            // A broken file has no clinician to go by: it is in the whole
            // clinic's roster, not in a clinician's.
            if (!clinicians.empty())
                return std::monostate{};
            return *l.error;
        }
        const Record& rec = *l.record;
        if (!in_caseload(clinicians, rec.header.clinician))
            return std::monostate{};
        if (rec.header.enrolled > day)
            return std::monostate{};
        State st = fold(rec, program);
        if (st.ended && *st.ended < day)
            return std::monostate{};
        return RosterRow{rec.header.id, rec.header.name};
    };
    store.for_each_record(store.ids(), ctx.jobs, work, [&](auto& result) {
        if (auto* error = std::get_if<DataError>(&result)) {
            *ctx.err << "iop: error: " << escaped(error->what(), Lines::many) << '\n';
            ++broken;
        } else if (auto* row = std::get_if<RosterRow>(&result)) {
            rows.push_back(std::move(*row));
        }
    });

    if (ctx.format == Format::csv)
        write_csv(*ctx.out, rows, day, o.topic, program.group_hours);
    else
        write_sheet(*ctx.out, rows, day, o.topic ? program.find_topic(*o.topic) : nullptr,
                    program.group_hours);
    return broken ? exit_data : exit_ok;
}

} // namespace

CommandSpec roster_command() {
    return {"roster",
            "Reports",
            "A group's sign-in sheet, or a session file to fill in and import",
            Access::read,
            {Format::text, Format::csv},
            "iop roster --date mon --topic illness --format csv",
            [](Args& app) -> Runner {
                auto o = std::make_shared<RosterOptions>();
                app.add_option("--date", o->date, "Day of the group (default today)")
                    ->type_name("DATE");
                app.add_option("--topic", o->topic, "Curriculum topic id of the group")
                    ->type_name("TOPIC");
                add_clinician_option(app, o->clinicians);
                return [o](Context& ctx) { return roster(*o, ctx); };
            }};
}

} // namespace iop
