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
    PatientInput in;
    in.id = o.id;
    in.name = o.name;
    in.enrolled = o.start;
    in.born = o.born;
    in.clinician = o.clinician;
    in.diagnosis = o.diagnosis;
    in.insurance = o.insurance;
    in.weeks = o.weeks;
    in.groups_per_week = o.groups_per_week;
    in.individual_per_week = o.individual_per_week;
    in.family_per_week = o.family_per_week;
    Header h = patient_header(in, ctx.today, Naming::option);

    Store& store = ctx.store();
    h.plan = patient_plan(in, store.program(), Naming::option);
    h.recorded_by = ctx.user;
    h.recorded_at = ctx.now;

    std::string text = render_header(h);
    parse_record(text, Store::shown_path(h.id)); // never write what iop could not read back
    store.create_record(h.id, text);
    store.describe_change(enroll_subject(h));
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
            [](Args& app) -> Runner {
                auto o = std::make_shared<EnrollOptions>();
                app.add_option("id", o->id, "Patient id, e.g. P-0001")->required()->type_name("ID");
                app.add_option("--name", o->name, "Patient's name")->required()->type_name("NAME");
                app.add_option("--start", o->start, "First day of treatment (default today)")
                    ->type_name("DATE");
                app.add_option("--born", o->born, "Date of birth (under 18 = adolescent)")
                    ->type_name("DATE");
                app.add_option("--weeks", o->weeks, "Planned length in weeks")
                    ->check(not_empty())
                    ->transform(whole_number())
                    ->type_name("N");
                app.add_option("--groups-per-week", o->groups_per_week, "Group sessions a week")
                    ->check(not_empty())
                    ->transform(whole_number())
                    ->type_name("N");
                app.add_option("--individual-per-week", o->individual_per_week,
                               "Individual sessions a week")
                    ->check(not_empty())
                    ->transform(whole_number())
                    ->type_name("N");
                app.add_option("--family-per-week", o->family_per_week,
                               "Family sessions a week (0 = none)")
                    ->check(not_empty())
                    ->transform(whole_number())
                    ->type_name("N");
                app.add_option("--clinician", o->clinician, "Responsible clinician")
                    ->type_name("NAME");
                app.add_option("--diagnosis", o->diagnosis, "Diagnosis")->type_name("TEXT");
                app.add_option("--insurance", o->insurance, "Insurance")->type_name("TEXT");
                return [o](Context& ctx) { return enroll(*o, ctx); };
            }};
}

} // namespace iop
