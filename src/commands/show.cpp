#include "commands/common.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct ShowOptions {
    std::string id;
};

int show(const ShowOptions& o, Context& ctx) {
    require_valid_id(o.id);
    Store& store = ctx.store();
    const Program& program = store.program();
    Record rec = store.load(o.id);
    State st = fold(rec, program);
    const Header& h = rec.header;
    Date judged = st.ended ? std::min(*st.ended, ctx.today) : ctx.today;
    int week = treatment_week(h.enrolled, judged);
    auto& out = *ctx.out;
    out << ctx.style.bold(fmt::format("{}  {}", h.id, h.name)) << '\n';
    out << fmt::format("  status      {}{}\n", to_string(st.status),
                       st.ended ? " on " + format_date(*st.ended) : "");
    out << fmt::format("  enrolled    {}\n", format_date(h.enrolled));
    if (h.born)
        out << fmt::format("  born        {}{}\n", format_date(*h.born),
                           is_adolescent(h) ? " (adolescent)" : "");
    if (!h.clinician.empty())
        out << fmt::format("  clinician   {}\n", h.clinician);
    if (!h.diagnosis.empty())
        out << fmt::format("  diagnosis   {}\n", h.diagnosis);
    if (!h.insurance.empty())
        out << fmt::format("  insurance   {}\n", h.insurance);
    out << fmt::format("  plan        {} weeks, {} group, {} individual, {} family a week\n",
                       st.plan.weeks, st.plan.groups_per_week, st.plan.individual_per_week,
                       st.plan.family_per_week);
    out << fmt::format("  week        {} of {} (planned end {})\n", week, st.plan.weeks,
                       format_date(add_days(h.enrolled, 7 * st.plan.weeks - 1)));
    out << "\nSessions\n";
    int n = 0;
    for (const auto& e : rec.journal)
        if (auto s = std::get_if<Session>(&e)) {
            ++n;
            out << fmt::format("  {}  {:<10}  {:<8}  {:>4} h  {}\n", format_date(s->date),
                               to_string(s->kind), to_string(s->status), format_hours(s->hours),
                               s->topic);
        }
    if (n == 0)
        out << "  none yet\n";
    return exit_ok;
}

} // namespace

CommandSpec show_command() {
    return {"show", "Reports", "Show a patient's plan, attendance, progress and findings",
            Access::read, {Format::text, Format::json}, "iop show P-0001",
            [](CLI::App& app) -> Runner {
                auto o = std::make_shared<ShowOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                return [o](Context& ctx) { return show(*o, ctx); };
            }};
}

} // namespace iop
