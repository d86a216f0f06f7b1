#!/usr/bin/env python3
"""The benchmark's generated clinics (bench/gen.cpp, docs/benchmarks.md): a
closures.toml that iop reads, sessions held on open weekdays only, excused
absences with their reason, a deterministic prefix, and the Python reference
(bench/reference.py) agreeing with `iop check` in the weeks that closures
lowered. The generator is built beside iop unless IOP_BUILD_BENCH is off;
these cases say they skipped when it is not there."""

import datetime
import os
import subprocess
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from iopt import SOURCE_DIR, case, check, contains, eq, main, run  # noqa: E402

GEN = Path(os.environ.get("IOP_BUILD_DIR", "build")) / "bench" / "iop_bench_gen"
BENCH_TODAY = "2026-12-01"
RULES = ["group-frequency", "plan-goals", "plan-unsigned", "objective-due",
         "objective-unaddressed", "asam-reassess", "asam-unaddressed", "level-of-care",
         "auth-missing", "auth-units", "auth-expiring", "certification"]


def generate(tmp, n, name=None):
    if not GEN.exists():
        return None
    d = tmp / (name or f"clinic-{n}")
    subprocess.run([GEN, "--today", BENCH_TODAY, str(n), d], check=True, capture_output=True)
    return d


def closed_dates(d):
    """The closed dates of closures.toml as SPEC section 10 defines them."""
    closed = set()
    with open(d / "closures.toml", "rb") as f:
        for e in tomllib.load(f)["closure"]:
            day = e["from"]
            while day <= e["to"]:
                (closed.add if e["action"] == "add" else closed.discard)(day)
                day += datetime.timedelta(days=1)
    return closed


@case
def closures_load_and_sessions_fall_on_open_weekdays(tmp):
    d = generate(tmp, 300)
    if d is None:
        print(f"  SKIPPED: {GEN} not built (IOP_BUILD_BENCH=OFF)")
        return
    r = run("-C", d, "closure", "list", "--all", today=BENCH_TODAY)
    eq(r.code, 0, f"iop closure list reads the generated closures.toml\n{r!r}")
    for reason in ("Thanksgiving", "Martin Luther King Jr. Day", "Staff training day"):
        contains(r.out, reason, "closure list")
    with open(d / "closures.toml", "rb") as f:
        actions = {e["action"] for e in tomllib.load(f)["closure"]}
    eq(actions, {"add", "cancel"}, "closure actions")
    r = run("-C", d, "export", today=BENCH_TODAY)
    eq((r.code, r.err), (0, ""), "every generated record loads (iop export)")
    closed = closed_dates(d)
    sessions = excused = 0
    reasons = set()
    for path in sorted((d / "patients").glob("*.toml")):
        with open(path, "rb") as f:
            record = tomllib.load(f)
        check(record["enrolled"].weekday() < 5, f"{path.name} enrolled on a weekend")
        for s in record.get("session", []):
            sessions += 1
            check(s["date"].weekday() < 5, f"{path.name}: a session on a weekend: {s}")
            check(s["date"] not in closed, f"{path.name}: a session on a closed day: {s}")
            if s["status"] == "excused" and "note" in s:
                excused += 1
                reasons.add(s["note"])
    check(sessions > 10000, f"sessions: {sessions}")
    check(excused > 50, f"excused sessions with their reason: {excused}")
    check({"court date", "sick; doctor's note on file"} <= reasons, f"reasons: {reasons}")


@case
def a_smaller_clinic_is_a_prefix_of_a_larger_one(tmp):
    small, large = generate(tmp, 40), generate(tmp, 120)
    if small is None:
        print(f"  SKIPPED: {GEN} not built (IOP_BUILD_BENCH=OFF)")
        return
    eq((small / "closures.toml").read_bytes(), (large / "closures.toml").read_bytes(),
       "closures.toml")
    for path in sorted((small / "patients").glob("*.toml")):
        eq(path.read_bytes(), (large / "patients" / path.name).read_bytes(), path.name)


@case
def reference_agrees_with_check_in_weeks_lowered_by_closures(tmp):
    d = generate(tmp, 1000)
    if d is None:
        print(f"  SKIPPED: {GEN} not built (IOP_BUILD_BENCH=OFF)")
        return
    r = run("-C", d, "check", *[x for rule in RULES for x in ("--rule", rule)],
            today=BENCH_TODAY)
    ref = subprocess.run([sys.executable, SOURCE_DIR / "bench" / "reference.py", d, "--today",
                          BENCH_TODAY], capture_output=True, text=True)
    eq(ref.stdout, r.out, "reference.py against iop check")
    lowered = r.out.count("group days closed") + r.out.count("a week with a closure")
    check(lowered > 0, "weeks that closures lowered are among the compared findings")


if __name__ == "__main__":
    main()
