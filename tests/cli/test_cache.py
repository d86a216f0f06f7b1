"""The record cache (.iop.cache) is never stale. On a small clinic (the six
patients of examples/clinic, two more enrolled by iop, a closure), with the
cache warm, every way a user or a tool can change a patient file (iop's own
writes, an editor's save in place or by rename, cp -p, tar x and git
checkout restoring an older file, touch -d and os.utime back to the cached
modification time after a same-size change, a file replaced by another
patient's or by a copy of itself, removed, added), program.toml and
closures.toml changed, and the cache file itself damaged in every way, is
followed by `check`, `remind --all`, `list --status all` and `export` in
JSON, with the cache and with IOP_NO_CACHE=1: the same stdout byte for byte,
the same exit status and the same messages. `--verbose` proves that the
changed file was parsed and every other record came from the cache. Also: a
file modified in the future is never cached, and a cache written in one
time zone gives the same results in another.

A seeded property test draws 40 such edits at random, 15 under the
sanitizers (IOP_CACHE_SEED=N replays a run, IOP_CACHE_STEPS=N changes its
length). Then the rest of the
interface: IOP_NO_CACHE, the cache's mode, check --clean, init --git's
.gitignore, the permissions rule, and readers running while a writer
writes."""

import difflib
import errno
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (IOP, SOURCE_DIR, Failure, Result, case, check, contains, copy_record, enroll,
                  env_for, eq, main, mode_of, ok, record_path, run, snapshot)

# examples/clinic is meant to be read on this day.
TODAY = "2026-11-26"
CACHE = ".iop.cache"


def settle_time():
    """How long after a change a file is cacheable: 0.1 s where the file
    system keeps nanoseconds, 2 s where change times are whole seconds."""
    with tempfile.TemporaryDirectory(prefix="iop-test-") as d:
        for i in range(3):
            p = Path(d) / f"probe{i}"
            p.write_bytes(b"x")
            if os.stat(p).st_ctime_ns % 10**9:
                return 0.15
            time.sleep(0.01)
    return 2.1


# Long enough after a change for the file to be cacheable.
SETTLE = settle_time()
NO_CACHE = {"IOP_NO_CACHE": "1"}
COMMANDS = [("check", "--format", "json"), ("remind", "--all", "--format", "json"),
            ("list", "--status", "all", "--format", "json"), ("export", "--format", "json")]
COUNTS = re.compile(r"^iop: note: (\d+) records from the record cache, (\d+) parsed$", re.M)
IGNORED = "iop: note: ignoring the record cache .iop.cache: "
NOT_WRITTEN = "iop: note: the record cache .iop.cache was not written: "
WRITTEN = "iop: note: the record cache .iop.cache was written: "


def iop(d, *args, env=None, verbose=False, today=TODAY, **kw):
    return run(*(["-v"] if verbose else []), "-C", d, *args, today=today, env=env, **kw)


def iop_ok(d, *args, **kw):
    r = iop(d, *args, **kw)
    if r.code != 0 or r.err:
        raise Failure(f"expected success with an empty stderr:\n{r!r}")
    return r


def brief(r):
    """A run for a failure message, its stdout cut short."""
    out = r.out if len(r.out) < 300 else r.out[:300] + f"... ({len(r.out)} characters)"
    return (f"iop {' '.join(map(repr, r.args))}\n  exit {r.code}\n  stdout: {out!r}\n"
            f"  stderr: {r.err!r}")


def counts(r):
    """(records from the cache, records parsed) of a --verbose run."""
    found = COUNTS.findall(r.err)
    check(len(found) == 1, f"one count note expected:\n{brief(r)}")
    return int(found[0][0]), int(found[0][1])


def without_notes(err):
    return "".join(line for line in err.splitlines(True) if not line.startswith("iop: note: "))


def differ(what, a, b):
    try:  # JSON one value a line, so that the diff shows what differs
        a, b = (json.dumps(json.loads(x), indent=1) + "\n" for x in (a, b))
    except ValueError:
        pass
    diff = "".join(list(difflib.unified_diff(a.splitlines(True), b.splitlines(True), "cache",
                                             "no cache", n=1))[:40])
    raise Failure(f"{what}: the output with the cache differs from IOP_NO_CACHE=1:\n{diff}")


def same_as_no_cache(d, args, what, verbose=True, env=None, **kw):
    """Runs iop ARGS with the cache, then with IOP_NO_CACHE=1: same stdout,
    exit status and stderr (apart from the --verbose notes). Returns the run
    with the cache."""
    c = iop(d, *args, verbose=verbose, env=env, **kw)
    n = iop(d, *args, env={**(env or {}), **NO_CACHE}, **kw)
    label = f"{what}: iop {' '.join(args)}"
    eq(c.code, n.code, f"{label}: exit status\n{brief(c)}\n{brief(n)}")
    if c.out != n.out:
        differ(label, c.out, n.out)
    eq(without_notes(c.err), n.err, f"{label}: stderr")
    if not verbose:
        eq(c.err, n.err, f"{label}: stderr without --verbose")
    return c


def compare(d, what, parsed=None, total=None, env=None):
    """Every command of COMMANDS with and without the cache (same_as_no_cache).
    With `parsed`: the first run took total - parsed records from the cache
    and parsed `parsed` (the changed files); later runs parsed no more
    (a changed file may have become cacheable since). Returns the runs."""
    runs = [same_as_no_cache(d, args, what, env=env) for args in COMMANDS]
    if parsed is not None:
        eq(counts(runs[0]), (total - parsed, parsed),
           f"{what}: (from the cache, parsed) of the first run after the change\n{brief(runs[0])}")
        for r in runs[1:]:
            hits, p = counts(r)
            check(hits + p == total and p <= parsed, f"{what}: counts of\n{brief(r)}")
    return runs


def patients(d):
    return sorted(p.stem for p in (d / "patients").glob("*.toml"))


def warm(d):
    """Lets every file become cacheable, refreshes the cache, and requires
    the next run to take every record from it. Returns the patient count."""
    time.sleep(SETTLE)
    iop(d, "list", "--status", "all", verbose=True)
    n = len(patients(d))
    r = iop(d, "check", "--format", "json", verbose=True)
    eq(counts(r), (n, 0), f"a warm cache serves every record\n{brief(r)}")
    return n


def clinic(tmp):
    """examples/clinic (six patients, authorizations, plans, screens), private,
    two more patients enrolled and attended by iop, and a closure."""
    d = tmp / "clinic"
    shutil.copytree(SOURCE_DIR / "examples" / "clinic", d)
    for p in [d, *d.rglob("*")]:
        os.chmod(p, 0o700 if p.is_dir() else 0o600)
    iop_ok(d, "-q", "enroll", "P-0007", "--name", "Rosa Diaz", "--start", "2026-11-16",
           "--clinician", "Dr. Maria Rivera", "--insurance", "Acme Health")
    iop_ok(d, "-q", "enroll", "P-0008", "--name", "Sam Park", "--start", "2026-11-09",
           "--born", "2010-03-04")
    for pid, date in (("P-0007", "2026-11-16"), ("P-0007", "2026-11-17"),
                      ("P-0008", "2026-11-10")):
        iop_ok(d, "-q", "attend", pid, "--kind", "group", "--topic", "illness", "--date", date)
    iop_ok(d, "-q", "screen", "P-0007", "--result", "negative", "--date", "2026-11-17")
    iop_ok(d, "-q", "closure", "add", "2026-11-20", "--reason", "staff training")
    return d


def set_letter(path, upper):
    """An editor's change that keeps the size: the first letter of the
    patient's name in upper or lower case (shown by list and check)."""
    data = bytearray(path.read_bytes())
    i = data.index(b'\nname = "') + len(b'\nname = "')
    data[i:i + 1] = data[i:i + 1].upper() if upper else data[i:i + 1].lower()
    return bytes(data)


def flip_name(path):
    data = path.read_bytes()
    i = data.index(b'\nname = "') + len(b'\nname = "')
    return set_letter(path, upper=data[i:i + 1].islower())


def edit_in_place(path, data):
    """Opens the file r+, writes, closes: same inode."""
    with open(path, "r+b") as f:
        f.write(data)
        f.truncate()


def write_and_rename(path, data):
    new = path.with_name(path.name + ".new")
    new.write_bytes(data)
    os.chmod(new, 0o600)
    os.rename(new, path)


def sh(*args, cwd=None):
    p = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 0, f"{' '.join(map(str, args))} failed:\n{p.stdout}{p.stderr}")
    return p.stdout


def attend(d, pid, date="2026-11-24", kind="individual"):
    iop_ok(d, "-q", "attend", pid, "--kind", kind, "--date", date, "--allow-duplicate")


# ---------------------------------------------------------------- never stale


@case
def iop_writes_are_seen(tmp):
    d = clinic(tmp)
    n = warm(d)
    compare(d, "warm, nothing changed", parsed=0, total=n)
    attend(d, "P-0003")
    compare(d, "after iop attend", parsed=1, total=n)
    warm(d)
    iop_ok(d, "-q", "screen", "P-0005", "--result", "positive", "--substance", "alcohol",
           "--date", "2026-11-25")
    compare(d, "after iop screen", parsed=1, total=n)
    warm(d)
    iop_ok(d, "-q", "amend", "P-0006", "--name", "Jordan A. Lee", "--reason", "middle initial")
    runs = compare(d, "after iop amend", parsed=1, total=n)
    contains(runs[2].out, '"name":"Jordan A. Lee"', "list after amend")
    # Two files changed between runs, one of them twice.
    warm(d)
    attend(d, "P-0004", kind="family")
    attend(d, "P-0007")
    attend(d, "P-0007", date="2026-11-25")
    compare(d, "after three attends on two patients", parsed=2, total=n)


@case
def editor_saves_are_seen(tmp):
    d = clinic(tmp)
    n = warm(d)
    path = record_path(d, "P-0003")
    edit_in_place(path, set_letter(path, upper=False))
    runs = compare(d, "after a same-size edit in place", parsed=1, total=n)
    contains(runs[2].out, '"name":"daniel Okafor"', "list")
    warm(d)
    write_and_rename(path, set_letter(path, upper=True))
    runs = compare(d, "after writing a new file and renaming it", parsed=1, total=n)
    contains(runs[2].out, '"name":"Daniel Okafor"', "list")
    # An editor that appends a line (a note of its own).
    warm(d)
    with open(path, "ab") as f:
        f.write(b"# checked by hand\n")
    compare(d, "after appending a comment", parsed=1, total=n)


def restore_older_copy(tmp, restore):
    """Keeps the version of P-0005 before an attend, lets the new version
    be cached, and has `restore` put the older one back."""
    d = clinic(tmp)
    path = record_path(d, "P-0005")
    old = path.read_bytes()
    old_mtime = os.stat(path).st_mtime_ns
    n = warm(d)
    restore("save", d, path)
    attend(d, "P-0005", date="2026-11-25")
    check(path.read_bytes() != old, "attend changed the file")
    before = compare(d, "after attend", parsed=1, total=n)
    warm(d)
    restore("restore", d, path)
    eq(path.read_bytes(), old, "the older version is back")
    after = compare(d, "after restoring the older version", parsed=1, total=n)
    check(after[3].out != before[3].out, "export shows the older version")
    return d, old_mtime


@case
def cp_p_restoring_an_older_file_is_seen(tmp):
    def restore(step, d, path):
        if step == "save":
            sh("cp", "-p", path, tmp / "saved.toml")
        else:
            sh("cp", "-p", tmp / "saved.toml", path)
    d, old_mtime = restore_older_copy(tmp, restore)
    eq(os.stat(record_path(d, "P-0005")).st_mtime_ns, old_mtime, "cp -p kept the old mtime")


@case
def rsync_a_restoring_an_older_file_is_seen(tmp):
    if shutil.which("rsync") is None:
        print("  SKIPPED: rsync is not installed")
        return

    def restore(step, d, path):
        if step == "save":
            sh("rsync", "-a", path, tmp / "saved.toml")
        else:
            sh("rsync", "-a", tmp / "saved.toml", path)
    d, old_mtime = restore_older_copy(tmp, restore)
    eq(os.stat(record_path(d, "P-0005")).st_mtime_ns // 10**9, old_mtime // 10**9,
       "rsync -a kept the old mtime")


@case
def tar_x_restoring_an_older_file_is_seen(tmp):
    def restore(step, d, path):
        if step == "save":
            sh("tar", "-C", d, "-cf", tmp / "saved.tar", "patients/P-0005.toml")
        else:
            sh("tar", "-C", d, "-xf", tmp / "saved.tar")
    d, old_mtime = restore_older_copy(tmp, restore)
    eq(os.stat(record_path(d, "P-0005")).st_mtime_ns // 10**9, old_mtime // 10**9,
       "tar x kept the old mtime (to the second)")


@case
def git_checkout_of_an_older_version_is_seen(tmp):
    d = clinic(tmp)
    git = ["git", "-C", d, "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    sh("git", "init", "-q", d)
    sh("chmod", "-R", "go-rwx", d / ".git")
    sh(*git, "add", "patients", "program.toml", "closures.toml")
    sh(*git, "commit", "-q", "-m", "first")
    path = record_path(d, "P-0004")
    old = path.read_bytes()
    n = warm(d)
    attend(d, "P-0004", kind="family")
    if sh("git", "-C", d, "status", "--porcelain", "patients"):
        sh(*git, "commit", "-q", "-a", "-m", "second")
    compare(d, "after attend", parsed=1, total=n)
    warm(d)
    sh(*git, "checkout", "-q", "HEAD~1", "--", "patients/P-0004.toml")
    eq(path.read_bytes(), old, "git checkout restored the older version")
    compare(d, "after git checkout of the older version", parsed=1, total=n)
    warm(d)
    sh(*git, "checkout", "-q", "HEAD", "--", "patients/P-0004.toml")
    compare(d, "after git checkout of the newer version", parsed=1, total=n)


def same_size_change_back_to_cached_time(tmp, set_time):
    """A same-size change in place, then the modification time set back to
    the cached one by set_time(path, mtime_ns): size, inode, mtime as cached."""
    d = clinic(tmp)
    n = warm(d)
    path = record_path(d, "P-0006")
    st = os.stat(path)
    new = flip_name(path)
    eq(len(new), st.st_size, "a same-size change")
    edit_in_place(path, new)
    set_time(path, st.st_mtime_ns)
    now = os.stat(path)
    eq((now.st_ino, now.st_size, now.st_mtime_ns), (st.st_ino, st.st_size, st.st_mtime_ns),
       "inode, size and mtime as cached")
    runs = compare(d, "after a same-size change with the cached mtime", parsed=1, total=n)
    contains(runs[2].out, '"name":"jordan Lee"', "list")
    # Once more after the changed file was cached.
    warm(d)
    st = os.stat(path)
    edit_in_place(path, flip_name(path))
    set_time(path, st.st_mtime_ns)
    runs = compare(d, "after changing it back with the cached mtime", parsed=1, total=n)
    contains(runs[2].out, '"name":"Jordan Lee"', "list")


@case
def touch_d_back_to_the_cached_time_is_seen(tmp):
    def set_time(path, ns):
        sh("touch", "-m", "-d", f"@{ns // 10**9}.{ns % 10**9:09d}", path)
    same_size_change_back_to_cached_time(tmp, set_time)


@case
def same_size_same_nanosecond_is_seen(tmp):
    def set_time(path, ns):
        os.utime(path, ns=(os.stat(path).st_atime_ns, ns))
    same_size_change_back_to_cached_time(tmp, set_time)


@case
def a_file_replaced_by_another_patients_is_seen(tmp):
    d = clinic(tmp)
    n = warm(d)
    path = record_path(d, "P-0003")
    own = tmp / "own.toml"
    sh("cp", "-p", path, own)
    sh("cp", "-p", record_path(d, "P-0004"), path)
    runs = compare(d, "after cp -p of another patient's file", parsed=1, total=n)
    # check, list and export exit 3; remind lists it as record-invalid.
    eq([r.code for r in runs], [3, 0, 3, 3], "exit status of each command")
    message = 'the record\'s id "P-0004" does not match its file name (expected "P-0003")'
    for r in runs[:2]:
        contains(r.out, message.replace('"', '\\"'), "the record-invalid finding")
    for r in runs[2:]:
        contains(r.err, f"iop: error: patients/P-0003.toml: {message}", "stderr")
    # Cached or not, the broken file is parsed every time.
    time.sleep(SETTLE)
    compare(d, "the same, later", parsed=1, total=n)
    # Its own file back (cp -p: the mtime it had when it was cached).
    sh("cp", "-p", own, path)
    compare(d, "after its own file came back", parsed=1, total=n)
    # Replaced by a copy of itself: same bytes, size and mtime, new inode.
    warm(d)
    sh("cp", "-p", path, tmp / "copy.toml")
    os.rename(tmp / "copy.toml", path)
    compare(d, "after a copy of itself replaced it", parsed=1, total=n)
    # Replaced by a symbolic link to a copy of itself: iop does not follow
    # links for records, cached or not.
    warm(d)
    path.unlink()
    path.symlink_to(own)
    runs = compare(d, "after a symlink replaced it", parsed=1, total=n)
    contains(runs[2].err, "patients/P-0003.toml: file is a symbolic link", "stderr")


@case
def a_file_removed_or_added_is_seen(tmp):
    d = clinic(tmp)
    n = warm(d)
    path = record_path(d, "P-0006")
    sh("cp", "-p", path, tmp / "saved.toml")
    before = (d / CACHE).read_bytes()
    path.unlink()
    runs = compare(d, "after a file was removed", parsed=0, total=n - 1)
    for r in runs:
        check("P-0006" not in r.out, f"a removed patient is gone\n{brief(r)}")
    # The cache still holds it (nothing else changed, so it was not rewritten).
    eq((d / CACHE).read_bytes(), before, "the cache after a run with a file removed")
    # Back, with its old mtime (and perhaps its old inode number).
    sh("cp", "-p", tmp / "saved.toml", path)
    compare(d, "after the removed file came back", parsed=1, total=n)
    # A new file.
    warm(d)
    copy_record(d, "P-0009", base_pid="P-0006")
    os.chmod(record_path(d, "P-0009"), 0o600)
    runs = compare(d, "after a file was added", parsed=1, total=n + 1)
    contains(runs[2].out, '"id":"P-0009"', "list")


@case
def program_and_closures_are_read_every_time(tmp):
    d = clinic(tmp)
    n = warm(d)
    before = compare(d, "warm", parsed=0, total=n)
    program = d / "program.toml"
    text = program.read_text()
    check("contact_max_gap_days = 3\n" in text, "program.toml holds the contact gap")
    program.write_text(text.replace("contact_max_gap_days = 3\n", "contact_max_gap_days = 9\n"))
    after = compare(d, "after program.toml changed", parsed=0, total=n)
    check(after[0].out != before[0].out, "check sees the new program.toml")
    not_contains_gap = '9 days without service' not in after[0].out
    check(not_contains_gap, "the contact gap is no longer reported")
    program.write_text(text)
    compare(d, "after program.toml came back", parsed=0, total=n)
    # A closure over P-0005's missed week changes its findings.
    iop_ok(d, "-q", "closure", "add", "2026-11-09", "--to", "2026-11-13", "--reason", "flood")
    closed = compare(d, "after a closure", parsed=0, total=n)
    check(closed[0].out != before[0].out, "check sees the closure")
    contains(closed[0].out, "not counting 5 closed days", "check")
    iop_ok(d, "-q", "closure", "cancel", "2026-11-09", "--to", "2026-11-13", "--reason", "dry")
    reopened = compare(d, "after the closure was cancelled", parsed=0, total=n)
    eq(reopened[0].out, before[0].out, "check as before the closure")
    # closures.toml restored to an older version with cp -p, then removed.
    saved = tmp / "closures.toml"
    sh("cp", "-p", d / "closures.toml", saved)
    iop_ok(d, "-q", "closure", "add", "2026-11-09", "--to", "2026-11-13", "--reason", "flood")
    sh("cp", "-p", saved, d / "closures.toml")
    eq(compare(d, "after cp -p of closures.toml", parsed=0, total=n)[0].out, before[0].out,
       "check with the older closures")
    (d / "closures.toml").unlink()
    compare(d, "after closures.toml was removed", parsed=0, total=n)



@case
def a_file_not_safely_older_than_the_run_is_never_cached(tmp):
    # git's "racy" case: a file changed within the file system's clock tick
    # of the run that read it could change again with every key field as
    # recorded. A modification time in the future (clock skew, a copy from
    # a machine ahead of this one) is never safely older: parsed every time.
    d = clinic(tmp)
    n = warm(d)
    path = record_path(d, "P-0004")
    future = time.time_ns() + 3600 * 10**9
    edit_in_place(path, flip_name(path))
    os.utime(path, ns=(future, future))
    for _ in range(3):
        time.sleep(SETTLE)
        compare(d, "a file modified in the future", parsed=1, total=n)
    # An hour ago: cached by the next run, taken from the cache after that.
    os.utime(path, ns=(future - 2 * 3600 * 10**9,) * 2)
    time.sleep(SETTLE)
    compare(d, "the file modified an hour ago", parsed=1, total=n)
    compare(d, "the file modified an hour ago, cached", parsed=0, total=n)


@case
def a_change_of_time_zone_is_seen(tmp):
    # When a finding arose depends on the local day of each entry's
    # recorded_at (SPEC section 5), in the time zone of the run: cron's may
    # not be the user's. A cache written in one time zone must not hand its
    # local days to a run in another.
    d = clinic(tmp)
    n = len(patients(d))
    utc = {"TZ": "UTC"}
    time.sleep(SETTLE)
    iop(d, "list", env=utc)
    eq(counts(iop(d, "list", env=utc, verbose=True)), (n, 0), "warm in UTC")
    for tz in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"):
        what = f"a cache written in another zone read with TZ={tz}"
        runs = compare(d, what, env={"TZ": tz})
        eq(counts(runs[0]), (0, n), f"{what}: every record parsed")
        contains(runs[0].err, IGNORED + "written in another time zone", "stderr")
        eq(counts(runs[1]), (n, 0), f"{what}: then the cache of this zone serves them")

# ---------------------------------------------------------------- the cache file itself


def footer(data):
    """(index offset, index length) from the cache's footer."""
    tail = data[-40:]
    eq(tail[32:], b"IOPCEND!", "the cache's footer")
    return int.from_bytes(tail[0:8], "little"), int.from_bytes(tail[8:16], "little")


def flip(data, i):
    return data[:i] + bytes([data[i] ^ 0x5A]) + data[i + 1:]


def damaged_cache_is_ignored(tmp, damage, why, rebuilt=True):
    """Damages a warm cache with damage(path); then the outputs are as
    without the cache, --verbose says why it was ignored, no run fails, and
    (when it can be) the cache is rebuilt and serves every record."""
    d = clinic(tmp)
    n = warm(d)
    damage(d / CACHE)
    runs = compare(d, f"cache {why}")
    eq(counts(runs[0]), (0, n), f"cache {why}: every record parsed\n{brief(runs[0])}")
    contains(runs[0].err, IGNORED + why, "stderr")
    for r in runs:
        check(r.code in (0, 1), f"never an error\n{brief(r)}")
    r = iop(d, "check", "--format", "json")
    check(not r.err, f"nothing on stderr without --verbose\n{brief(r)}")
    if rebuilt:
        eq(counts(iop(d, "list", verbose=True)), (n, 0), f"cache {why}: rebuilt")
        eq(mode_of(d / CACHE), 0o600, "the rebuilt cache's mode")
    return d


@case
def a_truncated_cache_is_ignored(tmp):
    def half(p):
        os.truncate(p, os.path.getsize(p) // 2)
    damaged_cache_is_ignored(tmp, half, "truncated")


@case
def an_empty_cache_is_ignored(tmp):
    damaged_cache_is_ignored(tmp, lambda p: os.truncate(p, 0), "empty")


@case
def a_cache_damaged_in_its_index_is_ignored(tmp):
    def damage(p):
        data = p.read_bytes()
        offset, length = footer(data)
        p.write_bytes(flip(data, offset + length // 2))
    damaged_cache_is_ignored(tmp, damage, "damaged (checksum)")


@case
def a_cache_damaged_in_a_record_is_not_trusted(tmp):
    d = clinic(tmp)
    n = warm(d)
    path = d / CACHE
    data = path.read_bytes()
    offset, _ = footer(data)
    path.write_bytes(flip(data, offset // 2))
    runs = compare(d, "a cache damaged in the middle")
    hits, parsed = counts(runs[0])
    check(parsed >= 1 and hits + parsed == n, f"the damaged record is parsed\n{brief(runs[0])}")
    eq(counts(iop(d, "list", verbose=True)), (n, 0), "rebuilt")


@case
def a_garbage_cache_is_ignored(tmp):
    rng = random.Random(22)
    damaged_cache_is_ignored(tmp, lambda p: p.write_bytes(rng.randbytes(5000)),
                             "not a record cache")


@case
def a_cache_of_garbage_with_the_right_ends_is_ignored(tmp):
    def damage(p):
        data = p.read_bytes()
        p.write_bytes(data[:8] + bytes(len(data) - 48) + data[-40:])
    damaged_cache_is_ignored(tmp, damage, "written by another version of iop")


@case
def a_cache_of_another_version_is_ignored(tmp):
    def other_key(p):
        data = p.read_bytes()
        i = data.index(b"codec")
        p.write_bytes(data[:i] + b"CODEC" + data[i + 5:])
    damaged_cache_is_ignored(tmp, other_key, "written by another version of iop")


@case
def a_cache_of_another_format_is_ignored(tmp):
    def other_format(p):
        data = p.read_bytes()
        eq(data[:8], b"IOPCACHE", "the cache's magic")
        p.write_bytes(data[:8] + (int.from_bytes(data[8:12], "little") + 1).to_bytes(4, "little")
                      + data[12:])
    damaged_cache_is_ignored(tmp, other_format, "written by another version of iop")


@case
def a_cache_that_is_a_directory_is_ignored(tmp):
    def directory(p):
        p.unlink()
        p.mkdir(mode=0o700)
    d = damaged_cache_is_ignored(tmp, directory, "not a regular file", rebuilt=False)
    r = iop(d, "list", verbose=True)
    contains(r.err, NOT_WRITTEN, "stderr")
    check((d / CACHE).is_dir(), "the directory is left alone")
    check(not [p for p in os.listdir(d) if ".tmp-" in p], "no temporary file left")


@case
def a_cache_that_is_a_symlink_is_ignored(tmp):
    target = tmp / "elsewhere"
    def symlink(p):
        os.rename(p, target)
        p.symlink_to(target)
    before = None

    def damage(p):
        nonlocal before
        symlink(p)
        before = target.read_bytes()
    d = damaged_cache_is_ignored(tmp, damage, "Too many levels of symbolic links")
    eq(target.read_bytes(), before, "the symlink's target is never written")
    check(not (d / CACHE).is_symlink(), "the link was replaced by the rebuilt cache")


@case
def an_unreadable_cache_is_ignored(tmp):
    if os.geteuid() == 0:
        print("  SKIPPED: root reads a file of mode 000")
        return
    damaged_cache_is_ignored(tmp, lambda p: os.chmod(p, 0), "Permission denied")


# ---------------------------------------------------------------- failed writes


FIU_RUN = shutil.which("fiu-run")


def under_fiu(d, point, err, *args, verbose=False):
    env = env_for({"ASAN_OPTIONS": "verify_asan_link_order=0:" +
                   os.environ.get("ASAN_OPTIONS", "")}, today=TODAY)
    command = f"enable name={point},failinfo={err},onetime"
    extra = ["-v"] if verbose else []
    p = subprocess.run([FIU_RUN, "-x", "-f", "", "-c", command, IOP, *extra, "-C", str(d),
                        *args], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=60)
    return Result(args, p.returncode, p.stdout.decode("utf-8", "replace"),
                  p.stderr.decode("utf-8", "replace"), 0, None)


def failed_write_is_silent(d, run_failing, what):
    """A cache that needs writing (a record changed), written by
    run_failing(args, verbose) that makes the write fail: the outputs, exit
    status and stderr as without the cache; a note with --verbose; the old
    cache unchanged and no temporary file left."""
    n = warm(d)
    attend(d, "P-0003")
    time.sleep(SETTLE)
    before = (d / CACHE).read_bytes()
    for args in COMMANDS:
        for verbose in (False, True):
            r = run_failing(args, verbose)
            nc = iop(d, *args, env=NO_CACHE)
            eq((r.code, r.out), (nc.code, nc.out), f"{what}: iop {' '.join(args)}")
            if verbose:
                eq(counts(r), (n - 1, 1), f"{what}: counts\n{brief(r)}")
                contains(r.err, NOT_WRITTEN, f"{what}: stderr")
                eq(without_notes(r.err), nc.err, f"{what}: stderr")
            else:
                eq(r.err, nc.err, f"{what}: stderr without --verbose")
            eq((d / CACHE).read_bytes(), before, f"{what}: the old cache is unchanged")
            eq([p for p in os.listdir(d) if ".tmp-" in p], [], f"{what}: temporary files")
    # Without the fault, the cache is written.
    r = iop(d, "list", verbose=True)
    contains(r.err, WRITTEN, "stderr")


@case
def a_cache_write_on_a_full_disk_is_silent(tmp):
    if FIU_RUN is None:
        print("  SKIPPED: fiu-run not found (install the Debian package fiu-utils)")
        return
    if SANITIZED:
        # Under either sanitizer, `iop check` preloaded with libfiu dies of a
        # segmentation fault once a write() fails, with the cache off
        # (IOP_NO_CACHE=1) and on one thread too: the sanitizer's runtime
        # and libfiu's wrappers, not iop. The plain build runs this case;
        # the immutable directory below fails the cache write under all.
        print("  SKIPPED: fiu-run cannot fail the writes of a sanitized iop check")
        return
    d = clinic(tmp)
    for point, err in (("posix/io/rw/write", errno.ENOSPC), ("posix/io/rw/write", errno.EIO),
                       ("posix/io/dir/rename", errno.EIO)):
        failed_write_is_silent(
            d, lambda args, verbose, p=point, e=err: under_fiu(d, p, e, *args, verbose=verbose),
            f"{point} failing with {errno.errorcode[err]}")


@case
def a_cache_write_in_an_immutable_directory_is_silent(tmp):
    d = clinic(tmp)
    probe = tmp / "probe"
    probe.mkdir()
    if subprocess.run(["chattr", "+i", probe], capture_output=True).returncode != 0:
        print("  SKIPPED: chattr +i is not possible here")
        return
    subprocess.run(["chattr", "-i", probe], check=True)

    def failing(args, verbose):
        subprocess.run(["chattr", "+i", d], check=True)
        try:
            return iop(d, *args, verbose=verbose)
        finally:
            subprocess.run(["chattr", "-i", d], check=True)
    failed_write_is_silent(d, failing, "an immutable records directory")


# ---------------------------------------------------------------- property test

SEED = int(os.environ.get("IOP_CACHE_SEED", random.randrange(1 << 30)))
# Fewer under the sanitizers (./setup test), where every run is slower.
SANITIZED = any(os.environ.get(v) for v in ("ASAN_OPTIONS", "TSAN_OPTIONS"))
STEPS = int(os.environ.get("IOP_CACHE_STEPS", "15" if SANITIZED else "40"))


@case
def random_edits_never_make_it_stale(tmp):
    print(f"  seed {SEED} (IOP_CACHE_SEED={SEED} replays it), {STEPS} steps")
    rng = random.Random(SEED)
    d = clinic(tmp)
    saved = tmp / "saved"
    saved.mkdir()
    versions = {}  # pid -> saved copies (cp -p) of earlier versions
    program = (d / "program.toml").read_text()
    days = iter(range(10**6))

    def pick():
        return rng.choice(patients(d))

    def valid(pid):
        return iop(d, "show", pid).code == 0

    def keep(pid):
        copy = saved / f"{pid}-{len(versions.get(pid, []))}.toml"
        sh("cp", "-p", record_path(d, pid), copy)
        versions.setdefault(pid, []).append(copy)

    def iop_write(pid):
        if not valid(pid):
            return "skipped (invalid record)"
        keep(pid)
        kind = rng.choice(["attend", "screen", "amend", "void"])
        date = f"2026-11-{rng.randint(24, 25)}"
        # Refused (exit 1) for a patient who left before the date: then
        # nothing changed, which is a step too.
        if kind == "attend":
            r = iop(d, "-q", "attend", pid, "--kind", rng.choice(["individual", "family"]),
                    "--date", date, "--allow-duplicate")
        elif kind == "screen":
            r = iop(d, "-q", "screen", pid, "--result", "negative", "--date", date)
        elif kind == "amend":
            r = iop(d, "-q", "amend", pid, "--clinician", f"Dr. {rng.choice('ABC')}", "--reason",
                    "r")
        else:
            refs = re.findall(r"^([0-9a-f]{8}(?:-\d+)?) ", iop(d, "show", pid, "--journal").out,
                              re.M)
            r = iop(d, "-q", "void", pid, rng.choice(refs), "--reason", "r", "--date", date)
        check(r.code in (0, 1), f"iop {kind}\n{brief(r)}")
        return f"iop {kind} (exit {r.code})"

    def same_size(pid, how):
        path = record_path(d, pid)
        st = os.stat(path)
        if b'\nname = "' not in path.read_bytes():
            return "skipped (no name)"
        keep(pid)
        data = flip_name(path)
        if how == "rename":
            write_and_rename(path, data)
        else:
            edit_in_place(path, data)
        if how == "utime":
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        elif how == "touch":
            ns = st.st_mtime_ns
            sh("touch", "-m", "-d", f"@{ns // 10**9}.{ns % 10**9:09d}", path)
        return how

    def restore(pid):
        if not versions.get(pid):
            return "skipped (no older version)"
        older = rng.choice(versions[pid])
        how = rng.choice(["cp -p", "tar x", "rename"])
        path = record_path(d, pid)
        if how == "cp -p":
            sh("cp", "-p", older, path)
        elif how == "tar x":
            sh("tar", "-C", saved, "-cf", tmp / "t.tar", older.name)
            sh("tar", "-C", d / "patients", "-xf", tmp / "t.tar")
            os.rename(d / "patients" / older.name, path)
        else:
            sh("cp", "-p", older, tmp / "x.toml")
            os.rename(tmp / "x.toml", path)
        return f"{how} of an older version"

    def other(pid):
        others = [p for p in patients(d) if p != pid]
        keep(pid)
        sh("cp", "-p", record_path(d, rng.choice(others)), record_path(d, pid))
        return "replaced by another patient's file"

    def remove(pid):
        if len(patients(d)) <= 3:
            return "skipped (few left)"
        keep(pid)
        record_path(d, pid).unlink()
        return "removed"

    def add(_):
        gone = [p for p in versions if not record_path(d, p).exists()]
        if not gone:
            return "skipped (none removed)"
        pid = rng.choice(gone)
        sh("cp", "-p", rng.choice(versions[pid]), record_path(d, pid))
        return f"{pid} added back"

    def settings(_):
        if rng.random() < 0.5:
            gap = rng.choice(["3", "5", "9"])
            (d / "program.toml").write_text(program.replace(
                "contact_max_gap_days = 3\n", f"contact_max_gap_days = {gap}\n"))
            return f"program.toml: contact gap {gap}"
        action = rng.choice(["add", "cancel"])
        r = iop(d, "-q", "closure", action, "2026-11-09", "--to", "2026-11-13", "--reason", "x")
        return f"closure {action} (exit {r.code})"

    def cache(_):
        path = d / CACHE
        if not path.exists():
            return "skipped (no cache)"
        data = path.read_bytes()
        how = rng.choice(["truncate", "flip", "remove"])
        if how == "truncate":
            os.truncate(path, rng.randrange(len(data)))
        elif how == "flip":
            path.write_bytes(flip(data, rng.randrange(len(data))))
        else:
            path.unlink()
        return f"cache: {how}"

    edits = [(iop_write, 4), (lambda p: same_size(p, rng.choice(
        ["in place", "rename", "utime", "touch"])), 4), (restore, 3), (other, 1), (remove, 1),
        (add, 1), (settings, 1), (cache, 1)]
    funcs = [f for f, w in edits for _ in range(w)]
    warm(d)
    hits = 0
    for step in range(STEPS):
        pid = pick()
        what = rng.choice(funcs)(pid)
        label = f"seed {SEED} step {step}: {pid} {what}"
        if rng.random() < 0.5:
            time.sleep(SETTLE)
        # One more run: some patients only, another command that reads many
        # records, another day, one or three threads.
        args = rng.choice([*COMMANDS, ("check", pick(), pick(), "--format", "json"),
                           ("export", "--format", "json", "--status", "active"),
                           ("roster", "--format", "csv"),
                           ("report", "authorizations", "--format", "json")])
        jobs = ["--jobs", str(rng.choice([1, 3]))]
        same_as_no_cache(d, (*jobs, *args), label, verbose=rng.random() < 0.5,
                         today=rng.choice([TODAY, "2026-11-30", "2026-12-24"]))
        for args in COMMANDS:
            hits += counts(same_as_no_cache(d, args, label))[0]
    # Proof that the runs compared did use the cache: most records came from it.
    check(hits > STEPS * len(COMMANDS) * 2, f"{hits} records from the cache in {STEPS} steps")
    print(f"  {hits} records from the cache")


# ---------------------------------------------------------------- the interface


@case
def no_cache_env_neither_reads_nor_writes(tmp):
    d = clinic(tmp)
    time.sleep(SETTLE)
    for args in [*COMMANDS, ("roster",), ("report", "authorizations")]:
        r = iop(d, *args, env=NO_CACHE, verbose=True)
        check(r.code in (0, 1), f"{brief(r)}")
        check("iop: note:" not in r.err, f"no note on the cache when it is off\n{brief(r)}")
    eq(sorted(p for p in os.listdir(d) if p.startswith(".iop.cache")), [], "no cache written")
    # A damaged cache is not even looked at, nor rebuilt.
    (d / CACHE).write_bytes(b"garbage")
    os.chmod(d / CACHE, 0o600)
    before = snapshot(d)
    for value in ("1", "yes"):
        r = iop(d, "check", env={"IOP_NO_CACHE": value}, verbose=True)
        check("iop: note:" not in r.err, f"IOP_NO_CACHE={value}: not read\n{brief(r)}")
    eq(snapshot(d), before, "nothing written with IOP_NO_CACHE")
    # Empty or 0: the cache is on.
    for value in ("", "0"):
        (d / CACHE).unlink()
        r = iop(d, "list", env={"IOP_NO_CACHE": value}, verbose=True)
        contains(r.err, WRITTEN, f"IOP_NO_CACHE={value!r}: stderr")
        check((d / CACHE).is_file(), f"IOP_NO_CACHE={value!r}: the cache is written")


@case
def the_cache_is_private_whatever_the_umask(tmp):
    d = clinic(tmp)
    time.sleep(SETTLE)
    for umask in (0, 0o022, 0o077):
        if (d / CACHE).exists():
            (d / CACHE).unlink()
        iop_ok(d, "list", umask=umask)
        eq(mode_of(d / CACHE), 0o600, f"the cache's mode with umask {umask:03o}")
        # Rewritten after a change: still 0600.
        attend(d, "P-0003")
        time.sleep(SETTLE)
        iop_ok(d, "list", umask=umask)
        eq(mode_of(d / CACHE), 0o600, f"the rewritten cache's mode with umask {umask:03o}")


@case
def check_clean_removes_the_cache(tmp):
    d = clinic(tmp)
    n = warm(d)
    temp = d / ".iop.cache.tmp-Ab12Cd"
    temp.write_bytes(b"half a cache")
    other = d / ".iop.cache.tmp-toolong"  # not a name iop gives: left alone
    other.write_bytes(b"not ours")
    r = iop(d, "check", "--clean", "--rule", "stale-temp")
    eq((r.code, r.err), (0, ""), f"{brief(r)}")
    lines = r.out.splitlines()
    for name in (".iop.cache", ".iop.cache.tmp-Ab12Cd"):
        check(f"removed {name}" in lines, f"check --clean says it removed {name}\n{brief(r)}")
    check(not (d / CACHE).exists() and not temp.exists(), "removed")
    check(other.exists(), "a file iop did not name is left alone")
    # The next reader builds it anew, from parsed records.
    eq(counts(iop(d, "list", verbose=True)), (0, n), "after check --clean")
    check((d / CACHE).is_file(), "rebuilt")
    r = iop(d, "check", "--clean", "--rule", "stale-temp", "--format", "json")
    contains(r.out, '"removed":[".iop.cache"]', "check --clean --format json")
    check(not (d / CACHE).exists(), "check --clean does not write the cache")
    iop_ok(d, "list")
    r = iop(d, "-q", "check", "--clean", "--rule", "stale-temp")
    eq((r.code, r.out), (0, ""), "check --clean -q prints nothing")
    check(not (d / CACHE).exists(), "removed with -q")


@case
def init_git_ignores_the_cache(tmp):
    d = tmp / "clinic"
    ok("init", "--git", d)
    check(".iop.cache" in (d / ".gitignore").read_text().splitlines(), ".gitignore lists it")
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    time.sleep(SETTLE)
    ok("-C", d, "list")
    check((d / CACHE).is_file(), "the cache is written")
    (d / ".iop.cache.tmp-Xy12Zw").write_bytes(b"")
    status = sh("git", "-C", d, "status", "--porcelain", "--ignored=no")
    check(".iop.cache" not in status, f"git status does not show the cache:\n{status}")
    ignored = sh("git", "-C", d, "status", "--porcelain", "--ignored")
    contains(ignored, "!! .iop.cache", "git status --ignored")


@case
def permissions_rule_reports_a_readable_cache(tmp):
    d = clinic(tmp)
    warm(d)
    r = iop(d, "check", "--rule", "permissions")
    eq((r.code, r.out), (0, ""), "a private cache is not reported")
    os.chmod(d / CACHE, 0o644)
    r = iop(d, "check", "--rule", "permissions")
    eq(r.code, 0, f"a warning only\n{brief(r)}")
    eq(r.out, ".iop.cache: warning: the record cache has mode 0644: group and others can read "
       f"it; these are health records, run 'chmod 600 {d}/.iop.cache' [permissions]\n",
       "check --rule permissions")


@case
def readers_never_see_a_torn_cache(tmp):
    d = clinic(tmp)
    warm(d)
    path = record_path(d, "P-0003")
    first = path.read_bytes()
    dates = [f"2026-11-{day:02d}" for day in range(2, 26)]
    args = ["check", "--format", "json"]
    seen, bad = [], []
    done = threading.Event()

    def reader():
        env = env_for(today=TODAY)
        while not done.is_set():
            p = subprocess.run([IOP, "-C", str(d), *args], env=env, capture_output=True,
                               text=True, timeout=120)
            if p.stderr or p.returncode not in (0, 1):
                bad.append(p)
            seen.append(p.stdout)

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        for i, date in enumerate(dates):
            attend(d, "P-0003", date=date)
            if i % 3 == 0:
                time.sleep(SETTLE)  # let some versions be cached
    finally:
        done.set()
        for t in readers:
            t.join()
    check(not bad, f"{len(bad)} readers failed, e.g. {bad[:1]}")
    check(len(seen) >= len(dates), f"readers ran {len(seen)} times")
    # Every output is that of a state the writer left, read without a cache.
    path.write_bytes(first)
    states = {iop(d, *args, env=NO_CACHE).out}
    for date in dates:
        attend(d, "P-0003", date=date)
        states.add(iop(d, *args, env=NO_CACHE).out)
    eq(len(states), len(dates) + 1, "each state gives its own output")
    stray = [out for out in seen if out not in states]
    check(not stray, f"{len(stray)} of {len(seen)} outputs match no state")


if __name__ == "__main__":
    main()
