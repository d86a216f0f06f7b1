"""The treatment plan (SPEC section 12) in import and export: goals,
objectives, signatures and the sessions' objectives go through the journal
CSV layout and back to the same bytes (voided goal entries and declined
signatures included); an import checks goal and objective rows as a record's
load does (exit 3, every file unchanged); JSON carries the entries and FHIR a
Goal per goal and objective. The FHIR validators' run on a bundle with plans
is in test_export.py."""

import csv
import hashlib
import io
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (assert_unchanged, case, contains, eq, import_fails, load_toml, main,
                  make_clinic, ok, record_path, snapshot)

TODAY = "2026-12-15"


def iop(d, *args, **kw):
    kw.setdefault("today", TODAY)
    return ok("-C", d, *args, **kw)


def q(text):
    """A TOML basic string (JSON's escapes are TOML's for these)."""
    return json.dumps(text, ensure_ascii=False)


def block(table, **keys):
    """An entry as iop renders it, keys in the order given, without the
    recorded_ pair (see ref_of)."""
    lines = [f"[[{table}]]"]
    for k, v in keys.items():
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, list):
            v = "[" + ", ".join(q(i) for i in v) + "]"
        elif isinstance(v, str) and not (len(v) == 10 and v[4] == "-" and v[:4].isdigit()):
            v = q(v)
        lines.append(f"{k} = {v}")
    return "\n".join(lines) + "\n"


def ref_of(text):
    """The reference of an entry written as `block` wrote it (iop renders an
    entry without recorded_by with an empty one)."""
    return hashlib.sha256((text + 'recorded_by = ""\n').encode("utf-8")).hexdigest()[:8]


def append(d, pid, *blocks):
    with open(record_path(d, pid), "a", encoding="utf-8") as f:
        for b in blocks:
            f.write("\n" + b)


def plan_clinic(tmp, name="a"):
    """P-0001 (an adult) with goals revised, achieved and voided, objectives
    partly achieved, not achieved and dropped, sessions that addressed them
    and signatures, one declined; P-0002 (an adolescent) signed by a guardian."""
    d = make_clinic(tmp, name)
    iop(d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02", "--born",
        "1985-04-12")
    iop(d, "enroll", "P-0002", "--name", "Sam Roe", "--start", "2026-11-02", "--born",
        "2010-03-01")
    iop(d, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date", "2026-11-03")
    wrong = block("goal", ref="G3", action="add", date="2026-11-05",
                  problem="entered for the wrong patient", goal="none")
    # An empty list is no list: its reference is the entry's without it.
    empty = block("objective", ref="G2.2", action="add", date="2026-11-05", text="Walk daily",
                  target="2026-11-30")
    append(d, "P-0001",
           block("goal", ref="G1", action="add", date="2026-11-03",
                 problem='Drinks daily, "to cope"\n=with work stress',
                 goal="-Stay sober; keep the job", words="I want my family back\n\tand my job",
                 dimension=5),
           block("objective", ref="G1.1", action="add", date="2026-11-03",
                 text="Name 3 triggers, 3 responses", measure="@plan reviewed",
                 target="2026-12-01",
                 interventions=["relapse-prevention group; 3x a week", "back\\slash", "=CBT"]),
           block("objective", ref="G1.2", action="add", date="2026-11-03",
                 text="Two meetings a week", target="2026-11-20"),
           block("event", type="signature", date="2026-11-04", role="patient", plan_version=4),
           block("event", type="signature", date="2026-11-04", role="clinician",
                 name="Dr. Rivera, LADC", plan_version=4),
           block("session", date="2026-11-05", kind="individual", hours=1.0, status="attended",
                 objectives=["G1.1", "G1.2"]),
           block("goal", ref="G1", action="revise", date="2026-11-06",
                 words="+one day at a time"),
           block("objective", ref="G1.1", action="partly-achieved", date="2026-11-06",
                 note="2 of 3,\n\"so far\""),
           block("objective", ref="G1.2", action="revise", date="2026-11-06",
                 target="2026-11-25", interventions=["AA"]),
           block("objective", ref="G1.2", action="not-achieved", date="2026-11-26"),
           block("goal", ref="G2", action="add", date="2026-11-04", problem="Isolation",
                 goal="Friends"),
           block("objective", ref="G2.1", action="add", date="2026-11-04",
                 text="Call a friend weekly", target="2026-11-30",
                 interventions=["family therapy"]),
           block("objective", ref="G2.1", action="dropped", date="2026-11-07"),
           wrong,
           block("event", type="void", date="2026-11-05", entry=ref_of(wrong),
                 reason="wrong patient"),
           empty.replace("target = 2026-11-30\n", "target = 2026-11-30\ninterventions = []\n"),
           block("event", type="void", date="2026-11-05", entry=ref_of(empty),
                 reason="entered twice"),
           block("goal", ref="G2", action="achieved", date="2026-11-27", note="-calls weekly"),
           block("event", type="signature", date="2026-11-28", role="patient", plan_version=9,
                 declined=True, reason="=wants to read it\nat home"))
    append(d, "P-0002",
           block("goal", ref="G1", action="add", date="2026-11-03", problem="Cannabis daily",
                 goal="Stop"),
           block("objective", ref="G1.1", action="add", date="2026-11-03", text="Log use",
                 target="2026-11-17", interventions=["individual CBT weekly"]),
           block("event", type="signature", date="2026-11-04", role="guardian",
                 name="Pat Roe", plan_version=3))
    return d


def export(d, *args):
    return iop(d, "export", *args).out


@case
def plans_round_trip_through_csv_to_the_same_bytes(tmp):
    a = plan_clinic(tmp)
    first = export(a, "--format", "csv")
    for row in ("\ngoal,P-0001,", "\nobjective,P-0001,", ",signature,", "partly-achieved",
                "G1.1;G1.2", "relapse-prevention group\\; 3x a week;back\\\\slash;=CBT",
                "'-Stay sober; keep the job"):
        contains(first, row, "the CSV export")
    (tmp / "export.csv").write_text(first, encoding="utf-8")
    b = make_clinic(tmp, "b")
    out = iop(b, "import", tmp / "export.csv").out
    contains(out, "goal entries")
    contains(out, "objective entries")
    eq(export(b, "--format", "csv"), first, "second CSV export")
    eq(export(b), export(a), "JSON export of both")
    eq(export(b, "--format", "fhir"), export(a, "--format", "fhir"), "FHIR export of both")
    # The references survive (the voids still name their entries).
    refs = lambda d: [i["ref"] for i in json.loads(  # noqa: E731
        iop(d, "show", "P-0001", "--journal", "--format", "json").out)["journal"]]
    eq(refs(b), refs(a), "entry references")
    # Importing the export again finds every row there.
    before = snapshot(b)
    out = iop(b, "import", tmp / "export.csv").out
    rows = len(list(csv.reader(io.StringIO(first)))) - 1
    contains(out, f"skipped {rows} duplicates")
    assert_unchanged(before, snapshot(b), "after importing the export again")


@case
def a_signature_row_without_plan_version_gets_the_version_where_it_stands(tmp):
    d = make_clinic(tmp)
    iop(d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    rows = ("record,id,date,ref,action,problem,goal,text,target,interventions,type,role,name\n"
           "goal,P-0001,2026-11-03,G1,add,Drinks,Sober,,,,,,\n"
           "objective,P-0001,2026-11-03,G1.1,add,,,A plan,2026-12-01,group; CBT,,,\n"
           "event,P-0001,2026-11-04,,,,,,,,signature,clinician,Dr. Rivera\n")
    (tmp / "plan.csv").write_text(rows)
    out = iop(d, "import", tmp / "plan.csv").out
    eq(out, "imported 1 event, 1 goal entry and 1 objective entry for 1 patient, "
       "skipped 0 duplicates\n", "summary")
    rec = load_toml(record_path(d))
    eq(rec["event"][0]["plan_version"], 3, "the version after a goal and an objective")
    eq(rec["event"][0]["name"], "Dr. Rivera", "the signer")
    eq(rec["objective"][0]["interventions"], ["group", "CBT"], "interventions")
    eq(rec["goal"][0]["recorded_by"], "tester", "stamped as a command stamps")
    before = snapshot(d)
    contains(iop(d, "import", tmp / "plan.csv").out, "skipped 3 duplicates")
    assert_unchanged(before, snapshot(d), "after the same file again")


@case
def a_session_file_may_say_which_objectives_each_session_addressed(tmp):
    d = make_clinic(tmp)
    iop(d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    (tmp / "s.csv").write_text("id,date,kind,hours,objectives\n"
                               "P-0001,2026-11-03,individual,1,G1.1; G2.3\n"
                               "P-0001,2026-11-04,individual,1,\n")
    eq(iop(d, "import", tmp / "s.csv").out,
       "imported 2 sessions for 1 patient, skipped 0 duplicates\n", "summary")
    eq([s.get("objectives") for s in load_toml(record_path(d))["session"]],
       [["G1.1", "G2.3"], None], "the sessions' objectives")
    import_fails(tmp, d, "bad.csv", "id,date,kind,hours,objectives\n"
                 "P-0001,2026-11-05,individual,1,G1\n",
                 "bad.csv:2: objectives holds 'G1', which is not an objective reference such "
                 "as G1.2")


HEAD = "record,id,date,ref,action,problem,goal,text,target,type,role,declined,reason\n"
GOAL = "goal,P-0001,2026-11-03,G1,add,Drinks,Sober,,,,,,\n"


@case
def bad_plan_rows_are_refused_and_nothing_is_written(tmp):
    d = make_clinic(tmp)
    iop(d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    cases = [
        # Checked on their own, every bad row named.
        ("empty.csv", GOAL + "goal,P-0001,2026-11-03,G2,add,  ,Sober,,,,,,\n"
         "objective,P-0001,2026-11-03,G1.1,add,,,A plan,2026-11-01,,,,\n"
         "event,P-0001,2026-11-04,,,,,,,signature,nurse,,\n"
         "event,P-0001,2026-11-04,,,,,,,signature,patient,true,\n"
         "objective,P-0001,2026-11-03,G1.1,add,,,,2026-12-01,,,,\n",
         ["empty.csv:3: problem holds only spaces",
          "empty.csv:4: target 2026-11-01 is before the objective's date 2026-11-03",
          "empty.csv:5: role 'nurse'", "empty.csv:6: a declined signature needs a reason",
          "empty.csv:7: an objective added needs a text and a target"]),
        # Checked as the record's load checks the plan.
        ("unknown.csv", GOAL + "objective,P-0001,2026-11-03,G2.1,add,,,A plan,2026-12-01,,,,\n",
         ["unknown.csv:3:", "objective G2.1 is added to goal G2, which is not added above"]),
        ("closed.csv", GOAL + "goal,P-0001,2026-11-04,G1,achieved,,,,,,,,\n"
         "objective,P-0001,2026-11-05,G1.1,add,,,A plan,2026-12-01,,,,\n",
         ["closed.csv:4:", "objective G1.1 is added to goal G1, which was achieved on "
          "2026-11-04"]),
        ("twice.csv", GOAL + "objective,P-0001,2026-11-03,G1.1,add,,,A plan,2026-12-01,,,,\n"
         "objective,P-0001,2026-11-04,G1.1,achieved,,,,,,,,\n"
         "objective,P-0001,2026-11-05,G1.1,not-achieved,,,,,,,,\n",
         ["twice.csv:5:", "objective G1.1 is not-achieved after it was achieved on 2026-11-04"]),
        ("dup.csv", GOAL + "goal,P-0001,2026-11-04,G1,add,Other,Other,,,,,,\n",
         ["dup.csv:3:", "goal G1 is added twice"]),
        ("early.csv", GOAL + "goal,P-0001,2026-11-01,G2,add,a,b,,,,,,\n",
         ["early.csv:3: date 2026-11-01 is before P-0001 was enrolled (2026-11-02)"]),
    ]
    for name, rows, needles in cases:
        import_fails(tmp, d, name, HEAD + rows, *needles)
    # And a record already holding the goal: the objective row for a goal
    # closed in the file is refused the same way.
    (tmp / "goal.csv").write_text(HEAD + GOAL + "goal,P-0001,2026-11-04,G1,dropped,,,,,,,,\n")
    iop(d, "import", tmp / "goal.csv")
    import_fails(tmp, d, "late.csv",
                 HEAD + "objective,P-0001,2026-11-05,G1.1,add,,,A plan,2026-12-01,,,,\n",
                 "late.csv:2:", "objective G1.1 is added to goal G1, which was dropped on "
                 "2026-11-04")


@case
def json_export_carries_the_plan_and_its_voids(tmp):
    d = plan_clinic(tmp)
    data = json.loads(export(d))
    journal = data[0]["journal"]
    goals = [e for e in journal if e["entry"] == "goal"]
    objectives = [e for e in journal if e["entry"] == "objective"]
    eq([(g["ref"], g["action"]) for g in goals],
       [("G1", "add"), ("G1", "revise"), ("G2", "add"), ("G3", "add"), ("G2", "achieved")],
       "goal entries, the voided G3 included")
    eq(goals[0]["dimension"], 5, "dimension")
    eq(goals[0]["problem"], 'Drinks daily, "to cope"\n=with work stress', "problem")
    eq(goals[1]["problem"], None, "a revise without a problem")
    eq([(o["ref"], o["action"]) for o in objectives],
       [("G1.1", "add"), ("G1.2", "add"), ("G1.1", "partly-achieved"), ("G1.2", "revise"),
        ("G1.2", "not-achieved"), ("G2.1", "add"), ("G2.1", "dropped"), ("G2.2", "add")],
       "objective entries")
    eq(objectives[0]["interventions"],
       ["relapse-prevention group; 3x a week", "back\\slash", "=CBT"], "interventions")
    eq(objectives[0]["target"], "2026-12-01", "target")
    eq(objectives[7]["interventions"], None, "an empty list is no list")
    signatures = [e for e in journal if e["entry"] == "event" and e["type"] == "signature"]
    eq([(s["role"], s["name"], s["plan_version"], s["declined"]) for s in signatures],
       [("patient", "", 4, False), ("clinician", "Dr. Rivera, LADC", 4, False),
        ("patient", "", 9, True)], "signatures")
    eq(signatures[2]["reason"], "=wants to read it\nat home", "the reason it was declined")
    voids = [e for e in journal if e["entry"] == "event" and e["type"] == "void"]
    eq(len(voids), 2, "the voids")
    sessions = [e for e in journal if e["entry"] == "session"]
    eq([s["objectives"] for s in sessions], [[], ["G1.1", "G1.2"]], "sessions' objectives")
    eq(data[1]["journal"][2]["role"], "guardian", "the adolescent's guardian")


@case
def fhir_export_has_a_goal_per_goal_and_objective(tmp):
    d = plan_clinic(tmp)
    bundle = json.loads(export(d, "--format", "fhir"))
    resources = [e["resource"] for e in bundle["entry"]]
    goals = {g["identifier"][0]["value"] + ("!" if g["lifecycleStatus"] == "entered-in-error"
                                            else ""): g
             for g in resources if g["resourceType"] == "Goal" and
             g["subject"]["reference"] == bundle["entry"][0]["fullUrl"]}
    eq(sorted(goals), ["G1", "G1.1", "G1.2", "G2", "G2.1", "G2.2!", "G3!"], "Goals of P-0001")
    status = {r: (g["lifecycleStatus"], g.get("achievementStatus", {}).get("coding", [{}])[0]
                  .get("code")) for r, g in goals.items()}
    eq(status, {"G1": ("active", "in-progress"), "G1.1": ("active", "improving"),
                "G1.2": ("completed", "not-achieved"), "G2": ("completed", "achieved"),
                "G2.1": ("cancelled", None), "G2.2!": ("entered-in-error", None),
                "G3!": ("entered-in-error", None)}, "statuses")
    eq(goals["G1.2"]["target"], [{"dueDate": "2026-11-25"}], "the revised target")
    eq(goals["G1"]["description"]["text"], "-Stay sober; keep the job", "the goal")
    plan = next(r for r in resources if r["resourceType"] == "CarePlan")
    by_url = {e["resource"]["id"]: e["fullUrl"] for e in bundle["entry"]}
    eq(len(plan["goal"]), 5, "the CarePlan's goals: the voided ones left out")
    check_urls = {by_url[goals[r]["id"]] for r in ("G1", "G1.1", "G1.2", "G2", "G2.1")}
    eq({g["reference"] for g in plan["goal"]}, check_urls, "the CarePlan's goals")
    listed = [a["detail"] for a in plan["activity"] if "description" in a["detail"]]
    eq([a["description"] for a in listed],
       ["relapse-prevention group; 3x a week", "back\\slash", "=CBT", "AA", "family therapy"],
       "the interventions")
    eq([a["status"] for a in listed],
       ["in-progress", "in-progress", "in-progress", "completed", "cancelled"],
       "the interventions' status")


if __name__ == "__main__":
    main()
