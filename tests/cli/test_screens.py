"""A clinic's day (SPEC sections 5 and 11): pending screens and their results,
--substance only with a positive result, a positive screen cleared by a plan
review, late entries after graduation or discharge, excused sessions."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (case, contains, enroll, eq, fails_cleanly, load_toml, main, make_clinic,
                  not_contains, ok, record_path, run)


def clinic(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    return d


def screens(d):
    return [(str(s["date"]), s["result"], s.get("substances"))
            for s in load_toml(record_path(d)).get("screen", [])]


def check_lines(d, *args, today):
    r = run("-C", d, "check", *args, today=today)
    return r.out


@case
def a_pending_screen_and_its_result(tmp):
    d = clinic(tmp)
    r = ok("-C", d, "screen", "P-0001", "--result", "pending", "--date", "2026-11-04",
           today="2026-11-05")
    eq(r.out, "recorded pending drug screen for P-0001 on 2026-11-04\n", "confirmation")
    eq(screens(d), [("2026-11-04", "pending", None)], "the pending screen")
    contains(ok("-C", d, "show", "P-0001", today="2026-11-05").out,
             "Screens\n  2026-11-04  pending\n\n")
    # Within screen_result_days (7), no finding; then a warning.
    not_contains(check_lines(d, today="2026-11-11"), "[screen-pending]")
    contains(check_lines(d, today="2026-11-12"),
             "warning: screen of 2026-11-04 pending for 8 days, results are expected within "
             "7 days [screen-pending]")
    # A result without --date is the pending screen's result.
    r = ok("-C", d, "screen", "P-0001", "--result", "positive", "--substance", "cocaine",
           today="2026-11-12")
    eq(r.out, "recorded positive drug screen for P-0001 on 2026-11-04 (the result of the "
              "screen pending since then)\n", "confirmation")
    eq(screens(d), [("2026-11-04", "pending", None), ("2026-11-04", "positive", ["cocaine"])],
       "the result, dated as the pending screen")
    # show lists the screen once, as its result; while pending, as pending.
    shown = ok("-C", d, "show", "P-0001", today="2026-11-12").out
    contains(shown, "Screens\n  2026-11-04  positive  cocaine\n\n")
    shown = json.loads(ok("-C", d, "show", "P-0001", "--format", "json",
                          today="2026-11-12").out)
    eq([s["result"] for s in shown["patients"][0]["screens"]], ["positive"],
       "show's JSON: the screen in effect")
    out = check_lines(d, today="2026-11-12")
    not_contains(out, "[screen-pending]")
    contains(out, "latest screen (2026-11-04) was positive: plan review advised "
                  "[positive-screen]")
    # With nothing pending, a result without --date is today's.
    ok("-C", d, "screen", "P-0001", "--result", "negative", today="2026-11-13")
    eq(screens(d)[-1], ("2026-11-13", "negative", None), "today's screen")


@case
def screen_result_days_is_a_program_key(tmp):
    d = clinic(tmp)
    text = (d / "program.toml").read_text()
    contains(text, "screen_result_days = 7", "program.toml")
    (d / "program.toml").write_text(text.replace("screen_result_days = 7",
                                                 "screen_result_days = 10"))
    ok("-C", d, "screen", "P-0001", "--result", "pending", "--date", "2026-11-04",
       today="2026-11-05")
    not_contains(check_lines(d, today="2026-11-14"), "[screen-pending]")
    contains(check_lines(d, today="2026-11-15"), "[screen-pending]")


@case
def substances_only_with_a_positive_result(tmp):
    d = clinic(tmp)
    for result in ("negative", "pending"):
        fails_cleanly(d, ["-C", d, "screen", "P-0001", "--result", result, "--substance",
                          "cocaine"], 2,
                      f"--substance names a substance found; a {result} screen found none")
    ok("-C", d, "screen", "P-0001", "--result", "positive", "--substance", "cocaine")
    fails_cleanly(d, ["-C", d, "screen", "P-0001", "--result", "unknown"], 2,
                  "valid values: negative, positive, pending")


@case
def a_plan_review_clears_a_positive_screen(tmp):
    d = clinic(tmp)
    ok("-C", d, "screen", "P-0001", "--result", "positive", "--date", "2026-11-05")
    contains(check_lines(d, today="2026-11-06"), "[positive-screen]")
    ok("-C", d, "plan", "P-0001", "--review", "--date", "2026-11-05", today="2026-11-06")
    not_contains(check_lines(d, today="2026-11-06"), "[positive-screen]")


@case
def the_screens_criterion_waits_for_a_pending_result(tmp):
    d = clinic(tmp)
    for day in ("2026-11-03", "2026-11-10"):
        ok("-C", d, "screen", "P-0001", "--result", "negative", "--date", day)
    ok("-C", d, "screen", "P-0001", "--result", "pending", "--date", "2026-11-17",
       today="2026-11-18")
    r = run("-C", d, "graduate", "P-0001", today="2026-11-18")
    eq(r.code, 1, f"refused\n{r!r}")
    contains(r.err, "screens (last 2 screens negative, but the screen of 2026-11-17 is pending)")


@case
def late_entries_up_to_the_end_of_treatment(tmp):
    d = clinic(tmp)
    ok("-C", d, "discharge", "P-0001", "--reason", "moved", "--date", "2026-11-10",
       today="2026-11-10")
    # A lab result and a lost sign-in sheet, recorded two days later.
    ok("-C", d, "screen", "P-0001", "--result", "negative", "--date", "2026-11-09",
       today="2026-11-12")
    ok("-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-10",
       today="2026-11-12")
    ok("-C", d, "med", "P-0001", "start", "naltrexone", "--date", "2026-11-06",
       today="2026-11-12")
    eq(screens(d), [("2026-11-09", "negative", None)], "the late screen")
    for args in (["screen", "P-0001", "--result", "negative"],
                 ["attend", "P-0001", "--kind", "individual", "--date", "2026-11-11"],
                 ["plan", "P-0001", "--review"]):
        fails_cleanly(d, ["-C", d, *args], 1,
                      "patient 'P-0001' was discharged on 2026-11-10; an entry dated",
                      "(only entries dated on or before 2026-11-10 are accepted)",
                      today="2026-11-12")
    # Never a second end of treatment, whatever its date.
    fails_cleanly(d, ["-C", d, "discharge", "P-0001", "--reason", "moved", "--date",
                      "2026-11-09"], 1, "no further entries are accepted", today="2026-11-12")
    fails_cleanly(d, ["-C", d, "graduate", "P-0001", "--date", "2026-11-09"], 1,
                  "no further entries are accepted", today="2026-11-12")


@case
def excused_sessions_turn_a_covered_shortfall_into_a_warning(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02", "--family-per-week", "0")
    a = lambda *x: ok("-C", d, "attend", "P-0001", *x, today="2026-11-09")  # noqa: E731
    a("--kind", "group", "--topic", "illness", "--date", "2026-11-02")
    a("--kind", "group", "--topic", "illness", "--date", "2026-11-04")
    a("--kind", "group", "--topic", "stress", "--date", "2026-11-06", "--excused")
    a("--kind", "individual", "--date", "2026-11-03")
    ok("-C", d, "screen", "P-0001", "--result", "negative", "--date", "2026-11-03")
    out = check_lines(d, "--format", "text", today="2026-11-09")
    contains(out, "patients/P-0001.toml: warning: week 1 had 2 attended and 1 excused group "
                  "sessions, plan is 3 [group-frequency]")
    contains(out, "patients/P-0001.toml: warning: week 1 had 7 hours attended and 3 hours "
                  "excused, adult minimum is 9 [hours-per-week]")
    not_contains(out, "error:")
    # The attendance rate's requirement drops: 2 of 2 groups, 1 of 1 individual.
    r = run("-C", d, "check", "--format", "json", today="2026-11-09")
    eq(json.loads(r.out)["patients"][0]["attendance_rate"], 1.0, "attendance rate")


if __name__ == "__main__":
    main()
