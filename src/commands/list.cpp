#include "commands/common.hpp"

#include "iop/authorization.hpp"

#include <variant>

namespace iop {

namespace {

struct ListOptions {
    std::string status = "active";
    std::vector<std::string> clinicians;
};

int list(const ListOptions& o, Context& ctx) {
    std::string wanted =
        require_choice("--status", o.status, {"active", "graduated", "discharged", "all"});
    const std::vector<std::string> clinicians = require_clinicians(o.clinicians);
    Store& store = ctx.store();
    const Program& program = store.program();
    std::vector<ListRow> rows;
    int broken = 0;
    // Records are read and folded on worker threads; rows come back in id order.
    auto work = [&](Store::Loaded& l) -> std::variant<std::monostate, ListRow, DataError> {
        if (l.error) {
            // A broken file has no clinician to go by: it is in the whole
            // clinic's list, not in a clinician's.
            if (!clinicians.empty())
                return std::monostate{};
            return *l.error;
        }
        if (!in_caseload(clinicians, l.record->header.clinician))
            return std::monostate{};
        State st = fold(*l.record, program);
        if (wanted != "all" && to_string(st.status) != wanted)
            return std::monostate{};
        Date judged = st.ended ? std::min(*st.ended, ctx.today) : ctx.today;
        ListRow row;
        row.week = treatment_week(l.record->header.enrolled, judged);
        row.status = st.status;
        row.weeks_planned = st.plan.weeks;
        row.planned_end = add_days(l.record->header.enrolled, 7 * st.plan.weeks - 1);
        row.ended = st.ended;
        row.discharge_reason = st.discharge_reason;
        const AuthorizationUsage usage = authorization_usage(*l.record, ctx.today);
        if (const AuthorizationUse* now = usage.covering(ctx.today))
            row.in_force = static_cast<std::size_t>(now - usage.authorizations.data());
        row.authorizations = usage.authorizations;
        row.header = std::move(l.record->header);
        return row;
    };
    store.for_each_record(store.ids(), ctx.jobs, work, [&](auto& result) {
        if (auto* error = std::get_if<DataError>(&result)) {
            *ctx.err << "iop: error: " << escaped(error->what(), Lines::many) << '\n';
            ++broken;
        } else if (auto* row = std::get_if<ListRow>(&result)) {
            rows.push_back(std::move(*row));
        }
    });

    if (ctx.format == Format::json)
        write_list_json(*ctx.out, rows);
    else if (ctx.format == Format::csv)
        write_list_csv(*ctx.out, rows);
    else
        write_list_text(*ctx.out, rows, ctx.style);
    return broken ? exit_data : exit_ok;
}

} // namespace

CommandSpec list_command() {
    return {"list", "Reports", "List patients, one a line", Access::read,
            {Format::text, Format::json, Format::csv}, "iop list --status all --format csv",
            [](Args& app) -> Runner {
                auto o = std::make_shared<ListOptions>();
                app.add_option("--status", o->status,
                               "active (default), graduated, discharged or all")
                    ->type_name("STATUS");
                add_clinician_option(app, o->clinicians);
                return [o](Context& ctx) { return list(*o, ctx); };
            }};
}

} // namespace iop
