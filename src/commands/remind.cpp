#include "commands/common.hpp"

#include "iop/progress.hpp"
#include "iop/reminders.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace iop {

namespace {

struct RemindOptions {
    int within = 0;
};

struct PatientReminders {
    std::string id;
    std::string heading;
    std::vector<Reminder> items;
};

int remind(const RemindOptions& o, Context& ctx) {
    if (o.within < 0 || o.within > 366)
        throw UsageError(fmt::format("--within {} is out of range 0..366 days", o.within));
    Store& store = ctx.store();
    const Program& program = store.program();
    std::vector<PatientReminders> patients;
    std::vector<std::string> ids = store.ids();
    Progress progress(*ctx.err, ctx.stderr_tty && !ctx.quiet, "checking", ids.size());
    // Loaded and assessed on worker threads; only the reminders are kept.
    auto work = [&](Store::Loaded& loaded) {
        PatientReminders p{loaded.id, loaded.id, {}};
        if (loaded.error) {
            p.items.push_back({loaded.id, "record-invalid", ctx.today,
                               std::string(loaded.error->what()), 0});
        } else {
            Assessment a = assess(program, *loaded.record, ctx.today);
            p.items = reminders_for(program, *loaded.record, a, ctx.today, o.within);
            p.heading = a.week > 0 ? fmt::format("{}  week {} of {}", loaded.id, a.week,
                                                 a.weeks_planned)
                                   : fmt::format("{}  starts {}", loaded.id,
                                                 format_date(loaded.record->header.enrolled));
        }
        return p;
    };
    store.for_each_record(ids, ctx.jobs, work, [&](PatientReminders& p) {
        progress.step();
        if (!p.items.empty())
            patients.push_back(std::move(p));
    });
    progress.clear();
    // Patients with the most urgent item first; items are sorted already.
    std::stable_sort(patients.begin(), patients.end(), [](const auto& a, const auto& b) {
        const Reminder &x = a.items.front(), &y = b.items.front();
        if (x.urgency != y.urgency)
            return x.urgency < y.urgency;
        if (x.due != y.due)
            return x.due < y.due;
        return a.id < b.id;
    });

    if (ctx.format == Format::json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& p : patients)
            for (const auto& r : p.items)
                list.push_back({{"id", r.id},
                                {"kind", r.kind},
                                {"due", format_date(r.due)},
                                {"message", r.message}});
        write_json(*ctx.out, list);
        return exit_ok;
    }
    bool first = true;
    for (const auto& p : patients) {
        if (!first)
            *ctx.out << '\n';
        first = false;
        *ctx.out << ctx.style.bold(p.heading) << '\n';
        for (const auto& r : p.items) {
            std::string kind = fmt::format("{:<18}", r.kind);
            *ctx.out << fmt::format("  {}  {}  {}\n", format_date(r.due),
                                    r.urgency == 0 ? ctx.style.red(kind) : kind,
                                    escaped(r.message, Lines::many));
        }
    }
    return exit_ok;
}

} // namespace

CommandSpec remind_command() {
    return {"remind", "Reports", "What needs doing now, for cron: silent when nothing is due",
            Access::read, {Format::text, Format::json}, "iop remind --within 7",
            [](CLI::App& app) -> Runner {
                auto o = std::make_shared<RemindOptions>();
                app.add_option("--within", o->within,
                               "Also list what falls due in the next DAYS days (default 0)")
                    ->transform(whole_number())
                    ->type_name("DAYS");
                return [o](Context& ctx) { return remind(*o, ctx); };
            }};
}

} // namespace iop
