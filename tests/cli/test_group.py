"""iop group (SPEC section 11): one group session for many patients, all or
none: every patient checked as attend checks it, every problem named per
patient before anything is written (its one commit: test_git.py,
every_write_command_makes_one_commit_of_exactly_its_files); and iop roster, the sign-in
sheet and the session file to fill in."""

import csv
import fcntl
import datetime as dt
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (LOCK_NAME, case, check, contains, enroll, eq, expect_error, fails_cleanly,
                  load_toml, main, make_clinic, not_contains, ok, record_path, run)


def clinic(tmp, n=5, start="2026-11-02", **kw):
    d = make_clinic(tmp)
    for i in range(1, n + 1):
        enroll(d, f"P-000{i}", f"Patient {i}", start, **kw)
    return d


def sessions(d, pid):
    return load_toml(record_path(d, pid)).get("session", [])


GROUP = ("group", "--topic", "illness", "--date", "2026-11-09")


# ---------------------------------------------------------------- iop group


@case
def records_one_session_for_each_patient(tmp):
    d = clinic(tmp)
    before = {p: record_path(d, p).read_bytes() for p in ("P-0001", "P-0004")}
    r = ok("-C", d, *GROUP, "P-0001", "P-0002", "P-0003", "--absent", "P-0004", "--excused",
           "P-0005", "--note", "snow day")
    eq(r.out, "recorded group session on 2026-11-09 (illness) for 5 patients: 3 attended, "
       "1 absent, 1 excused\n", "the summary line")
    for pid, status in [("P-0001", "attended"), ("P-0002", "attended"), ("P-0003", "attended"),
                        ("P-0004", "absent"), ("P-0005", "excused")]:
        got = sessions(d, pid)
        eq(len(got), 1, f"{pid}'s sessions")
        eq((got[0]["date"], got[0]["kind"], got[0]["topic"], got[0]["hours"], got[0]["status"],
            got[0]["note"]),
           (dt.date(2026, 11, 9), "group", "illness", 3.0, status, "snow day"), pid)
    for pid, old in before.items():
        check(record_path(d, pid).read_bytes().startswith(old), f"{pid}: old bytes kept")
    eq(sorted(os.listdir(d / "patients")), [f"P-000{i}.toml" for i in range(1, 6)],
       "no temporary files left")


@case
def quiet_prints_nothing_and_hours_are_taken(tmp):
    d = clinic(tmp, 2)
    r = ok("-C", d, "-q", *GROUP, "--hours", "1.5", "P-0001", "P-0002")
    eq(r.out, "", "stdout with -q")
    eq([sessions(d, p)[0]["hours"] for p in ("P-0001", "P-0002")], [1.5, 1.5], "hours")
    r = ok("-C", d, "group", "--topic", "stress", "P-0001", today="2026-11-10")
    eq(r.out, "recorded group session on 2026-11-10 (stress) for 1 patient: 1 attended, "
       "0 absent, 0 excused\n", "one patient, default date")


@case
def a_graduated_patient_is_named_and_nothing_is_written(tmp):
    d = clinic(tmp, 4)
    ok("-C", d, "graduate", "P-0003", "--force", "--reason", "moved on", "--date", "2026-11-05")
    r = fails_cleanly(d, ["-C", d, *GROUP, "P-0001", "P-0002", "P-0003", "--absent", "P-0004"],
                      1, "P-0003", "graduated on 2026-11-05", "nothing was written")
    not_contains(r.err, "P-0001:", "the patients without a problem")
    not_contains(r.err, "P-0004:", "the patients without a problem")


@case
def every_problem_is_reported_per_patient_before_anything_is_written(tmp):
    d = clinic(tmp, 3)
    enroll(d, "P-0007", "Late Comer", "2026-11-10")
    ok("-C", d, "attend", "P-0002", "--kind", "group", "--topic", "illness", "--date",
       "2026-11-09")
    ok("-C", d, "discharge", "P-0003", "--reason", "moved", "--date", "2026-11-04")
    r = fails_cleanly(d, ["-C", d, *GROUP, "P-0001", "P-0002", "P-0003", "P-0007", "P-0009"], 1,
                      "iop: error: P-0002: ", "already holds this attended group session",
                      "iop: error: P-0003: ", "discharged on 2026-11-04",
                      "iop: error: P-0007: ", "before P-0007 was enrolled",
                      "iop: error: P-0009: ", "unknown patient 'P-0009'",
                      "4 of 5 patients cannot be recorded; nothing was written")
    not_contains(r.err, "P-0001:", "the patient without a problem")
    lines = r.err.splitlines()
    eq(len(lines), 5, f"one line a problem and the summary: {lines}")


@case
def allow_duplicate_records_a_second_identical_session(tmp):
    d = clinic(tmp, 2)
    ok("-C", d, *GROUP, "P-0001", "P-0002")
    fails_cleanly(d, ["-C", d, *GROUP, "P-0001", "P-0002"], 1, "P-0001: ", "P-0002: ",
                  "add --allow-duplicate")
    ok("-C", d, *GROUP, "--allow-duplicate", "P-0001", "P-0002")
    eq([len(sessions(d, p)) for p in ("P-0001", "P-0002")], [2, 2], "two sessions each")


@case
def an_unknown_id_gets_a_suggestion(tmp):
    d = clinic(tmp, 2)
    fails_cleanly(d, ["-C", d, *GROUP, "P-0001", "--excused", "P-0020"], 1,
                  "P-0020: unknown patient 'P-0020'", "did you mean 'P-0002'?")


@case
def an_id_listed_twice_is_a_usage_error(tmp):
    d = clinic(tmp, 2)
    fails_cleanly(d, ["-C", d, *GROUP, "P-0001", "P-0002", "P-0001"], 2, "P-0001 is listed twice")
    fails_cleanly(d, ["-C", d, *GROUP, "P-0001", "--absent", "P-0002", "--excused", "P-0002"], 2,
                  "P-0002 is listed twice")


@case
def bad_arguments_are_usage_errors_and_write_nothing(tmp):
    d = clinic(tmp, 2)
    fails_cleanly(d, ["-C", d, "group", "--date", "2026-11-09", "P-0001"], 2, "--topic")
    fails_cleanly(d, ["-C", d, *GROUP], 2, "no patients given")
    fails_cleanly(d, ["-C", d, "group", "--topic", "nosuch", "P-0001"], 2, "unknown topic")
    fails_cleanly(d, ["-C", d, *GROUP, "--hours", "13", "P-0001"], 2, "--hours")
    fails_cleanly(d, ["-C", d, *GROUP, "--hours", "", "P-0001"], 2, "--hours")
    fails_cleanly(d, ["-C", d, *GROUP, "--note", "a\x1bb", "P-0001"], 2, "--note")
    fails_cleanly(d, ["-C", d, *GROUP, "bad id!"], 2, "bad id")
    r = fails_cleanly(d, ["-C", d, "group", "--topic", "illness", "--date", "2026-11-11",
                          "P-0001", "P-0002"], 2, "after today")
    eq(r.err.count("after today"), 1, "a date wrong for everyone is said once")


@case
def a_broken_record_is_exit_3_and_nothing_is_written(tmp):
    d = clinic(tmp, 2)
    p = record_path(d, "P-0002")
    p.write_bytes(p.read_bytes() + b"\n[[session]\n")
    fails_cleanly(d, ["-C", d, *GROUP, "P-0001", "P-0002"], 3, "P-0002: patients/P-0002.toml",
                  "1 of 2 patients cannot be recorded")


@case
def one_lock_for_the_whole_group(tmp):
    d = clinic(tmp, 3)
    fd = os.open(d / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fails_cleanly(d, ["-C", d, "--wait", "0", *GROUP, "P-0001", "P-0002", "--absent",
                          "P-0003"], 75, "locked")
    finally:
        os.close(fd)
    ok("-C", d, "--wait", "0", *GROUP, "P-0001", "P-0002", "--absent", "P-0003")


# ---------------------------------------------------------------- iop roster


def roster_clinic(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Ana Lopez", "2026-11-02", "--clinician", "J. Rivera")
    enroll(d, "P-0002", "Bo Chen", "2026-11-09", "--clinician", "m. okafor")
    enroll(d, "P-0003", "Late Starter", "2026-11-10", "--clinician", "J. Rivera")
    enroll(d, "P-0004", "Done Before", "2026-11-02", "--clinician", "J. Rivera")
    ok("-C", d, "discharge", "P-0004", "--reason", "moved", "--date", "2026-11-05")
    enroll(d, "P-0005", "Ends That Day", "2026-11-02")
    ok("-C", d, "graduate", "P-0005", "--force", "--reason", "moved on", "--date", "2026-11-09")
    return d


def roster_csv(d, *args):
    r = ok("-C", d, "roster", "--format", "csv", *args)
    return list(csv.reader(io.StringIO(r.out)))


@case
def roster_csv_lists_the_patients_expected_that_day(tmp):
    d = roster_clinic(tmp)
    rows = roster_csv(d, "--date", "2026-11-09", "--topic", "illness")
    eq(rows, [["id", "name", "date", "kind", "topic", "hours", "status"],
              ["P-0001", "Ana Lopez", "2026-11-09", "group", "illness", "3.0", ""],
              ["P-0002", "Bo Chen", "2026-11-09", "group", "illness", "3.0", ""],
              ["P-0005", "Ends That Day", "2026-11-09", "group", "illness", "3.0", ""]],
       "enrolled on or before the day, not ended before it")
    rows = roster_csv(d, "--date", "2026-11-10")
    eq([r[0] for r in rows[1:]], ["P-0001", "P-0002", "P-0003"], "a day later, default topic")
    eq(rows[1][4], "", "no topic given: the cell is left to fill in")


@case
def roster_takes_the_program_group_hours(tmp):
    d = roster_clinic(tmp)
    p = d / "program.toml"
    p.write_text(p.read_text().replace("group_hours = 3.0", "group_hours = 2.5"))
    eq(roster_csv(d, "--date", "2026-11-09")[1][5], "2.5", "hours")
    contains(ok("-C", d, "roster").out, "Hours:     2.5", "the sheet's hours")


@case
def roster_filled_in_imports_the_group(tmp):
    d = roster_clinic(tmp)
    rows = roster_csv(d, "--date", "2026-11-09", "--topic", "illness")
    # Filled in; the name column is left out here (its check belongs to import).
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    for row, status in zip(rows, ["status", "attended", "absent"]):
        w.writerow([c for i, c in enumerate(row[:6]) if i != 1] + [status])
    f = tmp / "filled.csv"
    f.write_text(out.getvalue())
    ok("-C", d, "import", f)
    eq([(s["date"], s["topic"], s["hours"], s["status"]) for p in ("P-0001", "P-0002")
        for s in sessions(d, p)],
       [(dt.date(2026, 11, 9), "illness", 3.0, "attended"),
        (dt.date(2026, 11, 9), "illness", 3.0, "absent")], "the sessions recorded")


@case
def roster_sheet_fits_a_page(tmp):
    d = roster_clinic(tmp)
    enroll(d, "P-0006", "Maximiliana Esperanza de la Concepción Rodríguez-Villanueva",
           "2026-11-02")
    r = ok("-C", d, "roster", "--date", "2026-11-09", "--topic", "illness")
    lines = r.out.splitlines()
    check(all(len(line) <= 80 for line in lines), f"every line fits 80 columns:\n{r.out}")
    contains(r.out, "2026-11-09 (Monday)", "the date")
    contains(r.out, "Topic:     illness (", "the topic")
    rows = [line for line in lines if line.startswith("P-")]
    eq([row.split()[0] for row in rows], ["P-0001", "P-0002", "P-0005", "P-0006"], "one row each")
    for row in rows:
        contains(row, "[ ] [ ] [ ]", "attended / absent / excused boxes")
        contains(row, "____", "a signature line")
    contains(rows[0], "Ana Lopez", "the name")
    contains(rows[3], "Maximiliana Esperanza", "a long name, cut")
    contains(r.out, "Att Abs Exc", "the boxes' header")


@case
def a_long_roster_goes_on_over_pages_of_60_lines(tmp):
    d = make_clinic(tmp)
    f = tmp / "patients.csv"
    f.write_text("id,name,enrolled\n" +
                 "".join(f"P-{i:04},Patient {i},2026-11-02\n" for i in range(1, 101)))
    ok("-C", d, "import", f)
    r = ok("-C", d, "roster", "--date", "2026-11-09", "--topic", "stress")
    pages = r.out.split("\f")
    eq(len(pages), 3, "pages")
    ids = []
    for n, page in enumerate(pages, 1):
        lines = page.splitlines()
        check(len(lines) <= 60, f"page {n} fits 60 lines: {len(lines)}")
        eq(lines[0], f"Group sign-in sheet, page {n} of 3", "each page's heading")
        contains(page, "Topic:     stress (", f"page {n}'s topic")
        contains(page, "Att Abs Exc", f"page {n}'s column heads")
        ids += [line.split()[0] for line in lines if line.startswith("P-")]
    eq(ids, [f"P-{i:04}" for i in range(1, 101)], "every patient once, in order")
    contains(pages[-1], "100 patients expected.", "the summary on the last page")
    one = ok("-C", d, "roster", "--clinician", "nobody").out
    check("\f" not in one and "page" not in one, "a short roster is one page without numbers")


@case
def roster_sheet_cuts_a_long_name_between_characters(tmp):
    d = roster_clinic(tmp)
    enroll(d, "P-0006", "Ñandú Çağlar " + "Øyvind Ærø " * 6, "2026-11-02")
    r = ok("-C", d, "roster", "--date", "2026-11-09")
    row = [line for line in r.out.splitlines() if line.startswith("P-0006")]
    eq(len(row), 1, "one row")
    not_contains(row[0], "\ufffd", "the row is whole UTF-8")
    check(len(row[0]) <= 80, f"the row fits 80 columns: {row[0]!r}")
    contains(row[0], "Ñandú Çağlar Øyvind Ærø Øyvin...  [ ]", "the name cut, marked")


@case
def roster_filters_by_clinician(tmp):
    d = roster_clinic(tmp)
    rows = roster_csv(d, "--date", "2026-11-10", "--clinician", "j. RIVERA")
    eq([r[0] for r in rows[1:]], ["P-0001", "P-0003"], "J. Rivera's caseload")
    rows = roster_csv(d, "--date", "2026-11-10", "--clinician", "j. rivera", "--clinician",
                      "M. Okafor")
    eq([r[0] for r in rows[1:]], ["P-0001", "P-0002", "P-0003"], "two caseloads")


@case
def roster_bad_options_are_usage_errors(tmp):
    d = roster_clinic(tmp)
    expect_error(run("-C", d, "roster", "--topic", "nosuch"), 2, "unknown topic")
    expect_error(run("-C", d, "roster", "--date", "11/09/2026"), 2, "--date")
    expect_error(run("-C", d, "roster", "--format", "json"), 2)
    expect_error(run("-C", d, "roster", "--clinician", "a\x1bb"), 2, "--clinician")


@case
def roster_on_an_empty_day_says_so(tmp):
    d = roster_clinic(tmp)
    r = ok("-C", d, "roster", "--date", "2026-11-01")
    contains(r.out, "no patients are expected on 2026-11-01")
    eq(roster_csv(d, "--date", "2026-11-01"), [["id", "name", "date", "kind", "topic", "hours",
                                                 "status"]], "only the header")


# ---------------------------------------------------------------- --clinician


@case
def list_and_check_filter_by_clinician(tmp):
    d = roster_clinic(tmp)
    r = ok("-C", d, "list", "--clinician", "J. RIVERA", "--format", "csv", today="2026-11-20")
    eq([row[0] for row in list(csv.reader(io.StringIO(r.out)))[1:]], ["P-0001", "P-0003"],
       "list --clinician")
    r = ok("-C", d, "list", "--status", "all", "--clinician", "j. rivera", "--clinician",
           "m. okafor", "--format", "csv", today="2026-11-20")
    eq([row[0] for row in list(csv.reader(io.StringIO(r.out)))[1:]],
       ["P-0001", "P-0002", "P-0003", "P-0004"], "list --status all, two clinicians")
    r = run("-C", d, "check", "--format", "json", "--clinician", "m. OKAFOR", today="2026-11-20")
    check(r.code in (0, 1), f"check ran:\n{r!r}")
    eq([p["id"] for p in json.loads(r.out)["patients"]], ["P-0002"], "check --clinician")
    r = run("-C", d, "check", "--format", "json", today="2026-11-20")
    eq([p["id"] for p in json.loads(r.out)["patients"]], ["P-0001", "P-0002", "P-0003"],
       "check without --clinician")


@case
def a_broken_record_is_left_out_of_a_caseload(tmp):
    d = roster_clinic(tmp)
    p = record_path(d, "P-0002")
    p.write_bytes(p.read_bytes() + b"\n[[session]\n")
    r = ok("-C", d, "list", "--clinician", "j. rivera", today="2026-11-20")
    contains(r.out, "P-0001")
    expect_error(run("-C", d, "list", today="2026-11-20"), 3, "P-0002", stdout_empty=False)
    r = run("-C", d, "check", "--clinician", "j. rivera", today="2026-11-20")
    not_contains(r.out + r.err, "P-0002", "a clinician's check")
    r = ok("-C", d, "roster", "--clinician", "j. rivera", "--date", "2026-11-10")
    expect_error(run("-C", d, "roster", "--date", "2026-11-10"), 3, "P-0002", stdout_empty=False)


if __name__ == "__main__":
    main()
