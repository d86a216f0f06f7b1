"""Shared helpers for the end-to-end tests of iop (standard library only).

Each tests/cli/test_*.py script imports this module, declares named cases with
@case, and calls main(): every case runs in its own temporary directory, a
failure is printed with its reason, and the script exits 1 if any case failed.

iop runs with a fixed today ($IOP_TODAY), a fixed recorded_at ($IOP_NOW) and a
fixed user ($IOP_USER), so its output and the bytes it writes are
deterministic. Every TOML file iop writes can be read back with Python's
tomllib, an independent TOML reader.
"""

import contextlib
import os
import pty
import re
import select
import stat
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import traceback
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("IOP_SOURCE_DIR", Path(__file__).resolve().parents[2]))
IOP = os.path.abspath(os.environ.get("IOP_BIN") or SOURCE_DIR / "build" / "iop")

TODAY = "2026-11-10"
NOW = "2026-11-03T17:02:11Z"
USER = "tester"
ERROR_PREFIX = "iop: error: "
LOCK_NAME = ".iop.lock"
# The record cache: rewritten by reading commands, never part of the records.
CACHE_NAME = ".iop.cache"

# Variables that change what iop does; removed unless a test sets them.
_IOP_VARS = ("IOP_DIR", "IOP_TODAY", "IOP_NOW", "IOP_USER", "IOP_NO_GIT", "NO_COLOR", "LOGNAME",
             "USER")


# ---------------------------------------------------------------- running iop


class Result:
    """What one run of iop did: exit code, stdout, stderr (and how long it took)."""

    def __init__(self, args, code, out, err, seconds, pid):
        self.args, self.code, self.out, self.err = args, code, out, err
        self.seconds, self.pid = seconds, pid

    def __iter__(self):
        return iter((self.code, self.out, self.err))

    def __repr__(self):
        return (f"iop {' '.join(map(repr, self.args))}\n  exit {self.code}\n"
                f"  stdout: {self.out!r}\n  stderr: {self.err!r}")


def env_for(env=None, today=TODAY, now=NOW, user=USER):
    """The environment iop runs with: fixed today, now and user; `env`
    entries override (a value of None removes the variable)."""
    e = {k: v for k, v in os.environ.items() if k not in _IOP_VARS}
    e["TERM"] = "dumb"
    if today is not None:
        e["IOP_TODAY"] = today
    if now is not None:
        e["IOP_NOW"] = now
    if user is not None:
        e["IOP_USER"] = user
    for k, v in (env or {}).items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return e


def run(*args, cwd=None, env=None, today=TODAY, now=NOW, user=USER, umask=None,
        input=None, timeout=120):
    """Runs iop with args (str or Path) and returns a Result."""
    args = [str(a) for a in args]
    start = time.monotonic()
    p = subprocess.Popen([IOP, *args], cwd=cwd, env=env_for(env, today, now, user),
                         stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         umask=-1 if umask is None else umask)
    try:
        out, err = p.communicate(input.encode() if input is not None else None, timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise Failure(f"iop {' '.join(args)} did not finish within {timeout} s")
    return Result(args, p.returncode, out.decode("utf-8", "replace"),
                  err.decode("utf-8", "replace"), time.monotonic() - start, p.pid)


def run_on_terminal(*args, today=TODAY):
    """Runs iop with stderr on a pseudo-terminal (stdout a pipe). Returns
    (exit status, stdout, what the terminal received, seconds)."""
    master, slave = pty.openpty()
    start = time.monotonic()
    p = subprocess.Popen([IOP, *map(str, args)], stdout=subprocess.PIPE, stderr=slave,
                         stdin=subprocess.DEVNULL, env=env_for(today=today))
    os.close(slave)
    err = b""
    out = []
    # stdout is read on its own thread: a large output must not fill the pipe
    # while the terminal is being read here.
    reader = threading.Thread(target=lambda: out.append(p.stdout.read()))
    reader.start()
    while True:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        elif p.poll() is not None:
            break
    p.wait()
    reader.join()
    os.close(master)
    return (p.returncode, out[0].decode(), err.decode("utf-8", "replace"),
            time.monotonic() - start)

def ok(*args, **kw):
    """Runs iop and requires exit 0 and an empty stderr."""
    r = run(*args, **kw)
    if r.code != 0 or r.err:
        raise Failure(f"expected success with an empty stderr:\n{r!r}")
    return r


def expect_error(r, code, *needles, stdout_empty=True):
    """Requires exit `code`, a stderr starting with 'iop: error: ' and holding
    every needle (str, or compiled regex), and (by default) an empty stdout."""
    if r.code != code:
        raise Failure(f"expected exit {code}:\n{r!r}")
    if not r.err.startswith(ERROR_PREFIX):
        raise Failure(f"expected stderr to start with {ERROR_PREFIX!r}:\n{r!r}")
    if stdout_empty and r.out:
        raise Failure(f"expected nothing on stdout:\n{r!r}")
    for n in needles:
        if isinstance(n, re.Pattern):
            if not n.search(r.err):
                raise Failure(f"expected stderr to match /{n.pattern}/:\n{r!r}")
        elif n not in r.err:
            raise Failure(f"expected stderr to contain {n!r}:\n{r!r}")
    return r


def fails_cleanly(tree, args, code, *needles, stdout_empty=True, **kw):
    """Runs iop, requires the error (see expect_error) and that every file
    under `tree` is byte-identical afterwards (nothing added or removed)."""
    before = snapshot(tree)
    r = expect_error(run(*args, **kw), code, *needles, stdout_empty=stdout_empty)
    assert_unchanged(before, snapshot(tree), f"after {r!r}")
    return r


# ---------------------------------------------------------------- files


def snapshot(tree, ignore=(LOCK_NAME, CACHE_NAME)):
    """Every file and directory under `tree`: path -> (mode, bytes) for files,
    path -> (mode, None) for directories. The lock file is ignored by default
    (iop writes its pid into it whenever a writer takes the lock), and so is
    the record cache (every command that reads many records may rewrite it;
    tests/cli/test_cache.py checks it)."""
    tree = Path(tree)
    snap = {}
    for dirpath, dirnames, filenames in os.walk(tree):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            if name in ignore:
                continue
            rel = str(p.relative_to(tree))
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                snap[rel] = (stat.S_IMODE(st.st_mode), p.read_bytes())
            else:
                snap[rel] = (stat.S_IMODE(st.st_mode), None)
    return snap


def assert_unchanged(before, after, context=""):
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    if added or removed or changed:
        raise Failure(f"files changed {context}\n  added: {added}\n  removed: {removed}\n"
                      f"  changed: {changed}")


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def load_toml(path):
    """Parses a file with tomllib (the independent reader)."""
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise Failure(f"{path} is not valid TOML for tomllib: {e}\n{Path(path).read_text()}")


def parse_every_toml(tree):
    """Parses every .toml file under `tree` with tomllib; returns path -> data."""
    out = {}
    for p in sorted(Path(tree).rglob("*.toml")):
        out[str(p.relative_to(tree))] = load_toml(p)
    return out


def line_of(path, text, occurrence=1):
    """1-based line number of the `occurrence`-th line of `path` equal to `text`."""
    n = 0
    for i, line in enumerate(Path(path).read_text().splitlines(), 1):
        if line == text:
            n += 1
            if n == occurrence:
                return i
    raise Failure(f"{path} has no line {text!r} (occurrence {occurrence})")


# ---------------------------------------------------------------- fixtures


def make_clinic(parent, name="clinic"):
    """Runs iop init; returns the records directory."""
    d = Path(parent) / name
    ok("init", d)
    return d


def enroll(clinic, pid="P-0001", name="Jane Doe", start="2026-11-02", *extra, **kw):
    return ok("-C", clinic, "enroll", pid, "--name", name, "--start", start, *extra, **kw)


def attend(clinic, pid="P-0001", *extra, **kw):
    return ok("-C", clinic, "attend", pid, *extra, **kw)


def one_patient_clinic(tmp, attended=True):
    """A records directory with P-0001 (Jane Doe, enrolled 2026-11-02) and,
    unless attended is False, one attended group session on 2026-11-03."""
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    if attended:
        ok("-C", d, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
           "2026-11-03")
    return d


def copy_record(d, pid, extra=b"", base_pid="P-0001", header_edit=None):
    """A copy of base_pid's record under a new id, its text edited by
    header_edit (str -> str) and `extra` (bytes or str) appended."""
    text = record_path(d, base_pid).read_text(encoding="utf-8").replace(base_pid, pid)
    if header_edit:
        text = header_edit(text)
    data = text.encode("utf-8") + (extra if isinstance(extra, bytes) else extra.encode("utf-8"))
    record_path(d, pid).write_bytes(data)


def signed_plan_text(date, target="2027-03-01"):
    """SPEC section 12: goal G1 and objective G1.1 (target `target`), both
    added on `date` and signed by patient and clinician, as iop writes them,
    for tests about something else than the treatment plan."""
    meta = f'recorded_by = "tester"\nrecorded_at = {date}T12:00:00Z\n'
    text = (f'\n[[goal]]\nref = "G1"\naction = "add"\ndate = {date}\n'
            f'problem = "Drinks to cope with stress"\ngoal = "Stay sober"\n{meta}'
            f'\n[[objective]]\nref = "G1.1"\naction = "add"\ndate = {date}\n'
            f'text = "Name 3 triggers and 3 responses"\ntarget = {target}\n{meta}')
    for role in ("patient", "clinician"):
        text += (f'\n[[event]]\ntype = "signature"\ndate = {date}\nrole = "{role}"\n'
                 f'plan_version = 3\n{meta}')
    return text


def give_signed_plan(d, pid="P-0001", date="2026-11-02", target="2027-03-01"):
    """Appends signed_plan_text to pid's record."""
    with open(record_path(d, pid), "a", encoding="utf-8") as f:
        f.write(signed_plan_text(date, target))


def edit_program(d, old, new, count=1):
    """Replaces text in d/program.toml (which must hold it)."""
    p = d / "program.toml"
    text = p.read_text()
    check(old in text, f"program.toml has {old!r}")
    p.write_text(text.replace(old, new, count))


def import_fails(tmp, d, name, data, *needles, code=3, timeout=120):
    """Imports CSV data (bytes or str) from tmp/name; requires the per-row
    report, a final 'iop: error:' line, the exit code, every needle on
    stderr and every file under tmp unchanged."""
    path = tmp / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    before = snapshot(tmp)
    r = run("-C", d, "import", path, timeout=timeout)
    eq(r.code, code, f"exit of importing {name}\n{r!r}")
    lines = r.err.splitlines()
    check(lines and lines[-1].startswith("iop: error: "), f"final error line\n{r!r}")
    for n in needles:
        contains(r.err, n, "stderr")
    assert_unchanged(before, snapshot(tmp), f"after importing {name}")
    return r


def record_path(clinic, pid="P-0001"):
    return Path(clinic) / "patients" / f"{pid}.toml"


# ---------------------------------------------------------------- assertions


class Failure(AssertionError):
    pass


def check(cond, message):
    if not cond:
        raise Failure(message)


def eq(actual, expected, what=""):
    if actual != expected:
        raise Failure(f"{what}: expected {expected!r}, got {actual!r}" if what else
                      f"expected {expected!r}, got {actual!r}")


def contains(haystack, needle, what="output"):
    if needle not in haystack:
        raise Failure(f"expected {what} to contain {needle!r}, got:\n{haystack}")


def not_contains(haystack, needle, what="output"):
    if needle in haystack:
        raise Failure(f"expected {what} not to contain {needle!r}, got:\n{haystack}")


def matches(pattern, text, what="output"):
    m = re.search(pattern, text, re.M)
    if not m:
        raise Failure(f"expected {what} to match /{pattern}/, got:\n{text}")
    return m


# ---------------------------------------------------------------- runner

_cases = []


def case(fn):
    """Declares a test case; it receives a fresh temporary directory (Path)."""
    _cases.append(fn)
    return fn


@contextlib.contextmanager
def _tempdir():
    with tempfile.TemporaryDirectory(prefix="iop-test-") as d:
        yield Path(os.path.realpath(d))


def main():
    if not Path(IOP).is_file():
        print(f"iop binary not found at {IOP} (set IOP_BIN)", file=sys.stderr)
        sys.exit(2)
    only = sys.argv[1:]
    failed = []
    ran = 0
    for fn in _cases:
        name = fn.__name__
        if only and not any(o in name for o in only):
            continue
        ran += 1
        start = time.monotonic()
        try:
            with _tempdir() as d:
                fn(d)
        except Exception as e:  # noqa: BLE001 - report every kind of failure
            failed.append(name)
            print(f"FAIL {name}")
            if isinstance(e, Failure):
                print("  " + str(e).replace("\n", "\n  "))
                tb = traceback.extract_tb(e.__traceback__)
                here = [f for f in tb if f.filename.endswith(Path(sys.argv[0]).name)]
                if here:
                    print(f"  at {Path(here[-1].filename).name}:{here[-1].lineno}")
            else:
                traceback.print_exc(file=sys.stdout)
        else:
            print(f"ok   {name} ({time.monotonic() - start:.2f} s)")
    print(f"{ran - len(failed)} of {ran} cases passed" +
          (f"; failed: {', '.join(failed)}" if failed else ""))
    sys.stdout.flush()
    sys.exit(1 if failed or ran == 0 else 0)
