// `iop objective ID add GOAL ...` and `iop objective ID REF
// revise|achieved|partly-achieved|not-achieved|dropped ...` (SPEC section
// 12): appends an [[objective]] entry. iop assigns the reference (G1.1,
// G1.2, ...: the goal's, a dot, a number never given before); an objective
// closed by achieved, not-achieved or dropped, or by its goal, changes no
// more. What the command prints names references and dates only.
#include "commands/common.hpp"

#include "iop/suggest.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct ObjectiveOptions {
    std::string id;
    std::string ref;                 // "add", or the objective's reference
    std::optional<std::string> then; // after add: the goal; after a reference: the action
    std::optional<std::string> text;
    std::optional<std::string> measure;
    std::optional<std::string> target;
    std::vector<std::string> interventions;
    std::optional<std::string> note;
    std::optional<std::string> date;
};

const std::vector<std::string>& later_actions() {
    static const std::vector<std::string> v = {"revise", "achieved", "partly-achieved",
                                               "not-achieved", "dropped"};
    return v;
}

int objective(const ObjectiveOptions& o, Context& ctx) {
    require_valid_id(o.id);
    Objective obj;
    std::string goal_ref;
    const bool add = o.ref == "add";
    if (add) {
        if (!o.then)
            throw UsageError("which goal? `iop objective ID add GOAL` names the goal (G1) the "
                             "objective serves");
        goal_ref = typed_goal_ref("GOAL", *o.then);
        obj.action = ObjectiveAction::add;
    } else {
        if (o.ref.empty() || (o.ref[0] != 'G' && o.ref[0] != 'g'))
            throw UsageError(fmt::format("'{}' is neither add nor an objective reference such "
                                         "as G1.2{}",
                                         excerpt(o.ref), did_you_mean(o.ref, {"add"})));
        obj.ref = typed_objective_ref("REF", o.ref);
        if (!o.then)
            throw UsageError(fmt::format("what of objective {}? give one of {} after it", obj.ref,
                                         join(later_actions())));
        obj.action = *parse_objective_action(require_choice("ACTION", *o.then, later_actions()));
    }
    const bool status = !add && obj.action != ObjectiveAction::revise;
    obj.text = plan_text("--text", o.text);
    obj.measure = plan_text("--measure", o.measure);
    if (o.target)
        obj.target = parse_date_option("--target", *o.target, ctx.today);
    if (!o.interventions.empty()) {
        std::vector<std::string> list;
        for (const std::string& i : o.interventions) {
            if (i.empty())
                throw UsageError("--intervention is empty");
            list.push_back(require_item("--intervention", i));
        }
        obj.interventions = list;
    }
    const bool changes = obj.text || obj.measure || obj.target || obj.interventions;
    if (add && (!obj.text || !obj.target))
        throw UsageError("an objective needs --text (what the patient will do, measurably) and "
                         "--target (the date it is due)");
    if (!status && o.note)
        throw UsageError("--note goes with a status (achieved, partly-achieved, not-achieved, "
                         "dropped); an objective's texts are --text and --measure");
    if (status && changes)
        throw UsageError(fmt::format("objective {} {} takes --note only; to change it, revise it "
                                     "first",
                                     obj.ref, to_string(obj.action)));
    if (obj.action == ObjectiveAction::revise && !changes)
        throw UsageError(fmt::format("nothing to revise: give --text, --target, --measure or "
                                     "--intervention for objective {}",
                                     obj.ref));
    obj.note = plan_text("--note", o.note).value_or("");

    const LoadedRecord loaded = load_for_entry(ctx, o.id);
    const Record& rec = loaded.record;
    obj.date = entry_date(ctx, rec, o.date);
    const TreatmentPlan plan = treatment_plan(rec);
    if (add) {
        const GoalState& g = require_goal(rec, plan, goal_ref);
        if (!g.open)
            throw Refused(fmt::format("goal {} of {} was {} on {}; add the objective to an open "
                                      "goal",
                                      goal_ref, o.id, g.status, format_date(*g.closed)));
        if (obj.date < g.added)
            throw UsageError(fmt::format("--date {} is before goal {} was added ({})",
                                         format_date(obj.date), goal_ref, format_date(g.added)));
        obj.ref = next_objective_ref(rec, goal_ref);
    } else {
        const ObjectiveState& os = require_objective(rec, plan, obj.ref);
        if (!os.open)
            throw Refused(fmt::format("objective {} of {} was {}; a closed objective does not "
                                      "change (add a new one instead)",
                                      obj.ref, o.id, closed_as(plan, os)));
        if (obj.date < os.added)
            throw UsageError(fmt::format("--date {} is before objective {} was added ({})",
                                         format_date(obj.date), obj.ref, format_date(os.added)));
        if (obj.action == ObjectiveAction::revise) {
            // Only what changes is recorded.
            if (obj.text == os.text)
                obj.text.reset();
            if (obj.measure == os.measure)
                obj.measure.reset();
            if (obj.target == os.target)
                obj.target.reset();
            if (obj.interventions == os.interventions)
                obj.interventions.reset();
            if (!obj.text && !obj.measure && !obj.target && !obj.interventions)
                throw UsageError(fmt::format("nothing to revise: objective {} of {} holds these "
                                             "values already",
                                             obj.ref, o.id));
        }
    }
    if (obj.target && *obj.target < obj.date)
        throw UsageError(fmt::format("--target {} is before the objective's date ({}); a target "
                                     "is when it is due",
                                     format_date(*obj.target), format_date(obj.date)));
    append_entry(ctx, loaded, obj);
    const std::string day = format_date(obj.date);
    if (add)
        confirm(ctx, fmt::format("added objective {} to goal {} of {} on {}, target {}", obj.ref,
                                 goal_ref, o.id, day, format_date(*obj.target)));
    else if (obj.action == ObjectiveAction::revise)
        confirm(ctx, fmt::format("revised objective {} of {} on {}", obj.ref, o.id, day));
    else
        confirm(ctx, fmt::format("objective {} of {} {} on {}", obj.ref, o.id,
                                 to_string(obj.action), day));
    return exit_ok;
}

} // namespace

CommandSpec objective_command() {
    return {"objective",
            "Plan",
            "Add a measurable objective to a goal, revise it, or record its status",
            Access::write,
            {Format::text},
            "iop objective P-0001 add G1 --text \"Name 3 triggers and 3 responses\" --target "
            "2026-12-01 --intervention \"relapse-prevention group\"",
            [](Args& app) -> Runner {
                auto o = std::make_shared<ObjectiveOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                app.add_option("ref", o->ref,
                               "add, or the objective's reference (G1.2, as iop show prints it)")
                    ->required()
                    ->type_name("OBJECTIVE");
                app.add_option("then", o->then,
                               "After add: the goal (G1); after a reference: revise, achieved, "
                               "partly-achieved, not-achieved or dropped")
                    ->type_name("GOAL|ACTION");
                app.add_option("--text", o->text, "The objective: what the patient will do")
                    ->check(not_empty())
                    ->type_name("TEXT");
                app.add_option("--target", o->target, "The date the objective is due")
                    ->type_name("DATE");
                app.add_option("--measure", o->measure, "How it is measured")
                    ->check(not_empty())
                    ->type_name("TEXT");
                app.add_option("--intervention", o->interventions,
                               "An intervention that serves it (repeatable; on revise, the "
                               "new list)")
                    ->type_name("TEXT");
                app.add_option("--note", o->note, "With a status: a note")
                    ->check(not_empty())
                    ->type_name("TEXT");
                app.add_option("--date", o->date, "Day of the entry (default today)")
                    ->type_name("DATE");
                return [o](Context& ctx) { return objective(*o, ctx); };
            }};
}

} // namespace iop
