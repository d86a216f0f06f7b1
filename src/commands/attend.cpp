#include "commands/common.hpp"

#include "iop/suggest.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct AttendOptions {
    std::string id;
    std::string kind;
    std::optional<std::string> topic;
    std::optional<std::string> date;
    std::optional<double> hours;
    bool absent = false;
    bool excused = false;
    std::string note;
    bool allow_duplicate = false;
};

double default_hours(const Program& p, SessionKind kind) {
    switch (kind) {
    case SessionKind::group: return p.group_hours;
    case SessionKind::individual: return p.individual_hours;
    case SessionKind::family: return p.family_hours;
    }
    return p.group_hours;
}

int attend(const AttendOptions& o, Context& ctx) {
    require_valid_id(o.id);
    Session s;
    s.kind = *parse_session_kind(require_choice("--kind", o.kind, {"group", "individual", "family"}));
    s.status = o.absent ? SessionStatus::absent : o.excused ? SessionStatus::excused
                                                            : SessionStatus::attended;
    s.note = require_text("--note", o.note);
    if (o.hours && !(*o.hours > 0 && *o.hours <= max_session_hours))
        throw UsageError(fmt::format("--hours {} is out of range: a session lasts more than 0 and "
                                     "at most {} hours",
                                     *o.hours, max_session_hours));

    Store& store = ctx.store();
    const Program& program = store.program();
    if (o.topic) {
        if (!program.find_topic(*o.topic))
            throw UsageError(fmt::format("unknown topic '{}'{}; topics in program.toml: {}",
                                         *o.topic, did_you_mean(*o.topic, program.topic_ids()),
                                         join(program.topic_ids())));
        s.topic = *o.topic;
    } else if (s.kind == SessionKind::group) {
        throw UsageError(fmt::format("a group session needs --topic; topics in program.toml: {}",
                                     join(program.topic_ids())));
    }
    s.hours = o.hours.value_or(default_hours(program, s.kind));

    Record rec = load_active(ctx, o.id);
    s.date = entry_date(ctx, rec, o.date);
    if (!o.allow_duplicate) {
        for (const auto& e : rec.journal) {
            auto prev = std::get_if<Session>(&e);
            if (prev && prev->date == s.date && prev->kind == s.kind && prev->topic == s.topic &&
                prev->status == s.status)
                throw Refused(fmt::format(
                    "{} already holds this {} {} session on {} ({}); add --allow-duplicate to "
                    "record a second one",
                    format_location(rec.file, prev->pos), to_string(s.status), to_string(s.kind),
                    format_date(s.date), s.topic.empty() ? "no topic" : "topic " + s.topic));
        }
    }
    append_entry(ctx, rec, s);
    confirm(ctx, fmt::format("recorded {} {} session for {} on {}{}, {} h", to_string(s.status),
                             to_string(s.kind), o.id, format_date(s.date),
                             s.topic.empty() ? "" : " (" + s.topic + ")", format_hours(s.hours)));
    return exit_ok;
}

} // namespace

CommandSpec attend_command() {
    return {"attend", "Records", "Record a therapy session (group, individual or family)",
            Access::write, {Format::text},
            "iop attend P-0001 --kind group --topic illness --date 2026-11-03",
            [](CLI::App& app) -> Runner {
                auto o = std::make_shared<AttendOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                app.add_option("--kind", o->kind, "group, individual or family")
                    ->required()
                    ->type_name("KIND");
                app.add_option("--topic", o->topic, "Curriculum topic id (required for group)")
                    ->type_name("TOPIC");
                app.add_option("--date", o->date, "Day of the session (default today)")
                    ->type_name("DATE");
                app.add_option("--hours", o->hours,
                               "Length in hours (default from program.toml for the kind)")
                    ->type_name("H");
                auto absent = app.add_flag("--absent", o->absent, "The patient did not attend");
                auto excused = app.add_flag("--excused", o->excused,
                                            "Excused absence: counts neither for nor against");
                absent->excludes(excused);
                app.add_option("--note", o->note, "A short note")->type_name("TEXT");
                app.add_flag("--allow-duplicate", o->allow_duplicate,
                             "Record even if an identical session exists");
                return [o](Context& ctx) { return attend(*o, ctx); };
            }};
}

} // namespace iop
