#include "commands/common.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct PlanOptions {
    std::string id;
    std::optional<int> weeks, groups_per_week, individual_per_week, family_per_week;
    bool review = false;
    std::optional<std::string> date;
    std::string note;
};

int plan(const PlanOptions& o, Context& ctx) {
    require_valid_id(o.id);
    Event e;
    e.text = require_text("--note", o.note, Lines::many);
    PlanChange& change = e.plan;
    change.weeks = o.weeks;
    change.groups_per_week = o.groups_per_week;
    change.individual_per_week = o.individual_per_week;
    change.family_per_week = o.family_per_week;
    if (o.review && !change.empty())
        throw UsageError("--review records a plan review; give plan values without --review to "
                         "change the plan");
    if (!o.review && change.empty())
        throw UsageError("nothing to do: give --weeks, --groups-per-week, --individual-per-week "
                         "or --family-per-week to change the plan, or --review to record a review");
    const Program& program = ctx.store().program();
    if (change.weeks)
        plan_bound(program, "weeks", *change.weeks);
    if (change.groups_per_week)
        plan_bound(program, "groups_per_week", *change.groups_per_week);
    if (change.individual_per_week)
        plan_bound(program, "individual_per_week", *change.individual_per_week);
    if (change.family_per_week)
        plan_bound(program, "family_per_week", *change.family_per_week);

    const LoadedRecord loaded = load_for_entry(ctx, o.id);
    const Record& rec = loaded.record;
    e.date = entry_date(ctx, rec, o.date);
    if (o.review) {
        e.type = EventType::plan_review;
        append_entry(ctx, loaded, e);
        confirm(ctx, fmt::format("recorded plan review for {} on {}", o.id, format_date(e.date)));
        return exit_ok;
    }
    e.type = EventType::plan_change;
    Plan before = plan_on(rec, e.date);
    Plan after = before;
    change.apply_to(after);
    if (after.weeks == before.weeks && after.groups_per_week == before.groups_per_week &&
        after.individual_per_week == before.individual_per_week &&
        after.family_per_week == before.family_per_week)
        throw Refused(fmt::format("the plan of {} on {} already has these values; nothing changed",
                                  o.id, format_date(e.date)));
    append_entry(ctx, loaded, e);
    confirm(ctx, fmt::format("changed the plan of {} from {}: {} weeks, {} group, {} individual, "
                             "{} family sessions a week",
                             o.id, format_date(e.date), after.weeks, after.groups_per_week,
                             after.individual_per_week, after.family_per_week));
    return exit_ok;
}

} // namespace

CommandSpec plan_command() {
    return {"plan", "Plan", "Change a patient's plan from a date on, or record a plan review",
            Access::write, {Format::text}, "iop plan P-0001 --groups-per-week 2 --date 2026-11-16",
            [](Args& app) -> Runner {
                auto o = std::make_shared<PlanOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                app.add_option("--weeks", o->weeks, "Planned length in weeks")
                    ->transform(whole_number())
                    ->type_name("N");
                app.add_option("--groups-per-week", o->groups_per_week, "Group sessions a week")
                    ->transform(whole_number())
                    ->type_name("N");
                app.add_option("--individual-per-week", o->individual_per_week,
                               "Individual sessions a week")
                    ->transform(whole_number())
                    ->type_name("N");
                app.add_option("--family-per-week", o->family_per_week,
                               "Family sessions a week (0 = none)")
                    ->transform(whole_number())
                    ->type_name("N");
                app.add_flag("--review", o->review, "Record a plan review instead of a change");
                app.add_option("--date", o->date, "Day the change applies from (default today)")
                    ->type_name("DATE");
                app.add_option("--note", o->note, "Why, in a few words")->type_name("TEXT");
                return [o](Context& ctx) { return plan(*o, ctx); };
            }};
}

} // namespace iop
