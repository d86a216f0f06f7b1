// Reminders for cron (SPEC section 7), derived from the engine's assessment;
// nothing here recomputes a rule. Pure, like the engine.
#pragma once

#include "iop/engine.hpp"

#include <string>
#include <vector>

namespace iop {

struct Reminder {
    std::string id;   // patient id
    std::string kind; // group | individual | family | screen | plan-review |
                      // medication-review | graduation-review | a rule id (error findings)
    Date due{};
    std::string message;
    int urgency = 0; // 0 for error findings, 1 for the rest (then by due date)
};

// What is due for one patient today or within `within` days. Empty for
// patients who are not active.
std::vector<Reminder> reminders_for(const Program& program, const Record& record,
                                    const Assessment& assessment, Date today, int within);

// Most urgent first: by urgency, then due date, then kind order.
void sort_reminders(std::vector<Reminder>& reminders);

} // namespace iop
