"""Concurrent writers under the directory lock. 8 processes x 50 `iop attend`
on one patient: every run succeeds, no write is lost, and the file parses
(tomllib) with exactly 400 sessions. 16 processes x 100 appends spread over 4
patients while `iop check`, `iop list` and `iop import` run over and over:
exactly 1,600 new entries plus the imported rows once, none lost or doubled.
(A lock held too long, exit 75: test_lock.py.)

IOP_CONCURRENCY_SCALE=N (default 1) divides the appends of every writer by N:
the sanitizer run (./setup test) uses fewer, since every process there
starts several times slower."""

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (IOP, case, check, enroll, env_for, eq, load_toml, main, make_clinic, ok,
                  record_path)

SCALE = max(1, int(os.environ.get("IOP_CONCURRENCY_SCALE", "1")))
WRITERS = 8
EACH = 50 // SCALE
START = dt.date(2026, 1, 5)
KINDS = [("group", "illness"), ("individual", None), ("family", None), ("group", "stress")]


def planned(w, i):
    n = w * EACH + i
    kind, topic = KINDS[n % len(KINDS)]
    return (START + dt.timedelta(days=n % 300), kind, topic, f"w{w}-i{i}")


def writer(d, w, results, barrier):
    env = env_for()
    barrier.wait()
    for i in range(EACH):
        date, kind, topic, note = planned(w, i)
        args = [IOP, "-q", "-C", str(d), "--wait", "60", "attend", "P-0001", "--kind", kind,
                "--date", date.isoformat(), "--note", note, "--allow-duplicate"]
        if topic:
            args += ["--topic", topic]
        p = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        results.append((w, i, p.returncode, p.stdout, p.stderr))


@case
def eight_writers_fifty_sessions_each(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", START.isoformat())
    results = []
    barrier = threading.Barrier(WRITERS)
    threads = [threading.Thread(target=writer, args=(d, w, results, barrier))
               for w in range(WRITERS)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - start
    print(f"  {WRITERS * EACH} concurrent attends took {took:.1f} s")
    eq(len(results), WRITERS * EACH, "runs")
    bad = [r for r in results if r[2] != 0 or r[3] or r[4]]
    check(not bad, f"{len(bad)} runs failed or printed something, e.g. {bad[:3]}")

    rec = load_toml(record_path(d))
    sessions = rec.get("session", [])
    eq(len(sessions), WRITERS * EACH, "sessions in the file")
    got = sorted((s["date"], s["kind"], s.get("topic"), s["note"]) for s in sessions)
    want = sorted(planned(w, i) for w in range(WRITERS) for i in range(EACH))
    eq(got, want, "every session written exactly once")
    for w in range(WRITERS):
        notes = [s["note"] for s in sessions if s["note"].startswith(f"w{w}-")]
        eq(notes, [f"w{w}-i{i}" for i in range(EACH)], f"writer {w}'s sessions in file order")
    eq(rec["id"], "P-0001", "the header survives")
    eq(sorted(os.listdir(d / "patients")), ["P-0001.toml"], "no temporary files left")
    # iop itself still reads the file
    r = ok("-C", d, "show", "P-0001", "--format", "json")
    check('"P-0001"' in r.out, "show after the concurrent writes")
    check(took < 240, f"the concurrent writes took {took:.1f} s")


# ---------------------------------------------------------------- 16 x 100 over 4 patients

MANY_WRITERS = 16
MANY_EACH = 100 // SCALE
PATIENTS = ["P-0001", "P-0002", "P-0003", "P-0004"]
IMPORT_ROWS = 24


def spread(w, i):
    """The patient, date and note of writer w's i-th append."""
    n = w * MANY_EACH + i
    return PATIENTS[n % len(PATIENTS)], START + dt.timedelta(days=n % 300), f"w{w}-i{i}"


def import_rows():
    # family sessions marked excused: never the date, kind, topic and status
    # of an attend below (individual, attended), so never skipped for one
    return [(PATIENTS[k % len(PATIENTS)], START + dt.timedelta(days=k), f"imp-{k}")
            for k in range(IMPORT_ROWS)]


def spread_writer(d, w, results, barrier):
    env = env_for()
    barrier.wait()
    for i in range(MANY_EACH):
        pid, date, note = spread(w, i)
        p = subprocess.run([IOP, "-q", "-C", str(d), "--wait", "120", "attend", pid, "--kind",
                            "individual", "--date", date.isoformat(), "--note", note,
                            "--allow-duplicate"], env=env, capture_output=True, text=True,
                           timeout=180)
        results.append(("attend", w, i, p.returncode, p.stdout, p.stderr))


def until_done(done, results, label, args, ok_codes):
    env = env_for()
    while not done.is_set():
        p = subprocess.run(args, env=env, capture_output=True, text=True, timeout=180)
        if p.returncode not in ok_codes or p.stderr:
            results.append((label, p.returncode, p.stdout, p.stderr))
        else:
            results.append((label, 0, p.stdout, ""))
        done.wait(0.05)


@case
def sixteen_writers_four_patients_with_checks_and_imports(tmp):
    d = make_clinic(tmp)
    for pid in PATIENTS:
        enroll(d, pid, f"Patient {pid}", START.isoformat())
    csv = tmp / "sessions.csv"
    csv.write_text("id,date,kind,status,note\n" + "".join(
        f"{pid},{date.isoformat()},family,excused,{note}\n" for pid, date, note in import_rows()))
    results, side = [], []
    barrier = threading.Barrier(MANY_WRITERS)
    done = threading.Event()
    threads = [threading.Thread(target=spread_writer, args=(d, w, results, barrier))
               for w in range(MANY_WRITERS)]
    # Readers never wait for the lock and never see a half-written file or a
    # write in progress as a leftover; imports take their turn at the lock.
    others = [threading.Thread(target=until_done, args=(
                  done, side, "check",
                  [IOP, "-C", str(d), "check", "--rule", "record-invalid", "--rule",
                   "stale-temp"], (0,))),
              threading.Thread(target=until_done, args=(
                  done, side, "import", [IOP, "-q", "-C", str(d), "--wait", "120", "import",
                                         str(csv)], (0,))),
              threading.Thread(target=until_done, args=(
                  done, side, "list", [IOP, "-C", str(d), "list", "--format", "json"], (0,)))]
    start = time.monotonic()
    for t in threads + others:
        t.start()
    for t in threads:
        t.join()
    done.set()
    for t in others:
        t.join()
    took = time.monotonic() - start
    runs = {k: sum(1 for r in side if r[0] == k) for k in ("check", "import", "list")}
    print(f"  {MANY_WRITERS * MANY_EACH} appends by {MANY_WRITERS} processes, with "
          f"{runs['check']} checks, {runs['import']} imports and {runs['list']} lists, "
          f"took {took:.1f} s")
    bad = [r for r in results if r[3] != 0 or r[4] or r[5]]
    check(not bad, f"{len(bad)} appends failed or printed something, e.g. {bad[:3]}")
    eq(len(results), MANY_WRITERS * MANY_EACH, "appends run")
    bad = [r for r in side if r[1] != 0 or (r[0] == "check" and r[2])]
    check(not bad, f"{len(bad)} checks or imports failed or reported something, e.g. {bad[:3]}")
    check(runs["import"] >= 2 and runs["check"] >= 2, f"too few imports or checks: {runs}")

    total = 0
    for pid in PATIENTS:
        rec = load_toml(record_path(d, pid))
        notes = [s["note"] for s in rec.get("session", [])]
        want_attends = [note for w in range(MANY_WRITERS) for i in range(MANY_EACH)
                        for p, _, note in [spread(w, i)] if p == pid]
        want_imports = [note for p, _, note in import_rows() if p == pid]
        eq(sorted(notes), sorted(want_attends + want_imports),
           f"{pid}: every append and imported row exactly once")
        for w in range(MANY_WRITERS):
            mine = [n for n in notes if n.startswith(f"w{w}-")]
            eq(mine, [n for n in want_attends if n.startswith(f"w{w}-")],
               f"{pid}: writer {w}'s appends in the order it made them")
        total += sum(1 for n in notes if n.startswith("w"))
    eq(total, MANY_WRITERS * MANY_EACH, "new entries from the appends")
    eq(sorted(os.listdir(d / "patients")), [f"{p}.toml" for p in PATIENTS],
       "no temporary files left")
    r = ok("-C", d, "check", "--rule", "record-invalid", "--rule", "stale-temp")
    eq(r.out, "", "every record valid, nothing left over")


if __name__ == "__main__":
    main()
