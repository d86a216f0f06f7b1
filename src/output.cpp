#include "iop/output.hpp"

#include <fmt/format.h>

namespace iop {

using nlohmann::json;

std::string_view to_string(Format f) {
    switch (f) {
    case Format::text: return "text";
    case Format::json: return "json";
    case Format::csv: return "csv";
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

void write_json(std::ostream& out, const json& value) {
    out << value.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
}

std::string csv_cell(std::string_view cell) {
    std::string value;
    if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                          cell[0] == '\t' || cell[0] == '\r'))
        value = "'";
    value += cell;
    bool quote = value.find_first_of(",\"\r\n") != std::string::npos;
    if (!quote)
        return value;
    std::string out = "\"";
    for (char c : value) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
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
