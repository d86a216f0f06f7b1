#include "iop/reminders.hpp"

#include "iop/basics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>
#include <variant>

namespace iop {

namespace {

// The week still in progress today, if treatment has started.
const WeekSummary* current_week(const Assessment& a, Date today) {
    for (const auto& w : a.weeks)
        if (w.first <= today && today <= w.last)
            return &w;
    return nullptr;
}

// The sessions (attended or excused) and screens of one week, the only
// entries the week's needs count.
class Held {
  public:
    Held(const Record& record, const WeekSummary& w) {
        for (const auto& e : record.journal) {
            const EntryMeta& m = meta(e);
            if (m.date < w.first || m.date > w.last)
                continue;
            if (const auto* s = std::get_if<Session>(&e))
                if (s->status != SessionStatus::absent)
                    sessions_.push_back({s->date, s->kind});
        }
        // A pending screen and the result that replaces it are one screen.
        for (const Screen* s : screens_in_effect(record, w.last))
            if (s->date >= w.first)
                screens_.push_back(s->date);
    }
    // Held on the week's first day up to `last` inclusive.
    int sessions(SessionKind kind, Date last) const {
        return static_cast<int>(
            std::count_if(sessions_.begin(), sessions_.end(),
                          [&](const auto& s) { return s.second == kind && s.first <= last; }));
    }
    int screens(Date last) const {
        return static_cast<int>(
            std::count_if(screens_.begin(), screens_.end(), [&](Date d) { return d <= last; }));
    }

  private:
    std::vector<std::pair<Date, SessionKind>> sessions_;
    std::vector<Date> screens_;
};

// SPEC section 7, item 3, for groups: on a day d of the week, `needed` is
// the requirement less the sessions dated before d, `left` the open group
// days from d to the week's end.
struct GroupDay {
    Date day{};
    int needed = 0;
    int left = 0;
};

GroupDay group_day(const Program& program, const WeekSummary& w, const Held& held, Date d) {
    return {d, w.required.groups - held.sessions(SessionKind::group, add_days(d, -1)),
            program.calendar.open_group_days_in(d, w.last)};
}

std::string groups_text(const GroupDay& g) {
    return fmt::format("{} still needed, {} left",
                       plural(g.needed, "group session", "group sessions"),
                       plural(g.left, "group day", "group days"));
}

// week-at-risk and week-unmeetable of the current week: the day each arose,
// if it has by today.
struct GroupRisk {
    std::optional<GroupDay> at_risk;
    std::optional<GroupDay> unmeetable;
};

GroupRisk group_risk(const Program& program, const WeekSummary& w, const Held& held, Date today) {
    GroupRisk risk;
    if (w.required.groups <= 0)
        return risk;
    GroupDay first = group_day(program, w, held, w.first);
    bool spare_at_first = first.needed < first.left;
    for (Date d = w.first; d <= today && d <= w.last; d = add_days(d, 1)) {
        GroupDay g = group_day(program, w, held, d);
        if (!risk.at_risk && spare_at_first && g.needed > 0 && g.needed == g.left)
            risk.at_risk = g;
        if (!risk.unmeetable && g.needed > g.left) {
            risk.unmeetable = g;
            break;
        }
    }
    return risk;
}

// The individual, family and screen needs are listed on the last
// lead_days open program days of the week.
bool in_lead(const Program& program, const WeekSummary& w, Date today) {
    return program.calendar.open_program_day(today) &&
           program.calendar.open_program_days_in(today, w.last) <= program.remind_lead_days;
}

} // namespace

Date default_since(const Program& program, Date today) {
    return program.calendar.last_program_day_before(today);
}

bool is_open_item(const Finding& f) {
    static const std::array<std::string_view, 15> open = {
        "plan-review",     "medication-review",     "lost-contact",  "overdue",
        "positive-screen", "screen-pending",        "plan-goals",    "plan-unsigned",
        "objective-due",   "objective-unaddressed", "asam-reassess", "level-of-care",
        "auth-missing",    "auth-expiring",         "certification"};
    if (f.rule == "individual-frequency")
        return f.severity == Severity::error && !f.week;
    return std::find(open.begin(), open.end(), f.rule) != open.end();
}

std::vector<Reminder> reminders_for(const Program& program, const Record& record,
                                    const Assessment& a, const RemindWindow& win) {
    std::vector<Reminder> out;
    if (a.status != Status::active)
        return out;
    const std::string& id = record.header.id;
    const Date today = win.today;
    auto in_window = [&](Date d) { return win.since < d && d <= today; };

    // 1 and 2: new findings, and open items every day (listed once).
    for (const auto& f : a.findings) {
        bool open = is_open_item(f);
        if (open || win.all || in_window(f.noticed))
            out.push_back({id, f.rule, f.noticed, f.arose, f.message,
                           open ? ReminderPart::open_item : ReminderPart::new_finding, f.week,
                           f.severity == Severity::error});
    }
    if (a.eligible && (win.all || today >= add_days(a.planned_end, -program.remind_lead_days)))
        out.push_back({id, "graduation-ready", a.planned_end, std::nullopt,
                       fmt::format("meets every graduation criterion; planned end {}",
                                   format_date(a.planned_end)),
                       ReminderPart::open_item, std::nullopt});

    // 3: this week's needs.
    if (const WeekSummary* w = current_week(a, today); w && w->required.open_program_day) {
        Held held(record, *w);
        auto need = [&](std::string kind, std::optional<Date> arose, std::string message) {
            bool urgent = kind == "week-unmeetable";
            out.push_back({id, std::move(kind), w->last, arose, std::move(message),
                           ReminderPart::week_need, w->week, urgent});
        };
        bool groups_met = held.sessions(SessionKind::group, today) >= w->required.groups;
        GroupRisk risk = group_risk(program, *w, held, today);
        if (!groups_met && risk.unmeetable && (win.all || in_window(risk.unmeetable->day)))
            need("week-unmeetable", risk.unmeetable->day,
                 groups_text(*risk.unmeetable) + ": the week's requirement can no longer be met");
        else if (!groups_met && risk.at_risk && !risk.unmeetable &&
                 (win.all || in_window(risk.at_risk->day)))
            need("week-at-risk", risk.at_risk->day,
                 groups_text(*risk.at_risk) + ": no group day to spare");

        bool lead = win.all || in_lead(program, *w, today);
        int days_left = program.calendar.open_program_days_in(today, w->last);
        auto short_of = [&](const char* kind, int required, int held_so_far, const char* one,
                            const char* many) {
            if (!lead || held_so_far >= required)
                return;
            need(kind, std::nullopt,
                 fmt::format("{} still needed this week, {} left",
                             plural(required - held_so_far, one, many),
                             plural(days_left, "program day", "program days")));
        };
        short_of("individual", w->required.individual,
                 held.sessions(SessionKind::individual, today), "individual session",
                 "individual sessions");
        short_of("family", w->required.family, held.sessions(SessionKind::family, today),
                 "family session", "family sessions");
        short_of("screen", w->required.screens, held.screens(today), "drug screen", "drug screens");
    }

    // 4: coming up within --within days: the planned end, open objectives'
    // target dates (SPEC section 12), authorizations' end and next review
    // dates (section 13); an end that another authorization follows without
    // a gap asks for nothing.
    for (const ObjectiveState* o : a.treatment_plan.open_objectives()) {
        int to_target = days_between(today, o->target);
        if (to_target >= 0 && to_target <= win.within)
            out.push_back({id, "objective-target", o->target, std::nullopt,
                           fmt::format("objective {} target date {}", o->ref,
                                       format_date(o->target)),
                           ReminderPart::coming_up, std::nullopt});
    }
    auto coming = [&](Date d) {
        const int days = days_between(today, d);
        return days >= 0 && days <= win.within;
    };
    for (const AuthorizationUse& u : a.authorizations) {
        const Date after = add_days(u.auth.to, 1);
        const bool followed = std::any_of(
            a.authorizations.begin(), a.authorizations.end(),
            [&](const AuthorizationUse& v) { return v.auth.from <= after && after <= v.auth.to; });
        // The authorization covering today that auth-expiring already names
        // (an open item, listed above) is not said twice.
        const bool expiring =
            u.auth.from <= today && today <= u.auth.to &&
            std::any_of(a.findings.begin(), a.findings.end(),
                        [](const Finding& f) { return f.rule == "auth-expiring"; });
        if (coming(u.auth.to) && !followed && !expiring && a.planned_end > u.auth.to)
            out.push_back(
                {id, "authorization-end", u.auth.to, std::nullopt,
                 fmt::format("authorization {} ends {}: {} of {} {}{} left", u.auth.number,
                             format_date(u.auth.to), decimal_text(u.left()), u.auth.units,
                             to_string(u.auth.unit), u.auth.units == 1 ? "" : "s"),
                 ReminderPart::coming_up, std::nullopt});
        if (u.auth.next_review && coming(*u.auth.next_review))
            out.push_back({id, "authorization-review", *u.auth.next_review, std::nullopt,
                           fmt::format("authorization {} utilization review {}", u.auth.number,
                                       format_date(*u.auth.next_review)),
                           ReminderPart::coming_up, std::nullopt});
    }
    int to_end = days_between(today, a.planned_end);
    if (to_end >= 0 && to_end <= win.within) {
        std::string msg =
            fmt::format("planned end {}: graduation review; ", format_date(a.planned_end));
        if (a.eligible) {
            msg += "eligible to graduate";
        } else {
            msg += "not yet eligible: ";
            bool first = true;
            for (const auto& c : a.criteria)
                if (!c.met) {
                    msg += (first ? "" : "; ") + c.detail;
                    first = false;
                }
        }
        out.push_back({id, "planned-end", a.planned_end, std::nullopt, msg, ReminderPart::coming_up,
                       std::nullopt});
    }
    sort_reminders(out);
    return out;
}

void sort_reminders(std::vector<Reminder>& r) {
    std::stable_sort(r.begin(), r.end(), [](const Reminder& a, const Reminder& b) {
        if (a.due != b.due)
            return a.due < b.due;
        return a.part < b.part;
    });
}

bool shares_line(const Reminder& prev, const Reminder& next) {
    return prev.kind == "group-frequency" && next.kind == "hours-per-week" && prev.week &&
           prev.week == next.week && prev.due == next.due && prev.id == next.id &&
           next.part == ReminderPart::new_finding;
}

} // namespace iop
