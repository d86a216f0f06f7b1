"""Crash safety: `iop attend` and `iop import` killed with SIGKILL at random
moments, 500 times. After every kill each record still parses (tomllib, and
`iop check` reports no record-invalid), holds the bytes it held before plus
either nothing or the whole new entries (never half of one), every write that
had exited 0 is present, and every leftover temporary file is ignored by
readers, reported by `iop check` (stale-temp) and removed by `iop check
--clean`.

The randomness is seeded; the seed is printed, and IOP_CRASH_SEED=N replays a
run (IOP_CRASH_TRIALS=N changes the number of trials)."""

import csv
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (IOP, Failure, case, check, contains, enroll, env_for, eq, main, make_clinic,
                  ok, record_path, run)

TRIALS = int(os.environ.get("IOP_CRASH_TRIALS", "500"))
PATIENTS = ["P-0001", "P-0002", "P-0003"]
ENROLLED = "2026-01-05"
TEMP = re.compile(r"^\..+\.tmp-[A-Za-z0-9]{6}$")


def clinic(tmp):
    d = make_clinic(tmp)
    for pid in PATIENTS:
        enroll(d, pid, f"Patient {pid}", ENROLLED)
    return d


def temps(d):
    """Leftover temporary files, as iop check names them."""
    out = [n for n in os.listdir(d) if TEMP.match(n)]
    out += [f"patients/{n}" for n in os.listdir(d / "patients") if TEMP.match(n)]
    return sorted(out)


def sessions_of(data):
    return [s.get("note") for s in data.get("session", [])]


def date_for(rng):
    return f"2026-{rng.randint(1, 10):02d}-{rng.randint(5, 28):02d}"


def attend_args(d, pid, note, date):
    return [IOP, "-q", "-C", str(d), "attend", pid, "--kind", "individual", "--date", date,
            "--note", note, "--allow-duplicate"]


TOPICS = ["illness", "early-recovery", "shame-guilt", "relationships", "stress",
          "relapse-prevention", "mutual-help", "family", "emotions", "medication"]


def import_pool(rng):
    """(date, kind, topic, status) of sessions an import may add, each used
    once: the import skips a row with the date, kind, topic and status of a
    session already recorded (the attends record individual sessions)."""
    pool = []
    day = 0
    for month in range(1, 11):
        for dom in range(5, 29):
            date = f"2026-{month:02d}-{dom:02d}"
            for status in ("attended", "absent", "excused"):
                pool.append((date, "family", "", status))
                pool += [(date, "group", t, status) for t in TOPICS]
            day += 1
    rng.shuffle(pool)
    return pool


def import_csv(path, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "date", "kind", "topic", "status", "note"])
    for pid, (date, kind, topic, status), note in rows:
        w.writerow([pid, date, kind, topic, status, note])
    path.write_text(buf.getvalue())


def launch(args, delay):
    """Starts iop, SIGKILLs it after `delay` seconds unless it has ended;
    returns its exit status (negative: killed)."""
    p = subprocess.Popen(args, env=env_for(), stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline:
        if p.poll() is not None:
            break
        time.sleep(min(0.0005, max(0.0, deadline - time.monotonic())))
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
    err = p.stderr.read()
    p.wait()
    if p.returncode > 0:
        raise Failure(f"{args} failed with {p.returncode}: {err!r}")
    return p.returncode


def median_runtime(args_for, n=7):
    times = []
    for i in range(n):
        start = time.monotonic()
        subprocess.run(args_for(i), env=env_for(), check=True, capture_output=True)
        times.append(time.monotonic() - start)
    return sorted(times)[n // 2]


class State:
    """What every record must hold: its bytes after the last verified step,
    and every note that a finished write must have left in it."""

    def __init__(self, d):
        self.d = d
        self.bytes = {pid: record_path(d, pid).read_bytes() for pid in PATIENTS}
        self.notes = {pid: sessions_of(tomllib.loads(self.bytes[pid].decode()))
                      for pid in PATIENTS}

    def verify(self, what, pending, finished):
        """pending: pid -> notes the interrupted (or finished) command adds to
        that record, all or none. finished: the command exited 0. Returns
        the pids whose record changed."""
        changed = []
        for pid in PATIENTS:
            new = record_path(self.d, pid).read_bytes()
            old = self.bytes[pid]
            want = pending.get(pid, [])
            try:
                data = tomllib.loads(new.decode())
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
                raise Failure(f"{what}: patients/{pid}.toml does not parse: {e}\n{new!r}")
            notes = sessions_of(data)
            if new == old:
                if finished and want:
                    raise Failure(f"{what} exited 0 but patients/{pid}.toml lacks {want}")
                continue
            if not new.startswith(old):
                raise Failure(f"{what}: patients/{pid}.toml was rewritten, not appended to")
            if notes != self.notes[pid] + want:
                raise Failure(f"{what}: patients/{pid}.toml gained {notes[len(self.notes[pid]):]}"
                              f", expected all of {want} or nothing")
            self.bytes[pid], self.notes[pid] = new, notes
            changed.append(pid)
        return changed


def check_reports(d, trial):
    """iop check: no record-invalid; a stale-temp finding for exactly the
    temporary files on disk."""
    r = run("-C", d, "check", "--rule", "record-invalid", "--rule", "stale-temp")
    if r.code != 0 or r.err:
        raise Failure(f"trial {trial}: iop check failed:\n{r!r}")
    not_contains = "record-invalid"
    check(not_contains not in r.out, f"trial {trial}: record-invalid after a kill:\n{r.out}")
    reported = sorted(line.split(":")[0] for line in r.out.splitlines())
    eq(reported, temps(d), f"trial {trial}: stale-temp findings vs temporary files on disk")
    for line in r.out.splitlines():
        check(line.endswith("[stale-temp]") and ": warning: " in line,
              f"trial {trial}: unexpected finding {line!r}")


@case
def sigkill_at_random_moments(tmp):
    seed = int(os.environ.get("IOP_CRASH_SEED", random.SystemRandom().randrange(1 << 30)))
    print(f"  seed {seed} (IOP_CRASH_SEED={seed} replays it), {TRIALS} trials")
    rng = random.Random(seed)
    d = clinic(tmp)
    csv_path = tmp / "import.csv"
    # How long each command takes here, so kills land anywhere in its run.
    t_attend = median_runtime(lambda i: attend_args(d, "P-0003", f"calibrate-attend-{i}", "2026-01-05"))
    pool = import_pool(rng)

    def calibration_import(i):
        import_csv(csv_path, [(pid, pool.pop(), f"calibrate-{i}") for pid in PATIENTS])
        return [IOP, "-q", "-C", str(d), "import", str(csv_path)]

    t_import = median_runtime(calibration_import)
    print(f"  median run: attend {t_attend * 1000:.1f} ms, import {t_import * 1000:.1f} ms")
    state = State(d)
    stats = {"killed": 0, "finished": 0, "imports completed by re-run": 0,
             "cleaned": 0}
    seen_temps = set()
    started = time.monotonic()
    for trial in range(TRIALS):
        if rng.random() < 0.75:
            pid = rng.choice(PATIENTS)
            note = f"t{trial}"
            pending = {pid: [note]}
            args = attend_args(d, pid, note, date_for(rng))
            delay = rng.uniform(0, 1.3 * t_attend)
            what = f"trial {trial} (attend {pid}, kill after {delay * 1000:.1f} ms)"
        else:
            rows, pending = [], {}
            for pid in rng.sample(PATIENTS, rng.randint(1, len(PATIENTS))):
                for k in range(rng.randint(1, 3)):
                    note = f"t{trial}-{k}"
                    rows.append((pid, pool.pop(), note))
                    pending.setdefault(pid, []).append(note)
            import_csv(csv_path, rows)
            args = [IOP, "-q", "-C", str(d), "import", str(csv_path)]
            delay = rng.uniform(0, 1.3 * t_import)
            what = f"trial {trial} (import of {len(rows)} rows, kill after {delay * 1000:.1f} ms)"
        code = launch(args, delay)
        finished = code == 0
        stats["finished" if finished else "killed"] += 1
        changed = state.verify(what, pending, finished)
        if not finished and args[4] == "import" and changed and set(changed) != set(pending):
            # Killed between the renames of a multi-file import: some files
            # are new, some old. Running it again completes it, adding
            # nothing twice (the import skips rows already recorded).
            r = run("-C", d, "import", csv_path)
            eq(r.code, 0, f"{what}: the re-run of the import\n{r!r}")
            state.verify(f"{what}, re-run", {p: n for p, n in pending.items()
                                             if p not in changed}, True)
            stats["imports completed by re-run"] += 1
        left = temps(d)
        seen_temps.update(left)
        check_reports(d, trial)
        if left and (trial % 50 == 0 or len(left) > 5):
            # The record cache, which the checks above may have written, goes too.
            had_cache = (d / ".iop.cache").exists()
            r = ok("-C", d, "check", "--clean", "--rule", "stale-temp")
            eq(sorted(line.removeprefix("removed ") for line in r.out.splitlines()),
               sorted(left + ([".iop.cache"] if had_cache else [])),
               f"trial {trial}: iop check --clean names what it removed")
            check(not (d / ".iop.cache").exists(), f"trial {trial}: no record cache after --clean")
            eq(temps(d), [], f"trial {trial}: no temporary file after --clean")
            stats["cleaned"] += len(left)
        if trial % 100 == 99:
            # Temporary files are never picked up as patients.
            r = ok("-C", d, "list", "--status", "all", "--format", "json")
            eq(sorted(p["id"] for p in json.loads(r.out)), PATIENTS, f"trial {trial}: list")
    took = time.monotonic() - started
    stats["temporary files left"] = len(seen_temps)
    print(f"  {TRIALS} trials in {took:.1f} s: " +
          ", ".join(f"{v} {k}" for k, v in stats.items()))
    check(stats["killed"] >= TRIALS // 10, f"too few runs were killed to test anything: {stats}")
    check(stats["finished"] >= TRIALS // 10, f"too few runs finished: {stats}")
    # The end state: clean up, then every record is valid for iop too.
    ok("-C", d, "check", "--clean", "-q", "--rule", "stale-temp")
    eq(temps(d), [], "no temporary file left")
    for pid in PATIENTS:
        r = ok("-C", d, "show", pid, "--format", "json")
        got = [s.get("note") for s in tomllib.loads(record_path(d, pid).read_text())
               .get("session", [])]
        eq(got, state.notes[pid], f"{pid}: every session in order")
        eq(len(got), len(set(got)), f"{pid}: no session twice")


@case
def leftover_temp_files_are_ignored_reported_and_removable(tmp):
    d = clinic(tmp)
    ok("-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-01-06")
    full = record_path(d, "P-0001").read_bytes()
    # What a kill after the write and before the rename leaves: a complete
    # copy with the new entry, and one cut in the middle of an entry.
    half = full[: len(full) - 40]
    leftovers = {"patients/.P-0001.toml.tmp-Ab3dE9": full + b"\n[[session]]\ndate = 2026-01-07\n",
                 "patients/.P-0002.toml.tmp-zz09QQ": half,
                 "patients/.P-0099.toml.tmp-Q1w2E3": full.replace(b"P-0001", b"P-0099"),
                 ".program.toml.tmp-a1B2c3": b"schema_version = 1\n[weeks]\nmin = "}
    for name, data in leftovers.items():
        (d / name).write_bytes(data)
        os.chmod(d / name, 0o600)
    before = {p: record_path(d, p).read_bytes() for p in PATIENTS}

    # Readers ignore them: no patient P-0099, P-0001 as it is.
    r = ok("-C", d, "list", "--status", "all", "--format", "json")
    eq(sorted(p["id"] for p in json.loads(r.out)), PATIENTS, "list")
    r = run("-C", d, "show", "P-0099")
    eq(r.code, 1, f"P-0099 exists only as a temporary file\n{r!r}")
    r = ok("-C", d, "export", "--format", "json")
    not_in = "P-0099"
    check(not_in not in r.out, "export ignores temporary files")
    # Writers too: the next append starts from the real file.
    ok("-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-01-08")
    eq(record_path(d, "P-0001").read_bytes()[: len(before["P-0001"])], before["P-0001"],
       "the append starts from the record, not from a leftover")

    # check names each one, as a warning (exit 0).
    r = run("-C", d, "check", "--rule", "stale-temp")
    eq(r.code, 0, f"stale-temp is a warning\n{r!r}")
    lines = r.out.splitlines()
    eq(sorted(line.split(":")[0] for line in lines), sorted(leftovers), "one finding a file")
    for line in lines:
        contains(line, ": warning: leftover temporary file of an interrupted write")
        contains(line, "iop check --clean")
        check(line.endswith("[stale-temp]"), f"rule id in {line!r}")
    # With ids: only theirs.
    r = run("-C", d, "check", "P-0002", "--rule", "stale-temp")
    eq(r.out.splitlines(), ["patients/.P-0002.toml.tmp-zz09QQ: warning: leftover temporary file "
                            "of an interrupted write, ignored by iop; remove it with 'iop check "
                            "--clean' [stale-temp]"], "check P-0002")
    r = run("-C", d, "check", "--rule", "stale-temp", "--format", "json")
    data = json.loads(r.out)
    eq(sorted(f["file"] for f in data["files"]), sorted(leftovers), "json files")
    eq({(f["severity"], f["rule"]) for f in data["files"]}, {("warning", "stale-temp")}, "json")
    # --severity error hides them.
    eq(run("-C", d, "check", "--rule", "stale-temp", "--severity", "error").out, "", "errors only")

    # Not while a writer holds the lock: its temporary file may be a write in progress.
    import fcntl
    fd = os.open(d / ".iop.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        eq(run("-C", d, "check", "--rule", "stale-temp").out, "", "nothing while locked")
        r = run("-C", d, "check", "--clean", "--wait", "0.2")
        eq(r.code, 75, f"--clean waits for the lock, then exits 75\n{r!r}")
        eq(sorted(temps(d)), sorted(leftovers), "nothing removed while locked")
    finally:
        os.close(fd)

    # --clean removes exactly them, under the lock, and says so.
    (d / "patients" / "README").write_text("not a record\n")
    had_cache = (d / ".iop.cache").exists()
    r = ok("-C", d, "check", "--clean", "--rule", "stale-temp")
    eq(sorted(r.out.splitlines()),
       sorted([f"removed {n}" for n in leftovers] + (["removed .iop.cache"] if had_cache else [])),
       "removed lines")
    check(not (d / ".iop.cache").exists(), "the record cache is removed too, and not rewritten")
    eq(temps(d), [], "no temporary file left")
    check((d / "patients" / "README").exists(), "other files stay")
    eq(run("-C", d, "check", "--rule", "stale-temp").out, "", "nothing left to report")
    r = ok("-C", d, "check", "--clean", "--rule", "stale-temp")
    # No temporary file is left to remove: at most the record cache, which
    # the check just above may have written again.
    eq([line for line in r.out.splitlines() if line != "removed .iop.cache"], [],
       "a second --clean has nothing to do")


if __name__ == "__main__":
    main()
