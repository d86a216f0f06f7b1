// The facility's program (program.toml): curriculum and rule parameters,
// with the defaults of SPEC section 4.
#pragma once

#include "iop/calendar.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace toml {
inline namespace v3 {
class table;
}
} // namespace toml

namespace iop {

inline constexpr int program_schema_version = 1;

struct Range {
    int min = 0;
    int max = 0;
    int default_value = 0;
};

struct Topic {
    std::string id;
    std::string title;
    int sessions = 1; // group sessions needed to complete it
    bool core = false;
};

struct Program {
    Range weeks{3, 13, 12};
    Range groups_per_week{2, 5, 3};
    double group_hours = 3.0;
    double individual_hours = 1.0;
    double family_hours = 1.0;
    double hours_adult_min = 9;
    double hours_adolescent_min = 6;
    double hours_max = 19;
    int individual_per_week = 1;
    int individual_max_gap_days = 30;
    int family_per_week = 1;
    int contact_max_gap_days = 3;
    int screens_per_week = 1;
    // screen-pending: a pending screen without a result for more than this
    // many days (SPEC section 11).
    int screen_result_days = 7;
    int plan_review_days = 30;
    int medication_review_days = 30;
    int lost_contact_days = 30;
    double min_attendance = 0.90;
    int negative_screens = 2;
    bool require_aftercare = true;
    // [graduation] require_objectives / require_signed_plan (SPEC section
    // 12). iop init writes them on; a program.toml without the key keeps the
    // requirement off (SPEC section 4: an upgrade makes no eligible patient
    // ineligible), which is what load_program does.
    bool require_objectives = true;
    bool require_signed_plan = true;
    // [plan] (SPEC section 12): the individualized plan is due within
    // goals_within_days of enrollment and signed within sign_within_days of
    // the entry that made its current version; every open objective is
    // addressed in a session at least every objective_unaddressed_days.
    int plan_goals_within_days = 7;
    int plan_sign_within_days = 7;
    int plan_objective_unaddressed_days = 14;
    // SPEC section 13. [asam] review_days: reassess the ASAM dimensions this
    // often. [authorization] required: who needs a payer's authorization
    // (never, insured = a patient with insurance set, always); warn_days
    // before one ends. [certification] required (never, always, medicare =
    // patients whose insurance names Medicare) and recert_days. A
    // program.toml without `required` keeps the requirement off.
    int asam_review_days = 30;
    enum class Need { never, insured, always, medicare };
    Need authorization_required = Need::insured;
    int authorization_warn_days = 7;
    Need certification_required = Need::never;
    int certification_recert_days = 60;
    // [calendar] program_days and group_days (SPEC section 10); the store
    // adds the closures of closures.toml. Monday to Friday, no closures,
    // when the program says nothing.
    Calendar calendar;
    // [remind] lead_days: a weekly session still missing is listed on the
    // last lead_days open program days of its week (SPEC section 7).
    int remind_lead_days = 2;
    // [storage] git: commit every write when the directory is in a git work
    // tree (docs/git.md); false turns that off.
    bool storage_git = true;
    std::vector<Topic> curriculum;

    const Topic* find_topic(std::string_view id) const;
    std::vector<std::string> topic_ids() const;
};

// The program iop init writes, curriculum included.
Program default_program();

// The text of program.toml as iop init writes it: every default, commented
// with its source.
std::string default_program_toml();

// Reads and validates a parsed program.toml. Missing keys take their default;
// unknown keys, wrong types and out-of-bounds values throw DataError naming
// `file` and the position.
Program load_program(const toml::table& table, const std::string& file);

// Parses and loads program text (throws DataError on syntax errors too).
Program parse_program(std::string_view text, const std::string& file);

// Upper bounds that keep plan values sane whatever the program says.
inline constexpr int max_sessions_per_week = 7;
inline constexpr double max_session_hours = 12.0;
// The shortest session: six minutes.
inline constexpr double min_session_hours = 0.1;
// Hours a session may last wherever they come from: min_session_hours to
// max_session_hours, in steps of 0.01 (two decimal places).
bool plausible_hours(double hours);

} // namespace iop
