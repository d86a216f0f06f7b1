// `iop certify ID --physician NAME [--note ..] [--date D]` (SPEC section 13):
// appends [[event]] type = "certification", a physician's certification that
// the patient needs this level of care (Medicare pays for IOP only with one,
// renewed every certification.recert_days). Recorded whether or not the
// program requires it; when it does, the confirmation says when the next is
// due.
#include "commands/common.hpp"

#include "iop/authorization.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct CertifyOptions {
    std::string id;
    std::string physician;
    std::optional<std::string> note;
    std::optional<std::string> date;
};

int certify(const CertifyOptions& o, Context& ctx) {
    require_valid_id(o.id);
    Event e;
    e.type = EventType::certification;
    e.physician = require_text("--physician", o.physician);
    e.text = plan_text("--note", o.note).value_or("");
    const LoadedRecord loaded = load_for_entry(ctx, o.id);
    const Record& rec = loaded.record;
    e.date = entry_date(ctx, rec, o.date);
    Date latest = e.date;
    for (const Entry& entry : rec.journal)
        if (const Event* ev = std::get_if<Event>(&entry);
            ev && ev->type == EventType::certification && latest < ev->date)
            latest = ev->date;
    append_entry(ctx, loaded, e);
    const Program& program = ctx.store().program();
    std::string line =
        fmt::format("recorded physician certification of {} on {}", o.id, format_date(e.date));
    if (needs_certification(program, rec.header))
        line += fmt::format("; recertify by {}",
                            format_date(add_days(latest, program.certification_recert_days)));
    confirm(ctx, line);
    return exit_ok;
}

} // namespace

CommandSpec certify_command() {
    return {"certify",
            "Plan",
            "Record a physician's certification of the level of care (Medicare)",
            Access::write,
            {Format::text},
            "iop certify P-0001 --physician \"Dr. Chen\"",
            [](Args& app) -> Runner {
                auto o = std::make_shared<CertifyOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                app.add_option("--physician", o->physician, "The certifying physician")
                    ->required()
                    ->check(not_empty())
                    ->type_name("NAME");
                app.add_option("--note", o->note, "A note on the certification")
                    ->check(not_empty())
                    ->type_name("TEXT");
                app.add_option("--date", o->date, "Day of the certification (default today)")
                    ->type_name("DATE");
                return [o](Context& ctx) { return certify(*o, ctx); };
            }};
}

} // namespace iop
