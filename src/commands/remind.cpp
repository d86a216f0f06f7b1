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
        PatientReminders p;
        p.id = loaded.id;
        if (loaded.error) {
            p.items.push_back({loaded.id, "record-invalid", ctx.today,
                               std::string(loaded.error->what()), 0});
        } else {
            Assessment a = assess(program, *loaded.record, ctx.today);
            p.items = reminders_for(program, *loaded.record, a, ctx.today, o.within);
            p.week = a.week;
            p.weeks_planned = a.weeks_planned;
            p.starts = loaded.record->header.enrolled;
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

    if (ctx.format == Format::json)
        write_reminders_json(*ctx.out, patients);
    else
        write_reminders_text(*ctx.out, patients, ctx.style);
    return exit_ok;
}

} // namespace

CommandSpec remind_command() {
    return {"remind", "Reports", "What needs doing now, for cron: silent when nothing is due",
            Access::read, {Format::text, Format::json}, "iop remind --within 7",
            [](Args& app) -> Runner {
                auto o = std::make_shared<RemindOptions>();
                app.add_option("--within", o->within,
                               "Also list what falls due in the next DAYS days (default 0)")
                    ->transform(whole_number())
                    ->type_name("DAYS");
                return [o](Context& ctx) { return remind(*o, ctx); };
            }};
}

} // namespace iop
