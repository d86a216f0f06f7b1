// `iop group` (SPEC section 11): one group session for many patients, all
// or none. Every patient is checked as `attend` checks it, every problem is
// reported naming its patient, and only then are the files written, in one
// transaction under the one lock, as one change in the history.
#include "commands/common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace iop {

namespace {

struct GroupOptions {
    std::string topic;
    std::optional<std::string> date;
    std::optional<std::string> hours;
    std::string note;
    std::vector<std::string> attended;
    std::vector<std::string> absent;
    std::vector<std::string> excused;
    bool allow_duplicate = false;
    std::vector<std::string> objectives; // ID:REF
};

// One patient of the group, in the order given: the attended, the absent,
// then the excused.
struct Member {
    std::string id;
    SessionStatus status;
};

// Every patient named, each once: an id listed twice is a usage error.
std::vector<Member> members(const GroupOptions& o) {
    std::vector<Member> out;
    std::set<std::string> seen;
    auto add = [&](const std::vector<std::string>& ids, SessionStatus status) {
        for (const auto& id : ids) {
            require_valid_id(id);
            if (!seen.insert(id).second)
                throw UsageError(fmt::format("{} is listed twice; name each patient once", id));
            out.push_back({id, status});
        }
    };
    add(o.attended, SessionStatus::attended);
    add(o.absent, SessionStatus::absent);
    add(o.excused, SessionStatus::excused);
    if (out.empty())
        throw UsageError("no patients given: name the patients who attended (ID...), and any "
                         "--absent ID or --excused ID");
    return out;
}

// The --objective ID:REF values by patient: each ID one who attended, each
// objective once for a patient.
std::map<std::string, std::vector<std::string>> objectives_by_patient(const GroupOptions& o) {
    std::map<std::string, std::vector<std::string>> refs;
    for (const std::string& pair : o.objectives) {
        const auto colon = pair.find(':');
        if (colon == std::string::npos)
            throw UsageError(fmt::format("--objective '{}' is not ID:REF, a patient and an "
                                         "objective such as P-0001:G1.2",
                                         excerpt(pair)));
        const std::string id = pair.substr(0, colon);
        require_valid_id(id);
        if (std::find(o.attended.begin(), o.attended.end(), id) == o.attended.end())
            throw UsageError(fmt::format("--objective {}: {} is not among the patients who "
                                         "attended; only an attended session addresses "
                                         "objectives",
                                         excerpt(pair), id));
        refs[id].push_back(pair.substr(colon + 1));
    }
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [id, list] : refs)
        out[id] = session_objectives(fmt::format("--objective {}:", id), list);
    return out;
}

int group(const GroupOptions& o, Context& ctx) {
    const std::vector<Member> group = members(o);
    const std::map<std::string, std::vector<std::string>> objectives = objectives_by_patient(o);
    SessionInput in;
    in.kind = "group";
    in.topic = o.topic;
    in.hours = o.hours;
    in.note = o.note;
    Session session = session_fields(in, Naming::option);
    session_program(session, in, ctx.store().program(), Naming::option);
    // A date that is wrong for everyone is one usage error, not one a patient.
    const Date day = entry_day(ctx.today, o.date, Naming::option);

    // Every patient checked and the new file built before anything is written.
    std::vector<std::pair<std::string, std::string>> contents; // id, new file
    std::vector<std::string> problems;
    int code = exit_refused;
    for (const Member& m : group) {
        Session s = session;
        s.status = m.status;
        if (auto it = objectives.find(m.id); it != objectives.end())
            s.objectives = it->second;
        try {
            const LoadedRecord loaded = load_for_session(ctx, m.id, s, o.date, o.allow_duplicate);
            require_session_objectives(loaded.record, s);
            Entry entry = s;
            contents.emplace_back(m.id, appended_entry(ctx, loaded, entry));
        } catch (const DataError& e) {
            problems.push_back(fmt::format("{}: {}", m.id, e.what()));
            code = exit_data;
        } catch (const IoError&) {
            throw; // not the patient's problem: nothing is written
        } catch (const Error& e) {
            problems.push_back(fmt::format("{}: {}", m.id, e.what()));
        }
    }
    const std::string patients =
        plural(static_cast<long long>(group.size()), "patient", "patients");
    if (!problems.empty()) {
        for (const auto& p : problems)
            *ctx.err << "iop: error: " << escaped(p, Lines::many) << '\n';
        throw Error(code, fmt::format("{} of {} cannot be recorded; nothing was written",
                                      problems.size(), patients));
    }
    Store& store = ctx.store();
    Transaction tx;
    for (const auto& [id, content] : contents)
        tx.stage(store.record_path(id), content, Store::shown_path(id));
    store.commit(tx);
    // A topic from a hand-edited program.toml is shown escaped.
    const std::string topic = escaped(session.topic);
    store.describe_change(fmt::format("group {} {}: {}", topic, format_date(day), patients));
    auto count = [&](SessionStatus status) {
        return std::count_if(group.begin(), group.end(),
                             [&](const Member& m) { return m.status == status; });
    };
    confirm(ctx, fmt::format("recorded group session on {} ({}) for {}: {} attended, {} absent, "
                             "{} excused",
                             format_date(day), topic, patients, count(SessionStatus::attended),
                             count(SessionStatus::absent), count(SessionStatus::excused)));
    return exit_ok;
}

} // namespace

CommandSpec group_command() {
    return {
        "group",
        "Records",
        "Record one group session for many patients at once (all or none)",
        Access::write,
        {Format::text},
        "iop group --topic illness --date mon P-0001 P-0002 --absent P-0003 --excused P-0004",
        [](Args& app) -> Runner {
            auto o = std::make_shared<GroupOptions>();
            app.add_option("ids", o->attended, "Patients who attended")->type_name("ID...");
            app.add_option("--topic", o->topic, "Curriculum topic id")
                ->required()
                ->type_name("TOPIC");
            app.add_option("--date", o->date, "Day of the session (default today)")
                ->type_name("DATE");
            app.add_option("--hours", o->hours,
                           "Length in hours (default: the program's group_hours)")
                ->check(not_empty())
                ->type_name("H");
            app.add_option("--absent", o->absent, "A patient who did not attend (repeatable)")
                ->type_name("ID");
            app.add_option("--excused", o->excused,
                           "A patient excused from the session (repeatable)")
                ->type_name("ID");
            app.add_option("--note", o->note, "A short note, for every patient")->type_name("TEXT");
            app.add_flag("--allow-duplicate", o->allow_duplicate,
                         "Record even where an identical session exists");
            app.add_option("--objective", o->objectives,
                           "An objective a patient who attended addressed, as ID:REF "
                           "(P-0001:G1.2; repeatable)")
                ->type_name("ID:REF");
            return [o](Context& ctx) { return group(*o, ctx); };
        }};
}

} // namespace iop
