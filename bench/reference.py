#!/usr/bin/env python3
"""The Python reference of the benchmark (bench/run): what a coordinator would
write instead of using iop.

    bench/reference.py DIR [--today YYYY-MM-DD]

Reads every DIR/patients/*.toml with the standard library's tomllib and
computes, for every active patient, the group-frequency rule of SPEC section 5
(each complete treatment week, judged by the plan in force on its first day,
must hold at least groups_per_week attended group sessions; a shortfall that
the week's excused group sessions would cover is a warning) and the four
treatment plan rules of SPEC section 12 (plan-goals, plan-unsigned,
objective-due, objective-unaddressed, with DIR/program.toml's [plan] days),
and the graduation criteria objectives and signed-plan. It prints the
findings in the format of `iop check --rule group-frequency --rule
plan-goals --rule plan-unsigned --rule objective-due --rule
objective-unaddressed`, so that bench/run can compare the two outputs line
for line; with --criteria, one line a patient with the two criteria instead
(`P-00001 objectives met|unmet DETAIL; signed-plan met|unmet DETAIL`).

Five rules out of seventeen, no validation, no positions, no voids (the
generated records hold none): far less than iop check does, which is what
makes it a fair "at least this fast" reference.
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


PLAN_RULES = ("plan-goals", "plan-unsigned", "objective-due", "objective-unaddressed")


def days_text(n):
    return f"{n} day" if n == 1 else f"{n} days"


def file_order(text, record):
    """The journal in file order: tomllib groups the arrays of tables by
    kind, the table headers in the text give their order."""
    kinds = {"[[session]]": "session", "[[screen]]": "screen", "[[medication]]": "medication",
             "[[event]]": "event", "[[goal]]": "goal", "[[objective]]": "objective"}
    seen = {k: 0 for k in kinds.values()}
    out = []
    for line in text.splitlines():
        kind = kinds.get(line.strip())
        if kind:
            out.append((kind, record[kind][seen[kind]]))
            seen[kind] += 1
    return out


def is_adolescent(record):
    born, enrolled = record.get("born"), record["enrolled"]
    if born is None:
        return False
    age = enrolled.year - born.year - ((enrolled.month, enrolled.day) < (born.month, born.day))
    return age < 18


def makes_version(kind, e):
    if kind == "goal":
        return e["action"] in ("add", "revise", "dropped")
    if kind == "objective":
        return e["action"] in ("add", "revise", "dropped")
    return kind == "event" and e.get("type") == "plan-change"


def treatment_plan(record, journal, today):
    """The plan as the engine folds it (src/treatment_plan.cpp), entries
    dated after today left out."""
    live = [(k, e) for k, e in journal if e["date"] <= today]
    if any(k == "event" and e.get("type") == "void" for k, e in live):
        raise SystemExit("reference.py: voids are not supported")
    version, version_date, signatures = 1, record["enrolled"], []
    for kind, e in live:
        if makes_version(kind, e):
            version, version_date, signatures = version + 1, e["date"], []
        elif kind == "event" and e.get("type") == "signature":
            signatures.append(e)
    missing = []
    for role in ("patient", "clinician", "guardian"):
        if role == "guardian" and not is_adolescent(record):
            continue
        if not any(s["role"] == role and (not s.get("declined", False) or role == "patient")
                   for s in signatures):
            missing.append(role)

    goals = {}  # ref -> {"open", "objectives": {ref: state}}, in the order added
    objective_added = False
    for kind, e in live:
        if kind == "goal":
            if e["action"] == "add":
                goals[e["ref"]] = {"open": True, "objectives": {}}
            elif e["action"] in ("achieved", "dropped") and e["ref"] in goals:
                g = goals[e["ref"]]
                g["open"] = False
                for o in g["objectives"].values():
                    o["open"] = False
        elif kind == "objective":
            goal = goals.get(e["ref"].rsplit(".", 1)[0])
            if e["action"] == "add":
                objective_added = True
                if goal is not None:
                    goal["objectives"][e["ref"]] = {
                        "ref": e["ref"], "added": e["date"], "target": e["target"],
                        "open": goal["open"], "last": None}
                continue
            o = goal["objectives"].get(e["ref"]) if goal else None
            if o is None:
                continue
            if e["action"] == "revise" and "target" in e:
                o["target"] = e["target"]
            elif e["action"] in ("achieved", "not-achieved", "dropped"):
                o["open"] = False
    objectives = {ref: o for g in goals.values() for ref, o in g["objectives"].items()}
    for kind, e in live:
        if kind != "session" or e.get("status") != "attended":
            continue
        for ref in e.get("objectives", []):
            o = objectives.get(ref)
            if o is not None and e["date"] >= o["added"] and (o["last"] is None
                                                              or o["last"] < e["date"]):
                o["last"] = e["date"]
    open_objectives = [o for o in objectives.values() if o["open"]]
    return {"version": version, "version_date": version_date, "missing": missing,
            "goals": goals, "objective_added": objective_added, "open": open_objectives}


def missing_text(roles):
    if len(roles) == 1:
        return f"{roles[0]} signature"
    return ", ".join(roles[:-1]) + f" and {roles[-1]} signatures"


def plan_findings(record, tp, today, days):
    """(rule, message) of the four rules, in the order iop check prints them."""
    enrolled = record["enrolled"]
    out = []
    elapsed = (today - enrolled).days
    if not tp["objective_added"] and elapsed > days["goals_within_days"]:
        out.append(("plan-goals",
                    f"no objective in the treatment plan {days_text(elapsed)} after enrollment "
                    f"on {enrolled}, plan due within {days['goals_within_days']} days"))
    if tp["missing"] and (today - tp["version_date"]).days > days["sign_within_days"]:
        made = f"enrollment {enrolled}" if tp["version"] == 1 else f"{tp['version_date']}"
        out.append(("plan-unsigned",
                    f"plan version {tp['version']} ({made}) lacks the "
                    f"{missing_text(tp['missing'])}, due within {days['sign_within_days']} days"))
    for o in tp["open"]:
        if o["target"] < today:
            out.append(("objective-due",
                        f"objective {o['ref']} was due on {o['target']} and is still open"))
    every = days["objective_unaddressed_days"]
    for o in tp["open"]:
        addressed = o["last"] is not None and o["last"] > o["added"]
        since = o["last"] if addressed else o["added"]
        n = (today - since).days
        if n > every:
            out.append(("objective-unaddressed",
                        f"objective {o['ref']} not addressed in a session for {days_text(n)} "
                        f"(since {since if addressed else f'added {since}'}), address it every "
                        f"{every} days"))
    return out


def criteria(tp):
    """The graduation criteria objectives and signed-plan: (met, detail) each."""
    goals = tp["goals"]
    refs = [o["ref"] for o in tp["open"]]
    if not goals:
        objectives = (False, "no goal in the treatment plan")
    elif refs:
        noun = "objective" if len(refs) == 1 else "objectives"
        objectives = (False, f"{len(refs)} {noun} open: {', '.join(refs)}")
    else:
        noun = "goal" if len(goals) == 1 else "goals"
        objectives = (True, f"{len(goals)} {noun} in the treatment plan, no objective open")
    if tp["missing"]:
        signed = (False, f"plan version {tp['version']} lacks the {missing_text(tp['missing'])}")
    else:
        signed = (True, f"plan version {tp['version']} signed")
    return objectives, signed


def plan_days(directory):
    days = {"goals_within_days": 7, "sign_within_days": 7, "objective_unaddressed_days": 14}
    with open(os.path.join(directory, "program.toml"), "rb") as f:
        days.update(tomllib.load(f).get("plan", {}))
    return days


def main(argv):
    args = [a for a in argv[1:]]
    today = datetime.date.today()
    if "--today" in args:
        i = args.index("--today")
        today = datetime.date.fromisoformat(args[i + 1])
        del args[i : i + 2]
    want_criteria = "--criteria" in args
    if want_criteria:
        args.remove("--criteria")
    if len(args) != 1:
        print("usage: reference.py DIR [--today YYYY-MM-DD] [--criteria]", file=sys.stderr)
        return 2
    days = plan_days(args[0])
    patients = os.path.join(args[0], "patients")
    out = []
    files = findings = 0
    for name in sorted(os.listdir(patients)):
        if not name.endswith(".toml"):
            continue
        with open(os.path.join(patients, name), "rb") as f:
            data = f.read()
        record = tomllib.loads(data.decode("utf-8"))
        files += 1
        active, shortfalls = group_frequency(record, today)
        if not active:
            continue
        tp = treatment_plan(record, file_order(data.decode("utf-8"), record), today)
        if want_criteria:
            (om, od), (sm, sd) = criteria(tp)
            out.append(f"{record['id']} objectives {'met' if om else 'unmet'} {od}; "
                       f"signed-plan {'met' if sm else 'unmet'} {sd}\n")
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
        for rule, message in plan_findings(record, tp, today, days):
            out.append(f"patients/{name}: warning: {message} [{rule}]\n")
            findings += 1
    sys.stdout.write("".join(out))
    if not want_criteria:
        print(f"reference: {files} files, {findings} findings", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
