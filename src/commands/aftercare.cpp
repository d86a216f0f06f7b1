#include "commands/common.hpp"

#include "iop/suggest.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct AftercareOptions {
    std::string id;
    std::string sponsor;
    std::vector<std::string> groups;
    std::optional<std::string> date;
    std::string note;
};

int aftercare(const AftercareOptions& o, Context& ctx) {
    require_valid_id(o.id);
    Event e;
    e.type = EventType::aftercare;
    e.sponsor = require_text("--sponsor", o.sponsor);
    for (const auto& g : o.groups)
        e.groups.push_back(require_item("--group", g));
    e.text = require_text("--note", o.note, Lines::many);
    if (e.sponsor.empty() && e.groups.empty())
        throw UsageError("an aftercare plan needs --sponsor NAME or --group NAME (e.g. --group "
                         "\"Alcoholics Anonymous\")");
    const LoadedRecord loaded = load_for_entry(ctx, o.id);
    const Record& rec = loaded.record;
    e.date = entry_date(ctx, rec, o.date);
    append_entry(ctx, loaded, e);
    std::vector<std::string> parts;
    if (!e.sponsor.empty())
        parts.push_back("sponsor " + e.sponsor);
    if (!e.groups.empty())
        parts.push_back("groups " + join(e.groups));
    confirm(ctx, fmt::format("recorded aftercare plan for {}: {}", o.id, join(parts, "; ")));
    return exit_ok;
}

} // namespace

CommandSpec aftercare_command() {
    return {"aftercare", "Plan", "Record the aftercare plan: sponsor and outside groups",
            Access::write, {Format::text},
            "iop aftercare P-0001 --sponsor \"Sam K.\" --group \"Alcoholics Anonymous\"",
            [](Args& app) -> Runner {
                auto o = std::make_shared<AftercareOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                app.add_option("--sponsor", o->sponsor, "Sponsor's name")->type_name("NAME");
                app.add_option("--group", o->groups, "An outside group, e.g. AA or NA (repeatable)")
                    ->type_name("NAME");
                app.add_option("--date", o->date, "Day of the plan (default today)")
                    ->type_name("DATE");
                app.add_option("--note", o->note, "A short note")->type_name("TEXT");
                return [o](Context& ctx) { return aftercare(*o, ctx); };
            }};
}

} // namespace iop
