#include "iop/program.hpp"

#include "iop/basics.hpp"
#include "iop/error.hpp"
#include "iop/suggest.hpp"
#include "toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace iop {

const Topic* Program::find_topic(std::string_view id) const {
    for (const auto& t : curriculum)
        if (t.id == id)
            return &t;
    return nullptr;
}

std::vector<std::string> Program::topic_ids() const {
    std::vector<std::string> ids;
    for (const auto& t : curriculum)
        ids.push_back(t.id);
    return ids;
}

Program default_program() {
    Program p;
    p.curriculum = {
        {"illness", "Understanding addiction as an illness", 2, true},
        {"early-recovery", "Early recovery skills: triggers and cravings", 2, true},
        {"shame-guilt", "Coping with shame and guilt", 1, true},
        {"relationships", "Rebuilding relationships, trust and honesty", 2, true},
        {"stress", "Coping and stress-management skills", 2, true},
        {"relapse-prevention", "Relapse prevention", 3, true},
        {"mutual-help", "Sponsors and mutual-help groups", 1, true},
        {"family", "Family education", 1, false},
        {"emotions", "Managing anger and emotions", 1, false},
        {"medication", "Medication and co-occurring conditions", 1, false},
    };
    return p;
}

std::string default_program_toml() {
    std::string out = R"(# The program of this Intensive Outpatient Program (IOP): curriculum and rules.
# iop checks every patient's plan against these values (`iop check`).
# Edit freely; `iop` validates this file on every run and names the line of
# any mistake. Sources: SPEC section 4 of iop; ASAM = ASAM Criteria, Level 2.1;
# TIP 47 = SAMHSA Treatment Improvement Protocol 47 (Substance Abuse:
# Clinical Issues in Intensive Outpatient Treatment); Matrix Model = the
# Matrix Model of intensive outpatient treatment.
schema_version = 1

# Default hours of one session of each kind (Matrix Model; common practice).
group_hours = 3.0
individual_hours = 1.0
family_hours = 1.0

# Individual sessions a week (usually a weekly one-on-one session).
individual_per_week = 1
# At most this many days without an individual session (monthly floor in state rules).
individual_max_gap_days = 30
# Family sessions a week (weekly family therapy is encouraged; 0 = none).
family_per_week = 1
# No more than this many days between services (state rule).
contact_max_gap_days = 3
# Drug screens a week (TIP 47, Matrix Model: weekly drug screen).
screens_per_week = 1
# A screen sent to a lab should have its result within this many days
# (judgement: lab turnaround).
screen_result_days = 7
# Review the treatment plan at least this often (state rules: monthly review).
plan_review_days = 30
# Review each medication at least this often (judgement; a medication's own
# review_days overrides it).
medication_review_days = 30
# Reassess a patient not seen for this many days (Matrix Model: 30 days).
lost_contact_days = 30

# Planned length in weeks: an IOP lasts 3 weeks to 3 months; TIP 47: about 90 days.
[weeks]
min = 3
max = 13
default = 12

# Group therapy sessions a week: 2 to 5; Matrix Model: 3 sessions of 3 hours.
[groups_per_week]
min = 2
max = 5
default = 3

# Attended hours of service a week (ASAM Level 2.1: at least 9 for adults,
# 6 for adolescents under 18; 20 or more is partial hospitalization, Level 2.5).
[hours_per_week]
adult_min = 9
adolescent_min = 6
max = 19

# Graduation criteria.
[graduation]
# Attendance rate of required group and individual sessions (state rule: 90 %).
min_attendance = 0.90
# The last this many drug screens must be negative (judgement).
negative_screens = 2
# An aftercare plan (a sponsor, or outside groups such as AA or NA) is required.
require_aftercare = true
# Every objective of the treatment plan closed (achieved, not achieved or
# dropped), with at least one goal (CARF standard 2.C: measurable,
# time-specific objectives).
require_objectives = true
# The current version of the treatment plan signed by the patient and the
# clinician, and the guardian of an adolescent (state rules: dated client and
# staff signatures). A program.toml without these two keys keeps them off.
require_signed_plan = true

# The individualized treatment plan (iop goal, iop objective, iop sign).
[plan]
# Problems, goals and measurable objectives within this many days of
# admission (state rules: individualized plan within 7 days of admission).
goals_within_days = 7
# Each version of the plan signed within this many days of the change that
# made it (state rules: dated client and staff signatures).
sign_within_days = 7
# Every open objective addressed in a session at least this often
# (judgement: every 2 weeks).
objective_unaddressed_days = 14

# Level of care (ASAM Criteria; TIP 47 continued-stay review): reassess the
# six ASAM dimensions at least this often (iop asam).
[asam]
review_days = 30

# Payer authorizations (iop auth): "insured" (patients with insurance set),
# "always" or "never" need one for every attended session (payer practice: no
# authorization, no payment); warn this many days before one ends (judgement).
[authorization]
required = "insured"
warn_days = 7

# Physician certification (iop certify): Medicare pays for IOP since 2024
# only with a physician's certification, renewed at least every 60 days.
# false, true (every patient) or "medicare" (patients whose insurance names
# Medicare).
[certification]
required = false
recert_days = 60

# The program calendar (common practice): the weekdays the program runs and
# the weekdays it holds groups (mon, tue, wed, thu, fri, sat, sun; group_days
# defaults to the program days). Closures such as holidays are recorded with
# `iop closure add`; a week with a closed group day requires fewer groups and
# hours (docs/rules.md).
[calendar]
program_days = ["mon", "tue", "wed", "thu", "fri"]
group_days = ["mon", "tue", "wed", "thu", "fri"]

# Reminders (iop remind, docs/remind.md). A week's individual, family and
# screen sessions still missing are listed on its last lead_days open program
# days, and a patient ready to graduate from lead_days before the planned end.
[remind]
lead_days = 2

# Storage. When this directory is in a git work tree (see `iop init --git`),
# every iop command that writes commits exactly the files it changed, with a
# message such as "attend P-0001: group, illness, 2026-11-03": git is then the
# audit trail and the way several sites share records (docs/git.md). false
# turns that off (as does the environment variable IOP_NO_GIT=1).
[storage]
git = true

# The curriculum (Matrix Model; TIP 47). `sessions` is the number of group
# sessions on the topic that complete it; core topics are required for
# graduation. Topic ids are what `iop attend --topic` takes.
)";
    for (const auto& t : default_program().curriculum) {
        out += fmt::format("\n[[curriculum]]\nid = {}\ntitle = {}\nsessions = {}\ncore = {}\n",
                           toml_quote(t.id), toml_quote(t.title), t.sessions,
                           t.core ? "true" : "false");
    }
    return out;
}

namespace {

Range load_range(const TableReader& root, std::string_view key, Range range, int lo, int hi) {
    const toml::table* t = root.table(key);
    if (!t)
        return range;
    TableReader r(*t, root.file(), fmt::format("[{}]", key));
    r.reject_unknown({"min", "max", "default"});
    if (auto v = r.bounded("min", lo, hi))
        range.min = *v;
    if (auto v = r.bounded("max", lo, hi))
        range.max = *v;
    if (auto v = r.bounded("default", lo, hi))
        range.default_value = *v;
    if (range.min > range.max)
        r.fail("min", fmt::format("[{}] min {} is greater than max {}", key, range.min, range.max));
    if (range.default_value < range.min || range.default_value > range.max)
        r.fail("default", fmt::format("[{}] default {} is outside {}..{}", key,
                                      range.default_value, range.min, range.max));
    return range;
}

double load_hours(const TableReader& r, std::string_view key, double fallback, double lo,
                  double hi, bool exclusive_low) {
    auto v = r.number(key);
    if (!v)
        return fallback;
    if ((exclusive_low ? *v <= lo : *v < lo) || *v > hi)
        r.fail(key, fmt::format("'{}' is {}, must be {} {} and at most {}", r.name(key), *v,
                                exclusive_low ? "greater than" : "at least", lo, hi));
    return *v;
}

void load_int(const TableReader& r, std::string_view key, int& into, int lo, int hi) {
    if (auto v = r.bounded(key, lo, hi))
        into = *v;
}

std::vector<std::string> day_names(const Weekdays& days) {
    std::vector<std::string> names;
    // Monday first, as a week is read.
    for (unsigned i = 1; i <= 7; ++i)
        if (days[i % 7])
            names.emplace_back(weekday_name(i % 7));
    return names;
}

// [calendar] program_days or group_days: weekday names, each once, not empty.
std::optional<Weekdays> load_weekdays(const TableReader& r, std::string_view key) {
    auto names = r.strings(key);
    if (!names)
        return std::nullopt;
    Weekdays days{};
    for (const auto& name : *names) {
        auto day = parse_weekday(name);
        if (!day)
            r.fail(key, fmt::format(
                            "'{}': '{}' is not a weekday{}; use mon, tue, wed, thu, fri, "
                            "sat or sun",
                            r.name(key), excerpt(name),
                            did_you_mean(name, {"mon", "tue", "wed", "thu", "fri", "sat", "sun"})));
        if (days[*day])
            r.fail(key, fmt::format("'{}' lists {} twice", r.name(key), weekday_name(*day)));
        days[*day] = true;
    }
    if (names->empty())
        r.fail(key, fmt::format("'{}' is empty: name at least one weekday", r.name(key)));
    return days;
}

void load_calendar(const TableReader& root, Program& p) {
    const toml::table* t = root.table("calendar");
    if (!t)
        return;
    TableReader r(*t, root.file(), "[calendar]");
    r.reject_unknown({"program_days", "group_days"});
    if (auto days = load_weekdays(r, "program_days"))
        p.calendar.program_days = *days;
    p.calendar.group_days = load_weekdays(r, "group_days").value_or(p.calendar.program_days);
    Weekdays stray{};
    bool any_stray = false;
    for (std::size_t i = 0; i < 7; ++i) {
        stray[i] = p.calendar.group_days[i] && !p.calendar.program_days[i];
        any_stray = any_stray || stray[i];
    }
    if (any_stray)
        r.fail("group_days",
               fmt::format("[calendar].group_days {} {} (program_days: {}); a group is held "
                           "on a day the program runs",
                           and_list(day_names(stray)),
                           std::count(stray.begin(), stray.end(), true) == 1
                               ? "is not a program day"
                               : "are not program days",
                           join(day_names(p.calendar.program_days))));
    // SPEC section 10: a contact gap shorter than the days the program never
    // runs would fire for every patient every week. Only a program that
    // names its days is held to it: one without [calendar] loads as before.
    const int run = p.calendar.longest_non_program_run();
    if (p.contact_max_gap_days < run) {
        const std::string message =
            fmt::format("contact_max_gap_days {} is shorter than the {} in a row that are "
                        "not program days ([calendar].program_days: {}): every patient "
                        "would break contact-gap every week; raise contact_max_gap_days "
                        "to at least {} or add program days",
                        p.contact_max_gap_days, plural(run, "day", "days"),
                        join(day_names(p.calendar.program_days)), run);
        if (t->get("program_days"))
            r.fail("program_days", message);
        r.fail_here(message);
    }
}

} // namespace

bool plausible_hours(double hours) {
    const double hundredths = hours * 100;
    return hours >= min_session_hours - 1e-9 && hours <= max_session_hours &&
           std::abs(hundredths - std::round(hundredths)) < 1e-6;
}

Program load_program(const toml::table& table, const std::string& file) {
    TableReader root(table, file);
    Program p = default_program();
    root.require_schema_version(program_schema_version);
    root.reject_unknown({"schema_version", "name", "group_hours", "individual_hours",
                         "family_hours", "individual_per_week", "individual_max_gap_days",
                         "family_per_week", "contact_max_gap_days", "screens_per_week",
                         "screen_result_days", "plan_review_days", "medication_review_days",
                         "lost_contact_days", "weeks", "groups_per_week", "hours_per_week",
                         "graduation", "plan", "asam", "authorization",
                         "certification", "calendar", "remind", "storage", "curriculum"});
    root.text("name");

    p.weeks = load_range(root, "weeks", p.weeks, 1, 520);
    p.groups_per_week = load_range(root, "groups_per_week", p.groups_per_week, 0,
                                   max_sessions_per_week);
    p.group_hours = load_hours(root, "group_hours", p.group_hours, 0, max_session_hours, true);
    p.individual_hours =
        load_hours(root, "individual_hours", p.individual_hours, 0, max_session_hours, true);
    p.family_hours = load_hours(root, "family_hours", p.family_hours, 0, max_session_hours, true);
    for (auto [key, hours] : {std::pair<std::string_view, double>{"group_hours", p.group_hours},
                              {"individual_hours", p.individual_hours},
                              {"family_hours", p.family_hours}})
        if (!plausible_hours(hours))
            root.fail(key, fmt::format("'{}' is {}, must be {} to {} in steps of 0.01", key, hours,
                                       min_session_hours, max_session_hours));
    load_int(root, "individual_per_week", p.individual_per_week, 0, max_sessions_per_week);
    load_int(root, "individual_max_gap_days", p.individual_max_gap_days, 1, 3650);
    load_int(root, "family_per_week", p.family_per_week, 0, max_sessions_per_week);
    load_int(root, "contact_max_gap_days", p.contact_max_gap_days, 0, 3650);
    load_int(root, "screens_per_week", p.screens_per_week, 0, max_sessions_per_week);
    load_int(root, "screen_result_days", p.screen_result_days, 1, 3650);
    load_int(root, "plan_review_days", p.plan_review_days, 1, 3650);
    load_int(root, "medication_review_days", p.medication_review_days, 1, 3650);
    load_int(root, "lost_contact_days", p.lost_contact_days, 1, 3650);

    if (const toml::table* t = root.table("hours_per_week")) {
        TableReader r(*t, file, "[hours_per_week]");
        r.reject_unknown({"adult_min", "adolescent_min", "max"});
        p.hours_adult_min = load_hours(r, "adult_min", p.hours_adult_min, 0, 168, false);
        p.hours_adolescent_min =
            load_hours(r, "adolescent_min", p.hours_adolescent_min, 0, 168, false);
        p.hours_max = load_hours(r, "max", p.hours_max, 0, 168, false);
        if (p.hours_adult_min > p.hours_max)
            r.fail("adult_min", fmt::format("[hours_per_week] adult_min {} is greater than max {}",
                                            p.hours_adult_min, p.hours_max));
        if (p.hours_adolescent_min > p.hours_max)
            r.fail("adolescent_min",
                   fmt::format("[hours_per_week] adolescent_min {} is greater than max {}",
                               p.hours_adolescent_min, p.hours_max));
    }

    if (const toml::table* t = root.table("graduation")) {
        TableReader r(*t, file, "[graduation]");
        r.reject_unknown({"min_attendance", "negative_screens", "require_aftercare",
                          "require_objectives", "require_signed_plan"});
        if (auto v = r.number("min_attendance")) {
            if (*v < 0 || *v > 1)
                r.fail("min_attendance",
                       fmt::format("[graduation] min_attendance is {}, must be between 0 and 1", *v));
            p.min_attendance = *v;
        }
        load_int(r, "negative_screens", p.negative_screens, 0, 100);
        if (auto v = r.boolean("require_aftercare"))
            p.require_aftercare = *v;
        // Off unless the program says so (SPEC section 4).
        p.require_objectives = r.boolean("require_objectives").value_or(false);
        p.require_signed_plan = r.boolean("require_signed_plan").value_or(false);
    } else {
        p.require_objectives = false;
        p.require_signed_plan = false;
    }

    if (const toml::table* t = root.table("plan")) {
        TableReader r(*t, file, "[plan]");
        r.reject_unknown({"goals_within_days", "sign_within_days", "objective_unaddressed_days"});
        load_int(r, "goals_within_days", p.plan_goals_within_days, 0, 3650);
        load_int(r, "sign_within_days", p.plan_sign_within_days, 0, 3650);
        load_int(r, "objective_unaddressed_days", p.plan_objective_unaddressed_days, 1, 3650);
    }

    // SPEC section 13; a missing `required` keeps the requirement off
    // (SPEC section 4).
    if (const toml::table* t = root.table("asam")) {
        TableReader r(*t, file, "[asam]");
        r.reject_unknown({"review_days"});
        load_int(r, "review_days", p.asam_review_days, 1, 3650);
    }
    p.authorization_required = Program::Need::never;
    if (const toml::table* t = root.table("authorization")) {
        TableReader r(*t, file, "[authorization]");
        r.reject_unknown({"required", "warn_days"});
        if (auto v = r.string("required")) {
            static const std::vector<std::string> valid = {"insured", "always", "never"};
            if (*v == "insured")
                p.authorization_required = Program::Need::insured;
            else if (*v == "always")
                p.authorization_required = Program::Need::always;
            else if (*v != "never")
                r.fail("required", fmt::format("[authorization] required must be one of: {}{}",
                                               join(valid), did_you_mean(*v, valid)));
        }
        load_int(r, "warn_days", p.authorization_warn_days, 0, 365);
    }
    p.certification_required = Program::Need::never;
    if (const toml::table* t = root.table("certification")) {
        TableReader r(*t, file, "[certification]");
        r.reject_unknown({"required", "recert_days"});
        if (const toml::node* n = r.node("required")) {
            // true, false or "medicare" only: no other type converts (1 is no true).
            if (const auto* b = n->as_boolean())
                p.certification_required = b->get() ? Program::Need::always : Program::Need::never;
            else if (const auto* v = n->as_string(); v && v->get() == "medicare")
                p.certification_required = Program::Need::medicare;
            else
                r.fail("required", "[certification] required must be true, false or \"medicare\"");
        }
        load_int(r, "recert_days", p.certification_recert_days, 1, 3650);
    }

    load_calendar(root, p);

    if (const toml::table* t = root.table("remind")) {
        TableReader r(*t, file, "[remind]");
        r.reject_unknown({"lead_days"});
        load_int(r, "lead_days", p.remind_lead_days, 0, 7);
    }

    if (const toml::table* t = root.table("storage")) {
        TableReader r(*t, file, "[storage]");
        r.reject_unknown({"git"});
        if (auto v = r.boolean("git"))
            p.storage_git = *v;
    }

    if (table.get("curriculum")) {
        p.curriculum.clear();
        std::set<std::string> seen;
        for (const toml::table* t : root.tables("curriculum")) {
            TableReader r(*t, file, "[[curriculum]]");
            r.reject_unknown({"id", "title", "sessions", "core"});
            Topic topic;
            topic.id = r.require_string("id");
            if (!valid_id(topic.id))
                r.fail("id", fmt::format("curriculum id '{}' must match "
                                         "[A-Za-z0-9][A-Za-z0-9._-]{{0,63}}",
                                         excerpt(topic.id)));
            if (!seen.insert(topic.id).second)
                r.fail("id", fmt::format("duplicate curriculum id '{}'", topic.id));
            topic.title = r.text("title").value_or(topic.id);
            if (topic.title.empty())
                r.fail("title", "'[[curriculum]].title' is empty");
            topic.sessions = r.bounded("sessions", 1, 100).value_or(1);
            topic.core = r.boolean("core").value_or(false);
            p.curriculum.push_back(std::move(topic));
        }
        if (p.curriculum.size() > 1000)
            root.fail("curriculum", "the curriculum has more than 1000 topics");
    }
    if (p.curriculum.empty())
        root.fail_here("the curriculum has no topics: add at least one [[curriculum]] table");
    return p;
}

Program parse_program(std::string_view text, const std::string& file) {
    toml::table t = parse_toml(text, file);
    return load_program(t, file);
}

} // namespace iop
