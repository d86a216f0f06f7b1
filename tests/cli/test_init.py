"""iop init: the records directory, its modes, the default program, refusal."""

import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (case, check, contains, eq, expect_error, fails_cleanly, load_toml, main,
                  make_clinic, mode_of, ok, parse_every_toml, run, snapshot)

# SPEC section 4: id, sessions, core.
DEFAULT_CURRICULUM = [
    ("illness", 2, True),
    ("early-recovery", 2, True),
    ("shame-guilt", 1, True),
    ("relationships", 2, True),
    ("stress", 2, True),
    ("relapse-prevention", 3, True),
    ("mutual-help", 1, True),
    ("family", 1, False),
    ("emotions", 1, False),
    ("medication", 1, False),
]


def init_with_umask(tmp, umask):
    d = tmp / f"clinic-{umask:03o}"
    r = ok("init", d, umask=umask)
    contains(r.out, str(d), "the confirmation")
    eq(mode_of(d), 0o700, f"mode of the records directory (umask {umask:03o})")
    eq(mode_of(d / "patients"), 0o700, f"mode of patients/ (umask {umask:03o})")
    eq(mode_of(d / "program.toml"), 0o600, f"mode of program.toml (umask {umask:03o})")
    eq(sorted(os.listdir(d)), ["patients", "program.toml"], "what init creates")
    eq(os.listdir(d / "patients"), [], "patients/ after init")


@case
def modes_with_umask_022(tmp):
    init_with_umask(tmp, 0o022)


@case
def modes_with_umask_077(tmp):
    init_with_umask(tmp, 0o077)


@case
def modes_with_umask_000(tmp):
    init_with_umask(tmp, 0o000)


@case
def program_holds_spec_defaults(tmp):
    d = make_clinic(tmp)
    p = load_toml(d / "program.toml")
    eq(p["schema_version"], 1, "schema_version")
    eq(p["weeks"], {"min": 3, "max": 13, "default": 12}, "[weeks]")
    eq(p["groups_per_week"], {"min": 2, "max": 5, "default": 3}, "[groups_per_week]")
    for key, value in [("group_hours", 3.0), ("individual_hours", 1.0), ("family_hours", 1.0)]:
        eq(p[key], value, key)
        check(isinstance(p[key], float), f"{key} should be a float, got {p[key]!r}")
    eq(p["hours_per_week"], {"adult_min": 9, "adolescent_min": 6, "max": 19}, "[hours_per_week]")
    for key, value in [("individual_per_week", 1), ("individual_max_gap_days", 30),
                       ("family_per_week", 1), ("contact_max_gap_days", 3),
                       ("screens_per_week", 1), ("screen_result_days", 7),
                       ("plan_review_days", 30),
                       ("medication_review_days", 30), ("lost_contact_days", 30)]:
        eq(p[key], value, key)
    # SPEC section 12: init writes the treatment plan's requirements on.
    eq(p["graduation"], {"min_attendance": 0.90, "negative_screens": 2,
                         "require_aftercare": True, "require_objectives": True,
                         "require_signed_plan": True}, "[graduation]")
    eq(p["plan"], {"goals_within_days": 7, "sign_within_days": 7,
                   "objective_unaddressed_days": 14}, "[plan]")
    # SPEC section 13: authorizations for insured patients, certification off.
    eq(p["asam"], {"review_days": 30}, "[asam]")
    eq(p["authorization"], {"required": "insured", "warn_days": 7}, "[authorization]")
    eq(p["certification"], {"required": False, "recert_days": 60}, "[certification]")
    got = [(t["id"], t["sessions"], t["core"]) for t in p["curriculum"]]
    eq(got, DEFAULT_CURRICULUM, "the default curriculum")
    for t in p["curriculum"]:
        check(isinstance(t.get("title"), str) and t["title"], f"topic {t['id']} has no title")
    eq(p["curriculum"][0]["title"], "Understanding addiction as an illness", "first title")


@case
def program_is_commented_with_sources(tmp):
    d = make_clinic(tmp)
    text = (d / "program.toml").read_text()
    comments = [l for l in text.splitlines() if l.lstrip().startswith("#")]
    check(len(comments) >= 15, f"expected a commented program, got {len(comments)} comment lines")
    for source in ["ASAM", "TIP 47", "Matrix Model", "state rule", "CARF", "ASAM Criteria",
                   "payer practice: no", "Medicare pays for IOP since 2024"]:
        contains(text, source, "program.toml comments")


@case
def refuses_existing_program(tmp):
    d = make_clinic(tmp)
    (d / "program.toml").write_text("# hand-edited\n" + (d / "program.toml").read_text())
    fails_cleanly(tmp, ["init", d], 1, "program.toml", "never overwrites")
    # also when the directory is given by --dir, $IOP_DIR or the current directory
    fails_cleanly(tmp, ["-C", d, "init"], 1, "program.toml")
    fails_cleanly(tmp, ["init"], 1, "program.toml", env={"IOP_DIR": str(d)})
    fails_cleanly(tmp, ["init"], 1, "program.toml", cwd=d)


@case
def refuses_even_an_invalid_program(tmp):
    d = tmp / "c"
    d.mkdir()
    (d / "program.toml").write_text("not toml at all = = =\n")
    fails_cleanly(tmp, ["init", d], 1, "program.toml")


@case
def init_into_existing_empty_directory(tmp):
    d = tmp / "existing"
    d.mkdir(mode=0o755)
    os.chmod(d, 0o755)
    ok("init", d)
    eq(mode_of(d), 0o700, "an existing directory made private")
    eq(mode_of(d / "patients"), 0o700, "patients/")
    load_toml(d / "program.toml")


@case
def init_creates_missing_parents(tmp):
    d = tmp / "a" / "b" / "clinic"
    ok("init", d, umask=0o022)
    eq(mode_of(d), 0o700, "the records directory")
    load_toml(d / "program.toml")


@case
def init_in_current_directory_and_from_env(tmp):
    here = tmp / "here"
    here.mkdir()
    ok("init", cwd=here)
    check((here / "program.toml").is_file(), "init with no DIR uses the current directory")
    there = tmp / "there"
    ok("init", env={"IOP_DIR": str(there)}, cwd=tmp)
    check((there / "program.toml").is_file(), "init with no DIR uses $IOP_DIR")
    opt = tmp / "opt"
    ok("--dir", opt, "init", cwd=tmp)
    check((opt / "program.toml").is_file(), "init with no DIR uses --dir")


@case
def init_then_usable_and_readable(tmp):
    d = make_clinic(tmp)
    r = ok("-C", d, "list")
    eq(r.out, "", "list of an empty directory")
    parse_every_toml(d)


@case
def init_on_a_file_fails(tmp):
    f = tmp / "file"
    f.write_text("x")
    r = fails_cleanly(tmp, ["init", f], 4)
    check(str(f) in r.err, f"message names the path: {r.err}")


@case
def quiet_init_prints_nothing(tmp):
    r = ok("-q", "init", tmp / "c")
    eq(r.out, "", "stdout with -q")
    r = ok("init", tmp / "d", "--quiet")
    eq(r.out, "", "stdout with --quiet after the command")
    check((tmp / "d" / "program.toml").is_file(), "quiet init still creates the program")


@case
def bad_global_value_creates_nothing(tmp):
    r = fails_cleanly(tmp, ["init", tmp / "c", "--today", "2026-13-01"], 2, "--today")
    check(not (tmp / "c").exists(), "nothing created")
    expect_error(r, 2)


if __name__ == "__main__":
    main()
