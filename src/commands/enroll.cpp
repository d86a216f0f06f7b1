#include "commands/common.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct EnrollOptions {
    std::string id;
    std::string name;
    std::optional<std::string> start, born;
    std::optional<int> weeks, groups_per_week, individual_per_week, family_per_week;
    std::string clinician, diagnosis, insurance;
};

int enroll(const EnrollOptions& o, Context& ctx) {
    require_valid_id(o.id);
    Header h;
    h.id = o.id;
    h.name = require_text("--name", o.name);
    if (h.name.empty())
        throw UsageError("--name is empty");
    h.enrolled = o.start ? parse_date_option("--start", *o.start) : ctx.today;
    if (o.born) {
        h.born = parse_date_option("--born", *o.born);
        if (*h.born > h.enrolled)
            throw UsageError(fmt::format("--born {} is after the start of treatment ({})",
                                         *o.born, format_date(h.enrolled)));
    }
    h.clinician = require_text("--clinician", o.clinician);
    h.diagnosis = require_text("--diagnosis", o.diagnosis);
    h.insurance = require_text("--insurance", o.insurance);

    Store& store = ctx.store();
    const Program& p = store.program();
    h.plan.weeks = plan_bound(p, "weeks", o.weeks.value_or(p.weeks.default_value));
    h.plan.groups_per_week = plan_bound(p, "groups_per_week",
                                        o.groups_per_week.value_or(p.groups_per_week.default_value));
    h.plan.individual_per_week = plan_bound(p, "individual_per_week",
                                            o.individual_per_week.value_or(p.individual_per_week));
    h.plan.family_per_week =
        plan_bound(p, "family_per_week", o.family_per_week.value_or(p.family_per_week));
    h.recorded_by = ctx.user;
    h.recorded_at = ctx.now;

    std::string text = render_header(h);
    parse_record(text, Store::shown_path(h.id)); // never write what iop could not read back
    store.create_record(h.id, text);
    confirm(ctx, fmt::format("enrolled {} from {}: {} weeks (planned end {}), {} group, {} "
                             "individual, {} family sessions a week",
                             h.id, format_date(h.enrolled), h.plan.weeks,
                             format_date(add_days(h.enrolled, 7 * h.plan.weeks - 1)),
                             h.plan.groups_per_week, h.plan.individual_per_week,
                             h.plan.family_per_week));
    return exit_ok;
}

} // namespace

CommandSpec enroll_command() {
    return {"enroll", "Records", "Enroll a new patient with a treatment plan", Access::write,
            {Format::text},
            "iop enroll P-0001 --name \"Jane Doe\" --start 2026-11-02 --groups-per-week 3",
            [](CLI::App& app) -> Runner {
                auto o = std::make_shared<EnrollOptions>();
                app.add_option("id", o->id, "Patient id, e.g. P-0001")->required()->type_name("ID");
                app.add_option("--name", o->name, "Patient's name")->required()->type_name("NAME");
                app.add_option("--start", o->start, "First day of treatment (default today)")
                    ->type_name("DATE");
                app.add_option("--born", o->born, "Date of birth (under 18 = adolescent)")
                    ->type_name("DATE");
                app.add_option("--weeks", o->weeks, "Planned length in weeks")->type_name("N");
                app.add_option("--groups-per-week", o->groups_per_week, "Group sessions a week")
                    ->type_name("N");
                app.add_option("--individual-per-week", o->individual_per_week,
                               "Individual sessions a week")
                    ->type_name("N");
                app.add_option("--family-per-week", o->family_per_week,
                               "Family sessions a week (0 = none)")
                    ->type_name("N");
                app.add_option("--clinician", o->clinician, "Responsible clinician")
                    ->type_name("NAME");
                app.add_option("--diagnosis", o->diagnosis, "Diagnosis")->type_name("TEXT");
                app.add_option("--insurance", o->insurance, "Insurance")->type_name("TEXT");
                return [o](Context& ctx) { return enroll(*o, ctx); };
            }};
}

} // namespace iop
