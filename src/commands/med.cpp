#include "commands/common.hpp"

#include "iop/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace iop {

namespace {

struct MedOptions {
    std::string id;
    std::string action;
    std::string name;
    std::string dose;
    std::optional<int> review_days;
    std::optional<std::string> date;
};

int med(const MedOptions& o, Context& ctx) {
    require_valid_id(o.id);
    Medication m;
    m.action = *parse_med_action(require_choice("action", o.action, {"start", "review", "stop"}));
    m.name = require_text("NAME", o.name);
    if (m.name.empty())
        throw UsageError("the medication NAME is empty");
    m.dose = require_text("--dose", o.dose);
    if (o.review_days) {
        if (*o.review_days < 1 || *o.review_days > 3650)
            throw UsageError(fmt::format("--review-days {} is out of range 1..3650",
                                         *o.review_days));
        m.review_days = o.review_days;
    }
    const LoadedRecord loaded = load_for_entry(ctx, o.id);
    const Record& rec = loaded.record;
    m.date = entry_date(ctx, rec, o.date);
    State st = fold(rec, ctx.store().program());
    auto active = std::find_if(st.medications.begin(), st.medications.end(), [&](const auto& ms) {
        return ms.active && same_medication(ms.name, m.name);
    });
    bool on_it = active != st.medications.end();
    if (m.action == MedAction::start && on_it)
        throw Refused(fmt::format("{} is already taking {} (started {}); record a review, or stop "
                                  "it first",
                                  o.id, active->name, format_date(active->started)));
    if (m.action != MedAction::start && !on_it) {
        std::vector<std::string> names;
        for (const auto& ms : st.medications)
            if (ms.active)
                names.push_back(ms.name);
        throw Refused(fmt::format("{} is not taking {}; current medications: {}", o.id, m.name,
                                  names.empty() ? "none" : join(names)));
    }
    if (on_it && m.date < active->started)
        throw UsageError(fmt::format("--date {} is before {} was started ({})", format_date(m.date),
                                     active->name, format_date(active->started)));
    if (on_it)
        m.name = active->name; // keep the spelling of the start entry
    append_entry(ctx, loaded, m);
    confirm(ctx, fmt::format("recorded medication {} of {} for {} on {}", to_string(m.action),
                             m.name, o.id, format_date(m.date)));
    return exit_ok;
}

} // namespace

CommandSpec med_command() {
    return {"med", "Plan", "Record a medication start, review or stop", Access::write,
            {Format::text}, "iop med P-0001 start naltrexone --dose \"50 mg daily\" --review-days 14",
            [](Args& app) -> Runner {
                auto o = std::make_shared<MedOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                app.add_option("action", o->action, "start, review or stop")
                    ->required()
                    ->type_name("ACTION");
                app.add_option("name", o->name, "Medication name")->required()->type_name("NAME");
                app.add_option("--dose", o->dose, "Dose, e.g. \"50 mg daily\"")->type_name("TEXT");
                app.add_option("--review-days", o->review_days,
                               "Review at least every N days (default from program.toml)")
                    ->transform(whole_number())
                    ->type_name("N");
                app.add_option("--date", o->date, "Day of the action (default today)")
                    ->type_name("DATE");
                return [o](Context& ctx) { return med(*o, ctx); };
            }};
}

} // namespace iop
