"""Full disk and failed writes: every command that writes runs under fiu-run
(Debian's fiu-utils), which makes one write(2), fsync(2) or rename(2) fail
with ENOSPC or EIO. iop must exit 4 naming the file, and leave every file
byte-identical (no half-written record, no temporary file left); run again
without the fault, the same command succeeds. Short writes (write(2) writing
less than asked) must not change what is written.

fiu's failure points are named after the call: posix/io/rw/write,
posix/io/sync/fsync, posix/io/dir/rename (`enable name=...,failinfo=ERRNO,
onetime`: the first such call fails with that errno). fiu does not wrap
syncfs(2), which iop uses to flush the files of a multi-file import: there
the first fsync is the directory's, after the renames (see the last case).

Where fiu-run is missing the test says it skipped, and passes."""

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (IOP, Failure, Result, assert_unchanged, case, check, contains, enroll,
                  env_for, eq, expect_error, load_toml, main, make_clinic, ok, record_path, run,
                  snapshot)

FIU_RUN = shutil.which("fiu-run")

FAULTS = [  # (failure point, errno)
    ("posix/io/rw/write", errno.ENOSPC),
    ("posix/io/rw/write", errno.EIO),
    ("posix/io/sync/fsync", errno.EIO),
    ("posix/io/sync/fsync", errno.ENOSPC),
    ("posix/io/dir/rename", errno.ENOSPC),
    ("posix/io/dir/rename", errno.EIO),
]


def under_fiu(point, err, *args, extra="onetime"):
    """Runs iop under fiu-run with the failure point enabled."""
    args = [str(a) for a in args]
    command = f"enable name={point},failinfo={err}" + (f",{extra}" if extra else "")
    # An AddressSanitizer build must not insist on coming first in the preload list.
    env = env_for({"ASAN_OPTIONS": "verify_asan_link_order=0:" +
                   os.environ.get("ASAN_OPTIONS", "")})
    p = subprocess.run([FIU_RUN, "-x", "-f", "", "-c", command, IOP, *args], env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    return Result(args, p.returncode, p.stdout.decode("utf-8", "replace"),
                  p.stderr.decode("utf-8", "replace"), 0, None)


def skip_without_fiu():
    if FIU_RUN is None:
        print("  SKIPPED: fiu-run not found (install the Debian package fiu-utils)")
        return True
    r = under_fiu("posix/io/rw/pread", errno.EIO, "--version", extra="")
    if r.code != 0:
        print(f"  SKIPPED: iop does not run under fiu-run here:\n{r!r}")
        return True
    return False


def clinic(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    enroll(d, "P-0002", "John Roe", "2026-11-02")
    ok("-C", d, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
       "2026-11-03")
    ok("-C", d, "med", "P-0002", "start", "naltrexone", "--dose", "50 mg", "--date",
       "2026-11-03")
    return d


def write_csv(tmp, name, text):
    p = tmp / name
    p.write_text(text)
    return p


def writers(tmp, d):
    """(args, file the error must name) of every kind of write."""
    one = write_csv(tmp, "one.csv", "id,date,kind,topic\nP-0001,2026-11-05,individual,\n")
    new = write_csv(tmp, "new.csv", "id,name,enrolled\nP-0009,Ann Poe,2026-11-04\n")
    return [
        (["enroll", "P-0003", "--name", "Ann Poe", "--start", "2026-11-02"],
         "patients/P-0003.toml"),
        (["attend", "P-0001", "--kind", "individual", "--date", "2026-11-04"],
         "patients/P-0001.toml"),
        (["attend", "P-0001", "--kind", "group", "--topic", "stress", "--absent"],
         "patients/P-0001.toml"),
        (["screen", "P-0001", "--result", "negative"], "patients/P-0001.toml"),
        (["med", "P-0002", "review", "naltrexone"], "patients/P-0002.toml"),
        (["plan", "P-0001", "--weeks", "10"], "patients/P-0001.toml"),
        (["plan", "P-0001", "--review"], "patients/P-0001.toml"),
        (["aftercare", "P-0001", "--sponsor", "Ray D."], "patients/P-0001.toml"),
        (["goal", "P-0001", "add", "--problem", "p", "--goal", "g"], "patients/P-0001.toml"),
        (["objective", "P-0001", "add", "G1", "--text", "t", "--target", "2026-12-01"],
         "patients/P-0001.toml"),
        (["asam", "P-0001", "--d1", "1", "--d2", "0", "--d3", "2", "--d4", "1", "--d5", "3",
          "--d6", "1", "--level", "2.1"], "patients/P-0001.toml"),
        (["certify", "P-0002", "--physician", "Dr. Osei"], "patients/P-0002.toml"),
        (["sign", "P-0001", "--role", "patient"], "patients/P-0001.toml"),
        (["auth", "P-0001", "add", "--payer", "Acme", "--number", "A-1", "--from", "2026-11-02",
          "--to", "2026-11-29", "--units", "12"], "patients/P-0001.toml"),
        (["import", one], "patients/P-0001.toml"),
        (["group", "--topic", "stress", "--date", "2026-11-05", "P-0001"],
         "patients/P-0001.toml"),
        (["import", new], "patients/P-0009.toml"),
        (["graduate", "P-0001", "--force", "--reason", "moved away"], "patients/P-0001.toml"),
        (["discharge", "P-0002", "--reason", "transfer"], "patients/P-0002.toml"),
    ]


@case
def every_writer_fails_cleanly_on_each_fault(tmp):
    if skip_without_fiu():
        return
    d = clinic(tmp)
    runs = 0
    for args, shown in writers(tmp, d):
        for point, err in FAULTS:
            before = snapshot(d)
            r = under_fiu(point, err, "-C", d, *args)
            what = f"{point} failing with {errno.errorcode[err]} in iop {' '.join(map(str, args))}"
            try:
                expect_error(r, 4, shown, os.strerror(err))
            except Failure as e:
                raise Failure(f"{what}: {e}")
            assert_unchanged(before, snapshot(d), f"after {what}")
            runs += 1
        # Without the fault the same command works: nothing was left half-done.
        before = snapshot(d)
        r = run("-C", d, *args)
        eq(r.code, 0, f"iop {' '.join(map(str, args))} without a fault\n{r!r}")
        check(snapshot(d) != before, f"iop {' '.join(map(str, args))} wrote something")
    print(f"  {runs} failed writes, each exit 4 with every file unchanged")
    r = ok("-C", d, "check", "--rule", "stale-temp", "--rule", "record-invalid")
    eq(r.out, "", "no temporary file left, every record valid")


@case
def init_fails_cleanly(tmp):
    if skip_without_fiu():
        return
    for point, err in FAULTS:
        d = tmp / f"clinic-{point.split('/')[-1]}-{err}"
        r = under_fiu(point, err, "init", d)
        expect_error(r, 4, "program.toml", os.strerror(err))
        check(not (d / "program.toml").exists(), f"{point}: no program.toml")
        eq(sorted(os.listdir(d)), ["patients"], f"{point}: no temporary file left")
        # the half-made directory is no obstacle: init works once the disk does
        ok("init", d)
        load_toml(d / "program.toml")


@case
def read_failures_name_the_file(tmp):
    if skip_without_fiu():
        return
    d = clinic(tmp)
    before = snapshot(d)
    for args in (["show", "P-0001"], ["attend", "P-0001", "--kind", "individual"], ["list"]):
        r = under_fiu("posix/io/rw/read", errno.EIO, "-C", d, *args)
        expect_error(r, 4, "program.toml", os.strerror(errno.EIO))
    assert_unchanged(before, snapshot(d), "after failed reads")


@case
def short_writes_still_write_everything(tmp):
    if skip_without_fiu():
        return
    d = clinic(tmp)
    twin = tmp / "twin"
    shutil.copytree(d, twin)
    args = ["attend", "P-0001", "--kind", "individual", "--date", "2026-11-04", "--note",
            "x" * 3000]
    # posix/io/rw/write/reduce: every write(2) writes a random part of its buffer
    r = under_fiu("posix/io/rw/write/reduce", 0, "-C", d, *args, extra="")
    eq(r.code, 0, f"under short writes\n{r!r}")
    ok("-C", twin, *args)
    eq(record_path(d).read_bytes(), record_path(twin).read_bytes(),
       "the record written with short writes")


def two_file_import(tmp):
    """The clinic and a CSV adding an entry to each of its two records."""
    d = clinic(tmp)
    text = ("id,date,kind,topic\nP-0001,2026-11-04,individual,\n"
            "P-0002,2026-11-04,individual,\n")
    return d, write_csv(tmp, "two.csv", text)


def applied_whole(d, before):
    """Each record is its old bytes (`before`) plus the imported block."""
    for pid in ("P-0001", "P-0002"):
        data = record_path(d, pid).read_bytes()
        check(data.startswith(before[pid]) and data != before[pid],
              f"{pid}: the import was applied whole")


@case
def multi_file_import(tmp):
    if skip_without_fiu():
        return
    d, csv = two_file_import(tmp)
    # Writes and renames fail before any file is replaced: nothing changes.
    for point, err in FAULTS:
        if point.endswith("fsync"):
            continue
        before = snapshot(d)
        r = under_fiu(point, err, "-C", d, "import", csv)
        expect_error(r, 4, "patients/P-0001.toml", os.strerror(err))
        assert_unchanged(before, snapshot(d), f"after {point} failed in a two-file import")
    # The files of a multi-file import are flushed with one syncfs(2), which
    # fiu cannot fail; the first fsync(2) is then the directory's, after the
    # renames: the import took effect but may not be durable, and iop says so.
    before = {p: record_path(d, p).read_bytes() for p in ("P-0001", "P-0002")}
    r = under_fiu("posix/io/sync/fsync", errno.EIO, "-C", d, "import", csv)
    expect_error(r, 4, "cannot sync directory", "patients/", os.strerror(errno.EIO))
    applied_whole(d, before)
    # Running it again changes nothing: every row is already there.
    r = ok("-C", d, "import", csv)
    contains(r.out, "skipped 2 duplicates")


@case
def a_group_of_two_fails_cleanly_up_to_the_renames(tmp):
    """iop group writes its records as a multi-file import does: a failed
    write or rename changes nothing; a failed fsync of the directory, after
    the renames, leaves the group recorded whole, and iop says so."""
    if skip_without_fiu():
        return
    d = clinic(tmp)
    args = ["-C", d, "group", "--topic", "stress", "--date", "2026-11-05", "P-0001",
            "--excused", "P-0002"]
    for point, err in FAULTS:
        if point.endswith("fsync"):
            continue
        before = snapshot(d)
        r = under_fiu(point, err, *args)
        expect_error(r, 4, "patients/P-0001.toml", os.strerror(err))
        assert_unchanged(before, snapshot(d), f"after {point} failed in a group of two")
    before = {p: record_path(d, p).read_bytes() for p in ("P-0001", "P-0002")}
    r = under_fiu("posix/io/sync/fsync", errno.EIO, *args)
    expect_error(r, 4, "cannot sync directory", "patients/", os.strerror(errno.EIO))
    applied_whole(d, before)
    # Recorded: the same group again is refused as a duplicate for both.
    expect_error(run(*args), 1, "P-0001: ", "P-0002: ", "already holds")


@case
def old_version_left_behind_is_reported_and_removable(tmp):
    """A multi-file import gives each record it replaces a second name and
    unlinks those after the renames (docs/records.md, "How iop writes"). An
    unlink that fails does not undo the import: the old version stays as a
    temporary file, which check reports and check --clean removes."""
    if skip_without_fiu():
        return
    d, csv = two_file_import(tmp)
    before = {p: record_path(d, p).read_bytes() for p in ("P-0001", "P-0002")}
    r = under_fiu("posix/io/dir/unlink", errno.EIO, "-C", d, "import", csv)
    eq(r.code, 0, f"import with a failing unlink\n{r!r}")
    applied_whole(d, before)
    left = sorted(p.name for p in (d / "patients").iterdir() if p.name.startswith("."))
    eq(len(left), 1, f"one old version left behind: {left}")
    old = (d / "patients" / left[0]).read_bytes()
    check(old in before.values(), "the leftover is an old version of a record")
    r = run("-C", d, "check", "--rule", "stale-temp")
    contains(r.out, "patients/" + left[0], "check names the leftover")
    ok("-C", d, "check", "--clean", "--rule", "stale-temp")
    eq(sorted(p.name for p in (d / "patients").iterdir()), ["P-0001.toml", "P-0002.toml"],
       "check --clean removed it")

if __name__ == "__main__":
    main()
