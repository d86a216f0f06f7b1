#include "commands/common.hpp"

#include "iop/engine.hpp"
#include "iop/suggest.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct ShowOptions {
    std::string id;
};

// Text of several lines, escaped, its later lines indented under the first.
std::string indented(std::string_view text, std::size_t indent) {
    std::string out;
    for (char c : escaped(text, Lines::many)) {
        out += c;
        if (c == '\n')
            out.append(indent, ' ');
    }
    return out;
}

std::string short_date(Date d) {
    return fmt::format("{:02}-{:02}", static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

std::string decimal(double v) {
    return std::floor(v) == v ? fmt::format("{:.0f}", v) : fmt::format("{:.1f}", v);
}

// "2/3", marked when a complete week fell short of the plan.
std::string cell(int done, int planned, bool complete, const Style& style, std::size_t width) {
    std::string text = fmt::format("{}/{}", done, planned);
    bool short_of = complete && planned > 0 && done < planned;
    std::string shown = pad(text + (short_of ? " !" : ""), width);
    return short_of ? style.red(shown) : shown;
}

void print_header(std::ostream& out, const Record& rec, const Assessment& a, const Style& style) {
    const Header& h = rec.header;
    std::string status(to_string(a.status));
    if (a.ended)
        status += " on " + format_date(*a.ended);
    out << style.bold(fmt::format("{}  {}", h.id, escaped(h.name))) << "  (" << status << ")\n";
    out << fmt::format("  enrolled    {}\n", format_date(h.enrolled));
    if (h.born)
        out << fmt::format("  born        {}{}\n", format_date(*h.born),
                           is_adolescent(h) ? " (adolescent: under 18 at enrollment)" : "");
    if (!h.clinician.empty())
        out << fmt::format("  clinician   {}\n", escaped(h.clinician));
    if (!h.diagnosis.empty())
        out << fmt::format("  diagnosis   {}\n", indented(h.diagnosis, 14));
    if (!h.insurance.empty())
        out << fmt::format("  insurance   {}\n", escaped(h.insurance));
    out << fmt::format("  plan        {} weeks; a week: {} group, {} individual, {} family\n",
                       a.plan.weeks, a.plan.groups_per_week, a.plan.individual_per_week,
                       a.plan.family_per_week);
    for (const auto& e : rec.journal)
        if (auto ev = std::get_if<Event>(&e); ev && ev->type == EventType::plan_change)
            out << fmt::format("              changed on {}\n", format_date(ev->date));
    if (a.week == 0)
        out << fmt::format("  week        not started (planned end {})\n",
                           format_date(a.planned_end));
    else
        out << fmt::format("  week        {} of {} (planned end {})\n", a.week, a.weeks_planned,
                           format_date(a.planned_end));
}

void print_grid(std::ostream& out, const Assessment& a, const Program& program, bool adolescent,
                const Style& style) {
    out << '\n' << style.bold("Attendance") << "  (attended/planned; ! = short in a complete week)\n";
    if (a.weeks.empty()) {
        out << "  no treatment week yet\n";
        return;
    }
    out << "  week  dates          group   indiv   family  screen  hours\n";
    double minimum = adolescent ? program.hours_adolescent_min : program.hours_adult_min;
    for (const auto& w : a.weeks) {
        std::string hours = decimal(w.hours);
        bool low = w.complete && w.hours < minimum - 1e-9;
        bool high = w.hours > program.hours_max + 1e-9;
        std::string hours_cell = hours + (low || high ? " !" : "");
        out << fmt::format("  {:>4}  {} ~ {}  {}{}{}{}{}{}\n", w.week, short_date(w.first),
                           short_date(w.last),
                           cell(w.groups, w.plan.groups_per_week, w.complete, style, 8),
                           cell(w.individual, w.plan.individual_per_week, w.complete, style, 8),
                           cell(w.family, w.plan.family_per_week, w.complete, style, 8),
                           cell(w.screens, program.screens_per_week, w.complete, style, 8),
                           low || high ? style.red(hours_cell) : hours_cell,
                           w.complete ? "" : "  (in progress)");
    }
    out << fmt::format("  attendance rate {} over {} complete week{}\n",
                       rate_text(a.attendance_rate), a.complete_weeks,
                       a.complete_weeks == 1 ? "" : "s");
}

void print_curriculum(std::ostream& out, const Assessment& a, const Program& program,
                      const Style& style) {
    out << '\n'
        << style.bold("Curriculum") << fmt::format("  core {}% complete\n", a.curriculum.percent);
    for (const auto& t : a.curriculum.topics) {
        const Topic* topic = program.find_topic(t.id);
        bool done = t.attended >= t.needed;
        out << fmt::format("  {} {}  {}/{}  {}  {}\n", done ? "+" : " ", pad(t.id, 20), t.attended,
                           t.needed, t.core ? "core" : "    ", topic ? escaped(topic->title) : "");
    }
    if (!a.curriculum.remaining.empty())
        out << fmt::format("  left: {}\n", join(a.curriculum.remaining));
}

void print_medications(std::ostream& out, const Assessment& a, Date today, const Style& style) {
    if (a.medications.empty())
        return;
    out << '\n' << style.bold("Medications") << '\n';
    for (const auto& m : a.medications) {
        std::string dose = m.dose.empty() ? "" : " " + escaped(m.dose);
        if (!m.active) {
            out << fmt::format("  {}{}: started {}, stopped {}\n", escaped(m.name), dose,
                               format_date(m.started), m.stopped ? format_date(*m.stopped) : "?");
            continue;
        }
        Date next = add_days(m.last_review, m.review_days);
        out << fmt::format("  {}{}: started {}, last review {}, next review {}{}\n",
                           escaped(m.name), dose, format_date(m.started),
                           format_date(m.last_review), format_date(next),
                           next < today ? style.red(" (overdue)") : "");
    }
}

void print_findings(std::ostream& out, const Record& rec, const Assessment& a,
                    const Style& style) {
    out << '\n' << style.bold("Findings") << '\n';
    if (a.findings.empty()) {
        out << "  none\n";
        return;
    }
    for (const auto& f : a.findings)
        out << "  " << finding_line(rec.file, f, style) << '\n';
}

void print_graduation(std::ostream& out, const Assessment& a, const Style& style) {
    out << '\n' << style.bold("Graduation") << "  ";
    if (a.status == Status::graduated) {
        out << "graduated\n";
        return;
    }
    out << (a.eligible ? style.green("eligible") : std::string("not eligible")) << '\n';
    for (const auto& c : a.criteria)
        out << fmt::format("  {} {}  {}\n", c.met ? "+" : "-", pad(c.id, 10), c.detail);
}

int show(const ShowOptions& o, Context& ctx) {
    require_valid_id(o.id);
    Store& store = ctx.store();
    const Program& program = store.program();
    Record rec = store.load(o.id);
    Assessment a = assess(program, rec, ctx.today);
    if (ctx.format == Format::json) {
        write_json(*ctx.out, {{"today", format_date(ctx.today)},
                              {"patients", nlohmann::json::array({assessment_json(rec, a)})}});
        return exit_ok;
    }
    auto& out = *ctx.out;
    print_header(out, rec, a, ctx.style);
    print_grid(out, a, program, is_adolescent(rec.header), ctx.style);
    print_curriculum(out, a, program, ctx.style);
    print_medications(out, a, ctx.today, ctx.style);
    print_findings(out, rec, a, ctx.style);
    print_graduation(out, a, ctx.style);
    return exit_ok;
}

} // namespace

CommandSpec show_command() {
    return {"show", "Reports",
            "Show a patient: plan, weekly attendance, curriculum, medications, findings",
            Access::read, {Format::text, Format::json}, "iop show P-0001",
            [](CLI::App& app) -> Runner {
                auto o = std::make_shared<ShowOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                return [o](Context& ctx) { return show(*o, ctx); };
            }};
}

} // namespace iop
