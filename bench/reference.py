#!/usr/bin/env python3
"""The Python reference of the benchmark (bench/run): what a coordinator would
write instead of using iop.

    bench/reference.py DIR [--today YYYY-MM-DD]

Reads every DIR/patients/*.toml with the standard library's tomllib and
computes the group-frequency rule of SPEC section 5 for every patient: each
complete treatment week, judged by the plan in force on its first day, must
hold at least groups_per_week attended group sessions (a shortfall that
the week's excused group sessions would cover is a warning). It prints a
finding for each active patient in the format of `iop check --rule group-frequency`,
so that bench/run can compare the two outputs line for line.

One rule out of thirteen, no validation, no positions: far less than iop
check does, which is what makes it a fair "at least this fast" reference.
"""

import datetime
import os
import sys
import tomllib

PLAN_KEYS = ("weeks", "groups_per_week", "individual_per_week", "family_per_week")


def plan_changes(events):
    """(date, {key: value}) for each plan-change event, in file order."""
    out = []
    for e in events:
        if e.get("type") != "plan-change":
            continue
        keys = {k: e[k] for k in PLAN_KEYS if k in e}
        keys.update({k: v for k, v in e.get("plan", {}).items() if k in PLAN_KEYS})
        out.append((e["date"], keys))
    return out


def group_frequency(record, today):
    """(active, [(week, attended, excused, planned groups)]) for one record."""
    enrolled = record["enrolled"]
    events = [e for e in record.get("event", []) if e["date"] <= today]
    ended = None
    for e in events:
        if e.get("type") in ("graduated", "discharged"):
            ended = e["date"]
            break
    judged_on = ended if ended is not None and ended < today else today
    elapsed = (judged_on - enrolled).days
    weeks = elapsed // 7 + 1 if elapsed >= 0 else 0

    changes = [c for c in plan_changes(events) if c[0] <= judged_on]
    header_plan = record["plan"]
    groups = [0] * (weeks + 1)
    excused = [0] * (weeks + 1)
    for s in record.get("session", []):
        d = s["date"]
        status = s.get("status")
        if s.get("kind") != "group" or status not in ("attended", "excused"):
            continue
        if d < enrolled or d > judged_on:
            continue
        k = (d - enrolled).days // 7 + 1
        if 1 <= k <= weeks:
            (groups if status == "attended" else excused)[k] += 1

    shortfalls = []
    for k in range(1, weeks + 1):
        first = enrolled + datetime.timedelta(days=7 * (k - 1))
        last = first + datetime.timedelta(days=6)
        if not last < judged_on:
            continue
        planned = header_plan["groups_per_week"]
        for date, keys in changes:
            if date <= first and "groups_per_week" in keys:
                planned = keys["groups_per_week"]
        if planned > 0 and groups[k] < planned:
            shortfalls.append((k, groups[k], excused[k], planned))
    return ended is None, shortfalls


def main(argv):
    args = [a for a in argv[1:]]
    today = datetime.date.today()
    if "--today" in args:
        i = args.index("--today")
        today = datetime.date.fromisoformat(args[i + 1])
        del args[i : i + 2]
    if len(args) != 1:
        print("usage: reference.py DIR [--today YYYY-MM-DD]", file=sys.stderr)
        return 2
    patients = os.path.join(args[0], "patients")
    out = []
    files = findings = 0
    for name in sorted(os.listdir(patients)):
        if not name.endswith(".toml"):
            continue
        with open(os.path.join(patients, name), "rb") as f:
            record = tomllib.load(f)
        files += 1
        active, shortfalls = group_frequency(record, today)
        if not active:
            continue
        for week, n, excused, planned in shortfalls:
            noun = "group session" if n + excused == 1 else "group sessions"
            had = f"{n} attended and {excused} excused" if excused else f"{n}"
            severity = "warning" if n + excused >= planned else "error"
            out.append(
                f"patients/{name}: {severity}: week {week} had {had} {noun}, "
                f"plan is {planned} [group-frequency]\n"
            )
            findings += 1
    sys.stdout.write("".join(out))
    print(f"reference: {files} files, {findings} group-frequency findings", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
