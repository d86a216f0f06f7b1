// `iop amend ID [--name ..] [--born ..] [--clinician ..] [--diagnosis ..]
// [--insurance ..] --reason TEXT` (SPEC section 11): corrects the header by
// appending an amend event with the changed keys; loading a record applies
// it, so every command and report sees the amended header. enrolled and id
// are not amendable.
#include "commands/common.hpp"

#include "iop/csv.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct AmendOptions {
    std::string id;
    std::optional<std::string> name, born, clinician, diagnosis, insurance, date;
    std::string reason;
};

std::optional<std::string> given(std::string_view option, const std::optional<std::string>& v,
                                 Lines lines = Lines::one) {
    if (!v)
        return std::nullopt;
    std::string text = require_text(option, *v, lines);
    if (trim(text).empty())
        throw UsageError(fmt::format("{} is empty", option));
    return text;
}

int amend(const AmendOptions& o, Context& ctx) {
    require_valid_id(o.id);
    Event e;
    e.type = EventType::amend;
    e.amend.name = given("--name", o.name);
    if (o.born)
        e.amend.born = parse_date_option("--born", *o.born, ctx.today);
    e.amend.clinician = given("--clinician", o.clinician);
    e.amend.diagnosis = given("--diagnosis", o.diagnosis, Lines::many);
    e.amend.insurance = given("--insurance", o.insurance);
    if (e.amend.empty())
        throw UsageError("nothing to amend: give --name, --born, --clinician, --diagnosis or "
                         "--insurance");
    e.reason = require_text("--reason", o.reason, Lines::many);
    if (trim(e.reason).empty())
        throw UsageError("--reason TEXT is required: an amendment is recorded with its reason");
    Store& store = ctx.store();
    LoadedRecord loaded;
    loaded.record = store.load(o.id, &loaded.text);
    const Record& rec = loaded.record;
    if (e.amend.born && *e.amend.born > rec.header.enrolled)
        throw UsageError(fmt::format("--born {} is after {} was enrolled ({})",
                                     format_date(*e.amend.born), o.id,
                                     format_date(rec.header.enrolled)));
    e.date = entry_date(ctx, rec, o.date);
    append_entry(ctx, loaded, e);
    confirm(ctx, fmt::format("amended {}: {}", o.id, e.amend.keys()));
    return exit_ok;
}

} // namespace

CommandSpec amend_command() {
    return {"amend",
            "Records",
            "Correct the patient's header (name, born, ...), by appending",
            Access::write,
            {Format::text},
            "iop amend P-0001 --name \"Jane Q. Doe\" --reason \"misspelled at intake\"",
            [](Args& app) -> Runner {
                auto o = std::make_shared<AmendOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                app.add_option("--name", o->name, "Full name")->type_name("NAME");
                app.add_option("--born", o->born, "Date of birth (YYYY-MM-DD)")->type_name("DATE");
                app.add_option("--clinician", o->clinician, "Primary clinician")->type_name("NAME");
                app.add_option("--diagnosis", o->diagnosis, "Diagnosis")->type_name("TEXT");
                app.add_option("--insurance", o->insurance, "Insurance")->type_name("TEXT");
                app.add_option("--reason", o->reason, "Why the header was wrong")
                    ->required()
                    ->type_name("TEXT");
                app.add_option("--date", o->date, "Day of the correction (default today)")
                    ->type_name("DATE");
                return [o](Context& ctx) { return amend(*o, ctx); };
            }};
}

} // namespace iop
