#include "commands/common.hpp"

#include "iop/engine.hpp"
#include "iop/suggest.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct GraduateOptions {
    std::string id;
    std::optional<std::string> date;
    bool force = false;
    std::string reason;
};

int graduate(const GraduateOptions& o, Context& ctx) {
    require_valid_id(o.id);
    std::string reason = require_text("--reason", o.reason, Lines::many);
    if (o.force && reason.empty())
        throw UsageError("--force needs --reason TEXT: an override is recorded with its reason");
    if (!o.force && !reason.empty())
        throw UsageError("--reason goes with --force (the reason for graduating despite unmet "
                         "criteria)");
    Store& store = ctx.store();
    const LoadedRecord loaded = load_active(ctx, o.id);
    const Record& rec = loaded.record;
    Event e;
    e.type = EventType::graduated;
    e.date = entry_date(ctx, rec, o.date);
    require_no_later_entries(rec, e.date);
    Assessment a = assess(store.program(), rec, e.date);
    std::vector<std::string> unmet;
    for (const auto& c : a.criteria)
        if (!c.met)
            unmet.push_back(fmt::format("{} ({})", c.id, c.detail));
    if (!unmet.empty() && !o.force)
        throw Refused(fmt::format("{} is not eligible to graduate on {}: {}; to graduate anyway, "
                                  "add --force --reason TEXT",
                                  o.id, format_date(e.date), join(unmet, "; ")));
    e.forced = !unmet.empty();
    e.reason = reason;
    append_entry(ctx, loaded, e);
    if (e.forced)
        confirm(ctx, fmt::format("graduated {} on {} by override ({}); unmet: {}", o.id,
                                 format_date(e.date), reason, join(unmet, "; ")));
    else
        confirm(ctx, fmt::format("graduated {} on {}: every criterion met", o.id,
                                 format_date(e.date)));
    return exit_ok;
}

} // namespace

CommandSpec graduate_command() {
    return {"graduate", "Plan", "Graduate a patient who meets every criterion", Access::write,
            {Format::text}, "iop graduate P-0001",
            [](Args& app) -> Runner {
                auto o = std::make_shared<GraduateOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                app.add_option("--date", o->date, "Day of graduation (default today)")
                    ->type_name("DATE");
                app.add_flag("--force", o->force, "Graduate despite unmet criteria (needs --reason)");
                app.add_option("--reason", o->reason, "Why the criteria are overridden")
                    ->type_name("TEXT");
                return [o](Context& ctx) { return graduate(*o, ctx); };
            }};
}

} // namespace iop
