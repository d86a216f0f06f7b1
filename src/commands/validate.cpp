#include "commands/validate.hpp"

#include "commands/common.hpp"
#include "iop/journal_csv.hpp"
#include "iop/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace iop {

std::string value_name(Naming naming, std::string_view key) {
    if (naming == Naming::column)
        return std::string(key);
    if (key == "enrolled")
        return "--start";
    std::string option = "--" + std::string(key);
    std::replace(option.begin(), option.end(), '_', '-');
    return option;
}

double parse_hours(std::string_view name, std::string_view text) {
    auto hours = parse_plain_decimal(text, 2);
    if (!hours)
        throw UsageError(fmt::format("{} '{}' is not a number of hours like 1.5 (at most two "
                                     "decimal places)",
                                     name, excerpt(text)));
    if (!plausible_hours(*hours))
        throw UsageError(fmt::format("{} {} is out of range: a session lasts {} to {} hours", name,
                                     text, min_session_hours, max_session_hours));
    return *hours;
}

// ---------------------------------------------------------------- patients

Header patient_header(const PatientInput& in, Date today, Naming naming) {
    auto name = [&](std::string_view key) { return value_name(naming, key); };
    require_valid_id(in.id);
    Header h;
    h.id = in.id;
    h.name = require_text(name("name"), in.name);
    if (h.name.empty())
        throw UsageError(fmt::format("{} is empty", name("name")));
    // Options also take today, yesterday and weekday names; CSV cells do not.
    auto date = [&](std::string_view key, const std::string& value) {
        return naming == Naming::option ? parse_date_option(name(key), value, today)
                                        : parse_date_option(name(key), value);
    };
    h.enrolled = in.enrolled ? date("enrolled", *in.enrolled) : today;
    if (in.born) {
        h.born = date("born", *in.born);
        if (*h.born > h.enrolled)
            throw UsageError(fmt::format("{} {} is after the start of treatment ({})", name("born"),
                                         *in.born, format_date(h.enrolled)));
    }
    h.clinician = require_text(name("clinician"), in.clinician);
    h.diagnosis = require_text(name("diagnosis"), in.diagnosis, Lines::many);
    h.insurance = require_text(name("insurance"), in.insurance);
    return h;
}

Plan patient_plan(const PatientInput& in, const Program& p, Naming naming) {
    Plan plan;
    plan.weeks = plan_bound(p, "weeks", in.weeks.value_or(p.weeks.default_value), naming);
    plan.groups_per_week = plan_bound(
        p, "groups_per_week", in.groups_per_week.value_or(p.groups_per_week.default_value), naming);
    plan.individual_per_week = plan_bound(
        p, "individual_per_week", in.individual_per_week.value_or(p.individual_per_week), naming);
    plan.family_per_week =
        plan_bound(p, "family_per_week", in.family_per_week.value_or(p.family_per_week), naming);
    return plan;
}

bool same_header(const Header& a, const Header& b) {
    return a.id == b.id && a.name == b.name && a.born == b.born && a.enrolled == b.enrolled &&
           a.clinician == b.clinician && a.diagnosis == b.diagnosis && a.insurance == b.insurance &&
           a.plan.weeks == b.plan.weeks && a.plan.groups_per_week == b.plan.groups_per_week &&
           a.plan.individual_per_week == b.plan.individual_per_week &&
           a.plan.family_per_week == b.plan.family_per_week;
}

// ---------------------------------------------------------------- sessions

Session session_fields(const SessionInput& in, Naming naming) {
    Session s;
    s.kind = *parse_session_kind(
        require_choice(value_name(naming, "kind"), in.kind, {"group", "individual", "family"}));
    s.status = in.status;
    s.note = require_text(value_name(naming, "note"), in.note, Lines::many);
    if (in.hours)
        s.hours = parse_hours(value_name(naming, "hours"), *in.hours);
    return s;
}

namespace {

double default_hours(const Program& p, SessionKind kind) {
    switch (kind) {
    case SessionKind::group:
        return p.group_hours;
    case SessionKind::individual:
        return p.individual_hours;
    case SessionKind::family:
        return p.family_hours;
    }
    return p.group_hours;
}

} // namespace

void session_program(Session& s, const SessionInput& in, const Program& program, Naming naming) {
    if (in.topic) {
        if (!program.find_topic(*in.topic))
            throw UsageError(fmt::format(
                "unknown topic '{}'{}; topics in program.toml: {}", excerpt(*in.topic),
                did_you_mean(*in.topic, program.topic_ids()), join(program.topic_ids())));
        s.topic = *in.topic;
    } else if (s.kind == SessionKind::group) {
        throw UsageError(fmt::format("a group session needs {}; topics in program.toml: {}",
                                     naming == Naming::option ? "--topic" : "a topic",
                                     join(program.topic_ids())));
    }
    if (!in.hours)
        s.hours = default_hours(program, s.kind);
}

const Session* identical_session(const Record& record, const Session& s) {
    for (const auto& e : record.journal) {
        auto prev = std::get_if<Session>(&e);
        if (prev && prev->date == s.date && prev->kind == s.kind && prev->topic == s.topic &&
            prev->status == s.status)
            return prev;
    }
    return nullptr;
}

// ---------------------------------------------------------------- screens

Screen screen_fields(const ScreenInput& in, Naming naming) {
    Screen s;
    s.result = *parse_screen_result(require_choice(value_name(naming, "result"), in.result,
                                                   {"negative", "positive", "pending"}));
    std::string substance = naming == Naming::option ? "--substance" : "substances";
    // Substances are what a screen found (SPEC section 11).
    if (s.result != ScreenResult::positive && !in.substances.empty())
        throw UsageError(fmt::format("{} names a substance found; a {} screen found none",
                                     substance, to_string(s.result)));
    for (const auto& sub : in.substances)
        s.substances.push_back(require_item(substance, sub));
    return s;
}

// ---------------------------------------------------------------- any entry

void require_active(const Record& rec, const Program& program) {
    State state = fold(rec, program);
    if (state.status != Status::active)
        throw Refused(fmt::format("patient '{}' was {} on {}; no further entries are accepted",
                                  rec.header.id, to_string(state.status),
                                  format_date(*state.ended)));
}

void require_accepts(const Record& rec, const Program& program, const Entry& entry) {
    const auto* event = std::get_if<Event>(&entry);
    // A note annotates the record, a void or an amendment corrects it, at
    // any time (SPEC section 11).
    if (event && (event->type == EventType::note || event->type == EventType::void_ ||
                  event->type == EventType::amend))
        return;
    State state = fold(rec, program);
    if (state.status == Status::active)
        return;
    const bool ends =
        event && (event->type == EventType::graduated || event->type == EventType::discharged);
    // A late entry, dated on or before the end of treatment, is accepted.
    if (!ends && meta(entry).date <= *state.ended)
        return;
    if (ends)
        require_active(rec, program);
    throw Refused(fmt::format("patient '{}' was {} on {}; an entry dated {} is after it (only "
                              "entries dated on or before {} are accepted)",
                              rec.header.id, to_string(state.status), format_date(*state.ended),
                              format_date(meta(entry).date), format_date(*state.ended)));
}

Date entry_day(Date today, const std::optional<std::string>& date, Naming naming) {
    std::string name = value_name(naming, "date");
    Date d = !date                      ? today
             : naming == Naming::option ? parse_date_option(name, *date, today)
                                        : parse_date_option(name, *date);
    if (d > today)
        throw UsageError(fmt::format("{} {} is after today ({}); entries record what "
                                     "happened, not plans",
                                     name, format_date(d), format_date(today)));
    return d;
}

Date entry_date(const Record& record, Date today, const std::optional<std::string>& date,
                Naming naming) {
    Date d = entry_day(today, date, naming);
    if (d < record.header.enrolled)
        throw UsageError(fmt::format("{} {} is before {} was enrolled ({})",
                                     value_name(naming, "date"), format_date(d), record.header.id,
                                     format_date(record.header.enrolled)));
    return d;
}

void require_no_later_entries(const Record& record, Date day, Naming naming) {
    std::optional<Date> latest;
    for (const auto& entry : record.journal)
        if (!latest || meta(entry).date > *latest)
            latest = meta(entry).date;
    if (latest && *latest > day)
        throw UsageError(fmt::format("{} {} is before the latest entry recorded for {} ({}); "
                                     "treatment cannot end before it",
                                     value_name(naming, "date"), format_date(day), record.header.id,
                                     format_date(*latest)));
}

bool same_entry(const Entry& a, const Entry& b) {
    if (a.index() != b.index() || meta(a).date != meta(b).date)
        return false;
    if (auto s = std::get_if<Session>(&a)) {
        const auto& t = std::get<Session>(b);
        return s->kind == t.kind && s->topic == t.topic && s->status == t.status;
    }
    if (auto s = std::get_if<Screen>(&a)) {
        const auto& t = std::get<Screen>(b);
        return s->result == t.result && s->substances == t.substances;
    }
    if (auto m = std::get_if<Medication>(&a)) {
        const auto& n = std::get<Medication>(b);
        return m->action == n.action && m->name == n.name && m->dose == n.dose &&
               m->review_days == n.review_days;
    }
    if (auto g = std::get_if<Goal>(&a)) {
        const auto& h = std::get<Goal>(b);
        return g->ref == h.ref && g->action == h.action && g->problem == h.problem &&
               g->goal == h.goal && g->words == h.words && g->dimension == h.dimension &&
               g->note == h.note;
    }
    if (auto o = std::get_if<Objective>(&a)) {
        const auto& p = std::get<Objective>(b);
        return o->ref == p.ref && o->action == p.action && o->text == p.text &&
               o->measure == p.measure && o->target == p.target &&
               o->interventions == p.interventions && o->note == p.note;
    }
    if (auto x = std::get_if<AsamAssessment>(&a)) {
        const auto& y = std::get<AsamAssessment>(b);
        return x->ratings == y.ratings && x->level == y.level && x->note == y.note;
    }
    if (auto x = std::get_if<Authorization>(&a)) {
        const auto& y = std::get<Authorization>(b);
        return x->payer == y.payer && x->number == y.number && x->from == y.from &&
               x->to == y.to && x->units == y.units && x->unit == y.unit &&
               x->next_review == y.next_review && x->note == y.note;
    }
    const auto& e = std::get<Event>(a);
    const auto& f = std::get<Event>(b);
    return e.type == f.type && e.plan.weeks == f.plan.weeks &&
           e.plan.groups_per_week == f.plan.groups_per_week &&
           e.plan.individual_per_week == f.plan.individual_per_week &&
           e.plan.family_per_week == f.plan.family_per_week && e.sponsor == f.sponsor &&
           e.groups == f.groups && e.reason == f.reason && e.forced == f.forced &&
           e.text == f.text && e.role == f.role && e.signer == f.signer &&
           e.plan_version == f.plan_version && e.declined == f.declined &&
           e.physician == f.physician && e.entry == f.entry && e.amend.name == f.amend.name &&
           e.amend.born == f.amend.born && e.amend.clinician == f.amend.clinician &&
           e.amend.diagnosis == f.amend.diagnosis && e.amend.insurance == f.amend.insurance;
}

// ---------------------------------------------------------------- CSV rows

using C = Column;

PatientInput patient_input(const RowReader& r) {
    PatientInput in;
    in.id = r.value(C::id);
    in.name = r.text(C::name);
    in.enrolled = r.required(C::enrolled);
    in.born = r.optional(C::born);
    in.clinician = r.text(C::clinician);
    in.diagnosis = r.text(C::diagnosis);
    in.insurance = r.text(C::insurance);
    in.weeks = r.integer(C::weeks);
    in.groups_per_week = r.integer(C::groups_per_week);
    in.individual_per_week = r.integer(C::individual_per_week);
    in.family_per_week = r.integer(C::family_per_week);
    return in;
}

SessionStatus session_status_cell(const std::string& cell) {
    std::string key;
    for (unsigned char c : cell)
        if (c != ' ' && c != '_' && c != '-')
            key += static_cast<char>(std::tolower(c));
    if (key == "attended" || key == "present")
        return SessionStatus::attended;
    if (key == "absent" || key == "noshow")
        return SessionStatus::absent;
    if (key == "excused" || key == "excusedabsence")
        return SessionStatus::excused;
    throw UsageError(fmt::format("status '{}' is not valid{}; valid values: attended, absent, "
                                 "excused (also present, no show, excused absence)",
                                 excerpt(cell),
                                 did_you_mean(cell, {"attended", "absent", "excused"})));
}

void require_same_name(const RowReader& r, const Header& header) {
    std::string name = r.value(C::name);
    if (!name.empty() && name != trim(header.name))
        throw Refused(fmt::format("name '{}' is not the name of {} ('{}'); check the id",
                                  excerpt(name), header.id, excerpt(header.name)));
}

namespace {

// A session's `objectives` cell: objective references such as G1.2.
std::vector<std::string> objective_refs(const RowReader& r) {
    std::vector<std::string> refs = split_list(r.text(C::objectives));
    for (const auto& ref : refs)
        if (!valid_objective_ref(ref))
            throw UsageError(fmt::format("objectives holds '{}', which is not an objective "
                                         "reference such as G1.2",
                                         excerpt(ref)));
    return refs;
}

// A plan text (SPEC section 12): absent when the cell is empty; may span lines.
std::optional<std::string> plan_text(const RowReader& r, Column c) {
    std::string v = require_text(column_name(c), r.text(c), Lines::many);
    return v.empty() ? std::nullopt : std::optional<std::string>(v);
}

// A goal row, checked as a [[goal]] entry is on load (record.cpp read_goal).
Goal goal_fields(const RowReader& r) {
    Goal g;
    g.ref = r.required(C::ref);
    if (!valid_goal_ref(g.ref))
        throw UsageError(
            fmt::format("ref '{}' is not a goal reference such as G1", excerpt(g.ref)));
    g.action = *parse_goal_action(require_choice("action", r.required(C::action), goal_actions()));
    g.problem = plan_text(r, C::problem);
    g.goal = plan_text(r, C::goal);
    g.words = plan_text(r, C::words);
    g.dimension = r.integer(C::dimension);
    if (g.dimension && (*g.dimension < 1 || *g.dimension > 6))
        throw UsageError(fmt::format("dimension {} is out of range 1..6", *g.dimension));
    g.note = plan_text(r, C::note).value_or("");
    const bool changes = g.problem || g.goal || g.words || g.dimension;
    switch (g.action) {
    case GoalAction::add:
        if (!g.problem || !g.goal)
            throw UsageError("a goal added needs a problem and a goal");
        break;
    case GoalAction::revise:
        if (!changes)
            throw UsageError("a goal revised changes nothing: give problem, goal, words or "
                             "dimension");
        break;
    case GoalAction::achieved:
    case GoalAction::dropped:
        if (changes)
            throw UsageError(fmt::format("a goal {} carries no problem, goal, words or "
                                         "dimension: revise it first",
                                         to_string(g.action)));
        break;
    }
    return g;
}

// An objective row, checked as an [[objective]] entry is on load
// (record.cpp read_objective).
Objective objective_fields(const RowReader& r) {
    Objective o;
    o.ref = r.required(C::ref);
    if (!valid_objective_ref(o.ref))
        throw UsageError(
            fmt::format("ref '{}' is not an objective reference such as G1.2", excerpt(o.ref)));
    o.action = *parse_objective_action(
        require_choice("action", r.required(C::action), objective_actions()));
    o.text = plan_text(r, C::text);
    o.measure = plan_text(r, C::measure);
    if (auto target = r.optional(C::target))
        o.target = parse_date_option("target", *target);
    std::vector<std::string> interventions = split_list(r.text(C::interventions));
    for (const auto& i : interventions)
        require_item("interventions", i);
    if (!interventions.empty())
        o.interventions = std::move(interventions);
    o.note = plan_text(r, C::note).value_or("");
    if (o.target) {
        Date date = parse_date_option("date", r.required(C::date));
        if (*o.target < date)
            throw UsageError(fmt::format("target {} is before the objective's date {}",
                                         format_date(*o.target), format_date(date)));
    }
    const bool changes = o.text || o.measure || o.target || o.interventions;
    switch (o.action) {
    case ObjectiveAction::add:
        if (!o.text || !o.target)
            throw UsageError("an objective added needs a text and a target");
        break;
    case ObjectiveAction::revise:
        if (!changes)
            throw UsageError("an objective revised changes nothing: give text, measure, target "
                             "or interventions");
        break;
    default:
        if (changes)
            throw UsageError(fmt::format("an objective marked {} carries no text, measure, "
                                         "target or interventions: revise it first",
                                         to_string(o.action)));
        break;
    }
    return o;
}

// SPEC section 13: the six ratings (0-4) and a level of asam_levels().
AsamAssessment assessment_fields(const RowReader& r) {
    AsamAssessment a;
    for (std::size_t i = 0; i < a.ratings.size(); ++i) {
        const auto c = static_cast<Column>(static_cast<std::size_t>(C::d1) + i);
        r.required(c);
        const int v = *r.integer(c);
        if (v < 0 || v > 4)
            throw UsageError(fmt::format("{} {} is out of range 0..4", column_name(c), v));
        a.ratings[i] = v;
    }
    if (auto level = r.optional(C::level))
        a.level = require_choice("level", *level, asam_levels());
    a.note = require_text("note", r.text(C::note), Lines::many);
    return a;
}

// SPEC section 13: payer, number, from..to, units 1..max_authorization_units
// of a unit (session by default), an optional next review.
Authorization authorization_fields(const RowReader& r) {
    Authorization a;
    r.required(C::payer);
    a.payer = require_text("payer", r.text(C::payer));
    r.required(C::number);
    a.number = require_text("number", r.text(C::number));
    a.from = parse_date_option("from", r.required(C::from));
    a.to = parse_date_option("to", r.required(C::to));
    if (a.to < a.from)
        throw UsageError(
            fmt::format("to {} is before from {}", format_date(a.to), format_date(a.from)));
    r.required(C::units);
    const int units = *r.integer(C::units);
    if (units < 1 || units > max_authorization_units)
        throw UsageError(
            fmt::format("units {} is out of range 1..{}", units, max_authorization_units));
    a.units = units;
    if (auto unit = r.optional(C::unit))
        a.unit = *parse_auth_unit(require_choice("unit", *unit, auth_units()));
    if (auto review = r.optional(C::next_review))
        a.next_review = parse_date_option("next_review", *review);
    a.note = require_text("note", r.text(C::note), Lines::many);
    return a;
}

} // namespace

std::pair<Entry, std::optional<EventType>> entry_fields(const RowReader& r, RowKind kind,
                                                        const Program& program) {
    Entry entry;
    std::optional<EventType> event_type;
    switch (kind) {
    case RowKind::session: {
        SessionInput in;
        in.kind = r.required(C::kind);
        in.topic = r.optional(C::topic);
        in.hours = r.optional(C::hours);
        if (auto st = r.optional(C::status))
            in.status = session_status_cell(*st);
        else if (r.has(C::name) && r.header().layout == Layout::sessions)
            throw UsageError("no status marked: write attended, absent or excused");
        in.note = r.text(C::note);
        Session s = session_fields(in, Naming::column);
        session_program(s, in, program, Naming::column);
        s.objectives = objective_refs(r);
        entry = s;
        break;
    }
    case RowKind::screen: {
        ScreenInput in{r.required(C::result), split_list(r.text(C::substances))};
        entry = screen_fields(in, Naming::column);
        break;
    }
    case RowKind::medication: {
        Medication m;
        m.action = *parse_med_action(
            require_choice("action", r.required(C::action), {"start", "review", "stop"}));
        r.required(C::medication); // not empty; the name is kept as written
        m.name = require_text("medication", r.text(C::medication));
        m.dose = require_text("dose", r.text(C::dose));
        m.review_days = r.integer(C::review_days);
        if (m.review_days && (*m.review_days < 1 || *m.review_days > 3650))
            throw UsageError(fmt::format("review_days {} is out of range 1..3650", *m.review_days));
        entry = m;
        break;
    }
    case RowKind::event: {
        std::vector<std::string> types;
        for (auto t : {EventType::plan_change, EventType::plan_review, EventType::aftercare,
                       EventType::graduated, EventType::discharged, EventType::note,
                       EventType::void_, EventType::amend, EventType::signature,
                       EventType::placement, EventType::certification})
            types.emplace_back(to_string(t));
        Event e;
        e.type = *parse_event_type(require_choice("type", r.required(C::type), types));
        event_type = e.type;
        e.text = require_text("note", r.text(C::note), Lines::many);
        switch (e.type) {
        case EventType::plan_change: {
            auto bound = [&](Column c) -> std::optional<int> {
                auto v = r.integer(c);
                if (v)
                    plan_bound(program, column_name(c), *v, Naming::column);
                return v;
            };
            e.plan.weeks = bound(C::weeks);
            e.plan.groups_per_week = bound(C::groups_per_week);
            e.plan.individual_per_week = bound(C::individual_per_week);
            e.plan.family_per_week = bound(C::family_per_week);
            if (e.plan.empty())
                throw UsageError("a plan-change event needs weeks, groups_per_week, "
                                 "individual_per_week or family_per_week");
            break;
        }
        case EventType::aftercare:
            e.sponsor = require_text("sponsor", r.text(C::sponsor));
            for (const auto& g : split_list(r.text(C::groups)))
                e.groups.push_back(require_item("groups", g));
            if (trim(e.sponsor).empty() && e.groups.empty())
                throw UsageError("an aftercare event needs a sponsor or groups");
            break;
        case EventType::graduated: {
            std::string forced = r.value(C::forced);
            if (!forced.empty())
                e.forced = require_choice("forced", forced, {"true", "false"}) == "true";
            e.reason = require_text("reason", r.text(C::reason), Lines::many);
            if (e.forced && trim(e.reason).empty())
                throw UsageError("a forced graduation needs a reason");
            break;
        }
        case EventType::discharged:
            e.reason = require_choice("reason", r.value(C::reason), discharge_reasons());
            break;
        case EventType::note:
            if (trim(e.text).empty())
                throw UsageError("a note event needs a note");
            break;
        case EventType::plan_review:
            break;
        case EventType::placement:
            e.reason = require_text("reason", r.text(C::reason), Lines::many);
            if (trim(e.reason).empty())
                throw UsageError("a placement event needs a reason");
            break;
        case EventType::certification:
            e.physician = require_text("physician", r.text(C::physician));
            if (trim(e.physician).empty())
                throw UsageError("a certification event needs a physician");
            break;
        case EventType::amend: {
            auto given = [&](Column c, Lines lines = Lines::one) -> std::optional<std::string> {
                std::string v = require_text(column_name(c), r.text(c), lines);
                return v.empty() ? std::nullopt : std::optional<std::string>(v);
            };
            e.amend.name = given(C::name);
            if (auto born = given(C::born))
                e.amend.born = parse_date_option("born", *born);
            e.amend.clinician = given(C::clinician);
            e.amend.diagnosis = given(C::diagnosis, Lines::many);
            e.amend.insurance = given(C::insurance);
            if (e.amend.empty())
                throw UsageError("an amend event needs name, born, clinician, diagnosis or "
                                 "insurance");
            e.reason = require_text("reason", r.text(C::reason), Lines::many);
            if (trim(e.reason).empty())
                throw UsageError("an amend event needs a reason");
            break;
        }
        case EventType::void_:
            e.entry = r.required(C::entry);
            if (!valid_entry_ref(e.entry))
                throw UsageError("entry must be an entry reference: 8 lowercase hex digits, then "
                                 "optionally -2, -3...");
            e.reason = require_text("reason", r.text(C::reason), Lines::many);
            if (trim(e.reason).empty())
                throw UsageError("a void event needs a reason");
            break;
        case EventType::signature: {
            e.role = *parse_sign_role(require_choice("role", r.required(C::role), sign_roles()));
            e.signer = require_text("name", r.text(C::name));
            // Empty: the version the signature stands at (import sets it).
            if (auto version = r.integer(C::plan_version)) {
                if (*version < 1 || *version > 1000000)
                    throw UsageError(
                        fmt::format("plan_version {} is out of range 1..1000000", *version));
                e.plan_version = *version;
            }
            std::string declined = r.value(C::declined);
            if (!declined.empty())
                e.declined = require_choice("declined", declined, {"true", "false"}) == "true";
            e.reason = require_text("reason", r.text(C::reason), Lines::many);
            if (e.declined && trim(e.reason).empty())
                throw UsageError("a declined signature needs a reason");
            break;
        }
        }
        entry = e;
        break;
    }
    case RowKind::goal:
        entry = goal_fields(r);
        break;
    case RowKind::objective:
        entry = objective_fields(r);
        break;
    case RowKind::assessment:
        entry = assessment_fields(r);
        break;
    case RowKind::authorization:
        entry = authorization_fields(r);
        break;
    case RowKind::patient:
        break;
    }

    return {std::move(entry), event_type};
}

std::string row_recorded_by(const RowReader& r, const std::string& otherwise) {
    std::string by = r.text(C::recorded_by);
    if (!trim(by).empty())
        return require_text("recorded_by", by);
    return otherwise;
}

std::string row_recorded_at(const RowReader& r, const std::string& otherwise) {
    auto v = r.optional(C::recorded_at);
    if (!v)
        return otherwise;
    if (!valid_recorded_at(*v))
        throw UsageError(fmt::format("recorded_at '{}' is not a date-time like "
                                     "2026-11-03T17:02:11Z or 2026-11-03T19:02:11+02:00 between "
                                     "{} and {}",
                                     excerpt(*v), format_date(min_date), format_date(max_date)));
    return *v;
}

} // namespace iop
