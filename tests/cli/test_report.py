"""iop report authorizations (SPEC section 13): per active patient, each
authorization in force on a day of today..today + DAYS, with units used,
left and needed to the planned end at the plan's weekly rate, in text, JSON
and CSV. The authorizations are written by hand, in the form iop writes
them; every figure below is computed by hand in the comments."""

import csv
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (assert_unchanged, case, contains, enroll, eq, expect_error, main, make_clinic,
                  ok, record_path, run, snapshot)

# Today is 2026-11-10 (iopt.TODAY), a Tuesday.


def auth_text(payer, number, start, end, units, unit="session", next_review=None):
    recorded = "2026-11-02"  # the day of enrollment: not before it, not after today
    text = (f'\n[[authorization]]\ndate = {recorded}\npayer = "{payer}"\nnumber = "{number}"\n'
            f'from = {start}\nto = {end}\nunits = {units}\nunit = "{unit}"\n')
    if next_review:
        text += f"next_review = {next_review}\n"
    return text + 'recorded_by = "tester"\nrecorded_at = 2026-11-02T12:00:00Z\n'


def append(d, pid, text):
    with open(record_path(d, pid), "a", encoding="utf-8") as f:
        f.write(text)


def group(d, pid, date):
    ok("-C", d, "attend", pid, "--kind", "group", "--topic", "illness", "--date", date)


def one_to_one(d, pid, date, kind="individual"):
    ok("-C", d, "attend", pid, "--kind", kind, "--date", date)


def clinic(tmp):
    """P-0001 (sessions), P-0002 (hours), P-0003 (days), P-0004 (discharged).
    Everyone enrolled 2026-11-02 on the default plan: 12 weeks, 3 groups, 1
    individual and 1 family session a week, so the planned end is
    2026-11-02 + 83 days = 2027-01-24."""
    d = make_clinic(tmp)
    for pid, name in (("P-0001", "Jane Doe"), ("P-0002", "John Roe"), ("P-0003", "Ann Poe"),
                      ("P-0004", "Max Moe")):
        enroll(d, pid, name, "2026-11-02")
    # P-0001: 4 sessions in PA-100 (12 sessions, to 2026-11-30): 8 left.
    # Needed from 2026-11-11 to 2026-11-30, 20 days at 5 sessions a week:
    # 5 * 20 / 7 = 14.29, so 15: needs 15 - 8 = 7 more. PA-200 starts
    # 2026-12-01 (40 sessions, to 2027-01-31): needed from 2026-12-01 to the
    # planned end 2027-01-24, 55 days: 5 * 55 / 7 = 39.29, so 40: none more.
    # PA-050 ended 2026-11-01: never listed.
    group(d, "P-0001", "2026-11-03")
    group(d, "P-0001", "2026-11-04")
    one_to_one(d, "P-0001", "2026-11-05")
    group(d, "P-0001", "2026-11-06")
    append(d, "P-0001", auth_text("Acme Health", "PA-050", "2026-10-01", "2026-11-01", 10))
    append(d, "P-0001", auth_text("Acme Health", "PA-100", "2026-11-02", "2026-11-30", 12))
    append(d, "P-0001", auth_text("Acme Health", "PA-200", "2026-12-01", "2027-01-31", 40,
                                  next_review="2026-12-15"))
    # P-0002: hours. Groups of 3 hours on 11-03 and 11-05 and an individual
    # hour on 11-04: 7 of 20 hours used, 13 left. Needed from 2026-11-11 to
    # 2026-11-20, 10 days, at 3 * 3 + 1 + 1 = 11 hours a week: 11 * 10 / 7 =
    # 15.71, so 16: needs 16 - 13 = 3 more.
    group(d, "P-0002", "2026-11-03")
    one_to_one(d, "P-0002", "2026-11-04")
    group(d, "P-0002", "2026-11-05")
    append(d, "P-0002", auth_text("Blue Plan", "H-7", "2026-11-01", "2026-11-20", 20, "hour"))
    # P-0003: days. A group and an individual session on 11-09 (one day) and
    # a group on 11-10: 2 of 4 days used, 2 left. Needed: the program days
    # 11-11, 11-12 and 11-13 (Wednesday to Friday): 3, so 1 more.
    group(d, "P-0003", "2026-11-09")
    one_to_one(d, "P-0003", "2026-11-09")
    group(d, "P-0003", "2026-11-10")
    append(d, "P-0003", auth_text("County", "D-1", "2026-11-09", "2026-11-13", 4, "day"))
    # P-0004: discharged, so not listed.
    append(d, "P-0004", auth_text("Acme Health", "PA-900", "2026-11-02", "2026-12-31", 30))
    ok("-C", d, "discharge", "P-0004", "--reason", "moved", "--date", "2026-11-09")
    return d


TEXT_TODAY = """\
  Payer        Number  Ends        Unit     Used  Left  Need  More
P-0001  Jane Doe  planned end 2027-01-24
  Acme Health  PA-100  2026-11-30  session     4     8    15     7
P-0002  John Roe  planned end 2027-01-24
  Blue Plan    H-7     2026-11-20  hour        7    13    16     3
P-0003  Ann Poe  planned end 2027-01-24
  County       D-1     2026-11-13  day         2     2     3     1
"""


@case
def text_lists_authorizations_in_force_today(tmp):
    d = clinic(tmp)
    before = snapshot(tmp)
    r = ok("-C", d, "report", "authorizations")
    eq(r.out, TEXT_TODAY, "report")
    eq(r.err, "", "stderr")
    assert_unchanged(before, snapshot(tmp), "after report")


@case
def within_adds_authorizations_starting_in_the_window(tmp):
    d = clinic(tmp)
    # 2026-11-10 + 20 days = 2026-11-30: PA-200 (from 2026-12-01) is not yet
    # in the window; + 21 days = 2026-12-01 is.
    eq(ok("-C", d, "report", "authorizations", "--within", "20").out, TEXT_TODAY, "within 20")
    r = ok("-C", d, "report", "authorizations", "--within", "21", "--clinician", "nobody")
    eq(r.out, "", "another clinician's caseload")
    r = ok("-C", d, "report", "authorizations", "--within", "21")
    contains(r.out, "  Acme Health  PA-100  2026-11-30  session     4     8    15     7\n"
             "  Acme Health  PA-200  2027-01-31  session     0    40    40     0\n")


@case
def json_and_csv_carry_the_same_figures(tmp):
    d = clinic(tmp)
    rows = json.loads(ok("-C", d, "report", "authorizations", "--within", "21", "--format",
                         "json").out)
    eq([(r["id"], r["number"], r["used"], r["left"], r["needed"], r["more"]) for r in rows],
       [("P-0001", "PA-100", 4, 8, 15, 7), ("P-0001", "PA-200", 0, 40, 40, 0),
        ("P-0002", "H-7", 7, 13, 16, 3), ("P-0003", "D-1", 2, 2, 3, 1)], "json rows")
    eq(rows[1], {"id": "P-0001", "name": "Jane Doe", "clinician": "", "planned_end": "2027-01-24",
                 "payer": "Acme Health", "number": "PA-200", "from": "2026-12-01",
                 "to": "2027-01-31", "units": 40, "unit": "session",
                 "next_review": "2026-12-15", "used": 0, "left": 40, "needed": 40, "more": 0},
       "json object")
    out = ok("-C", d, "report", "authorizations", "--format", "csv").out
    lines = out.splitlines()
    eq(lines[0], "id,name,clinician,planned_end,payer,number,from,to,units,unit,next_review,"
       "used,left,needed,more", "csv header")
    eq(lines[1], "P-0001,Jane Doe,,2027-01-24,Acme Health,PA-100,2026-11-02,2026-11-30,12,"
       "session,,4,8,15,7", "csv row")
    eq([r["more"] for r in csv.DictReader(io.StringIO(out))], ["7", "3", "1"], "csv more")


@case
def nothing_matching_prints_nothing_or_an_empty_list(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    eq(ok("-C", d, "report", "authorizations").out, "", "text")
    eq(ok("-C", d, "report", "authorizations", "--format", "json").out, "[]\n", "json")
    eq(ok("-C", d, "report", "authorizations", "--format", "csv").out,
       "id,name,clinician,planned_end,payer,number,from,to,units,unit,next_review,used,left,"
       "needed,more\n", "csv")


@case
def csv_cells_are_neutralised(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    append(d, "P-0001", auth_text("=HYPERLINK(1)", "+1", "2026-11-02", "2026-11-30", 12))
    out = ok("-C", d, "report", "authorizations", "--format", "csv").out
    contains(out, ",'=HYPERLINK(1),'+1,")


@case
def long_names_fit_80_columns(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "A" * 90, "2026-11-02")
    append(d, "P-0001", auth_text("P" * 40, "N" * 40, "2026-11-02", "2026-11-30", 1999))
    out = ok("-C", d, "report", "authorizations").out
    for line in out.splitlines():
        if len(line) > 79:
            raise AssertionError(f"line of {len(line)} columns: {line!r}")
    contains(out, "PPPPPPPPPPPPP...  NNNNNNNNNNN...")


@case
def bad_arguments_are_usage_errors(tmp):
    d = clinic(tmp)
    before = snapshot(tmp)
    expect_error(run("-C", d, "report", "authorisations"), 2, "authorizations")
    expect_error(run("-C", d, "report", "authorizations", "--within", "367"), 2,
                 "--within 367 is out of range 0..366 days")
    expect_error(run("-C", d, "report", "authorizations", "--within", "-1"), 2, "--within")
    expect_error(run("-C", d, "report", "authorizations", "--format", "fhir"), 2, "fhir")
    expect_error(run("-C", d, "report"), 2, "report")
    assert_unchanged(before, snapshot(tmp), "after bad reports")


@case
def a_broken_record_is_reported_and_the_rest_listed(tmp):
    d = clinic(tmp)
    (d / "patients" / "P-0009.toml").write_text("not toml [", encoding="utf-8")
    r = run("-C", d, "report", "authorizations")
    eq(r.code, 3, f"exit\n{r!r}")
    contains(r.err, "iop: error: ")
    eq(r.out, TEXT_TODAY, "the others")


if __name__ == "__main__":
    main()
