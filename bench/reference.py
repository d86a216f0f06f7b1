#!/usr/bin/env python3
"""The Python reference of the benchmark (bench/run): what a coordinator would
write instead of using iop.

    bench/reference.py DIR [--today YYYY-MM-DD]

Reads every DIR/patients/*.toml with the standard library's tomllib and
computes, for every active patient, the group-frequency rule of SPEC section 5
(each complete treatment week, judged by the plan in force on its first day,
must hold at least groups_per_week attended group sessions, or with a closed
date min(groups_per_week, open group days) and nothing in a week without an
open program day, from DIR/program.toml's [calendar] and DIR/closures.toml
as SPEC section 10 defines them; a shortfall that the week's excused group
sessions would cover is a warning) and the four
treatment plan rules of SPEC section 12 (plan-goals, plan-unsigned,
objective-due, objective-unaddressed, with DIR/program.toml's [plan] days), the seven
level of care and payer rules of SPEC section 13 (asam-reassess,
asam-unaddressed, level-of-care, auth-missing, auth-units, auth-expiring,
certification, with its [asam], [authorization] and [certification] keys),
and the graduation criteria objectives and signed-plan. It prints the
findings in the format of `iop check` with `--rule` for each of those
rules, so that bench/run can compare the two outputs line
for line; with --criteria, one line a patient with the two criteria instead
(`P-00001 objectives met|unmet DETAIL; signed-plan met|unmet DETAIL`).

Twelve rules out of twenty-four, no validation, no positions, no voids (the
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


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Calendar:
    """SPEC section 10: program.toml's [calendar] and closures.toml. A date
    is closed when the last entry (file order) whose range holds it is an
    add."""

    def __init__(self, directory, program):
        cal = program.get("calendar", {})
        self.program_days = {WEEKDAYS.index(d[:3].lower())
                             for d in cal.get("program_days", WEEKDAYS[:5])}
        self.group_days = ({WEEKDAYS.index(d[:3].lower()) for d in cal["group_days"]}
                           if "group_days" in cal else set(self.program_days))
        self.closed = set()
        path = os.path.join(directory, "closures.toml")
        if os.path.exists(path):
            with open(path, "rb") as f:
                entries = tomllib.load(f).get("closure", [])
            for e in entries:
                d, to = e["from"], e.get("to", e["from"])
                while d <= to:
                    (self.closed.add if e["action"] == "add" else self.closed.discard)(d)
                    d += datetime.timedelta(days=1)

    def week(self, first):
        """(any closed, open program days, group days, open group days) of
        the seven days from first."""
        days = [first + datetime.timedelta(days=i) for i in range(7)]
        closed = [d in self.closed for d in days]
        return (any(closed),
                sum(1 for d, c in zip(days, closed) if d.weekday() in self.program_days and not c),
                sum(1 for d in days if d.weekday() in self.group_days),
                sum(1 for d, c in zip(days, closed) if d.weekday() in self.group_days and not c))


def required_groups(calendar, first, planned):
    """(required, the message's "plan is 3" part) of a week (SPEC section 5):
    the plan, or with a closed date min(plan, open group days), nothing in a
    week without an open program day."""
    closed, open_program, group_days, open_group = calendar.week(first)
    if not closed:
        return planned, f"plan is {planned}"
    if open_program == 0:
        return 0, ""
    required = min(planned, open_group)
    if required == planned:
        return required, f"plan is {planned}"
    if open_group == group_days:
        return required, (f"required is {required}, the group days of a week with a closure "
                          f"(plan is {planned})")
    return required, (f"required is {required} with {group_days - open_group} of {group_days} "
                      f"group days closed (plan is {planned})")


def group_frequency(record, today, calendar):
    """(active, [(week, attended, excused, required groups, text)]) for one
    record."""
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
        required, text = required_groups(calendar, first, planned)
        if required > 0 and groups[k] < required:
            shortfalls.append((k, groups[k], excused[k], required, text))
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
                goals[e["ref"]] = {"open": True, "objectives": {},
                                   "dimension": e.get("dimension")}
            elif e["action"] == "revise" and "dimension" in e and e["ref"] in goals:
                goals[e["ref"]]["dimension"] = e["dimension"]
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


PAYER_RULES = ("asam-reassess", "asam-unaddressed", "level-of-care", "auth-missing",
               "auth-units", "auth-expiring", "certification")
IOP_LEVEL = "2.1"


def decimal(v):
    """At most two places, no trailing zeros: 9, 7.5, 8.25."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def planned_end(record, today):
    weeks = record["plan"]["weeks"]
    for date, keys in plan_changes(record.get("event", [])):
        if date <= today and "weeks" in keys:
            weeks = keys["weeks"]
    return record["enrolled"] + datetime.timedelta(days=7 * weeks - 1)


def needs(need, insurance):
    if need is True or need == "always":
        return True
    if need == "insured":
        return bool(insurance)
    if need == "medicare":
        return "medicare" in (insurance or "").lower()
    return False


def payer_findings(record, tp, today, program):
    """(severity, rule, message) of SPEC section 13's rules for an active
    patient judged today, in the order iop check prints them."""
    enrolled = record["enrolled"]
    out = []
    latest = None
    for a in record.get("assessment", []):
        if a["date"] <= today and (latest is None or a["date"] >= latest["date"]):
            latest = a
    since = latest["date"] if latest else enrolled
    every = program["asam"]["review_days"]
    n = (today - since).days
    if n > every:
        since_text = f"{since}" if latest else f"enrollment on {since}"
        out.append(("warning", "asam-reassess",
                    f"ASAM dimensions not assessed for {days_text(n)} (since {since_text}), "
                    f"reassess every {every} days"))
    if latest:
        within = program["plan"]["goals_within_days"]
        for d in range(1, 7):
            r = latest[f"d{d}"]
            if r < 3:
                continue
            addressed = any(g["open"] and g["dimension"] == d for g in tp["goals"].values())
            if not addressed and (today - latest["date"]).days > within:
                out.append(("warning", "asam-unaddressed",
                            f"ASAM dimension {d} rated {r} on {latest['date']} has no open goal "
                            f"of that dimension, due within {within} days"))
        level = latest.get("level", "")
        kept = any(e.get("type") == "placement" and latest["date"] <= e["date"] <= today
                   for e in record.get("event", []))
        if level and level != IOP_LEVEL and not kept:
            way = "step up" if float(level) > float(IOP_LEVEL) else "step down"
            out.append(("warning", "level-of-care",
                        f"assessment of {latest['date']} recommends level {level}: {way} or "
                        f"record why not"))

    insurance = record.get("insurance", "")
    if needs(program["authorization"]["required"], insurance):
        auths = [{"a": a, "used": 0.0, "over": None, "last": None}
                 for a in record.get("authorization", []) if a["date"] <= today]

        def covering(day):
            best = None
            for u in auths:
                if u["a"]["from"] <= day <= u["a"]["to"] and (
                        best is None or u["a"]["from"] < best["a"]["from"]):
                    best = u
            return best

        sessions = sorted((s for s in record.get("session", [])
                           if s["status"] == "attended" and s["date"] <= today),
                          key=lambda s: s["date"])
        uncovered = []
        for s in sessions:
            u = covering(s["date"])
            if u is None:
                uncovered.append(s)
                continue
            unit = u["a"]["unit"]
            if unit == "session":
                u["used"] += 1
            elif unit == "hour":
                u["used"] += s["hours"]
            elif u["last"] != s["date"]:
                u["used"] += 1
            u["last"] = s["date"]
            if u["over"] is None and u["used"] > u["a"]["units"] + 1e-9:
                u["over"] = s["date"]
        if uncovered:
            more = f" ({len(uncovered)} uncovered sessions)" if len(uncovered) > 1 else ""
            out.append(("error", "auth-missing",
                        f"session of {uncovered[0]['date']} is not covered by an "
                        f"authorization{more}"))
        for u in auths:
            if u["over"] is not None:
                a = u["a"]
                noun = a["unit"] if a["units"] == 1 else a["unit"] + "s"
                out.append(("error", "auth-units",
                            f"authorization {a['number']} ({a['from']} to {a['to']}) used "
                            f"{decimal(u['used'])} of its {a['units']} {noun}"))
        now = covering(today)
        if now is not None:
            end = now["a"]["to"]
            after = end + datetime.timedelta(days=1)
            n = (end - today).days
            last = planned_end(record, today)
            if (n <= program["authorization"]["warn_days"] and covering(after) is None
                    and last > end):
                when = "today" if n == 0 else f"in {days_text(n)}"
                out.append(("warning", "auth-expiring",
                            f"authorization {now['a']['number']} ends on {end} ({when}) and none "
                            f"covers {after}; planned end {last}"))
    if needs(program["certification"]["required"], insurance):
        dates = [e["date"] for e in record.get("event", [])
                 if e.get("type") == "certification" and e["date"] <= today]
        recert = program["certification"]["recert_days"]
        if not dates and (today - enrolled).days > 7:
            out.append(("error", "certification",
                        f"no physician certification {days_text((today - enrolled).days)} after "
                        f"enrollment on {enrolled}, due within 7 days"))
        elif dates and (today - max(dates)).days > recert:
            out.append(("error", "certification",
                        f"physician certification of {max(dates)} is "
                        f"{days_text((today - max(dates)).days)} old, recertify every {recert} "
                        f"days"))
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


def program_keys(directory):
    """[plan], [asam], [authorization] and [certification] as the engine
    reads them: a missing `required` keeps the requirement off."""
    program = {"plan": {"goals_within_days": 7, "sign_within_days": 7,
                        "objective_unaddressed_days": 14},
               "asam": {"review_days": 30},
               "authorization": {"required": "never", "warn_days": 7},
               "certification": {"required": False, "recert_days": 60}}
    with open(os.path.join(directory, "program.toml"), "rb") as f:
        toml = tomllib.load(f)
    for table, keys in program.items():
        keys.update(toml.get(table, {}))
    program["toml"] = toml
    return program


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
    program = program_keys(args[0])
    calendar = Calendar(args[0], program["toml"])
    days = program["plan"]
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
        active, shortfalls = group_frequency(record, today, calendar)
        if not active:
            continue
        tp = treatment_plan(record, file_order(data.decode("utf-8"), record), today)
        if want_criteria:
            (om, od), (sm, sd) = criteria(tp)
            out.append(f"{record['id']} objectives {'met' if om else 'unmet'} {od}; "
                       f"signed-plan {'met' if sm else 'unmet'} {sd}\n")
            continue
        for week, n, excused, required, text in shortfalls:
            noun = "group session" if n + excused == 1 else "group sessions"
            had = f"{n} attended and {excused} excused" if excused else f"{n}"
            severity = "warning" if n + excused >= required else "error"
            out.append(
                f"patients/{name}: {severity}: week {week} had {had} {noun}, "
                f"{text} [group-frequency]\n"
            )
            findings += 1
        for rule, message in plan_findings(record, tp, today, days):
            out.append(f"patients/{name}: warning: {message} [{rule}]\n")
            findings += 1
        for severity, rule, message in payer_findings(record, tp, today, program):
            out.append(f"patients/{name}: {severity}: {message} [{rule}]\n")
            findings += 1
    sys.stdout.write("".join(out))
    if not want_criteria:
        print(f"reference: {files} files, {findings} findings", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
