// `iop report KIND` (SPEC section 13): reports for the people who run the
// program and bill for it. `authorizations`: per active patient, each
// authorization in force today or starting within --within DAYS, with units
// used, left and needed to the planned end.
#include "commands/common.hpp"

#include "iop/authorization.hpp"

#include <fmt/format.h>

#include <variant>

namespace iop {

namespace {

struct ReportOptions {
    std::string kind;
    int within = 0;
    std::vector<std::string> clinicians;
};

// The most days --within looks ahead, as remind's.
constexpr int max_within_days = 366;

int authorizations(const ReportOptions& o, Context& ctx) {
    if (o.within < 0 || o.within > max_within_days)
        throw UsageError(
            fmt::format("--within {} is out of range 0..{} days", o.within, max_within_days));
    const std::vector<std::string> clinicians = require_clinicians(o.clinicians);
    Store& store = ctx.store();
    const Program& program = store.program();
    const Date today = ctx.today;
    const Date window_end = add_days(today, o.within);
    using Rows = std::vector<AuthorizationReportRow>;
    std::vector<AuthorizationReportRow> rows;
    int broken = 0;
    auto work = [&](Store::Loaded& l) -> std::variant<std::monostate, Rows, DataError> {
        if (l.error) {
            // A broken file has no clinician to go by (as in list).
            if (!clinicians.empty())
                return std::monostate{};
            return *l.error;
        }
        const Record& rec = *l.record;
        if (!in_caseload(clinicians, rec.header.clinician))
            return std::monostate{};
        const Assessment a = assess(program, rec, today);
        if (a.status != Status::active)
            return std::monostate{};
        Rows out;
        for (const AuthorizationUse& u : a.authorizations) {
            // In force on a day of today..today + DAYS.
            if (u.auth.to < today || u.auth.from > window_end)
                continue;
            AuthorizationReportRow r;
            r.id = rec.header.id;
            r.name = rec.header.name;
            r.clinician = rec.header.clinician;
            r.planned_end = a.planned_end;
            r.auth = u.auth;
            r.used = u.used;
            r.left = u.left();
            r.needed = units_needed(program, a.plan, u.auth, a.planned_end, today);
            r.more = std::max(0.0, r.needed - std::max(0.0, r.left));
            out.push_back(std::move(r));
        }
        if (out.empty())
            return std::monostate{};
        return out;
    };
    store.for_each_record(store.ids(), ctx.jobs, work, [&](auto& result) {
        if (auto* error = std::get_if<DataError>(&result)) {
            *ctx.err << "iop: error: " << escaped(error->what(), Lines::many) << '\n';
            ++broken;
        } else if (auto* found = std::get_if<Rows>(&result)) {
            for (auto& r : *found)
                rows.push_back(std::move(r));
        }
    });

    if (ctx.format == Format::json)
        write_authorization_report_json(*ctx.out, rows);
    else if (ctx.format == Format::csv)
        write_authorization_report_csv(*ctx.out, rows);
    else
        write_authorization_report_text(*ctx.out, rows, ctx.style);
    return broken ? exit_data : exit_ok;
}

int report(const ReportOptions& o, Context& ctx) {
    require_choice("report", o.kind, {"authorizations"});
    return authorizations(o, ctx);
}

} // namespace

CommandSpec report_command() {
    return {"report",
            "Reports",
            "Reports for running and billing the program: authorizations",
            Access::read,
            {Format::text, Format::json, Format::csv},
            "iop report authorizations --within 14 --format csv",
            [](Args& app) -> Runner {
                auto o = std::make_shared<ReportOptions>();
                app.add_option("report", o->kind, "The report: authorizations")
                    ->required()
                    ->type_name("REPORT");
                app.add_option("--within", o->within,
                               "Also authorizations starting in the next DAYS days (default 0)")
                    ->transform(whole_number())
                    ->type_name("DAYS");
                add_clinician_option(app, o->clinicians);
                return [o](Context& ctx) { return report(*o, ctx); };
            }};
}

} // namespace iop
