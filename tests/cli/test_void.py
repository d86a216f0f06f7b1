"""Corrections by appending (SPEC sections 3 and 11): entry references,
iop show ID --journal, iop void, iop amend."""

import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (case, contains, eq, fails_cleanly, main, make_clinic, not_contains, ok,
                  one_patient_clinic, record_path, run)

SESSION_BLOCK = ('[[session]]\ndate = 2026-11-03\nkind = "group"\ntopic = "illness"\n'
                 'hours = 3.0\nstatus = "attended"\nrecorded_by = "tester"\n'
                 'recorded_at = 2026-11-03T17:02:11Z\n')


def ref_of(block):
    """The reference SPEC section 3 defines, computed apart from iop."""
    return hashlib.sha256(block.encode()).hexdigest()[:8]


def journal(d, pid="P-0001"):
    return json.loads(ok("-C", d, "show", pid, "--journal", "--format", "json").out)["journal"]


@case
def show_journal_lists_every_entry_with_its_reference(tmp):
    d = one_patient_clinic(tmp)
    text = record_path(d).read_text()
    contains(text, SESSION_BLOCK)
    # A hand-added comment and blank lines do not change the reference.
    with open(record_path(d), "a") as f:
        f.write("\n# a comment\n\n" + SESSION_BLOCK)
    ref = ref_of(SESSION_BLOCK)
    out = ok("-C", d, "show", "P-0001", "--journal").out
    contains(out, "P-0001 journal: 2 entries, 0 voided")
    contains(out, f"{ref}    2026-11-03  session group illness 3.0h attended  tester "
                  "2026-11-03T17:02:11Z")
    contains(out, f"{ref}-2  2026-11-03  session group illness")
    j = journal(d)
    eq([e["ref"] for e in j], [ref, ref + "-2"])
    eq(j[0]["entry"]["recorded_by"], "tester")
    eq(j[0]["entry"]["recorded_at"], "2026-11-03T17:02:11Z")
    eq(j[0]["entry"]["date"], "2026-11-03")
    eq(j[0]["voided_by"], None)


def screened_clinic(tmp):
    """P-0001 with a session on 2026-11-03 and a positive screen on 2026-11-04."""
    d = one_patient_clinic(tmp)
    ok("-C", d, "screen", "P-0001", "--result", "positive", "--substance", "cocaine", "--date",
       "2026-11-04")
    return d


@case
def void_appends_an_event_and_the_entry_leaves_every_rule(tmp):
    d = screened_clinic(tmp)
    screen = journal(d)[1]["ref"]
    finding = "positive-screen"
    contains(run("-C", d, "check", "P-0001").out, finding)
    before = record_path(d).read_bytes()
    r = ok("-C", d, "void", "P-0001", screen[:4].upper(), "--reason", "wrong patient")
    eq(r.out, f"voided {screen} of P-0001: 2026-11-04 screen positive cocaine\n")
    after = record_path(d).read_bytes()
    eq(after[:len(before)], before, "the old bytes stay a prefix")
    eq(after[len(before):].decode(),
       f'\n[[event]]\ntype = "void"\ndate = 2026-11-10\nentry = "{screen}"\n'
       'reason = "wrong patient"\nrecorded_by = "tester"\nrecorded_at = 2026-11-03T17:02:11Z\n')
    not_contains(run("-C", d, "check", "P-0001").out, finding)
    j = journal(d)
    eq(len(j), 3)
    eq(j[1]["voided_by"], j[2]["ref"])
    eq(j[1]["void_reason"], "wrong patient")
    out = ok("-C", d, "show", "P-0001", "--journal").out
    contains(out, f"{screen}    2026-11-04  voided: screen positive cocaine")
    contains(out, f"voided by {j[2]['ref']} on 2026-11-10: wrong patient")
    # The JSON export carries the voided entry and its void.
    exported = json.loads(ok("-C", d, "export", "--format", "json").out)[0]["journal"]
    eq([e["entry"] for e in exported], ["session", "screen", "event"])
    eq(exported[2]["voids"], screen)


@case
def void_refusals_leave_the_file_unchanged(tmp):
    d = screened_clinic(tmp)
    fails_cleanly(d, ["-C", d, "void", "P-0001", "12345678", "--reason", "x"], 1,
                  "P-0001 has no entry 12345678", "iop show P-0001 --journal")
    fails_cleanly(d, ["-C", d, "void", "P-0001", "zz", "--reason", "x"], 2,
                  "not an entry reference")
    fails_cleanly(d, ["-C", d, "void", "P-0001", journal(d)[0]["ref"], "--reason", ""], 2,
                  "--reason")
    screen = journal(d)[1]["ref"]
    ok("-C", d, "void", "P-0001", screen, "--reason", "wrong patient")
    fails_cleanly(d, ["-C", d, "void", "P-0001", screen, "--reason", "again"], 1,
                  f"{screen} is voided already")
    void = journal(d)[2]["ref"]
    fails_cleanly(d, ["-C", d, "void", "P-0001", void, "--reason", "undo"], 1,
                  "a void cannot be voided")


@case
def void_of_a_prefix_two_entries_share_lists_both(tmp):
    d = one_patient_clinic(tmp)
    with open(record_path(d), "a") as f:
        f.write("\n" + SESSION_BLOCK)  # the same entry again: ref-2
    ref = ref_of(SESSION_BLOCK)
    r = fails_cleanly(d, ["-C", d, "void", "P-0001", ref[:6], "--reason", "x"], 1,
                      f"2 entries of P-0001 begin with {ref[:6]}")
    contains(r.err, f"{ref} 2026-11-03 session group illness")
    contains(r.err, f"{ref}-2 2026-11-03 session group illness")
    # The full reference picks the first; the suffixed one the second.
    ok("-C", d, "void", "P-0001", ref + "-2", "--reason", "entered twice")
    eq([e["voided_by"] is not None for e in journal(d)], [False, True, False])


@case
def a_medication_start_is_voided_only_after_its_reviews(tmp):
    d = one_patient_clinic(tmp)
    ok("-C", d, "med", "P-0001", "start", "naltrexone", "--date", "2026-11-03")
    ok("-C", d, "med", "P-0001", "review", "naltrexone", "--date", "2026-11-05")
    start, review = journal(d)[1]["ref"], journal(d)[2]["ref"]
    fails_cleanly(d, ["-C", d, "void", "P-0001", start, "--reason", "x"], 1,
                  "depend on it", f"{review} 2026-11-05 medication review naltrexone")
    ok("-C", d, "void", "P-0001", review, "--reason", "no review that day")
    ok("-C", d, "void", "P-0001", start, "--reason", "never started")


@case
def voiding_a_discharge_makes_the_patient_active_again(tmp):
    d = one_patient_clinic(tmp)
    ok("-C", d, "discharge", "P-0001", "--reason", "moved", "--date", "2026-11-05")
    contains(ok("-C", d, "list", "--status", "all").out, "discharged")
    # Accepted after the end of treatment, dated today.
    ok("-C", d, "void", "P-0001", journal(d)[1]["ref"], "--reason", "wrong patient")
    contains(ok("-C", d, "list").out, "P-0001  active")
    ok("-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-06")
    # A CSV round trip restores it: the session after the voided discharge
    # is accepted in the same import.
    exported = ok("-C", d, "export", "--format", "csv").out
    (tmp / "all.csv").write_text(exported)
    e = make_clinic(tmp, "empty")
    ok("-C", e, "import", tmp / "all.csv")
    eq(ok("-C", e, "export", "--format", "csv").out, exported)


@case
def csv_round_trip_keeps_voided_entries_and_their_voids(tmp):
    d = screened_clinic(tmp)
    ok("-C", d, "void", "P-0001", journal(d)[1]["ref"], "--reason", "wrong patient")
    exported = ok("-C", d, "export", "--format", "csv").out
    contains(exported, ",wrong patient,")
    csv_file = tmp / "all.csv"
    csv_file.write_text(exported)
    e = make_clinic(tmp, "empty")
    ok("-C", e, "import", csv_file)
    eq(ok("-C", e, "export", "--format", "csv").out, exported)
    eq(journal(e), journal(d))
    not_contains(run("-C", e, "check", "P-0001").out, "positive-screen")
    # Importing the same file again matches every row, the void included.
    before = record_path(e).read_bytes()
    contains(ok("-C", e, "import", csv_file).out, "skipped")
    eq(record_path(e).read_bytes(), before)


@case
def fhir_marks_a_voided_screen_and_session_entered_in_error(tmp):
    d = screened_clinic(tmp)
    ok("-C", d, "void", "P-0001", journal(d)[1]["ref"], "--reason", "wrong patient")
    ok("-C", d, "void", "P-0001", journal(d)[0]["ref"], "--reason", "did not happen")
    bundle = json.loads(ok("-C", d, "export", "--format", "fhir").out)
    status = {}
    for e in bundle["entry"]:
        res = e["resource"]
        if res["resourceType"] in ("Encounter", "Observation"):
            status[res["resourceType"]] = res["status"]
    eq(status, {"Encounter": "entered-in-error", "Observation": "entered-in-error"})


@case
def amend_appends_the_changed_keys_and_every_report_sees_them(tmp):
    d = one_patient_clinic(tmp)
    before = record_path(d).read_bytes()
    r = ok("-C", d, "amend", "P-0001", "--name", "Jane Q. Doe", "--clinician", "Dr. Chen",
           "--reason", "misspelled at intake")
    eq(r.out, "amended P-0001: name, clinician\n")
    after = record_path(d).read_bytes()
    eq(after[:len(before)], before, "the old bytes stay a prefix")
    eq(after[len(before):].decode(),
       '\n[[event]]\ntype = "amend"\ndate = 2026-11-10\nname = "Jane Q. Doe"\n'
       'clinician = "Dr. Chen"\nreason = "misspelled at intake"\nrecorded_by = "tester"\n'
       'recorded_at = 2026-11-03T17:02:11Z\n')
    contains(ok("-C", d, "list").out, "Jane Q. Doe")
    eq(json.loads(ok("-C", d, "list", "--format", "json").out)[0]["clinician"], "Dr. Chen")
    shown = ok("-C", d, "show", "P-0001").out
    contains(shown, "Jane Q. Doe")
    contains(shown, "Amendments\n  2026-11-10  changed   name, clinician\n"
             "  reason      misspelled at intake\n")
    amendments = json.loads(ok("-C", d, "show", "P-0001", "--format", "json").out)
    eq([a["reason"] for a in amendments["patients"][0]["amendments"]], ["misspelled at intake"],
       "show's JSON lists the amendment")
    bundle = json.loads(ok("-C", d, "export", "--format", "fhir").out)
    patient = [e["resource"] for e in bundle["entry"]
               if e["resource"]["resourceType"] == "Patient"][0]
    eq(patient["name"][0]["text"], "Jane Q. Doe")
    contains(ok("-C", d, "show", "P-0001", "--journal").out, "event amend name, clinician")
    # CSV round trip keeps the amendment.
    exported = ok("-C", d, "export", "--format", "csv").out
    (tmp / "all.csv").write_text(exported)
    e = make_clinic(tmp, "empty")
    ok("-C", e, "import", tmp / "all.csv")
    eq(ok("-C", e, "export", "--format", "csv").out, exported)
    # Voiding the amendment restores the enrolled name.
    ok("-C", d, "void", "P-0001", journal(d)[1]["ref"], "--reason", "wrong patient")
    contains(ok("-C", d, "list").out, "Jane Doe")


@case
def amend_refusals_leave_the_file_unchanged(tmp):
    d = one_patient_clinic(tmp)
    fails_cleanly(d, ["-C", d, "amend", "P-0001", "--reason", "x"], 2, "nothing to amend")
    fails_cleanly(d, ["-C", d, "amend", "P-0001", "--enrolled", "2026-11-01", "--reason", "x"],
                  2, "--enrolled")
    fails_cleanly(d, ["-C", d, "amend", "P-0001", "--name", "X"], 2, "--reason")
    fails_cleanly(d, ["-C", d, "amend", "P-0001", "--born", "2026-11-05", "--reason", "x"], 2,
                  "after P-0001 was enrolled")
    fails_cleanly(d, ["-C", d, "amend", "P-0001", "--name", "a\x1bb", "--reason", "x"], 2,
                  "--name")
    # Accepted after discharge, dated today.
    ok("-C", d, "discharge", "P-0001", "--reason", "moved", "--date", "2026-11-05")
    ok("-C", d, "amend", "P-0001", "--insurance", "Acme", "--reason", "card seen")


if __name__ == "__main__":
    main()
