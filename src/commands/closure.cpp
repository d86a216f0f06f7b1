// `iop closure add|cancel|list`: the program calendar's closures (SPEC
// section 10), kept in closures.toml, an append-only journal like a patient
// file.
#include "commands/common.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct ClosureOptions {
    std::string action;
    std::optional<std::string> from;
    std::optional<std::string> to;
    std::optional<std::string> reason;
    bool all = false;
};

// "2027-01-18" or "2026-12-24 to 2026-12-27".
std::string range_text(Date from, Date to) {
    return from == to ? format_date(from)
                      : fmt::format("{} to {}", format_date(from), format_date(to));
}

// The commit subject: the action and the dates, never the reason (a log is
// shown more widely than a file).
std::string closure_subject(const ClosureEntry& e) {
    return fmt::format("closure {}: {}", to_string(e.action), range_text(e.from, e.to));
}

int list(const ClosureOptions& o, Context& ctx) {
    if (o.from || o.to || o.reason)
        throw UsageError("'iop closure list' takes no FROM, --to or --reason; it lists every "
                         "closed date from today on (--all: every one)");
    ctx.lock_on_open = false; // a reader: no lock
    std::vector<ClosedRange> ranges = ctx.store().program().calendar.closed_ranges();
    if (!o.all) {
        std::erase_if(ranges, [&](const ClosedRange& r) { return r.last < ctx.today; });
        for (auto& r : ranges)
            r.first = std::max(r.first, ctx.today);
    }
    if (ctx.format == Format::json)
        write_closures_json(*ctx.out, ranges);
    else
        write_closures_text(*ctx.out, ranges);
    return exit_ok;
}

int change(const ClosureOptions& o, ClosureAction action, Context& ctx) {
    const std::string verb(to_string(action));
    if (ctx.format != Format::text)
        throw UsageError(fmt::format("'iop closure {}' writes text only; --format json is for "
                                     "'iop closure list'",
                                     verb));
    if (o.all)
        throw UsageError(fmt::format("'iop closure {}' takes no --all; it is for 'iop closure "
                                     "list'",
                                     verb));
    if (!o.from)
        throw UsageError(fmt::format("'iop closure {}' needs FROM, the first date to {}", verb,
                                     action == ClosureAction::add ? "close" : "reopen"));
    ClosureEntry e;
    e.action = action;
    e.from = parse_date_option("FROM", *o.from);
    e.to = o.to ? parse_date_option("--to", *o.to) : e.from;
    if (e.to < e.from)
        throw UsageError(
            fmt::format("--to {} is before FROM {}", format_date(e.to), format_date(e.from)));
    if (int days = days_between(e.from, e.to) + 1; days > max_closure_days)
        throw UsageError(fmt::format("{} to {} is {} days; a closure covers at most {} days: "
                                     "record a longer one in parts",
                                     format_date(e.from), format_date(e.to), days,
                                     max_closure_days));
    e.reason = require_text("--reason", o.reason.value_or(""));
    if (e.reason.empty())
        throw UsageError(fmt::format("'iop closure {}' needs --reason TEXT, e.g. --reason "
                                     "\"Thanksgiving\"",
                                     verb));
    e.recorded_by = ctx.user;
    e.recorded_at = ctx.now;

    Store& store = ctx.store(); // locked from here on
    const Calendar& calendar = store.program().calendar;
    const int days = days_between(e.from, e.to) + 1;
    const int closed = calendar.closed_days_in(e.from, e.to);
    const std::string dates = range_text(e.from, e.to);
    if (action == ClosureAction::add && closed == days)
        throw Refused(fmt::format("{} {} closed already; nothing was recorded", dates,
                                  days == 1 ? "is" : "are all"));
    if (action == ClosureAction::cancel && closed == 0)
        throw Refused(
            fmt::format("{} {} not closed; nothing was recorded", dates, days == 1 ? "is" : "are"));
    store.append_closure(e);
    store.describe_change(closure_subject(e));
    if (action == ClosureAction::add)
        confirm(ctx, fmt::format("closed {}: {}", dates, escaped(e.reason)));
    else
        confirm(ctx, fmt::format("reopened {}: {}", dates, escaped(e.reason)));
    return exit_ok;
}

int closure(const ClosureOptions& o, Context& ctx) {
    const std::string action = require_choice("action", o.action, {"add", "cancel", "list"});
    if (action == "list")
        return list(o, ctx);
    return change(o, action == "add" ? ClosureAction::add : ClosureAction::cancel, ctx);
}

} // namespace

CommandSpec closure_command() {
    return {
        "closure",
        "Records",
        "Close the program on holidays and other days, reopen, or list closures",
        Access::write,
        {Format::text, Format::json},
        "iop closure add 2026-11-26 --to 2026-11-27 --reason \"Thanksgiving\"",
        [](Args& app) -> Runner {
            auto o = std::make_shared<ClosureOptions>();
            app.add_option("action", o->action, "add, cancel or list")
                ->required()
                ->type_name("ACTION");
            app.add_option("from", o->from, "First date to close or reopen (add, cancel)")
                ->type_name("DATE");
            app.add_option("--to", o->to, "Last date, inclusive (default FROM)")->type_name("DATE");
            app.add_option("--reason", o->reason,
                           "Why, e.g. \"Thanksgiving\" (add, cancel; required)")
                ->type_name("TEXT");
            app.add_flag("--all", o->all, "list: every closure, not only from today on");
            return [o](Context& ctx) { return closure(*o, ctx); };
        }};
}

} // namespace iop
