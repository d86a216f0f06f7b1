"""iop export (SPEC section 8): JSON with every field and entry, CSV that
imports back to the same bytes (formulas neutralised), and an HL7 FHIR R4
Bundle whose every resource carries the substance-use confidentiality labels,
checked here for structure and, where npm installed them (./setup test), by
two independent validators."""

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (IOP, SOURCE_DIR, assert_unchanged, case, check, contains, enroll, eq, expect_error,
                  main, make_clinic, ok, record_path, run, snapshot)

TODAY = "2027-03-01"

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"


def iop(d, *args, **kw):
    kw.setdefault("today", TODAY)
    return ok("-C", d, *args, **kw)


def rich_clinic(tmp, name="clinic"):
    """Three patients covering every kind of entry, odd text included."""
    d = make_clinic(tmp, name)
    iop(d, "enroll", "P-0001", "--name", 'Doe, "Jane"', "--start", "2026-11-02", "--born",
        "1985-04-12", "--clinician", "=cmd|' /C calc'!A0", "--diagnosis",
        "Alcohol use disorder, moderate", "--insurance", "+Acme Health")
    iop(d, "enroll", "P-0002", "--name", "John Roe", "--start", "2026-11-09")
    iop(d, "enroll", "P-0003", "--name", "-Zoë O'Brien", "--start", "2026-11-09", "--weeks", "4",
        "--family-per-week", "0")
    a = lambda *x: iop(d, "attend", "P-0001", *x)  # noqa: E731
    a("--kind", "group", "--topic", "illness", "--date", "2026-11-03", "--note",
      '@home, "quoted"')
    a("--kind", "group", "--topic", "illness", "--date", "2026-11-03", "--allow-duplicate")
    a("--kind", "individual", "--date", "2026-11-04", "--hours", "1.5")
    a("--kind", "family", "--date", "2026-11-05", "--absent")
    a("--kind", "group", "--topic", "stress", "--date", "2026-11-06", "--excused")
    iop(d, "screen", "P-0001", "--result", "positive", "--substance", "alcohol", "--substance",
        "a;b", "--date", "2026-11-06")
    iop(d, "screen", "P-0001", "--result", "negative", "--date", "2026-11-13")
    iop(d, "med", "P-0001", "start", "naltrexone", "--dose", "50 mg daily", "--review-days", "14",
        "--date", "2026-11-04")
    iop(d, "med", "P-0001", "review", "naltrexone", "--date", "2026-11-18")
    iop(d, "med", "P-0001", "start", "disulfiram", "--date", "2026-11-05")
    iop(d, "med", "P-0001", "stop", "disulfiram", "--date", "2026-11-19")
    iop(d, "plan", "P-0001", "--groups-per-week", "2", "--date", "2026-11-16", "--note", "less")
    iop(d, "plan", "P-0001", "--review", "--date", "2026-11-20")
    iop(d, "aftercare", "P-0001", "--sponsor", "Sam K.", "--group", "Alcoholics Anonymous",
        "--group", "NA")
    iop(d, "discharge", "P-0002", "--reason", "moved", "--date", "2026-11-20", "--note",
        "moved away")
    iop(d, "attend", "P-0003", "--kind", "group", "--topic", "stress", "--date", "2026-11-10")
    iop(d, "graduate", "P-0003", "--date", "2026-12-06", "--force", "--reason",
        "completed elsewhere")
    # A late entry: a specimen of before the graduation, still at the lab.
    iop(d, "screen", "P-0003", "--result", "pending", "--date", "2026-12-01")
    return d


def export(d, *args, **kw):
    r = iop(d, "export", *args, **kw)
    return r.out


# ---------------------------------------------------------------- JSON


@case
def json_carries_every_field_and_entry(tmp):
    d = rich_clinic(tmp)
    data = json.loads(export(d))  # JSON is the default
    eq(data, json.loads(export(d, "--format", "json")), "default format")
    eq([p["id"] for p in data], ["P-0001", "P-0002", "P-0003"], "patients")
    p1 = data[0]
    for key, value in {"name": 'Doe, "Jane"', "born": "1985-04-12", "enrolled": "2026-11-02",
                       "clinician": "=cmd|' /C calc'!A0",
                       "diagnosis": "Alcohol use disorder, moderate",
                       "insurance": "+Acme Health", "recorded_by": "tester",
                       "recorded_at": "2026-11-03T17:02:11Z", "status": "active",
                       "file": "patients/P-0001.toml"}.items():
        eq(p1[key], value, key)
    eq(p1["plan"], {"weeks": 12, "groups_per_week": 3, "individual_per_week": 1,
                    "family_per_week": 1}, "the header plan")
    kinds = [e["entry"] for e in p1["journal"]]
    eq(kinds, ["session"] * 5 + ["screen"] * 2 + ["medication"] * 4 + ["event"] * 3,
       "journal in file order")
    eq(p1["journal"][0]["note"], '@home, "quoted"', "note")
    eq(p1["journal"][5]["substances"], ["alcohol", "a;b"], "substances")
    eq(p1["journal"][7]["review_days"], 14, "review_days")
    eq(p1["journal"][11]["plan"], {"groups_per_week": 2}, "plan change")
    eq((data[1]["status"], data[1]["ended"], data[1]["journal"][0]["reason"]),
       ("discharged", "2026-11-20", "moved"), "P-0002")
    eq((data[2]["status"], data[2]["journal"][1]["forced"]), ("graduated", True), "P-0003")
    eq((data[2]["journal"][2]["entry"], data[2]["journal"][2]["result"]), ("screen", "pending"),
       "a pending screen")


@case
def status_filter(tmp):
    d = rich_clinic(tmp)
    for status, ids in {"all": ["P-0001", "P-0002", "P-0003"], "active": ["P-0001"],
                        "discharged": ["P-0002"], "graduated": ["P-0003"]}.items():
        eq([p["id"] for p in json.loads(export(d, "--status", status))], ids, status)
    expect_error(run("-C", d, "export", "--status", "done"), 2, "--status 'done' is not valid")


@case
def an_empty_clinic(tmp):
    d = make_clinic(tmp)
    eq(export(d), "[]\n", "json")
    eq(export(d, "--format", "csv").count("\n"), 1, "csv: the header row only")
    b = json.loads(export(d, "--format", "fhir"))
    eq((b["resourceType"], b["type"], b["entry"]), ("Bundle", "collection", []), "fhir")


@case
def a_broken_record_is_reported_and_the_rest_exported(tmp):
    d = rich_clinic(tmp)
    (d / "patients" / "P-0009.toml").write_text("schema_version = 1\nid = \n")
    r = run("-C", d, "export", today=TODAY)
    eq(r.code, 3, "exit")
    contains(r.err, "patients/P-0009.toml")
    eq(len(json.loads(r.out)), 3, "the readable records")


@case
def fhir_is_for_export_only(tmp):
    d = make_clinic(tmp)
    expect_error(run("-C", d, "list", "--format", "fhir"), 2,
                 "'iop list' does not support --format fhir")
    expect_error(run("-C", d, "export", "--format", "xml"), 2, "--format 'xml' is not valid")
    # export's default is JSON; text is not one of its formats
    enroll(d, "P-0001")
    eq(json.loads(run("-C", d, "export").out)[0]["id"], "P-0001", "export without --format")
    expect_error(run("-C", d, "export", "--format", "text"), 2,
                 "'iop export' does not support --format text; it supports: json, csv, fhir")


# ---------------------------------------------------------------- CSV


@case
def csv_is_the_journal_layout_with_formulas_neutralised(tmp):
    d = rich_clinic(tmp)
    text = export(d, "--format", "csv")
    rows = list(csv.reader(io.StringIO(text)))
    eq(rows[0], ["record", "id", "name", "born", "enrolled", "clinician", "diagnosis",
                 "insurance", "weeks", "groups_per_week", "individual_per_week",
                 "family_per_week", "date", "kind", "topic", "hours", "status", "objectives",
                 "result", "substances", "action", "medication", "dose", "review_days", "type",
                 "sponsor", "groups", "forced", "reason", "entry", "ref", "problem", "goal",
                 "words", "dimension", "text", "measure", "target", "interventions", "role",
                 "plan_version", "declined", "d1", "d2", "d3", "d4", "d5", "d6", "level",
                 "payer", "number", "from", "to", "units", "unit", "next_review", "physician",
                 "note", "recorded_by", "recorded_at"],
       "header")
    eq(len(rows), 1 + 3 + 14 + 1 + 3, "a row per patient and per entry")
    first = dict(zip(rows[0], rows[1]))
    eq((first["record"], first["name"], first["clinician"], first["insurance"]),
       ("patient", 'Doe, "Jane"', "'=cmd|' /C calc'!A0", "'+Acme Health"), "P-0001's row")
    for row in rows[1:]:
        for cell in row:
            check(not cell or cell[0] not in "=+-@\t\r",
                  f"a cell a spreadsheet would run: {cell!r}")
    eq(dict(zip(rows[0], rows[2]))["note"], "'@home, \"quoted\"", "note neutralised")
    zoe = next(r for r in rows if r[1] == "P-0003" and r[0] == "patient")
    eq(zoe[2], "'-Zoë O'Brien", "name neutralised")
    check("\r" not in text, "rows end with LF")


@case
def csv_round_trip_gives_the_same_bytes(tmp):
    a = rich_clinic(tmp, "a")
    first = export(a, "--format", "csv")
    (tmp / "export.csv").write_text(first)
    b = make_clinic(tmp, "b")
    r = iop(b, "import", tmp / "export.csv")
    eq(r.out, "enrolled 3 patients, imported 6 sessions, 3 screens, 4 medication entries and "
              "5 events for 3 patients, skipped 0 duplicates\n", "import summary")
    eq(export(b, "--format", "csv"), first, "second export")
    for p in sorted((a / "patients").iterdir()):
        eq((b / "patients" / p.name).read_bytes(), p.read_bytes(), f"{p.name} bytes")
    eq(export(b), export(a), "JSON of both")
    before = snapshot(b)
    eq(iop(b, "import", tmp / "export.csv").out,
       "imported 0 sessions for 0 patients, skipped 21 duplicates\n", "re-import")
    assert_unchanged(before, snapshot(b), "after importing the export again")


@case
def csv_export_of_a_filtered_set_imports_alone(tmp):
    a = rich_clinic(tmp, "a")
    text = export(a, "--format", "csv", "--status", "graduated")
    (tmp / "g.csv").write_text(text)
    b = make_clinic(tmp, "b")
    iop(b, "import", tmp / "g.csv")
    eq(sorted(os.listdir(b / "patients")), ["P-0003.toml"], "patients")
    eq(export(b, "--format", "csv"), text, "bytes")


# ---------------------------------------------------------------- FHIR


def bundle_of(d):
    return json.loads(export(d, "--format", "fhir"))


@case
def fhir_bundle_structure(tmp):
    d = rich_clinic(tmp)
    b = bundle_of(d)
    eq((b["resourceType"], b["type"]), ("Bundle", "collection"), "bundle")
    resources = [e["resource"] for e in b["entry"]]
    urls = [e["fullUrl"] for e in b["entry"]]
    eq(len(set(urls)), len(urls), "fullUrls are unique")
    for e in b["entry"]:
        eq(e["fullUrl"], "urn:uuid:" + e["resource"]["id"], "fullUrl and id agree")

    def security_ok(resource):
        codes = {(s["system"], s["code"]) for s in resource["meta"]["security"]}
        return {(ACT_CODE, "ETH"), (CONFIDENTIALITY, "R")} <= codes

    check(security_ok(b), "the Bundle's meta.security")
    for r in resources:
        check(security_ok(r), f"meta.security of {r['resourceType']} {r['id']}")

    def refs(obj):
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k == "reference":
                    yield v
                else:
                    yield from refs(v)
        elif isinstance(obj, list):
            for v in obj:
                yield from refs(v)

    for ref in refs(resources):
        check(ref in urls, f"reference {ref} resolves within the bundle")

    by_type = {}
    for r in resources:
        by_type.setdefault(r["resourceType"], []).append(r)
    eq({k: len(v) for k, v in by_type.items()},
       {"Patient": 3, "EpisodeOfCare": 3, "CarePlan": 3, "Coverage": 1, "Encounter": 6,
        "Observation": 3, "MedicationStatement": 2}, "resources")

    patients = {r["identifier"][0]["value"]: r for r in by_type["Patient"]}
    eq(patients["P-0001"]["name"], [{"text": 'Doe, "Jane"'}], "name")
    eq(patients["P-0001"]["birthDate"], "1985-04-12", "birthDate")
    uid = {pid: "urn:uuid:" + r["id"] for pid, r in patients.items()}

    episodes = {e["patient"]["reference"]: e for e in by_type["EpisodeOfCare"]}
    e1, e2, e3 = (episodes[uid[p]] for p in ("P-0001", "P-0002", "P-0003"))
    eq((e1["status"], e1["period"]), ("active", {"start": "2026-11-02"}), "active episode")
    eq((e2["status"], e2["period"]), ("finished", {"start": "2026-11-09", "end": "2026-11-20"}),
       "discharged episode")
    eq(e2["extension"][0]["valueCodeableConcept"]["coding"][0]["code"], "moved",
       "discharge reason")
    eq(e3["extension"][0]["valueCodeableConcept"]["coding"][0]["code"], "graduated",
       "graduation")

    plans = {p["subject"]["reference"]: p for p in by_type["CarePlan"]}
    p1 = plans[uid["P-0001"]]
    eq((p1["status"], p1["intent"], p1["period"]),
       ("active", "plan", {"start": "2026-11-02", "end": "2027-01-24"}), "care plan")
    freq = {a["detail"]["code"]["text"]: a["detail"]["scheduledTiming"]["repeat"]
            for a in p1["activity"]}
    eq(freq["Group therapy"], {"frequency": 2, "period": 1, "periodUnit": "wk"},
       "groups a week after the plan change")
    eq(sorted(freq), ["Drug screen", "Family therapy", "Group therapy", "Individual therapy"],
       "activities")
    check("Family therapy" not in [a["detail"]["code"]["text"]
                                   for a in plans[uid["P-0003"]]["activity"]],
          "no activity for 0 a week")
    eq(plans[uid["P-0003"]]["status"], "completed", "graduated plan")
    eq(plans[uid["P-0002"]]["status"], "revoked", "discharged plan")

    encounters = [e for e in by_type["Encounter"] if e["subject"]["reference"] == uid["P-0001"]]
    eq([(e["status"], e["period"]["start"], e["type"][0]["text"]) for e in encounters],
       [("finished", "2026-11-03", "Group therapy"), ("finished", "2026-11-03", "Group therapy"),
        ("finished", "2026-11-04", "Individual therapy"),
        ("cancelled", "2026-11-05", "Family therapy"),
        ("cancelled", "2026-11-06", "Group therapy")], "an Encounter per session")
    eq(encounters[2]["length"], {"value": 1.5, "unit": "h", "system": "http://unitsofmeasure.org",
                                 "code": "h"}, "length")
    check(all(e["episodeOfCare"] == [{"reference": "urn:uuid:" + e1["id"]}]
              for e in encounters), "encounters belong to the episode")

    obs = by_type["Observation"]
    eq([(o["status"], o["effectiveDateTime"], o.get("valueCodeableConcept", {}).get("text"))
        for o in obs],
       [("final", "2026-11-06", "positive"), ("final", "2026-11-13", "negative"),
        ("registered", "2026-12-01", None)], "screens; a pending one registered, no value")
    check("component" not in obs[2], "a pending screen detected nothing")
    eq([c["valueString"] for c in obs[0]["component"]], ["alcohol", "a;b"], "substances")

    meds = by_type["MedicationStatement"]
    eq([(m["medicationCodeableConcept"]["text"], m["status"], m["effectivePeriod"])
        for m in meds],
       [("naltrexone", "active", {"start": "2026-11-04"}),
        ("disulfiram", "completed", {"start": "2026-11-05", "end": "2026-11-19"})], "medications")
    eq(meds[0]["dosage"], [{"text": "50 mg daily"}], "dose")

    coverage = by_type["Coverage"][0]
    eq((coverage["beneficiary"]["reference"], coverage["payor"]),
       (uid["P-0001"], [{"display": "+Acme Health"}]), "coverage")


@case
def fhir_is_the_same_for_the_same_records(tmp):
    a = rich_clinic(tmp, "a")
    (tmp / "e.csv").write_text(export(a, "--format", "csv"))
    b = make_clinic(tmp, "b")
    iop(b, "import", tmp / "e.csv")
    eq(export(b, "--format", "fhir"), export(a, "--format", "fhir"), "bundles")


# Goals and objectives through every status, with signatures.
PLAN = """
[[goal]]
ref = "G1"
action = "add"
date = 2026-11-03
problem = "Drinks daily to cope with work stress"
goal = "Stay sober and handle stress without alcohol"
words = "I want to keep my job"
dimension = 5

[[objective]]
ref = "G1.1"
action = "add"
date = 2026-11-03
text = "Write a relapse-prevention plan"
measure = "plan reviewed with the counselor"
target = 2026-12-01
interventions = ["relapse-prevention group 3x a week", "individual CBT weekly"]

[[objective]]
ref = "G1.2"
action = "add"
date = 2026-11-03
text = "Two meetings a week"
target = 2026-11-30
interventions = ["individual CBT weekly"]

[[objective]]
ref = "G1.2"
action = "partly-achieved"
date = 2026-11-10

[[objective]]
ref = "G1.3"
action = "add"
date = 2026-11-03
text = "Sleep 7 hours"
target = 2026-11-20

[[objective]]
ref = "G1.3"
action = "not-achieved"
date = 2026-11-20

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

[[goal]]
ref = "G2"
action = "dropped"
date = 2026-11-12

[[goal]]
ref = "G3"
action = "add"
date = 2026-11-05
problem = "entered for the wrong patient"
goal = "none"

[[event]]
type = "signature"
date = 2026-11-05
role = "patient"
plan_version = 7
declined = true
reason = "wants to read it at home"

[[event]]
type = "signature"
date = 2026-11-05
role = "clinician"
name = "Dr. Rivera"
plan_version = 7
"""


def validators():
    """node and the validators that ./setup test installs with npm, or None."""
    node = shutil.which("node") or shutil.which("nodejs")
    build = Path(IOP).parent
    for modules in (os.environ.get("IOP_FHIR_VALIDATORS"), build / "fhir-validators" /
                    "node_modules", SOURCE_DIR / "build" / "fhir-validators" / "node_modules"):
        if modules and node and (Path(modules) / "fhir").is_dir() and \
                (Path(modules) / "@asymmetrik" / "fhir-json-schema-validator").is_dir():
            return node, Path(modules)
    return None


@case
def fhir_passes_two_independent_validators(tmp):
    found = validators()
    if not found:
        print("  skipped: the FHIR validators are not installed (./setup test installs them "
              "with npm; or set IOP_FHIR_VALIDATORS to their node_modules)")
        return
    node, modules = found
    d = rich_clinic(tmp)
    # Corrections too: a voided session, screen and goal are exported
    # entered-in-error, an amended name as the patient's name.
    shown = json.loads(iop(d, "show", "P-0001", "--journal", "--format", "json").out)
    refs = {}
    for item in shown["journal"]:
        refs.setdefault(item["entry"]["entry"], item["ref"])
    iop(d, "void", "P-0001", refs["session"], "--reason", "wrong patient")
    iop(d, "void", "P-0001", refs["screen"], "--reason", "wrong specimen")
    iop(d, "amend", "P-0001", "--name", "Jane Q. Doe", "--reason", "misspelled at intake")
    # A treatment plan (SPEC section 12): a Goal per goal and objective in
    # every status, the CarePlan's goals and interventions; goal G3 voided
    # (its reference: SHA-256 of its canonical rendering).
    wrong = PLAN[PLAN.index("[[goal]]\nref = \"G3\""):PLAN.index("\n[[event]]")]
    ref = hashlib.sha256((wrong + 'recorded_by = ""\n').encode()).hexdigest()[:8]
    with open(record_path(d, "P-0001"), "a", encoding="utf-8") as f:
        f.write(PLAN + f'\n[[event]]\ntype = "void"\ndate = 2026-11-06\nentry = "{ref}"\n'
                'reason = "wrong patient"\n')
    bundle = export(d, "--format", "fhir")
    eq(bundle.count('"entered-in-error"'), 3, "the voided session, screen and goal")
    eq(bundle.count('"resourceType":"Goal"'), 7, "a Goal per goal and objective")
    (tmp / "bundle.json").write_text(bundle)
    script = SOURCE_DIR / "tests" / "fhir" / "validate.js"
    p = subprocess.run([node, str(script), str(tmp / "bundle.json")], capture_output=True,
                       text=True, env={**os.environ, "NODE_PATH": str(modules)}, timeout=120)
    eq((p.returncode, p.stdout, p.stderr), (0, "ok\n", ""), "validators' verdict")
    # And they do find faults: a resource without its required status fails.
    b = json.loads((tmp / "bundle.json").read_text())
    enc = next(e for e in b["entry"] if e["resource"]["resourceType"] == "Encounter")
    del enc["resource"]["status"]
    (tmp / "broken.json").write_text(json.dumps(b))
    p = subprocess.run([node, str(script), str(tmp / "broken.json")], capture_output=True,
                       text=True, env={**os.environ, "NODE_PATH": str(modules)}, timeout=120)
    eq(p.returncode, 1, f"a broken bundle fails:\n{p.stdout}")
    contains(p.stdout, "Encounter.status")


if __name__ == "__main__":
    main()
