#include "commands/common.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct DischargeOptions {
    std::string id;
    std::string reason;
    std::optional<std::string> date;
    std::string note;
};

int discharge(const DischargeOptions& o, Context& ctx) {
    require_valid_id(o.id);
    Event e;
    e.type = EventType::discharged;
    e.reason = require_choice("--reason", o.reason, discharge_reasons());
    e.text = require_text("--note", o.note, Lines::many);
    const LoadedRecord loaded = load_active(ctx, o.id);
    const Record& rec = loaded.record;
    e.date = entry_date(ctx, rec, o.date);
    require_no_later_entries(rec, e.date);
    append_entry(ctx, loaded, e);
    confirm(ctx, fmt::format("discharged {} on {} ({})", o.id, format_date(e.date), e.reason));
    return exit_ok;
}

} // namespace

CommandSpec discharge_command() {
    return {"discharge", "Plan", "Discharge a patient with a reason", Access::write,
            {Format::text}, "iop discharge P-0001 --reason step-down",
            [](Args& app) -> Runner {
                auto o = std::make_shared<DischargeOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                app.add_option("--reason", o->reason,
                               "step-down, step-up, transfer, against-advice, administrative, "
                               "lost-contact, incarcerated, moved, death or other")
                    ->required()
                    ->type_name("REASON");
                app.add_option("--date", o->date, "Day of discharge (default today)")
                    ->type_name("DATE");
                app.add_option("--note", o->note, "A short note")->type_name("TEXT");
                return [o](Context& ctx) { return discharge(*o, ctx); };
            }};
}

} // namespace iop
