"""8 processes x 50 `iop attend` on one patient: every run succeeds, no write
is lost, and the file parses (tomllib) with exactly 400 sessions."""

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

WRITERS = 8
EACH = 50
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


if __name__ == "__main__":
    main()
