"""iop show (header, plan, week n of N, sessions) and iop list (--status,
--format text|json|csv, read by the json and csv modules), --version, colour."""

import csv
import io
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (CACHE_NAME, SOURCE_DIR, case, check, contains, enroll, eq, expect_error, fails_cleanly,
                  main, make_clinic, matches, not_contains, ok, record_path, run, snapshot,
                  assert_unchanged)


def attend(d, pid, *args, **kw):
    return ok("-C", d, "attend", pid, *args, **kw)


def end(d, pid, type_, date, extra=""):
    with open(record_path(d, pid), "a") as f:
        f.write(f'\n[[event]]\ntype = "{type_}"\ndate = {date}\n{extra}recorded_by = "hand"\n')


def week_row(out, week):
    """The attendance grid's row of a week."""
    for line in out.splitlines():
        if re.match(rf"^\s+{week}\s+\d\d-\d\d\b", line):
            return line
    raise AssertionError(f"no grid row for week {week} in:\n{out}")


@case
def show_header_plan_week(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02", "--born", "1985-04-12", "--clinician",
           "Dr. Rivera", "--diagnosis", "Alcohol use disorder", "--insurance", "Acme Health",
           "--weeks", "10", "--groups-per-week", "4")
    r = ok("-C", d, "show", "P-0001")
    first = r.out.splitlines()[0]
    contains(first, "P-0001", "the first line")
    contains(first, "Jane Doe", "the first line")
    contains(first, "active", "the first line")
    for text in ["2026-11-02", "1985-04-12", "Dr. Rivera", "Alcohol use disorder",
                 "Acme Health"]:
        contains(r.out, text, "show")
    matches(r"\b10 weeks\b", r.out, "the plan")
    matches(r"\b4 group\b", r.out, "the plan")
    matches(r"\bweek\s+2 of 10\b", r.out, "the treatment week")
    not_contains(r.out, "\x1b", "uncoloured output to a pipe")


@case
def show_week_boundaries(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane", "2026-11-02")
    for today, week in [("2026-11-02", 1), ("2026-11-08", 1), ("2026-11-09", 2),
                        ("2026-11-16", 3), ("2027-01-24", 12)]:
        r = ok("-C", d, "show", "P-0001", today=today)
        matches(rf"\bweek\s+{week} of 12\b", r.out, f"show on {today}")
    enroll(d, "P-0002", "Later", "2026-11-20")
    r = ok("-C", d, "show", "P-0002")
    contains(r.out, "not started", "show before enrollment")


@case
def show_counts_sessions(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane", "2026-11-02")
    attend(d, "P-0001", "--kind", "group", "--topic", "illness", "--date", "2026-11-03")
    attend(d, "P-0001", "--kind", "group", "--topic", "stress", "--date", "2026-11-05")
    attend(d, "P-0001", "--kind", "group", "--topic", "stress", "--date", "2026-11-06",
           "--absent")
    attend(d, "P-0001", "--kind", "individual", "--date", "2026-11-04")
    attend(d, "P-0001", "--kind", "family", "--date", "2026-11-10")
    r = ok("-C", d, "show", "P-0001")
    w1 = week_row(r.out, 1)
    contains(w1, "2/3", "week 1 (2 attended groups of 3; the absence does not count)")
    contains(w1, "1/1", "week 1 (1 individual)")
    w2 = week_row(r.out, 2)
    contains(w2, "0/3", "week 2 groups")
    contains(w2, "1/1", "week 2 family")
    r = ok("-C", d, "show", "P-0001", "--format", "json")
    data = json.loads(r.out)
    p = data["patients"][0]
    eq(p["id"], "P-0001", "json id")
    eq(p["week"], 2, "json week")
    eq(p["weeks_planned"], 12, "json weeks_planned")
    eq(data["today"], "2026-11-10", "json today")


@case
def show_gives_the_whole_picture(tmp):
    # Screens with results and substances, plan changes and reviews with
    # their dates and notes, the aftercare plan, and how treatment ended: in
    # text and in JSON, with the keys of the record file.
    d = make_clinic(tmp)
    day = {"today": "2026-11-26"}
    enroll(d, "P-0001", "Jane Doe", "2026-11-02", **day)
    enroll(d, "P-0002", "John Roe", "2026-11-02", **day)
    for pid in ("P-0001", "P-0002"):
        ok("-C", d, "screen", pid, "--result", "negative", "--date", "2026-11-03", **day)
    ok("-C", d, "screen", "P-0001", "--result", "positive", "--substance", "cocaine",
       "--substance", "alcohol", "--date", "2026-11-05", **day)
    ok("-C", d, "plan", "P-0001", "--groups-per-week", "2", "--note", "work shifts\nuntil Dec",
       "--date", "2026-11-09", **day)
    ok("-C", d, "plan", "P-0001", "--review", "--note", "after the positive screen", "--date",
       "2026-11-10", **day)
    ok("-C", d, "aftercare", "P-0001", "--sponsor", "Sam K.", "--group", "AA Tuesday",
       "--group", "SMART", "--date", "2026-11-11", **day)
    ok("-C", d, "discharge", "P-0001", "--reason", "moved", "--note", "to Ohio", "--date",
       "2026-11-12", **day)
    ok("-C", d, "graduate", "P-0002", "--force", "--reason", "court order", "--date",
       "2026-11-12", **day)
    out = ok("-C", d, "show", "P-0001", **day).out
    contains(out, "  discharged  2026-11-12, reason moved\n  note        to Ohio\n")
    contains(out, "Screens\n  2026-11-03  negative\n  2026-11-05  positive  cocaine, alcohol\n")
    contains(out, "Plan changes and reviews\n"
                  "  2026-11-09  changed   groups_per_week 2\n"
                  "              note      work shifts\n"
                  "                        until Dec\n"
                  "  2026-11-10  reviewed\n"
                  "              note      after the positive screen\n")
    contains(out, "Aftercare  (recorded for 2026-11-11)\n  sponsor     Sam K.\n"
                  "  groups      AA Tuesday, SMART\n")
    out = ok("-C", d, "show", "P-0002", **day).out
    contains(out, "  graduated   2026-11-12, forced: court order\n")
    contains(out, "Screens\n  2026-11-03  negative\n")
    not_contains(out, "Aftercare")

    p = json.loads(ok("-C", d, "show", "P-0001", "--format", "json", **day).out)
    p = p["patients"][0]
    eq([(s["date"], s["result"], s["substances"]) for s in p["screens"]],
       [("2026-11-03", "negative", []), ("2026-11-05", "positive", ["cocaine", "alcohol"])],
       "screens")
    eq([(e["date"], e["type"], e["note"]) for e in p["plan_events"]],
       [("2026-11-09", "plan-change", "work shifts\nuntil Dec"),
        ("2026-11-10", "plan-review", "after the positive screen")], "plan events")
    eq(p["plan_events"][0]["plan"], {"groups_per_week": 2}, "the changed keys")
    eq((p["aftercare"]["sponsor"], p["aftercare"]["groups"]), ("Sam K.", ["AA Tuesday", "SMART"]),
       "aftercare")
    eq((p["end"]["type"], p["end"]["date"], p["end"]["reason"], p["end"]["note"]),
       ("discharged", "2026-11-12", "moved", "to Ohio"), "end")
    p = json.loads(ok("-C", d, "show", "P-0002", "--format", "json", **day).out)
    p = p["patients"][0]
    eq((p["end"]["type"], p["end"]["forced"], p["end"]["reason"]),
       ("graduated", True, "court order"), "forced graduation")
    eq((p["aftercare"], p["plan_events"]), (None, []), "nothing recorded")


@case
def show_unknown_and_invalid(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane")
    fails_cleanly(tmp, ["-C", d, "show", "P-0010"], 1, "P-0010", "did you mean 'P-0001'")
    fails_cleanly(tmp, ["-C", d, "show", "../program"], 2, "invalid patient id")
    fails_cleanly(tmp, ["-C", d, "show"], 2)


@case
def show_does_not_write(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane")
    before = snapshot(d, ignore=())
    ok("-C", d, "show", "P-0001")
    ok("-C", d, "list", "--status", "all")
    # No lock file; list may write the record cache, and nothing else.
    assert_unchanged(before, snapshot(d, ignore=(CACHE_NAME,)), "after show and list")


@case
def color(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane")
    r = ok("-C", d, "show", "P-0001", "--color", "always")
    contains(r.out, "\x1b[", "show --color always")
    r = ok("-C", d, "show", "P-0001", "--color", "never")
    not_contains(r.out, "\x1b", "show --color never")
    r = ok("-C", d, "show", "P-0001", env={"NO_COLOR": "1"})
    not_contains(r.out, "\x1b", "show with NO_COLOR")
    fails_cleanly(tmp, ["-C", d, "show", "P-0001", "--color", "sometimes"], 2, "--color")


def clinic_with_statuses(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0003", "Carla Active", "2026-10-01", "--clinician", "Dr. Who")
    enroll(d, "P-0001", "Ann Active", "2026-11-02")
    enroll(d, "P-0002", "Ben Graduated", "2026-08-03")
    end(d, "P-0002", "graduated", "2026-10-30", 'forced = true\nreason = "test"\n')
    enroll(d, "P-0004", "Dan Discharged", "2026-09-07")
    end(d, "P-0004", "discharged", "2026-10-01", 'reason = "moved"\n')
    return d


def ids_of(text):
    return [line.split()[0] for line in text.splitlines() if line.strip()]


@case
def list_status_filter(tmp):
    d = clinic_with_statuses(tmp)
    eq(ids_of(ok("-C", d, "list").out), ["P-0001", "P-0003"], "default: active, sorted")
    eq(ids_of(ok("-C", d, "list", "--status", "active").out), ["P-0001", "P-0003"], "active")
    eq(ids_of(ok("-C", d, "list", "--status", "graduated").out), ["P-0002"], "graduated")
    eq(ids_of(ok("-C", d, "list", "--status", "discharged").out), ["P-0004"], "discharged")
    eq(ids_of(ok("-C", d, "list", "--status", "all").out),
       ["P-0001", "P-0002", "P-0003", "P-0004"], "all")
    fails_cleanly(tmp, ["-C", d, "list", "--status", "actve"], 2, "--status",
                  "did you mean 'active'")
    r = ok("-C", d, "list")
    line = [l for l in r.out.splitlines() if l.startswith("P-0003")][0]
    contains(line, "Carla Active", "the text line")
    contains(line, "active", "the text line")


@case
def list_json(tmp):
    d = clinic_with_statuses(tmp)
    r = ok("-C", d, "list", "--status", "all", "--format", "json")
    rows = json.loads(r.out)
    check(isinstance(rows, list), f"json list is an array: {r.out}")
    eq([x["id"] for x in rows], ["P-0001", "P-0002", "P-0003", "P-0004"], "ids")
    by_id = {x["id"]: x for x in rows}
    eq(by_id["P-0001"]["name"], "Ann Active", "name")
    eq(by_id["P-0001"]["status"], "active", "status")
    eq(by_id["P-0001"]["enrolled"], "2026-11-02", "enrolled")
    eq(by_id["P-0001"]["week"], 2, "week")
    eq(by_id["P-0001"]["weeks_planned"], 12, "weeks_planned")
    eq(by_id["P-0002"]["status"], "graduated", "status")
    eq(by_id["P-0004"]["status"], "discharged", "status")
    eq(by_id["P-0003"]["clinician"], "Dr. Who", "clinician")
    r = ok("-C", d, "list", "--format", "json", "--status", "graduated")
    eq([x["id"] for x in json.loads(r.out)], ["P-0002"], "json with --status")


@case
def list_carries_clinician_end_date_and_discharge_reason(tmp):
    # SPEC section 6, "Caseloads": what a caseload report needs.
    d = clinic_with_statuses(tmp)
    rows = json.loads(ok("-C", d, "list", "--status", "all", "--format", "json").out)
    eq([(x["id"], x["clinician"], x["ended"], x["discharge_reason"]) for x in rows],
       [("P-0001", "", None, None), ("P-0002", "", "2026-10-30", None),
        ("P-0003", "Dr. Who", None, None), ("P-0004", "", "2026-10-01", "moved")], "json")
    r = ok("-C", d, "list", "--status", "all", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.out, newline="")))
    eq([(x["id"], x["clinician"], x["ended"], x["discharge_reason"]) for x in rows],
       [("P-0001", "", "", ""), ("P-0002", "", "2026-10-30", ""),
        ("P-0003", "Dr. Who", "", ""), ("P-0004", "", "2026-10-01", "moved")], "csv")


@case
def list_csv(tmp):
    d = make_clinic(tmp)
    tricky = 'Doe, "Jay" Jr.'
    enroll(d, "P-0001", tricky, "2026-11-02", "--clinician", "Dr. A, B")
    enroll(d, "P-0002", "Plain", "2026-11-02")
    enroll(d, "P-0003", "=HYPERLINK(\"x\")", "2026-11-02")
    r = ok("-C", d, "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.out, newline="")))
    eq([x["id"] for x in rows], ["P-0001", "P-0002", "P-0003"], "csv ids")
    eq(rows[0]["name"], tricky, "a name with a comma and quotes")
    eq(rows[0]["clinician"], "Dr. A, B", "clinician with a comma")
    eq(rows[0]["status"], "active", "status")
    eq(rows[0]["enrolled"], "2026-11-02", "enrolled")
    check(not rows[2]["name"].startswith("="), f"a formula cell is neutralised: {rows[2]}")
    contains(rows[2]["name"], 'HYPERLINK("x")', "the neutralised cell keeps its text")


@case
def list_empty(tmp):
    d = make_clinic(tmp)
    eq(ok("-C", d, "list").out, "", "text list of nobody")
    eq(json.loads(ok("-C", d, "list", "--format", "json").out), [], "json list of nobody")
    rows = list(csv.reader(io.StringIO(ok("-C", d, "list", "--format", "csv").out)))
    eq(len(rows), 1, "csv of nobody is only the header")
    contains(",".join(rows[0]), "id", "csv header")


@case
def list_reports_broken_records_and_goes_on(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Good")
    enroll(d, "P-0002", "Broken")
    with open(record_path(d, "P-0002"), "a") as f:
        f.write("this is = = not toml\n")
    n = len(record_path(d, "P-0002").read_text().splitlines())
    before = snapshot(tmp)
    r = expect_error(run("-C", d, "list"), 3, re.compile(rf"patients/P-0002\.toml:{n}:\d+: "),
                     stdout_empty=False)
    eq(ids_of(r.out), ["P-0001"], "the good record is still listed")
    assert_unchanged(before, snapshot(tmp), "after list")


@case
def list_bad_format(tmp):
    d = make_clinic(tmp)
    fails_cleanly(tmp, ["-C", d, "list", "--format", "xml"], 2, "--format")
    fails_cleanly(tmp, ["-C", d, "show", "P-0001", "--format", "csv"], 2, "csv")


@case
def version(tmp):
    text = (SOURCE_DIR / "CMakeLists.txt").read_text()
    m = re.search(r"project\(iop\s+VERSION\s+([0-9.]+)", text)
    check(m, "CMakeLists.txt declares the version")
    r = ok("--version")
    eq(r.out.strip(), f"iop {m.group(1)}", "--version")


@case
def help_shows_examples(tmp):
    for cmd in ["init", "enroll", "attend", "show", "list"]:
        r = ok(cmd, "--help")
        contains(r.out, "Example", f"iop {cmd} --help")
        contains(r.out, f"iop {cmd}", f"iop {cmd} --help")
    r = ok("--help")
    for cmd in ["init", "enroll", "attend", "show", "list"]:
        contains(r.out, cmd, "iop --help")


if __name__ == "__main__":
    main()
