#include "iop/output.hpp"

#include "iop/authorization.hpp"

#include <fmt/format.h>

namespace iop {

std::string_view to_string(Format f) {
    switch (f) {
    case Format::text: return "text";
    case Format::json: return "json";
    case Format::csv: return "csv";
    case Format::fhir: return "fhir";
    case Format::html: return "html";
    }
    return "text";
}

std::string Style::wrap(std::string_view code, std::string_view s) const {
    if (!enabled_ || s.empty())
        return std::string(s);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, s);
}

std::size_t display_width(std::string_view s) {
    std::size_t w = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80)
            ++w;
    return w;
}

std::string cut_to(const std::string& text, std::size_t width) {
    if (display_width(text) <= width)
        return text;
    std::size_t chars = 0, i = 0;
    for (; i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++chars > width - 3)
            break;
    return text.substr(0, i) + "...";
}

std::string pad(std::string_view s, std::size_t width) {
    std::string out(s);
    for (std::size_t w = display_width(s); w < width; ++w)
        out += ' ';
    return out;
}

std::string plan_status_text(std::string_view status, bool open,
                             const std::optional<Date>& closed) {
    if (!closed)
        return std::string(status);
    if (status == "open" && !open)
        return "closed with its goal on " + format_date(*closed);
    return fmt::format("{} on {}", status, format_date(*closed));
}

ShowJournal show_journal(const ShowView& v) {
    ShowJournal j;
    // Screens as every rule sees them: a pending screen replaced by its
    // result is shown once, as the result.
    j.screens = screens_in_effect(v.record);
    for (const auto& entry : v.record.journal) {
        if (std::holds_alternative<Screen>(entry))
            continue;
        auto e = std::get_if<Event>(&entry);
        if (!e)
            continue;
        switch (e->type) {
        case EventType::plan_change:
        case EventType::plan_review:
            j.plan_events.push_back(e);
            break;
        case EventType::aftercare:
            j.aftercare = e;
            break;
        case EventType::graduated:
        case EventType::discharged:
            if (v.assessment.status != Status::active)
                j.ending = e;
            break;
        case EventType::amend:
            j.amendments.push_back(e);
            break;
        case EventType::note:
        case EventType::void_:     // set aside on load with the entry it voids
        case EventType::signature: // the assessment's treatment plan holds those that count
        case EventType::placement: // section 13: the level of care, shown with the assessments
        case EventType::certification:
            break;
        }
    }
    return j;
}

LevelOfCareView level_of_care_view(const ShowView& v) {
    LevelOfCareView out;
    const Assessment& a = v.assessment;
    if (a.asam)
        out.asam = &*a.asam;
    for (const Entry& entry : v.record.journal) {
        const Event* e = std::get_if<Event>(&entry);
        if (e && e->type == EventType::placement && (!out.asam || e->date >= out.asam->date))
            out.placements.push_back(e);
        if (e && e->type == EventType::certification &&
            (!out.certification || out.certification->date <= e->date))
            out.certification = e;
    }
    // The certification rule (SPEC section 13): the first within
    // certification_first_days of enrollment, then every recert_days.
    if (a.status == Status::active && needs_certification(v.program, v.record.header))
        out.certification_due =
            out.certification
                ? add_days(out.certification->date, v.program.certification_recert_days)
                : add_days(v.record.header.enrolled, certification_first_days);
    return out;
}

} // namespace iop
