"""iop show prints the individualized treatment plan (SPEC section 12): as
text, in show's JSON (not in check's), and as one-line summaries in
`show --journal`. The plan's entries are written by hand, in the form iop
writes them."""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (assert_unchanged, case, contains, enroll, eq, expect_error, main, make_clinic,
                  not_contains, ok, record_path, run, snapshot)

# A goal G1 with two objectives (G1.2 achieved), a goal G2 dropped with its
# objective G2.1, two sessions that addressed objectives, and the patient's
# signature of the version the drop made (version 7: five adds and a drop).
PLAN = """
[[goal]]
ref = "G1"
action = "add"
date = 2026-11-03
problem = "Drinks daily to cope with work stress"
goal = "Stay sober and handle stress without alcohol"
words = "I want to keep my job\\nand my family"
dimension = 5
recorded_by = "hand"

[[objective]]
ref = "G1.1"
action = "add"
date = 2026-11-03
text = "Write a relapse-prevention plan naming 3 triggers"
measure = "plan reviewed with the counselor"
target = 2026-12-01
interventions = ["relapse-prevention group 3x a week", "individual CBT weekly"]
recorded_by = "hand"

[[objective]]
ref = "G1.2"
action = "add"
date = 2026-11-04
text = "Attend two mutual-help meetings"
target = 2026-11-20
recorded_by = "hand"

[[goal]]
ref = "G2"
action = "add"
date = 2026-11-04
problem = "No stable housing"
goal = "Find a sober living place"
recorded_by = "hand"

[[objective]]
ref = "G2.1"
action = "add"
date = 2026-11-05
text = "Visit two sober living houses"
target = 2026-11-30
recorded_by = "hand"

[[session]]
date = 2026-11-05
kind = "group"
topic = "illness"
hours = 3.0
status = "attended"
objectives = ["G1.1"]
recorded_by = "hand"

[[session]]
date = 2026-11-06
kind = "individual"
hours = 1.0
status = "attended"
objectives = ["G1.1", "G1.2"]
recorded_by = "hand"

[[objective]]
ref = "G1.2"
action = "achieved"
date = 2026-11-06
recorded_by = "hand"

[[goal]]
ref = "G2"
action = "dropped"
date = 2026-11-07
note = "moved in with his sister"
recorded_by = "hand"

[[event]]
type = "signature"
date = 2026-11-08
role = "patient"
name = "Jane Doe"
plan_version = 7
recorded_by = "hand"
"""


def clinic_with_plan(tmp, plan=PLAN):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    with open(record_path(d), "a") as f:
        f.write(plan)
    return d


@case
def show_prints_the_treatment_plan(tmp):
    d = clinic_with_plan(tmp)
    before = snapshot(d)
    out = ok("-C", d, "show", "P-0001").out
    contains(out, "\n\nTreatment plan  version 7 of 2026-11-07\n"
                  "  G1  open  (added 2026-11-03)\n"
                  "    problem       Drinks daily to cope with work stress\n"
                  "    goal          Stay sober and handle stress without alcohol\n"
                  "    words         I want to keep my job\n"
                  "                  and my family\n"
                  "    dimension     ASAM 5\n"
                  "    G1.1  open  target 2026-12-01  (added 2026-11-03)\n"
                  "      objective     Write a relapse-prevention plan naming 3 triggers\n"
                  "      measure       plan reviewed with the counselor\n"
                  "      interventions relapse-prevention group 3x a week\n"
                  "                    individual CBT weekly\n"
                  "      addressed     last on 2026-11-06, 2 sessions\n"
                  "    G1.2  achieved on 2026-11-06  target 2026-11-20  (added 2026-11-04)\n"
                  "      objective     Attend two mutual-help meetings\n"
                  "      addressed     last on 2026-11-06, 1 session\n"
                  "  G2  dropped on 2026-11-07  (added 2026-11-04)\n"
                  "    problem       No stable housing\n"
                  "    goal          Find a sober living place\n"
                  "    G2.1  closed with its goal on 2026-11-07  target 2026-11-30  "
                  "(added 2026-11-05)\n"
                  "      objective     Visit two sober living houses\n"
                  "      addressed     never\n"
                  "  signed      patient   Jane Doe  2026-11-08\n"
                  "  unsigned    clinician\n\n", "show's treatment plan")
    # Between curriculum and medications; the rest of show as it was.
    check_order = [out.index(s) for s in ("\nCurriculum", "\nTreatment plan", "\nScreens")]
    eq(check_order, sorted(check_order), "section order")
    assert_unchanged(before, snapshot(d), "after show")


@case
def show_without_goals_says_so_in_one_line(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    out = ok("-C", d, "show", "P-0001").out
    contains(out, "\n\nTreatment plan  no goals recorded\n\nScreens\n", "show")
    eq(out.count("Treatment plan"), 1, "one line")


@case
def show_plan_signatures_declined_and_guardian(tmp):
    # An adolescent: the guardian is missing too; a declined patient
    # signature with its reason counts and is shown with it; a voided goal
    # is not shown (but its void makes a version).
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Sam Young", "2026-11-02", "--born", "2010-05-01")
    with open(record_path(d), "a") as f:
        f.write('\n[[goal]]\nref = "G1"\naction = "add"\ndate = 2026-11-03\n'
                'problem = "p1"\ngoal = "g1"\nrecorded_by = "hand"\n'
                '\n[[goal]]\nref = "G2"\naction = "add"\ndate = 2026-11-03\n'
                'problem = "<wrong patient>"\ngoal = "g2"\nrecorded_by = "hand"\n')
    ref = [line.split()[0] for line in ok("-C", d, "show", "P-0001", "--journal").out.splitlines()
           if "goal add G2" in line]
    eq(len(ref), 1, "the journal names goal G2 by its ref")
    ok("-C", d, "void", "P-0001", ref[0], "--reason", "wrong patient", "--date", "2026-11-04")
    contains(ok("-C", d, "show", "P-0001").out,
             "    goal          g1\n"
             "  signed      not yet, for this version\n"
             "  unsigned    patient, clinician, guardian\n\n", "no signature yet")
    with open(record_path(d), "a") as f:
        f.write('\n[[event]]\ntype = "signature"\ndate = 2026-11-04\nrole = "patient"\n'
                'plan_version = 4\ndeclined = true\nreason = "wants to read it at home"\n'
                'recorded_by = "hand"\n'
                '\n[[event]]\ntype = "signature"\ndate = 2026-11-04\nrole = "clinician"\n'
                'name = "Dr. Rivera"\nplan_version = 4\nrecorded_by = "hand"\n')
    out = ok("-C", d, "show", "P-0001").out
    contains(out, "\nTreatment plan  version 4 of 2026-11-04\n"
                  "  G1  open  (added 2026-11-03)\n", "the plan")
    not_contains(out, "G2", "the voided goal")
    not_contains(out, "wrong patient", "the voided goal's text")
    contains(out, "  signed      patient   declined 2026-11-04: wants to read it at home\n"
                  "              clinician Dr. Rivera  2026-11-04\n"
                  "  unsigned    guardian\n", "signatures")


@case
def show_json_carries_the_treatment_plan(tmp):
    d = clinic_with_plan(tmp)
    p = json.loads(ok("-C", d, "show", "P-0001", "--format", "json").out)["patients"][0]
    tp = p["treatment_plan"]
    eq(tp["version"], 7, "version")
    eq(tp["version_date"], "2026-11-07", "version_date")
    eq(tp["signatures"], [{"role": "patient", "name": "Jane Doe", "date": "2026-11-08",
                           "declined": False, "reason": "", "recorded_by": "hand"}], "signatures")
    eq(tp["missing"], ["clinician"], "missing")
    eq([g["ref"] for g in tp["goals"]], ["G1", "G2"], "goals")
    g1, g2 = tp["goals"]
    eq({k: g1[k] for k in ("status", "open", "added", "closed", "problem", "goal", "words",
                           "dimension")},
       {"status": "open", "open": True, "added": "2026-11-03", "closed": None,
        "problem": "Drinks daily to cope with work stress",
        "goal": "Stay sober and handle stress without alcohol",
        "words": "I want to keep my job\nand my family", "dimension": 5}, "G1")
    eq(g1["objectives"][0],
       {"ref": "G1.1", "status": "open", "open": True, "added": "2026-11-03", "closed": None,
        "text": "Write a relapse-prevention plan naming 3 triggers",
        "measure": "plan reviewed with the counselor", "target": "2026-12-01",
        "interventions": ["relapse-prevention group 3x a week", "individual CBT weekly"],
        "last_addressed": "2026-11-06", "sessions": 2}, "G1.1")
    eq({k: g1["objectives"][1][k] for k in ("ref", "status", "open", "closed", "sessions")},
       {"ref": "G1.2", "status": "achieved", "open": False, "closed": "2026-11-06",
        "sessions": 1}, "G1.2")
    eq({k: g2[k] for k in ("status", "open", "closed", "words", "dimension")},
       {"status": "dropped", "open": False, "closed": "2026-11-07", "words": "",
        "dimension": None}, "G2")
    eq({k: g2["objectives"][0][k] for k in ("ref", "status", "open", "closed",
                                             "last_addressed", "sessions")},
       {"ref": "G2.1", "status": "open", "open": False, "closed": "2026-11-07",
        "last_addressed": None, "sessions": 0}, "G2.1: closed with its goal")
    # check's JSON stays lean: no plan in it.
    c = json.loads(run("-C", d, "check", "P-0001", "--format", "json").out)["patients"][0]
    check_keys = set(c)
    not_contains(check_keys, "treatment_plan", "check's JSON keys")


@case
def show_journal_summarizes_plan_entries_by_reference(tmp):
    d = clinic_with_plan(tmp)
    out = ok("-C", d, "show", "P-0001", "--journal").out
    lines = [re.match(r"^[0-9a-f]{8}\s+\d{4}-\d\d-\d\d  (.*)  hand $", line).group(1)
             for line in out.splitlines()[1:]]
    eq(lines, ["goal add G1", "objective add G1.1", "objective add G1.2", "goal add G2",
               "objective add G2.1", "session group illness 3.0h attended for G1.1",
               "session individual 1.0h attended for G1.1, G1.2", "objective achieved G1.2",
               "goal dropped G2", "event signature patient v7"], "summaries")
    # The plan's texts stay off the line (it may be shared).
    for text in ("Drinks", "sober", "Jane Doe", "sister"):
        not_contains(out, text, "show --journal")
    with open(record_path(d), "a") as f:
        f.write('\n[[event]]\ntype = "signature"\ndate = 2026-11-09\nrole = "patient"\n'
                'plan_version = 7\ndeclined = true\nreason = "not today"\n'
                'recorded_by = "hand"\n')
    out = ok("-C", d, "show", "P-0001", "--journal").out
    contains(out, "  event signature patient v7 declined  ", "a declined signature")
    not_contains(out, "not today", "show --journal")
    j = json.loads(ok("-C", d, "show", "P-0001", "--journal", "--format", "json").out)
    eq([e["entry"]["entry"] for e in j["journal"]][:2], ["goal", "objective"], "journal JSON")


@case
def show_journal_refuses_html(tmp):
    d = clinic_with_plan(tmp)
    before = snapshot(d)
    expect_error(run("-C", d, "show", "P-0001", "--journal", "--format", "html"), 2,
                 "--journal", "html")
    assert_unchanged(before, snapshot(d), "after the refusal")
    expect_error(run("-C", d, "list", "--format", "html"), 2, "does not support --format html",
                 "text, json, csv")


if __name__ == "__main__":
    main()
