// `iop auth ID add ...` and `iop auth ID list` (SPEC section 13): appends
// an [[authorization]] entry, or lists the patient's authorizations with the
// units each has used and has left as of today. An authorization that
// overlaps another of the same payer is refused, naming the other.
#include "commands/common.hpp"

#include "iop/authorization.hpp"
#include "iop/basics.hpp"
#include "iop/engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace iop {

namespace {

struct AuthOptions {
    std::string id;
    std::string action;
    std::optional<std::string> payer;
    std::optional<std::string> number;
    std::optional<std::string> from;
    std::optional<std::string> to;
    std::optional<int> units;
    std::optional<std::string> unit;
    std::optional<std::string> next_review;
    std::optional<std::string> note;
    std::optional<std::string> date;
};

// The most sessions a day an authorization of sessions may count on: a
// larger grant for its period is a typing mistake.
constexpr int max_sessions_a_day = 3;

// The most units the period from..to can hold: a unit a day for days, 24
// hours a day, three sessions a day.
int period_capacity(AuthUnit unit, Date from, Date to) {
    const int days = days_between(from, to) + 1;
    switch (unit) {
    case AuthUnit::day:
        return days;
    case AuthUnit::hour:
        return 24 * days;
    case AuthUnit::session:
        return max_sessions_a_day * days;
    }
    return days;
}

std::string required_text(std::string_view option, const std::optional<std::string>& value) {
    if (!value)
        throw UsageError(fmt::format("'iop auth ID add' needs {}", option));
    return require_text(option, *value);
}

int list(const AuthOptions& o, Context& ctx) {
    if (o.payer || o.number || o.from || o.to || o.units || o.unit || o.next_review || o.note ||
        o.date)
        throw UsageError("'iop auth ID list' takes no options but --format; --payer, --number, "
                         "--from, --to, --units, --unit, --next-review, --note and --date are "
                         "for 'iop auth ID add'");
    Store& store = ctx.store();
    const Program& program = store.program();
    const Record rec = store.load(o.id);
    const Assessment a = assess(program, rec, ctx.today);
    if (ctx.format == Format::json) {
        write_authorizations_json(*ctx.out, rec.header.id, ctx.today, a.authorizations,
                                  a.uncovered_sessions);
    } else if (ctx.format == Format::csv) {
        write_authorizations_csv(*ctx.out, rec.header.id, a.authorizations);
    } else {
        write_authorizations_text(*ctx.out, a.authorizations, a.uncovered_sessions);
    }
    return exit_ok;
}

int add(const AuthOptions& o, Context& ctx) {
    if (ctx.format != Format::text)
        throw UsageError("'iop auth ID add' writes text only; --format json and csv are for "
                         "'iop auth ID list'");
    Authorization au;
    au.payer = required_text("--payer", o.payer);
    au.number = required_text("--number", o.number);
    if (!o.from)
        throw UsageError("'iop auth ID add' needs --from, the first day authorized");
    if (!o.to)
        throw UsageError("'iop auth ID add' needs --to, the last day authorized");
    if (!o.units)
        throw UsageError("'iop auth ID add' needs --units, the units authorized");
    au.from = parse_date_option("--from", *o.from, ctx.today);
    au.to = parse_date_option("--to", *o.to, ctx.today);
    if (au.to < au.from)
        throw UsageError(
            fmt::format("--to {} is before --from {}", format_date(au.to), format_date(au.from)));
    if (o.unit)
        au.unit = *parse_auth_unit(require_choice("--unit", *o.unit, auth_units()));
    if (*o.units < 1 || *o.units > max_authorization_units)
        throw UsageError(
            fmt::format("--units {} is out of range 1..{}", *o.units, max_authorization_units));
    const int capacity = period_capacity(au.unit, au.from, au.to);
    if (*o.units > capacity)
        throw UsageError(
            fmt::format("--units {} is more than {} to {} can hold: at most {} {}", *o.units,
                        format_date(au.from), format_date(au.to), capacity,
                        au.unit == AuthUnit::session
                            ? fmt::format("(sessions, {} a day)", max_sessions_a_day)
                            : (au.unit == AuthUnit::day ? "(days)" : "(hours, 24 a day)")));
    au.units = *o.units;
    if (o.next_review) {
        au.next_review = parse_date_option("--next-review", *o.next_review, ctx.today);
        if (*au.next_review < au.from)
            throw UsageError(fmt::format("--next-review {} is before --from {}",
                                         format_date(*au.next_review), format_date(au.from)));
    }
    au.note = o.note ? require_text("--note", *o.note, Lines::many) : "";

    const LoadedRecord loaded = load_for_entry(ctx, o.id);
    const Record& rec = loaded.record;
    au.date = entry_date(ctx, rec, o.date);
    if (const Authorization* other = overlapping_authorization(rec, au))
        throw Refused(fmt::format("authorization {} of {} ({} to {}) overlaps {} to {}; "
                                  "authorizations of the same payer may not overlap (void the "
                                  "other to replace it)",
                                  escaped(other->number), escaped(other->payer),
                                  format_date(other->from), format_date(other->to),
                                  format_date(au.from), format_date(au.to)));
    const std::string number = escaped(au.number);
    const std::string period = fmt::format("{} to {}", format_date(au.from), format_date(au.to));
    const std::string unit(to_string(au.unit));
    const std::string units = plural(au.units, unit, unit + "s");
    append_entry(ctx, loaded, au);
    confirm(ctx, fmt::format("added authorization {} to {}: {}, {}", number, o.id, period, units));
    return exit_ok;
}

int auth(const AuthOptions& o, Context& ctx) {
    require_valid_id(o.id);
    const std::string action = require_choice("ACTION", o.action, {"add", "list"});
    return action == "list" ? list(o, ctx) : add(o, ctx);
}

} // namespace

CommandSpec auth_command() {
    return {
        "auth",
        "Plan",
        "Record a payer's authorization of services, or list them with units used and left",
        Access::write,
        {Format::text, Format::json, Format::csv},
        "iop auth P-0001 add --payer \"Acme Health\" --number A-123 --from 2026-11-02 --to "
        "2026-11-29 --units 12",
        [](Args& app) -> Runner {
            auto o = std::make_shared<AuthOptions>();
            app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
            app.add_option("action", o->action, "add or list")->required()->type_name("ACTION");
            app.add_option("--payer", o->payer, "add: the payer (required)")
                ->check(not_empty())
                ->type_name("NAME");
            app.add_option("--number", o->number, "add: the authorization number (required)")
                ->check(not_empty())
                ->type_name("N");
            app.add_option("--from", o->from, "add: the first day authorized (required)")
                ->type_name("DATE");
            app.add_option("--to", o->to, "add: the last day authorized, inclusive (required)")
                ->type_name("DATE");
            app.add_option("--units", o->units,
                           fmt::format("add: the units authorized, 1-{} (required)",
                                       max_authorization_units))
                ->transform(whole_number())
                ->type_name("N");
            app.add_option("--unit", o->unit, "add: session (default), day or hour")
                ->type_name("UNIT");
            app.add_option("--next-review", o->next_review,
                           "add: the next utilization review, not before --from")
                ->type_name("DATE");
            app.add_option("--note", o->note, "add: a note")->check(not_empty())->type_name("TEXT");
            app.add_option("--date", o->date, "add: day of the entry (default today)")
                ->type_name("DATE");
            return [o](Context& ctx) { return auth(*o, ctx); };
        }};
}

} // namespace iop
