// The FHIR R4 export (include/iop/fhir.hpp): a pure function of program and
// records, every resource labelled, ids stable.
#include "iop/fhir.hpp"
#include "testutil.hpp"

#include <doctest/doctest.h>

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

TEST_SUITE_END();
