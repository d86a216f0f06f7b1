#include "commands/common.hpp"

#include "iop/audit.hpp"
#include "iop/engine.hpp"
#include "iop/progress.hpp"
#include "iop/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace iop {

namespace {

struct CheckOptions {
    std::vector<std::string> ids;
    std::vector<std::string> rules;
    std::string severity = "warning";
    bool clean = false;
    std::optional<std::string> since;
};

int check(const CheckOptions& o, Context& ctx) {
    for (const auto& id : o.ids)
        require_valid_id(id);
    std::vector<std::string> all_rules = rule_ids();
    all_rules.insert(all_rules.end(), file_rule_ids().begin(), file_rule_ids().end());
    for (const auto& r : o.rules)
        require_choice("--rule", r, all_rules);
    Severity min_severity =
        *parse_severity(require_choice("--severity", o.severity, {"warning", "error"}));
    std::optional<Date> since;
    if (o.since)
        since = parse_date_option("--since", *o.since);
    auto selected = [&](const Finding& f) {
        return f.severity >= min_severity &&
               (o.rules.empty() || std::find(o.rules.begin(), o.rules.end(), f.rule) != o.rules.end());
    };
    // --since: findings that arose after DATE. A broken record and the
    // directory's own findings have no such date and are always reported.
    auto recent = [&](const Finding& f) { return !since || f.arose > *since; };

    Store& store = ctx.store();
    const Program& program = store.program();
    std::vector<std::string> ids = o.ids;
    for (const auto& id : ids)
        store.require_exists(id);
    bool all_active = ids.empty();
    if (all_active)
        ids = store.ids();
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());

    // The directory itself: modes that let others read health records, and
    // temporary files a killed write left behind (docs/rules.md).
    std::vector<FileFinding> file_findings = permission_findings(store, ids);
    std::vector<std::string> removed;
    {
        std::optional<Lock> lock;
        if (o.clean) // no writer may be half-way through its temporary file
            lock.emplace(store.lock(ctx.wait_seconds));
        // Listed before the lock is probed: a file that was a write in
        // progress then is gone once the lock is seen free, so what is still
        // there after that was left by a writer that died.
        std::vector<TempFile> temps = store.temp_files();
        if (lock || !store.writer_active()) {
            for (const TempFile& t : temps) {
                if (!all_active && (!t.patient || !std::binary_search(ids.begin(), ids.end(),
                                                                      *t.patient)))
                    continue;
                if (!lock && !Store::temp_exists(t))
                    continue;
                if (o.clean) {
                    Store::remove_temp(t);
                    removed.push_back(t.shown);
                } else {
                    file_findings.push_back(stale_temp_finding(t));
                }
            }
        }
    }
    nlohmann::json files = nlohmann::json::array();
    for (const FileFinding& ff : file_findings) {
        if (!selected(ff.finding))
            continue;
        if (ctx.format == Format::json)
            files.push_back({{"file", ff.file},
                             {"severity", std::string(to_string(ff.finding.severity))},
                             {"rule", ff.finding.rule},
                             {"message", ff.finding.message}});
        else
            *ctx.out << finding_line(ff.file, ff.finding, ctx.style) << '\n';
    }
    if (ctx.format == Format::text && !ctx.quiet)
        for (const auto& r : removed)
            *ctx.out << "removed " << r << '\n';

    bool invalid = false, errors = false;
    nlohmann::json patients = nlohmann::json::array();
    // Records are loaded and assessed on worker threads, then reported here
    // in id order; only a few are held at a time.
    struct Checked {
        Store::Loaded loaded;
        std::optional<Assessment> assessment;
    };
    auto work = [&](Store::Loaded& loaded) {
        Checked c{std::move(loaded), std::nullopt};
        if (c.loaded.record)
            c.assessment = assess(program, *c.loaded.record, ctx.today);
        return c;
    };
    Progress progress(*ctx.err, ctx.stderr_tty && !ctx.quiet, "checking", ids.size());
    store.for_each_record(ids, ctx.jobs, work, [&](Checked& checked) {
        progress.step();
        Store::Loaded& loaded = checked.loaded;
        if (loaded.error) {
            Finding f{Severity::error, "record-invalid", std::nullopt, loaded.error->detail(),
                      loaded.error->pos()};
            if (!selected(f))
                return;
            invalid = true;
            if (ctx.format == Format::json) {
                patients.push_back(invalid_record_json(loaded.id, *loaded.error));
            } else {
                progress.clear();
                *ctx.out << finding_line(loaded.error->file(), f, ctx.style) << '\n';
            }
            return;
        }
        const Record& rec = *loaded.record;
        Assessment& a = *checked.assessment;
        if (all_active && a.status != Status::active)
            return;
        a.findings.erase(std::remove_if(a.findings.begin(), a.findings.end(),
                                        [&](const Finding& f) {
                                            return !selected(f) || !recent(f);
                                        }),
                         a.findings.end());
        for (const auto& f : a.findings)
            errors = errors || f.severity == Severity::error;
        if (ctx.format == Format::json) {
            patients.push_back(assessment_json(rec, a));
        } else {
            if (!a.findings.empty())
                progress.clear();
            for (const auto& f : a.findings)
                *ctx.out << finding_line(rec.file, f, ctx.style) << '\n';
        }
    });
    progress.clear();
    if (ctx.format == Format::json) {
        nlohmann::json doc = {{"today", format_date(ctx.today)}, {"patients", patients}};
        // Present only when there is something to say, so the shape stays
        // that of `iop show --format json` otherwise.
        if (!files.empty())
            doc["files"] = files;
        if (!removed.empty())
            doc["removed"] = removed;
        write_json(*ctx.out, doc);
    }
    return invalid ? exit_data : errors ? exit_refused : exit_ok;
}

} // namespace

CommandSpec check_command() {
    return {"check", "Reports",
            "Check plans against the program's rules; silent when all is well", Access::read,
            {Format::text, Format::json}, "iop check --severity error",
            [](CLI::App& app) -> Runner {
                auto o = std::make_shared<CheckOptions>();
                app.add_option("ids", o->ids, "Patients to check (default: every active patient)")
                    ->type_name("ID...");
                app.add_option("--rule", o->rules, "Only this rule (repeatable), e.g. group-frequency")
                    ->type_name("RULE");
                app.add_option("--severity", o->severity,
                               "Minimum severity to report: warning (default) or error")
                    ->type_name("LEVEL");
                app.add_option("--since", o->since,
                               "Only findings that arose after DATE (a weekly reader's last read)")
                    ->type_name("DATE");
                app.add_flag("--clean", o->clean,
                             "Remove temporary files left by interrupted writes (takes the lock)");
                return [o](Context& ctx) { return check(*o, ctx); };
            }};
}

} // namespace iop
