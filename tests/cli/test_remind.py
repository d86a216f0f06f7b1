"""End-to-end tests of `iop remind` (SPEC section 7): new findings once, open
items every day, this week's needs only when they call for action, caseloads,
and no medication, substance or diagnosis in the mail."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (attend, case, contains, enroll, eq, fails_cleanly, give_signed_plan, main,
                  make_clinic,
                  not_contains, ok, record_path, run, snapshot, assert_unchanged)

KEYS = {"id", "kind", "due", "arose", "message"}


def reminders(clinic, today, *extra, now=None):
    r = ok("-C", clinic, "remind", "--format", "json", *extra, today=today,
           **({"now": now} if now else {}))
    items = json.loads(r.out)
    for item in items:
        eq(set(item), KEYS, f"json keys of {item}")
    return items


def kinds(items):
    return [i["kind"] for i in items]


@case
def a_week_without_lapses_is_silent(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Ann Example", "2026-11-23", "--groups-per-week", "2",
           "--individual-per-week", "1", "--family-per-week", "0", today="2026-11-23")
    give_signed_plan(d, date="2026-11-23")  # a signed treatment plan on the first day
    # Monday: nothing calls for action yet (the old contract listed the
    # whole week's plan here, weekends included).
    r = run("-C", d, "remind", today="2026-11-23")
    eq((r.code, r.out, r.err), (0, "", ""), "first day of the week")
    # Thursday and Friday, the last two program days: the individual
    # session and the screen still missing; Thursday has no group day to
    # spare, and from Friday the week's groups can no longer be met.
    for day, groups in (("2026-11-26", "week-at-risk"), ("2026-11-27", "week-unmeetable")):
        items = reminders(d, day)
        eq(kinds(items), [groups, "individual", "screen"], f"needs on {day}")
        eq([(i["due"], i["arose"]) for i in items],
           [("2026-11-29", day), ("2026-11-29", None), ("2026-11-29", None)], f"dates on {day}")
    r = ok("-C", d, "remind", today="2026-11-26")
    eq(r.out.splitlines()[0], "P-0001  week 1 of 12", "heading")
    contains(r.out, "  2026-11-29  week-at-risk           2 group sessions still needed, 2 group "
             "days left: no group day to spare\n")
    not_contains(r.out, "Ann Example")
    not_contains(r.out, "\x1b[")
    eq(reminders(d, "2026-11-28"), [], "Saturday is no program day")

    for args in (["--kind", "group", "--topic", "illness", "--date", "2026-11-23"],
                 ["--kind", "group", "--topic", "stress", "--date", "2026-11-24"],
                 ["--kind", "individual", "--hours", "3", "--date", "2026-11-24"]):
        attend(d, "P-0001", *args, today="2026-11-24")
    ok("-C", d, "screen", "P-0001", "--result", "negative", "--date", "2026-11-24",
       today="2026-11-24")
    for day in ("2026-11-24", "2026-11-26", "2026-11-27", "2026-11-30", "2026-12-01"):
        before = snapshot(d)
        r = run("-C", d, "remind", today=day)
        eq((r.code, r.out, r.err), (0, "", ""), f"silence on {day}")
        eq(run("-C", d, "remind", today=day).out, r.out, f"second run on {day}")
        assert_unchanged(before, snapshot(d), f"remind on {day}")

    # Cron's bare environment: no HOME, no terminal, only the directory.
    bare = {"HOME": None, "IOP_DIR": str(d), "PATH": "/usr/bin:/bin"}
    r = run("remind", env=bare, today="2026-11-26")
    eq((r.code, r.out, r.err), (0, "", ""), "bare environment, plan met")

    ok("-C", d, "discharge", "P-0001", "--reason", "moved", "--date", "2026-11-30",
       today="2026-11-30")
    eq(reminders(d, "2026-12-03", "--all"), [], "a discharged patient gets nothing")


@case
def a_past_weeks_shortfall_is_said_once_on_one_line(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02", "--clinician", "Dr. Rivera")
    give_signed_plan(d)  # this case is about week 1's shortfall
    attend(d, "P-0001", "--kind", "group", "--topic", "illness", "--date", "2026-11-03")
    r = ok("-C", d, "remind", today="2026-11-09")  # Monday: the window holds the weekend
    lines = r.out.splitlines()
    eq(lines[0], "P-0001  week 2 of 12  clinician Dr. Rivera", "heading")
    group = [l for l in lines if "group-frequency" in l]
    eq(len(group), 1, f"one line for week 1's groups\n{r.out}")
    contains(group[0], "week 1 had 1 group session, plan is 3; had 3 hours, adult minimum is 9")
    eq(sum("hours-per-week" in l for l in lines), 0, f"hours said on the groups' line\n{r.out}")

    items = reminders(d, "2026-11-09")
    by_kind = {i["kind"]: i for i in items}
    for kind in ("group-frequency", "hours-per-week"):
        eq((by_kind[kind]["due"], by_kind[kind]["arose"]), ("2026-11-09", "2026-11-09"), kind)
    # Not on the next days, however often it runs.
    eq(kinds(reminders(d, "2026-11-10")), [], "said once")
    not_contains(" ".join(kinds(reminders(d, "2026-11-11"))), "group-frequency")
    # --since (with a weekday name) reaches back; --all shows it whatever its age.
    contains(" ".join(kinds(reminders(d, "2026-11-10", "--since", "fri"))), "group-frequency")
    eq(kinds(reminders(d, "2026-11-10", "--since", "monday")), [], "--since monday")
    contains(" ".join(kinds(reminders(d, "2026-11-10", "--all"))), "group-frequency")
    # A daily job passes --since yesterday: Sunday's run has nothing new.
    eq(kinds(reminders(d, "2026-11-08", "--since", "yesterday")), [], "Sunday")


@case
def open_items_every_day_and_sorted_first(tmp):
    d = make_clinic(tmp)
    enroll(d)
    ok("-C", d, "med", "P-0001", "start", "naltrexone", "--review-days", "7", "--date",
       "2026-11-02")
    for day in ("2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06", "2026-11-09",
                "2026-11-10", "2026-11-11", "2026-11-12"):
        attend(d, "P-0001", "--kind", "group", "--topic", "illness", "--date", day,
               "--allow-duplicate", today="2026-11-13")
    for day in ("2026-11-10", "2026-11-11", "2026-11-12", "2026-11-13"):
        items = reminders(d, day)
        eq(kinds(items).count("medication-review"), 1, f"listed once on {day}")
        eq(items[0]["kind"], "medication-review", f"sorted first on {day}")
        eq(items[0]["due"], "2026-11-10", f"due the day it was noticed, on {day}")
        eq(items[0]["arose"], "2026-11-10", "arose")
    ok("-C", d, "med", "P-0001", "review", "naltrexone", "--date", "2026-11-13",
       today="2026-11-13")
    not_contains(" ".join(kinds(reminders(d, "2026-11-16"))), "medication-review")


@case
def no_medication_substance_or_diagnosis_in_a_reminder(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02", "--diagnosis", "F11.20 opioid use disorder")
    ok("-C", d, "med", "P-0001", "start", "buprenorphine", "--review-days", "3", "--date",
       "2026-11-02")
    ok("-C", d, "screen", "P-0001", "--result", "positive", "--substance", "fentanyl",
       "--date", "2026-11-05")
    for extra in ([], ["--all", "--within", "90"]):
        text = ok("-C", d, "remind", *extra, today="2026-11-10").out
        js = ok("-C", d, "remind", "--format", "json", *extra, today="2026-11-10").out
        for word in ("buprenorphine", "fentanyl", "opioid", "F11"):
            not_contains(text, word, f"text {extra}")
            not_contains(js, word, f"json {extra}")
        for kind in ("medication-review", "positive-screen"):
            contains(text, kind, f"text {extra}")


@case
def week_unmeetable_on_saturday_is_said_on_monday(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-04")  # weeks run Wednesday to Tuesday
    attend(d, "P-0001", "--kind", "individual", "--date", "2026-11-04", today="2026-11-04")
    attend(d, "P-0001", "--kind", "family", "--date", "2026-11-04", today="2026-11-04")
    ok("-C", d, "screen", "P-0001", "--result", "negative", "--date", "2026-11-04",
       today="2026-11-04")
    items = reminders(d, "2026-11-05")
    eq(kinds(items), [], "Thursday: 3 group sessions needed, 4 group days left")
    risk = reminders(d, "2026-11-06")
    eq([(i["kind"], i["arose"], i["due"]) for i in risk],
       [("week-at-risk", "2026-11-06", "2026-11-10")], "Friday: no group day to spare")
    eq(risk[0]["message"],
       "3 group sessions still needed, 3 group days left: no group day to spare", "message")
    items = reminders(d, "2026-11-09")
    eq([(i["kind"], i["arose"]) for i in items], [("week-unmeetable", "2026-11-07")],
       "Monday covers Saturday")
    eq(reminders(d, "2026-11-10"), [], "said once")


@case
def one_mail_per_clinician(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "A", "2026-09-07", "--clinician", "Dr. Rivera")
    enroll(d, "P-0002", "B", "2026-09-07", "--clinician", "dr. okafor")
    enroll(d, "P-0003", "C", "2026-09-07")
    record_path(d, "P-0004").write_text("not toml [[[\n")

    def ids(*extra):
        return sorted({i["id"] for i in reminders(d, "2026-11-24", *extra)})

    eq(ids(), ["P-0001", "P-0002", "P-0003", "P-0004"], "everyone")
    eq(ids("--clinician", "DR. RIVERA"), ["P-0001"], "any case")
    eq(ids("--clinician", "Dr. Rivera", "--clinician", "Dr. Okafor"), ["P-0001", "P-0002"],
       "repeatable")
    eq(ids("--clinician", "nobody"), [], "unknown clinician")
    text = ok("-C", d, "remind", "--clinician", "dr. okafor", today="2026-11-24").out
    eq(text.splitlines()[0], "P-0002  week 12 of 12  clinician dr. okafor", "heading")
    # Patients by id, whatever is due.
    r = ok("-C", d, "remind", today="2026-11-24")
    heads = [l.split()[0] for l in r.out.splitlines() if l and not l.startswith(" ")]
    eq(heads, ["P-0001", "P-0002", "P-0003", "P-0004"], "patients by id")


@case
def planned_end_within_and_graduation_prompt(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0002", "Bo", "2026-09-07", "--weeks", "12")  # planned end 2026-11-29
    grad = [i for i in reminders(d, "2026-11-24", "--within", "5") if i["kind"] == "planned-end"]
    eq([(i["due"], i["arose"]) for i in grad], [("2026-11-29", None)], "planned end")
    contains(grad[0]["message"], "not yet eligible")
    eq([i for i in reminders(d, "2026-11-24", "--within", "4") if i["kind"] == "planned-end"],
       [], "--within 4 does not reach it")
    lost = [i for i in reminders(d, "2026-11-24") if i["kind"] == "lost-contact"]
    # It arose on 2026-10-08; the enrollment was recorded on 2026-11-03
    # ($IOP_NOW), so it was noticed, and is due, the day after.
    eq([(i["arose"], i["due"]) for i in lost], [("2026-10-08", "2026-11-04")],
       "open item due the day it was noticed")


@case
def bad_options_are_usage_errors_that_change_nothing(tmp):
    d = make_clinic(tmp)
    enroll(d)
    for args, needle in ((["--within", "-1"], "--within"),
                         (["--within", "367"], "--within"),
                         (["--since", "tomorrow"], "--since 'tomorrow' is not a valid date"),
                         (["--since", "2026-13-01"], "--since"),
                         (["--clinician", "a\x01b"], "--clinician")):
        fails_cleanly(tmp, ["-C", d, "remind", *args], 2, needle)


if __name__ == "__main__":
    main()
