#!/usr/bin/env python3
"""bench/remind_sim.py: how much a coordinator reads in `iop remind`.

    bench/remind_sim.py                    # 12 weeks, 20 patients: the figures of docs/remind.md
    bench/remind_sim.py --weeks 3 --check  # the ctest smoke test: exit 1 if a target is missed
    IOP_BIN=build/iop bench/remind_sim.py --verbose

A deterministic simulation (a fixed seed, a fixed calendar) of a clinic of 20
patients over a number of weeks. Patients enroll on different weekdays (12
in the first week, one more every week or so), attend three groups, an
individual and a family session and a screen a week with realistic lapses
(absences, some excused; family sessions missed now and then), one patient
stops coming in week 3 and is discharged a week after `lost-contact` shows,
one takes a medication whose reviews run late, one has a positive screen,
and the clinic closes for a holiday (`iop closure add`, when this iop has
the command; otherwise the holiday is left out, and the report says so).
Staff act on what the mail says: a plan review when `plan-review` or
`positive-screen` shows, a medication review a few days after it shows, a
graduation when `graduation-ready` shows. Every patient gets an
individualized treatment plan (SPEC section 12) on their second program day:
a goal, an objective whose target is two weeks before the planned end, and
the signatures of patient and clinician; individual sessions address the
objective, and staff mark it achieved when its target date comes up
(`objective-target`) or passes (`objective-due`), and sign a new version of
the plan (after an extension) when `plan-unsigned` shows. The plan is written with
`iop goal`, `iop objective`, `iop sign` and `iop attend --objective` when
this iop has them, else appended in the form iop writes. With the plan comes
an ASAM assessment (SPEC section 13; no dimension rated 3 or more, no other
level recommended), repeated when `asam-reassess` shows: by `iop asam` when
this iop has it, else appended likewise.

Every program day (Monday to Friday) `iop remind` runs in the morning, then
the day's sessions are recorded in the evening. Reported: item lines a day
(mean and maximum, and per active patient), lines that repeat a line of an
earlier day (open items, which are meant to repeat, apart), and checks of the
targets of issue 18: a mean of at most 0.5 lines per active patient a day,
no shortfall of a past week said on more than one day, and every open item
of `iop check` present in `iop remind` on every day it holds.
"""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START = datetime.date(2027, 1, 4)  # a Monday
HOLIDAY = datetime.date(2027, 1, 18)  # Martin Luther King Jr. Day
TOPICS = ["illness", "early-recovery", "shame-guilt", "relationships", "stress",
          "relapse-prevention", "mutual-help", "family", "emotions", "medication"]
OPEN_RULES = {"plan-review", "medication-review", "lost-contact", "overdue", "positive-screen",
              "screen-pending", "plan-goals", "plan-unsigned", "objective-due",
              "objective-unaddressed", "asam-reassess", "level-of-care", "auth-missing",
              "auth-expiring", "certification"}
WEEKLY_RULES = {"group-frequency", "hours-per-week", "individual-frequency", "family-frequency",
                "screen-frequency"}
LOST = "P-0007"
MEDICATED = "P-0003"
POSITIVE = "P-0005"


class Iop:
    def __init__(self, binary, clinic, verbose):
        self.binary, self.clinic, self.verbose = binary, clinic, verbose
        self.calls = 0

    def run(self, day, *args, check=True):
        env = {"PATH": "/usr/bin:/bin", "TZ": "UTC", "IOP_TODAY": day.isoformat(),
               "IOP_NOW": f"{day.isoformat()}T18:00:00Z", "IOP_USER": "sim", "IOP_NO_GIT": "1"}
        p = subprocess.run([self.binary, "-C", self.clinic, *args], env=env,
                           capture_output=True, text=True)
        self.calls += 1
        if check and p.returncode != 0:
            sys.exit(f"remind_sim: iop {' '.join(args)} on {day} failed ({p.returncode}): "
                     f"{p.stderr}")
        return p


class PlanWriter:
    """The treatment plan, by iop's commands when it has them, else
    appended by hand in the form iop writes (render_entry)."""

    def __init__(self, iop, clinic, day):
        self.iop, self.clinic = iop, clinic
        self.commands = "unknown command" not in iop.run(day, "goal", check=False).stderr

    def _append(self, pid, day, text):
        meta = f'recorded_by = "sim"\nrecorded_at = {day.isoformat()}T18:00:00Z\n'
        with open(os.path.join(self.clinic, "patients", f"{pid}.toml"), "a",
                  encoding="utf-8") as f:
            f.write(text + meta)

    def plan(self, p, day):
        d = day.isoformat()
        target = (p.planned_end() - datetime.timedelta(days=14)).isoformat()
        goal = ("Drinks to cope with stress", "Stay sober and handle stress without alcohol")
        objective = "Write a relapse-prevention plan naming 3 triggers and 3 responses"
        if self.commands:
            self.iop.run(day, "goal", p.pid, "add", "--problem", goal[0], "--goal", goal[1],
                         "--date", d)
            self.iop.run(day, "objective", p.pid, "add", "G1", "--text", objective, "--target",
                         target, "--intervention", "relapse-prevention group", "--date", d)
        else:
            self._append(p.pid, day, f'\n[[goal]]\nref = "G1"\naction = "add"\ndate = {d}\n'
                                     f'problem = "{goal[0]}"\ngoal = "{goal[1]}"\n')
            self._append(p.pid, day, f'\n[[objective]]\nref = "G1.1"\naction = "add"\n'
                                     f'date = {d}\ntext = "{objective}"\ntarget = {target}\n'
                                     f'interventions = ["relapse-prevention group"]\n')
        p.objective = "G1.1"
        p.version += 2
        self.sign(p, day)

    def sign(self, p, day):
        for role in ("patient", "clinician"):
            if self.commands:
                self.iop.run(day, "sign", p.pid, "--role", role, "--date", day.isoformat())
            else:
                self._append(p.pid, day, f'\n[[event]]\ntype = "signature"\n'
                                         f'date = {day.isoformat()}\nrole = "{role}"\n'
                                         f'plan_version = {p.version}\n')

    def achieved(self, p, day):
        if self.commands:
            self.iop.run(day, "objective", p.pid, p.objective, "achieved", "--date",
                         day.isoformat())
        else:
            self._append(p.pid, day, f'\n[[objective]]\nref = "{p.objective}"\n'
                                     f'action = "achieved"\ndate = {day.isoformat()}\n')
        p.objective = None

    def asam(self, day):
        """Whether this iop has `iop asam` (SPEC section 13)."""
        if not hasattr(self, "asam_command"):
            self.asam_command = "unknown command" not in self.iop.run(day, "asam",
                                                                      check=False).stderr
        return self.asam_command

    def assess(self, p, day):
        """An ASAM assessment (SPEC section 13): every dimension rated 1 or
        2 (none needs a goal of its own), recommending no other level."""
        ratings = [1 + (int(p.pid[-2:]) + i) % 2 for i in range(6)]
        if self.asam(day):
            self.iop.run(day, "asam", p.pid,
                         *[a for i, r in enumerate(ratings) for a in (f"--d{i + 1}", str(r))],
                         "--date", day.isoformat())
        else:
            self._append(p.pid, day, f'\n[[assessment]]\nkind = "asam"\n'
                                     f'date = {day.isoformat()}\n' +
                         "".join(f"d{i + 1} = {r}\n" for i, r in enumerate(ratings)))

    def attend_args(self, p):
        return ["--objective", p.objective] if self.commands and p.objective else []

    def addressed(self, p):
        """Without --objective: the session iop just wrote addressed the
        objective (its `objectives` key, where render_entry puts it)."""
        if self.commands or not p.objective:
            return
        path = os.path.join(self.clinic, "patients", f"{p.pid}.toml")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        at = text.rindex("\nrecorded_by = ")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text[:at] + f'\nobjectives = ["{p.objective}"]' + text[at:])


class Patient:
    def __init__(self, pid, enrolled, weeks, rng):
        self.pid, self.enrolled, self.weeks = pid, enrolled, weeks
        self.rng = random.Random(rng.random())
        self.ended = False
        self.aftercare = False
        self.lost_days = 0  # days lost-contact has shown
        self.review_due_in = None  # medication review: days until staff do it
        self.held = defaultdict(Counter)  # first day of a treatment week -> kind -> count
        self.objective = None  # "G1.1" while open
        self.planned = False
        self.version = 1  # the treatment plan's version, for the signatures' plan_version

    def week_first(self, day):
        return day - datetime.timedelta(days=(day - self.enrolled).days % 7)

    def planned_end(self):
        return self.enrolled + datetime.timedelta(days=7 * self.weeks - 1)


def simulate(args):
    binary = os.path.abspath(os.environ.get("IOP_BIN") or os.path.join(ROOT, "build", "iop"))
    if not os.path.isfile(binary):
        sys.exit(f"remind_sim: no iop at {binary} (build it, or set IOP_BIN)")
    rng = random.Random(18)
    days = [START + datetime.timedelta(days=i) for i in range(7 * args.weeks)]
    with tempfile.TemporaryDirectory(prefix="iop-remind-sim-") as tmp:
        clinic = os.path.join(tmp, "clinic")
        iop = Iop(binary, clinic, args.verbose)
        iop.run(START, "init", clinic)
        holiday = None
        has_closure = iop.run(START, "closure", "list", check=False).returncode == 0
        if has_closure and HOLIDAY in days:
            iop.run(START, "closure", "add", HOLIDAY.isoformat(), "--reason", "holiday")
            holiday = HOLIDAY

        # 12 patients in the first week, on different weekdays, then one more
        # every 5 to 9 days up to 20.
        patients = {}
        starts = [START + datetime.timedelta(days=i % 5) for i in range(12)]
        day = START + datetime.timedelta(days=7)
        while len(starts) < args.patients:
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            starts.append(day)
            day += datetime.timedelta(days=rng.randint(5, 9))
        for i, start in enumerate(starts[:args.patients]):
            pid = f"P-{i + 1:04d}"
            weeks = rng.choice([8, 10, 12])
            patients[pid] = Patient(pid, start, weeks, rng)

        writer = PlanWriter(iop, clinic, START)
        topic = 0
        stats = Stats()
        for day in days:
            program_day = day.weekday() < 5
            open_day = program_day and day != holiday
            for p in patients.values():
                if p.enrolled == day:
                    iop.run(day, "enroll", p.pid, "--name", f"Patient {p.pid[-2:]}", "--start",
                            day.isoformat(), "--weeks", str(p.weeks), "--clinician",
                            ["Dr. Rivera", "Dr. Okafor", "Dr. Chen"][int(p.pid[-2:]) % 3])
            if not program_day:
                continue
            active = [p for p in patients.values() if p.enrolled <= day and not p.ended]
            # Morning: the mail.
            text = iop.run(day, "remind").stdout
            items = json.loads(iop.run(day, "remind", "--format", "json").stdout)
            check = json.loads(iop.run(day, "check", "--format", "json", check=False).stdout)
            stats.day(day, text, items, check, len(active), patients, args.verbose)
            if not open_day:
                continue
            # The day: staff act on the mail, patients come (or not).
            said = defaultdict(set)
            for item in items:
                said[item["id"]].add(item["kind"])
            group_topic = TOPICS[topic % len(TOPICS)]
            topic += 1
            for p in active:
                act(iop, writer, day, p, said[p.pid], group_topic)
        return stats, holiday, has_closure, iop.calls


def act(iop, writer, day, p, said, group_topic):
    d = day.isoformat()
    week_no = (day - p.enrolled).days // 7 + 1
    if not p.planned and day > p.enrolled:
        writer.plan(p, day)
        writer.assess(p, day)
        p.planned = True
    if "asam-reassess" in said:
        writer.assess(p, day)
    if p.objective and ("objective-target" in said or "objective-due" in said):
        writer.achieved(p, day)
    if "plan-unsigned" in said:
        writer.sign(p, day)
    if "graduation-ready" in said:
        iop.run(day, "graduate", p.pid, "--date", d)
        p.ended = True
        return
    if "overdue" in said:
        # Past the planned end and not eligible: the plan is extended by
        # two weeks (up to the program's 13), else the patient is stepped down.
        if p.weeks + 2 <= 13:
            p.weeks += 2
            iop.run(day, "plan", p.pid, "--weeks", str(p.weeks), "--date", d)
            p.version += 1  # a new plan version, to be signed
        else:
            iop.run(day, "discharge", p.pid, "--reason", "step-down", "--date", d)
            p.ended = True
            return
    if "lost-contact" in said:
        p.lost_days += 1
        if p.lost_days >= 5:
            iop.run(day, "discharge", p.pid, "--reason", "lost-contact", "--date", d)
            p.ended = True
            return
    if "plan-review" in said or "positive-screen" in said:
        iop.run(day, "plan", p.pid, "--review", "--date", d)
    if "medication-review" in said:
        if p.review_due_in is None:
            p.review_due_in = 3  # reviewed a few days late
        p.review_due_in -= 1
        if p.review_due_in <= 0:
            iop.run(day, "med", p.pid, "review", "naltrexone", "--date", d)
            p.review_due_in = None
    if p.pid == MEDICATED and week_no == 2 and day == p.week_first(day) + datetime.timedelta(1):
        iop.run(day, "med", p.pid, "start", "naltrexone", "--review-days", "14", "--date", d)
    if not p.aftercare and week_no >= p.weeks - 2:
        iop.run(day, "aftercare", p.pid, "--sponsor", "A. Sponsor", "--date", d)
        p.aftercare = True
    if p.pid == LOST and week_no >= 3:
        return  # stopped coming
    rng = p.rng
    w = p.held[p.week_first(day)]  # this treatment week: attended or excused, and screens

    def session(kind, *extra):
        r = rng.random()
        status = [] if r > 0.08 else (["--excused"] if r < 0.03 else ["--absent"])
        addresses = kind == "individual" and not status
        iop.run(day, "attend", p.pid, "--kind", kind, *extra, "--date", d, *status,
                *(writer.attend_args(p) if addresses else []))
        if addresses:
            writer.addressed(p)
        if status != ["--absent"]:
            w[kind] += 1

    # Groups on the patient's usual days, the 1st, 2nd and 4th program day
    # of the treatment week (never four days without service), and a missed
    # one made up on the next program day.
    first = p.week_first(day)
    program_days = [first + datetime.timedelta(i) for i in range(7)
                    if (first + datetime.timedelta(i)).weekday() < 5]
    usual = [program_days[i] for i in (0, 1, 3) if i < len(program_days)]
    owed = sum(1 for u in usual if u <= day) - w["group"]
    if w["group"] < 3 and owed > 0:
        session("group", "--topic", group_topic)
    if w["individual"] == 0 and (rng.random() < 0.5 or "individual" in said):
        session("individual")
    if w["family"] == 0 and (rng.random() < 0.35 or "family" in said) and rng.random() < 0.9:
        session("family")
    if w["screen"] == 0 and (rng.random() < 0.45 or "screen" in said):
        positive = p.pid == POSITIVE and week_no == 4
        iop.run(day, "screen", p.pid, "--result", "positive" if positive else "negative",
                *(["--substance", "cocaine"] if positive else []), "--date", d)
        w["screen"] += 1


class Stats:
    def __init__(self):
        self.lines_per_day = []
        self.per_patient = []
        self.seen = set()
        self.repeats = Counter()  # kind -> lines that repeat an earlier day's line
        self.kinds = Counter()
        self.weekly_days = defaultdict(set)  # (id, kind, message) -> days said
        self.open_missing = []
        self.open_checked = 0

    def day(self, day, text, items, check, active, patients, verbose):
        lines = []
        heading = ""
        for line in text.splitlines():
            if line and not line.startswith(" "):
                heading = line.split()[0]
            elif line.strip():
                lines.append((heading, line))
        self.lines_per_day.append(len(lines))
        if active:
            self.per_patient.append(len(lines) / active)
        for pid, line in lines:
            due, kind = line.split()[:2]
            self.kinds[kind] += 1
            # The same item (patient, kind, due date) as on an earlier day,
            # whatever its message says today ("3 days past ...").
            if (pid, kind, due) in self.seen:
                self.repeats[kind] += 1
        for pid, line in lines:
            due, kind = line.split()[:2]
            self.seen.add((pid, kind, due))
        for item in items:
            if item["kind"] in WEEKLY_RULES and item["message"].startswith("week "):
                self.weekly_days[(item["id"], item["kind"], item["message"])].add(day)
        listed = {(i["id"], i["kind"], i["message"]) for i in items}
        for p in check.get("patients", []):
            if p.get("status") != "active":
                continue
            for f in p.get("findings", []):
                is_open = f["rule"] in OPEN_RULES or (
                    f["rule"] == "individual-frequency" and f["severity"] == "error"
                    and f.get("week") is None)
                if is_open:
                    self.open_checked += 1
                    if (p["id"], f["rule"], f["message"]) not in listed:
                        self.open_missing.append((day.isoformat(), p["id"], f["rule"]))
        if verbose:
            print(f"--- {day} {day.strftime('%a')}: {len(lines)} lines, {active} active")
            print(text, end="")

    def report(self, weeks, holiday, has_closure, calls):
        n = len(self.lines_per_day)
        total = sum(self.lines_per_day)
        mean_pp = sum(self.per_patient) / len(self.per_patient) if self.per_patient else 0
        open_repeats = sum(v for k, v in self.repeats.items()
                           if k in OPEN_RULES or k in ("individual-frequency",
                                                       "graduation-ready"))
        need_repeats = sum(v for k, v in self.repeats.items()
                           if k in ("individual", "family", "screen"))
        repeats = sum(self.repeats.values())
        other_repeats = repeats - open_repeats - need_repeats
        past_week_repeats = [k for k, v in self.weekly_days.items() if len(v) > 1]
        out = [
            f"{weeks} weeks, {n} program days, {total} lines "
            f"({calls} iop runs in all)",
            f"lines a day: mean {total / n:.2f}, maximum {max(self.lines_per_day)}",
            f"lines per active patient a day: mean {mean_pp:.3f} (target <= 0.5)",
            f"lines repeating an item of an earlier day: {repeats} ({open_repeats} open items, "
            f"listed every day until resolved; {need_repeats} needs of the week, listed on "
            f"each of its last lead days; {other_repeats} other)",
            f"past weeks' shortfalls said on more than one day: {len(past_week_repeats)} "
            f"(target 0)",
            f"open items of check missing from remind: {len(self.open_missing)} of "
            f"{self.open_checked} (target 0)",
            "holiday: " + (f"closure on {holiday}" if holiday else
                           "none simulated (this iop has no `iop closure`)"
                           if not has_closure else "outside the simulated weeks"),
            "lines by kind: " + ", ".join(f"{k} {v}" for k, v in self.kinds.most_common()),
        ]
        ok = (mean_pp <= 0.5 and not past_week_repeats and not self.open_missing
              and other_repeats == 0)
        for k in past_week_repeats[:5]:
            out.append(f"  said on more than one day: {k}")
        for m in self.open_missing[:5]:
            out.append(f"  open item missing: {m}")
        return "\n".join(out), ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weeks", type=int, default=12)
    ap.add_argument("--patients", type=int, default=20)
    ap.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    ap.add_argument("--verbose", action="store_true", help="print every day's mail")
    args = ap.parse_args()
    stats, holiday, has_closure, calls = simulate(args)
    report, ok = stats.report(args.weeks, holiday, has_closure, calls)
    print(report)
    if args.check and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
