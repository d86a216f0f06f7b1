"""iop attend: appends a [[session]] (the old bytes stay an exact prefix),
validates kind, topic, date and hours, refuses duplicates, records who/when."""

import datetime as dt
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (case, check, contains, enroll, eq, fails_cleanly, load_toml, main,
                  make_clinic, matches, mode_of, ok, record_path, run)

UTC_NOW = dt.datetime(2026, 11, 3, 17, 2, 11, tzinfo=dt.timezone.utc)


def setup(tmp, start="2026-11-02"):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", start)
    return d


def sessions(d, pid="P-0001"):
    return load_toml(record_path(d, pid)).get("session", [])


def attend(d, *args, **kw):
    return ok("-C", d, "attend", "P-0001", *args, **kw)


@case
def appends_a_session(tmp):
    d = setup(tmp)
    r = attend(d, "--kind", "group", "--topic", "illness", "--date", "2026-11-03",
               user="jrivera")
    contains(r.out, "P-0001", "the confirmation")
    eq(sessions(d), [{"date": dt.date(2026, 11, 3), "kind": "group", "topic": "illness",
                      "hours": 3.0, "status": "attended", "recorded_by": "jrivera",
                      "recorded_at": UTC_NOW}], "the session")
    eq(mode_of(record_path(d)), 0o600, "record mode after an append")
    eq(sorted(os.listdir(d / "patients")), ["P-0001.toml"], "no temporary files left")


@case
def default_hours_and_date(tmp):
    d = setup(tmp)
    attend(d, "--kind", "individual", today="2026-11-05")
    attend(d, "--kind", "family", "--hours", "1.5", today="2026-11-05")
    attend(d, "--kind", "group", "--topic", "stress", "--hours", "2.25", today="2026-11-05")
    got = [(s["date"], s["kind"], s["hours"], s.get("topic")) for s in sessions(d)]
    eq(got, [(dt.date(2026, 11, 5), "individual", 1.0, None),
             (dt.date(2026, 11, 5), "family", 1.5, None),
             (dt.date(2026, 11, 5), "group", 2.25, "stress")], "sessions")


@case
def default_hours_from_an_edited_program(tmp):
    d = setup(tmp)
    p = d / "program.toml"
    p.write_text(p.read_text().replace("individual_hours = 1.0", "individual_hours = 0.75"))
    attend(d, "--kind", "individual", "--date", "2026-11-04")
    eq(sessions(d)[0]["hours"], 0.75, "hours from program.toml")


@case
def old_bytes_are_an_exact_prefix(tmp):
    d = setup(tmp)
    path = record_path(d)
    with open(path, "a") as f:
        f.write("# Intake call: prefers afternoons.   \n\n  # indented comment\n")
    text = path.read_text()
    path.write_text(text.replace('name = "Jane Doe"', 'name = "Jane Doe"   # hand edit'))
    before = path.read_bytes()
    attend(d, "--kind", "group", "--topic", "illness", "--date", "2026-11-03")
    middle = path.read_bytes()
    check(middle.startswith(before) and len(middle) > len(before),
          f"the old file is not a prefix of the new one:\n{middle.decode()}")
    attend(d, "--kind", "individual", "--date", "2026-11-04", "--note", "first 1:1")
    after = path.read_bytes()
    check(after.startswith(middle) and len(after) > len(middle), "second append is not a prefix")
    eq(len(sessions(d)), 2, "sessions after two appends")
    eq(sessions(d)[1]["note"], "first 1:1", "note")


@case
def file_without_final_newline(tmp):
    d = setup(tmp)
    path = record_path(d)
    path.write_bytes(path.read_bytes() + b"# no newline at the end")
    before = path.read_bytes()
    attend(d, "--kind", "individual", "--date", "2026-11-04")
    after = path.read_bytes()
    check(after.startswith(before), "the old bytes are a prefix")
    eq(len(sessions(d)), 1, "the session parses after a file without a final newline")


@case
def hand_written_sessions_count(tmp):
    d = setup(tmp)
    with open(record_path(d), "a") as f:
        f.write('\n[[session]]  # typed in by hand\ndate = 2026-11-03\nkind = "group"\n'
                'topic = "illness"\nhours = 3\nstatus = "attended"\nrecorded_by = "hand"\n')
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "group", "--topic", "illness",
                        "--date", "2026-11-03"], 1, "already")
    attend(d, "--kind", "group", "--topic", "illness", "--date", "2026-11-04")
    eq([s["recorded_by"] for s in sessions(d)], ["hand", "tester"], "both sessions")


@case
def group_needs_a_topic(tmp):
    d = setup(tmp)
    r = fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "group"], 2, "--topic",
                      "illness", "relapse-prevention", "mutual-help")


@case
def unknown_topic(tmp):
    d = setup(tmp)
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "group", "--topic", "ilness"], 2,
                  "ilness", "did you mean 'illness'", "relapse-prevention")
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "group", "--topic", "zzzzzzzz"],
                  2, "zzzzzzzz", "illness")
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--topic", "x"],
                  2, "'x'")


@case
def topic_from_an_edited_curriculum(tmp):
    d = setup(tmp)
    p = d / "program.toml"
    p.write_text(p.read_text() + '\n[[curriculum]]\nid = "nutrition"\ntitle = "Nutrition"\n'
                                 'sessions = 1\ncore = false\n')
    attend(d, "--kind", "group", "--topic", "nutrition", "--date", "2026-11-03")
    eq(sessions(d)[0]["topic"], "nutrition", "a facility's own topic")


@case
def bad_kind(tmp):
    d = setup(tmp)
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "grup", "--topic", "illness"], 2,
                  "--kind", "did you mean 'group'")
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--topic", "illness"], 2, "--kind")


@case
def dates(tmp):
    d = setup(tmp, "2026-11-02")
    base = ["-C", d, "attend", "P-0001", "--kind", "individual"]
    fails_cleanly(tmp, base + ["--date", "2026-11-01"], 2, "2026-11-01", "enrolled")
    fails_cleanly(tmp, base + ["--date", "2026-11-11"], 2, "2026-11-11", "after today")
    fails_cleanly(tmp, base + ["--date", "2026-11-31"], 2, "--date")
    fails_cleanly(tmp, base + ["--date", "tomorrow"], 2, "--date")
    fails_cleanly(tmp, base, 2, "2026-11-01", today="2026-11-01")  # today before enrollment
    attend(d, "--kind", "individual", "--date", "2026-11-02")  # enrollment day
    attend(d, "--kind", "individual", "--date", "2026-11-10")  # today
    eq([s["date"] for s in sessions(d)], [dt.date(2026, 11, 2), dt.date(2026, 11, 10)], "dates")


@case
def hours(tmp):
    d = setup(tmp)
    base = ["-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-03"]
    for h in ["0", "-1", "0.0", "12.01", "13", "100", "nan", "inf", "-inf", "abc", ""]:
        fails_cleanly(tmp, base + ["--hours", h], 2, "--hours")
    attend(d, "--kind", "individual", "--date", "2026-11-03", "--hours", "12")
    attend(d, "--kind", "family", "--date", "2026-11-03", "--hours", "0.25")
    eq([s["hours"] for s in sessions(d)], [12.0, 0.25], "hours at the bounds")


@case
def duplicates(tmp):
    d = setup(tmp)
    args = ["--kind", "group", "--topic", "illness", "--date", "2026-11-03"]
    attend(d, *args)
    r = fails_cleanly(tmp, ["-C", d, "attend", "P-0001", *args], 1, "--allow-duplicate")
    matches(r"patients/P-0001\.toml:\d+", r.err, "the duplicate's location")
    # a different hours value is still the same session
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", *args, "--hours", "2"], 1, "already")
    attend(d, *args, "--allow-duplicate")
    eq(len(sessions(d)), 2, "sessions after --allow-duplicate")
    # differing in date, topic, kind or status is not a duplicate
    attend(d, "--kind", "group", "--topic", "illness", "--date", "2026-11-04")
    attend(d, "--kind", "group", "--topic", "stress", "--date", "2026-11-03")
    attend(d, "--kind", "group", "--topic", "illness", "--date", "2026-11-03", "--absent")
    eq(len(sessions(d)), 5, "sessions")
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", *args, "--absent"], 1, "already")


@case
def statuses(tmp):
    d = setup(tmp)
    attend(d, "--kind", "group", "--topic", "illness", "--date", "2026-11-03", "--absent")
    attend(d, "--kind", "group", "--topic", "illness", "--date", "2026-11-04", "--excused")
    attend(d, "--kind", "group", "--topic", "illness", "--date", "2026-11-05")
    eq([s["status"] for s in sessions(d)], ["absent", "excused", "attended"], "statuses")
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--absent",
                        "--excused"], 2)


@case
def unknown_patient(tmp):
    d = setup(tmp)
    fails_cleanly(tmp, ["-C", d, "attend", "P-0002", "--kind", "individual"], 1, "P-0002",
                  "did you mean 'P-0001'")
    r = fails_cleanly(tmp, ["-C", d, "attend", "Q-zzzzzzzzzzzz", "--kind", "individual"], 1,
                      "Q-zzzzzzzzzzzz")
    check("did you mean" not in r.err, f"no suggestion for a far id: {r.err}")
    check(not record_path(d, "P-0002").exists(), "attend never creates a record")


@case
def recorded_by(tmp):
    d = setup(tmp)
    attend(d, "--kind", "individual", "--date", "2026-11-03", user="jrivera")
    attend(d, "--kind", "individual", "--date", "2026-11-04", user="Ana María")
    eq([s["recorded_by"] for s in sessions(d)], ["jrivera", "Ana María"], "recorded_by")
    eq({s["recorded_at"] for s in sessions(d)}, {UTC_NOW}, "recorded_at from $IOP_NOW")
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--date",
                        "2026-11-05"], 2, "IOP_USER: ", user="bad\nuser")
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--date",
                        "2026-11-05"], 2, "IOP_NOW: ", now="yesterday")


@case
def recorded_by_falls_back_to_login(tmp):
    d = setup(tmp)
    attend(d, "--kind", "individual", "--date", "2026-11-03", user=None)
    import pwd
    eq(sessions(d)[0]["recorded_by"], pwd.getpwuid(os.geteuid()).pw_name, "the login name")


@case
def ended_patient_refused_after_the_end_date(tmp):
    d = setup(tmp)
    with open(record_path(d), "a") as f:
        f.write('\n[[event]]\ntype = "discharged"\ndate = 2026-11-05\nreason = "moved"\n'
                'recorded_by = "hand"\n')
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--date",
                        "2026-11-06"], 1, "discharged on 2026-11-05")
    # A late entry, dated on or before the end date, is accepted (SPEC section 11).
    attend(d, "--kind", "individual", "--date", "2026-11-04")


@case
def quiet_and_options_after_command(tmp):
    d = setup(tmp)
    r = ok("attend", "P-0001", "--kind", "group", "--topic", "illness", "-q", "--today",
           "2026-11-03", "-C", d, today=None)
    eq(r.out, "", "stdout with -q")
    eq(sessions(d)[0]["date"], dt.date(2026, 11, 3), "the date from --today after the command")


@case
def note_round_trips(tmp):
    d = setup(tmp)
    note = 'said "thanks" \\ felt #better = yes; ünïcode'
    attend(d, "--kind", "individual", "--date", "2026-11-03", "--note", note)
    eq(sessions(d)[0]["note"], note, "note")
    # a note may span lines (SPEC section 11), but holds no other control character
    attend(d, "--kind", "individual", "--date", "2026-11-04", "--note", "two\nlines")
    eq(sessions(d)[1]["note"], "two\nlines", "a note of two lines")
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--date",
                        "2026-11-05", "--note", "two\rlines"], 2, "--note")


if __name__ == "__main__":
    main()
