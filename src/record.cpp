#include "iop/record.hpp"

#include "iop/program.hpp"
#include "iop/suggest.hpp"
#include "toml_reader.hpp"

#include <fmt/format.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace iop {

// ---------------------------------------------------------------- recorded_at

bool valid_recorded_at(std::string_view text) {
    if (text.empty() || text.size() > 40)
        return false;
    try {
        toml::table t = parse_toml("t = " + std::string(text), "recorded_at");
        const toml::node* n = t.get("t");
        const auto* dt = n ? n->as_date_time() : nullptr;
        if (!dt || t.size() != 1)
            return false;
        const toml::date& d = dt->get().date;
        return format_date_time(dt->get()) == text &&
               plausible_date(Date{std::chrono::year{d.year}, std::chrono::month{d.month},
                                   std::chrono::day{d.day}});
    } catch (const DataError&) {
        return false;
    }
}

// ---------------------------------------------------------------- enums

namespace {

template <typename E, std::size_t N>
std::optional<E> parse_enum(std::string_view text, const std::string_view (&names)[N]) {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == text)
            return static_cast<E>(i);
    return std::nullopt;
}

constexpr std::string_view kind_names[] = {"group", "individual", "family"};
constexpr std::string_view status_names[] = {"attended", "absent", "excused"};
constexpr std::string_view result_names[] = {"negative", "positive", "pending"};
constexpr std::string_view action_names[] = {"start", "review", "stop"};
constexpr std::string_view event_names[] = {"plan-change", "plan-review", "aftercare", "graduated",
                                            "discharged",  "note",        "void",      "amend",
                                            "signature",  "placement",   "certification"};
constexpr std::string_view auth_unit_names[] = {"session", "day", "hour"};
constexpr std::string_view goal_action_names[] = {"add", "revise", "achieved", "dropped"};
constexpr std::string_view objective_action_names[] = {
    "add", "revise", "achieved", "partly-achieved", "not-achieved", "dropped"};
constexpr std::string_view sign_role_names[] = {"patient", "clinician", "supervisor", "guardian"};
constexpr std::string_view patient_status_names[] = {"active", "graduated", "discharged"};

template <std::size_t N> std::vector<std::string> names_of(const std::string_view (&names)[N]) {
    return std::vector<std::string>(std::begin(names), std::end(names));
}

} // namespace

std::string_view to_string(SessionKind v) { return kind_names[static_cast<int>(v)]; }
std::string_view to_string(SessionStatus v) { return status_names[static_cast<int>(v)]; }
std::string_view to_string(ScreenResult v) { return result_names[static_cast<int>(v)]; }
std::string_view to_string(MedAction v) { return action_names[static_cast<int>(v)]; }
std::string_view to_string(EventType v) { return event_names[static_cast<int>(v)]; }
std::string_view to_string(Status v) { return patient_status_names[static_cast<int>(v)]; }
std::string_view to_string(GoalAction v) { return goal_action_names[static_cast<int>(v)]; }
std::string_view to_string(ObjectiveAction v) {
    return objective_action_names[static_cast<int>(v)];
}
std::string_view to_string(SignRole v) { return sign_role_names[static_cast<int>(v)]; }
std::string_view to_string(AuthUnit v) { return auth_unit_names[static_cast<int>(v)]; }
std::optional<AuthUnit> parse_auth_unit(std::string_view t) {
    return parse_enum<AuthUnit>(t, auth_unit_names);
}
const std::vector<std::string>& auth_units() {
    static const std::vector<std::string> v = names_of(auth_unit_names);
    return v;
}
const std::vector<std::string>& asam_levels() {
    static const std::vector<std::string> v = {"0.5", "1",   "2.1", "2.5", "3.1",
                                               "3.3", "3.5", "3.7", "4"};
    return v;
}
const std::array<std::string_view, 6>& asam_dimension_names() {
    static constexpr std::array<std::string_view, 6> names = {
        "Acute intoxication and/or withdrawal potential",
        "Biomedical conditions and complications",
        "Emotional, behavioral or cognitive conditions",
        "Readiness to change",
        "Relapse, continued use or continued problem potential",
        "Recovery/living environment"};
    return names;
}
std::optional<GoalAction> parse_goal_action(std::string_view t) {
    return parse_enum<GoalAction>(t, goal_action_names);
}
std::optional<ObjectiveAction> parse_objective_action(std::string_view t) {
    return parse_enum<ObjectiveAction>(t, objective_action_names);
}
std::optional<SignRole> parse_sign_role(std::string_view t) {
    return parse_enum<SignRole>(t, sign_role_names);
}
const std::vector<std::string>& goal_actions() {
    static const std::vector<std::string> v = names_of(goal_action_names);
    return v;
}
const std::vector<std::string>& objective_actions() {
    static const std::vector<std::string> v = names_of(objective_action_names);
    return v;
}
const std::vector<std::string>& sign_roles() {
    static const std::vector<std::string> v = names_of(sign_role_names);
    return v;
}
std::optional<SessionKind> parse_session_kind(std::string_view t) {
    return parse_enum<SessionKind>(t, kind_names);
}
std::optional<SessionStatus> parse_session_status(std::string_view t) {
    return parse_enum<SessionStatus>(t, status_names);
}
std::optional<ScreenResult> parse_screen_result(std::string_view t) {
    return parse_enum<ScreenResult>(t, result_names);
}
std::optional<MedAction> parse_med_action(std::string_view t) {
    return parse_enum<MedAction>(t, action_names);
}
std::optional<EventType> parse_event_type(std::string_view t) {
    return parse_enum<EventType>(t, event_names);
}
std::optional<Status> parse_status(std::string_view t) {
    return parse_enum<Status>(t, patient_status_names);
}

const std::vector<std::string>& discharge_reasons() {
    static const std::vector<std::string> reasons = {
        "step-down", "step-up",  "transfer", "against-advice", "administrative",
        "lost-contact", "incarcerated", "moved", "death", "other"};
    return reasons;
}

const EntryMeta& meta(const Entry& e) {
    return std::visit([](const auto& x) -> const EntryMeta& { return x; }, e);
}
EntryMeta& meta(Entry& e) {
    return std::visit([](auto& x) -> EntryMeta& { return x; }, e);
}

// ---------------------------------------------------------------- plan, fold

void HeaderChange::apply_to(Header& h) const {
    if (name)
        h.name = *name;
    if (born)
        h.born = *born;
    if (clinician)
        h.clinician = *clinician;
    if (diagnosis)
        h.diagnosis = *diagnosis;
    if (insurance)
        h.insurance = *insurance;
}

std::string HeaderChange::keys() const {
    std::string out;
    auto add = [&](bool given, std::string_view key) {
        if (given)
            out.append(out.empty() ? "" : ", ").append(key);
    };
    add(name.has_value(), "name");
    add(born.has_value(), "born");
    add(clinician.has_value(), "clinician");
    add(diagnosis.has_value(), "diagnosis");
    add(insurance.has_value(), "insurance");
    return out;
}

void PlanChange::apply_to(Plan& plan) const {
    if (weeks)
        plan.weeks = *weeks;
    if (groups_per_week)
        plan.groups_per_week = *groups_per_week;
    if (individual_per_week)
        plan.individual_per_week = *individual_per_week;
    if (family_per_week)
        plan.family_per_week = *family_per_week;
}

Plan plan_on(const Record& record, Date day) {
    Plan plan = record.header.plan;
    for (const auto& e : record.journal)
        if (auto ev = std::get_if<Event>(&e))
            if (ev->type == EventType::plan_change && ev->date <= day)
                ev->plan.apply_to(plan);
    return plan;
}

bool is_adolescent(const Header& h) { return h.born && age_on(*h.born, h.enrolled) < 18; }

std::vector<const Screen*> screens_in_effect(const Record& record, std::optional<Date> through) {
    std::vector<const Screen*> screens;
    for (const Entry& e : record.journal)
        if (const auto* s = std::get_if<Screen>(&e); s && (!through || s->date <= *through))
            screens.push_back(s);
    std::stable_sort(screens.begin(), screens.end(),
                     [](const Screen* x, const Screen* y) { return x->date < y->date; });
    // A result replaces the earliest pending screen of its date above it.
    std::vector<bool> replaced(screens.size(), false);
    std::size_t day_start = 0; // first screen of the date of screens[i]
    for (std::size_t i = 0; i < screens.size(); ++i) {
        if (screens[i]->date != screens[day_start]->date)
            day_start = i;
        if (screens[i]->result == ScreenResult::pending)
            continue;
        for (std::size_t j = day_start; j < i; ++j)
            if (!replaced[j] && screens[j]->result == ScreenResult::pending) {
                replaced[j] = true;
                break;
            }
    }
    std::vector<const Screen*> out;
    out.reserve(screens.size());
    for (std::size_t i = 0; i < screens.size(); ++i)
        if (!replaced[i])
            out.push_back(screens[i]);
    return out;
}

const Screen* oldest_pending_screen(const Record& record) {
    for (const Screen* s : screens_in_effect(record))
        if (s->result == ScreenResult::pending)
            return s;
    return nullptr;
}

int treatment_week(Date enrolled, Date day) {
    int d = days_between(enrolled, day);
    return d < 0 ? 0 : d / 7 + 1;
}

bool same_medication(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

State fold(const Record& record, const Program& program, std::optional<Date> through) {
    State s;
    s.plan = record.header.plan;
    for (const auto& e : record.journal) {
        if (through && meta(e).date > *through)
            continue;
        if (auto m = std::get_if<Medication>(&e)) {
            auto it = std::find_if(s.medications.begin(), s.medications.end(),
                                   [&](const MedicationState& ms) {
                                       return ms.active && same_medication(ms.name, m->name);
                                   });
            switch (m->action) {
            case MedAction::start: {
                MedicationState ms;
                ms.name = m->name;
                ms.dose = m->dose;
                ms.started = m->date;
                ms.last_review = m->date;
                ms.review_days = m->review_days.value_or(program.medication_review_days);
                if (it != s.medications.end())
                    *it = ms; // restarted: the new start replaces the old
                else
                    s.medications.push_back(ms);
                break;
            }
            case MedAction::review:
                if (it != s.medications.end()) {
                    it->last_review = std::max(it->last_review, m->date);
                    if (!m->dose.empty())
                        it->dose = m->dose;
                    if (m->review_days)
                        it->review_days = *m->review_days;
                }
                break;
            case MedAction::stop:
                if (it != s.medications.end()) {
                    it->active = false;
                    it->stopped = m->date;
                }
                break;
            }
        } else if (auto ev = std::get_if<Event>(&e)) {
            switch (ev->type) {
            case EventType::plan_change: ev->plan.apply_to(s.plan); break;
            case EventType::plan_review:
                if (!s.last_plan_review || *s.last_plan_review < ev->date)
                    s.last_plan_review = ev->date;
                break;
            case EventType::aftercare:
                if (!ev->sponsor.empty() || !ev->groups.empty())
                    s.has_aftercare = true;
                break;
            case EventType::graduated:
                s.status = Status::graduated;
                s.ended = ev->date;
                break;
            case EventType::discharged:
                s.status = Status::discharged;
                s.ended = ev->date;
                s.discharge_reason = ev->reason;
                break;
            case EventType::note:
            case EventType::void_:
            case EventType::amend:
            case EventType::signature:
            case EventType::placement:
            case EventType::certification:
                break;
            }
        }
    }
    return s;
}

// ---------------------------------------------------------------- load

namespace {

void read_meta(const TableReader& r, EntryMeta& m) {
    m.date = r.require_date("date");
    m.recorded_by = r.text("recorded_by").value_or("");
    m.recorded_at = r.datetime_text("recorded_at").value_or("");
    m.recorded_on = r.local_day("recorded_at");
    m.pos = r.pos();
}

std::optional<int> plan_value(const TableReader& r, std::string_view key) {
    return r.bounded(key, key == "weeks" ? 1 : 0, key == "weeks" ? 520 : max_sessions_per_week);
}

// The valid names are spelled out only for the message: building that list
// for every entry read was a measurable part of `iop check`.
template <typename E, std::size_t N>
E read_enum(const TableReader& r, std::string_view key, std::optional<E> (*parse)(std::string_view),
            const std::string_view (&names)[N]) {
    std::string text = r.require_string(key);
    auto v = parse(text);
    if (!v) {
        const std::vector<std::string> valid = names_of(names);
        // The value itself is not repeated: messages carry no record content
        // (it could be a name typed into the wrong line); the position finds it.
        r.fail(key, fmt::format("'{}' must be one of: {}{}", r.name(key), join(valid),
                                did_you_mean(text, valid)));
    }
    return *v;
}

Session read_session(const TableReader& r) {
    r.reject_unknown({"date", "kind", "topic", "hours", "status", "note", "objectives",
                      "recorded_by", "recorded_at"});
    Session s;
    read_meta(r, s);
    s.kind = read_enum<SessionKind>(r, "kind", parse_session_kind, kind_names);
    s.topic = r.text("topic").value_or("");
    if (s.kind == SessionKind::group && s.topic.empty())
        r.fail_here("a group session needs a 'topic'");
    // A curriculum id, as import and `attend --topic` read it: a topic with a
    // space around it would come back from `export --format csv` trimmed, as
    // another topic.
    if (!s.topic.empty() && !valid_id(s.topic))
        r.fail("topic", fmt::format("'{}' is not a curriculum topic id: 1 to 64 letters, digits, "
                                    "'.', '_' or '-', starting with a letter or digit",
                                    r.name("topic")));
    auto hours = r.number("hours");
    if (!hours)
        r.fail_here("missing 'hours'");
    if (!plausible_hours(*hours))
        r.fail("hours", fmt::format("'hours' is {}, must be {} to {} in steps of 0.01", *hours,
                                    min_session_hours, max_session_hours));
    s.hours = *hours;
    s.status = read_enum<SessionStatus>(r, "status", parse_session_status, status_names);
    s.note = r.text("note", Lines::many).value_or("");
    s.objectives = r.texts("objectives").value_or(std::vector<std::string>{});
    for (const std::string& ref : s.objectives)
        if (!valid_objective_ref(ref))
            r.fail("objectives", fmt::format("'objectives' holds '{}', which is not an objective "
                                             "reference such as G1.2",
                                             ref));
    return s;
}

Screen read_screen(const TableReader& r) {
    r.reject_unknown({"date", "result", "substances", "recorded_by", "recorded_at"});
    Screen s;
    read_meta(r, s);
    s.result = read_enum<ScreenResult>(r, "result", parse_screen_result, result_names);
    s.substances = r.texts("substances").value_or(std::vector<std::string>{});
    return s;
}

Medication read_medication(const TableReader& r) {
    r.reject_unknown({"date", "action", "name", "dose", "review_days", "recorded_by",
                      "recorded_at"});
    Medication m;
    read_meta(r, m);
    m.action = read_enum<MedAction>(r, "action", parse_med_action, action_names);
    m.name = r.require_string("name");
    if (m.name.empty())
        r.fail("name", "medication 'name' is empty");
    r.text("name");
    m.dose = r.text("dose").value_or("");
    m.review_days = r.bounded("review_days", 1, 3650);
    return m;
}

Event read_event(const TableReader& r) {
    Event e;
    std::string type = r.require_string("type");
    auto t = parse_event_type(type);
    if (!t)
        r.fail("type", fmt::format("'type' must be one of: {}{}", join(names_of(event_names)),
                                   did_you_mean(type, names_of(event_names))));
    e.type = *t;
    switch (e.type) {
    case EventType::plan_change: {
        r.reject_unknown({"type", "date", "weeks", "groups_per_week", "individual_per_week",
                          "family_per_week", "plan", "note", "recorded_by", "recorded_at"});
        // The keys may stand flat in the event or in a `plan` sub-table;
        // the same key in both is refused rather than one silently winning.
        auto read_plan = [&](const TableReader& pr) {
            auto take = [&](std::optional<int>& field, std::string_view key) {
                auto v = plan_value(pr, key);
                if (!v)
                    return;
                if (field)
                    pr.fail(key, fmt::format("'{}' is given twice: both in the event and in "
                                             "its plan table",
                                             key));
                field = v;
            };
            take(e.plan.weeks, "weeks");
            take(e.plan.groups_per_week, "groups_per_week");
            take(e.plan.individual_per_week, "individual_per_week");
            take(e.plan.family_per_week, "family_per_week");
        };
        read_plan(r);
        if (const toml::table* p = r.table("plan")) {
            TableReader pr(*p, r.file(), "[[event]].plan");
            pr.reject_unknown({"weeks", "groups_per_week", "individual_per_week",
                               "family_per_week"});
            read_plan(pr);
        }
        if (e.plan.empty())
            r.fail_here("a plan-change event changes nothing: give weeks, groups_per_week, "
                        "individual_per_week or family_per_week");
        e.text = r.text("note", Lines::many).value_or("");
        break;
    }
    case EventType::plan_review:
        r.reject_unknown({"type", "date", "note", "recorded_by", "recorded_at"});
        e.text = r.text("note", Lines::many).value_or("");
        break;
    case EventType::aftercare:
        r.reject_unknown({"type", "date", "sponsor", "groups", "note", "recorded_by",
                          "recorded_at"});
        e.sponsor = r.text("sponsor").value_or("");
        e.groups = r.texts("groups").value_or(std::vector<std::string>{});
        e.text = r.text("note", Lines::many).value_or("");
        break;
    case EventType::graduated:
        r.reject_unknown({"type", "date", "forced", "reason", "note", "recorded_by",
                          "recorded_at"});
        e.forced = r.boolean("forced").value_or(false);
        e.reason = r.text("reason", Lines::many).value_or("");
        e.text = r.text("note", Lines::many).value_or("");
        break;
    case EventType::discharged: {
        r.reject_unknown({"type", "date", "reason", "note", "recorded_by", "recorded_at"});
        e.reason = r.require_string("reason");
        const auto& valid = discharge_reasons();
        if (std::find(valid.begin(), valid.end(), e.reason) == valid.end())
            r.fail("reason", fmt::format("the discharge reason must be one of: {}{}", join(valid),
                                         did_you_mean(e.reason, valid)));
        e.text = r.text("note", Lines::many).value_or("");
        break;
    }
    case EventType::note:
        r.reject_unknown({"type", "date", "text", "recorded_by", "recorded_at"});
        e.text = r.require_string("text");
        if (e.text.empty())
            r.fail("text", "'text' is empty");
        r.text("text", Lines::many);
        break;
    case EventType::amend:
        r.reject_unknown({"type", "date", "name", "born", "clinician", "diagnosis", "insurance",
                          "reason", "recorded_by", "recorded_at"});
        e.amend.name = r.text("name");
        if (e.amend.name && e.amend.name->empty())
            r.fail("name", "'name' is empty");
        e.amend.born = r.date("born");
        e.amend.clinician = r.text("clinician");
        e.amend.diagnosis = r.text("diagnosis", Lines::many);
        e.amend.insurance = r.text("insurance");
        if (e.amend.empty())
            r.fail_here("an amend event changes nothing: give name, born, clinician, diagnosis "
                        "or insurance");
        e.reason = r.require_string("reason");
        if (e.reason.empty())
            r.fail("reason", "'reason' is empty");
        r.text("reason", Lines::many);
        break;
    case EventType::signature: {
        r.reject_unknown({"type", "date", "role", "name", "plan_version", "declined", "reason",
                          "recorded_by", "recorded_at"});
        e.role = read_enum<SignRole>(r, "role", parse_sign_role, sign_role_names);
        e.signer = r.text("name").value_or("");
        auto version = r.bounded("plan_version", 1, 1000000);
        if (!version)
            r.fail_here("a signature needs 'plan_version'");
        e.plan_version = *version;
        e.declined = r.boolean("declined").value_or(false);
        e.reason = r.text("reason", Lines::many).value_or("");
        if (e.declined && e.reason.empty())
            r.fail_here("a declined signature needs a 'reason'");
        break;
    }
    case EventType::placement:
        r.reject_unknown({"type", "date", "reason", "recorded_by", "recorded_at"});
        e.reason = r.require_string("reason");
        if (e.reason.empty())
            r.fail("reason", "'reason' is empty");
        r.text("reason", Lines::many);
        break;
    case EventType::certification:
        r.reject_unknown({"type", "date", "physician", "note", "recorded_by", "recorded_at"});
        e.physician = r.require_string("physician");
        if (e.physician.empty())
            r.fail("physician", "'physician' is empty");
        r.text("physician");
        e.text = r.text("note", Lines::many).value_or("");
        break;
    case EventType::void_:
        r.reject_unknown({"type", "date", "entry", "reason", "recorded_by", "recorded_at"});
        e.entry = r.require_string("entry");
        if (!valid_entry_ref(e.entry))
            r.fail("entry", "'entry' must be an entry reference: 8 lowercase hex digits, then "
                            "optionally -2, -3...");
        e.reason = r.require_string("reason");
        if (e.reason.empty())
            r.fail("reason", "'reason' is empty");
        r.text("reason", Lines::many);
        break;
    }
    read_meta(r, e);
    return e;
}

std::optional<std::string> nonempty_text(const TableReader& r, std::string_view key,
                                        Lines lines = Lines::many) {
    auto v = r.text(key, lines);
    if (v && v->empty())
        r.fail(key, fmt::format("'{}' is empty", key));
    return v;
}

Goal read_goal(const TableReader& r) {
    r.reject_unknown({"ref", "action", "date", "problem", "goal", "words", "dimension", "note",
                      "recorded_by", "recorded_at"});
    Goal g;
    read_meta(r, g);
    g.ref = r.require_string("ref");
    if (!valid_goal_ref(g.ref))
        r.fail("ref", "'ref' must be a goal reference such as G1");
    g.action = read_enum<GoalAction>(r, "action", parse_goal_action, goal_action_names);
    g.problem = nonempty_text(r, "problem");
    g.goal = nonempty_text(r, "goal");
    g.words = nonempty_text(r, "words");
    g.dimension = r.bounded("dimension", 1, 6);
    g.note = nonempty_text(r, "note").value_or("");
    const bool changes = g.problem || g.goal || g.words || g.dimension;
    switch (g.action) {
    case GoalAction::add:
        if (!g.problem || !g.goal)
            r.fail_here("a goal added needs 'problem' and 'goal'");
        break;
    case GoalAction::revise:
        if (!changes)
            r.fail_here("a goal revised changes nothing: give problem, goal, words or dimension");
        break;
    case GoalAction::achieved:
    case GoalAction::dropped:
        if (changes)
            r.fail_here(fmt::format("a goal {} carries no problem, goal, words or dimension: "
                                    "revise it first",
                                    to_string(g.action)));
        break;
    }
    return g;
}

Objective read_objective(const TableReader& r) {
    r.reject_unknown({"ref", "action", "date", "text", "measure", "target", "interventions",
                      "note", "recorded_by", "recorded_at"});
    Objective o;
    read_meta(r, o);
    o.ref = r.require_string("ref");
    if (!valid_objective_ref(o.ref))
        r.fail("ref", "'ref' must be an objective reference such as G1.2");
    o.action =
        read_enum<ObjectiveAction>(r, "action", parse_objective_action, objective_action_names);
    o.text = nonempty_text(r, "text");
    o.measure = nonempty_text(r, "measure");
    o.target = r.date("target");
    o.interventions = r.texts("interventions");
    // An empty list is no list: the CSV layout (an empty cell) cannot tell
    // them apart, and an entry's reference must survive an export.
    if (o.interventions && o.interventions->empty())
        o.interventions.reset();
    if (o.interventions)
        for (const std::string& i : *o.interventions)
            if (i.empty())
                r.fail("interventions", "'interventions' holds an empty text");
    o.note = nonempty_text(r, "note").value_or("");
    if (o.target && *o.target < o.date)
        r.fail("target", fmt::format("'target' {} is before the entry's date {}",
                                     format_date(*o.target), format_date(o.date)));
    const bool changes = o.text || o.measure || o.target || o.interventions;
    switch (o.action) {
    case ObjectiveAction::add:
        if (!o.text || !o.target)
            r.fail_here("an objective added needs 'text' and 'target'");
        break;
    case ObjectiveAction::revise:
        if (!changes)
            r.fail_here("an objective revised changes nothing: give text, measure, target or "
                        "interventions");
        break;
    default:
        if (changes)
            r.fail_here(fmt::format("an objective marked {} carries no text, measure, target or "
                                    "interventions: revise it first",
                                    to_string(o.action)));
        break;
    }
    return o;
}

AsamAssessment read_assessment(const TableReader& r) {
    r.reject_unknown({"kind", "date", "d1", "d2", "d3", "d4", "d5", "d6", "level", "note",
                      "recorded_by", "recorded_at"});
    AsamAssessment a;
    read_meta(r, a);
    if (r.require_string("kind") != "asam")
        r.fail("kind", "'kind' must be: asam");
    static constexpr std::string_view keys[] = {"d1", "d2", "d3", "d4", "d5", "d6"};
    for (std::size_t i = 0; i < 6; ++i) {
        auto v = r.bounded(keys[i], 0, 4);
        if (!v)
            r.fail_here(fmt::format("an ASAM assessment needs '{}' (dimension {} rated 0-4)",
                                    keys[i], i + 1));
        a.ratings[i] = *v;
    }
    if (auto level = r.text("level")) {
        const auto& valid = asam_levels();
        if (std::find(valid.begin(), valid.end(), *level) == valid.end())
            r.fail("level", fmt::format("'level' must be one of: {}", join(valid)));
        a.level = *level;
    }
    a.note = nonempty_text(r, "note").value_or("");
    return a;
}

Authorization read_authorization(const TableReader& r) {
    r.reject_unknown({"date", "payer", "number", "from", "to", "units", "unit", "next_review",
                      "note", "recorded_by", "recorded_at"});
    Authorization a;
    read_meta(r, a);
    a.payer = r.require_string("payer");
    if (a.payer.empty())
        r.fail("payer", "'payer' is empty");
    r.text("payer");
    a.number = r.require_string("number");
    if (a.number.empty())
        r.fail("number", "'number' is empty");
    r.text("number");
    a.from = r.require_date("from");
    a.to = r.require_date("to");
    if (a.to < a.from)
        r.fail("to", fmt::format("'to' {} is before 'from' {}", format_date(a.to),
                                 format_date(a.from)));
    auto units = r.bounded("units", 1, max_authorization_units);
    if (!units)
        r.fail_here("an authorization needs 'units'");
    a.units = *units;
    a.unit = read_enum<AuthUnit>(r, "unit", parse_auth_unit, auth_unit_names);
    a.next_review = r.date("next_review");
    a.note = nonempty_text(r, "note").value_or("");
    return a;
}

// A journal that contradicts itself is invalid, never guessed at.
void check_journal(const Record& rec) {
    // The end of treatment bounds every entry, wherever it stands in the file.
    std::optional<Date> end_date;
    std::string end_name;
    for (const auto& entry : rec.journal) {
        const Event* ev = std::get_if<Event>(&entry);
        if (ev && (ev->type == EventType::graduated || ev->type == EventType::discharged)) {
            end_date = ev->date;
            end_name = std::string(to_string(ev->type));
            break;
        }
    }
    std::optional<Date> ended;
    std::string end_what;
    std::vector<std::string_view> taking; // medications started and not stopped, in file order
    for (const auto& entry : rec.journal) {
        if (const Medication* med = std::get_if<Medication>(&entry)) {
            auto it = std::find_if(taking.begin(), taking.end(), [&](std::string_view name) {
                return same_medication(name, med->name);
            });
            if (med->action == MedAction::start) {
                if (it == taking.end())
                    taking.push_back(med->name);
            } else if (it == taking.end()) {
                // The medication's name stays out of the message (health data).
                throw DataError(rec.file, med->pos,
                                fmt::format("medication {} without a start of that medication "
                                            "above it (or after it was stopped)",
                                            to_string(med->action)));
            } else if (med->action == MedAction::stop) {
                taking.erase(it);
            }
        }
        const EntryMeta& m = meta(entry);
        if (m.date < rec.header.enrolled)
            throw DataError(rec.file, m.pos,
                            fmt::format("entry dated {} is before enrollment ({})",
                                        format_date(m.date), format_date(rec.header.enrolled)));
        const Event* ev = std::get_if<Event>(&entry);
        // Notes and amendments annotate or correct the record at any time.
        bool is_note = ev && (ev->type == EventType::note || ev->type == EventType::amend);
        if (ended && !is_note && ev &&
            (ev->type == EventType::graduated || ev->type == EventType::discharged))
            throw DataError(rec.file, m.pos,
                            fmt::format("second end of treatment: already {} on {}", end_what,
                                        format_date(*ended)));
        if (end_date && !is_note && m.date > *end_date)
            throw DataError(rec.file, m.pos,
                            fmt::format("entry dated {} is after the patient was {} on {}",
                                        format_date(m.date), end_name, format_date(*end_date)));
        if (ev && (ev->type == EventType::graduated || ev->type == EventType::discharged)) {
            ended = ev->date;
            end_what = std::string(to_string(ev->type));
        }
    }
}

bool is_void(const Entry& entry) {
    const Event* ev = std::get_if<Event>(&entry);
    return ev && ev->type == EventType::void_;
}

} // namespace

void set_aside_voided(Record& rec) {
    if (std::none_of(rec.journal.begin(), rec.journal.end(), is_void))
        return;
    const std::vector<std::string> refs = entry_refs(rec.journal);
    std::vector<bool> out(rec.journal.size(), false);
    for (std::size_t i = 0; i < rec.journal.size(); ++i) {
        if (!is_void(rec.journal[i]))
            continue;
        const Event& v = std::get<Event>(rec.journal[i]);
        if (v.date < rec.header.enrolled)
            throw DataError(rec.file, v.pos,
                            fmt::format("entry dated {} is before enrollment ({})",
                                        format_date(v.date), format_date(rec.header.enrolled)));
        auto it = std::find(refs.begin(), refs.begin() + static_cast<std::ptrdiff_t>(i), v.entry);
        if (it == refs.begin() + static_cast<std::ptrdiff_t>(i))
            throw DataError(
                rec.file, v.pos,
                fmt::format("void of entry {}, which is not an entry above it", v.entry));
        const auto target = static_cast<std::size_t>(it - refs.begin());
        if (is_void(rec.journal[target]))
            throw DataError(rec.file, v.pos,
                            fmt::format("void of entry {}, which is a void itself", v.entry));
        if (out[target])
            throw DataError(rec.file, v.pos,
                            fmt::format("entry {} is voided a second time", v.entry));
        out[target] = true;
        out[i] = true;
    }
    std::vector<Entry> live;
    live.reserve(rec.journal.size());
    for (std::size_t i = 0; i < rec.journal.size(); ++i)
        (out[i] ? rec.voided : live).push_back(std::move(rec.journal[i]));
    rec.journal = std::move(live);
}

std::vector<Entry> file_journal(const Record& rec) {
    std::vector<Entry> all;
    all.reserve(rec.journal.size() + rec.voided.size());
    std::merge(rec.journal.begin(), rec.journal.end(), rec.voided.begin(), rec.voided.end(),
               std::back_inserter(all), [](const Entry& a, const Entry& b) {
                   const SourcePos pa = meta(a).pos, pb = meta(b).pos;
                   return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
               });
    return all;
}

std::string canonical_entry(const Entry& entry) {
    return render_entry(entry).substr(1);
}

std::vector<std::string> entry_refs(const std::vector<Entry>& entries) {
    std::vector<std::string> hashes, refs;
    hashes.reserve(entries.size());
    refs.reserve(entries.size());
    for (const Entry& e : entries) {
        const std::string text = canonical_entry(e);
        unsigned char digest[SHA256_DIGEST_LENGTH];
        SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
        std::string hash =
            fmt::format("{:02x}{:02x}{:02x}{:02x}", digest[0], digest[1], digest[2], digest[3]);
        const auto before = std::count(hashes.begin(), hashes.end(), hash);
        refs.push_back(before ? fmt::format("{}-{}", hash, before + 1) : hash);
        hashes.push_back(std::move(hash));
    }
    return refs;
}

std::vector<std::string> entry_refs(const Record& record) {
    return entry_refs(file_journal(record));
}

std::vector<JournalItem> journal_items(const Record& record) {
    std::vector<Entry> all = file_journal(record);
    std::vector<std::string> refs = entry_refs(all);
    std::vector<JournalItem> items;
    items.reserve(all.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        items.push_back({std::move(refs[i]), std::move(all[i]), std::nullopt});
    for (std::size_t i = 0; i < items.size(); ++i)
        if (is_void(items[i].entry))
            for (auto& target : items)
                if (target.ref == std::get<Event>(items[i].entry).entry)
                    target.voided_by = i;
    return items;
}

bool valid_entry_ref(std::string_view t) {
    auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
    if (t.size() < 8 || !std::all_of(t.begin(), t.begin() + 8, hex))
        return false;
    if (t.size() == 8)
        return true;
    std::string_view n = t.substr(9);
    return t[8] == '-' && !n.empty() && n.size() <= 9 && n[0] != '0' &&
           std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }) && n != "1";
}

Record load_record(const toml::table& table, const std::string& file) {
    TableReader root(table, file);
    root.require_schema_version(record_schema_version);
    root.reject_unknown({"schema_version", "id", "name", "born", "enrolled", "clinician",
                         "diagnosis", "insurance", "recorded_by", "recorded_at", "plan",
                         "session", "screen", "medication", "event", "goal", "objective",
                         "assessment", "authorization"});
    Record rec;
    rec.file = file;
    Header& h = rec.header;
    h.id = root.require_string("id");
    if (!valid_id(h.id))
        root.fail("id", "'id' is not a valid patient id: 1 to 64 letters, digits, '.', '_' or "
                        "'-', starting with a letter or digit");
    h.name = root.require_string("name");
    if (h.name.empty())
        root.fail("name", "'name' is empty");
    root.text("name");
    h.born = root.date("born");
    h.enrolled = root.require_date("enrolled");
    if (h.born && *h.born > h.enrolled)
        root.fail("born", "'born' is after 'enrolled'");
    h.clinician = root.text("clinician").value_or("");
    h.diagnosis = root.text("diagnosis", Lines::many).value_or("");
    h.insurance = root.text("insurance").value_or("");
    h.recorded_by = root.text("recorded_by").value_or("");
    h.recorded_at = root.datetime_text("recorded_at").value_or("");
    h.recorded_on = root.local_day("recorded_at");

    const toml::table* plan = root.table("plan");
    if (!plan)
        root.fail_here("missing the [plan] table");
    TableReader pr(*plan, file, "[plan]");
    pr.reject_unknown({"weeks", "groups_per_week", "individual_per_week", "family_per_week"});
    auto need = [&](std::string_view key) {
        auto v = plan_value(pr, key);
        if (!v)
            pr.fail_here(fmt::format("missing '[plan].{}'", key));
        return *v;
    };
    h.plan.weeks = need("weeks");
    h.plan.groups_per_week = need("groups_per_week");
    h.plan.individual_per_week = need("individual_per_week");
    h.plan.family_per_week = need("family_per_week");

    const auto sessions = root.tables("session"), screens = root.tables("screen"),
               medications = root.tables("medication"), events = root.tables("event"),
               goals = root.tables("goal"), objectives = root.tables("objective"),
               assessments = root.tables("assessment"),
               authorizations = root.tables("authorization");
    rec.journal.reserve(sessions.size() + screens.size() + medications.size() + events.size() +
                        goals.size() + objectives.size() + assessments.size() +
                        authorizations.size());
    for (const toml::table* t : sessions)
        rec.journal.emplace_back(read_session(TableReader(*t, file, "[[session]]")));
    for (const toml::table* t : screens)
        rec.journal.emplace_back(read_screen(TableReader(*t, file, "[[screen]]")));
    for (const toml::table* t : medications)
        rec.journal.emplace_back(read_medication(TableReader(*t, file, "[[medication]]")));
    for (const toml::table* t : events)
        rec.journal.emplace_back(read_event(TableReader(*t, file, "[[event]]")));
    for (const toml::table* t : goals)
        rec.journal.emplace_back(read_goal(TableReader(*t, file, "[[goal]]")));
    for (const toml::table* t : objectives)
        rec.journal.emplace_back(read_objective(TableReader(*t, file, "[[objective]]")));
    for (const toml::table* t : assessments)
        rec.journal.emplace_back(read_assessment(TableReader(*t, file, "[[assessment]]")));
    for (const toml::table* t : authorizations)
        rec.journal.emplace_back(read_authorization(TableReader(*t, file, "[[authorization]]")));
    // toml++ groups entries by kind; file order is the order of their headers.
    // Sorting indices and moving each entry once is cheaper than sorting the
    // entries themselves (a variant of several strings).
    std::vector<std::uint32_t> order(rec.journal.size());
    for (std::uint32_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        const SourcePos pa = meta(rec.journal[a]).pos, pb = meta(rec.journal[b]).pos;
        return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
    });
    if (!std::is_sorted(order.begin(), order.end())) {
        std::vector<Entry> in_file_order;
        in_file_order.reserve(order.size());
        for (std::uint32_t i : order)
            in_file_order.push_back(std::move(rec.journal[i]));
        rec.journal = std::move(in_file_order);
    }
    set_aside_voided(rec);
    check_journal(rec);
    check_plan(rec);
    for (const auto& entry : rec.journal) // amendments, in file order
        if (const Event* ev = std::get_if<Event>(&entry); ev && ev->type == EventType::amend) {
            ev->amend.apply_to(h);
            if (h.born && *h.born > h.enrolled)
                throw DataError(rec.file, ev->pos, "'born' is after 'enrolled'");
        }
    return rec;
}

Record parse_record(std::string_view text, const std::string& file) {
    toml::table t = parse_toml(text, file);
    return load_record(t, file);
}

// ---------------------------------------------------------------- render

namespace {

void line(std::string& out, std::string_view key, const std::string& value) {
    out.append(key).append(" = ").append(value).push_back('\n');
}

void optional_string(std::string& out, std::string_view key, const std::string& value) {
    if (!value.empty())
        line(out, key, toml_quote(value));
}

std::string quoted_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i)
        out += (i ? ", " : "") + toml_quote(items[i]);
    return out + "]";
}

void meta_tail(std::string& out, const EntryMeta& m) {
    line(out, "recorded_by", toml_quote(m.recorded_by));
    if (!m.recorded_at.empty())
        line(out, "recorded_at", m.recorded_at);
}

} // namespace

std::string render_header(const Header& h) {
    std::string out;
    line(out, "schema_version", std::to_string(record_schema_version));
    line(out, "id", toml_quote(h.id));
    line(out, "name", toml_quote(h.name));
    if (h.born)
        line(out, "born", format_date(*h.born));
    line(out, "enrolled", format_date(h.enrolled));
    optional_string(out, "clinician", h.clinician);
    optional_string(out, "diagnosis", h.diagnosis);
    optional_string(out, "insurance", h.insurance);
    optional_string(out, "recorded_by", h.recorded_by);
    if (!h.recorded_at.empty())
        line(out, "recorded_at", h.recorded_at);
    out += "\n[plan]\n";
    line(out, "weeks", std::to_string(h.plan.weeks));
    line(out, "groups_per_week", std::to_string(h.plan.groups_per_week));
    line(out, "individual_per_week", std::to_string(h.plan.individual_per_week));
    line(out, "family_per_week", std::to_string(h.plan.family_per_week));
    return out;
}

std::string render_entry(const Entry& entry) {
    std::string out = "\n";
    if (auto s = std::get_if<Session>(&entry)) {
        out += "[[session]]\n";
        line(out, "date", format_date(s->date));
        line(out, "kind", toml_quote(to_string(s->kind)));
        optional_string(out, "topic", s->topic);
        line(out, "hours", format_hours(s->hours));
        line(out, "status", toml_quote(to_string(s->status)));
        optional_string(out, "note", s->note);
        if (!s->objectives.empty())
            line(out, "objectives", quoted_list(s->objectives));
        meta_tail(out, *s);
    } else if (auto sc = std::get_if<Screen>(&entry)) {
        out += "[[screen]]\n";
        line(out, "date", format_date(sc->date));
        line(out, "result", toml_quote(to_string(sc->result)));
        if (!sc->substances.empty())
            line(out, "substances", quoted_list(sc->substances));
        meta_tail(out, *sc);
    } else if (auto m = std::get_if<Medication>(&entry)) {
        out += "[[medication]]\n";
        line(out, "date", format_date(m->date));
        line(out, "action", toml_quote(to_string(m->action)));
        line(out, "name", toml_quote(m->name));
        optional_string(out, "dose", m->dose);
        if (m->review_days)
            line(out, "review_days", std::to_string(*m->review_days));
        meta_tail(out, *m);
    } else if (auto e = std::get_if<Event>(&entry)) {
        out += "[[event]]\n";
        line(out, "type", toml_quote(to_string(e->type)));
        line(out, "date", format_date(e->date));
        switch (e->type) {
        case EventType::plan_change: {
            auto put = [&](std::string_view key, const std::optional<int>& v) {
                if (v)
                    line(out, key, std::to_string(*v));
            };
            put("weeks", e->plan.weeks);
            put("groups_per_week", e->plan.groups_per_week);
            put("individual_per_week", e->plan.individual_per_week);
            put("family_per_week", e->plan.family_per_week);
            optional_string(out, "note", e->text);
            break;
        }
        case EventType::aftercare:
            optional_string(out, "sponsor", e->sponsor);
            if (!e->groups.empty())
                line(out, "groups", quoted_list(e->groups));
            optional_string(out, "note", e->text);
            break;
        case EventType::graduated:
            if (e->forced)
                line(out, "forced", "true");
            optional_string(out, "reason", e->reason);
            optional_string(out, "note", e->text);
            break;
        case EventType::discharged:
            line(out, "reason", toml_quote(e->reason));
            optional_string(out, "note", e->text);
            break;
        case EventType::note: line(out, "text", toml_quote(e->text)); break;
        case EventType::amend:
            if (e->amend.name)
                line(out, "name", toml_quote(*e->amend.name));
            if (e->amend.born)
                line(out, "born", format_date(*e->amend.born));
            if (e->amend.clinician)
                line(out, "clinician", toml_quote(*e->amend.clinician));
            if (e->amend.diagnosis)
                line(out, "diagnosis", toml_quote(*e->amend.diagnosis));
            if (e->amend.insurance)
                line(out, "insurance", toml_quote(*e->amend.insurance));
            line(out, "reason", toml_quote(e->reason));
            break;
        case EventType::void_:
            line(out, "entry", toml_quote(e->entry));
            line(out, "reason", toml_quote(e->reason));
            break;
        case EventType::plan_review: optional_string(out, "note", e->text); break;
        case EventType::signature:
            line(out, "role", toml_quote(to_string(e->role)));
            optional_string(out, "name", e->signer);
            line(out, "plan_version", std::to_string(e->plan_version));
            if (e->declined)
                line(out, "declined", "true");
            optional_string(out, "reason", e->reason);
            break;
        case EventType::placement: line(out, "reason", toml_quote(e->reason)); break;
        case EventType::certification:
            line(out, "physician", toml_quote(e->physician));
            optional_string(out, "note", e->text);
            break;
        }
        meta_tail(out, *e);
    } else if (auto g = std::get_if<Goal>(&entry)) {
        out += "[[goal]]\n";
        line(out, "ref", toml_quote(g->ref));
        line(out, "action", toml_quote(to_string(g->action)));
        line(out, "date", format_date(g->date));
        if (g->problem)
            line(out, "problem", toml_quote(*g->problem));
        if (g->goal)
            line(out, "goal", toml_quote(*g->goal));
        if (g->words)
            line(out, "words", toml_quote(*g->words));
        if (g->dimension)
            line(out, "dimension", std::to_string(*g->dimension));
        optional_string(out, "note", g->note);
        meta_tail(out, *g);
    } else if (auto o = std::get_if<Objective>(&entry)) {
        out += "[[objective]]\n";
        line(out, "ref", toml_quote(o->ref));
        line(out, "action", toml_quote(to_string(o->action)));
        line(out, "date", format_date(o->date));
        if (o->text)
            line(out, "text", toml_quote(*o->text));
        if (o->measure)
            line(out, "measure", toml_quote(*o->measure));
        if (o->target)
            line(out, "target", format_date(*o->target));
        if (o->interventions)
            line(out, "interventions", quoted_list(*o->interventions));
        optional_string(out, "note", o->note);
        meta_tail(out, *o);
    } else if (auto a = std::get_if<AsamAssessment>(&entry)) {
        out += "[[assessment]]\n";
        line(out, "kind", toml_quote("asam"));
        line(out, "date", format_date(a->date));
        for (std::size_t i = 0; i < a->ratings.size(); ++i)
            line(out, fmt::format("d{}", i + 1), std::to_string(a->ratings[i]));
        optional_string(out, "level", a->level);
        optional_string(out, "note", a->note);
        meta_tail(out, *a);
    } else if (auto au = std::get_if<Authorization>(&entry)) {
        out += "[[authorization]]\n";
        line(out, "date", format_date(au->date));
        line(out, "payer", toml_quote(au->payer));
        line(out, "number", toml_quote(au->number));
        line(out, "from", format_date(au->from));
        line(out, "to", format_date(au->to));
        line(out, "units", std::to_string(au->units));
        line(out, "unit", toml_quote(to_string(au->unit)));
        if (au->next_review)
            line(out, "next_review", format_date(*au->next_review));
        optional_string(out, "note", au->note);
        meta_tail(out, *au);
    }
    return out;
}

} // namespace iop
