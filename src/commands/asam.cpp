// `iop asam ID --d1 N ... --d6 N [--level L] [--note ..] [--date D]` and
// `iop asam ID --keep --reason TEXT [--date D]` (SPEC section 13): appends an
// [[assessment]] kind = "asam" with the six ASAM dimensions rated 0-4 and the
// level of care recommended, or an [[event]] type = "placement" recording why
// the patient stays at this level although an assessment recommends another.
// What the command prints names the date and the level, never the note or
// the reason.
#include "commands/common.hpp"

#include "iop/authorization.hpp"
#include "iop/engine.hpp"
#include "iop/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace iop {

namespace {

struct AsamOptions {
    std::string id;
    std::array<std::optional<int>, 6> ratings;
    std::optional<std::string> level;
    std::optional<std::string> note;
    bool keep = false;
    std::optional<std::string> reason;
    std::optional<std::string> date;
};

std::string rating_option(std::size_t i) {
    return fmt::format("--d{}", i + 1);
}

// --keep: the level-of-care finding it answers must be open on its date.
void require_level_to_keep(Context& ctx, const Record& rec, Date day) {
    const Assessment a = assess(ctx.store().program(), rec, day);
    const bool open = std::any_of(a.findings.begin(), a.findings.end(),
                                  [](const Finding& f) { return f.rule == "level-of-care"; });
    if (open)
        return;
    const std::string& id = rec.header.id;
    const AsamAssessment* latest = latest_asam(rec, day);
    if (!latest)
        throw Refused(fmt::format("{} has no ASAM assessment on or before {}; --keep answers an "
                                  "assessment that recommends another level of care",
                                  id, format_date(day)));
    if (latest->level.empty() || latest->level == iop_level)
        throw Refused(fmt::format("the ASAM assessment of {} on {} recommends {}: there is no "
                                  "other level of care to answer with --keep",
                                  id, format_date(latest->date),
                                  latest->level.empty() ? std::string("no level")
                                                        : "level " + latest->level));
    std::optional<Date> kept;
    for (const Entry& entry : rec.journal)
        if (const Event* e = std::get_if<Event>(&entry);
            e && e->type == EventType::placement && latest->date <= e->date && e->date <= day)
            kept = e->date;
    throw Refused(fmt::format("the ASAM assessment of {} on {} (level {}) is answered already{}; "
                              "see iop show {}",
                              id, format_date(latest->date), latest->level,
                              kept ? " by a placement on " + format_date(*kept) : std::string(),
                              id));
}

int keep(const AsamOptions& o, Context& ctx) {
    Event e;
    e.type = EventType::placement;
    e.reason = plan_text("--reason", o.reason).value_or("");
    const LoadedRecord loaded = load_for_entry(ctx, o.id);
    const Record& rec = loaded.record;
    e.date = entry_date(ctx, rec, o.date);
    require_accepts(rec, ctx.store().program(), e); // a late entry: as append_entry checks it
    require_level_to_keep(ctx, rec, e.date);
    const AsamAssessment* latest = latest_asam(rec, e.date);
    append_entry(ctx, loaded, e);
    confirm(ctx, fmt::format("recorded why {} stays at level {} on {} (the assessment of {} "
                             "recommends level {})",
                             o.id, iop_level, format_date(e.date), format_date(latest->date),
                             latest->level));
    return exit_ok;
}

int asam(const AsamOptions& o, Context& ctx) {
    require_valid_id(o.id);
    const bool rated = std::any_of(o.ratings.begin(), o.ratings.end(),
                                   [](const std::optional<int>& r) { return r.has_value(); });
    if (o.keep) {
        if (rated || o.level || o.note)
            throw UsageError("--keep records why the patient stays at this level: it takes "
                             "--reason (and --date) only, not the ratings, --level or --note");
        if (!o.reason)
            throw UsageError("--keep needs --reason TEXT: why the patient stays at this level "
                             "of care");
        return keep(o, ctx);
    }
    if (o.reason)
        throw UsageError("--reason goes with --keep (why the patient stays at this level of "
                         "care)");
    AsamAssessment a;
    std::vector<std::string> missing;
    for (std::size_t i = 0; i < o.ratings.size(); ++i) {
        if (!o.ratings[i]) {
            missing.push_back(rating_option(i));
            continue;
        }
        const int v = *o.ratings[i];
        if (v < 0 || v > 4)
            throw UsageError(fmt::format("{} {} is out of range 0..4 (ASAM dimension {}: {})",
                                         rating_option(i), v, i + 1, asam_dimension_names()[i]));
        a.ratings[i] = v;
    }
    if (!missing.empty())
        throw UsageError(
            fmt::format("an ASAM assessment rates every dimension 0-4: {} missing", join(missing)));
    if (o.level)
        a.level = require_choice("--level", *o.level, asam_levels());
    a.note = plan_text("--note", o.note).value_or("");

    const LoadedRecord loaded = load_for_entry(ctx, o.id);
    const Record& rec = loaded.record;
    a.date = entry_date(ctx, rec, o.date);
    append_entry(ctx, loaded, a);
    const std::string day = format_date(a.date);
    if (a.level.empty())
        confirm(ctx, fmt::format("recorded ASAM assessment of {} on {}: no level recommended", o.id,
                                 day));
    else if (a.level == iop_level)
        confirm(ctx,
                fmt::format("recorded ASAM assessment of {} on {}: level {}", o.id, day, a.level));
    else
        confirm(ctx,
                fmt::format("recorded ASAM assessment of {} on {}: level {}; {} or record "
                            "why not (iop asam {} --keep --reason TEXT)",
                            o.id, day, a.level,
                            std::stod(a.level) > std::stod(std::string(iop_level)) ? "step up"
                                                                                   : "step down",
                            o.id));
    return exit_ok;
}

} // namespace

CommandSpec asam_command() {
    return {"asam",
            "Plan",
            "Record an ASAM assessment (six dimensions, level of care), or why the level stays",
            Access::write,
            {Format::text},
            "iop asam P-0001 --d1 0 --d2 1 --d3 3 --d4 2 --d5 3 --d6 1 --level 2.1",
            [](Args& app) -> Runner {
                auto o = std::make_shared<AsamOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                for (std::size_t i = 0; i < o->ratings.size(); ++i)
                    app.add_option(rating_option(i), o->ratings[i],
                                   fmt::format("Dimension {} rated 0-4: {}", i + 1,
                                               asam_dimension_names()[i]))
                        ->transform(whole_number())
                        ->type_name("N");
                app.add_option("--level", o->level,
                               "The level of care recommended: 0.5, 1, 2.1, 2.5, 3.1, 3.3, 3.5, "
                               "3.7 or 4")
                    ->check(not_empty())
                    ->type_name("ASAM-LEVEL");
                app.add_option("--note", o->note, "A note on the assessment")
                    ->check(not_empty())
                    ->type_name("TEXT");
                app.add_flag("--keep", o->keep,
                             "Record why the patient stays at this level of care (with --reason)");
                app.add_option("--reason", o->reason, "With --keep: why the patient stays")
                    ->check(not_empty())
                    ->type_name("TEXT");
                app.add_option("--date", o->date, "Day of the assessment (default today)")
                    ->type_name("DATE");
                return [o](Context& ctx) { return asam(*o, ctx); };
            }};
}

} // namespace iop
