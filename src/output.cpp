#include "iop/output.hpp"

#include <fmt/format.h>

namespace iop {

using nlohmann::json;

std::string_view to_string(Format f) {
    switch (f) {
    case Format::text: return "text";
    case Format::json: return "json";
    case Format::csv: return "csv";
    case Format::fhir: return "fhir";
    }
    return "text";
}

std::string Style::wrap(std::string_view code, std::string_view s) const {
    if (!enabled_ || s.empty())
        return std::string(s);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, s);
}

json to_json(const Plan& p) {
    return json{{"weeks", p.weeks},
                {"groups_per_week", p.groups_per_week},
                {"individual_per_week", p.individual_per_week},
                {"family_per_week", p.family_per_week}};
}

json to_json(const Header& h) {
    json j = {{"id", h.id}, {"name", h.name}};
    j["born"] = h.born ? json(format_date(*h.born)) : json(nullptr);
    j["enrolled"] = format_date(h.enrolled);
    j["clinician"] = h.clinician;
    j["diagnosis"] = h.diagnosis;
    j["insurance"] = h.insurance;
    j["plan"] = to_json(h.plan);
    return j;
}

namespace {

void put_meta(json& j, const EntryMeta& m) {
    j["recorded_by"] = m.recorded_by;
    j["recorded_at"] = m.recorded_at;
}

} // namespace

json to_json(const Entry& entry) {
    json j;
    if (auto s = std::get_if<Session>(&entry)) {
        j = {{"entry", "session"},          {"date", format_date(s->date)},
             {"kind", to_string(s->kind)},  {"topic", s->topic},
             {"hours", s->hours},           {"status", to_string(s->status)},
             {"note", s->note}};
        put_meta(j, *s);
    } else if (auto sc = std::get_if<Screen>(&entry)) {
        j = {{"entry", "screen"},
             {"date", format_date(sc->date)},
             {"result", to_string(sc->result)},
             {"substances", sc->substances}};
        put_meta(j, *sc);
    } else if (auto m = std::get_if<Medication>(&entry)) {
        j = {{"entry", "medication"},        {"date", format_date(m->date)},
             {"action", to_string(m->action)}, {"name", m->name},
             {"dose", m->dose}};
        j["review_days"] = m->review_days ? json(*m->review_days) : json(nullptr);
        put_meta(j, *m);
    } else if (auto e = std::get_if<Event>(&entry)) {
        j = {{"entry", "event"}, {"type", to_string(e->type)}, {"date", format_date(e->date)}};
        switch (e->type) {
        case EventType::plan_change: {
            json plan = json::object();
            if (e->plan.weeks)
                plan["weeks"] = *e->plan.weeks;
            if (e->plan.groups_per_week)
                plan["groups_per_week"] = *e->plan.groups_per_week;
            if (e->plan.individual_per_week)
                plan["individual_per_week"] = *e->plan.individual_per_week;
            if (e->plan.family_per_week)
                plan["family_per_week"] = *e->plan.family_per_week;
            j["plan"] = plan;
            j["note"] = e->text;
            break;
        }
        case EventType::aftercare:
            j["sponsor"] = e->sponsor;
            j["groups"] = e->groups;
            j["note"] = e->text;
            break;
        case EventType::graduated:
            j["forced"] = e->forced;
            j["reason"] = e->reason;
            j["note"] = e->text;
            break;
        case EventType::discharged:
            j["reason"] = e->reason;
            j["note"] = e->text;
            break;
        case EventType::note: j["text"] = e->text; break;
        case EventType::plan_review: j["note"] = e->text; break;
        }
        put_meta(j, *e);
    }
    return j;
}

json to_json(const Finding& f, const std::string& file) {
    json j = {{"severity", to_string(f.severity)}, {"rule", f.rule}};
    j["week"] = f.week ? json(*f.week) : json(nullptr);
    // record-invalid has no date it arose on: the file is broken today.
    j["arose"] = f.arose.ok() && f.rule != "record-invalid" ? json(format_date(f.arose))
                                                            : json(nullptr);
    j["message"] = f.message;
    j["file"] = file;
    j["line"] = f.pos.line > 0 ? json(f.pos.line) : json(nullptr);
    j["column"] = f.pos.column > 0 ? json(f.pos.column) : json(nullptr);
    return j;
}

json assessment_json(const Record& record, const Assessment& a) {
    const Header& h = record.header;
    json j = {{"id", h.id},
              {"status", to_string(a.status)},
              {"week", a.week},
              {"weeks_planned", a.weeks_planned},
              {"attendance_rate", a.attendance_rate}};
    j["curriculum"] = {{"percent", a.curriculum.percent},
                       {"completed", a.curriculum.completed},
                       {"remaining", a.curriculum.remaining}};
    j["graduation"] = {{"eligible", a.eligible}, {"unmet", a.unmet()}};
    json findings = json::array();
    for (const auto& f : a.findings)
        findings.push_back(to_json(f, record.file));
    j["findings"] = findings;

    // Details beyond the SPEC's shape, for show and for scripts.
    j["name"] = h.name;
    j["enrolled"] = format_date(h.enrolled);
    j["planned_end"] = format_date(a.planned_end);
    j["ended"] = a.ended ? json(format_date(*a.ended)) : json(nullptr);
    j["adolescent"] = is_adolescent(h);
    j["plan"] = to_json(a.plan);
    j["complete_weeks"] = a.complete_weeks;
    json criteria = json::array();
    for (const auto& c : a.criteria)
        criteria.push_back({{"id", c.id}, {"met", c.met}, {"detail", c.detail}});
    j["graduation"]["criteria"] = criteria;
    json topics = json::array();
    for (const auto& t : a.curriculum.topics)
        topics.push_back(
            {{"id", t.id}, {"attended", t.attended}, {"needed", t.needed}, {"core", t.core}});
    j["curriculum"]["topics"] = topics;
    json weeks = json::array();
    for (const auto& w : a.weeks)
        weeks.push_back({{"week", w.week},
                         {"first", format_date(w.first)},
                         {"last", format_date(w.last)},
                         {"complete", w.complete},
                         {"plan", to_json(w.plan)},
                         {"groups", w.groups},
                         {"individual", w.individual},
                         {"family", w.family},
                         {"screens", w.screens},
                         {"absent", w.absent},
                         {"excused", w.excused},
                         {"hours", w.hours}});
    j["weeks"] = weeks;
    json meds = json::array();
    for (const auto& m : a.medications) {
        json mj = {{"name", m.name},
                   {"dose", m.dose},
                   {"started", format_date(m.started)},
                   {"last_review", format_date(m.last_review)},
                   {"review_days", m.review_days},
                   {"active", m.active}};
        mj["next_review"] = m.active ? json(format_date(add_days(m.last_review, m.review_days)))
                                     : json(nullptr);
        mj["stopped"] = m.stopped ? json(format_date(*m.stopped)) : json(nullptr);
        meds.push_back(mj);
    }
    j["medications"] = meds;
    return j;
}

json invalid_record_json(const std::string& id, const DataError& error) {
    Finding f;
    f.severity = Severity::error;
    f.rule = "record-invalid";
    f.message = error.detail();
    f.pos = error.pos();
    json j = {{"id", id},
              {"status", nullptr},
              {"week", nullptr},
              {"weeks_planned", nullptr},
              {"attendance_rate", nullptr},
              {"curriculum", nullptr},
              {"graduation", nullptr}};
    j["findings"] = json::array({to_json(f, error.file())});
    return j;
}

std::string finding_line(const std::string& file, const Finding& f, const Style& style) {
    std::string severity(to_string(f.severity));
    return fmt::format("{}: {}: {} [{}]", format_location(file, f.pos),
                       f.severity == Severity::error ? style.red(severity) : style.yellow(severity),
                       escaped(f.message, Lines::many), f.rule);
}

void write_json(std::ostream& out, const json& value) {
    out << value.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
}

std::string csv_row(const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i)
            out += ',';
        out += csv_cell(cells[i]);
    }
    return out + "\n";
}

std::size_t display_width(std::string_view s) {
    std::size_t w = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80)
            ++w;
    return w;
}

std::string pad(std::string_view s, std::size_t width) {
    std::string out(s);
    for (std::size_t w = display_width(s); w < width; ++w)
        out += ' ';
    return out;
}

} // namespace iop
