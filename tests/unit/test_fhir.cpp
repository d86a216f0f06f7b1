// The FHIR R4 export (include/iop/fhir.hpp): a pure function of program and
// records, every resource labelled, ids stable.
#include "iop/fhir.hpp"
#include "testutil.hpp"

#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <set>
#include <string>

using testutil::ymd;

namespace {

iop::Record record() {
    iop::Record r;
    r.file = "patients/P_1.toml";
    r.header.id = "P_1"; // '_' is not allowed in a FHIR id: ids are UUIDs
    r.header.name = "Jane Doe";
    r.header.enrolled = ymd(2026, 11, 2);
    iop::Session s;
    s.date = ymd(2026, 11, 3);
    s.kind = iop::SessionKind::group;
    s.topic = "illness";
    s.hours = 3;
    r.journal.push_back(s);
    s.date = ymd(2026, 11, 4);
    s.status = iop::SessionStatus::absent;
    r.journal.push_back(s);
    iop::Screen sc;
    sc.date = ymd(2026, 11, 5);
    sc.result = iop::ScreenResult::positive;
    sc.substances = {"alcohol"};
    r.journal.push_back(sc);
    iop::Event e;
    e.type = iop::EventType::discharged;
    e.date = ymd(2026, 11, 20);
    e.reason = "step-up";
    r.journal.push_back(e);
    return r;
}

} // namespace

TEST_SUITE_BEGIN("fhir");

TEST_CASE("uuids are name-based, version 8, and differ by name") {
    std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    std::set<std::string> seen;
    for (const char* name :
         {"patient/P-1", "patient/P-2", "episode/P-1", "encounter/P-1/0", "encounter/P-1/1", ""}) {
        std::string u = iop::fhir_uuid(name);
        CHECK(std::regex_match(u, shape));
        CHECK(u == iop::fhir_uuid(name));
        seen.insert(u);
    }
    CHECK(seen.size() == 6);
}

TEST_CASE("every resource and the bundle carry ETH and R") {
    iop::Program program = iop::default_program();
    iop::Record r = record();
    iop::fhir_json b = iop::fhir_bundle(program, {&r});
    CHECK(b["resourceType"] == "Bundle");
    CHECK(b["type"] == "collection");
    auto labelled = [](const iop::fhir_json& resource) {
        bool eth = false, restricted = false;
        for (const auto& s : resource["meta"]["security"]) {
            eth |= s["system"] == iop::fhir_act_code_system && s["code"] == "ETH";
            restricted |= s["system"] == iop::fhir_confidentiality_system && s["code"] == "R";
        }
        return eth && restricted;
    };
    CHECK(labelled(b));
    REQUIRE(b["entry"].size() == 6); // Patient, EpisodeOfCare, CarePlan, 2 Encounters, Observation
    for (const auto& e : b["entry"]) {
        CHECK(labelled(e["resource"]));
        CHECK(e["fullUrl"] == "urn:uuid:" + e["resource"]["id"].get<std::string>());
        CHECK(e["resource"].begin().key() == "resourceType");
    }
}

TEST_CASE("resources follow the record") {
    iop::Program program = iop::default_program();
    iop::Record r = record();
    auto entries = iop::fhir_entries(program, r);
    REQUIRE(entries.size() == 6);
    const auto& patient = entries[0]["resource"];
    CHECK(patient["identifier"][0]["value"] == "P_1");
    CHECK(patient["active"] == false);
    const auto& episode = entries[1]["resource"];
    CHECK(episode["status"] == "finished");
    CHECK(episode["period"]["end"] == "2026-11-20");
    CHECK(episode["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "step-up");
    const auto& plan = entries[2]["resource"];
    CHECK(plan["status"] == "revoked");
    CHECK(plan["activity"].size() == 4); // group, individual, family, screens
    CHECK(entries[3]["resource"]["status"] == "finished");
    CHECK(entries[3]["resource"]["length"]["value"] == 3.0);
    CHECK(entries[4]["resource"]["status"] == "cancelled");
    CHECK_FALSE(entries[4]["resource"].contains("length"));
    const auto& obs = entries[5]["resource"];
    CHECK(obs["valueCodeableConcept"]["coding"][0]["code"] == "10828004");
    CHECK(obs["component"][0]["valueString"] == "alcohol");
    // References point at the patient's and episode's fullUrls.
    CHECK(entries[3]["resource"]["subject"]["reference"] == entries[0]["fullUrl"]);
    CHECK(entries[3]["resource"]["episodeOfCare"][0]["reference"] == entries[1]["fullUrl"]);
}

namespace {

// A record with a treatment plan: goals and objectives through each status,
// and a goal entered for the wrong patient, voided.
iop::Record plan_record() {
    std::string text = R"(schema_version = 1
id = "P-1"
name = "Jane Doe"
enrolled = 2026-11-02

[plan]
weeks = 12
groups_per_week = 3
individual_per_week = 1
family_per_week = 1

[[goal]]
ref = "G1"
action = "add"
date = 2026-11-03
problem = "Drinks daily"
goal = "Stay sober"
words = "keep my job"
dimension = 5

[[objective]]
ref = "G1.1"
action = "add"
date = 2026-11-03
text = "Write a relapse-prevention plan"
measure = "reviewed with the counselor"
target = 2026-12-01
interventions = ["relapse-prevention group", "individual CBT"]

[[objective]]
ref = "G1.2"
action = "add"
date = 2026-11-03
text = "Go to two meetings a week"
target = 2026-12-10
interventions = ["individual CBT"]

[[objective]]
ref = "G1.2"
action = "partly-achieved"
date = 2026-11-10

[[goal]]
ref = "G2"
action = "add"
date = 2026-11-04
problem = "Isolation"
goal = "Rebuild friendships"

[[objective]]
ref = "G2.1"
action = "add"
date = 2026-11-04
text = "Call a friend weekly"
target = 2026-11-30
interventions = ["family therapy"]

[[objective]]
ref = "G2.1"
action = "not-achieved"
date = 2026-11-12

[[goal]]
ref = "G3"
action = "add"
date = 2026-11-04
problem = "Debts"
goal = "A budget"

[[objective]]
ref = "G3.1"
action = "add"
date = 2026-11-04
text = "See a debt counselor"
target = 2026-11-30
interventions = ["case management"]

[[goal]]
ref = "G3"
action = "dropped"
date = 2026-11-06
)";
    const std::string wrong = R"(
[[goal]]
ref = "G4"
action = "add"
date = 2026-11-05
problem = "wrong patient"
goal = "wrong patient"
)";
    iop::Record before = iop::parse_record(text + wrong, "patients/P-1.toml");
    const std::string ref = iop::entry_refs(iop::file_journal(before)).back();
    text += wrong + "\n[[event]]\ntype = \"void\"\ndate = 2026-11-05\nentry = \"" + ref +
            "\"\nreason = \"wrong patient\"\n";
    return iop::parse_record(text, "patients/P-1.toml");
}

} // namespace

TEST_CASE("a Goal per goal and objective, referenced from the CarePlan with the interventions") {
    iop::Program program = iop::default_program();
    const iop::Record r = plan_record();
    auto entries = iop::fhir_entries(program, r);
    std::map<std::string, iop::fhir_json> goals; // by plan ref
    for (const auto& e : entries)
        if (e["resource"]["resourceType"] == "Goal") {
            const auto& g = e["resource"];
            CHECK(g["identifier"][0]["system"] == "urn:iop:plan-ref");
            CHECK(g["subject"]["reference"] == entries[0]["fullUrl"]);
            CHECK(g["meta"]["security"] == iop::fhir_security());
            goals[g["identifier"][0]["value"].get<std::string>()] = e;
        }
    REQUIRE(goals.size() == 8);
    auto goal = [&](const std::string& ref) { return goals.at(ref)["resource"]; };
    auto achievement = [&](const std::string& ref) {
        const auto& g = goal(ref);
        CHECK(g["achievementStatus"]["coding"][0]["system"] ==
              "http://terminology.hl7.org/CodeSystem/goal-achievement");
        return g["achievementStatus"]["coding"][0]["code"].get<std::string>();
    };

    CHECK(goal("G1")["lifecycleStatus"] == "active");
    CHECK(achievement("G1") == "in-progress");
    CHECK(goal("G1")["description"]["text"] == "Stay sober");
    CHECK(goal("G1")["startDate"] == "2026-11-03");
    CHECK(goal("G1")["category"][0]["text"] == "ASAM dimension 5");
    CHECK(goal("G1")["note"][0]["text"] == "Problem: Drinks daily");
    CHECK(goal("G1")["note"][1]["text"] == "In the patient's words: keep my job");
    CHECK_FALSE(goal("G1").contains("target"));

    // An objective: its target, its measure, and its goal.
    CHECK(goal("G1.1")["lifecycleStatus"] == "active");
    CHECK(achievement("G1.1") == "in-progress");
    CHECK(goal("G1.1")["target"][0]["dueDate"] == "2026-12-01");
    CHECK(goal("G1.1")["target"][0]["measure"]["text"] == "reviewed with the counselor");
    CHECK(goal("G1.1")["extension"][0]["url"] == "urn:iop:fhir:objective-of");
    CHECK(goal("G1.1")["extension"][0]["valueReference"]["reference"] == goals.at("G1")["fullUrl"]);
    CHECK(goal("G1.2")["lifecycleStatus"] == "active");
    CHECK(achievement("G1.2") == "improving");
    CHECK(goal("G2.1")["lifecycleStatus"] == "completed");
    CHECK(achievement("G2.1") == "not-achieved");
    CHECK(goal("G2.1")["statusDate"] == "2026-11-12");
    // Dropped: the goal, and its open objective with it.
    CHECK(goal("G3")["lifecycleStatus"] == "cancelled");
    CHECK_FALSE(goal("G3").contains("achievementStatus"));
    CHECK(goal("G3.1")["lifecycleStatus"] == "cancelled");
    CHECK(goal("G3.1")["statusDate"] == "2026-11-06");
    // Voided: entered-in-error, and not in the plan.
    CHECK(goal("G4")["lifecycleStatus"] == "entered-in-error");
    CHECK_FALSE(goal("G4").contains("achievementStatus"));

    const auto& plan = entries[2]["resource"];
    REQUIRE(plan["resourceType"] == "CarePlan");
    std::vector<std::string> referenced;
    for (const auto& g : plan["goal"])
        referenced.push_back(g["reference"].get<std::string>());
    std::vector<std::string> live;
    for (const char* ref : {"G1", "G1.1", "G1.2", "G2", "G2.1", "G3", "G3.1"})
        live.push_back(goals.at(ref)["fullUrl"].get<std::string>());
    CHECK(referenced == live);
    // Group, individual, family, screens, then each intervention once with
    // the objectives it serves.
    REQUIRE(plan["activity"].size() == 8);
    const auto& cbt = plan["activity"][5]["detail"];
    CHECK(cbt["description"] == "individual CBT");
    CHECK(cbt["status"] == "in-progress");
    CHECK(cbt["goal"].size() == 2);
    CHECK(cbt["goal"][1]["reference"] == goals.at("G1.2")["fullUrl"]);
    CHECK(plan["activity"][4]["detail"]["description"] == "relapse-prevention group");
    CHECK(plan["activity"][6]["detail"]["description"] == "family therapy");
    CHECK(plan["activity"][6]["detail"]["status"] == "completed");
    CHECK(plan["activity"][7]["detail"]["description"] == "case management");
    CHECK(plan["activity"][7]["detail"]["status"] == "cancelled");

    // A record without a plan has no Goal and no CarePlan.goal.
    for (const auto& e : iop::fhir_entries(program, record())) {
        CHECK(e["resource"]["resourceType"] != "Goal");
        CHECK_FALSE(e["resource"].contains("goal"));
    }
}

TEST_SUITE_END();
