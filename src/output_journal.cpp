// `iop show ID --journal` as text and JSON: every entry of the file with its
// reference (SPEC sections 3 and 11). A terminal cannot strike text through
// reliably, so a voided entry's line says "voided:" before what it was, and
// the next line gives the void's reference, date and reason.
#include "iop/output.hpp"

#include <fmt/format.h>

namespace iop {

std::string entry_summary(const Entry& entry) {
    if (auto s = std::get_if<Session>(&entry)) {
        std::string out =
            fmt::format("session {}{}{} {}h {}", to_string(s->kind), s->topic.empty() ? "" : " ",
                        escaped(s->topic), format_hours(s->hours), to_string(s->status));
        for (std::size_t i = 0; i < s->objectives.size(); ++i)
            out += (i == 0 ? " for " : ", ") + escaped(s->objectives[i]);
        return out;
    }
    if (auto sc = std::get_if<Screen>(&entry)) {
        std::string out = fmt::format("screen {}", to_string(sc->result));
        for (const auto& sub : sc->substances)
            out += " " + escaped(sub);
        return out;
    }
    if (auto m = std::get_if<Medication>(&entry))
        return fmt::format("medication {} {}", to_string(m->action), escaped(m->name));
    // The plan's entries by reference only: the line may be shared.
    if (auto g = std::get_if<Goal>(&entry))
        return fmt::format("goal {} {}", to_string(g->action), escaped(g->ref));
    if (auto o = std::get_if<Objective>(&entry))
        return fmt::format("objective {} {}", to_string(o->action), escaped(o->ref));
    if (auto a = std::get_if<AsamAssessment>(&entry)) {
        std::string out = "assessment asam";
        for (std::size_t i = 0; i < a->ratings.size(); ++i)
            out += fmt::format(" d{}={}", i + 1, a->ratings[i]);
        return a->level.empty() ? out : out + " level " + a->level;
    }
    // Billing data, not health data: the payer and number are what a biller
    // looks for.
    if (auto au = std::get_if<Authorization>(&entry))
        return fmt::format("authorization {} {} {} to {} {} {}", escaped(au->payer),
                           escaped(au->number), format_date(au->from), format_date(au->to),
                           au->units, to_string(au->unit));
    const Event& e = std::get<Event>(entry);
    if (e.type == EventType::signature)
        return fmt::format("event signature {} v{}{}", to_string(e.role), e.plan_version,
                           e.declined ? " declined" : "");
    if (e.type == EventType::amend)
        return fmt::format("event amend {}", e.amend.keys());
    if (e.type == EventType::void_)
        return fmt::format("event void of {}", e.entry);
    return fmt::format("event {}", to_string(e.type));
}

void write_journal_text(std::ostream& out, const JournalView& v, const Style& style) {
    std::size_t voided = 0;
    for (const auto& item : v.items)
        voided += item.voided_by ? 1 : 0;
    out << style.bold(
               fmt::format("{} journal: {} entries, {} voided", v.id, v.items.size(), voided))
        << '\n';
    for (const auto& item : v.items) {
        const EntryMeta& m = meta(item.entry);
        std::string what = entry_summary(item.entry);
        if (item.voided_by)
            what = style.dim("voided: " + what);
        out << fmt::format("{:<10}  {}  {}  {} {}\n", item.ref, format_date(m.date), what,
                           escaped(m.recorded_by), escaped(m.recorded_at));
        if (item.voided_by) {
            const JournalItem& by = v.items[*item.voided_by];
            const Event& ev = std::get<Event>(by.entry);
            out << fmt::format("{:<10}  voided by {} on {}: {}\n", "", by.ref, format_date(ev.date),
                               escaped(ev.reason));
        }
    }
}

void write_journal_json(std::ostream& out, const JournalView& v) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& item : v.items) {
        nlohmann::json j;
        j["ref"] = item.ref;
        j["voided_by"] = nullptr;
        j["void_reason"] = nullptr;
        if (item.voided_by) {
            const JournalItem& by = v.items[*item.voided_by];
            j["voided_by"] = by.ref;
            j["void_reason"] = std::get<Event>(by.entry).reason;
        }
        j["entry"] = to_json(item.entry);
        items.push_back(std::move(j));
    }
    write_json(out, {{"id", v.id}, {"journal", std::move(items)}});
}

} // namespace iop
