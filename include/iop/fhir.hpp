// HL7 FHIR R4 for `iop export --format fhir` (SPEC section 8): records in, a
// Bundle of type collection out. Pure: no I/O, no clock.
//
// Per patient: Patient, EpisodeOfCare (status, period, discharge reason),
// CarePlan (the plan in force as activities with their weekly frequency),
// Coverage (when insurance is recorded), an Encounter per session (status
// finished when attended, cancelled when absent or excused), an Observation
// per drug screen, a MedicationStatement per medication course, and a Goal
// per treatment-plan goal and objective (SPEC section 12), which the CarePlan
// references, its activities listing the objectives' interventions. Every
// resource, the Bundle included, carries the confidentiality labels for
// substance-use information in meta.security. Resource ids are UUIDs derived
// from the patient id and the entry's place in the journal, so the same
// records always give the same Bundle.
#pragma once

#include "iop/program.hpp"
#include "iop/record.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace iop {

// Key order kept as written: resourceType first, as FHIR's own examples have it.
using fhir_json = nlohmann::ordered_json;

inline constexpr std::string_view fhir_act_code_system =
    "http://terminology.hl7.org/CodeSystem/v3-ActCode";
inline constexpr std::string_view fhir_confidentiality_system =
    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
// Systems of iop's own: the patient id, curriculum topics, end-of-treatment codes.
inline constexpr std::string_view fhir_patient_id_system = "urn:iop:patient-id";
inline constexpr std::string_view fhir_topic_system = "urn:iop:curriculum-topic";
// SPEC section 13: an authorization's number, as an identifier of its payer's
// Coverage.
inline constexpr std::string_view fhir_authorization_system = "urn:iop:authorization-number";
inline constexpr std::string_view fhir_discharge_reason_url = "urn:iop:fhir:discharge-reason";
inline constexpr std::string_view fhir_attendance_url = "urn:iop:fhir:attendance";
inline constexpr std::string_view fhir_topic_url = "urn:iop:fhir:curriculum-topic";
// A treatment-plan reference (G1, G1.2) as a Goal's identifier, and the link
// from an objective's Goal to its goal's.
inline constexpr std::string_view fhir_plan_ref_system = "urn:iop:plan-ref";
inline constexpr std::string_view fhir_objective_of_url = "urn:iop:fhir:objective-of";
inline constexpr std::string_view fhir_goal_achievement_system =
    "http://terminology.hl7.org/CodeSystem/goal-achievement";

// meta.security: ETH (substance abuse information sensitivity) and R (restricted).
fhir_json fhir_security();

// A name-based UUID (RFC 9562 version 8: a 128-bit hash of `name`), lower case.
std::string fhir_uuid(std::string_view name);

// The resources of one patient, each as a Bundle entry {fullUrl, resource}.
std::vector<fhir_json> fhir_entries(const Program& program, const Record& record);

// The Bundle of every record given, in that order.
fhir_json fhir_bundle(const Program& program, const std::vector<const Record*>& records);

} // namespace iop
