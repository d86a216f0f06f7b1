#include "iop/fhir.hpp"

#include "iop/date.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace iop {

using json = fhir_json;

namespace {

std::uint64_t fnv1a(std::string_view text, std::uint64_t hash) {
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

// MurmurHash3's finaliser: every input bit reaches every output bit.
std::uint64_t mix(std::uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

std::string reference(std::string_view uuid) {
    return "urn:uuid:" + std::string(uuid);
}

json link(std::string_view uuid) {
    return {{"reference", reference(uuid)}};
}

json entry(const std::string& uuid, json resource) {
    return {{"fullUrl", reference(uuid)}, {"resource", std::move(resource)}};
}

// Every resource starts the same way: type, id, security labels.
json resource(std::string_view type, const std::string& uuid) {
    return {{"resourceType", type}, {"id", uuid}, {"meta", {{"security", fhir_security()}}}};
}

json text_concept(std::string_view text) {
    return {{"text", text}};
}

std::string kind_title(SessionKind k) {
    switch (k) {
    case SessionKind::group:
        return "Group therapy";
    case SessionKind::individual:
        return "Individual therapy";
    case SessionKind::family:
        return "Family therapy";
    }
    return "";
}

json weekly(int frequency) {
    return {{"repeat", {{"frequency", frequency}, {"period", 1}, {"periodUnit", "wk"}}}};
}

} // namespace

json fhir_security() {
    return json::array(
        {{{"system", fhir_act_code_system},
          {"code", "ETH"},
          {"display", "substance abuse information sensitivity"}},
         {{"system", fhir_confidentiality_system}, {"code", "R"}, {"display", "restricted"}}});
}

std::string fhir_uuid(std::string_view name) {
    std::uint64_t hi = mix(fnv1a(name, 0xcbf29ce484222325ULL));
    std::uint64_t lo = mix(fnv1a(name, 0x84222325cbf29ce4ULL) ^ hi);
    hi = (hi & ~0xF000ULL) | 0x8000ULL;                        // version 8
    lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL; // variant 10
    return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                       hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

std::vector<json> fhir_entries(const Program& program, const Record& record) {
    const Header& h = record.header;
    State state = fold(record, program);
    std::vector<json> out;

    std::string patient_id = fhir_uuid("patient/" + h.id);
    std::string episode_id = fhir_uuid("episode/" + h.id);

    json patient = resource("Patient", patient_id);
    patient["identifier"] = json::array({{{"system", fhir_patient_id_system}, {"value", h.id}}});
    patient["active"] = state.status == Status::active;
    patient["name"] = json::array({{{"text", h.name}}});
    if (h.born)
        patient["birthDate"] = format_date(*h.born);
    out.push_back(entry(patient_id, patient));

    json episode = resource("EpisodeOfCare", episode_id);
    episode["status"] = state.status == Status::active ? "active" : "finished";
    episode["type"] = json::array(
        {text_concept("Intensive outpatient program (ASAM level 2.1), substance use disorder")});
    if (!h.diagnosis.empty())
        episode["diagnosis"] = json::array({{{"condition", {{"display", h.diagnosis}}}}});
    episode["patient"] = link(patient_id);
    json period = {{"start", format_date(h.enrolled)}};
    if (state.ended)
        period["end"] = format_date(*state.ended);
    episode["period"] = period;
    if (!h.clinician.empty())
        episode["careManager"] = {{"display", h.clinician}};
    if (state.status != Status::active) {
        std::string code =
            state.status == Status::graduated ? std::string("graduated") : state.discharge_reason;
        episode["extension"] = json::array(
            {{{"url", fhir_discharge_reason_url},
              {"valueCodeableConcept",
               {{"coding", json::array({{{"system", fhir_discharge_reason_url}, {"code", code}}})},
                {"text", code}}}}});
    }
    out.push_back(entry(episode_id, episode));

    std::string plan_id = fhir_uuid("careplan/" + h.id);
    json plan = resource("CarePlan", plan_id);
    const Plan& p = state.plan;
    std::string activity_status = state.status == Status::active      ? "in-progress"
                                  : state.status == Status::graduated ? "completed"
                                                                      : "stopped";
    plan["status"] = state.status == Status::active      ? "active"
                     : state.status == Status::graduated ? "completed"
                                                         : "revoked";
    plan["intent"] = "plan";
    plan["title"] = "IOP treatment plan";
    plan["description"] =
        fmt::format("{} weeks; {} group, {} individual and {} family sessions a week", p.weeks,
                    p.groups_per_week, p.individual_per_week, p.family_per_week);
    plan["subject"] = link(patient_id);
    plan["period"] = {{"start", format_date(h.enrolled)},
                      {"end", format_date(add_days(h.enrolled, 7 * p.weeks - 1))}};
    json activities = json::array();
    auto activity = [&](std::string_view title, int per_week) {
        if (per_week > 0)
            activities.push_back({{"detail",
                                   {{"code", text_concept(title)},
                                    {"status", activity_status},
                                    {"scheduledTiming", weekly(per_week)}}}});
    };
    activity("Group therapy", p.groups_per_week);
    activity("Individual therapy", p.individual_per_week);
    activity("Family therapy", p.family_per_week);
    activity("Drug screen", program.screens_per_week);
    if (!activities.empty())
        plan["activity"] = activities;
    out.push_back(entry(plan_id, plan));

    if (!h.insurance.empty()) {
        std::string coverage_id = fhir_uuid("coverage/" + h.id);
        json coverage = resource("Coverage", coverage_id);
        coverage["status"] = "active";
        coverage["beneficiary"] = link(patient_id);
        coverage["payor"] = json::array({{{"display", h.insurance}}});
        out.push_back(entry(coverage_id, coverage));
    }

    // Voided sessions and screens stay, marked entered-in-error (SPEC
    // section 11); a voided medication entry is left out with the fold.
    const std::vector<Entry> journal = file_journal(record);
    auto voided = [&](const Entry& e) {
        return std::any_of(record.voided.begin(), record.voided.end(), [&](const Entry& v) {
            return meta(v).pos.line == meta(e).pos.line && meta(v).pos.column == meta(e).pos.column;
        });
    };
    for (std::size_t i = 0; i < journal.size(); ++i) {
        std::string where = fmt::format("{}/{}", h.id, i);
        const bool in_error = !record.voided.empty() && voided(journal[i]);
        if (auto s = std::get_if<Session>(&journal[i])) {
            std::string id = fhir_uuid("encounter/" + where);
            json enc = resource("Encounter", id);
            bool attended = s->status == SessionStatus::attended;
            enc["extension"] =
                json::array({{{"url", fhir_attendance_url}, {"valueCode", to_string(s->status)}}});
            enc["status"] = in_error ? "entered-in-error" : attended ? "finished" : "cancelled";
            enc["class"] = {
                {"system", fhir_act_code_system}, {"code", "AMB"}, {"display", "ambulatory"}};
            enc["type"] = json::array({text_concept(kind_title(s->kind))});
            enc["subject"] = link(patient_id);
            enc["episodeOfCare"] = json::array({link(episode_id)});
            enc["period"] = {{"start", format_date(s->date)}, {"end", format_date(s->date)}};
            if (attended)
                enc["length"] = {{"value", s->hours},
                                 {"unit", "h"},
                                 {"system", "http://unitsofmeasure.org"},
                                 {"code", "h"}};
            if (!s->topic.empty()) {
                // The topic's own code goes in an extension: a coded reasonCode
                // would claim a code from the (SNOMED) encounter-reason value set.
                const Topic* topic = program.find_topic(s->topic);
                json coding = {{"system", fhir_topic_system}, {"code", s->topic}};
                if (topic)
                    coding["display"] = topic->title;
                enc["extension"].push_back({{"url", fhir_topic_url}, {"valueCoding", coding}});
                enc["reasonCode"] = json::array({text_concept(topic ? topic->title : s->topic)});
            }
            out.push_back(entry(id, enc));
        } else if (auto sc = std::get_if<Screen>(&journal[i])) {
            std::string id = fhir_uuid("observation/" + where);
            json obs = resource("Observation", id);
            bool positive = sc->result == ScreenResult::positive;
            // A specimen sent to a lab: registered, no value yet.
            bool pending = sc->result == ScreenResult::pending;
            obs["status"] = in_error ? "entered-in-error" : pending ? "registered" : "final";
            obs["category"] = json::array(
                {{{"coding",
                   json::array(
                       {{{"system", "http://terminology.hl7.org/CodeSystem/observation-category"},
                         {"code", "laboratory"},
                         {"display", "Laboratory"}}})}}});
            obs["code"] = text_concept("Drug screen");
            obs["subject"] = link(patient_id);
            obs["effectiveDateTime"] = format_date(sc->date);
            if (!pending)
                obs["valueCodeableConcept"] = {
                    {"coding", json::array({{{"system", "http://snomed.info/sct"},
                                             {"code", positive ? "10828004" : "260385009"},
                                             {"display", positive ? "Positive" : "Negative"}}})},
                    {"text", to_string(sc->result)}};
            // Only a positive screen detected anything (a hand-edited record
            // may list substances on a negative one).
            if (positive && !sc->substances.empty()) {
                json components = json::array();
                for (const auto& sub : sc->substances)
                    components.push_back(
                        {{"code", text_concept("Substance detected")}, {"valueString", sub}});
                obs["component"] = components;
            }
            out.push_back(entry(id, obs));
        }
    }

    for (std::size_t i = 0; i < state.medications.size(); ++i) {
        const MedicationState& m = state.medications[i];
        std::string id = fhir_uuid(fmt::format("medication/{}/{}", h.id, i));
        json med = resource("MedicationStatement", id);
        med["status"] = m.active ? "active" : "completed";
        med["medicationCodeableConcept"] = text_concept(m.name);
        med["subject"] = link(patient_id);
        med["context"] = link(episode_id);
        json effective = {{"start", format_date(m.started)}};
        if (m.stopped)
            effective["end"] = format_date(*m.stopped);
        med["effectivePeriod"] = effective;
        if (!m.dose.empty())
            med["dosage"] = json::array({{{"text", m.dose}}});
        out.push_back(entry(id, med));
    }
    return out;
}

json fhir_bundle(const Program& program, const std::vector<const Record*>& records) {
    json bundle = {{"resourceType", "Bundle"},
                   {"meta", {{"security", fhir_security()}}},
                   {"type", "collection"}};
    json entries = json::array();
    for (const Record* r : records)
        for (auto& e : fhir_entries(program, *r))
            entries.push_back(std::move(e));
    bundle["entry"] = entries;
    return bundle;
}

} // namespace iop
