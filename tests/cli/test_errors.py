"""Bad input: a clear 'iop: error: ...', the SPEC's exit code, and every file
byte-identical afterwards. Invalid ids, unknown commands and options,
malformed or newer records, malformed or invalid programs."""

import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (case, check, contains, edit_program, enroll, eq, expect_error, fails_cleanly,
                  line_of, load_toml, main, make_clinic, ok, one_patient_clinic, record_path, run,
                  snapshot)


# ---------------------------------------------------------------- ids

BAD_IDS = ["../x", "../../x", "/etc/passwd", "", "a" * 65, "P-0001\nx", "P-0001\n", ".hidden",
           "_x", "-x", "P 1", "P/1", "P\\1", "P-0001.toml/..", "ü-1", "P\t1", "P:1"]


@case
def invalid_ids_are_refused_before_any_path(tmp):
    d = one_patient_clinic(tmp)
    absolute = str(tmp / "outside")  # an absolute id pointing into the watched tree
    for pid in BAD_IDS + [absolute, str(d / "patients" / "P-0002")]:
        # "--" ends the options, so an id starting with '-' reaches iop as an id
        for args in (["enroll", "--name", "X", "--", pid],
                     ["attend", "--kind", "individual", "--", pid],
                     ["attend", "--kind", "group", "--topic", "illness", "--", pid],
                     ["show", "--", pid]):
            fails_cleanly(tmp, ["-C", d, *args], 2, "invalid patient id")
    check(not Path("/etc/passwd.toml").exists(), "/etc/passwd.toml was created")
    check(not (tmp / "outside.toml").exists(), "an absolute id wrote outside patients/")
    eq(sorted(os.listdir(d / "patients")), ["P-0001.toml"], "patients/")


@case
def longest_valid_id(tmp):
    d = one_patient_clinic(tmp)
    pid = "A" + "b" * 62 + "9"
    eq(len(pid), 64, "id length")
    enroll(d, pid, "Long Id")
    ok("-C", d, "attend", pid, "--kind", "individual")
    eq(load_toml(record_path(d, pid))["id"], pid, "id")
    for pid in ["a", "1", "A.b_c-d", "0.0"]:
        enroll(d, pid, "Short")


@case
def invalid_ids_in_a_fresh_directory(tmp):
    d = make_clinic(tmp)
    for pid in ["../x", "/etc/passwd", "", "a" * 65, "P\nx"]:
        fails_cleanly(tmp, ["-C", d, "enroll", pid, "--name", "X"], 2, "invalid patient id")
    eq(os.listdir(d / "patients"), [], "patients/ stays empty")
    check(not (d / "x.toml").exists() and not (tmp / "x.toml").exists(), "nothing outside")
    # arguments are checked before the directory is locked: not even a lock file
    check(not (d / ".iop.lock").exists(), "a refused command created .iop.lock")


# ---------------------------------------------------------------- usage


@case
def unknown_commands(tmp):
    d = one_patient_clinic(tmp)
    for typo, right in [("atend", "attend"), ("enrol", "enroll"), ("lsit", "list"),
                        ("shwo", "show"), ("int", "init")]:
        r = fails_cleanly(tmp, ["-C", d, typo, "P-0001"], 2, f"did you mean '{right}'")
        contains(r.err, typo, "the message")
    r = fails_cleanly(tmp, ["-C", d, "frobnicate"], 2, "frobnicate")


@case
def no_command(tmp):
    d = one_patient_clinic(tmp)
    before = snapshot(tmp)
    r = run("-C", d)
    eq(r.code, 2, f"exit code without a command:\n{r!r}")
    check(r.err.startswith("iop: error: no command given"), f"stderr is the error:\n{r!r}")
    eq(len(r.err.splitlines()), 1, "one line on stderr")
    contains(r.err, "attend", "the message lists the commands")
    contains(r.err, "iop --help", "the message points to the help")
    eq(snapshot(tmp), before, "files after iop without a command")


@case
def unknown_options(tmp):
    d = one_patient_clinic(tmp)
    cases = [
        (["list", "--statsu", "all"], "--statsu", "--status"),
        (["attend", "P-0001", "--kind", "group", "--topic", "illness", "--tpoic", "x"],
         "--tpoic", "--topic"),
        (["attend", "P-0001", "--kind", "individual", "--hourz", "2"], "--hourz", "--hours"),
        (["enroll", "P-0009", "--name", "X", "--week", "4"], "--week", "--weeks"),
        (["show", "P-0001", "--fromat", "json"], "--fromat", "--format"),
        (["--verison"], "--verison", "--version"),
        (["--tody", "2026-11-10", "list"], "--tody", "--today"),
    ]
    for args, bad, right in cases:
        fails_cleanly(tmp, ["-C", d, *args], 2, bad, f"did you mean '{right}'")
    fails_cleanly(tmp, ["-C", d, "show", "P-0001", "extra"], 2, "extra")
    # a typo of a required option names the typo, not only the missing option
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--knd", "group"], 2,
                  "unknown option '--knd'", "did you mean '--kind'")


@case
def global_option_given_twice_last_wins(tmp):
    d = one_patient_clinic(tmp)
    r = ok("-C", d, "list", "--format", "json", "--format", "csv")
    check(r.out.startswith("id,"), f"the last --format wins:\n{r!r}")


@case
def bad_global_values(tmp):
    d = one_patient_clinic(tmp)
    fails_cleanly(tmp, ["-C", d, "list", "--today", "2026-02-29"], 2, "--today")
    fails_cleanly(tmp, ["-C", d, "list"], 2, "IOP_TODAY: ", today="11/10/2026")
    fails_cleanly(tmp, ["-C", d, "list", "--wait", "-1"], 2, "--wait")
    fails_cleanly(tmp, ["-C", d, "list", "--wait", "soon"], 2, "--wait")
    fails_cleanly(tmp, ["-C", d, "list", "--format", "yaml"], 2, "--format")
    fails_cleanly(tmp, ["-C", d, "list", "--color", "blue"], 2, "--color")
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--wait", "nan"],
                  2, "--wait")


@case
def missing_option_values(tmp):
    d = one_patient_clinic(tmp)
    for args in (["plan", "P-0001", "--weeks", ""], ["attend", "P-0001", "--kind", ""],
                 ["med", "P-0001", "start", "X", "--review-days", ""], ["list", "--today", ""]):
        fails_cleanly(tmp, ["-C", d, *args], 2, f"{args[-2]}: an empty value")
    fails_cleanly(tmp, ["-C", d, "list", "--format="], 2, "--format needs a value")
    fails_cleanly(tmp, ["-C", d, "plan", "P-0001", "--weeks", "ten"], 2,
                  "--weeks 'ten' is not a whole number")
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "group", "--kind", "family"], 2,
                  "--kind is given more than once")
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind"], 2, "--kind")
    fails_cleanly(tmp, ["-C", d, "enroll", "P-0002", "--name"], 2, "--name")
    fails_cleanly(tmp, ["-C"], 2)


@case
def what_a_command_declares_is_enforced(tmp):
    # Each kind of declaration a command makes through Args
    # (src/commands/args.hpp) reaches the parser: required, check (before
    # the check every option gets), transform, excludes.
    d = one_patient_clinic(tmp)
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001"], 2,
                  "iop: error: --kind is required; run 'iop attend --help' for usage")
    fails_cleanly(tmp, ["-C", d, "attend", "--kind", "individual"], 2,
                  "iop: error: id is required; run 'iop attend --help' for usage")
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--hours", ""], 2,
                  "iop: error: --hours: the value is empty; run 'iop attend --help' for usage")
    fails_cleanly(tmp, ["-C", d, "enroll", "P-0002", "--name", "X", "--weeks", ""], 2,
                  "iop: error: --weeks: the value is empty; run 'iop enroll --help' for usage")
    for pair in (["--absent", "--excused"], ["--excused", "--absent"]):
        fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", *pair], 2,
                      "iop: error: --absent excludes --excused")
    ok("-C", d, "med", "P-0001", "start", "X", "--review-days", "0030", "--date", "2026-11-05")
    eq(load_toml(record_path(d))["medication"][-1]["review_days"], 30, "--review-days 0030")


# ---------------------------------------------------------------- bad records


@case
def malformed_record(tmp):
    d = one_patient_clinic(tmp)
    path = record_path(d)
    with open(path, "a") as f:
        f.write("\n[[session]]\ndate = 2026-11-04\nkind = = \"group\"\n")
    n = line_of(path, 'kind = = "group"')
    loc = re.compile(rf"^iop: error: patients/P-0001\.toml:{n}:\d+: ")
    fails_cleanly(tmp, ["-C", d, "show", "P-0001"], 3, loc)
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual"], 3, loc)
    fails_cleanly(tmp, ["-C", d, "enroll", "P-0001", "--name", "X"], 1, "already")


@case
def invalid_values_in_a_record(tmp):
    d = one_patient_clinic(tmp)
    path = record_path(d)
    text = path.read_text()
    for old, new, needle in [('kind = "group"', 'kind = "groop"', "did you mean 'group'"),
                             ("hours = 3.0", "hours = 13.0", "hours"),
                             ("hours = 3.0", 'hours = "3"', "hours"),
                             ('status = "attended"', 'status = "here"', "status"),
                             ("weeks = 12", "weeks = 0", "weeks"),
                             ("date = 2026-11-03", "date = 2026-10-01", "enrollment"),
                             ('id = "P-0001"', 'id = "P-0002"', "P-0002")]:
        check(old in text, f"record has {old!r}")
        path.write_text(text.replace(old, new, 1))
        n = line_of(path, new)
        r = fails_cleanly(tmp, ["-C", d, "show", "P-0001"], 3, "patients/P-0001.toml:", needle)
        if old.startswith("date"):
            # a journal-level error points at its entry: the [[session]] line above the date
            contains(r.err, f"patients/P-0001.toml:{n - 1}:", f"the location of {new!r}")
        elif old != 'id = "P-0001"':
            contains(r.err, f"patients/P-0001.toml:{n}:", f"the location of {new!r}")
        fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual"], 3,
                      "patients/P-0001.toml")
    path.write_text(text)
    ok("-C", d, "show", "P-0001")


@case
def newer_schema_version(tmp):
    d = one_patient_clinic(tmp)
    path = record_path(d)
    path.write_text(path.read_text().replace("schema_version = 1", "schema_version = 2", 1))
    n = line_of(path, "schema_version = 2")
    for args in (["show", "P-0001"], ["attend", "P-0001", "--kind", "individual"]):
        r = fails_cleanly(tmp, ["-C", d, *args], 3,
                          re.compile(rf"^iop: error: patients/P-0001\.toml:{n}:\d+: "), "newer")
        contains(r.err, "2", "the message names the version")
    r = expect_error(run("-C", d, "list"), 3, "patients/P-0001.toml", "newer")


@case
def missing_schema_version(tmp):
    d = one_patient_clinic(tmp)
    path = record_path(d)
    path.write_text(path.read_text().replace("schema_version = 1\n", "", 1))
    fails_cleanly(tmp, ["-C", d, "show", "P-0001"], 3, "patients/P-0001.toml", "schema_version")


@case
def record_that_is_a_symlink_or_directory(tmp):
    d = one_patient_clinic(tmp)
    target = tmp / "elsewhere.toml"
    target.write_bytes(record_path(d).read_bytes().replace(b"P-0001", b"P-0002"))
    os.symlink(target, record_path(d, "P-0002"))
    r = run("-C", d, "attend", "P-0002", "--kind", "individual")
    check(r.code != 0, f"a symlinked record is not written through:\n{r!r}")
    eq(target.read_bytes().count(b"[[session]]"), 1, "the link's target is unchanged")
    # reported once, under its name, by every reader
    r = run("-C", d, "list")
    eq(r.code, 3, f"list exit code:\n{r!r}")
    contains(r.err, "patients/P-0002.toml: file is a symbolic link", "list")
    eq(r.err.count("P-0002.toml"), 1, f"the path is named once:\n{r!r}")
    r = run("-C", d, "check", "--rule", "record-invalid")
    contains(r.out, "patients/P-0002.toml: error: file is a symbolic link", "check")
    eq(r.out.count("P-0002.toml"), 1, f"the path is named once:\n{r!r}")


# ---------------------------------------------------------------- bad programs


@case
def malformed_program(tmp):
    d = one_patient_clinic(tmp)
    edit_program(d, "screens_per_week = 1", "screens_per_week = = 1")
    n = line_of(d / "program.toml", "screens_per_week = = 1")
    loc = re.compile(rf"^iop: error: program\.toml:{n}:\d+: ")
    for args in (["show", "P-0001"], ["list"], ["enroll", "P-0002", "--name", "X"],
                 ["attend", "P-0001", "--kind", "individual"]):
        fails_cleanly(tmp, ["-C", d, *args], 3, loc)


@case
def program_min_greater_than_max(tmp):
    d = one_patient_clinic(tmp)
    edit_program(d, "min = 3\nmax = 13", "min = 14\nmax = 13")
    n = line_of(d / "program.toml", "min = 14")
    for args in (["show", "P-0001"], ["attend", "P-0001", "--kind", "individual"]):
        fails_cleanly(tmp, ["-C", d, *args], 3,
                      re.compile(rf"^iop: error: program\.toml:{n}:\d+: .*min"))


@case
def program_duplicate_topic(tmp):
    d = one_patient_clinic(tmp)
    edit_program(d, 'id = "emotions"', 'id = "stress"')
    n = line_of(d / "program.toml", 'id = "stress"', occurrence=2)
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "group", "--topic", "stress"], 3,
                  re.compile(rf"^iop: error: program\.toml:{n}:\d+: .*stress"))


@case
def program_invalid_values(tmp):
    d = one_patient_clinic(tmp)
    p = d / "program.toml"
    original = p.read_text()
    for old, new in [("group_hours = 3.0", "group_hours = 0"),
                     ("group_hours = 3.0", "group_hours = 13.0"),
                     ("group_hours = 3.0", 'group_hours = "three"'),
                     ("min = 2\nmax = 5\ndefault = 3", "min = 2\nmax = 5\ndefault = 6"),
                     ("adult_min = 9", "adult_min = 20"),
                     ("min_attendance = 0.90", "min_attendance = 1.5"),
                     ("schema_version = 1", "schema_version = 2"),
                     ("lost_contact_days = 30", "lost_contact_dayz = 30"),
                     ('id = "illness"', 'id = "../illness"'),
                     ("sessions = 2", "sessions = 0")]:
        check(old in original, f"program.toml has {old!r}")
        p.write_text(original.replace(old, new, 1))
        first = new.splitlines()[-1] if old.startswith("min = 2") else new.splitlines()[0]
        n = line_of(p, first)
        fails_cleanly(tmp, ["-C", d, "show", "P-0001"], 3,
                      re.compile(rf"^iop: error: program\.toml:{n}:\d+: "))
    p.write_text(original)
    ok("-C", d, "show", "P-0001")


@case
def program_curriculum_replaced_or_empty(tmp):
    d = one_patient_clinic(tmp)
    p = d / "program.toml"
    text = p.read_text()
    head = text[: text.index("[[curriculum]]")]
    # no [[curriculum]] at all: the default curriculum applies (docs/records.md)
    p.write_text(head)
    ok("-C", d, "attend", "P-0001", "--kind", "group", "--topic", "stress", "--date",
       "2026-11-04")
    # an explicit empty curriculum is an error
    p.write_text(head + "curriculum = []\n")
    fails_cleanly(tmp, ["-C", d, "show", "P-0001"], 3, "program.toml", "curriculum")
    # any [[curriculum]] replaces the default entirely
    p.write_text(head + '[[curriculum]]\nid = "nutrition"\nsessions = 1\n')
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "group", "--topic", "illness"],
                  2, "unknown topic", "nutrition")
    # a topic without an id
    p.write_text(head + '[[curriculum]]\ntitle = "No id"\n')
    n = line_of(p, "[[curriculum]]")
    fails_cleanly(tmp, ["-C", d, "show", "P-0001"], 3, re.compile(rf"program\.toml:{n}:"), "id")


@case
def repeatable_options_before_the_id_take_one_value_each(tmp):
    # `--group AA P-0001` must not read the id as a second group
    d = one_patient_clinic(tmp)
    ok("-C", d, "aftercare", "--group", "AA", "--group", "NA", "P-0001", "--date", "2026-11-05")
    ok("-C", d, "screen", "--result", "positive", "--substance", "alcohol", "--substance",
       "cannabis", "P-0001", "--date", "2026-11-05")
    record = load_toml(record_path(d))
    eq(record["event"][-1]["groups"], ["AA", "NA"], "aftercare groups")
    eq(record["screen"][-1]["substances"], ["alcohol", "cannabis"], "screen substances")
    r = run("-C", d, "check", "--rule", "screen-frequency", "P-0001", "--format", "json")
    eq([p["id"] for p in json.loads(r.out)["patients"]], ["P-0001"], "ids")


if __name__ == "__main__":
    main()
