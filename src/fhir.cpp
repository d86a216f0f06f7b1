#include "iop/fhir.hpp"

#include "iop/authorization.hpp"

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

// A code of http://terminology.hl7.org/CodeSystem/goal-achievement.
json achievement(std::string_view code, std::string_view display) {
    return {{"coding", json::array({{{"system", fhir_goal_achievement_system},
                                     {"code", code},
                                     {"display", display}}})}};
}

// Goal.lifecycleStatus and achievementStatus (docs/import-export.md): open
// is active, in progress (improving once partly achieved); achieved and not
// achieved are completed; dropped is cancelled; an objective closed with its
// goal follows the goal.
void goal_status(json& goal, std::string_view status, bool open, std::string_view closed_with) {
    if (open) {
        goal["lifecycleStatus"] = "active";
        goal["achievementStatus"] = status == "partly-achieved"
                                        ? achievement("improving", "Improving")
                                        : achievement("in-progress", "In Progress");
    } else if (status == "achieved") {
        goal["lifecycleStatus"] = "completed";
        goal["achievementStatus"] = achievement("achieved", "Achieved");
    } else if (status == "not-achieved") {
        goal["lifecycleStatus"] = "completed";
        goal["achievementStatus"] = achievement("not-achieved", "Not Achieved");
    } else if (status == "dropped" || closed_with == "dropped") {
        goal["lifecycleStatus"] = "cancelled";
    } else { // an objective open or partly achieved when its goal was achieved
        goal["lifecycleStatus"] = "completed";
        if (status == "partly-achieved")
            goal["achievementStatus"] = achievement("improving", "Improving");
    }
}

json plan_ref(const std::string& ref) {
    return json::array({{{"system", fhir_plan_ref_system}, {"value", ref}}});
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

    // The treatment plan (SPEC section 12): a Goal per goal and objective,
    // named by the place of its `add` in the journal; a voided one stays,
    // entered-in-error, and is not in the CarePlan.
    const std::vector<Entry> journal = file_journal(record);
    auto voided = [&](const Entry& e) {
        return std::any_of(record.voided.begin(), record.voided.end(), [&](const Entry& v) {
            return meta(v).pos.line == meta(e).pos.line && meta(v).pos.column == meta(e).pos.column;
        });
    };
    const TreatmentPlan treatment = treatment_plan(record);
    std::vector<std::pair<std::string, std::string>> goal_ids; // live ref -> uuid, in file order
    for (std::size_t i = 0; i < journal.size(); ++i) {
        const Goal* g = std::get_if<Goal>(&journal[i]);
        const Objective* o = std::get_if<Objective>(&journal[i]);
        if (((g && g->action == GoalAction::add) || (o && o->action == ObjectiveAction::add)) &&
            !(!record.voided.empty() && voided(journal[i])))
            goal_ids.emplace_back(g ? g->ref : o->ref,
                                  fhir_uuid(fmt::format("goal/{}/{}", h.id, i)));
    }
    auto goal_id = [&](std::string_view ref) -> const std::string* {
        for (const auto& [r, id] : goal_ids)
            if (r == ref)
                return &id;
        return nullptr;
    };

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
    // Each intervention once, with the objectives it serves: in progress
    // while one of them is open, cancelled when all were dropped.
    std::vector<std::string> interventions;
    for (const GoalState& g : treatment.goals)
        for (const ObjectiveState& o : g.objectives)
            for (const std::string& i : o.interventions)
                if (std::find(interventions.begin(), interventions.end(), i) == interventions.end())
                    interventions.push_back(i);
    for (const std::string& intervention : interventions) {
        json serves = json::array();
        bool open = false, all_dropped = true;
        for (const GoalState& g : treatment.goals)
            for (const ObjectiveState& o : g.objectives)
                if (std::find(o.interventions.begin(), o.interventions.end(), intervention) !=
                    o.interventions.end()) {
                    if (const std::string* id = goal_id(o.ref))
                        serves.push_back(link(*id));
                    open = open || o.open;
                    all_dropped = all_dropped &&
                                  (o.status == "dropped" || (!o.open && g.status == "dropped"));
                }
        std::string status = open ? activity_status : all_dropped ? "cancelled" : "completed";
        json detail = {{"status", status}};
        if (!serves.empty())
            detail["goal"] = serves;
        detail["description"] = intervention;
        activities.push_back({{"detail", detail}});
    }
    if (!activities.empty())
        plan["activity"] = activities;
    if (!goal_ids.empty()) {
        json goals = json::array();
        for (const auto& [ref, id] : goal_ids)
            goals.push_back(link(id));
        plan["goal"] = goals;
    }
    out.push_back(entry(plan_id, plan));

    // A Coverage for the insurance, and one for each other payer of an
    // authorization (SPEC section 13), in the order of their first
    // authorization; each authorization's number is an identifier of its
    // payer's Coverage, its period the span of their dates. Voided
    // authorizations are left out.
    std::vector<std::string> payers;
    if (!h.insurance.empty())
        payers.push_back(h.insurance);
    for (const Entry& e : record.journal)
        if (const Authorization* a = std::get_if<Authorization>(&e))
            if (std::none_of(payers.begin(), payers.end(),
                             [&](const std::string& p) { return same_payer(p, a->payer); }))
                payers.push_back(a->payer);
    for (const std::string& payer : payers) {
        std::string coverage_id =
            fhir_uuid(payer == h.insurance ? "coverage/" + h.id : "coverage/" + h.id + "/" + payer);
        json coverage = resource("Coverage", coverage_id);
        json identifiers = json::array();
        std::optional<Date> first, last;
        for (const Entry& e : record.journal)
            if (const Authorization* a = std::get_if<Authorization>(&e);
                a && same_payer(a->payer, payer)) {
                identifiers.push_back(
                    {{"system", fhir_authorization_system}, {"value", a->number}});
                first = first ? std::min(*first, a->from) : a->from;
                last = last ? std::max(*last, a->to) : a->to;
            }
        if (!identifiers.empty())
            coverage["identifier"] = identifiers;
        coverage["status"] = "active";
        coverage["beneficiary"] = link(patient_id);
        if (first)
            coverage["period"] = {{"start", format_date(*first)}, {"end", format_date(*last)}};
        coverage["payor"] = json::array({{{"display", payer}}});
        out.push_back(entry(coverage_id, coverage));
    }

    // Voided sessions and screens stay, marked entered-in-error (SPEC
    // section 11); a voided medication entry is left out with the fold.
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
        } else if (auto g = std::get_if<Goal>(&journal[i]); g && g->action == GoalAction::add) {
            std::string id = fhir_uuid("goal/" + where);
            json goal = resource("Goal", id);
            goal["identifier"] = plan_ref(g->ref);
            const GoalState* state = in_error ? nullptr : treatment.find_goal(g->ref);
            if (state)
                goal_status(goal, state->status, state->open, "");
            else
                goal["lifecycleStatus"] = "entered-in-error";
            if (auto dimension = state ? state->dimension : g->dimension)
                goal["category"] =
                    json::array({text_concept(fmt::format("ASAM dimension {}", *dimension))});
            goal["description"] = text_concept(state ? state->goal : g->goal.value_or(""));
            goal["subject"] = link(patient_id);
            goal["startDate"] = format_date(g->date);
            if (state && state->closed)
                goal["statusDate"] = format_date(*state->closed);
            json notes = json::array();
            std::string problem = state ? state->problem : g->problem.value_or("");
            std::string words = state ? state->words : g->words.value_or("");
            notes.push_back({{"text", "Problem: " + problem}});
            if (!words.empty())
                notes.push_back({{"text", "In the patient's words: " + words}});
            goal["note"] = notes;
            out.push_back(entry(id, goal));
        } else if (auto o = std::get_if<Objective>(&journal[i]);
                   o && o->action == ObjectiveAction::add) {
            std::string id = fhir_uuid("goal/" + where);
            json goal = resource("Goal", id);
            const GoalState* parent = in_error ? nullptr : treatment.find_goal(o->goal_ref());
            const ObjectiveState* state = in_error ? nullptr : treatment.find_objective(o->ref);
            if (const std::string* parent_id = state ? goal_id(o->goal_ref()) : nullptr)
                goal["extension"] = json::array(
                    {{{"url", fhir_objective_of_url}, {"valueReference", link(*parent_id)}}});
            goal["identifier"] = plan_ref(o->ref);
            if (state)
                goal_status(goal, state->status, state->open, parent ? parent->status : "");
            else
                goal["lifecycleStatus"] = "entered-in-error";
            goal["description"] = text_concept(state ? state->text : o->text.value_or(""));
            goal["subject"] = link(patient_id);
            goal["startDate"] = format_date(o->date);
            json target = json::object();
            std::string measure = state ? state->measure : o->measure.value_or("");
            if (!measure.empty())
                target["measure"] = text_concept(measure);
            if (state || o->target)
                target["dueDate"] = format_date(state ? state->target : *o->target);
            if (!target.empty())
                goal["target"] = json::array({target});
            if (state && state->closed)
                goal["statusDate"] = format_date(*state->closed);
            out.push_back(entry(id, goal));
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
