#include "commands/common.hpp"

#include "iop/audit.hpp"
#include "iop/engine.hpp"
#include "iop/progress.hpp"

#include <algorithm>
#include <memory>

namespace iop {

namespace {

struct CheckOptions {
    std::vector<std::string> ids;
    std::vector<std::string> rules;
    std::string severity = "warning";
    bool clean = false;
    std::optional<std::string> since;
    std::vector<std::string> clinicians;
};

// Which findings the options ask for.
struct FindingFilter {
    Severity min_severity = Severity::warning;
    std::vector<std::string> rules; // empty: every rule
    std::optional<Date> since;
    std::vector<std::string> clinicians; // empty: every patient

    // Whether the patient is in the caseloads asked for (--clinician).
    bool patient(const Record& record) const {
        return in_caseload(clinicians, record.header.clinician);
    }

    // At the severity asked for, and of a rule asked for (--severity, --rule).
    bool selected(const Finding& f) const {
        return f.severity >= min_severity &&
               (rules.empty() || std::find(rules.begin(), rules.end(), f.rule) != rules.end());
    }
    // --since: findings that arose after DATE. A broken record and the
    // directory's own findings have no such date and are always reported.
    bool recent(const Finding& f) const { return !since || f.arose > *since; }
};

// The options, checked before the records directory is opened: a mistyped
// id, rule, severity or date is a usage error whatever the records hold.
FindingFilter read_options(const CheckOptions& o, Date today) {
    for (const auto& id : o.ids)
        require_valid_id(id);
    std::vector<std::string> all_rules = rule_ids();
    all_rules.insert(all_rules.end(), file_rule_ids().begin(), file_rule_ids().end());
    for (const auto& r : o.rules)
        require_choice("--rule", r, all_rules);
    FindingFilter filter;
    filter.rules = o.rules;
    filter.min_severity =
        *parse_severity(require_choice("--severity", o.severity, {"warning", "error"}));
    if (o.since)
        filter.since = parse_date_option("--since", *o.since, today);
    filter.clinicians = require_clinicians(o.clinicians);
    return filter;
}

// The records to check, in id order without repeats: those named (each must
// exist), else every record (of which only the active are reported).
std::vector<std::string> records_to_check(Store& store, const std::vector<std::string>& named) {
    std::vector<std::string> ids = named;
    for (const auto& id : ids)
        store.require_exists(id);
    if (ids.empty())
        ids = store.ids();
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

// Temporary files that writers which died left behind: of the records in
// `ids` (sorted), or any when `all`. `locked`: the caller holds the lock, so
// no writer is half-way through its file; otherwise the lock is probed, and
// nothing is stale while a writer holds it.
std::vector<TempFile> stale_temp_files(const Store& store, const std::vector<std::string>& ids,
                                       bool all, bool locked) {
    // Listed before the lock is probed: a file that was a write in progress
    // then is gone once the lock is seen free, so what is still there after
    // that was left by a writer that died.
    std::vector<TempFile> temps = store.temp_files();
    std::vector<TempFile> stale;
    if (!locked && store.writer_active())
        return stale;
    for (const TempFile& t : temps) {
        if (!all && (!t.patient || !std::binary_search(ids.begin(), ids.end(), *t.patient)))
            continue;
        if (!locked && !Store::temp_exists(t))
            continue;
        stale.push_back(t);
    }
    return stale;
}

// What check finds about the directory itself.
struct DirectoryCheck {
    std::vector<FileFinding> findings;
    std::vector<std::string> removed; // temporary files --clean removed
};

// Modes that let others read health records, and temporary files a killed
// write left behind (docs/rules.md): reported, or with `clean` removed under
// the lock.
DirectoryCheck check_directory(const Context& ctx, Store& store,
                               const std::vector<std::string>& ids, bool all, bool clean) {
    DirectoryCheck d;
    d.findings = permission_findings(store, ids);
    if (clean) {
        Lock lock = store.lock(ctx.wait_seconds);
        for (const TempFile& t : stale_temp_files(store, ids, all, true)) {
            Store::remove_temp(t);
            d.removed.push_back(t.shown);
        }
        // The record cache too; this run neither reads nor writes it, and
        // the next command that reads many records builds it anew.
        for (std::string& name : store.remove_cache())
            d.removed.push_back(std::move(name));
        store.use_cache(false);
    } else {
        for (const TempFile& t : stale_temp_files(store, ids, all, false))
            d.findings.push_back(stale_temp_finding(t));
    }
    return d;
}

struct PatientsChecked {
    bool invalid = false; // a record could not be read
    bool errors = false;  // a finding at error severity was reported
};

// Loads and assesses the records on worker threads and hands each to
// `writer` in id order, its findings filtered; only a few records are held
// at a time. `all`: only active patients are reported.
PatientsChecked check_patients(const Context& ctx, const Store& store, const Program& program,
                               const std::vector<std::string>& ids, bool all,
                               const FindingFilter& filter, Progress& progress,
                               CheckWriter& writer) {
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
    PatientsChecked result;
    store.for_each_record(ids, ctx.jobs, work, [&](Checked& checked) {
        progress.step();
        const Store::Loaded& loaded = checked.loaded;
        if (loaded.error) {
            // A broken file has no clinician to go by: it is reported to
            // the whole clinic, not in a clinician's caseload.
            if (!filter.clinicians.empty() ||
                !filter.selected(invalid_record_finding(*loaded.error)))
                return;
            result.invalid = true;
            writer.unreadable(loaded.id, *loaded.error);
            return;
        }
        Assessment& a = *checked.assessment;
        if ((all && a.status != Status::active) || !filter.patient(*loaded.record))
            return;
        a.findings.erase(std::remove_if(a.findings.begin(), a.findings.end(),
                                        [&](const Finding& f) {
                                            return !filter.selected(f) || !filter.recent(f);
                                        }),
                         a.findings.end());
        for (const auto& f : a.findings)
            result.errors = result.errors || f.severity == Severity::error;
        writer.patient(*loaded.record, a);
    });
    return result;
}

int check(const CheckOptions& o, Context& ctx) {
    const FindingFilter filter = read_options(o, ctx.today);
    Store& store = ctx.store();
    const Program& program = store.program();
    const bool all = o.ids.empty();
    const std::vector<std::string> ids = records_to_check(store, o.ids);
    DirectoryCheck directory = check_directory(ctx, store, ids, all, o.clean);
    std::erase_if(directory.findings,
                  [&](const FileFinding& ff) { return !filter.selected(ff.finding); });

    Progress progress(*ctx.err, ctx.stderr_tty && !ctx.quiet, "checking", ids.size());
    std::unique_ptr<CheckWriter> writer =
        ctx.format == Format::json ? check_json_writer(*ctx.out, ctx.today)
                                   : check_text_writer(*ctx.out, ctx.style, ctx.quiet, &progress);
    writer->directory(directory.findings, directory.removed);
    PatientsChecked checked =
        check_patients(ctx, store, program, ids, all, filter, progress, *writer);
    progress.clear();
    writer->finish();
    return checked.invalid ? exit_data : checked.errors ? exit_refused : exit_ok;
}

} // namespace

CommandSpec check_command() {
    return {"check", "Reports",
            "Check plans against the program's rules; silent when all is well", Access::read,
            {Format::text, Format::json}, "iop check --severity error",
            [](Args& app) -> Runner {
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
                add_clinician_option(app, o->clinicians);
                app.add_flag("--clean", o->clean,
                             "Remove temporary files left by interrupted writes and the record "
                             "cache (takes the lock)");
                return [o](Context& ctx) { return check(*o, ctx); };
            }};
}

} // namespace iop
