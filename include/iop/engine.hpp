// The plan engine (SPEC section 5): a pure function of program, record and
// today. No I/O, no clock, no global state.
#pragma once

#include "iop/authorization.hpp"
#include "iop/date.hpp"
#include "iop/program.hpp"
#include "iop/record.hpp"

#include <optional>
#include <string>
#include <vector>

namespace iop {

enum class Severity { warning, error };
std::string_view to_string(Severity);
std::optional<Severity> parse_severity(std::string_view);

// Every rule id of SPEC section 5, in the order of its table.
const std::vector<std::string>& rule_ids();

struct Finding {
    Severity severity = Severity::warning;
    std::string rule;
    std::optional<int> week; // treatment week the finding is about, if any
    std::string message;
    SourcePos pos; // where in the record, when known (record-invalid)
    // SPEC section 5, "When a finding arose": the day the finding arose, and
    // the day it was noticed (arose, or the day after the last entry it
    // covers was recorded, when that is later).
    Date arose{};
    Date noticed{};
};

// What a treatment week requires (SPEC section 5, "What a week requires"),
// given its plan and the program calendar's open days.
struct WeekRequirement {
    int groups = 0;       // min(groups_per_week, open group days) with a closure
    double hours_min = 0; // adult or adolescent minimum, scaled by open group days
    int individual = 0;
    int family = 0;
    int screens = 0;
    int group_days = 0;           // group weekdays in the week
    int open_group_days = 0;      // of those, not closed
    bool open_program_day = true; // false: the week breaks no weekly rule
    bool lowered = false;         // a closed date lowered the requirement
};

// The requirement of the week first..first+6 under `plan`.
WeekRequirement week_requirement(const Program& program, const Plan& plan, bool adolescent,
                                 Date first);

// One row of the attendance grid: what a treatment week held.
struct WeekSummary {
    int week = 0;
    Date first{};
    Date last{};
    bool complete = false;
    Plan plan; // in force on its first day
    WeekRequirement required;
    int groups = 0;     // attended
    int individual = 0; // attended
    int family = 0;     // attended
    int screens = 0;
    int absent = 0;
    int excused = 0;        // of every kind
    int excused_groups = 0; // excused, by kind (SPEC section 5, "Excused sessions")
    int excused_individual = 0;
    int excused_family = 0;
    double excused_hours = 0; // each its hours, or its kind's default hours
    double hours = 0;         // attended hours of every kind
};

struct CurriculumProgress {
    int percent = 0;                    // core progress, rounded down
    std::vector<std::string> completed; // topic ids, curriculum order
    std::vector<std::string> remaining; // topic ids, curriculum order
    struct TopicCount {
        std::string id;
        int attended = 0; // capped at the topic's sessions
        int needed = 0;
        bool core = false;
    };
    std::vector<TopicCount> topics;
};

struct Criterion {
    // min-weeks | curriculum | attendance | screens | aftercare, and objectives
    // and signed-plan when the program requires them.
    std::string id;
    bool met = false;
    std::string detail; // e.g. "attendance 0.84 < 0.90"
};

struct Assessment {
    Status status = Status::active;
    std::optional<Date> ended;
    Date judged_on{};     // today, or the graduation/discharge date
    int week = 0;         // current treatment week (1-based; 0 before enrollment)
    int weeks_planned = 0;
    Date planned_end{};
    int complete_weeks = 0;
    Plan plan; // in force on judged_on
    std::vector<WeekSummary> weeks;
    std::vector<Finding> findings;
    CurriculumProgress curriculum;
    double attendance_rate = 1.0;
    std::vector<Criterion> criteria;
    bool eligible = false;
    std::vector<MedicationState> medications;
    std::optional<Date> last_plan_review; // the latest plan review up to judged_on
    // The individualized plan (SPEC section 12) as of judged_on.
    TreatmentPlan treatment_plan;
    // SPEC section 13 as of judged_on: each authorization with its units
    // used, and the latest ASAM assessment.
    std::vector<AuthorizationUse> authorizations;
    // Attended sessions no authorization covers, when the patient needs one.
    std::optional<int> uncovered_sessions;
    std::optional<AsamAssessment> asam;

    std::vector<std::string> unmet() const;
};

Assessment assess(const Program& program, const Record& record, Date today);

} // namespace iop
