#include "commands/common.hpp"

#include <fmt/format.h>

#include <variant>

namespace iop {

namespace {

struct ListOptions {
    std::string status = "active";
};

struct Row {
    Header header; // a copy: the record itself is released once read
    State state;
    int week;
};

int list(const ListOptions& o, Context& ctx) {
    std::string wanted =
        require_choice("--status", o.status, {"active", "graduated", "discharged", "all"});
    Store& store = ctx.store();
    const Program& program = store.program();
    std::vector<Row> rows;
    int broken = 0;
    // Records are read and folded on worker threads; rows come back in id order.
    auto work = [&](Store::Loaded& l) -> std::variant<std::monostate, Row, DataError> {
        if (l.error)
            return *l.error;
        State st = fold(*l.record, program);
        if (wanted != "all" && to_string(st.status) != wanted)
            return std::monostate{};
        Date judged = st.ended ? std::min(*st.ended, ctx.today) : ctx.today;
        int week = treatment_week(l.record->header.enrolled, judged);
        return Row{std::move(l.record->header), std::move(st), week};
    };
    store.for_each_record(store.ids(), ctx.jobs, work, [&](auto& result) {
        if (auto* error = std::get_if<DataError>(&result)) {
            *ctx.err << "iop: error: " << escaped(error->what(), Lines::many) << '\n';
            ++broken;
        } else if (auto* row = std::get_if<Row>(&result)) {
            rows.push_back(std::move(*row));
        }
    });

    auto planned_end = [](const Row& r) {
        return format_date(add_days(r.header.enrolled, 7 * r.state.plan.weeks - 1));
    };
    if (ctx.format == Format::json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : rows) {
            const Header& h = r.header;
            out.push_back({{"id", h.id},
                           {"name", h.name},
                           {"status", to_string(r.state.status)},
                           {"enrolled", format_date(h.enrolled)},
                           {"week", r.week},
                           {"weeks_planned", r.state.plan.weeks},
                           {"planned_end", planned_end(r)},
                           {"ended", r.state.ended ? nlohmann::json(format_date(*r.state.ended))
                                                   : nlohmann::json(nullptr)},
                           {"clinician", h.clinician}});
        }
        write_json(*ctx.out, out);
    } else if (ctx.format == Format::csv) {
        *ctx.out << csv_row({"id", "name", "status", "enrolled", "week", "weeks_planned",
                             "planned_end", "ended", "clinician"});
        for (const auto& r : rows) {
            const Header& h = r.header;
            *ctx.out << csv_row({h.id, h.name, std::string(to_string(r.state.status)),
                                 format_date(h.enrolled), std::to_string(r.week),
                                 std::to_string(r.state.plan.weeks), planned_end(r),
                                 r.state.ended ? format_date(*r.state.ended) : "", h.clinician});
        }
    } else {
        std::size_t id_w = 2, status_w = 6;
        for (const auto& r : rows) {
            id_w = std::max(id_w, display_width(r.header.id));
            status_w = std::max(status_w, to_string(r.state.status).size());
        }
        for (const auto& r : rows) {
            const Header& h = r.header;
            std::string status(to_string(r.state.status));
            std::string shown_status = r.state.status == Status::active ? ctx.style.green(status)
                                                                        : ctx.style.dim(status);
            *ctx.out << fmt::format("{}  {}{}  week {:>2}/{:<2}  since {}  {}\n", pad(h.id, id_w),
                                    shown_status, std::string(status_w - status.size(), ' '),
                                    r.week, r.state.plan.weeks, format_date(h.enrolled),
                                    escaped(h.name));
        }
    }
    return broken ? exit_data : exit_ok;
}

} // namespace

CommandSpec list_command() {
    return {"list", "Reports", "List patients, one a line", Access::read,
            {Format::text, Format::json, Format::csv}, "iop list --status all --format csv",
            [](CLI::App& app) -> Runner {
                auto o = std::make_shared<ListOptions>();
                app.add_option("--status", o->status,
                               "active (default), graduated, discharged or all")
                    ->type_name("STATUS");
                return [o](Context& ctx) { return list(*o, ctx); };
            }};
}

} // namespace iop
