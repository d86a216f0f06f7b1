"""iop check and show --format json: findings, record-invalid, filters, exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (attend, case, check, contains, enroll, eq, expect_error, fails_cleanly,
                  give_signed_plan,
                  main, make_clinic, matches, not_contains, ok, record_path, run,
                  run_on_terminal)

TODAY = "2026-11-10"  # week 2 of a patient enrolled 2026-11-02; week 1 is complete


@case
def silent_when_nothing_to_report(tmp):
    d = make_clinic(tmp)
    enroll(d, start=TODAY)
    r = run("-C", d, "check")
    eq((r.code, r.out, r.err), (0, "", ""), "check of a patient who starts today")


@case
def group_frequency_error_line_and_exit_1(tmp):
    d = make_clinic(tmp)
    enroll(d)
    attend(d, "P-0001", "--kind", "group", "--topic", "illness", "--date", "2026-11-03")
    r = run("-C", d, "check")
    eq(r.code, 1, f"exit code with an error finding\n{r!r}")
    contains(r.out, "patients/P-0001.toml: error: week 1 had 1 group session, plan is 3 "
             "[group-frequency]\n")
    for line in r.out.splitlines():
        matches(r"^patients/P-0001\.toml: (error|warning): .+ \[[a-z-]+\]$", line, "each line")


@case
def broken_file_reported_others_still_checked(tmp):
    d = make_clinic(tmp)
    enroll(d)
    attend(d, "P-0001", "--kind", "group", "--topic", "illness", "--date", "2026-11-03")
    enroll(d, "P-0002", "Bo Roe")
    with open(record_path(d, "P-0002"), "a") as f:
        f.write("\n[[session]]\ndate = 2026-11-04\nkind = \"group\"\nhours = = 3\n")
    r = run("-C", d, "check")
    eq(r.code, 3, f"exit code with a broken record\n{r!r}")
    m = matches(r"^patients/P-0002\.toml:(\d+):(\d+): error: .+ \[record-invalid\]$", r.out)
    check(int(m.group(1)) > 10, f"the line of the error is named: {m.group(0)}")
    contains(r.out, "patients/P-0001.toml: error: week 1 had 1 group session")


@case
def contradictory_journal_is_record_invalid(tmp):
    d = make_clinic(tmp)
    enroll(d)
    ok("-C", d, "discharge", "P-0001", "--reason", "moved", "--date", "2026-11-05")
    p = record_path(d, "P-0001")
    text = p.read_text()
    lines_before = text.count("\n")
    p.write_text(text + "\n[[session]]\ndate = 2026-11-06\nkind = \"individual\"\nhours = 1.0\n"
                 "status = \"attended\"\n")
    r = run("-C", d, "check", "P-0001")
    eq(r.code, 3, f"exit\n{r!r}")
    contains(r.out, f"patients/P-0001.toml:{lines_before + 2}:1: error: entry dated 2026-11-06 "
             "is after the patient was discharged on 2026-11-05 [record-invalid]")


@case
def json_shape(tmp):
    d = make_clinic(tmp)
    enroll(d)
    attend(d, "P-0001", "--kind", "group", "--topic", "illness", "--date", "2026-11-03")
    r = run("-C", d, "check", "--format", "json")
    eq(r.code, 1, "exit with an error finding")
    data = json.loads(r.out)
    eq(data["today"], TODAY, "today")
    p = data["patients"][0]
    eq(p["id"], "P-0001", "id")
    eq(p["status"], "active", "status")
    eq(p["week"], 2, "week")
    eq(p["weeks_planned"], 12, "weeks_planned")
    eq(p["attendance_rate"], 0.25, "attendance rate: 1 of 3 groups + 0 of 1 individual")
    eq(p["curriculum"]["percent"], 7, "1 of 13 core sessions")
    eq(p["curriculum"]["completed"], [], "completed")
    check("illness" in p["curriculum"]["remaining"], "illness remains (1 of 2)")
    eq(p["graduation"]["eligible"], False, "eligible")
    # init writes the treatment plan's criteria on (SPEC section 12).
    eq(p["graduation"]["unmet"], ["min-weeks", "curriculum", "attendance", "screens",
                                  "objectives", "signed-plan", "aftercare"],
       "unmet criteria in order")
    f = [f for f in p["findings"] if f["rule"] == "group-frequency"]
    eq(len(f), 1, "one group-frequency finding")
    eq({k: f[0][k] for k in ("severity", "rule", "week", "message")},
       {"severity": "error", "rule": "group-frequency", "week": 1,
        "message": "week 1 had 1 group session, plan is 3"}, "the finding")
    show = run("-C", d, "show", "P-0001", "--format", "json")
    eq(show.code, 0, "show exit")
    shown = json.loads(show.out)
    extra = {k: shown["patients"][0].pop(k) for k in ("screens", "plan_events", "aftercare", "end",
                                                        "amendments", "treatment_plan",
                                                        "level_of_care", "authorizations",
                                                        "uncovered_sessions")}
    eq(extra, {"screens": [], "plan_events": [], "aftercare": None, "end": None,
               "amendments": [], "authorizations": [], "uncovered_sessions": None,
               "treatment_plan": {"version": 1, "version_date": "2026-11-02", "goals": [],
                                  "signatures": [], "missing": ["patient", "clinician"]},
               "level_of_care": {"asam": None, "placements": [], "certification": None,
                                 "certification_due": None}},
       "show's whole picture beside check's data")
    eq(shown, data, "show --format json gives check's data for the patient")


@case
def rule_and_severity_filters(tmp):
    d = make_clinic(tmp)
    enroll(d)
    attend(d, "P-0001", "--kind", "group", "--topic", "illness", "--date", "2026-11-03")
    r = run("-C", d, "check", "--rule", "family-frequency")
    eq(r.code, 0, f"only a warning selected\n{r!r}")
    eq(r.out, "patients/P-0001.toml: warning: week 1 had 0 family sessions, plan is 1 "
       "[family-frequency]\n", "family-frequency only")
    r = run("-C", d, "check", "--severity", "error")
    eq(r.code, 1, "errors selected")
    not_contains(r.out, "warning")
    contains(r.out, "[group-frequency]")
    fails_cleanly(d, ["-C", d, "check", "--rule", "group-frequncy"], 2,
                  "did you mean 'group-frequency'", "record-invalid")
    fails_cleanly(d, ["-C", d, "check", "--severity", "fatal"], 2, "warning, error")


@case
def default_is_active_patients_explicit_ids_any(tmp):
    d = make_clinic(tmp)
    enroll(d)
    ok("-C", d, "discharge", "P-0001", "--reason", "moved", "--date", "2026-11-03")
    eq(run("-C", d, "check").out, "", "a discharged patient is not checked by default")
    r = run("-C", d, "check", "P-0001", "--format", "json")
    eq(json.loads(r.out)["patients"][0]["status"], "discharged", "explicit id is checked")
    fails_cleanly(d, ["-C", d, "check", "P-0009"], 1, "unknown patient 'P-0009'")
    fails_cleanly(d, ["-C", d, "check", "../x"], 2, "invalid patient id")


@case
def progress_over_many_records_goes_to_a_terminal_only(tmp):
    # check, remind and export over thousands of records draw a progress line
    # on a terminal, erase it, and never mix it into stdout; with stderr a
    # pipe (every other test) nothing is drawn. The clinic comes from the
    # benchmark generator, built beside iop unless IOP_BUILD_BENCH is off.
    gen = Path(os.environ.get("IOP_BUILD_DIR", "build")) / "bench" / "iop_bench_gen"
    if not gen.exists():
        print(f"  SKIPPED: {gen} not built (IOP_BUILD_BENCH=OFF)")
        return
    d = tmp / "big"
    subprocess.run([gen, "--today", "2026-12-01", "5000", d], check=True, capture_output=True)
    for command, what in ((["check"], "checking"), (["remind"], "checking"),
                          (["export"], "exporting")):
        piped = run("-C", d, *command, today="2026-12-01")
        code, out, text, seconds = run_on_terminal("-C", d, *command, today="2026-12-01")
        eq((code, out), (piped.code, piped.out), f"{command}: stdout on a terminal and not")
        eq(piped.err, "", f"{command}: stderr when it is a pipe")
        if seconds > 0.8:  # long enough for the display to have been drawn
            contains(text, f"iop: {what} ", f"{command}: the terminal")
            check(text.endswith("\r") and text[:-1].rsplit("\r", 1)[-1].strip() == "",
                  f"{command}: the display is erased at the end: {text[-40:]!r}")


@case
def arose_in_json_and_since_filters_by_it(tmp):
    d = make_clinic(tmp)
    enroll(d)
    give_signed_plan(d)  # this case is about week 1's findings
    attend(d, "P-0001", "--kind", "group", "--topic", "illness", "--date", "2026-11-03")
    # Week 1 (2026-11-02..08) ended short: its findings arose on 2026-11-09.
    r = run("-C", d, "check", "--format", "json")
    found = json.loads(r.out)["patients"][0]["findings"]
    weekly = [f for f in found if f["week"] == 1]
    check(len(weekly) >= 2, f"week 1's findings: {weekly}")
    for f in weekly:
        eq(f["arose"], "2026-11-09", f"arose of {f['rule']}")
    r = run("-C", d, "check", "--since", "2026-11-08")
    eq(r.code, 1, f"a finding that arose after --since is reported\n{r!r}")
    contains(r.out, "week 1 had 1 group session, plan is 3 [group-frequency]")
    r = run("-C", d, "check", "--since", "2026-11-09")
    eq((r.code, r.out, r.err), (0, "", ""), "nothing arose after 2026-11-09")
    r = run("-C", d, "check", "--since", "2026-11-09", "--format", "json")
    eq(json.loads(r.out)["patients"][0]["findings"], [], "JSON filtered alike")
    # A broken record has no date it arose on: it is always reported.
    enroll(d, "P-0002", "Bo Roe")
    with open(record_path(d, "P-0002"), "a") as f:
        f.write("\n[[session]]\ndate = 2026-11-04\nkind = = 1\n")
    r = run("-C", d, "check", "--since", "2026-11-09")
    eq(r.code, 3, f"record-invalid despite --since\n{r!r}")
    contains(r.out, "[record-invalid]")
    r = run("-C", d, "check", "--since", "2026-11-09", "--format", "json")
    bad = [p for p in json.loads(r.out)["patients"] if p["id"] == "P-0002"][0]
    eq(bad["findings"][0]["arose"], None, "record-invalid's arose")
    fails_cleanly(d, ["check", "--since", "2026-13-01"], 2, "--since")


if __name__ == "__main__":
    main()
