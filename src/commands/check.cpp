#include "commands/common.hpp"

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
};

int check(const CheckOptions& o, Context& ctx) {
    for (const auto& id : o.ids)
        require_valid_id(id);
    for (const auto& r : o.rules)
        require_choice("--rule", r, rule_ids());
    Severity min_severity =
        *parse_severity(require_choice("--severity", o.severity, {"warning", "error"}));
    auto selected = [&](const Finding& f) {
        return f.severity >= min_severity &&
               (o.rules.empty() || std::find(o.rules.begin(), o.rules.end(), f.rule) != o.rules.end());
    };

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
                                        [&](const Finding& f) { return !selected(f); }),
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
    if (ctx.format == Format::json)
        write_json(*ctx.out, {{"today", format_date(ctx.today)}, {"patients", patients}});
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
                return [o](Context& ctx) { return check(*o, ctx); };
            }};
}

} // namespace iop
