// Reminders for cron (SPEC section 7), derived from the engine's assessment;
// nothing here recomputes a rule. Pure, like the engine.
#pragma once

#include "iop/engine.hpp"

#include <optional>
#include <string>
#include <vector>

namespace iop {

// The four parts of SPEC section 7, in the order items of one due date are
// listed.
enum class ReminderPart {
    new_finding = 1, // noticed in the window (since, today]
    open_item = 2,   // listed every day until resolved
    week_need = 3,   // this week's needs
    coming_up = 4,   // within --within days
};

struct Reminder {
    std::string id;   // patient id
    std::string kind; // a rule id, or week-at-risk | week-unmeetable | individual | family |
                      // screen | graduation-ready | planned-end | record-invalid
    Date due{};
    std::optional<Date> arose; // findings and week-at-risk/unmeetable; none for the rest
    std::string message;
    ReminderPart part = ReminderPart::new_finding;
    std::optional<int> week; // the treatment week a finding is about
    bool urgent = false;     // an error finding, or a week that can no longer be met
};

// What a run of `iop remind` asks for.
struct RemindWindow {
    Date today{};
    Date since{};     // new findings are those noticed after since, up to today
    int within = 0;   // coming-up items up to today + within
    bool all = false; // every finding and every need of the week, whatever its age or lead
};

// The default start of the window: the last program day before today
// (closures not skipped), so a weekday job on Monday also covers the weekend.
Date default_since(const Program& program, Date today);

// The rules whose findings are open items, listed every day until resolved.
// The 30-day individual-frequency error is one; the weekly warning of the
// same rule is not (it has a week).
bool is_open_item(const Finding& finding);

// What is due for one patient, sorted (sort_reminders). Empty for patients
// who are not active.
std::vector<Reminder> reminders_for(const Program& program, const Record& record,
                                    const Assessment& assessment, const RemindWindow& window);

// By due date, then by part, then as found.
void sort_reminders(std::vector<Reminder>& reminders);

// Whether `next` shares the text line of `prev`: a week's hours-per-week
// shortfall with the same week's group-frequency shortfall, both new.
bool shares_line(const Reminder& prev, const Reminder& next);

} // namespace iop
