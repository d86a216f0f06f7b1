"""Whatever loads exports, and whatever exports imports back (SPEC section 11):
hand-written records with recorded_at offsets and fractional seconds,
multi-line notes, diagnoses and reasons, treatment plans (goals,
objectives, signatures, sessions' objectives), and hostile but valid text (quotes,
commas, formula prefixes, tabs, non-ASCII, 4096 bytes) go through
`export --format csv` -> `import` into an empty directory -> `export` again
and come out the same bytes, CSV and JSON alike."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (assert_unchanged, case, eq, main, make_clinic, ok, record_path, run,
                  snapshot)

TODAY = "2027-03-01"

# Valid free text a spreadsheet or a shell could mangle.
HOSTILE = [
    'Doe, "Jane"', "=cmd|' /C calc'!A0", "+Acme Health", "-Zoë O'Brien", "@home",
    "'=already quoted", "''+two apostrophes", "tab\tinside", "\tleading tab", " spaced ",
    "日本語のテキスト", "emoji \U0001F600", "semi;colon", "back\\slash", "x" * 4096,
]
# Where a field may hold line breaks.
MULTI = ["first line\nsecond line", "=SUM(A1)\n-minus\n+plus\n@at", "trailing\n", "a\n\nb",
         "é" * 2048]


def q(text):
    """A TOML basic string (JSON's escapes are TOML's for these)."""
    return json.dumps(text, ensure_ascii=False)


def header(pid, name, diagnosis, clinician, insurance, recorded_at):
    return (f"schema_version = 1\nid = {q(pid)}\nname = {q(name)}\nborn = 1985-04-12\n"
            f"enrolled = 2026-11-02\nclinician = {q(clinician)}\ndiagnosis = {q(diagnosis)}\n"
            f"insurance = {q(insurance)}\nrecorded_by = {q('clerk')}\n"
            f"recorded_at = {recorded_at}\n\n[plan]\nweeks = 12\ngroups_per_week = 3\n"
            "individual_per_week = 1\nfamily_per_week = 1\n")


def session(date, note, recorded_at, hours="1.25", by="clerk"):
    return (f"\n[[session]]\ndate = {date}\nkind = \"individual\"\nhours = {hours}\n"
            f"status = \"attended\"\nnote = {q(note)}\nobjectives = [\"G1.1\"]\n"
            f"recorded_by = {q(by)}\nrecorded_at = {recorded_at}\n")


def hand_written(d):
    """Records as a person might write them: every hostile string somewhere."""
    stamps = ["2026-11-03T17:02:11+02:00", "2026-11-03T17:02:11.5Z", "2026-11-03T17:02:11-05:30",
              "2026-11-03T17:02:11.123456+14:00", "2026-11-03T17:02:11Z"]
    for i, text in enumerate(HOSTILE):
        pid = f"P-{i + 1:04}"
        m = MULTI[i % len(MULTI)]
        body = header(pid, text, m, text, text, stamps[i % len(stamps)])
        body += session(f"2026-11-{3 + i % 3:02}", m, stamps[(i + 1) % len(stamps)],
                        by=text if len(text) < 64 else "clerk")
        item = text.strip(" \t")  # a list item has no space at either end
        body += (f"\n[[screen]]\ndate = 2026-11-04\nresult = \"positive\"\n"
                 f"substances = [{q(item)}, \"alcohol\"]\nrecorded_at = {stamps[i % 5]}\n")
        body += (f"\n[[medication]]\ndate = 2026-11-04\naction = \"start\"\nname = {q(text)}\n"
                 f"dose = {q(text)}\nreview_days = 14\nrecorded_at = {stamps[i % 5]}\n")
        body += (f"\n[[event]]\ntype = \"aftercare\"\ndate = 2026-11-05\nsponsor = {q(text)}\n"
                 f"groups = [{q(item)}]\nnote = {q(m)}\n")
        body += f"\n[[event]]\ntype = \"note\"\ndate = 2026-11-05\ntext = {q(m)}\n"
        # The treatment plan (SPEC section 12): its texts may span lines.
        body += (f"\n[[goal]]\nref = \"G1\"\naction = \"add\"\ndate = 2026-11-03\n"
                 f"problem = {q(m)}\ngoal = {q(text)}\nwords = {q(m)}\ndimension = {1 + i % 6}\n"
                 f"recorded_at = {stamps[i % 5]}\n")
        body += (f"\n[[objective]]\nref = \"G1.1\"\naction = \"add\"\ndate = 2026-11-03\n"
                 f"text = {q(text)}\nmeasure = {q(m)}\ntarget = 2026-12-01\n"
                 f"interventions = [{q(item)}, \"CBT; weekly\"]\n")
        body += (f"\n[[objective]]\nref = \"G1.1\"\naction = \"partly-achieved\"\n"
                 f"date = 2026-11-04\nnote = {q(m)}\n")
        body += (f"\n[[event]]\ntype = \"signature\"\ndate = 2026-11-04\nrole = \"patient\"\n"
                 f"name = {q(text)}\nplan_version = 3\ndeclined = true\nreason = {q(m)}\n")
        if i % 2:
            body += (f"\n[[event]]\ntype = \"graduated\"\ndate = 2026-11-06\nforced = true\n"
                     f"reason = {q(m)}\nnote = {q(text)}\n")
        else:
            body += (f"\n[[event]]\ntype = \"discharged\"\ndate = 2026-11-06\n"
                     f"reason = \"moved\"\nnote = {q(m)}\n")
        record_path(d, pid).write_text(body, encoding="utf-8")


@case
def hand_written_records_round_trip(tmp):
    a = make_clinic(tmp, "a")
    hand_written(a)
    r = run("-C", a, "check", today=TODAY)
    eq("record-invalid" in r.out, False, f"the records load\n{r!r}")
    first = ok("-C", a, "export", "--format", "csv", today=TODAY).out
    (tmp / "export.csv").write_text(first, encoding="utf-8")
    b = make_clinic(tmp, "b")
    ok("-C", b, "import", tmp / "export.csv", today=TODAY)
    eq(ok("-C", b, "export", "--format", "csv", today=TODAY).out, first, "second CSV export")
    eq(ok("-C", b, "export", today=TODAY).out, ok("-C", a, "export", today=TODAY).out,
       "JSON export of both")
    eq(sorted(os.listdir(b / "patients")), sorted(os.listdir(a / "patients")), "patients")
    # and the import of its own export again changes nothing
    before = snapshot(b)
    ok("-C", b, "import", tmp / "export.csv", today=TODAY)
    assert_unchanged(before, snapshot(b), "after importing the export again")


@case
def commands_write_what_round_trips(tmp):
    """The same texts given as options (multi-line notes and reasons included)."""
    a = make_clinic(tmp, "a")
    for i, text in enumerate(HOSTILE):
        pid = f"P-{i + 1:04}"
        m = MULTI[i % len(MULTI)]
        # --opt=VALUE, and a positional after --: a value may begin with '-'
        ok("-C", a, "enroll", f"--name={text}", "--start", "2026-11-02", f"--clinician={text}",
           f"--diagnosis={m}", f"--insurance={text}", "--", pid, today=TODAY)
        ok("-C", a, "attend", "--kind", "individual", "--date", "2026-11-03", f"--note={m}",
           "--hours", "0.75", "--", pid, today=TODAY)
        ok("-C", a, "med", f"--dose={text}", "--date", "2026-11-04", "--", pid, "start", text,
           today=TODAY)
        ok("-C", a, "aftercare", f"--sponsor={text}", f"--group={text.strip()}", f"--note={m}",
           "--date", "2026-11-05", "--", pid, today=TODAY)
        ok("-C", a, "graduate", "--date", "2026-11-06", "--force", f"--reason={m}", "--", pid,
           today=TODAY)
    first = ok("-C", a, "export", "--format", "csv", today=TODAY).out
    (tmp / "export.csv").write_text(first, encoding="utf-8")
    b = make_clinic(tmp, "b")
    ok("-C", b, "import", tmp / "export.csv", today=TODAY)
    eq(ok("-C", b, "export", "--format", "csv", today=TODAY).out, first, "second CSV export")
    for p in sorted((a / "patients").iterdir()):
        eq((b / "patients" / p.name).read_bytes(), p.read_bytes(), f"{p.name} bytes")


if __name__ == "__main__":
    main()
