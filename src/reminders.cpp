#include "iop/reminders.hpp"

#include "iop/basics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace iop {

namespace {

// The week still in progress today, if treatment has started.
const WeekSummary* current_week(const Assessment& a, Date today) {
    for (const auto& w : a.weeks)
        if (w.first <= today && today <= w.last)
            return &w;
    return nullptr;
}

} // namespace

std::vector<Reminder> reminders_for(const Program& program, const Record& record,
                                    const Assessment& a, Date today, int within) {
    std::vector<Reminder> out;
    if (a.status != Status::active)
        return out;
    const std::string& id = record.header.id;
    Date horizon = add_days(today, within);
    auto add = [&](std::string kind, Date due, std::string message, int urgency) {
        out.push_back({id, std::move(kind), due, std::move(message), urgency});
    };

    for (const auto& f : a.findings)
        if (f.severity == Severity::error)
            add(f.rule, today, f.message, 0);

    if (const WeekSummary* w = current_week(a, today)) {
        int days_left = days_between(today, w->last) + 1; // today included
        std::string by = fmt::format("by {} ({} left in week {})", format_date(w->last),
                                     plural(days_left, "day", "days"), w->week);
        int groups_needed = w->plan.groups_per_week - w->groups;
        if (groups_needed > 0) {
            std::string msg = fmt::format("{} still needed this week {}; plan is {}",
                                          plural(groups_needed, "group session", "group sessions"),
                                          by, w->plan.groups_per_week);
            if (groups_needed > days_left)
                msg += ": more than one a day would be needed, the week's plan can no longer be "
                       "met";
            add("group", w->last, msg, 1);
        }
        if (w->plan.individual_per_week > w->individual)
            add("individual", w->last,
                fmt::format("individual session not yet held this week {}", by), 1);
        if (w->plan.family_per_week > w->family)
            add("family", w->last, fmt::format("family session not yet held this week {}", by), 1);
        if (program.screens_per_week > w->screens)
            add("screen", w->last, fmt::format("drug screen not yet done this week {}", by), 1);
    }

    // Plan review: due plan_review_days after enrollment or the last review.
    Date last_review = a.last_plan_review && *a.last_plan_review > record.header.enrolled
                           ? *a.last_plan_review
                           : record.header.enrolled;
    Date review_due = add_days(last_review, program.plan_review_days);
    if (review_due <= horizon)
        add("plan-review", review_due,
            fmt::format("plan review {} {} ({} {})", review_due < today ? "overdue since" : "due",
                        format_date(review_due), a.last_plan_review ? "last review" : "enrolled",
                        format_date(last_review)),
            2);

    for (const auto& m : a.medications) {
        if (!m.active)
            continue;
        Date due = add_days(m.last_review, m.review_days);
        if (due <= horizon)
            add("medication-review", due,
                fmt::format("medication review {} {} ({} started {}, last reviewed {})",
                            due < today ? "overdue since" : "due", format_date(due), m.name,
                            format_date(m.started), format_date(m.last_review)),
                2);
    }

    int to_end = days_between(today, a.planned_end);
    if (to_end >= 0 && to_end <= within) {
        std::string msg = fmt::format("planned end {}: graduation review; ", format_date(a.planned_end));
        if (a.eligible) {
            msg += "eligible to graduate now";
        } else {
            std::vector<std::string> unmet;
            for (const auto& c : a.criteria)
                if (!c.met)
                    unmet.push_back(c.detail);
            msg += "not yet eligible: ";
            for (std::size_t i = 0; i < unmet.size(); ++i)
                msg += (i ? "; " : "") + unmet[i];
        }
        add("graduation-review", a.planned_end, msg, 1);
    }
    sort_reminders(out);
    return out;
}

void sort_reminders(std::vector<Reminder>& r) {
    std::stable_sort(r.begin(), r.end(), [](const Reminder& a, const Reminder& b) {
        if (a.urgency != b.urgency)
            return a.urgency < b.urgency;
        return a.due < b.due;
    });
}

} // namespace iop
