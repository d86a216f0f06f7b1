#include "commands/common.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct AttendOptions {
    std::string id;
    std::string kind;
    std::optional<std::string> topic;
    std::optional<std::string> date;
    std::optional<std::string> hours;
    bool absent = false;
    bool excused = false;
    std::string note;
    bool allow_duplicate = false;
    std::vector<std::string> objectives;
};

int attend(const AttendOptions& o, Context& ctx) {
    require_valid_id(o.id);
    SessionInput in;
    in.kind = o.kind;
    in.topic = o.topic;
    in.hours = o.hours;
    in.status = o.absent    ? SessionStatus::absent
                : o.excused ? SessionStatus::excused
                            : SessionStatus::attended;
    in.note = o.note;
    Session s = session_fields(in, Naming::option);
    s.objectives = session_objectives("--objective", o.objectives);
    if (!s.objectives.empty() && s.status != SessionStatus::attended)
        throw UsageError(fmt::format("--objective goes with an attended session; an {} session "
                                     "addressed no objective",
                                     to_string(s.status)));
    session_program(s, in, ctx.store().program(), Naming::option);

    const LoadedRecord loaded = load_for_session(ctx, o.id, s, o.date, o.allow_duplicate);
    require_session_objectives(loaded.record, s);
    append_entry(ctx, loaded, s);
    confirm(ctx, fmt::format("recorded {} {} session for {} on {}{}, {} h", to_string(s.status),
                             to_string(s.kind), o.id, format_date(s.date),
                             s.topic.empty() ? "" : " (" + s.topic + ")", format_hours(s.hours)));
    return exit_ok;
}

} // namespace

CommandSpec attend_command() {
    return {"attend", "Records", "Record a therapy session (group, individual or family)",
            Access::write, {Format::text},
            "iop attend P-0001 --kind group --topic illness --date 2026-11-03 --objective G1.1",
            [](Args& app) -> Runner {
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
                    ->check(not_empty())
                    ->type_name("H");
                auto absent = app.add_flag("--absent", o->absent, "The patient did not attend");
                auto excused = app.add_flag("--excused", o->excused,
                                            "Excused absence: counts neither for nor against");
                absent->excludes(excused);
                app.add_option("--note", o->note, "A short note")->type_name("TEXT");
                app.add_flag("--allow-duplicate", o->allow_duplicate,
                             "Record even if an identical session exists");
                app.add_option("--objective", o->objectives,
                               "An objective the session addressed (G1.2; repeatable)")
                    ->type_name("OBJECTIVE");
                return [o](Context& ctx) { return attend(*o, ctx); };
            }};
}

} // namespace iop
