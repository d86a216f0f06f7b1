"""iop enroll: the header it writes (read back with tomllib), defaults from the
program, bounds, refusal of an existing id, file modes."""

import datetime as dt
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (NOW, USER, case, check, contains, enroll, eq, fails_cleanly, load_toml, main,
                  make_clinic, mode_of, ok, record_path, run, snapshot)

UTC_NOW = dt.datetime(2026, 11, 3, 17, 2, 11, tzinfo=dt.timezone.utc)


def set_program(clinic, old, new):
    p = clinic / "program.toml"
    text = p.read_text()
    check(old in text, f"program.toml has no {old!r}")
    p.write_text(text.replace(old, new, 1))


@case
def header_parses_to_given_values(tmp):
    d = make_clinic(tmp)
    r = ok("-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02",
           "--born", "1985-04-12", "--weeks", "10", "--groups-per-week", "4",
           "--individual-per-week", "2", "--family-per-week", "0",
           "--clinician", "Dr. Rivera", "--diagnosis", "Alcohol use disorder, moderate",
           "--insurance", "Acme Health", user="jrivera")
    contains(r.out, "P-0001", "the confirmation")
    rec = load_toml(record_path(d))
    eq(rec["schema_version"], 1, "schema_version")
    eq(rec["id"], "P-0001", "id")
    eq(rec["name"], "Jane Doe", "name")
    eq(rec["born"], dt.date(1985, 4, 12), "born (a TOML date)")
    eq(rec["enrolled"], dt.date(2026, 11, 2), "enrolled (a TOML date)")
    eq(rec["clinician"], "Dr. Rivera", "clinician")
    eq(rec["diagnosis"], "Alcohol use disorder, moderate", "diagnosis")
    eq(rec["insurance"], "Acme Health", "insurance")
    eq(rec["plan"], {"weeks": 10, "groups_per_week": 4, "individual_per_week": 2,
                     "family_per_week": 0}, "[plan]")
    for key in ("session", "screen", "medication", "event"):
        check(key not in rec, f"a new record has no {key} entries")
    if "recorded_by" in rec:
        eq(rec["recorded_by"], "jrivera", "recorded_by")
    if "recorded_at" in rec:
        eq(rec["recorded_at"], UTC_NOW, "recorded_at")


@case
def optional_fields_are_omitted(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jo")
    rec = load_toml(record_path(d))
    for key in ("born", "clinician", "diagnosis", "insurance"):
        check(key not in rec, f"{key} written although not given: {rec}")


@case
def defaults_from_the_default_program(tmp):
    d = make_clinic(tmp)
    ok("-C", d, "enroll", "P-0001", "--name", "Jo", today="2026-12-01")
    rec = load_toml(record_path(d))
    eq(rec["enrolled"], dt.date(2026, 12, 1), "--start defaults to today")
    eq(rec["plan"], {"weeks": 12, "groups_per_week": 3, "individual_per_week": 1,
                     "family_per_week": 1}, "plan defaults")


@case
def defaults_from_an_edited_program(tmp):
    d = make_clinic(tmp)
    set_program(d, "min = 3\nmax = 13\ndefault = 12", "min = 4\nmax = 8\ndefault = 6")
    set_program(d, "min = 2\nmax = 5\ndefault = 3", "min = 2\nmax = 4\ndefault = 4")
    set_program(d, "individual_per_week = 1", "individual_per_week = 2")
    set_program(d, "family_per_week = 1", "family_per_week = 0")
    enroll(d, "P-0001", "Jo")
    eq(load_toml(record_path(d))["plan"], {"weeks": 6, "groups_per_week": 4,
                                           "individual_per_week": 2, "family_per_week": 0},
       "plan defaults from program.toml")
    # and the edited bounds apply
    fails_cleanly(tmp, ["-C", d, "enroll", "P-0002", "--name", "X", "--weeks", "9"], 2,
                  "--weeks", "4..8")
    fails_cleanly(tmp, ["-C", d, "enroll", "P-0002", "--name", "X", "--weeks", "3"], 2,
                  "--weeks")
    fails_cleanly(tmp, ["-C", d, "enroll", "P-0002", "--name", "X", "--groups-per-week", "5"],
                  2, "--groups-per-week")
    enroll(d, "P-0003", "Edge", "2026-11-02", "--weeks", "8", "--groups-per-week", "2")


@case
def bounds_violations(tmp):
    d = make_clinic(tmp)
    base = ["-C", d, "enroll", "P-0001", "--name", "X", "--start", "2026-11-02"]
    for opt, value in [("--weeks", "2"), ("--weeks", "14"), ("--weeks", "0"), ("--weeks", "-1"),
                       ("--groups-per-week", "1"), ("--groups-per-week", "6"),
                       ("--individual-per-week", "-1"), ("--individual-per-week", "8"),
                       ("--family-per-week", "-1"), ("--family-per-week", "8")]:
        fails_cleanly(tmp, base + [opt, value], 2, opt)
    for opt, value in [("--weeks", "abc"), ("--weeks", "3.5"), ("--groups-per-week", ""),
                       ("--start", "2026-02-30"), ("--start", "02/11/2026"),
                       ("--born", "yesterday")]:
        fails_cleanly(tmp, base + [opt, value], 2, opt)
    check(not record_path(d).exists(), "no record after refused enrollments")
    # the bounds themselves are accepted
    enroll(d, "P-0002", "Lo", "2026-11-02", "--weeks", "3", "--groups-per-week", "2",
           "--individual-per-week", "0", "--family-per-week", "0")
    enroll(d, "P-0003", "Hi", "2026-11-02", "--weeks", "13", "--groups-per-week", "5")
    eq(load_toml(record_path(d, "P-0003"))["plan"]["weeks"], 13, "weeks at the maximum")


@case
def bad_values(tmp):
    d = make_clinic(tmp)
    base = ["-C", d, "enroll", "P-0001", "--start", "2026-11-02"]
    fails_cleanly(tmp, base, 2, "--name")
    fails_cleanly(tmp, base + ["--name", ""], 2, "--name")
    fails_cleanly(tmp, base + ["--name", "Jane\nDoe"], 2, "--name")
    fails_cleanly(tmp, base + ["--name", "X", "--clinician", "a\x1bb"], 2, "--clinician")
    fails_cleanly(tmp, base + ["--name", "X", "--born", "2026-11-03"], 2, "--born")
    fails_cleanly(tmp, ["-C", d, "enroll", "--name", "X"], 2)


@case
def awkward_text_round_trips(tmp):
    d = make_clinic(tmp)
    name = 'Zoë "Jo" O\'Brien \\ #1, née Ågren\ttab'
    enroll(d, "P-0001", name, "2026-11-02", "--diagnosis", "Opioid use disorder = severe # x")
    rec = load_toml(record_path(d))
    eq(rec["name"], name, "name with quotes, backslash, # and non-ASCII")
    eq(rec["diagnosis"], "Opioid use disorder = severe # x", "diagnosis")
    r = ok("-C", d, "list", "--format", "json")
    contains(r.out, "Zo\u00eb", "json list")


@case
def existing_id_refused(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe")
    with open(record_path(d), "a") as f:
        f.write("# hand edit\n")
    fails_cleanly(tmp, ["-C", d, "enroll", "P-0001", "--name", "Someone Else"], 1, "P-0001",
                  "already exists")
    eq(load_toml(record_path(d))["name"], "Jane Doe", "the old record is kept")


@case
def file_mode_0600(tmp):
    d = make_clinic(tmp)
    for i, umask in enumerate((0o022, 0o000, 0o077)):
        pid = f"P-{i}"
        ok("-C", d, "enroll", pid, "--name", "X", umask=umask)
        eq(mode_of(record_path(d, pid)), 0o600, f"record mode with umask {umask:03o}")
    eq(mode_of(d / "patients"), 0o700, "patients/ stays 0700")
    leftovers = [n for n in os.listdir(d / "patients") if not n.endswith(".toml")]
    eq(leftovers, [], "no temporary files left behind")


@case
def bytes_are_deterministic(tmp):
    a = make_clinic(tmp, "a")
    b = make_clinic(tmp, "b")
    args = ("P-0001", "Jane", "2026-11-02", "--born", "1990-01-01", "--clinician", "Dr. R")
    enroll(a, *args)
    import time
    time.sleep(1.1)  # a record stamped with the clock instead of $IOP_NOW would differ
    enroll(b, *args)
    eq(record_path(b).read_bytes(), record_path(a).read_bytes(), "same enrollment, same bytes")
    contains(record_path(a).read_text(), NOW, "the record")
    contains(record_path(a).read_text(), f'"{USER}"', "the record")


@case
def quiet(tmp):
    d = make_clinic(tmp)
    r = ok("-C", d, "-q", "enroll", "P-0001", "--name", "Jo")
    eq(r.out, "", "stdout with -q")
    r = ok("-C", d, "enroll", "P-0002", "--name", "Jo", "--quiet")
    eq(r.out, "", "stdout with --quiet after the command")
    check(record_path(d, "P-0002").is_file(), "quiet enroll writes")


@case
def bad_program_refuses_enrollment(tmp):
    d = make_clinic(tmp)
    set_program(d, "min = 3\nmax = 13", "min = 14\nmax = 13")
    fails_cleanly(tmp, ["-C", d, "enroll", "P-0001", "--name", "X"], 3, "program.toml:")


if __name__ == "__main__":
    main()
