"""Finding the records directory: -C/--dir, $IOP_DIR, the nearest parent
holding program.toml, and a clear exit 2 when there is none."""

import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (case, check, contains, enroll, eq, expect_error, fails_cleanly, main,
                  make_clinic, matches, ok, record_path, run)


def ids_listed(r):
    return [line.split()[0] for line in r.out.splitlines() if line.strip()]


@case
def short_and_long_dir_options(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001")
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    for args in (["-C", d], ["--dir", d], [f"--dir={d}"]):
        r = ok(*args, "list", cwd=elsewhere)
        eq(ids_listed(r), ["P-0001"], f"list with {args}")


@case
def relative_dir_option(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001")
    r = ok("-C", "clinic", "list", cwd=tmp)
    eq(ids_listed(r), ["P-0001"], "list with a relative -C")


@case
def env_dir(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0002")
    r = ok("list", env={"IOP_DIR": str(d)}, cwd=tmp)
    eq(ids_listed(r), ["P-0002"], "list with $IOP_DIR")
    ok("enroll", "P-0003", "--name", "Env", env={"IOP_DIR": str(d)}, cwd=tmp)
    check(record_path(d, "P-0003").is_file(), "enroll with $IOP_DIR writes there")


@case
def dir_option_beats_env_and_cwd(tmp):
    a = make_clinic(tmp, "a")
    b = make_clinic(tmp, "b")
    enroll(a, "P-A")
    enroll(b, "P-B")
    r = ok("-C", a, "list", env={"IOP_DIR": str(b)}, cwd=b)
    eq(ids_listed(r), ["P-A"], "--dir wins over $IOP_DIR and the current directory")
    r = ok("list", env={"IOP_DIR": str(b)}, cwd=a)
    eq(ids_listed(r), ["P-B"], "$IOP_DIR wins over the current directory")


@case
def nearest_parent_with_program(tmp):
    outer = make_clinic(tmp, "outer")
    enroll(outer, "P-OUT")
    deep = outer / "notes" / "2026" / "nov"
    deep.mkdir(parents=True)
    r = ok("list", cwd=deep)
    eq(ids_listed(r), ["P-OUT"], "list from a subdirectory")
    r = ok("list", cwd=outer / "patients")
    eq(ids_listed(r), ["P-OUT"], "list from patients/")
    # a nested records directory is nearer than the outer one
    inner = make_clinic(outer / "notes", "inner")
    enroll(inner, "P-IN")
    sub = inner / "sub"
    sub.mkdir()
    r = ok("list", cwd=sub)
    eq(ids_listed(r), ["P-IN"], "the nearest parent wins")
    # a writer from a subdirectory writes into the discovered directory
    ok("enroll", "P-SUB", "--name", "Sub", cwd=sub)
    check(record_path(inner, "P-SUB").is_file(), "enroll from a subdirectory")
    check(not (sub / "patients").exists(), "nothing created in the current directory")


@case
def a_directory_named_program_toml_is_not_a_program(tmp):
    outer = make_clinic(tmp, "outer")
    enroll(outer, "P-OUT")
    fake = outer / "fake"
    (fake / "program.toml").mkdir(parents=True)
    r = ok("list", cwd=fake)
    eq(ids_listed(r), ["P-OUT"], "a program.toml directory is skipped")
    # with no records directory above it, the error names it
    alone = tmp / "alone"
    (alone / "program.toml").mkdir(parents=True)
    r = run("list", cwd=alone)
    expect_error(r, 2, "no records directory",
                 f"({alone}/program.toml is a directory, not a program file)")


@case
def none_found(tmp):
    # Skip if some ancestor of the temp dir happens to hold a program.toml.
    for p in [tmp, *tmp.parents]:
        if (p / "program.toml").exists():
            print(f"  (skipped: {p}/program.toml exists)")
            return
    cwd = tmp / "a" / "b"
    cwd.mkdir(parents=True)
    r = fails_cleanly(tmp, ["list"], 2, "program.toml", str(cwd), cwd=cwd)
    contains(r.err, "iop init", "the hint")
    fails_cleanly(tmp, ["show", "P-0001"], 2, str(cwd), cwd=cwd)
    fails_cleanly(tmp, ["enroll", "P-0001", "--name", "X"], 2, str(cwd), cwd=cwd)
    fails_cleanly(tmp, ["attend", "P-0001", "--kind", "individual"], 2, str(cwd), cwd=cwd)
    eq(sorted(os.listdir(cwd)), [], "nothing created in the current directory")


@case
def dir_option_without_program(tmp):
    empty = tmp / "empty"
    empty.mkdir()
    r = fails_cleanly(tmp, ["-C", empty, "list"], 2, str(empty), "program.toml", "--dir")
    fails_cleanly(tmp, ["-C", tmp / "missing", "list"], 2, str(tmp / "missing"), "--dir")
    fails_cleanly(tmp, ["-C", empty, "enroll", "P-1", "--name", "X"], 2, str(empty))
    check(not (tmp / "missing").exists(), "a missing --dir is not created")
    eq(os.listdir(empty), [], "nothing created in a directory without program.toml")
    contains(r.err, "iop init", "the hint")


@case
def env_dir_without_program(tmp):
    empty = tmp / "empty"
    empty.mkdir()
    d = make_clinic(tmp)
    # $IOP_DIR is used as given: a program.toml in the current directory is not a fallback
    fails_cleanly(tmp, ["list"], 2, str(empty), "$IOP_DIR", env={"IOP_DIR": str(empty)},
                  cwd=d)


@case
def global_options_after_the_command(tmp):
    d = make_clinic(tmp)
    ok("enroll", "P-0001", "--name", "Jane", "--start", "2026-11-02", "-C", d, cwd=tmp)
    ok("attend", "P-0001", "--kind", "individual", "--today", "2026-11-04", "--dir", d,
       today=None, cwd=tmp)
    r = ok("show", "P-0001", "-C", d, "--today", "2026-11-04", today=None, cwd=tmp)
    matches(r"\bweek\s+1 of 12\b", r.out, "show with options after the command")
    r = ok("list", "--dir", str(d), "--format", "csv", cwd=tmp)
    contains(r.out.splitlines()[0], "id,name", "csv header")


if __name__ == "__main__":
    main()
