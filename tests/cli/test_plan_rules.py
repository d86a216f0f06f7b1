#!/usr/bin/env python3
"""The treatment plan's rules and criteria end to end (SPEC section 12,
docs/rules.md): check and remind on a record holding a plan, the criteria
switched by program.toml, and a record whose plan contradicts itself."""

import json

from iopt import (case, contains, edit_program, enroll, eq, fails_cleanly, line_of, main,
                  make_clinic, not_contains, ok, record_path, run, signed_plan_text)

TODAY = "2026-11-25"  # a Wednesday


def plan_clinic(tmp, target="2026-11-20"):
    """P-0001 enrolled 2026-11-02 with a signed plan of that day whose one
    objective, G1.1, is due on `target` and never addressed."""
    d = make_clinic(tmp)
    enroll(d)
    with open(record_path(d), "a", encoding="utf-8") as f:
        f.write(signed_plan_text("2026-11-02", target))
    return d


def check_json(d):
    """check --format json's one patient (exit 1: the empty weeks are errors)."""
    r = run("-C", d, "check", "--format", "json", today=TODAY)
    eq((r.code, r.err), (1, ""), f"check\n{r!r}")
    return json.loads(r.out)["patients"][0]


@case
def check_and_remind_report_the_plan_by_reference_and_date(tmp):
    d = plan_clinic(tmp)
    r = run("-C", d, "check", "--rule", "objective-due", "--rule", "objective-unaddressed",
            "--rule", "plan-goals", "--rule", "plan-unsigned", today=TODAY)
    eq((r.code, r.err), (0, ""), f"warnings only\n{r!r}")
    eq(r.out, "patients/P-0001.toml: warning: objective G1.1 was due on 2026-11-20 and is still "
              "open [objective-due]\n"
              "patients/P-0001.toml: warning: objective G1.1 not addressed in a session for 23 "
              "days (since added 2026-11-02), address it every 14 days "
              "[objective-unaddressed]\n", "check")
    found = {f["rule"]: f for f in check_json(d)["findings"]}
    eq(found["objective-due"]["arose"], "2026-11-21", "objective-due arose the day after")
    eq(found["objective-unaddressed"]["arose"], "2026-11-17", "objective-unaddressed arose")
    # Open items: every day until resolved, in the mail; never the plan's words.
    for day in ("2026-11-25", "2026-11-26"):
        out = ok("-C", d, "remind", today=day).out
        contains(out, "objective-due          objective G1.1 was due on 2026-11-20")
        contains(out, "objective-unaddressed  objective G1.1 not addressed")
        for words in ("Stay sober", "Drinks", "triggers"):
            not_contains(out, words)
    # objective-target comes up within --within, on the target day at the latest.
    d2 = plan_clinic(tmp / "later", target="2026-11-28")
    items = json.loads(ok("-C", d2, "remind", "--within", "3", "--format", "json",
                          today=TODAY).out)
    eq([(i["due"], i["arose"], i["message"]) for i in items if i["kind"] == "objective-target"],
       [("2026-11-28", None, "objective G1.1 target date 2026-11-28")], "--within 3")
    not_contains(ok("-C", d2, "remind", "--within", "2", today=TODAY).out, "objective-target")


@case
def the_plan_criteria_follow_program_toml(tmp):
    d = plan_clinic(tmp)

    def criteria():
        p = check_json(d)
        return [(c["id"], c["met"], c["detail"]) for c in p["graduation"]["criteria"]]

    got = criteria()
    check_ids = [c[0] for c in got]
    eq(check_ids, ["min-weeks", "curriculum", "attendance", "screens", "objectives",
                   "signed-plan", "aftercare"], "init writes both criteria on")
    eq(got[4:6], [("objectives", False, "1 objective open: G1.1"),
                  ("signed-plan", True, "plan version 3 signed")], "their details")
    # A program.toml written before SPEC section 12 lacks the keys: both off.
    edit_program(d, "require_objectives = true\n", "")
    edit_program(d, "require_signed_plan = true\n", "")
    eq([c[0] for c in criteria()], ["min-weeks", "curriculum", "attendance", "screens",
                                    "aftercare"], "absent keys keep them off")
    # The rules still speak without the criteria.
    contains(run("-C", d, "check", today=TODAY).out, "[objective-due]")


@case
def a_plan_that_contradicts_itself_is_refused_and_nothing_is_written(tmp):
    d = plan_clinic(tmp)
    p = record_path(d)
    goal = p.read_text().split("\n[[objective]]")[0].split("\n[[goal]]")[1]
    p.write_text(p.read_text() + "\n[[goal]]" + goal)  # G1 added a second time
    first = line_of(p, "[[goal]]", 1)
    second = line_of(p, "[[goal]]", 2)
    r = run("-C", d, "check", today=TODAY)
    eq(r.code, 3, f"exit 3\n{r!r}")
    contains(r.out, f"patients/P-0001.toml:{second}:1: error: goal G1 is added twice: line "
                    f"{first} and line {second} [record-invalid]")
    fails_cleanly(d, ["-C", d, "attend", "P-0001", "--kind", "individual"], 3,
                  f"goal G1 is added twice: line {first} and line {second}", today=TODAY)


if __name__ == "__main__":
    main()
