#include "commands/common.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct ScreenOptions {
    std::string id;
    std::string result;
    std::vector<std::string> substances;
    std::optional<std::string> date;
};

int screen(const ScreenOptions& o, Context& ctx) {
    require_valid_id(o.id);
    Screen s = screen_fields({o.result, o.substances}, Naming::option);
    const LoadedRecord loaded = load_for_entry(ctx, o.id);
    const Record& rec = loaded.record;
    // A result without --date is the result of the oldest pending screen.
    const Screen* pending = nullptr;
    if (!o.date && s.result != ScreenResult::pending)
        pending = oldest_pending_screen(rec);
    s.date = pending ? pending->date : entry_date(ctx, rec, o.date);
    append_entry(ctx, loaded, s);
    confirm(ctx, fmt::format("recorded {} drug screen for {} on {}{}", to_string(s.result), o.id,
                             format_date(s.date),
                             pending ? " (the result of the screen pending since then)" : ""));
    return exit_ok;
}

} // namespace

CommandSpec screen_command() {
    return {"screen", "Records", "Record a drug screen", Access::write, {Format::text},
            "iop screen P-0001 --result positive --substance alcohol --date 2026-11-20",
            [](Args& app) -> Runner {
                auto o = std::make_shared<ScreenOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                app.add_option("--result", o->result,
                               "negative, positive or pending (sent to a lab)")
                    ->required()
                    ->type_name("RESULT");
                app.add_option("--substance", o->substances, "A substance found (repeatable)")
                    ->type_name("NAME");
                app.add_option("--date", o->date,
                               "Day of the screen (default today, or the oldest pending screen's "
                               "day for a result)")
                    ->type_name("DATE");
                return [o](Context& ctx) { return screen(*o, ctx); };
            }};
}

} // namespace iop
