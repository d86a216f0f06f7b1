// The individualized treatment plan (SPEC section 12): the fold of goal,
// objective and signature entries, the plan version, and the checks a
// loaded journal must pass.
#include "iop/record.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace iop {

namespace {

bool digits_from_one(std::string_view n) {
    return !n.empty() && n.size() <= 6 && n[0] != '0' &&
           std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_void_event(const Entry& e) {
    const Event* ev = std::get_if<Event>(&e);
    return ev && ev->type == EventType::void_;
}

// Whether an entry makes a new plan version by itself (voids aside).
bool makes_version(const Entry& e) {
    if (const Goal* g = std::get_if<Goal>(&e))
        return g->action == GoalAction::add || g->action == GoalAction::revise ||
               g->action == GoalAction::dropped;
    if (const Objective* o = std::get_if<Objective>(&e))
        return o->action == ObjectiveAction::add || o->action == ObjectiveAction::revise ||
               o->action == ObjectiveAction::dropped;
    if (const Event* ev = std::get_if<Event>(&e))
        return ev->type == EventType::plan_change;
    return false;
}

// For each entry of `entries` (file order, voids included): whether it makes
// a new plan version, a void counting when the entry it voids does.
std::vector<bool> version_steps(const std::vector<Entry>& entries,
                                const std::vector<std::string>* refs) {
    std::vector<bool> steps(entries.size(), false);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (makes_version(entries[i])) {
            steps[i] = true;
        } else if (refs && is_void_event(entries[i])) {
            const std::string& target = std::get<Event>(entries[i]).entry;
            for (std::size_t j = 0; j < i; ++j)
                if ((*refs)[j] == target) {
                    steps[i] = makes_version(entries[j]);
                    break;
                }
        }
    }
    return steps;
}

std::string_view goal_ref_of(std::string_view objective_ref) {
    return objective_ref.substr(0, objective_ref.rfind('.'));
}

// The action as a message says it was done: "revised", "achieved", ...
std::string_view done(GoalAction a) {
    return a == GoalAction::revise ? "revised" : to_string(a);
}
std::string_view done(ObjectiveAction a) {
    return a == ObjectiveAction::revise ? "revised" : to_string(a);
}

std::string line_of(const SourcePos& pos) { return pos.line ? fmt::format("line {}", pos.line) : "a new entry"; }

ObjectiveState* find_objective_in(std::vector<GoalState>& goals, std::string_view ref) {
    for (GoalState& g : goals)
        for (ObjectiveState& o : g.objectives)
            if (o.ref == ref)
                return &o;
    return nullptr;
}

GoalState* find_goal_in(std::vector<GoalState>& goals, std::string_view ref) {
    for (GoalState& g : goals)
        if (g.ref == ref)
            return &g;
    return nullptr;
}

} // namespace

bool valid_goal_ref(std::string_view t) { return t.size() >= 2 && t[0] == 'G' && digits_from_one(t.substr(1)); }

bool valid_objective_ref(std::string_view t) {
    const auto dot = t.find('.');
    return dot != std::string_view::npos && valid_goal_ref(t.substr(0, dot)) &&
           digits_from_one(t.substr(dot + 1));
}

std::string Objective::goal_ref() const { return std::string(goal_ref_of(ref)); }

const GoalState* TreatmentPlan::find_goal(std::string_view ref) const {
    for (const GoalState& g : goals)
        if (g.ref == ref)
            return &g;
    return nullptr;
}

const ObjectiveState* TreatmentPlan::find_objective(std::string_view ref) const {
    for (const GoalState& g : goals)
        for (const ObjectiveState& o : g.objectives)
            if (o.ref == ref)
                return &o;
    return nullptr;
}

std::vector<const ObjectiveState*> TreatmentPlan::open_objectives() const {
    std::vector<const ObjectiveState*> out;
    for (const GoalState& g : goals)
        for (const ObjectiveState& o : g.objectives)
            if (o.open)
                out.push_back(&o);
    return out;
}

int plan_version_at(const std::vector<Entry>& entries, std::size_t i) {
    const bool voids = std::any_of(entries.begin(), entries.end(), is_void_event);
    std::vector<std::string> refs;
    if (voids)
        refs = entry_refs(entries);
    const std::vector<bool> steps = version_steps(entries, voids ? &refs : nullptr);
    return 1 + static_cast<int>(std::count(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(
                                                                               std::min(i, steps.size())),
                                           true));
}

int next_plan_version(const Record& record) {
    const std::vector<Entry> all = file_journal(record);
    return plan_version_at(all, all.size());
}

std::string next_goal_ref(const Record& record) {
    int highest = 0;
    for (const Entry& e : file_journal(record))
        if (const Goal* g = std::get_if<Goal>(&e))
            highest = std::max(highest, std::stoi(g->ref.substr(1)));
    return fmt::format("G{}", highest + 1);
}

std::string next_objective_ref(const Record& record, std::string_view goal_ref) {
    int highest = 0;
    for (const Entry& e : file_journal(record))
        if (const Objective* o = std::get_if<Objective>(&e); o && o->goal_ref() == goal_ref)
            highest = std::max(highest, std::stoi(o->ref.substr(o->ref.rfind('.') + 1)));
    return fmt::format("{}.{}", goal_ref, highest + 1);
}

TreatmentPlan treatment_plan(const Record& record, std::optional<Date> through) {
    TreatmentPlan tp;
    tp.version_date = record.header.enrolled;
    auto in_range = [&](const Entry& e) { return !through || meta(e).date <= *through; };

    // The version and its signatures: every entry of the file counts for the
    // version where it stands, a voided one too; a voided signature signs
    // nothing.
    auto step = [&](const Entry& e, bool makes, bool voided) {
        if (!in_range(e))
            return;
        if (makes) {
            ++tp.version;
            tp.version_date = meta(e).date;
            tp.signatures.clear();
            return;
        }
        const Event* ev = std::get_if<Event>(&e);
        if (!voided && ev && ev->type == EventType::signature)
            tp.signatures.push_back(
                {ev->role, ev->signer, ev->date, ev->declined, ev->reason, ev->recorded_by});
    };
    if (record.voided.empty()) {
        for (const Entry& e : record.journal)
            step(e, makes_version(e), false);
    } else {
        const std::vector<JournalItem> items = journal_items(record);
        std::vector<Entry> all;
        std::vector<std::string> refs;
        all.reserve(items.size());
        for (const JournalItem& item : items) {
            all.push_back(item.entry);
            refs.push_back(item.ref);
        }
        const std::vector<bool> steps = version_steps(all, &refs);
        for (std::size_t i = 0; i < all.size(); ++i)
            step(all[i], steps[i], items[i].voided_by.has_value() || is_void_event(all[i]));
    }
    // A declined signature, with its reason, counts for the patient only.
    auto signed_by = [&](SignRole role) {
        return std::any_of(tp.signatures.begin(), tp.signatures.end(), [&](const PlanSignature& s) {
            return s.role == role && (!s.declined || role == SignRole::patient);
        });
    };
    for (SignRole role : {SignRole::patient, SignRole::clinician, SignRole::guardian})
        if (!signed_by(role) && (role != SignRole::guardian || is_adolescent(record.header)))
            tp.missing.push_back(role);

    // Goals and objectives: the live journal in file order.
    for (const Entry& e : record.journal) {
        if (!in_range(e))
            continue;
        if (const Goal* g = std::get_if<Goal>(&e)) {
            if (g->action == GoalAction::add) {
                GoalState gs;
                gs.ref = g->ref;
                gs.problem = g->problem.value_or("");
                gs.goal = g->goal.value_or("");
                gs.words = g->words.value_or("");
                gs.dimension = g->dimension;
                gs.added = g->date;
                gs.pos = g->pos;
                tp.goals.push_back(std::move(gs));
                continue;
            }
            GoalState* gs = find_goal_in(tp.goals, g->ref);
            if (!gs)
                continue;
            if (g->action == GoalAction::revise) {
                if (g->problem)
                    gs->problem = *g->problem;
                if (g->goal)
                    gs->goal = *g->goal;
                if (g->words)
                    gs->words = *g->words;
                if (g->dimension)
                    gs->dimension = g->dimension;
            } else if (gs->open) {
                gs->status = std::string(to_string(g->action));
                gs->open = false;
                gs->closed = g->date;
                for (ObjectiveState& o : gs->objectives)
                    if (o.open) {
                        o.open = false;
                        o.closed = g->date;
                    }
            }
        } else if (const Objective* o = std::get_if<Objective>(&e)) {
            if (o->action == ObjectiveAction::add) {
                tp.objective_added = true;
                GoalState* gs = find_goal_in(tp.goals, o->goal_ref());
                if (!gs)
                    continue;
                ObjectiveState os;
                os.ref = o->ref;
                os.text = o->text.value_or("");
                os.measure = o->measure.value_or("");
                os.added = o->date;
                os.target = o->target.value_or(o->date);
                os.interventions = o->interventions.value_or(std::vector<std::string>{});
                os.pos = o->pos;
                os.open = gs->open;
                gs->objectives.push_back(std::move(os));
                continue;
            }
            ObjectiveState* os = find_objective_in(tp.goals, o->ref);
            if (!os)
                continue;
            switch (o->action) {
            case ObjectiveAction::add: break;
            case ObjectiveAction::revise:
                if (o->text)
                    os->text = *o->text;
                if (o->measure)
                    os->measure = *o->measure;
                if (o->target)
                    os->target = *o->target;
                if (o->interventions)
                    os->interventions = *o->interventions;
                break;
            case ObjectiveAction::partly_achieved: os->status = "partly-achieved"; break;
            case ObjectiveAction::achieved:
            case ObjectiveAction::not_achieved:
            case ObjectiveAction::dropped:
                os->status = std::string(to_string(o->action));
                if (os->open) {
                    os->open = false;
                    os->closed = o->date;
                }
                break;
            }
        }
    }
    if (tp.goals.empty())
        return tp;
    for (const Entry& e : record.journal) {
        const Session* s = std::get_if<Session>(&e);
        if (!s || s->objectives.empty() || s->status != SessionStatus::attended || !in_range(e))
            continue;
        for (const std::string& ref : s->objectives) {
            ObjectiveState* os = find_objective_in(tp.goals, ref);
            if (!os || s->date < os->added)
                continue;
            ++os->sessions;
            if (!os->last_addressed || *os->last_addressed < s->date)
                os->last_addressed = s->date;
        }
    }
    return tp;
}

void check_plan(const Record& rec) {
    struct Seen {
        std::string ref;
        SourcePos pos;
        Date added{};
        std::optional<Date> closed;
        std::string closed_as;
    };
    std::vector<Seen> goals, objectives;
    auto find = [](std::vector<Seen>& v, std::string_view ref) -> Seen* {
        for (Seen& s : v)
            if (s.ref == ref)
                return &s;
        return nullptr;
    };
    auto fail = [&](const EntryMeta& m, std::string message) {
        throw DataError(rec.file, m.pos, std::move(message));
    };
    for (const Entry& e : rec.journal) {
        if (const Goal* g = std::get_if<Goal>(&e)) {
            Seen* seen = find(goals, g->ref);
            if (g->action == GoalAction::add) {
                if (seen)
                    fail(*g, fmt::format("goal {} is added twice: {} and line {}", g->ref,
                                         line_of(seen->pos), g->pos.line));
                goals.push_back({g->ref, g->pos, g->date, std::nullopt, {}});
                continue;
            }
            if (!seen)
                fail(*g,
                     fmt::format("goal {} is {} but never added above", g->ref, done(g->action)));
            if (g->date < seen->added)
                fail(*g,
                     fmt::format("goal {} {} on {}, before it was added on {}", g->ref,
                                 done(g->action), format_date(g->date), format_date(seen->added)));
            if (seen->closed)
                fail(*g, fmt::format("goal {} is {} after it was {} on {}", g->ref, done(g->action),
                                     seen->closed_as, format_date(*seen->closed)));
            if (g->action != GoalAction::revise) {
                seen->closed = g->date;
                seen->closed_as = std::string(to_string(g->action));
                for (Seen& o : objectives)
                    if (!o.closed && goal_ref_of(o.ref) == g->ref) {
                        o.closed = g->date;
                        o.closed_as = fmt::format("closed with goal {} ({})", g->ref,
                                                  to_string(g->action));
                    }
            }
        } else if (const Objective* o = std::get_if<Objective>(&e)) {
            Seen* seen = find(objectives, o->ref);
            if (o->action == ObjectiveAction::add) {
                if (seen)
                    fail(*o, fmt::format("objective {} is added twice: {} and line {}", o->ref,
                                         line_of(seen->pos), o->pos.line));
                const std::string goal_ref = o->goal_ref();
                Seen* goal = find(goals, goal_ref);
                if (!goal)
                    fail(*o, fmt::format("objective {} is added to goal {}, which is not added "
                                         "above",
                                         o->ref, goal_ref));
                if (goal->closed)
                    fail(*o, fmt::format("objective {} is added to goal {}, which was {} on {}",
                                         o->ref, goal_ref, goal->closed_as,
                                         format_date(*goal->closed)));
                if (o->date < goal->added)
                    fail(*o, fmt::format("objective {} is dated {}, before goal {} was added on {}",
                                         o->ref, format_date(o->date), goal_ref,
                                         format_date(goal->added)));
                objectives.push_back({o->ref, o->pos, o->date, std::nullopt, {}});
                continue;
            }
            if (!seen)
                fail(*o, fmt::format("objective {} is {} but never added above", o->ref,
                                     done(o->action)));
            if (o->date < seen->added)
                fail(*o,
                     fmt::format("objective {} {} on {}, before it was added on {}", o->ref,
                                 done(o->action), format_date(o->date), format_date(seen->added)));
            if (seen->closed)
                fail(*o, fmt::format("objective {} is {} after it was {} on {}", o->ref,
                                     done(o->action), seen->closed_as, format_date(*seen->closed)));
            if (o->action != ObjectiveAction::revise &&
                o->action != ObjectiveAction::partly_achieved) {
                seen->closed = o->date;
                seen->closed_as = std::string(to_string(o->action));
            }
        }
    }
}

} // namespace iop
