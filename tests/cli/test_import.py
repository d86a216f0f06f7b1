"""iop import (SPEC section 8): CSV in, all or nothing. Every bad row reported
as FILE:LINE: message with exit 3 and no file changed; re-runs and --dry-run
leave every byte as it was; RFC 4180 input as spreadsheets and Python's csv
module write it (BOM, CRLF, quoted commas, quotes and line breaks)."""

import codecs
import csv
import datetime as dt
import fcntl
import io
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (SOURCE_DIR, assert_unchanged, case, check, contains, enroll, eq,
                  fails_cleanly, load_toml, main, make_clinic, not_contains, ok, record_path, run,
                  run_on_terminal, snapshot)

TODAY = "2026-11-26"

PATIENTS = (
    "id,name,enrolled,born,clinician,diagnosis,insurance,weeks,groups_per_week,"
    "individual_per_week,family_per_week\n"
    'P-0001,"Doe, Jane",2026-11-02,1985-04-12,Dr. Rivera,"Alcohol use disorder, moderate",'
    "Acme Health,12,3,1,1\n"
    "P-0002,John Roe,2026-11-09,,,,,,,,\n")

SESSIONS = ("id,date,kind,topic,hours,status,note\n"
            "P-0001,2026-11-03,group,illness,3,attended,\n"
            'P-0001,2026-11-04,individual,,,,"first, individual"\n'
            "P-0002,2026-11-10,group,stress,3.0,absent,\n")


def write(path, text, encoding="utf-8"):
    Path(path).write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return Path(path)


def imp(d, csv_path, *args, **kw):
    """iop import, run beside the CSV file so that messages name it as given."""
    kw.setdefault("today", TODAY)
    if isinstance(csv_path, Path):
        kw.setdefault("cwd", csv_path.parent)
        csv_path = csv_path.name
    return run("-C", d, "import", csv_path, *args, **kw)


def imported(d, *args, **kw):
    """import that must succeed with nothing on stderr; returns stdout."""
    r = imp(d, *args, **kw)
    if r.code != 0 or r.err:
        raise AssertionError(f"expected success:\n{r!r}")
    return r.out


def clinic(tmp):
    """A clinic with P-0001 and P-0002 enrolled by import."""
    d = make_clinic(tmp)
    imported(d, write(tmp / "patients.csv", PATIENTS))
    return d


def bad_import(tmp, d, csv_path, *expected_lines, code=3, args=()):
    """Runs an import that must fail: exit `code`, each expected line on
    stderr (in that order), nothing on stdout, every file unchanged."""
    before = snapshot(d)
    r = imp(d, csv_path, *args)
    assert_unchanged(before, snapshot(d), f"after {r!r}")
    if r.code != code:
        raise AssertionError(f"expected exit {code}:\n{r!r}")
    eq(r.out, "", "stdout of a failed import")
    lines = r.err.splitlines()
    for want in expected_lines:
        check(any(want in line for line in lines),
              f"expected a stderr line with {want!r}:\n{r.err}")
    got = [line for line in lines if not line.startswith("iop: error: ")]
    order = [next(i for i, line in enumerate(got) if w in line) for w in expected_lines
             if any(w in line for line in got)]
    eq(order, sorted(order), "bad rows reported in file order")
    check(lines[-1].startswith("iop: error: ") and "nothing was imported" in lines[-1],
          f"expected a last line saying nothing was imported:\n{r.err}")
    return r


# ---------------------------------------------------------------- success


@case
def patients_enroll_and_sessions_attend(tmp):
    d = make_clinic(tmp)
    out = imported(d, write(tmp / "patients.csv", PATIENTS))
    eq(out, "enrolled 2 patients, skipped 0 duplicates\n", "summary")
    p1 = load_toml(record_path(d, "P-0001"))
    eq((p1["name"], p1["born"], p1["enrolled"], p1["clinician"], p1["diagnosis"],
        p1["insurance"], p1["plan"]),
       ("Doe, Jane", dt.date(1985, 4, 12), dt.date(2026, 11, 2), "Dr. Rivera",
        "Alcohol use disorder, moderate", "Acme Health",
        {"weeks": 12, "groups_per_week": 3, "individual_per_week": 1, "family_per_week": 1}),
       "P-0001's header")
    p2 = load_toml(record_path(d, "P-0002"))
    eq(p2["plan"], {"weeks": 12, "groups_per_week": 3, "individual_per_week": 1,
                    "family_per_week": 1}, "empty plan cells take the program's defaults")
    eq(p2["recorded_by"], "tester", "recorded_by")

    out = imported(d, write(tmp / "sessions.csv", SESSIONS))
    eq(out, "imported 3 sessions for 2 patients, skipped 0 duplicates\n", "summary")
    s = load_toml(record_path(d, "P-0001"))["session"]
    eq([(x["date"], x["kind"], x.get("topic"), x["hours"], x["status"], x.get("note"))
        for x in s],
       [(dt.date(2026, 11, 3), "group", "illness", 3.0, "attended", None),
        (dt.date(2026, 11, 4), "individual", None, 1.0, "attended", "first, individual")],
       "P-0001's sessions (hours default from the program)")
    eq(load_toml(record_path(d, "P-0002"))["session"][0]["status"], "absent", "status column")
    eq(sorted(os.listdir(d / "patients")), ["P-0001.toml", "P-0002.toml"], "no temp files")


@case
def imports_exactly_what_attend_would_write(tmp):
    a = make_clinic(tmp, "a")
    b = make_clinic(tmp, "b")
    for d in (a, b):
        enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    ok("-C", a, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
       "2026-11-03", today=TODAY)
    ok("-C", a, "attend", "P-0001", "--kind", "family", "--date", "2026-11-04", "--excused",
       "--hours", "1.5", "--note", "sick", today=TODAY)
    imported(b, write(tmp / "s.csv", "id,date,kind,topic,hours,status,note\n"
                      "P-0001,2026-11-03,group,illness,,,\n"
                      "P-0001,2026-11-04,family,,1.5,excused,sick\n"))
    eq(record_path(b).read_bytes(), record_path(a).read_bytes(), "record bytes")


@case
def screens_file(tmp):
    d = clinic(tmp)
    out = imported(d, write(tmp / "screens.csv", "id,date,result,substances\n"
                            "P-0001,2026-11-06,positive,alcohol; cocaine\n"
                            "P-0001,2026-11-13,negative,\n"))
    eq(out, "imported 2 screens for 1 patient, skipped 0 duplicates\n", "summary")
    eq([(s["result"], s.get("substances")) for s in load_toml(record_path(d))["screen"]],
       [("positive", ["alcohol", "cocaine"]), ("negative", None)], "screens")


@case
def a_pending_screen_imports_and_its_result_replaces_it(tmp):
    d = clinic(tmp)
    imported(d, write(tmp / "screens.csv", "id,date,result,substances\n"
                      "P-0001,2026-11-06,pending,\n"
                      "P-0001,2026-11-06,negative,\n"))
    eq([s["result"] for s in load_toml(record_path(d))["screen"]], ["pending", "negative"],
       "screens")


@case
def substances_with_a_negative_or_pending_result_are_refused(tmp):
    d = clinic(tmp)
    for result in ("negative", "pending"):
        bad_import(tmp, d, write(tmp / "s.csv", "id,date,result,substances\n"
                                 "P-0001,2026-11-06,positive,alcohol\n"
                                 f"P-0001,2026-11-13,{result},cocaine\n"),
                   f"s.csv:3: substances names a substance found; a {result} screen found none")


@case
def idempotent_rerun_changes_no_byte(tmp):
    d = clinic(tmp)
    s = write(tmp / "sessions.csv", SESSIONS)
    imported(d, s)
    before = snapshot(d)
    eq(imported(d, s), "imported 0 sessions for 0 patients, skipped 3 duplicates\n", "re-run")
    eq(imported(d, tmp / "patients.csv"), "enrolled 0 patients, skipped 2 duplicates\n",
       "patients re-run")
    assert_unchanged(before, snapshot(d), "after re-running both imports")
    # A file that adds to what is there imports only what is new.
    s2 = write(tmp / "more.csv", SESSIONS + "P-0001,2026-11-05,group,stress,,,\n")
    eq(imported(d, s2), "imported 1 session for 1 patient, skipped 3 duplicates\n", "partial")


@case
def identical_means_date_kind_topic_status(tmp):
    d = clinic(tmp)
    imported(d, write(tmp / "a.csv",
                      "id,date,kind,topic,hours\nP-0001,2026-11-03,group,illness,3\n"))
    # Other hours or note: the same session, as attend judges it.
    eq(imported(d, write(tmp / "b.csv", "id,date,kind,topic,hours,note\n"
                         "P-0001,2026-11-03,group,illness,2.5,later\n")),
       "imported 0 sessions for 0 patients, skipped 1 duplicate\n", "same session")
    # Another status is another session.
    eq(imported(d, write(tmp / "c.csv", "id,date,kind,topic,status\n"
                         "P-0001,2026-11-03,group,illness,absent\n")),
       "imported 1 session for 1 patient, skipped 0 duplicates\n", "other status")


@case
def rows_repeated_within_a_file_count_as_duplicates(tmp):
    d = clinic(tmp)
    out = imported(d, write(tmp / "s.csv", "id,date,kind,topic\n"
                            "P-0001,2026-11-03,group,illness\n"
                            "P-0001,2026-11-03,group,illness\n"))
    eq(out, "imported 1 session for 1 patient, skipped 1 duplicate\n", "summary")
    eq(len(load_toml(record_path(d))["session"]), 1, "sessions written")


@case
def dry_run_writes_nothing_and_says_what_would_change(tmp):
    d = clinic(tmp)
    before = snapshot(d)
    r = imp(d, write(tmp / "sessions.csv", SESSIONS), "--dry-run")
    eq((r.code, r.err), (0, ""), "exit and stderr")
    eq(r.out, "would append to patients/P-0001.toml: 2 sessions\n"
              "would append to patients/P-0002.toml: 1 session\n"
              "dry run: would have imported 3 sessions for 2 patients, skipped 0 duplicates; "
              "nothing was written\n", "dry-run output")
    assert_unchanged(before, snapshot(d), "after --dry-run")
    e = make_clinic(tmp, "empty")
    before = snapshot(e)
    r = imp(e, tmp / "patients.csv", "-n")
    eq(r.code, 0, "exit")
    contains(r.out, "would create patients/P-0001.toml: Doe, Jane, enrolled 2026-11-02")
    contains(r.out, "dry run: would have enrolled 2 patients, skipped 0 duplicates")
    assert_unchanged(before, snapshot(e), "after --dry-run of a patient file")
    # A dry run still reports bad rows, with exit 3.
    bad_import(tmp, d, write(tmp / "bad.csv", "id,date,kind\nP-0009,2026-11-03,individual\n"),
               "bad.csv:2: unknown patient 'P-0009'", args=("--dry-run",))


@case
def stdin(tmp):
    d = clinic(tmp)
    r = imp(d, "-", input=SESSIONS)
    eq((r.code, r.out, r.err), (0, "imported 3 sessions for 2 patients, skipped 0 duplicates\n",
                                 ""), "import from stdin")
    before = snapshot(d)
    r = imp(d, "-", input="id,date,kind\nP-0001,2026-12-01,individual\n")
    eq(r.code, 3, "exit")
    contains(r.err, "<stdin>:2: date 2026-12-01 is after today (2026-11-26)")
    assert_unchanged(before, snapshot(d), "after a bad stdin import")


@case
def python_csv_with_bom_crlf_quotes_commas_and_line_breaks(tmp):
    d = make_clinic(tmp)
    buf = io.StringIO()
    w = csv.writer(buf)  # RFC 4180 as Python writes it: CRLF, quotes only where needed
    w.writerow(["id", "name", "enrolled", "clinician", "diagnosis"])
    w.writerow(["P-0001", 'Doe, "JJ" Jane', "2026-11-02", "Dr. O'Neil", "Alcohol, opioids"])
    w.writerow(["P-0002", "Zoë Ångström", "2026-11-02", "  spaced  ", ""])
    text = buf.getvalue()
    check("\r\n" in text and '"Doe, ""JJ"" Jane"' in text, "the writer quoted as expected")
    write(tmp / "p.csv", codecs.BOM_UTF8 + text.encode())
    eq(imported(d, tmp / "p.csv"), "enrolled 2 patients, skipped 0 duplicates\n", "patients")
    p1 = load_toml(record_path(d, "P-0001"))
    eq((p1["name"], p1["clinician"], p1["diagnosis"]),
       ('Doe, "JJ" Jane', "Dr. O'Neil", "Alcohol, opioids"), "P-0001")
    eq(load_toml(record_path(d, "P-0002"))["clinician"], "  spaced  ", "spaces kept")

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "date", "kind", "topic", "note"])
    w.writerow(["P-0001", "2026-11-03", "group", "illness", "line one\nline two, with \"quotes\""])
    w.writerow(["P-0001", "2026-11-04", "individual", "", "windows\r\nbreak"])
    w.writerow(["P-0002", "2026-11-04", "individual", "", ""])
    write(tmp / "s.csv", codecs.BOM_UTF8 + buf.getvalue().encode())
    eq(imported(d, tmp / "s.csv"), "imported 3 sessions for 2 patients, skipped 0 duplicates\n",
       "sessions")
    notes = [s.get("note") for s in load_toml(record_path(d, "P-0001"))["session"]]
    eq(notes, ['line one\nline two, with "quotes"', "windows\nbreak"], "notes across lines")


@case
def physical_line_numbers_after_multiline_cells(tmp):
    d = clinic(tmp)
    text = ('id,date,kind,topic,note\r\n'
            'P-0001,2026-11-03,group,illness,"a\r\nnote over\r\nthree lines"\r\n'
            '\r\n'
            'P-0001,2026-11-04,group,nosuch,\r\n')
    bad_import(tmp, d, write(tmp / "s.csv", text), "s.csv:6: unknown topic 'nosuch'")


@case
def formula_escapes_are_undone(tmp):
    d = make_clinic(tmp)
    imported(d, write(tmp / "p.csv", "id,name,enrolled,clinician,insurance\n"
                      "P-0001,'-Jane,2026-11-02,\"'=HYPERLINK(\"\"x\"\")\",''+plus\n"))
    h = load_toml(record_path(d))
    eq((h["name"], h["clinician"], h["insurance"]), ("-Jane", '=HYPERLINK("x")', "'+plus"),
       "one leading apostrophe before a formula character removed")


@case
def recorded_by_and_at_columns(tmp):
    d = clinic(tmp)
    imported(d, write(tmp / "s.csv", "id,date,kind,recorded_by,recorded_at\n"
                      "P-0001,2026-11-04,individual,mkline,2026-11-04T09:30:00Z\n"
                      "P-0001,2026-11-05,individual,,\n"))
    s = load_toml(record_path(d))["session"]
    eq([(x["recorded_by"], x["recorded_at"]) for x in s],
       [("mkline", dt.datetime(2026, 11, 4, 9, 30, tzinfo=dt.timezone.utc)),
        ("tester", dt.datetime(2026, 11, 3, 17, 2, 11, tzinfo=dt.timezone.utc))],
       "given, else the importing user and now")


@case
def header_only_imports_nothing(tmp):
    d = clinic(tmp)
    before = snapshot(d)
    eq(imported(d, write(tmp / "h.csv", "id,date,kind,topic\r\n")),
       "imported 0 sessions for 0 patients, skipped 0 duplicates\n", "summary")
    assert_unchanged(before, snapshot(d))


@case
def blank_lines_and_empty_rows_are_skipped(tmp):
    d = clinic(tmp)
    eq(imported(d, write(tmp / "s.csv", "id,date,kind,topic\n\nP-0001,2026-11-03,group,illness"
                         "\n,,,\n\n")),
       "imported 1 session for 1 patient, skipped 0 duplicates\n", "summary")


@case
def quiet(tmp):
    d = clinic(tmp)
    eq(imported(d, write(tmp / "s.csv", SESSIONS), "-q"), "", "--quiet prints nothing")


@case
def new_patients_and_their_sessions_in_one_journal_file(tmp):
    d = make_clinic(tmp)
    j = ("record,id,name,enrolled,date,kind,topic,type,reason\n"
         "patient,P-0007,Sam Poe,2026-11-02,,,,,\n"
         "session,P-0007,,,2026-11-03,group,illness,,\n"
         "event,P-0007,,,2026-11-20,,,discharged,moved\n")
    eq(imported(d, write(tmp / "j.csv", j)),
       "enrolled 1 patient, imported 1 session and 1 event for 1 patient, skipped 0 duplicates\n",
       "summary")
    data = load_toml(record_path(d, "P-0007"))
    eq((data["session"][0]["topic"], data["event"][0]["type"], data["event"][0]["reason"]),
       ("illness", "discharged", "moved"), "journal rows")
    before = snapshot(d)
    eq(imported(d, tmp / "j.csv"), "imported 0 sessions for 0 patients, skipped 3 duplicates\n",
       "re-run after the discharge")
    assert_unchanged(before, snapshot(d))


@case
def one_lock_for_the_whole_import(tmp):
    d = clinic(tmp)
    s = write(tmp / "s.csv", SESSIONS)
    before = snapshot(d)
    with open(d / ".iop.lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        r = imp(d, s, "--wait", "0")
    eq(r.code, 75, f"exit while locked:\n{r!r}")
    contains(r.err, "locked")
    assert_unchanged(before, snapshot(d), "after a locked import")


@case
def each_patient_file_written_once_with_the_old_bytes_as_prefix(tmp):
    d = clinic(tmp)
    old = record_path(d).read_bytes()
    ino = os.stat(record_path(d)).st_ino
    rows = "".join(f"P-0001,2026-11-{day:02d},individual,\n" for day in range(3, 26))
    imported(d, write(tmp / "s.csv", "id,date,kind,topic\n" + rows))
    new = record_path(d).read_bytes()
    check(new.startswith(old), "the old bytes are an exact prefix")
    eq(new.count(b"[[session]]"), 23, "sessions")
    check(os.stat(record_path(d)).st_ino != ino, "replaced by rename (atomic), not rewritten")
    eq(sorted(os.listdir(d / "patients")), ["P-0001.toml", "P-0002.toml"], "no temp files")


@case
def no_progress_display_when_stderr_is_not_a_terminal(tmp):
    d = clinic(tmp)
    rows = "".join(f"P-0001,2026-11-{3 + i % 20:02d},group,illness,{1 + i % 9}\n"
                   for i in range(3000))
    r = imp(d, write(tmp / "s.csv", "id,date,kind,topic,hours\n" + rows))
    eq(r.err, "", "stderr")
    eq(r.out, "imported 20 sessions for 1 patient, skipped 2980 duplicates\n", "summary")


@case
def progress_display_goes_to_a_terminal_only(tmp):
    d = clinic(tmp)
    # Many rows, one file to write: long enough to draw, without 1000s of fsyncs.
    rows = "P-0001,2026-11-03,group,illness\n" * 300000
    path = write(tmp / "s.csv", "id,date,kind,topic\n" + rows)
    code, out, text, seconds = run_on_terminal("-C", d, "import", path, today=TODAY)
    eq((code, out),
       (0, "imported 1 session for 1 patient, skipped 299999 duplicates\n"), "result")
    not_contains(text, "enrolled", "the terminal (the summary is on stdout)")
    if seconds > 1.5:  # long enough for the display to have been drawn
        contains(text, "iop import:", "the terminal")
        check(text.endswith("\r") and text[:-1].rsplit("\r", 1)[-1].strip() == "",
              f"the display is erased at the end: {text[-40:]!r}")


@case
def the_examples_do_what_their_readme_says(tmp):
    d = tmp / "clinic"
    shutil.copytree(SOURCE_DIR / "examples" / "clinic", d)
    ex = SOURCE_DIR / "examples" / "import"
    eq(imported(d, ex / "patients.csv"), "enrolled 2 patients, skipped 0 duplicates\n", "patients")
    before = snapshot(d)
    r = imp(d, ex / "sessions.csv", "--dry-run")
    contains(r.out, "dry run: would have imported 8 sessions for 3 patients")
    assert_unchanged(before, snapshot(d))
    eq(imported(d, ex / "sessions.csv"),
       "imported 8 sessions for 3 patients, skipped 0 duplicates\n", "sessions")
    eq(imported(d, ex / "screens.csv"), "imported 2 screens for 2 patients, skipped 0 duplicates\n",
       "screens")
    eq(imported(d, ex / "sessions.csv"),
       "imported 0 sessions for 0 patients, skipped 8 duplicates\n", "again")
    notes = [x.get("note") for x in load_toml(record_path(d, "P-0007"))["session"]]
    contains(notes, "Partner could not come;\nrescheduled for next week", "notes")
    r = bad_import(tmp, d, ex / "bad-sessions.csv", "bad-sessions.csv:2: unknown topic 'ilness'",
                   "bad-sessions.csv:3: unknown patient 'P-0009'",
                   "bad-sessions.csv:4: date 2026-12-01 is after today (2026-11-26)")
    eq(r.err.splitlines()[-1], "iop: error: bad-sessions.csv: 3 bad rows; nothing was imported",
       "last line")


# ---------------------------------------------------------------- bad input


@case
def one_bad_row_among_good_ones_writes_nothing(tmp):
    d = clinic(tmp)
    text = SESSIONS + "P-0001,2026-11-27,group,illness,3,attended,\n" + SESSIONS.split("\n", 1)[1]
    r = bad_import(tmp, d, write(tmp / "s.csv", text),
                   "s.csv:5: date 2026-11-27 is after today (2026-11-26); entries record what "
                   "happened, not plans")
    eq(r.err.splitlines()[-1], "iop: error: s.csv: 1 bad row; nothing was imported", "last line")


@case
def every_bad_row_is_reported(tmp):
    d = clinic(tmp)
    text = ("id,date,kind,topic,hours,status\n"
            "P-0001,2026-11-05,group,illness,3,attended\n"
            "P-0009,2026-11-05,group,illness,3,attended\n"
            "P-0001,2026-12-30,group,illness,3,attended\n"
            "P-0001,2026-10-01,group,illness,3,attended\n"
            "P-0001,2026-11-06,group,ilness,3,attended\n"
            "P-0001,2026-11-06,grp,illness,3,attended\n"
            "P-0001,2026-11-06,group,illness,13,attended\n"
            "P-0001,2026-11-06,group,illness,x,attended\n"
            "P-0001,2026-11-06,group,illness,3,came\n"
            "P-0001,2026-11-06,group,,3,attended\n"
            "P-0001,2026-11-06,group,illness,3\n"
            "P-0001,2026-11-06,group,illness,3,attended,extra\n"
            "P-0001,31/11/2026,group,illness,3,attended\n"
            "bad id,2026-11-06,group,illness,3,attended\n"
            ",2026-11-06,group,illness,3,attended\n")
    r = bad_import(
        tmp, d, write(tmp / "bad.csv", text),
        "bad.csv:3: unknown patient 'P-0009' (did you mean 'P-0001'?)",
        "bad.csv:4: date 2026-12-30 is after today (2026-11-26)",
        "bad.csv:5: date 2026-10-01 is before P-0001 was enrolled (2026-11-02)",
        "bad.csv:6: unknown topic 'ilness' (did you mean 'illness'?)",
        "bad.csv:7: kind 'grp' is not valid",
        "bad.csv:8: hours 13 is out of range: a session lasts 0.1 to 12 hours",
        "bad.csv:9: hours 'x' is not a number",
        "bad.csv:10: status 'came' is not valid; valid values: attended, absent, excused",
        "bad.csv:11: a group session needs a topic",
        "bad.csv:12: the row has 5 fields while the header has 6",
        "bad.csv:13: the row has 7 fields while the header has 6",
        "bad.csv:14: date '31/11/2026' is not a valid date: expected YYYY-MM-DD",
        "bad.csv:15: invalid patient id 'bad id'",
        "bad.csv:16: id is empty")
    eq(r.err.splitlines()[-1], "iop: error: bad.csv: 14 bad rows; nothing was imported",
       "last line")
    eq(len(r.err.splitlines()), 15, "one line per bad row and the summary")


@case
def messages_match_the_commands(tmp):
    """The same check, the same words: only the option becomes a column name."""
    d = clinic(tmp)
    cli = run("-C", d, "attend", "P-0001", "--kind", "group", "--topic", "ilness", today=TODAY)
    r = bad_import(tmp, d, write(tmp / "s.csv", "id,date,kind,topic\n"
                                 "P-0001,2026-11-05,group,ilness\n"), "s.csv:2: ")
    eq(r.err.splitlines()[0].split(": ", 1)[1], cli.err.strip().removeprefix("iop: error: "),
       "unknown topic message")
    cli = run("-C", d, "enroll", "P-0003", "--name", "X", "--weeks", "40", today=TODAY)
    r = bad_import(tmp, d, write(tmp / "p.csv", "id,name,enrolled,weeks\n"
                                 "P-0003,X,2026-11-02,40\n"), "p.csv:2: ")
    eq(r.err.splitlines()[0].split(": ", 1)[1],
       cli.err.strip().removeprefix("iop: error: ").replace("--weeks", "weeks"),
       "plan bound message")


@case
def sessions_after_the_end_of_treatment_are_refused(tmp):
    d = clinic(tmp)
    ok("-C", d, "discharge", "P-0002", "--reason", "moved", "--date", "2026-11-12", today=TODAY)
    bad_import(tmp, d, write(tmp / "s.csv", "id,date,kind\nP-0002,2026-11-11,individual\n"
                             "P-0002,2026-11-13,individual\n"),
               "s.csv:3: patient 'P-0002' was discharged on 2026-11-12; an entry dated "
               "2026-11-13 is after it (only entries dated on or before 2026-11-12 are "
               "accepted)")
    # Dated on or before the discharge, a late entry is accepted.
    eq(imported(d, write(tmp / "late.csv", "id,date,kind\nP-0002,2026-11-11,individual\n")),
       "imported 1 session for 1 patient, skipped 0 duplicates\n", "a late session")


@case
def unknown_and_missing_columns_are_named(tmp):
    d = clinic(tmp)
    bad_import(tmp, d, write(tmp / "a.csv", "id,dte,kind,tpoic,colour\nP-0001,2026-11-03,x,y,z\n"),
               "a.csv:1: unknown columns 'dte' (did you mean 'date'?), 'tpoic' (did you mean "
               "'topic'?), 'colour'; a session file has the columns 'id', 'name', 'date', "
               "'kind', 'topic', 'hours', 'status', 'objectives', 'note', 'recorded_by', "
               "'recorded_at'",
               "a.csv:1: missing column 'date': a session file needs 'id', 'date', 'kind'")
    bad_import(tmp, d, write(tmp / "b.csv", "id,name\nP-0003,X\n"),
               "b.csv:1: missing column 'enrolled': a patient file needs 'id', 'name', "
               "'enrolled'")
    bad_import(tmp, d, write(tmp / "c.csv", "id,name,enrolled,kind\n"),
               "c.csv:1: the header mixes patient columns and session columns")
    bad_import(tmp, d, write(tmp / "d.csv", "id,date,kind,date\n"),
               "d.csv:1: column 'date' appears twice in the header")
    bad_import(tmp, d, write(tmp / "e.csv", "id,date\nP-0001,2026-11-03\n"),
               "e.csv:1: cannot tell what the file holds from its header")
    r = bad_import(tmp, d, write(tmp / "f.csv", "id,date,result,kind\n"),
                   "f.csv:1: the header mixes session columns and screen columns")
    eq(r.err.splitlines()[-1], "iop: error: f.csv: nothing was imported", "last line")


@case
def empty_binary_utf16_and_unterminated_input(tmp):
    d = clinic(tmp)
    bad_import(tmp, d, write(tmp / "empty.csv", ""), "empty.csv: the file is empty: no header row")
    bad_import(tmp, d, write(tmp / "bom.csv", codecs.BOM_UTF8 + b"\r\n"),
               "bom.csv: the file is empty")
    bad_import(tmp, d, write(tmp / "bin.csv", bytes(range(256)) * 4),
               "bin.csv:1: binary data (a NUL byte): this is not a CSV text file")
    bad_import(tmp, d, write(tmp / "u16.csv", SESSIONS.encode("utf-16")),
               "u16.csv: the file is UTF-16 text; save it as \"CSV UTF-8\"")
    bad_import(tmp, d, write(tmp / "q.csv", "id,date,kind,topic,note\n"
                             "P-0001,2026-11-03,group,illness,fine\n"
                             "P-0001,2026-11-04,group,illness,\"never closed\n"
                             "P-0001,2026-11-05,group,illness,x\n"),
               "q.csv:3: a quoted cell opened on this line is never closed")
    bad_import(tmp, d, write(tmp / "m.csv", "id,date,kind,topic,note\n"
                             "P-0001,2026-11-04,group,illness,5'6\"\n"),
               "m.csv:2: a quote inside an unquoted cell")
    bad_import(tmp, d, write(tmp / "latin1.csv", "id,name,enrolled\nP-0003,Zoë,2026-11-02\n",
                             encoding="latin-1"),
               "latin1.csv:2: column 'name' is not valid UTF-8")
    r = imp(d, "missing.csv", cwd=tmp)
    eq(r.code, 4, "a file that cannot be read is an I/O error")
    contains(r.err, "iop: error: cannot read")


@case
def a_broken_record_is_an_error_for_the_rows_that_name_it(tmp):
    d = clinic(tmp)
    enroll(d, "P-0003", "Third", "2026-11-02")
    record_path(d, "P-0003").write_text("schema_version = 1\nid = \"P-0003\"\n")
    bad_import(tmp, d, write(tmp / "s.csv", "id,date,kind\n"
                             "P-0001,2026-11-04,individual\n"
                             "P-0003,2026-11-04,individual\n"
                             "P-0002,2026-11-10,individual\n"),
               "s.csv:3: patients/P-0003.toml")


@case
def a_bad_field_is_reported_before_a_broken_record(tmp):
    # A row's own fields are checked first, as for every other patient: the
    # broken record is the error only of the rows that are otherwise good.
    d = clinic(tmp)
    enroll(d, "P-0003", "Third", "2026-11-02")
    record_path(d, "P-0003").write_text("schema_version = 1\nid = \"P-0003\"\n")
    r = bad_import(tmp, d, write(tmp / "s.csv", "id,date,kind\n"
                                 "P-0003,2026-11-04,individual\n"
                                 "P-0003,2026-11-04,grp\n"
                                 "P-0003,2026-11-05,family\n"),
                   "s.csv:2: patients/P-0003.toml", "s.csv:3: kind 'grp' is not valid",
                   "s.csv:4: patients/P-0003.toml")
    eq(len(r.err.splitlines()), 4, "one line per bad row and the summary")


def many_patients(tmp, d, n):
    """n patients enrolled by import; returns their ids."""
    ids = [f"P-{i:04d}" for i in range(10, 10 + n)]
    imported(d, write(tmp / "many.csv", "id,name,enrolled\n" + "".join(
        f"{pid},Patient {pid},2026-11-02\n" for pid in ids)))
    return ids


@case
def the_same_result_whatever_the_number_of_jobs(tmp):
    # The rows of many patients, interleaved: patients are checked on
    # several threads, and neither the messages, their order, the summary nor
    # a byte written may depend on how many.
    base = make_clinic(tmp, "base")
    ids = many_patients(tmp, base, 40)
    rows = [f"{pid},2026-11-{3 + day:02d},group,illness,3,attended\n"
            for day in range(12) for pid in ids]
    rows += [f"{pid},2026-11-{3 + day:02d},individual,,1,attended\n"
             for day in (1, 8) for pid in reversed(ids)]
    good = "id,date,kind,topic,hours,status\n" + "".join(rows)
    bad_rows = list(rows)
    bad_rows[5] = f"{ids[5]},2026-12-30,group,illness,3,attended\n"   # after today
    bad_rows[77] = f"{ids[37]},2026-11-04,grp,illness,3,attended\n"   # bad kind
    bad_rows[300] = "P-9999,2026-11-04,group,illness,3,attended\n"    # unknown patient
    bad_rows[401] = f"{ids[1]},2026-10-01,individual,,1,attended\n"   # before enrollment
    bad = "id,date,kind,topic,hours,status\n" + "".join(bad_rows)
    failed = set()
    for jobs in ("1", "2", "7"):
        r = bad_import(tmp, base, write(tmp / "bad.csv", bad), "bad.csv:7: ", "bad.csv:79: ",
                       "bad.csv:302: unknown patient 'P-9999'", "bad.csv:403: ",
                       args=("--jobs", jobs))
        failed.add(r.err)
    eq(len(failed), 1, "the same messages with 1, 2 and 7 jobs")
    results = set()
    for jobs in ("1", "2", "7"):
        d = tmp / f"jobs-{jobs}"
        shutil.copytree(base, d)
        out = imported(d, write(tmp / "good.csv", good), "--jobs", jobs)
        eq(out, "imported 560 sessions for 40 patients, skipped 0 duplicates\n", "summary")
        eq(imported(d, write(tmp / "good.csv", good), "--jobs", jobs),
           "imported 0 sessions for 0 patients, skipped 560 duplicates\n", "a re-run")
        results.add(tuple(sorted((p.name, p.read_bytes())
                                 for p in (d / "patients").iterdir())))
    eq(len(results), 1, "the same files with 1, 2 and 7 jobs")
    r = ok("-C", tmp / "jobs-1", "check", "--rule", "stale-temp", "--rule", "record-invalid")
    eq(r.out, "", "no temporary file left, every record valid")


@case
def patient_file_problems(tmp):
    d = clinic(tmp)
    bad_import(tmp, d, write(tmp / "p.csv", "id,name,enrolled,born,weeks\n"
                             "P-0003,A,2026-11-02,,\n"
                             "P-0003,B,2026-11-02,,\n"
                             "P-0004,,2026-11-02,,\n"
                             "P-0005,C,,,\n"
                             "P-0006,D,2026-11-02,2027-01-01,\n"
                             "P-0007,E,2026-11-02,,40\n"
                             "P-0008,F,2026-11-02,,twelve\n"
                             "P-0001,Jane Doe,2026-11-02,,\n"),
               "p.csv:3: patient 'P-0003' is already on line 2 of this file",
               "p.csv:4: name is empty",
               "p.csv:5: enrolled is empty",
               "p.csv:6: born 2027-01-01 is after the start of treatment (2026-11-02)",
               "p.csv:7: weeks 40 is outside the program's bounds 3..13",
               "p.csv:8: weeks 'twelve' is not a whole number",
               "p.csv:9: patient 'P-0001' already exists (patients/P-0001.toml) with a "
               "different name, born, clinician, diagnosis, insurance")


@case
def rows_of_a_bad_patient_do_not_cascade(tmp):
    d = make_clinic(tmp)
    r = bad_import(tmp, d, write(tmp / "j.csv", "record,id,name,enrolled,date,kind\n"
                                 "patient,P-0007,,2026-11-02,,\n"
                                 "session,P-0007,,,2026-11-03,individual\n"),
                   "j.csv:2: name is empty",
                   "j.csv:3: patient 'P-0007' is not imported: its patient row has errors")
    not_contains(r.err, "unknown patient")


@case
def journal_rows_must_fit_their_kind(tmp):
    d = clinic(tmp)
    bad_import(tmp, d, write(tmp / "j.csv", "record,id,date,kind,result,type\n"
                             "session,P-0001,2026-11-03,individual,positive,\n"
                             "visit,P-0001,2026-11-03,,,\n"
                             "event,P-0001,2026-11-03,,,graduate\n"),
               "j.csv:2: 1 value in 'result' for a session row; leave it empty",
               "j.csv:3: record 'visit' is not valid",
               "j.csv:4: type 'graduate' is not valid (did you mean 'graduated'?)")



# ---------------------------------------------------------------- spreadsheets


@case
def spreadsheet_headers_and_statuses_are_understood(tmp):
    # Title case, spaces, '_' and '-' and the documented aliases; a patient
    # file so written is a patient file, not a session file.
    d = make_clinic(tmp)
    out = imported(d, write(tmp / "p.csv", "Patient ID,Patient Name,Enrollment Date,DOB\n"
                            "P-0001,Jane Doe,2026-11-02,1985-04-12\n"))
    eq(out, "enrolled 1 patient, skipped 0 duplicates\n", "title-case patient file")
    eq(load_toml(record_path(d))["born"], dt.date(1985, 4, 12), "DOB is born")
    out = imported(d, write(tmp / "s.csv", "Patient ID,Session Date,Kind,TOPIC,Hours,Attended\n"
                            "P-0001,2026-11-03,group,illness,3,Present\n"
                            "P-0001,2026-11-04,group,stress,3,no show\n"
                            "P-0001,2026-11-05,group,illness,3,No-Show\n"
                            "P-0001,2026-11-06,group,stress,3,Excused Absence\n"
                            "P-0001,2026-11-07,individual,,1,ABSENT\n"))
    eq(out, "imported 5 sessions for 1 patient, skipped 0 duplicates\n", "session summary")
    eq([x["status"] for x in load_toml(record_path(d))["session"]],
       ["attended", "absent", "absent", "excused", "absent"], "status spellings")
    # The same file again: the spellings compare as the statuses they mean.
    eq(imported(d, tmp / "s.csv"),
       "imported 0 sessions for 0 patients, skipped 5 duplicates\n", "re-run")
    bad_import(tmp, d, write(tmp / "t.csv", "id,date,kind,topic,status\n"
                             "P-0001,2026-11-10,group,illness,here\n"),
               "t.csv:2: status 'here' is not valid; valid values: attended, absent, excused "
               "(also present, no show, excused absence)")
    bad_import(tmp, d, write(tmp / "u.csv", "Id,Date,Kind,Patient\n"),
               "u.csv:1: column 'id' appears twice in the header")
    bad_import(tmp, d, write(tmp / "v.csv", "ID,When,Colour\nP-0001,x,y\n"),
               "v.csv:1: unknown columns 'When', 'Colour'",
               "v.csv:1: cannot tell what the file holds from its header")


@case
def a_date_written_another_way_gets_a_suggestion(tmp):
    d = clinic(tmp)
    r = bad_import(tmp, d, write(tmp / "s.csv", "id,date,kind,topic\n"
                                 "P-0001,11/20/2026,group,illness\n"
                                 "P-0001,20.11.2026,group,illness\n"
                                 "P-0001,2026/11/20,group,illness\n"
                                 "P-0001,11/10/2026,group,illness\n"
                                 "P-0001,11/11/2026,group,illness\n"
                                 "P-0001,Nov 20 2026,group,illness\n"))
    lines = r.err.splitlines()
    eq(lines[:6], [
        "s.csv:2: date '11/20/2026' is not a valid date: expected YYYY-MM-DD; write 2026-11-20",
        "s.csv:3: date '20.11.2026' is not a valid date: expected YYYY-MM-DD; write 2026-11-20",
        "s.csv:4: date '2026/11/20' is not a valid date: expected YYYY-MM-DD; write 2026-11-20",
        "s.csv:5: date '11/10/2026' is not a valid date: expected YYYY-MM-DD; it may be "
        "2026-11-10 (month first) or 2026-10-11 (day first); write the one meant",
        "s.csv:6: date '11/11/2026' is not a valid date: expected YYYY-MM-DD; write 2026-11-11",
        "s.csv:7: date 'Nov 20 2026' is not a valid date: expected YYYY-MM-DD"], "messages")
    # The same suggestion for an option.
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--date",
                        "11/20/2026"], 2, "--date '11/20/2026' is not a valid date",
                  "write 2026-11-20")


@case
def a_roster_sheet_checks_names_and_needs_a_status(tmp):
    d = clinic(tmp)
    roster = ("id,name,date,kind,topic,hours,status\n"
              '"P-0001","Doe, Jane",2026-11-16,group,illness,3,attended\n'
              "P-0002,John Roe,2026-11-16,group,illness,3,absent\n")
    eq(imported(d, write(tmp / "r.csv", roster)),
       "imported 2 sessions for 2 patients, skipped 0 duplicates\n", "a filled-in roster")
    bad_import(tmp, d, write(tmp / "bad.csv", "id,name,date,kind,topic,hours,status\n"
                             "P-0002,\"Doe, Jane\",2026-11-17,group,illness,3,attended\n"
                             "P-0001,\"Doe, Jane\",2026-11-17,group,illness,3,\n"
                             "P-0001,,2026-11-18,group,illness,3,attended\n"),
               "bad.csv:2: name 'Doe, Jane' is not the name of P-0002 ('John Roe'); check the id",
               "bad.csv:3: no status marked: write attended, absent or excused")
    r = bad_import(tmp, d, tmp / "bad.csv")
    eq(r.err.count("\n"), 3, "two bad rows, the third (no name) is good")
    # In a journal file, a session row has no name.
    bad_import(tmp, d, write(tmp / "j.csv", "record,id,name,date,kind,topic\n"
                             "session,P-0001,\"Doe, Jane\",2026-11-19,group,illness\n"),
               "j.csv:2: 1 value in 'name' for a session row")

if __name__ == "__main__":
    main()
