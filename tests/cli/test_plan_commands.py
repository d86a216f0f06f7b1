"""The treatment plan commands (SPEC section 12): iop goal, iop objective,
iop sign, attend --objective and group --objective ID:REF; the exact TOML
each appends, the references iop assigns (never reused, voids included),
void's dependents, and every refusal with every file left byte-identical."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (attend, case, contains, enroll, eq, fails_cleanly, load_toml, main,
                  make_clinic, not_contains, ok, one_patient_clinic, record_path, run)

META = 'recorded_by = "tester"\nrecorded_at = 2026-11-03T17:02:11Z\n'


def appended(d, *args, pid="P-0001"):
    """Runs iop -C d ARGS (which must succeed) and returns (stdout, the text
    appended to pid's record); the old bytes must stay a prefix."""
    before = record_path(d, pid).read_bytes()
    r = ok("-C", d, *args)
    after = record_path(d, pid).read_bytes()
    eq(after[:len(before)], before, "the old bytes stay a prefix")
    return r.out, after[len(before):].decode()


def goal_add(d, pid="P-0001", *extra, date="2026-11-03"):
    return ok("-C", d, "goal", pid, "add", "--problem", "Drinks daily", "--goal", "Stay sober",
              "--date", date, *extra)


def objective_add(d, goal="G1", pid="P-0001", *extra, date="2026-11-03",
                  target="2026-12-01"):
    return ok("-C", d, "objective", pid, "add", goal, "--text", "Name 3 triggers", "--target",
              target, "--date", date, *extra)


def plan_clinic(tmp):
    """P-0001 (enrolled 2026-11-02) with goal G1 and objective G1.1 added on 2026-11-03."""
    d = one_patient_clinic(tmp, attended=False)
    goal_add(d)
    objective_add(d)
    return d


def journal(d, pid="P-0001"):
    return json.loads(ok("-C", d, "show", pid, "--journal", "--format", "json").out)["journal"]


# ---------------------------------------------------------------- goal


@case
def goal_add_revise_and_close_append_exact_blocks(tmp):
    d = one_patient_clinic(tmp, attended=False)
    out, text = appended(d, "goal", "P-0001", "add", "--problem", "Drinks daily\nat work",
                         "--goal", "Stay sober", "--words", "I want my job", "--dimension",
                         "5", "--date", "2026-11-03")
    eq(out, "added goal G1 to P-0001 on 2026-11-03\n")
    eq(text, '\n[[goal]]\nref = "G1"\naction = "add"\ndate = 2026-11-03\n'
             'problem = "Drinks daily\\nat work"\ngoal = "Stay sober"\nwords = "I want my job"\n'
             'dimension = 5\n' + META)
    # A revise records only what changes: the same --goal is left out.
    out, text = appended(d, "goal", "P-0001", "g1", "revise", "--goal", "Stay sober",
                         "--words", "I want to keep my job", "--date", "2026-11-05")
    eq(out, "revised goal G1 of P-0001 on 2026-11-05\n")
    eq(text, '\n[[goal]]\nref = "G1"\naction = "revise"\ndate = 2026-11-05\n'
             'words = "I want to keep my job"\n' + META)
    out, text = appended(d, "goal", "P-0001", "G1", "achieved", "--note", "sober 30 days")
    eq(out, "goal G1 of P-0001 achieved on 2026-11-10\n")
    eq(text, '\n[[goal]]\nref = "G1"\naction = "achieved"\ndate = 2026-11-10\n'
             'note = "sober 30 days"\n' + META)
    # The goal's words never reach stdout or git's subject: refs and dates only.
    goal_add(d)
    out, text = appended(d, "goal", "P-0001", "G2", "dropped")
    eq(out, "goal G2 of P-0001 dropped on 2026-11-10\n")
    eq(text, '\n[[goal]]\nref = "G2"\naction = "dropped"\ndate = 2026-11-10\n' + META)
    load_toml(record_path(d))  # an independent reader reads every block


@case
def goal_errors_leave_every_file_unchanged(tmp):
    d = plan_clinic(tmp)
    base = ["-C", d, "goal", "P-0001"]
    fails_cleanly(tmp, [*base, "add", "--goal", "Stay sober"], 2, "--problem")
    fails_cleanly(tmp, [*base, "add", "--problem", "x"], 2, "--goal")
    fails_cleanly(tmp, [*base, "add", "--problem", " ", "--goal", "x"], 2,
                  "--problem holds only spaces")
    fails_cleanly(tmp, [*base, "add", "--problem", "", "--goal", "x"], 2, "--problem")
    fails_cleanly(tmp, [*base, "add", "--problem", "a\x1bb", "--goal", "x"], 2,
                  "--problem holds a control character (\\x1b)")
    fails_cleanly(tmp, [*base, "add", "--problem", "p", "--goal", "g", "--dimension", "7"], 2,
                  "--dimension 7 is out of range 1..6")
    fails_cleanly(tmp, [*base, "add", "--problem", "p", "--goal", "g", "--dimension", "0"], 2,
                  "--dimension 0 is out of range 1..6")
    fails_cleanly(tmp, [*base, "add", "G1"], 2, "after add")
    fails_cleanly(tmp, [*base, "ad"], 2, "neither add nor a goal reference",
                  "did you mean 'add'?")
    fails_cleanly(tmp, [*base, "G1"], 2, "what of goal G1?")
    fails_cleanly(tmp, [*base, "G1", "finished"], 2, "ACTION 'finished' is not valid",
                  "valid values: revise, achieved, dropped")
    fails_cleanly(tmp, [*base, "G1", "revise"], 2, "nothing to revise")
    fails_cleanly(tmp, [*base, "G1", "revise", "--goal", "Stay sober"], 2,
                  "nothing to revise: goal G1 of P-0001 holds these values already")
    fails_cleanly(tmp, [*base, "G1", "revise", "--goal", "x", "--note", "n"], 2, "--note goes")
    fails_cleanly(tmp, [*base, "G1", "achieved", "--goal", "x"], 2,
                  "takes --note only; to change its texts, revise it first")
    # Unknown goal: exit 1, a suggestion, and where to look.
    fails_cleanly(tmp, [*base, "G2", "achieved"], 1, "P-0001 has no goal G2",
                  "did you mean 'G1'?", "`iop show P-0001`")
    fails_cleanly(tmp, [*base, "G1x", "achieved"], 2, "REF 'G1x' is not a goal reference")
    fails_cleanly(tmp, [*base, "G1", "revise", "--goal", "x", "--date", "2026-11-02"], 2,
                  "--date 2026-11-02 is before goal G1 was added (2026-11-03)")
    fails_cleanly(tmp, [*base, "G1", "revise", "--goal", "x", "--date", "2026-11-11"], 2,
                  "after today")
    fails_cleanly(tmp, ["-C", d, "goal", "P-0009", "add", "--problem", "p", "--goal", "g"], 1)
    # A closed goal changes no more, and says when it closed.
    ok(*base, "G1", "dropped", "--date", "2026-11-04")
    for action in (["revise", "--goal", "x"], ["achieved"], ["dropped"]):
        fails_cleanly(tmp, [*base, "G1", *action], 1,
                      "goal G1 of P-0001 was dropped on 2026-11-04")


@case
def refs_are_numbered_per_record_and_never_reused_after_a_void(tmp):
    d = one_patient_clinic(tmp, attended=False)
    eq(goal_add(d).out, "added goal G1 to P-0001 on 2026-11-03\n")
    eq(goal_add(d).out, "added goal G2 to P-0001 on 2026-11-03\n")
    eq(objective_add(d, "G1").out,
       "added objective G1.1 to goal G1 of P-0001 on 2026-11-03, target 2026-12-01\n")
    eq(objective_add(d, "G2").out,
       "added objective G2.1 to goal G2 of P-0001 on 2026-11-03, target 2026-12-01\n")
    eq(objective_add(d, "g1").out,
       "added objective G1.2 to goal G1 of P-0001 on 2026-11-03, target 2026-12-01\n")
    # Void G1.2 and G2 (its objective first): their refs are not given again.
    refs = {e["entry"].get("ref"): e["ref"] for e in journal(d) if "ref" in e["entry"]}
    ok("-C", d, "void", "P-0001", refs["G1.2"], "--reason", "typo")
    ok("-C", d, "void", "P-0001", refs["G2.1"], "--reason", "typo")
    ok("-C", d, "void", "P-0001", refs["G2"], "--reason", "typo")
    eq(objective_add(d, "G1").out,
       "added objective G1.3 to goal G1 of P-0001 on 2026-11-03, target 2026-12-01\n")
    eq(goal_add(d).out, "added goal G3 to P-0001 on 2026-11-03\n")
    fails_cleanly(tmp, ["-C", d, "objective", "P-0001", "G2.1", "achieved"], 1,
                  "P-0001 has no objective G2.1")
    # Another patient numbers from G1.
    enroll(d, "P-0002", "John Roe", "2026-11-02")
    eq(goal_add(d, "P-0002").out, "added goal G1 to P-0002 on 2026-11-03\n")


# ---------------------------------------------------------------- objective


@case
def objective_add_revise_and_status_append_exact_blocks(tmp):
    d = one_patient_clinic(tmp, attended=False)
    goal_add(d)
    out, text = appended(d, "objective", "P-0001", "add", "G1", "--text", "Write a plan",
                         "--measure", "reviewed", "--target", "2026-12-01", "--intervention",
                         "relapse-prevention group", "--intervention", "CBT weekly", "--date",
                         "2026-11-03")
    eq(out, "added objective G1.1 to goal G1 of P-0001 on 2026-11-03, target 2026-12-01\n")
    eq(text, '\n[[objective]]\nref = "G1.1"\naction = "add"\ndate = 2026-11-03\n'
             'text = "Write a plan"\nmeasure = "reviewed"\ntarget = 2026-12-01\n'
             'interventions = ["relapse-prevention group", "CBT weekly"]\n' + META)
    # --intervention on revise replaces the list; an unchanged --text is left out.
    out, text = appended(d, "objective", "P-0001", "G1.1", "revise", "--text", "Write a plan",
                         "--target", "2026-12-08", "--intervention", "CBT weekly", "--date",
                         "2026-11-05")
    eq(out, "revised objective G1.1 of P-0001 on 2026-11-05\n")
    eq(text, '\n[[objective]]\nref = "G1.1"\naction = "revise"\ndate = 2026-11-05\n'
             'target = 2026-12-08\ninterventions = ["CBT weekly"]\n' + META)
    out, text = appended(d, "objective", "P-0001", "G1.1", "partly-achieved", "--note",
                         "2 of 3", "--date", "2026-11-06")
    eq(out, "objective G1.1 of P-0001 partly-achieved on 2026-11-06\n")
    eq(text, '\n[[objective]]\nref = "G1.1"\naction = "partly-achieved"\ndate = 2026-11-06\n'
             'note = "2 of 3"\n' + META)
    # partly-achieved leaves it open.
    out, text = appended(d, "objective", "P-0001", "G1.1", "achieved")
    eq(out, "objective G1.1 of P-0001 achieved on 2026-11-10\n")
    eq(text, '\n[[objective]]\nref = "G1.1"\naction = "achieved"\ndate = 2026-11-10\n' + META)
    for action in ("not-achieved", "dropped"):
        objective_add(d)
        ref = "G1.2" if action == "not-achieved" else "G1.3"
        eq(ok("-C", d, "objective", "P-0001", ref, action).out,
           f"objective {ref} of P-0001 {action} on 2026-11-10\n")
    load_toml(record_path(d))


@case
def objective_errors_leave_every_file_unchanged(tmp):
    d = plan_clinic(tmp)
    base = ["-C", d, "objective", "P-0001"]
    add = [*base, "add", "G1"]
    fails_cleanly(tmp, [*base, "add"], 2, "which goal?")
    fails_cleanly(tmp, [*add, "--target", "2026-12-01"], 2, "--text")
    fails_cleanly(tmp, [*add, "--text", "t"], 2, "--target")
    fails_cleanly(tmp, [*add, "--text", "t", "--target", "2026-11-04", "--date", "2026-11-05"],
                  2, "--target 2026-11-04 is before the objective's date (2026-11-05)")
    fails_cleanly(tmp, [*add, "--text", "t", "--target", "someday"], 2,
                  "--target 'someday' is not a valid date")
    fails_cleanly(tmp, [*add, "--text", "", "--target", "2026-12-01"], 2, "--text")
    fails_cleanly(tmp, [*add, "--text", "a\u202eb", "--target", "2026-12-01"], 2,
                  "--text holds a control character")
    fails_cleanly(tmp, [*add, "--text", "t", "--target", "2026-12-01", "--intervention",
                        "two\nlines"], 2, "--intervention holds a line break")
    fails_cleanly(tmp, [*add, "--text", "t", "--target", "2026-12-01", "--note", "n"], 2,
                  "--note goes with a status")
    fails_cleanly(tmp, [*base, "add", "G3", "--text", "t", "--target", "2026-12-01"], 1,
                  "P-0001 has no goal G3", "`iop show P-0001`")
    fails_cleanly(tmp, [*base, "add", "X1", "--text", "t", "--target", "2026-12-01"], 2,
                  "GOAL 'X1' is not a goal reference")
    fails_cleanly(tmp, [*add, "--text", "t", "--target", "2026-12-01", "--date", "2026-11-02"],
                  2, "--date 2026-11-02 is before goal G1 was added (2026-11-03)")
    fails_cleanly(tmp, [*base, "G1.2", "achieved"], 1, "P-0001 has no objective G1.2",
                  "did you mean 'G1.1'?", "`iop show P-0001`")
    fails_cleanly(tmp, [*base, "G1", "achieved"], 2, "REF 'G1' is not an objective reference")
    fails_cleanly(tmp, [*base, "G1.1"], 2, "what of objective G1.1?")
    fails_cleanly(tmp, [*base, "G1.1", "done"], 2, "valid values: revise, achieved, "
                  "partly-achieved, not-achieved, dropped")
    fails_cleanly(tmp, [*base, "G1.1", "revise"], 2, "nothing to revise")
    fails_cleanly(tmp, [*base, "G1.1", "revise", "--text", "Name 3 triggers", "--target",
                        "2026-12-01"], 2, "holds these values already")
    fails_cleanly(tmp, [*base, "G1.1", "revise", "--target", "2026-11-04", "--date",
                        "2026-11-05"], 2, "--target 2026-11-04 is before the objective's date")
    fails_cleanly(tmp, [*base, "G1.1", "achieved", "--text", "x"], 2, "takes --note only")
    fails_cleanly(tmp, [*base, "G1.1", "achieved", "--date", "2026-11-02"], 2,
                  "--date 2026-11-02 is before objective G1.1 was added (2026-11-03)")
    # A closed objective: exit 1 saying when it closed.
    ok(*base, "G1.1", "not-achieved", "--date", "2026-11-05")
    for action in (["achieved"], ["revise", "--text", "x"], ["partly-achieved"]):
        fails_cleanly(tmp, [*base, "G1.1", *action], 1,
                      "objective G1.1 of P-0001 was not-achieved on 2026-11-05")
    # Closed with its goal, and no new objective for a closed goal.
    objective_add(d)
    ok("-C", d, "goal", "P-0001", "G1", "achieved", "--date", "2026-11-06")
    fails_cleanly(tmp, [*base, "G1.2", "achieved"], 1,
                  "objective G1.2 of P-0001 was closed with goal G1 (achieved) on 2026-11-06")
    fails_cleanly(tmp, [*add, "--text", "t", "--target", "2026-12-01"], 1,
                  "goal G1 of P-0001 was achieved on 2026-11-06")


# ---------------------------------------------------------------- sign


@case
def sign_records_the_plan_version_and_one_signature_a_role(tmp):
    d = plan_clinic(tmp)  # version 3: goal add, objective add
    out, text = appended(d, "sign", "P-0001", "--role", "patient", "--date", "2026-11-04")
    eq(out, "signed plan version 3 of P-0001 as patient on 2026-11-04\n")
    eq(text, '\n[[event]]\ntype = "signature"\ndate = 2026-11-04\nrole = "patient"\n'
             'plan_version = 3\n' + META)
    out, text = appended(d, "sign", "P-0001", "--role", "clinician", "--name", "Dr. Rivera")
    eq(out, "signed plan version 3 of P-0001 as clinician on 2026-11-10\n")
    eq(text, '\n[[event]]\ntype = "signature"\ndate = 2026-11-10\nrole = "clinician"\n'
             'name = "Dr. Rivera"\nplan_version = 3\n' + META)
    fails_cleanly(tmp, ["-C", d, "sign", "P-0001", "--role", "patient"], 1,
                  "plan version 3 of P-0001 was signed as patient on 2026-11-04")
    # A change makes version 4, which is signed again.
    ok("-C", d, "objective", "P-0001", "G1.1", "revise", "--target", "2026-12-15")
    out, text = appended(d, "sign", "P-0001", "--role", "patient", "--declined", "--reason",
                         "wants to think")
    eq(out, "recorded that the patient declined to sign plan version 4 of P-0001 on "
            "2026-11-10\n")
    eq(text, '\n[[event]]\ntype = "signature"\ndate = 2026-11-10\nrole = "patient"\n'
             'plan_version = 4\ndeclined = true\nreason = "wants to think"\n' + META)
    fails_cleanly(tmp, ["-C", d, "sign", "P-0001", "--role", "patient", "--declined",
                        "--reason", "again"], 1, "was declined as patient on 2026-11-10")
    # A patient who declined may still sign the same version.
    eq(ok("-C", d, "sign", "P-0001", "--role", "patient").out,
       "signed plan version 4 of P-0001 as patient on 2026-11-10\n")
    fails_cleanly(tmp, ["-C", d, "sign", "P-0001", "--role", "patient"], 1,
                  "was signed as patient on 2026-11-10")


@case
def sign_errors_leave_every_file_unchanged(tmp):
    d = plan_clinic(tmp)
    base = ["-C", d, "sign", "P-0001"]
    fails_cleanly(tmp, [*base, "--role", "nurse"], 2, "--role 'nurse' is not valid",
                  "valid values: patient, clinician, supervisor, guardian")
    fails_cleanly(tmp, [*base, "--role", "clinician", "--declined", "--reason", "r"], 2,
                  "--declined is for the patient's signature")
    fails_cleanly(tmp, [*base, "--role", "patient", "--declined"], 2, "--declined needs --reason")
    fails_cleanly(tmp, [*base, "--role", "patient", "--reason", "r"], 2,
                  "--reason goes with --declined")
    fails_cleanly(tmp, [*base, "--role", "patient", "--name", "a\nb"], 2,
                  "--name holds a line break")
    fails_cleanly(tmp, [*base, "--role", "patient", "--date", "2026-11-02"], 2,
                  "--date 2026-11-02 is before plan version 3 of P-0001 was made (2026-11-03)")
    fails_cleanly(tmp, [*base], 2, "--role")


# ---------------------------------------------------------------- sessions


@case
def attend_and_group_store_the_objectives_a_session_addressed(tmp):
    d = plan_clinic(tmp)
    objective_add(d)  # G1.2
    out, text = appended(d, "attend", "P-0001", "--kind", "individual", "--date",
                         "2026-11-04", "--objective", "G1.2", "--objective", "g1.1")
    eq(text, '\n[[session]]\ndate = 2026-11-04\nkind = "individual"\nhours = 1.0\n'
             'status = "attended"\nobjectives = ["G1.2", "G1.1"]\n' + META)
    enroll(d, "P-0002", "John Roe", "2026-11-02")
    goal_add(d, "P-0002")
    objective_add(d, "G1", "P-0002")
    enroll(d, "P-0003", "Ann Poe", "2026-11-02")
    before3 = record_path(d, "P-0003").read_bytes()
    before2 = record_path(d, "P-0002").read_bytes()
    out, text = appended(d, "group", "--topic", "illness", "--date", "2026-11-05", "P-0001",
                         "P-0002", "P-0003", "--objective", "P-0002:G1.1", "--objective",
                         "P-0001:G1.1")
    eq(out, "recorded group session on 2026-11-05 (illness) for 3 patients: 3 attended, "
            "0 absent, 0 excused\n")
    eq(text, '\n[[session]]\ndate = 2026-11-05\nkind = "group"\ntopic = "illness"\n'
             'hours = 3.0\nstatus = "attended"\nobjectives = ["G1.1"]\n' + META)
    eq(record_path(d, "P-0002").read_bytes()[len(before2):].decode(), text)
    not_contains(record_path(d, "P-0003").read_bytes()[len(before3):].decode(), "objectives")
    eq([s.get("objectives") for s in load_toml(record_path(d))["session"]],
       [["G1.2", "G1.1"], ["G1.1"]], "objectives as tomllib reads them")


@case
def session_objective_errors_leave_every_file_unchanged(tmp):
    d = plan_clinic(tmp)
    enroll(d, "P-0002", "John Roe", "2026-11-02")
    att = ["-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-04"]
    fails_cleanly(tmp, [*att, "--objective", "G1.2"], 1, "P-0001 has no objective G1.2",
                  "did you mean 'G1.1'?")
    fails_cleanly(tmp, [*att, "--objective", "G1"], 2,
                  "--objective 'G1' is not an objective reference")
    fails_cleanly(tmp, [*att, "--objective", "G1.1", "--objective", "G1.1"], 2,
                  "--objective G1.1 is given twice")
    fails_cleanly(tmp, [*att, "--objective", "G1.1", "--absent"], 2,
                  "--objective goes with an attended session")
    fails_cleanly(tmp, [*att, "--objective", "G1.1", "--excused"], 2,
                  "--objective goes with an attended session")
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--date",
                        "2026-11-02", "--objective", "G1.1"], 1,
                  "objective G1.1 of P-0001 was added on 2026-11-03, after the session's "
                  "date (2026-11-02)")
    ok("-C", d, "objective", "P-0001", "G1.1", "achieved", "--date", "2026-11-05")
    # Open on the day it closed, not after.
    attend(d, "P-0001", "--kind", "individual", "--date", "2026-11-05", "--objective", "G1.1")
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "family", "--date", "2026-11-06",
                        "--objective", "G1.1"], 1,
                  "objective G1.1 of P-0001 was achieved on 2026-11-05, before the session's "
                  "date (2026-11-06)")
    grp = ["-C", d, "group", "--topic", "illness", "--date", "2026-11-04", "P-0001"]
    fails_cleanly(tmp, [*grp, "--objective", "G1.1"], 2, "is not ID:REF")
    fails_cleanly(tmp, [*grp, "--absent", "P-0002", "--objective", "P-0002:G1.1"], 2,
                  "P-0002 is not among the patients who attended")
    fails_cleanly(tmp, [*grp, "--objective", "P-0009:G1.1"], 2,
                  "P-0009 is not among the patients who attended")
    fails_cleanly(tmp, [*grp, "--objective", "P-0001:G1.1", "--objective", "P-0001:G1.1"], 2,
                  "given twice")
    # A patient's unknown objective is named, and nobody's session is written.
    r = fails_cleanly(tmp, [*grp, "P-0002", "--objective", "P-0002:G1.1"], 1,
                      "P-0002: P-0002 has no objective G1.1", "nothing was written")
    not_contains(r.err, "P-0001:")


# ---------------------------------------------------------------- void


@case
def void_refuses_a_goal_or_objective_with_later_entries_naming_them(tmp):
    d = plan_clinic(tmp)
    ok("-C", d, "objective", "P-0001", "G1.1", "partly-achieved", "--date", "2026-11-04")
    ok("-C", d, "goal", "P-0001", "G1", "revise", "--goal", "Sober", "--date", "2026-11-05")
    j = journal(d)
    refs = [e["ref"] for e in j]
    goal, obj, status, revise = refs
    r = fails_cleanly(tmp, ["-C", d, "void", "P-0001", goal, "--reason", "wrong"], 1,
                      f"{goal} has later entries that depend on it; void them first:",
                      f"{obj} 2026-11-03 objective add G1.1",
                      f"{status} 2026-11-04 objective partly-achieved G1.1",
                      f"{revise} 2026-11-05 goal revise G1")
    fails_cleanly(tmp, ["-C", d, "void", "P-0001", obj, "--reason", "wrong"], 1,
                  f"{status} 2026-11-04 objective partly-achieved G1.1")
    not_contains(r.err, "Drinks")
    # Voided in reverse order, each is accepted.
    for ref in (status, obj, revise, goal):
        ok("-C", d, "void", "P-0001", ref, "--reason", "wrong")
    # A voided dependent no longer holds its entry back, and the plan is empty.
    eq(ok("-C", d, "show", "P-0001", "--journal").out.count("voided:"), 4)


# ---------------------------------------------------------------- common rules


@case
def plan_entries_after_the_end_of_treatment_are_refused(tmp):
    d = plan_clinic(tmp)
    ok("-C", d, "discharge", "P-0001", "--reason", "moved", "--date", "2026-11-06")
    fails_cleanly(tmp, ["-C", d, "goal", "P-0001", "add", "--problem", "p", "--goal", "g"], 1,
                  "was discharged on 2026-11-06")
    fails_cleanly(tmp, ["-C", d, "objective", "P-0001", "G1.1", "achieved"], 1,
                  "was discharged on 2026-11-06")
    fails_cleanly(tmp, ["-C", d, "sign", "P-0001", "--role", "clinician"], 1,
                  "was discharged on 2026-11-06")
    # A late entry dated on or before the discharge is accepted.
    ok("-C", d, "sign", "P-0001", "--role", "clinician", "--date", "2026-11-05")
    ok("-C", d, "objective", "P-0001", "G1.1", "achieved", "--date", "2026-11-06")


main()
