// `iop void ID REF --reason TEXT` (SPEC section 11): corrects a journal
// entry by appending a void that names it. The record module leaves the
// voided entry out of the journal every rule and report reads
// (Record::journal); this command only finds the entry and refuses what
// cannot be voided.
#include "commands/common.hpp"

#include "iop/output.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace iop {

namespace {

struct VoidOptions {
    std::string id;
    std::string ref;
    std::string reason;
    std::optional<std::string> date;
};

std::string item_line(const JournalItem& item) {
    return fmt::format("{} {} {}", item.ref, format_date(meta(item.entry).date),
                       entry_summary(item.entry));
}

// What a user may type for a reference: a prefix of one, any case.
std::string typed_ref(const std::string& text) {
    std::string ref = text;
    std::transform(ref.begin(), ref.end(), ref.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto dash = ref.find('-');
    const std::string hex = ref.substr(0, dash);
    const bool ok =
        !hex.empty() && hex.size() <= 8 &&
        std::all_of(hex.begin(), hex.end(),
                    [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }) &&
        (dash == std::string::npos || (hex.size() == 8 && valid_entry_ref(ref)));
    if (!ok)
        throw UsageError(fmt::format("REF '{}' is not an entry reference: hex digits, as "
                                     "`iop show ID --journal` prints them (ab2a6e94, ab2a6e94-2)",
                                     escaped(text)));
    return ref;
}

// The entries that depend on items[target] (SPEC section 11), live ones
// only: the reviews and stops of a medication start, up to the next start of
// that medication; the later entries of a goal added and every entry of its
// objectives; the later entries of an objective added.
std::vector<std::size_t> dependents(const std::vector<JournalItem>& items, std::size_t target) {
    std::vector<std::size_t> out;
    const Entry& entry = items[target].entry;
    const Goal* goal = std::get_if<Goal>(&entry);
    const Objective* objective = std::get_if<Objective>(&entry);
    if ((goal && goal->action == GoalAction::add) ||
        (objective && objective->action == ObjectiveAction::add)) {
        for (std::size_t i = target + 1; i < items.size(); ++i) {
            if (items[i].voided_by)
                continue;
            const Goal* g = std::get_if<Goal>(&items[i].entry);
            const Objective* o = std::get_if<Objective>(&items[i].entry);
            if (goal ? (g && g->ref == goal->ref) || (o && o->goal_ref() == goal->ref)
                     : o && o->ref == objective->ref)
                out.push_back(i);
        }
        return out;
    }
    const Medication* start = std::get_if<Medication>(&entry);
    if (!start || start->action != MedAction::start)
        return out;
    for (std::size_t i = target + 1; i < items.size(); ++i) {
        const Medication* m = std::get_if<Medication>(&items[i].entry);
        if (!m || items[i].voided_by || !same_medication(m->name, start->name))
            continue;
        if (m->action == MedAction::start)
            break;
        out.push_back(i);
    }
    return out;
}

int void_entry(const VoidOptions& o, Context& ctx) {
    require_valid_id(o.id);
    const std::string ref = typed_ref(o.ref);
    const std::string reason = require_text("--reason", o.reason, Lines::many);
    if (reason.empty())
        throw UsageError("--reason TEXT is required: a void is recorded with its reason");
    Store& store = ctx.store();
    LoadedRecord loaded;
    loaded.record = store.load(o.id, &loaded.text);
    const Record& rec = loaded.record;
    const std::vector<JournalItem> items = journal_items(rec);

    std::vector<std::size_t> hits;
    for (std::size_t i = 0; i < items.size(); ++i)
        if (items[i].ref == ref)
            hits = {i};
    if (hits.empty())
        for (std::size_t i = 0; i < items.size(); ++i)
            if (items[i].ref.compare(0, ref.size(), ref) == 0)
                hits.push_back(i);
    if (hits.empty())
        throw Refused(fmt::format("{} has no entry {}; `iop show {} --journal` lists the "
                                  "references",
                                  o.id, ref, o.id));
    if (hits.size() > 1) {
        std::string list;
        for (std::size_t i : hits)
            list += "\n  " + item_line(items[i]);
        throw Refused(fmt::format("{} entries of {} begin with {}; give more of the reference:{}",
                                  hits.size(), o.id, ref, list));
    }
    const JournalItem& item = items[hits.front()];
    const Event* ev = std::get_if<Event>(&item.entry);
    if (ev && ev->type == EventType::void_)
        throw Refused(fmt::format("{} is a void; a void cannot be voided (record the entry "
                                  "again instead)",
                                  item.ref));
    if (item.voided_by)
        throw Refused(
            fmt::format("{} is voided already, by {}", item.ref, items[*item.voided_by].ref));
    const std::vector<std::size_t> later = dependents(items, hits.front());
    if (!later.empty()) {
        std::string list;
        for (std::size_t i : later)
            list += "\n  " + item_line(items[i]);
        throw Refused(fmt::format("{} has later entries that depend on it; void them first:{}",
                                  item.ref, list));
    }

    Event e;
    e.type = EventType::void_;
    e.entry = item.ref;
    e.reason = reason;
    e.date = entry_date(ctx, rec, o.date);
    append_entry(ctx, loaded, e);
    confirm(ctx, fmt::format("voided {} of {}: {} {}", item.ref, o.id,
                             format_date(meta(item.entry).date), entry_summary(item.entry)));
    return exit_ok;
}

} // namespace

CommandSpec void_command() {
    return {"void",
            "Records",
            "Void a wrong journal entry, by appending (see show --journal)",
            Access::write,
            {Format::text},
            "iop void P-0001 f0cb39a7 --reason \"wrong patient\"",
            [](Args& app) -> Runner {
                auto o = std::make_shared<VoidOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                app.add_option("ref", o->ref,
                               "Reference of the entry (iop show ID --journal), or enough of "
                               "its first digits")
                    ->required()
                    ->type_name("REF");
                app.add_option("--reason", o->reason, "Why the entry is wrong")
                    ->required()
                    ->type_name("TEXT");
                app.add_option("--date", o->date, "Day of the correction (default today)")
                    ->type_name("DATE");
                return [o](Context& ctx) { return void_entry(*o, ctx); };
            }};
}

} // namespace iop
