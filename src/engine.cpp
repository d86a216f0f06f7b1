// The plan engine (SPEC section 5). Pure: everything it knows comes from its
// arguments. docs/rules.md explains every rule and the choices made where the
// SPEC is silent; keep the two in step.
#include "iop/engine.hpp"
#include "iop/suggest.hpp"

#include "iop/basics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <string_view>

namespace iop {

namespace {

// Hours and rates are sums of decimals read from text (0.1 + 0.2 != 0.3);
// comparisons allow this much rounding so 9 hours made of thirds still count
// as 9.
constexpr double tolerance = 1e-9;

// How far behind the elapsed share of the plan the core curriculum may fall
// (percentage points) before curriculum-pace fires (SPEC section 5).
constexpr double pace_allowance = 25.0;


std::string hours_text(double h) {
    std::string n = decimal_text(h);
    return n + (n == "1" ? " hour" : " hours");
}

std::string days_text(int n) {
    return plural(n, "day", "days");
}

// "2026-10-20" or "enrollment on 2026-10-20", for "since ..." clauses.
std::string since_text(Date since, bool is_enrollment) {
    return is_enrollment ? fmt::format("enrollment on {}", format_date(since)) : format_date(since);
}

// "patient signature", "patient and clinician signatures", "patient,
// clinician and guardian signatures".
std::string missing_signatures_text(const std::vector<SignRole>& roles) {
    std::string out;
    for (std::size_t i = 0; i < roles.size(); ++i)
        out += fmt::format("{}{}", i == 0 ? "" : i + 1 == roles.size() ? " and " : ", ",
                           to_string(roles[i]));
    return out + (roles.size() == 1 ? " signature" : " signatures");
}

double session_hours(const Session& s, const Program& program) {
    if (s.hours > 0)
        return s.hours;
    switch (s.kind) {
    case SessionKind::group:
        return program.group_hours;
    case SessionKind::individual:
        return program.individual_hours;
    case SessionKind::family:
        return program.family_hours;
    }
    return 0;
}

int rule_rank(const std::string& rule) {
    const auto& ids = rule_ids();
    auto it = std::find(ids.begin(), ids.end(), rule);
    return static_cast<int>(it - ids.begin());
}

// Everything a single pass over the journal collects.
struct Facts {
    std::vector<Date> attended;           // every attended session, any kind
    // Attended group sessions: date and index of their topic in the
    // program's curriculum (curriculum-pace's history).
    std::vector<std::pair<Date, std::size_t>> groups;
    // For noticing (SPEC section 5): entry dates in order, each with the
    // latest local date on which an entry dated on or before it was recorded.
    std::vector<std::pair<Date, Date>> recorded;
    std::vector<Date> plan_changes; // dates of plan-change events
    // Attended sessions of every kind: date and hours (hours maximum).
    std::vector<std::pair<Date, double>> attended_hours;
    std::optional<Date> last_individual;  // latest attended individual session
    std::optional<Date> last_plan_review; // latest plan-review event
    // Screens in effect (screens_in_effect): date order, file order within a day.
    std::vector<const Screen*> screens;
    std::vector<int> topic_attended;      // per program topic, uncapped
};

class Assessor {
  public:
    Assessor(const Program& program, const Record& record, Date today)
        : program_(program), original_(record), today_(today) {}

    Assessment run();

  private:
    void choose_view();
    void build_weeks();
    void collect();
    void weekly_findings();
    void contact_gaps();
    void dated_findings();
    void plan_findings();
    void level_of_care_findings();
    void payer_findings();
    Date objective_due_arose(const ObjectiveState& o) const;
    void curriculum();
    void attendance();
    void criteria();
    Date pace_arose() const;
    // `covered`: the last day whose entries the finding is about (SPEC
    // section 5); it is noticed the day after the latest of them was
    // recorded, when that is later than the day it arose.
    void add(Severity s, const char* rule, std::optional<int> week, std::string message, Date arose,
             Date covered) {
        Date noticed = arose;
        if (auto recorded = latest_recorded(covered); recorded && add_days(*recorded, 1) > noticed)
            noticed = add_days(*recorded, 1);
        a_.findings.push_back(
            Finding{s, rule, week, std::move(message), SourcePos{}, arose, noticed});
    }
    // A rule "more than N days after X" arises on X + N + 1 and covers the
    // days before.
    void add_after(Severity s, const char* rule, std::string message, Date arose) {
        add(s, rule, std::nullopt, std::move(message), arose, add_days(arose, -1));
    }
    std::optional<Date> latest_recorded(Date through) const;
    Date over_maximum(const WeekSummary& w) const;
    int week_of(Date d) const { return days_between(enrolled_, d) / 7 + 1; }

    const Program& program_;
    const Record& original_;
    Date today_;
    Date through_{}; // entries dated after this are not judged
    State state_;
    Date enrolled_{};
    Date judged_on_{};
    Facts facts_;
    Assessment a_;
};

// Entries dated after today have not happened yet; for a patient who left,
// entries after the graduation or discharge date are not part of the
// treatment. Neither is folded or counted (the record is read in place,
// never copied without them: a copy was half of the engine's cost).
void Assessor::choose_view() {
    through_ = today_;
    state_ = fold(original_, program_, through_);
    judged_on_ = today_;
    if (state_.ended && *state_.ended < today_) {
        judged_on_ = through_ = *state_.ended;
        state_ = fold(original_, program_, through_);
    }
}

} // namespace

WeekRequirement week_requirement(const Program& program, const Plan& plan, bool adolescent,
                                 Date first) {
    const double hours_min = adolescent ? program.hours_adolescent_min : program.hours_adult_min;
    const Calendar& calendar = program.calendar;
    const Date last = add_days(first, 6);
    WeekRequirement r;
    r.groups = plan.groups_per_week;
    r.hours_min = hours_min;
    r.individual = plan.individual_per_week;
    r.family = plan.family_per_week;
    r.screens = program.screens_per_week;
    r.group_days = calendar.group_days_in(first, last);
    r.open_group_days = r.group_days;
    // A week with no closed date requires exactly the plan (SPEC section 5).
    if (!calendar.any_closed(first, last))
        return r;
    r.open_group_days = calendar.open_group_days_in(first, last);
    r.open_program_day = calendar.open_program_days_in(first, last) > 0;
    if (!r.open_program_day) {
        // A week with no open program day breaks no weekly rule.
        r = WeekRequirement{0, 0, 0, 0, 0, r.group_days, r.open_group_days, false, true};
        return r;
    }
    // As SPEC section 5 says it, for any week with a closed date: a closed
    // Saturday leaves a plan of 3 groups on 3 group days as it is, but caps
    // a plan of 5 at the 3 group days.
    r.groups = std::min(plan.groups_per_week, r.open_group_days);
    if (r.group_days > 0)
        r.hours_min = hours_min * r.open_group_days / r.group_days;
    r.lowered = r.groups < plan.groups_per_week || r.hours_min < hours_min;
    return r;
}

namespace {

void Assessor::build_weeks() {
    int elapsed = days_between(enrolled_, judged_on_);
    a_.week = elapsed >= 0 ? elapsed / 7 + 1 : 0;
    a_.plan = plan_on(original_, judged_on_);
    a_.weeks_planned = a_.plan.weeks;
    a_.planned_end = add_days(enrolled_, 7 * a_.plan.weeks - 1);
    a_.weeks.reserve(static_cast<std::size_t>(a_.week));
    for (int k = 1; k <= a_.week; ++k) {
        WeekSummary w;
        w.week = k;
        w.first = add_days(enrolled_, 7 * (k - 1));
        w.last = add_days(w.first, 6);
        w.complete = w.last < judged_on_;
        w.plan = plan_on(original_, w.first);
        w.required = week_requirement(program_, w.plan, is_adolescent(original_.header), w.first);
        if (w.complete)
            ++a_.complete_weeks;
        a_.weeks.push_back(w);
    }
}

void Assessor::collect() {
    facts_.topic_attended.assign(program_.curriculum.size(), 0);
    // The header first: enrollment is the earliest date, so in the usual
    // chronological file the list below is sorted as built.
    if (original_.header.recorded_on)
        facts_.recorded.emplace_back(enrolled_, *original_.header.recorded_on);
    for (const Entry& entry : original_.journal) {
        const EntryMeta& m = meta(entry);
        const Date date = m.date;
        if (date > through_)
            continue;
        if (m.recorded_on)
            facts_.recorded.emplace_back(date, *m.recorded_on);
        WeekSummary* week = nullptr;
        if (date >= enrolled_) {
            int k = week_of(date);
            if (k >= 1 && k <= a_.week)
                week = &a_.weeks[static_cast<std::size_t>(k - 1)];
        }
        if (const auto* s = std::get_if<Session>(&entry)) {
            if (s->status == SessionStatus::absent) {
                if (week)
                    ++week->absent;
                continue;
            }
            if (s->status == SessionStatus::excused) {
                // Not delivered: counts for no rule but the week's excuses.
                if (week) {
                    ++week->excused;
                    ++(s->kind == SessionKind::group        ? week->excused_groups
                       : s->kind == SessionKind::individual ? week->excused_individual
                                                            : week->excused_family);
                    week->excused_hours += session_hours(*s, program_);
                }
                continue;
            }
            if (date >= enrolled_)
                facts_.attended.push_back(date);
            switch (s->kind) {
            case SessionKind::group:
                if (week)
                    ++week->groups;
                for (std::size_t i = 0; i < program_.curriculum.size(); ++i)
                    if (program_.curriculum[i].id == s->topic) {
                        ++facts_.topic_attended[i];
                        facts_.groups.emplace_back(date, i);
                    }
                break;
            case SessionKind::individual:
                if (week)
                    ++week->individual;
                if (!facts_.last_individual || date > *facts_.last_individual)
                    facts_.last_individual = date;
                break;
            case SessionKind::family:
                if (week)
                    ++week->family;
                break;
            }
            if (week) {
                week->hours += session_hours(*s, program_);
                facts_.attended_hours.emplace_back(date, session_hours(*s, program_));
            }
        } else if (const auto* ev = std::get_if<Event>(&entry)) {
            if (ev->type == EventType::plan_review &&
                (!facts_.last_plan_review || date > *facts_.last_plan_review))
                facts_.last_plan_review = date;
            if (ev->type == EventType::plan_change)
                facts_.plan_changes.push_back(date);
        }
    }
    // By date only: latest_recorded reads the running maximum below, which
    // the order of entries of one date does not change. Sorting every
    // patient's list whole was 5 % of a warm `iop check`.
    const auto by_date = [](const auto& x, const auto& y) { return x.first < y.first; };
    if (!std::is_sorted(facts_.recorded.begin(), facts_.recorded.end(), by_date))
        std::sort(facts_.recorded.begin(), facts_.recorded.end(), by_date);
    for (std::size_t i = 1; i < facts_.recorded.size(); ++i)
        facts_.recorded[i].second =
            std::max(facts_.recorded[i].second, facts_.recorded[i - 1].second);
    std::stable_sort(facts_.groups.begin(), facts_.groups.end(), by_date);
    std::stable_sort(facts_.attended_hours.begin(), facts_.attended_hours.end(), by_date);
    std::sort(facts_.plan_changes.begin(), facts_.plan_changes.end());
    std::sort(facts_.attended.begin(), facts_.attended.end());
    // A pending screen counts for screen-frequency until its result
    // replaces it (SPEC section 11).
    facts_.screens = screens_in_effect(original_, through_);
    for (const Screen* sc : facts_.screens)
        if (sc->date >= enrolled_) {
            int k = week_of(sc->date);
            if (k >= 1 && k <= a_.week)
                ++a_.weeks[static_cast<std::size_t>(k - 1)].screens;
        }
}

// "required is 2 with 1 of 3 group days closed (plan is 3)" when a closure
// lowered a week's groups, else "plan is 3".
std::string groups_required_text(const WeekSummary& w) {
    const WeekRequirement& r = w.required;
    if (r.groups == w.plan.groups_per_week)
        return fmt::format("plan is {}", r.groups);
    if (r.open_group_days == r.group_days) // a closed day that is no group day
        return fmt::format("required is {}, the group days of a week with a closure (plan is {})",
                           r.groups, w.plan.groups_per_week);
    return fmt::format("required is {} with {} of {} group days closed (plan is {})", r.groups,
                       r.group_days - r.open_group_days, r.group_days, w.plan.groups_per_week);
}

// "2 group sessions", or with excused ones "2 attended and 1 excused group
// sessions" (SPEC section 5, "Excused sessions").
std::string sessions_text(int attended, int excused, const char* kind) {
    std::string noun = fmt::format("{} {}", kind, attended + excused == 1 ? "session" : "sessions");
    if (excused == 0)
        return fmt::format("{} {}", attended, noun);
    return fmt::format("{} attended and {} excused {}", attended, excused, noun);
}

// A shortfall that the week's excused sessions would cover is a warning.
Severity shortfall(int attended, int excused, int required) {
    return attended + excused >= required ? Severity::warning : Severity::error;
}

void Assessor::weekly_findings() {
    const bool adolescent = is_adolescent(original_.header);
    const double full_hours_min =
        adolescent ? program_.hours_adolescent_min : program_.hours_adult_min;
    const char* who = adolescent ? "adolescent" : "adult";
    for (const WeekSummary& w : a_.weeks) {
        // What the week requires: the plan, lowered by closed days (SPEC
        // section 5); nothing in a week without an open program day.
        const WeekRequirement& r = w.required;
        // A complete week's shortfall arises the day after the week.
        const Date after = add_days(w.last, 1);
        if (w.complete && r.groups > 0 && w.groups < r.groups)
            add(shortfall(w.groups, w.excused_groups, r.groups), "group-frequency", w.week,
                fmt::format("week {} had {}, {}", w.week,
                            sessions_text(w.groups, w.excused_groups, "group"),
                            groups_required_text(w)),
                after, w.last);
        if (w.complete && r.hours_min > 0 && w.hours + tolerance < r.hours_min) {
            std::string closed;
            if (r.hours_min + tolerance < full_hours_min)
                closed = fmt::format(" with {} of {} group days closed",
                                     r.group_days - r.open_group_days, r.group_days);
            std::string had = hours_text(w.hours);
            if (w.excused_hours > 0)
                had = fmt::format("{} attended and {} excused", had, hours_text(w.excused_hours));
            bool covered = w.hours + w.excused_hours + tolerance >= r.hours_min;
            add(covered ? Severity::warning : Severity::error, "hours-per-week", w.week,
                fmt::format("week {} had {}, {} minimum is {}{}", w.week, had, who,
                            decimal_text(r.hours_min), closed),
                after, w.last);
        }
        if (program_.hours_max > 0 && w.hours > program_.hours_max + tolerance) {
            Date over = over_maximum(w);
            add(Severity::warning, "hours-per-week", w.week,
                fmt::format("week {} {} {}{}, maximum is {} (partial hospitalization level)",
                            w.week, w.complete ? "had" : "has", hours_text(w.hours),
                            w.complete ? "" : " so far", decimal_text(program_.hours_max)),
                over, over);
        }
        if (w.complete && r.individual > 0 && w.individual < r.individual)
            add(Severity::warning, "individual-frequency", w.week,
                fmt::format("week {} had {}, plan is {}", w.week,
                            sessions_text(w.individual, w.excused_individual, "individual"),
                            r.individual),
                after, w.last);
        if (w.complete && r.family > 0 && w.family < r.family)
            add(Severity::warning, "family-frequency", w.week,
                fmt::format("week {} had {}, plan is {}", w.week,
                            sessions_text(w.family, w.excused_family, "family"), r.family),
                after, w.last);
        if (w.complete && r.screens > 0 && w.screens < r.screens)
            add(Severity::warning, "screen-frequency", w.week,
                fmt::format("week {} had {}, program requires {}", w.week,
                            plural(w.screens, "drug screen", "drug screens"), r.screens),
                after, w.last);
    }
}

// The date of the session that took a week over the hours maximum.
Date Assessor::over_maximum(const WeekSummary& w) const {
    double hours = 0;
    const auto& sessions = facts_.attended_hours;
    auto it = std::lower_bound(sessions.begin(), sessions.end(), w.first,
                               [](const auto& s, Date d) { return s.first < d; });
    for (; it != sessions.end() && it->first <= w.last; ++it) {
        hours += it->second;
        if (hours > program_.hours_max + tolerance)
            return it->first;
    }
    return w.last; // not reached: the week's hours are over the maximum
}

std::optional<Date> Assessor::latest_recorded(Date through) const {
    const auto& r = facts_.recorded;
    auto it = std::upper_bound(r.begin(), r.end(), through,
                               [](Date d, const auto& x) { return d < x.first; });
    if (it == r.begin())
        return std::nullopt;
    return std::prev(it)->second;
}

// Consecutive attended sessions (and enrollment and the first) more than
// contact_max_gap_days + 1 days apart, i.e. more than contact_max_gap_days
// whole days without any service between them. Only gaps closed by a session
// are reported; an open gap up to today is lost-contact's business.
void Assessor::contact_gaps() {
    const int allowed = program_.contact_max_gap_days;
    Date previous = enrolled_;
    bool from_enrollment = true;
    const Calendar& calendar = program_.calendar;
    for (Date d : facts_.attended) {
        int apart = days_between(previous, d);
        // Closed days are no days without service (SPEC section 10).
        int closed = apart > allowed + 1
                         ? calendar.closed_days_in(add_days(previous, 1), add_days(d, -1))
                         : 0;
        int without = apart - 1 - closed;
        if (without > allowed) {
            std::string days = days_text(without) + " without service";
            if (closed > 0)
                days += fmt::format(" (not counting {} closed {})", closed,
                                    closed == 1 ? "day" : "days");
            std::string message =
                from_enrollment
                    ? fmt::format("{} between enrollment on {} and the first session on {}, "
                                  "maximum is {}",
                                  days, format_date(previous), format_date(d), allowed)
                    : fmt::format("{} between sessions on {} and {}, maximum is {}", days,
                                  format_date(previous), format_date(d), allowed);
            add(Severity::warning, "contact-gap", week_of(d), std::move(message), d, d);
        }
        previous = d;
        from_enrollment = false;
    }
}

// The rules that count days up to judged_on rather than judging weeks.
void Assessor::dated_findings() {
    if (a_.plan.individual_per_week > 0) {
        Date since = facts_.last_individual.value_or(enrolled_);
        int days = days_between(since, judged_on_);
        if (days > program_.individual_max_gap_days)
            add_after(Severity::error, "individual-frequency",
                      fmt::format("no individual session for {} (since {}), maximum is {}",
                                  days_text(days), since_text(since, !facts_.last_individual),
                                  program_.individual_max_gap_days),
                      add_days(since, program_.individual_max_gap_days + 1));
    }

    {
        // The latest screen with a result, unless a plan review dated on or
        // after it has answered it.
        auto latest =
            std::find_if(facts_.screens.rbegin(), facts_.screens.rend(),
                         [](const Screen* s) { return s->result != ScreenResult::pending; });
        if (latest != facts_.screens.rend() && (*latest)->result == ScreenResult::positive &&
            !(facts_.last_plan_review && *facts_.last_plan_review >= (*latest)->date))
            add_after(Severity::warning, "positive-screen",
                      fmt::format("latest screen ({}) was positive: plan review advised",
                                  format_date((*latest)->date)),
                      (*latest)->date);
    }

    for (const Screen* s : facts_.screens) {
        if (s->result != ScreenResult::pending)
            continue;
        int days = days_between(s->date, judged_on_);
        if (days > program_.screen_result_days)
            add_after(Severity::warning, "screen-pending",
                      fmt::format("screen of {} pending for {}, results are expected within {} "
                                  "days",
                                  format_date(s->date), days_text(days),
                                  program_.screen_result_days),
                      add_days(s->date, program_.screen_result_days + 1));
    }

    if (a_.plan.weeks > 0) {
        int elapsed = std::max(0, days_between(enrolled_, judged_on_));
        double share = std::min(1.0, elapsed / (7.0 * a_.plan.weeks));
        double expected = 100.0 * share;
        if (expected - a_.curriculum.percent > pace_allowance + tolerance)
            add_after(Severity::warning, "curriculum-pace",
                      fmt::format("core curriculum {}% done with {}% of the planned {} weeks "
                                  "elapsed, more than {} points behind",
                                  a_.curriculum.percent, static_cast<int>(std::floor(expected)),
                                  a_.plan.weeks, static_cast<int>(pace_allowance)),
                      pace_arose());
    }

    {
        bool reviewed = facts_.last_plan_review && *facts_.last_plan_review > enrolled_;
        Date since = reviewed ? *facts_.last_plan_review : enrolled_;
        int days = days_between(since, judged_on_);
        if (days > program_.plan_review_days)
            add_after(Severity::warning, "plan-review",
                      fmt::format("plan not reviewed for {} (since {}), review every {} days",
                                  days_text(days), since_text(since, !reviewed),
                                  program_.plan_review_days),
                      add_days(since, program_.plan_review_days + 1));
    }

    // Named by start date, not by drug: a drug name says too much about the
    // patient to go into cron mail.
    for (const MedicationState& m : state_.medications) {
        if (!m.active)
            continue;
        int every = m.review_days > 0 ? m.review_days : program_.medication_review_days;
        Date since = std::max(m.started, m.last_review);
        int days = days_between(since, judged_on_);
        if (days > every)
            add_after(Severity::warning, "medication-review",
                      fmt::format("medication started {} not reviewed for {} (since {}), review "
                                  "every {} days",
                                  format_date(m.started), days_text(days), format_date(since),
                                  every),
                      add_days(since, every + 1));
    }

    {
        bool any = !facts_.attended.empty();
        Date since = any ? facts_.attended.back() : enrolled_;
        int days = days_between(since, judged_on_);
        if (days > program_.lost_contact_days)
            add_after(Severity::error, "lost-contact",
                      fmt::format("no attended session for {} (since {}), maximum is {}",
                                  days_text(days), since_text(since, !any),
                                  program_.lost_contact_days),
                      add_days(since, program_.lost_contact_days + 1));
    }

    if (a_.status == Status::active) {
        Date hard_end = add_days(enrolled_, 7 * program_.weeks.max - 1);
        if (judged_on_ > hard_end)
            add_after(Severity::error, "overdue",
                      fmt::format("{} past the program maximum of {} weeks (last day {})",
                                  days_text(days_between(hard_end, judged_on_)), program_.weeks.max,
                                  format_date(hard_end)),
                      add_days(hard_end, 1));
        else if (judged_on_ > a_.planned_end)
            add_after(Severity::warning, "overdue",
                      fmt::format("{} past the planned end of {} weeks ({}): graduation review due",
                                  days_text(days_between(a_.planned_end, judged_on_)),
                                  a_.plan.weeks, format_date(a_.planned_end)),
                      add_days(a_.planned_end, 1));
    }
}

// SPEC section 12. Messages name references and dates, never a goal's words:
// they reach cron mail.
void Assessor::plan_findings() {
    const TreatmentPlan& tp = a_.treatment_plan;
    const int goals_within = program_.plan_goals_within_days;
    if (!tp.objective_added && days_between(enrolled_, judged_on_) > goals_within)
        add_after(Severity::warning, "plan-goals",
                  fmt::format("no objective in the treatment plan {} after enrollment on {}, "
                              "plan due within {} days",
                              days_text(days_between(enrolled_, judged_on_)),
                              format_date(enrolled_), goals_within),
                  add_days(enrolled_, goals_within + 1));

    const int sign_within = program_.plan_sign_within_days;
    if (!tp.missing.empty() && days_between(tp.version_date, judged_on_) > sign_within)
        add_after(Severity::warning, "plan-unsigned",
                  fmt::format("plan version {} ({}) lacks the {}, due within {} days",
                              tp.version,
                              tp.version == 1 ? fmt::format("enrollment {}", format_date(enrolled_))
                                              : format_date(tp.version_date),
                              missing_signatures_text(tp.missing), sign_within),
                  add_days(tp.version_date, sign_within + 1));

    const int every = program_.plan_objective_unaddressed_days;
    for (const ObjectiveState* o : tp.open_objectives()) {
        if (o->target < judged_on_)
            add(Severity::warning, "objective-due", std::nullopt,
                fmt::format("objective {} was due on {} and is still open", o->ref,
                            format_date(o->target)),
                objective_due_arose(*o), o->target);
        const bool addressed = o->last_addressed && *o->last_addressed > o->added;
        const Date since = addressed ? *o->last_addressed : o->added;
        const int days = days_between(since, judged_on_);
        if (days > every)
            add_after(Severity::warning, "objective-unaddressed",
                      fmt::format("objective {} not addressed in a session for {} (since {}), "
                                  "address it every {} days",
                                  o->ref, days_text(days),
                                  addressed ? format_date(since)
                                            : fmt::format("added {}", format_date(since)),
                                  every),
                      add_days(since, every + 1));
    }
}

// SPEC section 13: the ASAM dimensions and the level of care.
void Assessor::level_of_care_findings() {
    const AsamAssessment* latest = latest_asam(original_, through_);
    if (latest)
        a_.asam = *latest;
    {
        const Date since = latest ? latest->date : enrolled_;
        const int every = program_.asam_review_days;
        const int days = days_between(since, judged_on_);
        if (days > every)
            add_after(Severity::warning, "asam-reassess",
                      fmt::format("ASAM dimensions not assessed for {} (since {}), reassess every "
                                  "{} days",
                                  days_text(days), since_text(since, !latest), every),
                      add_days(since, every + 1));
    }
    if (!latest)
        return;
    const int within = program_.plan_goals_within_days;
    for (std::size_t i = 0; i < latest->ratings.size(); ++i) {
        const int dimension = static_cast<int>(i) + 1;
        if (latest->ratings[i] < 3)
            continue;
        const auto& goals = a_.treatment_plan.goals;
        const bool addressed = std::any_of(goals.begin(), goals.end(), [&](const GoalState& g) {
            return g.open && g.dimension == dimension;
        });
        if (!addressed && days_between(latest->date, judged_on_) > within)
            add_after(Severity::warning, "asam-unaddressed",
                      fmt::format("ASAM dimension {} rated {} on {} has no open goal of that "
                                  "dimension, due within {} days",
                                  dimension, latest->ratings[i], format_date(latest->date), within),
                      add_days(latest->date, within + 1));
    }
    if (latest->level.empty() || latest->level == iop_level || a_.status == Status::discharged)
        return;
    for (const Entry& e : original_.journal)
        if (const Event* ev = std::get_if<Event>(&e); ev && ev->type == EventType::placement &&
                                                       ev->date >= latest->date &&
                                                       ev->date <= through_)
            return;
    const bool up = std::stod(latest->level) > std::stod(std::string(iop_level));
    add(Severity::warning, "level-of-care", std::nullopt,
        fmt::format("assessment of {} recommends level {}: {} or record why not",
                    format_date(latest->date), latest->level, up ? "step up" : "step down"),
        latest->date, latest->date);
}

// SPEC section 13: authorizations and certification. Messages name the
// authorization's number and dates, which billing needs, and nothing clinical.
void Assessor::payer_findings() {
    const AuthorizationUsage usage = authorization_usage(original_, through_);
    a_.authorizations = usage.authorizations;
    const Header& h = original_.header;
    if (needs_authorization(program_, h)) {
        a_.uncovered_sessions = static_cast<int>(usage.uncovered.size());
        if (!usage.uncovered.empty()) {
            const Session* first = usage.uncovered.front();
            const int n = static_cast<int>(usage.uncovered.size());
            add(Severity::error, "auth-missing", std::nullopt,
                fmt::format("session of {} is not covered by an authorization{}",
                            format_date(first->date),
                            n == 1 ? std::string()
                                   : fmt::format(" ({} uncovered sessions)", n)),
                first->date, first->date);
        }
        for (const AuthorizationUse& u : usage.authorizations)
            if (u.over_on)
                add(Severity::error, "auth-units", std::nullopt,
                    fmt::format("authorization {} ({} to {}) used {} of its {} {}", u.auth.number,
                                format_date(u.auth.from), format_date(u.auth.to),
                                decimal_text(u.used), u.auth.units,
                                u.auth.units == 1 ? std::string(to_string(u.auth.unit))
                                                  : std::string(to_string(u.auth.unit)) + "s"),
                    *u.over_on, *u.over_on);
        const AuthorizationUse* now = usage.covering(judged_on_);
        if (a_.status == Status::active && now) {
            const Date end = now->auth.to;
            const Date after = add_days(end, 1);
            const int days = days_between(judged_on_, end);
            if (days <= program_.authorization_warn_days && !usage.covering(after) &&
                a_.planned_end > end)
                add_after(Severity::warning, "auth-expiring",
                          fmt::format("authorization {} ends on {} ({}) and none covers {}; "
                                      "planned end {}",
                                      now->auth.number, format_date(end),
                                      days == 0 ? std::string("today")
                                                : fmt::format("in {}", days_text(days)),
                                      format_date(after), format_date(a_.planned_end)),
                          std::max(now->auth.from,
                                   add_days(end, -program_.authorization_warn_days)));
        }
    }
    if (needs_certification(program_, h) && a_.status == Status::active) {
        std::optional<Date> last;
        for (const Entry& e : original_.journal)
            if (const Event* ev = std::get_if<Event>(&e);
                ev && ev->type == EventType::certification && ev->date <= through_ &&
                (!last || *last < ev->date))
                last = ev->date;
        constexpr int first_within = certification_first_days; // SPEC section 13
        if (!last && days_between(enrolled_, judged_on_) > first_within)
            add_after(Severity::error, "certification",
                      fmt::format("no physician certification {} after enrollment on {}, due "
                                  "within {} days",
                                  days_text(days_between(enrolled_, judged_on_)),
                                  format_date(enrolled_), first_within),
                      add_days(enrolled_, first_within + 1));
        else if (last && days_between(*last, judged_on_) > program_.certification_recert_days)
            add_after(Severity::error, "certification",
                      fmt::format("physician certification of {} is {} old, recertify every {} "
                                  "days",
                                  format_date(*last), days_text(days_between(*last, judged_on_)),
                                  program_.certification_recert_days),
                      add_days(*last, program_.certification_recert_days + 1));
    }
}

// objective-due holds on a day when the objective is open and the target in
// force that day is before it; it arose on the first day of the run that
// ends on judged_on (a revised target can start or end a run).
Date Assessor::objective_due_arose(const ObjectiveState& o) const {
    std::vector<std::pair<Date, Date>> targets; // (from, target), file order
    for (const Entry& e : original_.journal)
        if (const Objective* x = std::get_if<Objective>(&e);
            x && x->ref == o.ref && x->target && x->date <= through_)
            targets.emplace_back(x->date, *x->target);
    auto holds = [&](Date d) {
        std::optional<Date> target;
        for (const auto& [from, t] : targets)
            if (from <= d)
                target = t;
        return target && *target < d;
    };
    Date day = judged_on_;
    while (day > o.added && holds(add_days(day, -1)))
        day = add_days(day, -1);
    return day;
}

// curriculum-pace has no single date it follows from: it arises on the first
// day of the unbroken run of days, ending on judged_on, on which it held,
// each day judged with the sessions and the plan of that day.
Date Assessor::pace_arose() const {
    std::vector<int> counted(program_.curriculum.size(), 0);
    int core_done = 0;
    int core_needed = 0;
    for (const Topic& t : program_.curriculum)
        if (t.core)
            core_needed += std::max(0, t.sessions);
    const auto& groups = facts_.groups;
    const auto& changes = facts_.plan_changes;
    std::size_t next_group = 0;
    std::size_t next_change = 0;
    int weeks = plan_on(original_, enrolled_).weeks;
    while (next_change < changes.size() && changes[next_change] <= enrolled_)
        ++next_change;
    std::optional<Date> run;
    const int days = days_between(enrolled_, judged_on_);
    for (int elapsed = 0; elapsed <= days; ++elapsed) {
        Date d = add_days(enrolled_, elapsed);
        for (; next_group < groups.size() && groups[next_group].first <= d; ++next_group) {
            std::size_t i = groups[next_group].second;
            const Topic& t = program_.curriculum[i];
            if (t.core && counted[i] < std::max(0, t.sessions))
                ++core_done;
            ++counted[i];
        }
        if (next_change < changes.size() && changes[next_change] <= d) {
            weeks = plan_on(original_, d).weeks;
            while (next_change < changes.size() && changes[next_change] <= d)
                ++next_change;
        }
        int percent = core_needed == 0 ? 100 : 100 * core_done / core_needed;
        double expected = weeks > 0 ? 100.0 * std::min(1.0, elapsed / (7.0 * weeks)) : 0.0;
        bool held = weeks > 0 && expected - percent > pace_allowance + tolerance;
        if (!held)
            run.reset();
        else if (!run)
            run = d;
    }
    return run.value_or(judged_on_);
}

void Assessor::curriculum() {
    CurriculumProgress& c = a_.curriculum;
    int core_done = 0;
    int core_needed = 0;
    for (std::size_t i = 0; i < program_.curriculum.size(); ++i) {
        const Topic& t = program_.curriculum[i];
        int needed = std::max(0, t.sessions);
        int done = std::min(facts_.topic_attended[i], needed);
        c.topics.push_back({t.id, done, needed, t.core});
        (done == needed ? c.completed : c.remaining).push_back(t.id);
        if (t.core) {
            core_done += done;
            core_needed += needed;
        }
    }
    c.percent = core_needed == 0 ? 100 : 100 * core_done / core_needed;
}

void Assessor::attendance() {
    long attended = 0;
    long required = 0;
    for (const WeekSummary& w : a_.weeks) {
        if (!w.complete)
            continue;
        // The week's required (SPEC section 5), lowered by closed days and
        // by the week's excused sessions of the kind.
        int gpw = std::max(0, w.required.groups - w.excused_groups);
        int ipw = std::max(0, w.required.individual - w.excused_individual);
        attended += std::min(w.groups, gpw) + std::min(w.individual, ipw);
        required += gpw + ipw;
    }
    a_.attendance_rate =
        required == 0 ? 1.0 : static_cast<double>(attended) / static_cast<double>(required);
}

void Assessor::criteria() {
    auto& out = a_.criteria;
    {
        int need = program_.weeks.min;
        bool met = a_.complete_weeks >= need;
        out.push_back(
            {"min-weeks", met,
             fmt::format("{} {} {}", plural(a_.complete_weeks, "complete week", "complete weeks"),
                         met ? ">=" : "<", need)});
    }
    {
        bool met = a_.curriculum.percent >= 100;
        out.push_back({"curriculum", met,
                       met ? std::string("core curriculum 100%")
                           : fmt::format("core curriculum {}% < 100%", a_.curriculum.percent)});
    }
    {
        bool met = a_.attendance_rate + tolerance >= program_.min_attendance;
        out.push_back({"attendance", met,
                       fmt::format("attendance {} {} {:.2f}", rate_text(a_.attendance_rate),
                                   met ? ">=" : "<", program_.min_attendance)});
    }
    {
        int need = program_.negative_screens;
        // Screens with a result; a pending one after the last of them keeps
        // the criterion unmet (SPEC section 11).
        std::vector<const Screen*> screens;
        const Screen* pending = nullptr;
        for (const Screen* s : facts_.screens) {
            if (s->result == ScreenResult::pending) {
                if (!pending)
                    pending = s;
            } else {
                screens.push_back(s);
                pending = nullptr;
            }
        }
        if (need <= 0) {
            out.push_back({"screens", true, "no negative screens required"});
        } else if (static_cast<int>(screens.size()) < need) {
            out.push_back(
                {"screens", false,
                 screens.empty()
                     ? fmt::format("last {}: none recorded", plural(need, "screen", "screens"))
                     : fmt::format("last {}: only {} recorded", plural(need, "screen", "screens"),
                                   plural(static_cast<int>(screens.size()), "screen", "screens"))});
        } else {
            int negative = static_cast<int>(
                std::count_if(screens.end() - need, screens.end(),
                              [](const Screen* s) { return s->result == ScreenResult::negative; }));
            const std::string last = plural(need, "screen", "screens");
            std::string detail = negative != need
                                     ? fmt::format("last {}: {} negative", last, negative)
                                     : fmt::format("last {} negative", last);
            if (negative == need && pending)
                detail +=
                    fmt::format(", but the screen of {} is pending", format_date(pending->date));
            out.push_back({"screens", negative == need && !pending, detail});
        }
    }
    // SPEC section 12, each when the program requires it: a program.toml
    // written before these keys existed lists neither (SPEC section 4).
    const TreatmentPlan& tp = a_.treatment_plan;
    if (program_.require_objectives) {
        std::vector<std::string> open;
        for (const ObjectiveState* o : tp.open_objectives())
            open.push_back(o->ref);
        std::string detail =
            tp.goals.empty() ? std::string("no goal in the treatment plan")
            : open.empty()   ? fmt::format("{} in the treatment plan, no objective open",
                                           plural(static_cast<int>(tp.goals.size()), "goal", "goals"))
                             : fmt::format("{} open: {}",
                                           plural(static_cast<int>(open.size()), "objective",
                                                  "objectives"),
                                           join(open));
        out.push_back({"objectives", !tp.goals.empty() && open.empty(), detail});
    }
    if (program_.require_signed_plan)
        out.push_back({"signed-plan", tp.missing.empty(),
                       tp.missing.empty()
                           ? fmt::format("plan version {} signed", tp.version)
                           : fmt::format("plan version {} lacks the {}", tp.version,
                                         missing_signatures_text(tp.missing))});
    if (program_.require_aftercare)
        out.push_back(
            {"aftercare", state_.has_aftercare,
             state_.has_aftercare ? "aftercare plan recorded" : "no aftercare plan recorded"});
    else
        out.push_back({"aftercare", true, "aftercare plan not required"});
    a_.eligible = std::all_of(out.begin(), out.end(), [](const Criterion& c) { return c.met; });
}

Assessment Assessor::run() {
    enrolled_ = original_.header.enrolled;
    choose_view();
    a_.status = state_.status;
    a_.ended = state_.ended;
    a_.medications = state_.medications;
    a_.judged_on = judged_on_;
    build_weeks();
    collect();
    a_.last_plan_review = facts_.last_plan_review;
    curriculum();
    attendance();
    weekly_findings();
    contact_gaps();
    dated_findings();
    a_.treatment_plan = treatment_plan(original_, through_);
    plan_findings();
    level_of_care_findings();
    payer_findings();
    criteria();
    // By week (findings about no week last), then in the order of the SPEC's
    // rule table; ties keep the order they were found in (date order).
    std::stable_sort(a_.findings.begin(), a_.findings.end(),
                     [](const Finding& x, const Finding& y) {
                         int wx = x.week.value_or(INT_MAX);
                         int wy = y.week.value_or(INT_MAX);
                         if (wx != wy)
                             return wx < wy;
                         return rule_rank(x.rule) < rule_rank(y.rule);
                     });
    return std::move(a_);
}

} // namespace

std::string_view to_string(Severity s) {
    switch (s) {
    case Severity::warning:
        return "warning";
    case Severity::error:
        return "error";
    }
    return "warning";
}

std::optional<Severity> parse_severity(std::string_view text) {
    if (text == "warning")
        return Severity::warning;
    if (text == "error")
        return Severity::error;
    return std::nullopt;
}

const std::vector<std::string>& rule_ids() {
    static const std::vector<std::string> ids = {
        "group-frequency", "hours-per-week",   "individual-frequency", "family-frequency",
        "contact-gap",     "screen-frequency", "positive-screen",      "screen-pending",
        "curriculum-pace", "plan-review",      "medication-review",    "lost-contact",
        "overdue",         "plan-goals",       "plan-unsigned",        "objective-due",
        "objective-unaddressed", "asam-reassess", "asam-unaddressed", "level-of-care",
        "auth-missing",    "auth-units",       "auth-expiring",        "certification",
        "record-invalid",
    };
    return ids;
}

std::vector<std::string> Assessment::unmet() const {
    std::vector<std::string> ids;
    for (const Criterion& c : criteria)
        if (!c.met)
            ids.push_back(c.id);
    return ids;
}

Assessment assess(const Program& program, const Record& record, Date today) {
    return Assessor(program, record, today).run();
}

} // namespace iop
