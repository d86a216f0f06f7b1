"""iop closure add|cancel|list and closures.toml (SPEC section 10): entries
appended (the old bytes an exact prefix), 0600, one git commit each;
refusals and usage errors leave every file byte-identical; list in text and
JSON; a broken closures.toml is exit 3 with FILE:LINE:COL for every command
that loads the program; a closure lowers what a week requires (check, show);
[calendar] in program.toml."""

import datetime as dt
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (case, check, contains, edit_program, enroll, eq, expect_error, fails_cleanly,
                  load_toml, main, make_clinic, matches, mode_of, not_contains, ok, run)

NOW = dt.datetime(2026, 11, 3, 17, 2, 11, tzinfo=dt.timezone.utc)


def closures(d):
    return load_toml(d / "closures.toml")


def closure(d, *args, **kw):
    return ok("-C", d, "closure", *args, **kw)


@case
def add_creates_the_file_and_appends(tmp):
    d = make_clinic(tmp)
    check(not (d / "closures.toml").exists(), "init writes no closures.toml")
    r = closure(d, "add", "2026-11-26", "--to", "2026-11-27", "--reason", "Thanksgiving",
                user="jrivera")
    eq(r.out, "closed 2026-11-26 to 2026-11-27: Thanksgiving\n", "confirmation")
    eq(mode_of(d / "closures.toml"), 0o600, "mode of closures.toml")
    eq(closures(d), {"schema_version": 1, "closure": [
        {"action": "add", "from": dt.date(2026, 11, 26), "to": dt.date(2026, 11, 27),
         "reason": "Thanksgiving", "recorded_by": "jrivera", "recorded_at": NOW}]}, "the file")
    before = (d / "closures.toml").read_bytes()
    r = closure(d, "cancel", "2026-11-27", "--reason", "open on Friday after all")
    eq(r.out, "reopened 2026-11-27: open on Friday after all\n", "confirmation")
    after = (d / "closures.toml").read_bytes()
    check(after.startswith(before), "the old bytes stay an exact prefix")
    eq([(c["action"], str(c["from"]), str(c["to"])) for c in closures(d)["closure"]],
       [("add", "2026-11-26", "2026-11-27"), ("cancel", "2026-11-27", "2026-11-27")], "entries")
    eq(mode_of(d / "closures.toml"), 0o600, "mode after an append")
    eq(sorted(p.name for p in d.iterdir() if ".tmp-" in p.name), [], "no temporary files")
    eq(closure(d, "list", "--all").out, "2026-11-26  Thanksgiving\n", "what is closed")


@case
def add_keeps_the_mode_whatever_the_umask(tmp):
    d = make_clinic(tmp)
    closure(d, "add", "2026-12-25", "--reason", "Christmas", umask=0)
    eq(mode_of(d / "closures.toml"), 0o600, "mode with umask 000")


@case
def refusals_and_usage_errors_leave_every_file_unchanged(tmp):
    d = make_clinic(tmp)
    closure(d, "add", "2026-12-24", "--to", "2026-12-27", "--reason", "winter break")
    fails_cleanly(tmp, ["-C", d, "closure", "add", "2026-12-25", "--to", "2026-12-26",
                        "--reason", "again"], 1,
                  "2026-12-25 to 2026-12-26 are all closed already; nothing was recorded")
    fails_cleanly(tmp, ["-C", d, "closure", "add", "2026-12-25", "--reason", "again"], 1,
                  "2026-12-25 is closed already")
    fails_cleanly(tmp, ["-C", d, "closure", "cancel", "2027-01-04", "--to", "2027-01-05",
                        "--reason", "x"], 1, "2027-01-04 to 2027-01-05 are not closed")
    fails_cleanly(tmp, ["-C", d, "closure", "add", "2027-01-05", "--to", "2027-01-04",
                        "--reason", "x"], 2, "--to 2027-01-04 is before FROM 2027-01-05")
    fails_cleanly(tmp, ["-C", d, "closure", "add", "2027-01-01", "--to", "2028-01-02",
                        "--reason", "x"], 2, "is 367 days; a closure covers at most 366 days")
    fails_cleanly(tmp, ["-C", d, "closure", "add", "2027-01-04"], 2, "needs --reason")
    fails_cleanly(tmp, ["-C", d, "closure", "add", "2027-01-04", "--reason", "a\x1b[31m"], 2,
                  "--reason")
    fails_cleanly(tmp, ["-C", d, "closure", "add", "--reason", "x"], 2, "needs FROM")
    fails_cleanly(tmp, ["-C", d, "closure", "add", "2027-02-30", "--reason", "x"], 2,
                  "FROM '2027-02-30' is not a valid date")
    fails_cleanly(tmp, ["-C", d, "closure", "close", "2027-01-04", "--reason", "x"], 2,
                  "valid values: add, cancel, list")
    fails_cleanly(tmp, ["-C", d, "closure", "list", "2027-01-04"], 2, "takes no FROM")
    fails_cleanly(tmp, ["-C", d, "closure", "add", "2027-01-04", "--reason", "x", "--all"], 2,
                  "takes no --all")
    fails_cleanly(tmp, ["-C", d, "--format", "json", "closure", "add", "2027-01-04",
                        "--reason", "x"], 2, "--format json is for 'iop closure list'")
    # the year boundary: 366 days is allowed
    closure(d, "add", "2028-01-01", "--to", "2028-12-31", "--reason", "a leap year closed")


@case
def list_from_today_on_all_and_json(tmp):
    d = make_clinic(tmp)
    eq(closure(d, "list").out, "", "nothing when there are none")
    eq(json.loads(closure(d, "--format", "json", "list").out), [], "JSON: an empty array")
    closure(d, "add", "2026-11-11", "--reason", "Veterans Day")
    closure(d, "add", "2026-11-26", "--to", "2026-11-27", "--reason", "Thanksgiving")
    closure(d, "add", "2027-01-18", "--reason", "Martin Luther King Jr. Day")
    closure(d, "add", "2026-12-24", "--to", "2026-12-27", "--reason", "winter break")
    closure(d, "cancel", "2026-12-27", "--reason", "open Sunday")
    eq(closure(d, "list", today="2026-11-20").out,
       "2026-11-26 to 2026-11-27  Thanksgiving\n"
       "2026-12-24 to 2026-12-26  winter break\n"
       "2027-01-18  Martin Luther King Jr. Day\n", "from today on, in date order")
    eq(closure(d, "list", today="2026-11-27").out.splitlines()[0], "2026-11-27  Thanksgiving",
       "a range under way is shown from today")
    eq(closure(d, "list", "--all", today="2026-11-20").out.splitlines()[0],
       "2026-11-11  Veterans Day", "--all: every one")
    eq(json.loads(closure(d, "--format", "json", "list", today="2026-12-01").out),
       [{"from": "2026-12-24", "to": "2026-12-26", "reason": "winter break"},
        {"from": "2027-01-18", "to": "2027-01-18", "reason": "Martin Luther King Jr. Day"}],
       "JSON")


@case
def list_takes_no_lock(tmp):
    d = make_clinic(tmp)
    closure(d, "add", "2026-12-25", "--reason", "Christmas")
    (d / ".iop.lock").unlink()
    eq(closure(d, "list", "--all").out, "2026-12-25  Christmas\n", "list")
    check(not (d / ".iop.lock").exists(), "list creates no lock file: it takes no lock")
    closure(d, "add", "2026-12-31", "--reason", "New Year's Eve")
    check((d / ".iop.lock").exists(), "add takes the lock")


@case
def add_waits_for_the_writers_lock_and_list_does_not(tmp):
    import fcntl
    d = make_clinic(tmp)
    closure(d, "add", "2026-12-25", "--reason", "Christmas")
    fd = os.open(d / ".iop.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fails_cleanly(tmp, ["-C", d, "--wait", "0", "closure", "add", "2026-12-31", "--reason",
                            "New Year's Eve"], 75, "is locked by another iop")
        eq(closure(d, "list", "--all", timeout=30).out, "2026-12-25  Christmas\n",
           "list while a writer holds the lock")
    finally:
        os.close(fd)
    closure(d, "add", "2026-12-31", "--reason", "New Year's Eve")

@case
def a_broken_closures_file_is_exit_3_for_every_command_that_loads_the_program(tmp):
    d = make_clinic(tmp)
    enroll(d)
    closure(d, "add", "2026-11-26", "--reason", "Thanksgiving")
    path = d / "closures.toml"
    path.write_text(path.read_text().replace('action = "add"', 'action = "shut"'))
    line = path.read_text().splitlines().index('action = "shut"') + 1
    for args in (["check"], ["show", "P-0001"], ["list"], ["closure", "list"],
                 ["attend", "P-0001", "--kind", "individual"],
                 ["closure", "add", "2026-12-25", "--reason", "Christmas"]):
        fails_cleanly(tmp, ["-C", d, *args], 3, f"closures.toml:{line}:10:",
                      "must be add or cancel")
    path.write_text(path.read_text().replace('action = "shut"', 'action = "add"\nnote = "x"'))
    fails_cleanly(tmp, ["-C", d, "check"], 3, f"closures.toml:{line + 1}:1:", "note")
    path.write_text(path.read_text().replace('note = "x"\n', '')
                    .replace("to = 2026-11-26", "to = 2026-11-25"))
    fails_cleanly(tmp, ["-C", d, "check"], 3, f"closures.toml:{line + 2}:", "before 'from'")


@case
def a_closure_lowers_the_week_in_check_and_show(tmp):
    d = make_clinic(tmp)
    edit_program(d, 'group_days = ["mon", "tue", "wed", "thu", "fri"]',
                 'group_days = ["mon", "wed", "fri"]')
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    # Week 2 (11-09 to 11-15): Monday 11-09 closed; one group on Wednesday.
    for day, kind in (("2026-11-03", "individual"), ("2026-11-02", "group"),
                      ("2026-11-04", "group"), ("2026-11-06", "group"),
                      ("2026-11-10", "individual"), ("2026-11-11", "group"),
                      ("2026-11-12", "family"), ("2026-11-05", "family")):
        args = ["--kind", kind, "--date", day] + (["--topic", "illness"] if kind == "group" else [])
        ok("-C", d, "attend", "P-0001", *args, today="2026-11-16")
    before = run("-C", d, "check", "--rule", "group-frequency", "--rule", "hours-per-week",
                 today="2026-11-16")
    contains(before.out, "week 2 had 1 group session, plan is 3")
    contains(before.out, "week 2 had 5 hours, adult minimum is 9")
    closure(d, "add", "2026-11-09", "--reason", "Veterans Day observed")
    r = run("-C", d, "check", "--rule", "group-frequency", "--rule", "hours-per-week",
            today="2026-11-16")
    eq(r.code, 1, f"errors remain\n{r!r}")
    contains(r.out, "week 2 had 1 group session, required is 2 with 1 of 3 group days closed "
                    "(plan is 3) [group-frequency]")
    contains(r.out, "week 2 had 5 hours, adult minimum is 6 with 1 of 3 group days closed "
                    "[hours-per-week]")
    show = ok("-C", d, "show", "P-0001", today="2026-11-16").out
    contains(show, "* = lowered by closures")
    matches(r"^ +2  11-09 ~ 11-15  1/2\* !  1/1     1/1     0/1 !   5\* !  closed 11-09$", show,
            "week 2's row")
    contains(show, "  * week 2: lowered by closures: 1 of 3 group days closed; requires 2 group "
                   "sessions and 6 hours\n")
    week1 = [l for l in show.splitlines() if l.lstrip().startswith("1  11-02")]
    eq(len(week1), 1, "week 1's row")
    not_contains(week1[0], "*", "week 1's row")
    data = json.loads(ok("-C", d, "--format", "json", "show", "P-0001", today="2026-11-16").out)
    weeks = data["patients"][0]["weeks"]
    eq(weeks[1]["required"]["groups"], 2, "JSON: week 2 requires 2 groups")
    eq(weeks[1]["required"]["hours_min"], 6, "JSON: and 6 hours")
    eq(weeks[1]["required"]["lowered"], True, "JSON: lowered")
    eq(weeks[0]["required"]["lowered"], False, "JSON: week 1 as planned")


@case
def without_closures_show_is_as_before(tmp):
    d = make_clinic(tmp)
    enroll(d)
    show = ok("-C", d, "show", "P-0001", today="2026-11-16").out
    not_contains(show, "*", "show without closures")
    not_contains(show, "closed", "show without closures")


@case
def calendar_in_program_toml(tmp):
    d = make_clinic(tmp)
    text = (d / "program.toml").read_text()
    contains(text, '[calendar]\nprogram_days = ["mon", "tue", "wed", "thu", "fri"]\n'
                   'group_days = ["mon", "tue", "wed", "thu", "fri"]\n', "init writes [calendar]")
    contains(text, "[remind]\nlead_days = 2\n", "init writes [remind]")
    p = load_toml(d / "program.toml")
    eq(p["calendar"], {"program_days": ["mon", "tue", "wed", "thu", "fri"],
                       "group_days": ["mon", "tue", "wed", "thu", "fri"]}, "[calendar]")
    edit_program(d, 'group_days = ["mon", "tue", "wed", "thu", "fri"]',
                 'group_days = ["mon", "sat"]')
    line = (d / "program.toml").read_text().splitlines().index('group_days = ["mon", "sat"]') + 1
    fails_cleanly(tmp, ["-C", d, "check"], 3, f"program.toml:{line}:",
                  "group_days sat is not a program day")
    edit_program(d, 'group_days = ["mon", "sat"]', 'group_days = ["mon"]')
    edit_program(d, 'program_days = ["mon", "tue", "wed", "thu", "fri"]',
                 'program_days = ["mon", "tue"]')
    line = (d / "program.toml").read_text().splitlines().index('program_days = ["mon", "tue"]') + 1
    fails_cleanly(tmp, ["-C", d, "check"], 3, f"program.toml:{line}:",
                  "contact_max_gap_days 3 is shorter than the 5 days in a row that are not "
                  "program days")
    edit_program(d, "contact_max_gap_days = 3", "contact_max_gap_days = 5")
    ok("-C", d, "check")


@case
def one_git_commit_a_closure_and_no_patient_text(tmp):
    import shutil
    import subprocess
    if not shutil.which("git"):
        return
    home = tmp / "home"
    home.mkdir()
    (home / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n[user]\n\tname = T\n"
                                    "\temail = t@example.org\n")
    env = {"HOME": str(home), "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
           "GIT_CONFIG_NOSYSTEM": "1"}
    d = tmp / "clinic"
    ok("init", "--git", d, env=env)
    contains((d / ".gitattributes").read_text(), "/closures.toml merge=iop-journal\n")
    ok("-C", d, "closure", "add", "2026-12-24", "--to", "2026-12-26", "--reason",
       "winter break", env=env)

    def git(*args):
        e = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        e.update(env)
        return subprocess.run(["git", *args], cwd=d, env=e, capture_output=True, text=True,
                              check=True).stdout

    eq(git("log", "-1", "--format=%s"), "closure add: 2026-12-24 to 2026-12-26\n", "subject")
    eq(git("show", "--name-only", "--format=", "HEAD").split(), ["closures.toml"], "files")
    eq(git("status", "--porcelain"), "", "nothing left uncommitted")
    n = git("rev-list", "--count", "HEAD")
    fails_cleanly(tmp, ["-C", d, "closure", "add", "2026-12-25", "--reason", "x"], 1,
                  "closed already", env=env)
    ok("-C", d, "closure", "list", env=env)
    eq(git("rev-list", "--count", "HEAD"), n, "no commit for a refusal or a list")
    ok("-C", d, "closure", "cancel", "2026-12-26", "--reason", "open", env=env)
    eq(git("log", "-1", "--format=%s"), "closure cancel: 2026-12-26\n", "subject of a cancel")


@case
def the_merge_driver_merges_closures_toml_as_closures(tmp):
    d = make_clinic(tmp)
    closure(d, "add", "2026-11-26", "--reason", "Thanksgiving")
    base = (d / "closures.toml").read_text()
    closure(d, "add", "2026-12-25", "--reason", "Christmas", now="2026-11-20T10:05:00Z")
    ours = (d / "closures.toml").read_text()
    (d / "closures.toml").write_text(base)
    closure(d, "add", "2027-01-01", "--reason", "New Year", now="2026-11-20T10:01:00Z")
    theirs = (d / "closures.toml").read_text()
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        (tmp / name).write_text(text)
    # git names the file by its path in the work tree: closures.toml is merged
    # and checked as closures, entry by entry, by recorded_at.
    r = run("__merge-journal", tmp / "base", tmp / "ours", tmp / "theirs", "closures.toml")
    eq((r.code, r.err), (0, ""), f"a clean merge\n{r!r}")
    merged = (tmp / "ours").read_text()
    check(merged.startswith(base.rstrip("\n")), "base's entries first")
    (d / "closures.toml").write_text(merged)
    eq(closure(d, "list", "--all").out,
       "2026-11-26  Thanksgiving\n2026-12-25  Christmas\n2027-01-01  New Year\n", "merged")
    eq([str(c["from"]) for c in closures(d)["closure"]],
       ["2026-11-26", "2027-01-01", "2026-12-25"], "new entries by recorded_at")
    # The same texts under a patient file's name would not load as a record.
    (tmp / "ours").write_text(ours)
    r = run("__merge-journal", tmp / "base", tmp / "ours", tmp / "theirs", "patients/P-0001.toml")
    eq(r.code, 1, f"a conflict for a patient file\n{r!r}")
    contains(r.err, "the merged record would not load")
@case
def completion_offers_the_actions_and_options(tmp):
    d = make_clinic(tmp)
    words = lambda *w: [l.split("\t")[0] for l in ok("-C", d, "__complete", "--", *w).out.splitlines()]
    check("closure" in words(""), "closure among the commands")
    eq(words("closure", ""), ["add", "cancel", "list"], "the actions of closure")
    eq(words("med", "P-0001", ""), ["start", "review", "stop"], "med keeps its own actions")
    for option in ("--to", "--reason", "--all"):
        check(option in words("closure", "add", "-"), f"{option} completed")


if __name__ == "__main__":
    main()
