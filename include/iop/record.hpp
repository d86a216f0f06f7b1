// A patient record: a header and an append-only journal (SPEC section 3).
// Plain values; load() reads a parsed file, render_*() produce the TOML text
// that the store appends.
#pragma once

#include "iop/basics.hpp"
#include "iop/date.hpp"
#include "iop/error.hpp"
#include "iop/text.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace toml {
inline namespace v3 {
class table;
}
} // namespace toml

namespace iop {

struct Program;

inline constexpr int record_schema_version = 1;

// A recorded_at as a record may hold it and iop writes it back: a TOML
// date-time in the form iop prints (2026-11-03T17:02:11Z, with an offset such
// as +02:00, fractional seconds, or none for a local time), its date within
// plausible_date. What an export writes, an import takes back unchanged.
bool valid_recorded_at(std::string_view text);

struct Plan {
    int weeks = 12;
    int groups_per_week = 3;
    int individual_per_week = 1;
    int family_per_week = 1;
    bool operator==(const Plan&) const = default;
};

// Keys a plan-change event carries; absent ones keep their value.
struct PlanChange {
    std::optional<int> weeks;
    std::optional<int> groups_per_week;
    std::optional<int> individual_per_week;
    std::optional<int> family_per_week;
    bool empty() const {
        return !weeks && !groups_per_week && !individual_per_week && !family_per_week;
    }
    void apply_to(Plan& plan) const;
    bool operator==(const PlanChange&) const = default;
};

enum class SessionKind { group, individual, family };
enum class SessionStatus { attended, absent, excused };
enum class ScreenResult { negative, positive, pending };
enum class MedAction { start, review, stop };
enum class EventType {
    plan_change,
    plan_review,
    aftercare,
    graduated,
    discharged,
    note,
    void_,
    amend,
    signature,
    placement,    // SPEC section 13: why the patient stays at this level of care
    certification // SPEC section 13: a physician's certification (Medicare)
};
// SPEC section 13: what an authorization's units count.
enum class AuthUnit { session, day, hour };
// SPEC section 12: what a [[goal]] or [[objective]] entry does.
enum class GoalAction { add, revise, achieved, dropped };
enum class ObjectiveAction { add, revise, achieved, partly_achieved, not_achieved, dropped };
// Who signs a version of the treatment plan.
enum class SignRole { patient, clinician, supervisor, guardian };
enum class Status { active, graduated, discharged };

std::string_view to_string(SessionKind);
std::string_view to_string(SessionStatus);
std::string_view to_string(ScreenResult);
std::string_view to_string(MedAction);
std::string_view to_string(EventType);
std::string_view to_string(Status);
std::string_view to_string(GoalAction);
std::string_view to_string(ObjectiveAction);
std::string_view to_string(SignRole);
std::string_view to_string(AuthUnit);
std::optional<SessionKind> parse_session_kind(std::string_view);
std::optional<SessionStatus> parse_session_status(std::string_view);
std::optional<ScreenResult> parse_screen_result(std::string_view);
std::optional<MedAction> parse_med_action(std::string_view);
std::optional<EventType> parse_event_type(std::string_view);
std::optional<Status> parse_status(std::string_view);
std::optional<GoalAction> parse_goal_action(std::string_view);
std::optional<ObjectiveAction> parse_objective_action(std::string_view);
std::optional<SignRole> parse_sign_role(std::string_view);
std::optional<AuthUnit> parse_auth_unit(std::string_view);
const std::vector<std::string>& auth_units();
// The ASAM levels of care an assessment may recommend (SPEC section 13), in
// order of intensity: 0.5, 1, 2.1, 2.5, 3.1, 3.3, 3.5, 3.7, 4.
const std::vector<std::string>& asam_levels();
// The IOP's own level.
inline constexpr std::string_view iop_level = "2.1";
// The six ASAM dimensions, by number less one: "Acute intoxication and/or
// withdrawal potential", ...
const std::array<std::string_view, 6>& asam_dimension_names();
// The names, in the order of the enums: for messages and completions.
const std::vector<std::string>& goal_actions();
const std::vector<std::string>& objective_actions();
const std::vector<std::string>& sign_roles();

// The discharge reasons of SPEC section 6, in that order.
const std::vector<std::string>& discharge_reasons();

// What every journal entry carries.
struct EntryMeta {
    Date date{};
    std::string recorded_by;
    std::string recorded_at; // as written: 2026-11-03T17:02:11Z
    // recorded_at as a date in local time, when the entry has one (SPEC
    // section 5, "When a finding arose": when a finding was noticed).
    std::optional<Date> recorded_on;
    SourcePos pos;           // of the [[...]] header; 0 for entries not yet written
    bool operator==(const EntryMeta&) const = default;
};

struct Session : EntryMeta {
    SessionKind kind = SessionKind::group;
    std::string topic; // group sessions only
    double hours = 0;
    SessionStatus status = SessionStatus::attended;
    std::string note;
    // SPEC section 12: the objectives (G1.1, ...) the session addressed.
    std::vector<std::string> objectives;
    bool operator==(const Session&) const = default;
};

struct Screen : EntryMeta {
    ScreenResult result = ScreenResult::negative;
    std::vector<std::string> substances;
    bool operator==(const Screen&) const = default;
};

struct Medication : EntryMeta {
    MedAction action = MedAction::start;
    std::string name;
    std::string dose;
    std::optional<int> review_days;
    bool operator==(const Medication&) const = default;
};

struct Header;

// Header keys an amend event changes (SPEC section 11); absent ones keep
// their value. enrolled and id are not amendable.
struct HeaderChange {
    std::optional<std::string> name;
    std::optional<Date> born;
    std::optional<std::string> clinician;
    std::optional<std::string> diagnosis;
    std::optional<std::string> insurance;
    bool empty() const { return !name && !born && !clinician && !diagnosis && !insurance; }
    void apply_to(Header& header) const;
    // "name, clinician": the keys it changes, in header order.
    std::string keys() const;
    bool operator==(const HeaderChange&) const = default;
};

struct Event : EntryMeta {
    EventType type = EventType::note;
    PlanChange plan;                 // plan-change
    std::string sponsor;             // aftercare
    std::vector<std::string> groups; // aftercare
    std::string reason;              // discharged; graduated when forced
    bool forced = false;             // graduated despite unmet criteria
    std::string text;                // note; free text on discharge
    std::string entry;               // void: the reference of the entry it voids
    HeaderChange amend;              // amend (with reason)
    // signature (SPEC section 12): who signed which version of the plan;
    // `declined` with a `reason` when the patient would not sign.
    SignRole role = SignRole::patient;
    std::string signer; // the `name` key: who signed, when given
    int plan_version = 0;
    bool declined = false;
    std::string physician; // certification
    bool operator==(const Event&) const = default;
};

// SPEC section 12. An `add` carries problem and goal (words and dimension
// optional); a `revise` the keys it changes; achieved and dropped an
// optional note.
struct Goal : EntryMeta {
    std::string ref; // G1, G2, ... assigned by iop
    GoalAction action = GoalAction::add;
    std::optional<std::string> problem;
    std::optional<std::string> goal;
    std::optional<std::string> words;
    std::optional<int> dimension; // ASAM dimension 1-6
    std::string note;
    bool operator==(const Goal&) const = default;
};

// An `add` carries text and target (measure and interventions optional); a
// `revise` the keys it changes; a status change an optional note.
struct Objective : EntryMeta {
    std::string ref; // G1.1: its goal's ref, a dot, a number
    ObjectiveAction action = ObjectiveAction::add;
    std::optional<std::string> text;
    std::optional<std::string> measure;
    std::optional<Date> target;
    std::optional<std::vector<std::string>> interventions;
    std::string note;
    // The goal's ref: what comes before the last dot.
    std::string goal_ref() const;
    bool operator==(const Objective&) const = default;
};

// SPEC section 13: `[[assessment]] kind = "asam"`, the six ASAM dimensions
// rated 0-4 (keys d1..d6) and the level of care recommended (empty: none).
struct AsamAssessment : EntryMeta {
    std::array<int, 6> ratings{};
    std::string level;
    std::string note;
    bool operator==(const AsamAssessment&) const = default;
};

// The most units one authorization may grant: more is a typing mistake.
inline constexpr int max_authorization_units = 2000;

// SPEC section 13: a payer's authorization of services from..to.
struct Authorization : EntryMeta {
    std::string payer;
    std::string number;
    Date from{};
    Date to{};
    int units = 0;
    AuthUnit unit = AuthUnit::session;
    std::optional<Date> next_review;
    std::string note;
    bool operator==(const Authorization&) const = default;
};

using Entry = std::variant<Session, Screen, Medication, Event, Goal, Objective, AsamAssessment,
                           Authorization>;

const EntryMeta& meta(const Entry& e);
EntryMeta& meta(Entry& e);

struct Header {
    std::string id;
    std::string name;
    std::optional<Date> born;
    Date enrolled{};
    std::string clinician;
    std::string diagnosis;
    std::string insurance;
    std::string recorded_by; // who enrolled the patient, and when
    std::string recorded_at;
    std::optional<Date> recorded_on; // recorded_at as a local date
    Plan plan;
    bool operator==(const Header&) const = default;
};

struct Record {
    std::string file; // path as shown in messages, e.g. patients/P-0001.toml
    Header header;
    // The live journal, in file order: what every rule and report sees. A
    // voided entry and the void that voids it are not in it (SPEC section 11).
    std::vector<Entry> journal;
    // The voided entries and the voids, in file order (show --journal, the
    // JSON and CSV exports).
    std::vector<Entry> voided;
    bool operator==(const Record&) const = default;
};

// Moves the voids and the entries they void from record.journal (every
// entry, in file order) to record.voided, as loading does. A void names an
// entry above it that is not a void and not voided already; it may be dated
// after the end of treatment, never before enrollment. DataError otherwise.
void set_aside_voided(Record& record);

// Every entry of the record in file order, voided ones and voids included.
std::vector<Entry> file_journal(const Record& record);

// SPEC section 3, "Entry references": the text an entry's reference is the
// SHA-256 of (render_entry without its leading blank line), and the
// references of `entries` (in file order): 8 lowercase hex digits, "-2",
// "-3" for a second, third identical entry. Frozen: references are printed
// and typed back weeks later.
std::string canonical_entry(const Entry& entry);
std::vector<std::string> entry_refs(const std::vector<Entry>& entries);
// The references of file_journal(record), in that order.
std::vector<std::string> entry_refs(const Record& record);
// One entry of file_journal(record) with its reference, and the index (in
// that list) of the void that voids it, if one does.
struct JournalItem {
    std::string ref;
    Entry entry;
    std::optional<std::size_t> voided_by;
};
std::vector<JournalItem> journal_items(const Record& record);

// Whether text has the form of a reference: 8 lowercase hex digits, then
// optionally "-N" (N from 2).
bool valid_entry_ref(std::string_view text);
// SPEC section 12: "G1" (G, then a number from 1 without leading zeros) and
// "G1.2" (a goal reference, a dot, a number from 1).
bool valid_goal_ref(std::string_view text);
bool valid_objective_ref(std::string_view text);

// A medication as the journal leaves it.
struct MedicationState {
    std::string name;
    std::string dose;
    Date started{};
    Date last_review{}; // start or latest review
    int review_days = 0;
    bool active = true;
    std::optional<Date> stopped;
};

// The fold of header and journal in file order.
struct State {
    Status status = Status::active;
    std::optional<Date> ended;      // graduation or discharge date
    std::string discharge_reason;
    Plan plan;                      // in force after the last plan change
    std::vector<MedicationState> medications;
    std::optional<Date> last_plan_review;
    bool has_aftercare = false;
};

// ---------------------------------------------------------------- the plan

// SPEC section 12: an objective as the journal leaves it.
struct ObjectiveState {
    std::string ref;
    std::string text;
    std::string measure;
    Date added{};
    Date target{};
    std::vector<std::string> interventions;
    // Its own latest status change ("achieved", "partly-achieved", ...), or
    // "open" when it has none.
    std::string status = "open";
    bool open = true;             // false once achieved, not-achieved or dropped, or its goal closed
    std::optional<Date> closed;   // the day it closed
    std::optional<Date> last_addressed; // latest attended session that addressed it
    int sessions = 0;                   // attended sessions that addressed it
    SourcePos pos;                      // of its add
};

struct GoalState {
    std::string ref;
    std::string problem;
    std::string goal;
    std::string words;
    std::optional<int> dimension;
    Date added{};
    std::string status = "open"; // open | achieved | dropped
    bool open = true;
    std::optional<Date> closed;
    std::vector<ObjectiveState> objectives; // in the order added
    SourcePos pos;                          // of its add
};

struct PlanSignature {
    SignRole role = SignRole::patient;
    std::string name;
    Date date{};
    bool declined = false;
    std::string reason;
    std::string recorded_by;
};

struct TreatmentPlan {
    std::vector<GoalState> goals; // in the order added
    // The plan version (SPEC section 12) at the end of the journal, and the
    // date of the entry that made it (enrollment for version 1).
    int version = 1;
    Date version_date{};
    std::vector<PlanSignature> signatures; // of the current version, file order
    // The roles whose signature the current version still lacks: patient
    // and clinician, and guardian for an adolescent (SPEC section 12).
    std::vector<SignRole> missing;
    bool objective_added = false; // an objective was ever added

    const GoalState* find_goal(std::string_view ref) const;
    const ObjectiveState* find_objective(std::string_view ref) const;
    std::vector<const ObjectiveState*> open_objectives() const;
};

// The treatment plan as of `through` (entries dated after it left out), or
// of the whole journal. Sessions address objectives by ref; a ref that names
// no objective is ignored.
TreatmentPlan treatment_plan(const Record& record, std::optional<Date> through = std::nullopt);

// The plan version where the entry at index `i` of `entries` (file order,
// voided entries and voids included, as file_journal gives them) stands: 1
// plus the goal add/revise/dropped, objective add/revise/dropped and
// plan-change entries before it, and the voids of any of these.
int plan_version_at(const std::vector<Entry>& entries, std::size_t i);
// The plan version a new entry appended to the record would stand at.
int next_plan_version(const Record& record);

// The next free refs: "G3" for a record whose goals are G1 and G2 (voided
// ones included, so a ref is never given twice), "G1.4" for goal G1.
std::string next_goal_ref(const Record& record);
std::string next_objective_ref(const Record& record, std::string_view goal_ref);

// The checks of SPEC section 12 on a loaded journal (voided entries set
// aside): refs given once, each revise or status change after the add of an
// open goal or objective and not dated before it, an objective added to an
// open goal. DataError naming the line otherwise. load_record runs it.
void check_plan(const Record& record);

// Entries dated after `through`, when given, are left out (not yet
// happened, or after the end of treatment).
State fold(const Record& record, const Program& program,
           std::optional<Date> through = std::nullopt);

// Medication names compare without regard to case.
bool same_medication(std::string_view a, std::string_view b);

// The plan in force on a given day: header plan with every plan change dated
// on or before that day applied, in file order.
Plan plan_on(const Record& record, Date day);

bool is_adolescent(const Header& header);

// The screens that count for every rule (SPEC section 11), dated on or
// before `through` when given: in date order, file order within a day, each
// pending screen that a later screen of the same date with a result replaces
// left out (one result replaces one pending screen, the earliest).
std::vector<const Screen*> screens_in_effect(const Record& record,
                                             std::optional<Date> through = std::nullopt);

// The oldest pending screen still waiting for its result, if any.
const Screen* oldest_pending_screen(const Record& record);

// Treatment week of `day`: week k covers enrolled + 7(k-1) .. enrolled + 7k - 1;
// 0 before enrollment.
int treatment_week(Date enrolled, Date day);

// Reads a parsed record. Throws DataError (with file and position) for
// missing or mistyped keys, unknown keys or values, a newer schema_version,
// and a journal that contradicts itself.
Record load_record(const toml::table& table, const std::string& file);
// Parses and loads record text (throws DataError on syntax errors too).
Record parse_record(std::string_view text, const std::string& file);

// TOML text for a new record file (header and plan), and for one appended
// entry (starting with a blank line, ending with a newline). What these
// render parses back to the same values.
std::string render_header(const Header& header);
std::string render_entry(const Entry& entry);

} // namespace iop
