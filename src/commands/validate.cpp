#include "commands/validate.hpp"

#include "commands/common.hpp"
#include "iop/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>

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
    h.enrolled = in.enrolled ? parse_date_option(name("enrolled"), *in.enrolled) : today;
    if (in.born) {
        h.born = parse_date_option(name("born"), *in.born);
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
    s.result = *parse_screen_result(
        require_choice(value_name(naming, "result"), in.result, {"negative", "positive"}));
    std::string substance = naming == Naming::option ? "--substance" : "substances";
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

Date entry_date(const Record& record, Date today, const std::optional<std::string>& date,
                Naming naming) {
    std::string name = value_name(naming, "date");
    Date d = date ? parse_date_option(name, *date) : today;
    if (d < record.header.enrolled)
        throw UsageError(fmt::format("{} {} is before {} was enrolled ({})", name, format_date(d),
                                     record.header.id, format_date(record.header.enrolled)));
    if (d > today)
        throw UsageError(fmt::format("{} {} is after today ({}); entries record what "
                                     "happened, not plans",
                                     name, format_date(d), format_date(today)));
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
    const auto& e = std::get<Event>(a);
    const auto& f = std::get<Event>(b);
    return e.type == f.type && e.plan.weeks == f.plan.weeks &&
           e.plan.groups_per_week == f.plan.groups_per_week &&
           e.plan.individual_per_week == f.plan.individual_per_week &&
           e.plan.family_per_week == f.plan.family_per_week && e.sponsor == f.sponsor &&
           e.groups == f.groups && e.reason == f.reason && e.forced == f.forced && e.text == f.text;
}

} // namespace iop
