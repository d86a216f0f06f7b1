#include "commands/common.hpp"

#include "iop/progress.hpp"
#include "iop/reminders.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace iop {

namespace {

struct RemindOptions {
    int within = 0;
    std::optional<std::string> since;
    bool all = false;
    std::vector<std::string> clinicians;
};

int remind(const RemindOptions& o, Context& ctx) {
    if (o.within < 0 || o.within > 366)
        throw UsageError(fmt::format("--within {} is out of range 0..366 days", o.within));
    std::optional<Date> since;
    if (o.since)
        since = parse_date_option("--since", *o.since, ctx.today);
    const std::vector<std::string> clinicians = require_clinicians(o.clinicians);
    Store& store = ctx.store();
    const Program& program = store.program();
    RemindWindow window{ctx.today, since.value_or(default_since(program, ctx.today)), o.within,
                        o.all};
    std::vector<PatientReminders> patients;
    std::vector<std::string> ids = store.ids();
    Progress progress(*ctx.err, ctx.stderr_tty && !ctx.quiet, "checking", ids.size());
    // Loaded and assessed on worker threads; only the reminders are kept.
    auto work = [&](Store::Loaded& loaded) {
        PatientReminders p;
        p.id = loaded.id;
        if (loaded.error) {
            // A broken file has no clinician to go by: it is in the mail
            // of the whole clinic, not in a clinician's.
            if (clinicians.empty())
                p.items.push_back({loaded.id, "record-invalid", ctx.today, std::nullopt,
                                   std::string(loaded.error->what()), ReminderPart::open_item,
                                   std::nullopt, true});
        } else if (in_caseload(clinicians, loaded.record->header.clinician)) {
            Assessment a = assess(program, *loaded.record, ctx.today);
            p.items = reminders_for(program, *loaded.record, a, window);
            p.week = a.week;
            p.weeks_planned = a.weeks_planned;
            p.starts = loaded.record->header.enrolled;
            p.clinician = loaded.record->header.clinician;
        }
        return p;
    };
    store.for_each_record(ids, ctx.jobs, work, [&](PatientReminders& p) {
        progress.step();
        if (!p.items.empty())
            patients.push_back(std::move(p));
    });
    progress.clear();
    std::stable_sort(patients.begin(), patients.end(),
                     [](const auto& a, const auto& b) { return a.id < b.id; });

    if (ctx.format == Format::json)
        write_reminders_json(*ctx.out, patients);
    else
        write_reminders_text(*ctx.out, patients, ctx.style);
    return exit_ok;
}

} // namespace

CommandSpec remind_command() {
    return {"remind",
            "Reports",
            "What needs doing now, for cron: silent when nothing is due",
            Access::read,
            {Format::text, Format::json},
            "iop remind --clinician \"J. Rivera\" --within 7",
            [](Args& app) -> Runner {
                auto o = std::make_shared<RemindOptions>();
                app.add_option(
                       "--within", o->within,
                       "Also list what comes up (a planned end) in the next DAYS days (default 0)")
                    ->transform(whole_number())
                    ->type_name("DAYS");
                app.add_option("--since", o->since,
                               "New findings since DATE (default: the last program day before "
                               "today; a daily job passes yesterday)")
                    ->type_name("DATE");
                app.add_flag("--all", o->all,
                             "Every finding and every need of the week, whatever its age or lead");
                add_clinician_option(app, o->clinicians);
                return [o](Context& ctx) { return remind(*o, ctx); };
            }};
}

} // namespace iop
