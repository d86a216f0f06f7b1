#include "commands/common.hpp"

#include "iop/engine.hpp"

namespace iop {

namespace {

struct ShowOptions {
    std::string id;
    bool journal = false;
};

int show(const ShowOptions& o, Context& ctx) {
    require_valid_id(o.id);
    if (o.journal && ctx.format == Format::html)
        throw UsageError("'iop show --journal' does not support --format html; it supports: "
                         "text, json");
    Store& store = ctx.store();
    const Program& program = store.program();
    Record rec = store.load(o.id);
    if (o.journal) {
        const std::vector<JournalItem> items = journal_items(rec);
        const JournalView view{rec.header.id, items};
        if (ctx.format == Format::json)
            write_journal_json(*ctx.out, view);
        else
            write_journal_text(*ctx.out, view, ctx.style);
        return exit_ok;
    }
    Assessment a = assess(program, rec, ctx.today);
    ShowView view{rec, a, program, ctx.today};
    if (ctx.format == Format::json)
        write_show_json(*ctx.out, view);
    else if (ctx.format == Format::html)
        write_show_html(*ctx.out, view);
    else
        write_show_text(*ctx.out, view, ctx.style);
    return exit_ok;
}

} // namespace

CommandSpec show_command() {
    return {"show",
            "Reports",
            "Show a patient: plan, weekly attendance, curriculum, medications, findings",
            Access::read,
            {Format::text, Format::json, Format::html},
            "iop show P-0001",
            [](Args& app) -> Runner {
                auto o = std::make_shared<ShowOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                app.add_flag("--journal", o->journal,
                             "Every journal entry with its reference (for iop void), date and "
                             "who recorded it when");
                return [o](Context& ctx) { return show(*o, ctx); };
            }};
}

} // namespace iop
