#include "commands/common.hpp"

#include "iop/calendar.hpp"
#include "iop/csv.hpp"
#include "iop/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <variant>

namespace iop {

Store& Context::store() {
    if (!store_) {
        store_.emplace(Store::discover(dir_option, env_dir, cwd));
        if (verbose)
            store_->set_verbose(err);
        if (lock_on_open)
            lock_.emplace(store_->lock(wait_seconds));
    }
    return *store_;
}

namespace {

// "; write 2025-10-20" after a date written another way, where one can be told.
std::string suggested_date(const std::string& value) {
    auto s = date_suggestion(trim(value));
    return s ? "; " + *s : "";
}

} // namespace

Date parse_date_option(std::string_view option, const std::string& value) {
    auto d = parse_date(value);
    if (!d)
        throw UsageError(fmt::format("{} '{}' is not a valid date: expected YYYY-MM-DD{}", option,
                                     excerpt(value), suggested_date(value)));
    if (!plausible_date(*d))
        throw UsageError(fmt::format("{} {} is out of range: dates are {} to {}", option, value,
                                     format_date(min_date), format_date(max_date)));
    return *d;
}

Date parse_date_option(std::string_view option, const std::string& value, Date today) {
    auto d = parse_date_word(value, today);
    if (!d)
        throw UsageError(fmt::format("{} '{}' is not a valid date: expected YYYY-MM-DD, today, "
                                     "yesterday or a weekday name (mon ... sun){}",
                                     option, excerpt(value), suggested_date(value)));
    if (!plausible_date(*d))
        throw UsageError(fmt::format("{} {} is out of range: dates are {} to {}", option, value,
                                     format_date(min_date), format_date(max_date)));
    return *d;
}

bool in_caseload(const std::vector<std::string>& names, std::string_view clinician) {
    if (names.empty())
        return true;
    auto lower = [](unsigned char c) { return std::tolower(c); };
    return std::any_of(names.begin(), names.end(), [&](const std::string& name) {
        return name.size() == clinician.size() &&
               std::equal(name.begin(), name.end(), clinician.begin(),
                          [&](char a, char b) { return lower(a) == lower(b); });
    });
}

std::vector<std::string> require_clinicians(const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& c : names)
        out.push_back(require_text("--clinician", c));
    return out;
}

void add_clinician_option(Args& app, std::vector<std::string>& target) {
    app.add_option("--clinician", target,
                   "Only the patients of this clinician (repeatable, any case)")
        ->type_name("NAME");
}

const ValueCheck& not_empty() {
    static const ValueCheck check = [](std::string& v) {
        return v.empty() ? std::string("the value is empty") : std::string();
    };
    return check;
}

std::string require_choice(std::string_view option, const std::string& value,
                           const std::vector<std::string>& choices) {
    for (const auto& c : choices)
        if (c == value)
            return value;
    throw UsageError(fmt::format("{} '{}' is not valid{}; valid values: {}", option, excerpt(value),
                                 did_you_mean(value, choices), join(choices)));
}

std::string require_text(std::string_view option, const std::string& value, Lines lines) {
    if (value.empty())
        return value;
    std::string text;
    if (lines == Lines::many) { // a spreadsheet's CRLF in a cell is a line break
        text.reserve(value.size());
        for (std::size_t i = 0; i < value.size(); ++i)
            if (!(value[i] == '\r' && i + 1 < value.size() && value[i + 1] == '\n'))
                text += value[i];
    } else {
        text = value;
    }
    if (auto problem = free_text_problem(text, lines))
        throw UsageError(fmt::format("{} {}", option, *problem));
    return text;
}

std::string require_item(std::string_view option, const std::string& value) {
    if (auto problem = list_item_problem(value))
        throw UsageError(fmt::format("{} {}", option, *problem));
    return value;
}

const ValueCheck& whole_number() {
    static const ValueCheck check = [](std::string& value) {
        if (value.empty())
            return std::string(); // one_value_a_use's check says so
        std::size_t sign = !value.empty() && value[0] == '-' ? 1 : 0;
        std::size_t first = value.find_first_not_of('0', sign);
        bool digits = value.size() > sign && value.size() - sign <= 9 &&
                      std::all_of(value.begin() + static_cast<std::ptrdiff_t>(sign), value.end(),
                                  [](char c) { return c >= '0' && c <= '9'; });
        if (!digits)
            return fmt::format("'{}' is not a whole number like 12", excerpt(value));
        value = first == std::string::npos ? "0" : value.substr(0, sign) + value.substr(first);
        return std::string();
    };
    return check;
}

int plan_bound(const Program& p, std::string_view key, int value, Naming naming) {
    int lo = 0, hi = max_sessions_per_week;
    if (key == "weeks") {
        lo = p.weeks.min;
        hi = p.weeks.max;
    } else if (key == "groups_per_week") {
        lo = p.groups_per_week.min;
        hi = p.groups_per_week.max;
    }
    if (value < lo || value > hi)
        throw UsageError(fmt::format("{} {} is outside the program's bounds {}..{}",
                                     value_name(naming, key), value, lo, hi));
    return value;
}

LoadedRecord load_active(Context& ctx, const std::string& id) {
    LoadedRecord loaded = load_for_entry(ctx, id);
    require_active(loaded.record, ctx.store().program());
    return loaded;
}

LoadedRecord load_for_entry(Context& ctx, const std::string& id) {
    LoadedRecord loaded;
    loaded.record = ctx.store().load(id, &loaded.text);
    return loaded;
}

Date entry_date(const Context& ctx, const Record& record, const std::optional<std::string>& date) {
    return entry_date(record, ctx.today, date, Naming::option);
}

LoadedRecord load_for_session(Context& ctx, const std::string& id, Session& session,
                              const std::optional<std::string>& date, bool allow_duplicate) {
    LoadedRecord loaded = load_for_entry(ctx, id);
    const Record& rec = loaded.record;
    session.date = entry_date(ctx, rec, date);
    if (!allow_duplicate) {
        if (const Session* prev = identical_session(rec, session))
            throw Refused(fmt::format(
                "{} already holds this {} {} session on {} ({}); add --allow-duplicate to "
                "record a second one",
                format_location(rec.file, prev->pos), to_string(session.status),
                to_string(session.kind), format_date(session.date),
                session.topic.empty() ? "no topic" : "topic " + session.topic));
    }
    return loaded;
}

std::string appended_entry(Context& ctx, const LoadedRecord& loaded, Entry& entry) {
    // Late entries: accepted up to the end of treatment (SPEC section 11).
    require_accepts(loaded.record, ctx.store().program(), entry);
    EntryMeta& m = meta(entry);
    m.recorded_by = ctx.user;
    m.recorded_at = ctx.now;
    const std::string& id = loaded.record.header.id;
    std::string content = Store::appended(loaded.text, render_entry(entry));
    // Never write a file iop could not read back.
    Record after = parse_record(content, Store::shown_path(id));
    if (after.journal.size() + after.voided.size() !=
        loaded.record.journal.size() + loaded.record.voided.size() + 1)
        throw IoError(fmt::format("internal error: the entry for {} did not read back; nothing "
                                  "was written",
                                  Store::shown_path(id)));
    return content;
}

void append_entry(Context& ctx, const LoadedRecord& loaded, Entry entry) {
    const std::string content = appended_entry(ctx, loaded, entry);
    const std::string& id = loaded.record.header.id;
    Store& store = ctx.store();
    store.replace_record(id, content);
    store.describe_change(entry_subject(id, entry));
}

// ---------------------------------------------------------------- commit subjects

namespace {

template <class... Ts> struct overloaded : Ts... { using Ts::operator()...; };
template <class... Ts> overloaded(Ts...) -> overloaded<Ts...>;

std::string plan_keys(const PlanChange& c) {
    std::vector<std::string> parts;
    if (c.weeks)
        parts.push_back(fmt::format("weeks {}", *c.weeks));
    if (c.groups_per_week)
        parts.push_back(fmt::format("groups_per_week {}", *c.groups_per_week));
    if (c.individual_per_week)
        parts.push_back(fmt::format("individual_per_week {}", *c.individual_per_week));
    if (c.family_per_week)
        parts.push_back(fmt::format("family_per_week {}", *c.family_per_week));
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : ", ") + p;
    return out;
}

} // namespace

std::string entry_subject(std::string_view id, const Entry& entry) {
    std::string day = format_date(meta(entry).date);
    // A topic or reason from a hand-edited program.toml is shown escaped.
    return escaped(std::visit(
        overloaded{
            [&](const Session& s) {
                std::string out = fmt::format("attend {}: {}", id, to_string(s.kind));
                if (!s.topic.empty())
                    out += fmt::format(", {}", s.topic);
                out += ", " + day;
                if (s.status != SessionStatus::attended)
                    out += fmt::format(", {}", to_string(s.status));
                return out;
            },
            [&](const Screen& s) {
                return fmt::format("screen {}: {}, {}", id, to_string(s.result), day);
            },
            [&](const Medication& m) {
                // No drug name: a log is shown more widely than a record.
                return fmt::format("med {}: {}, {}", id, to_string(m.action), day);
            },
            [&](const Event& e) {
                switch (e.type) {
                case EventType::plan_change:
                    return fmt::format("plan {}: change ({}), {}", id, plan_keys(e.plan), day);
                case EventType::plan_review:
                    return fmt::format("plan {}: review, {}", id, day);
                case EventType::aftercare:
                    return fmt::format("aftercare {}: {}", id, day);
                case EventType::graduated:
                    return fmt::format("graduate {}: {}{}", id, e.forced ? "forced, " : "", day);
                case EventType::discharged:
                    return fmt::format("discharge {}: {}, {}", id, e.reason, day);
                case EventType::void_:
                    return fmt::format("void {}: {}, {}", id, e.entry, day);
                case EventType::amend:
                    return fmt::format("amend {}: {}, {}", id, e.amend.keys(), day);
                case EventType::signature:
                    return fmt::format("sign {}: {}{}, plan version {}, {}", id,
                                       to_string(e.role), e.declined ? " declined" : "",
                                       e.plan_version, day);
                case EventType::placement:
                    return fmt::format("asam {}: keep level, {}", id, day);
                case EventType::certification:
                    return fmt::format("certify {}: {}", id, day);
                case EventType::note:
                    break;
                }
                return fmt::format("note {}: {}", id, day);
            },
            // Refs only: a goal's words stay in the record, out of git's log.
            [&](const Goal& g) {
                return fmt::format("goal {}: {} {}, {}", id, to_string(g.action), g.ref, day);
            },
            [&](const Objective& o) {
                return fmt::format("objective {}: {} {}, {}", id, to_string(o.action), o.ref, day);
            },
            [&](const AsamAssessment& a) {
                return fmt::format("asam {}: {}{}", id, a.level.empty() ? "" : "level " + a.level + ", ",
                                   day);
            },
            // Payer and number are billing data: they stay in the record.
            [&](const Authorization& a) {
                return fmt::format("auth {}: {} to {}, {} {}", id, format_date(a.from),
                                   format_date(a.to), a.units,
                                   a.units == 1 ? to_string(a.unit) : std::string(to_string(a.unit)) + "s");
            },
        },
        entry));
}

std::string enroll_subject(const Header& h) {
    return fmt::format("enroll {}: from {}, {} weeks", h.id, h.enrolled, h.plan.weeks);
}

std::string import_subject(std::string_view file, std::string_view summary) {
    std::string shown = file == "-" ? "stdin" : std::filesystem::path(file).filename().string();
    if (shown.empty())
        shown = std::string(file);
    // A file name is anyone's text: "a\x1b[31m.csv" goes in escaped.
    return fmt::format("import {}: {}", escaped(shown), summary);
}

std::string init_subject() {
    return "init: records directory with the default program";
}

// ---------------------------------------------------------------- the treatment plan

namespace {

std::string typed_ref(std::string_view what, const std::string& text, bool objective) {
    std::string ref = text;
    if (!ref.empty() && ref[0] == 'g')
        ref[0] = 'G';
    if (objective ? valid_objective_ref(ref) : valid_goal_ref(ref))
        return ref;
    throw UsageError(fmt::format("{} '{}' is not {} reference such as {}{}", what, excerpt(text),
                                 objective ? "an objective" : "a goal",
                                 objective ? "G1.2 (its goal, a dot, a number)" : "G1",
                                 objective ? "; `iop show ID` lists them" : ""));
}

} // namespace

std::string typed_goal_ref(std::string_view what, const std::string& text) {
    return typed_ref(what, text, false);
}

std::string typed_objective_ref(std::string_view what, const std::string& text) {
    return typed_ref(what, text, true);
}

std::optional<std::string> plan_text(std::string_view option,
                                     const std::optional<std::string>& value) {
    if (!value)
        return std::nullopt;
    std::string text = require_text(option, *value, Lines::many);
    if (text.empty())
        throw UsageError(fmt::format("{} is empty", option));
    return text;
}

const GoalState& require_goal(const Record& rec, const TreatmentPlan& plan,
                              const std::string& ref) {
    if (const GoalState* g = plan.find_goal(ref))
        return *g;
    std::vector<std::string> refs;
    for (const GoalState& g : plan.goals)
        refs.push_back(g.ref);
    throw Refused(fmt::format("{} has no goal {}{}; `iop show {}` lists the treatment plan",
                              rec.header.id, ref, did_you_mean(ref, refs), rec.header.id));
}

const ObjectiveState& require_objective(const Record& rec, const TreatmentPlan& plan,
                                        const std::string& ref) {
    if (const ObjectiveState* o = plan.find_objective(ref))
        return *o;
    std::vector<std::string> refs;
    for (const GoalState& g : plan.goals)
        for (const ObjectiveState& o : g.objectives)
            refs.push_back(o.ref);
    throw Refused(fmt::format("{} has no objective {}{}; `iop show {}` lists the treatment plan",
                              rec.header.id, ref, did_you_mean(ref, refs), rec.header.id));
}

std::string closed_as(const TreatmentPlan& plan, const ObjectiveState& o) {
    const std::string day = o.closed ? format_date(*o.closed) : std::string("?");
    if (o.status == "achieved" || o.status == "not-achieved" || o.status == "dropped")
        return fmt::format("{} on {}", o.status, day);
    const std::string goal_ref = o.ref.substr(0, o.ref.rfind('.'));
    const GoalState* g = plan.find_goal(goal_ref);
    return fmt::format("closed with goal {} ({}) on {}", goal_ref, g ? g->status : "closed", day);
}

std::vector<std::string> session_objectives(std::string_view option,
                                            const std::vector<std::string>& refs) {
    std::vector<std::string> out;
    for (const std::string& text : refs) {
        std::string ref = typed_objective_ref(option, text);
        if (std::find(out.begin(), out.end(), ref) != out.end())
            throw UsageError(
                fmt::format("{} {} is given twice; name each objective once", option, ref));
        out.push_back(std::move(ref));
    }
    return out;
}

void require_session_objectives(const Record& rec, const Session& s) {
    if (s.objectives.empty())
        return;
    const TreatmentPlan plan = treatment_plan(rec);
    for (const std::string& ref : s.objectives) {
        const ObjectiveState& o = require_objective(rec, plan, ref);
        if (s.date < o.added)
            throw Refused(fmt::format("objective {} of {} was added on {}, after the session's "
                                      "date ({})",
                                      ref, rec.header.id, format_date(o.added),
                                      format_date(s.date)));
        if (o.closed && *o.closed < s.date)
            throw Refused(fmt::format("objective {} of {} was {}, before the session's date "
                                      "({}); a session addresses open objectives",
                                      ref, rec.header.id, closed_as(plan, o), format_date(s.date)));
    }
}

void confirm(Context& ctx, const std::string& line) {
    if (!ctx.quiet)
        *ctx.out << line << '\n';
}

} // namespace iop
