// `iop goal ID add ...` and `iop goal ID REF revise|achieved|dropped ...`
// (SPEC section 12): appends a [[goal]] entry. iop assigns the reference
// (G1, G2, ...; never one given before, voided or not); a goal closed by
// achieved or dropped changes no more. What the command prints names the
// reference and the date, never the goal's text.
#include "commands/common.hpp"

#include "iop/suggest.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct GoalOptions {
    std::string id;
    std::string ref; // "add", or the goal's reference
    std::optional<std::string> action;
    std::optional<std::string> problem;
    std::optional<std::string> goal;
    std::optional<std::string> words;
    std::optional<int> dimension;
    std::optional<std::string> note;
    std::optional<std::string> date;
};

const std::vector<std::string>& later_actions() {
    static const std::vector<std::string> v = {"revise", "achieved", "dropped"};
    return v;
}

int goal(const GoalOptions& o, Context& ctx) {
    require_valid_id(o.id);
    Goal g;
    const bool add = o.ref == "add";
    if (add) {
        if (o.action)
            throw UsageError(fmt::format("'{}' after add: `iop goal ID add` takes options only "
                                         "(--problem, --goal, --words, --dimension, --date)",
                                         excerpt(*o.action)));
        g.action = GoalAction::add;
    } else {
        if (o.ref.empty() || (o.ref[0] != 'G' && o.ref[0] != 'g'))
            throw UsageError(fmt::format("'{}' is neither add nor a goal reference such as G1{}",
                                         excerpt(o.ref), did_you_mean(o.ref, {"add"})));
        g.ref = typed_goal_ref("REF", o.ref);
        if (!o.action)
            throw UsageError(fmt::format("what of goal {}? give one of {} after it", g.ref,
                                         join(later_actions())));
        g.action = *parse_goal_action(require_choice("ACTION", *o.action, later_actions()));
    }
    g.problem = plan_text("--problem", o.problem);
    g.goal = plan_text("--goal", o.goal);
    g.words = plan_text("--words", o.words);
    if (o.dimension) {
        if (*o.dimension < 1 || *o.dimension > 6)
            throw UsageError(fmt::format("--dimension {} is out of range 1..6 (the ASAM "
                                         "dimensions)",
                                         *o.dimension));
        g.dimension = o.dimension;
    }
    const bool changes = g.problem || g.goal || g.words || g.dimension;
    const bool closes = g.action == GoalAction::achieved || g.action == GoalAction::dropped;
    if (add && (!g.problem || !g.goal))
        throw UsageError("a goal needs --problem (the problem it answers) and --goal (what the "
                         "patient wants to reach)");
    if (!closes && o.note)
        throw UsageError("--note goes with achieved or dropped; a goal's texts are --problem, "
                         "--goal and --words");
    if (closes && changes)
        throw UsageError(fmt::format("goal {} {} takes --note only; to change its texts, revise "
                                     "it first",
                                     g.ref, to_string(g.action)));
    if (g.action == GoalAction::revise && !changes)
        throw UsageError(fmt::format("nothing to revise: give --problem, --goal, --words or "
                                     "--dimension for goal {}",
                                     g.ref));
    g.note = plan_text("--note", o.note).value_or("");

    const LoadedRecord loaded = load_for_entry(ctx, o.id);
    const Record& rec = loaded.record;
    g.date = entry_date(ctx, rec, o.date);
    if (add) {
        g.ref = next_goal_ref(rec);
    } else {
        const TreatmentPlan plan = treatment_plan(rec);
        const GoalState& gs = require_goal(rec, plan, g.ref);
        if (!gs.open)
            throw Refused(fmt::format("goal {} of {} was {} on {}; a closed goal does not "
                                      "change (add a new one instead)",
                                      g.ref, o.id, gs.status, format_date(*gs.closed)));
        if (g.date < gs.added)
            throw UsageError(fmt::format("--date {} is before goal {} was added ({})",
                                         format_date(g.date), g.ref, format_date(gs.added)));
        if (g.action == GoalAction::revise) {
            // Only what changes is recorded.
            if (g.problem == gs.problem)
                g.problem.reset();
            if (g.goal == gs.goal)
                g.goal.reset();
            if (g.words == gs.words)
                g.words.reset();
            if (g.dimension == gs.dimension)
                g.dimension.reset();
            if (!g.problem && !g.goal && !g.words && !g.dimension)
                throw UsageError(fmt::format("nothing to revise: goal {} of {} holds these values "
                                             "already",
                                             g.ref, o.id));
        }
    }
    append_entry(ctx, loaded, g);
    const std::string day = format_date(g.date);
    switch (g.action) {
    case GoalAction::add:
        confirm(ctx, fmt::format("added goal {} to {} on {}", g.ref, o.id, day));
        break;
    case GoalAction::revise:
        confirm(ctx, fmt::format("revised goal {} of {} on {}", g.ref, o.id, day));
        break;
    case GoalAction::achieved:
    case GoalAction::dropped:
        confirm(ctx, fmt::format("goal {} of {} {} on {}", g.ref, o.id, to_string(g.action), day));
        break;
    }
    return exit_ok;
}

} // namespace

CommandSpec goal_command() {
    return {
        "goal",
        "Plan",
        "Add a treatment-plan goal, revise it, or mark it achieved or dropped",
        Access::write,
        {Format::text},
        "iop goal P-0001 add --problem \"Drinks daily to cope with stress\" --goal \"Stay "
        "sober\" --dimension 5",
        [](Args& app) -> Runner {
            auto o = std::make_shared<GoalOptions>();
            app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
            app.add_option("ref", o->ref,
                           "add, or the goal's reference (G1, as iop show prints it)")
                ->required()
                ->type_name("GOAL");
            app.add_option("action", o->action, "After a reference: revise, achieved or dropped")
                ->type_name("ACTION");
            app.add_option("--problem", o->problem, "The problem the goal answers")
                ->check(not_empty())
                ->type_name("TEXT");
            app.add_option("--goal", o->goal, "The goal")->check(not_empty())->type_name("TEXT");
            app.add_option("--words", o->words, "The goal in the patient's own words")
                ->check(not_empty())
                ->type_name("TEXT");
            app.add_option("--dimension", o->dimension,
                           "The ASAM dimension (1-6) the goal addresses")
                ->transform(whole_number())
                ->type_name("N");
            app.add_option("--note", o->note, "With achieved or dropped: a note")
                ->check(not_empty())
                ->type_name("TEXT");
            app.add_option("--date", o->date, "Day of the entry (default today)")
                ->type_name("DATE");
            return [o](Context& ctx) { return goal(*o, ctx); };
        }};
}

} // namespace iop
