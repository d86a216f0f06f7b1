"""Authorizations (SPEC section 13): iop auth ID add|list, the exact TOML add
appends, every refusal with every file left byte-identical, the units used
and left per session, per day and per hour (computed by hand below), show's
Authorizations block and list's CSV and JSON columns.

The sessions of `billed_clinic` (today is 2026-11-10): group 2026-11-03
(3 h), group 2026-11-04 (3 h), individual 2026-11-04 (1 h), individual
2026-11-05 (1.5 h), an absent group 2026-11-06. Attended: 4 sessions on 3
distinct days, 3 + 3 + 1 + 1.5 = 8.5 hours."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (case, contains, enroll, eq, fails_cleanly, load_toml, main, make_clinic,
                  not_contains, ok, record_path)

META = 'recorded_by = "tester"\nrecorded_at = 2026-11-03T17:02:11Z\n'


def billed_clinic(tmp, pids=("P-0001",), insurance="Acme Health"):
    d = make_clinic(tmp)
    extra = ("--insurance", insurance) if insurance else ()
    for pid in pids:
        enroll(d, pid, "Jane Doe", "2026-11-02", *extra)
        for args in (("--kind", "group", "--topic", "illness", "--date", "2026-11-03"),
                     ("--kind", "group", "--topic", "illness", "--date", "2026-11-04"),
                     ("--kind", "individual", "--date", "2026-11-04"),
                     ("--kind", "individual", "--hours", "1.5", "--date", "2026-11-05"),
                     ("--kind", "group", "--topic", "illness", "--date", "2026-11-06",
                      "--absent")):
            ok("-C", d, "attend", pid, *args)
    return d


def auth_add(d, number, frm, to, units, *extra, pid="P-0001", payer="Acme Health"):
    return ok("-C", d, "auth", pid, "add", "--payer", payer, "--number", number, "--from", frm,
              "--to", to, "--units", str(units), "--date", "2026-11-02", *extra)


def listed(d, pid="P-0001"):
    return json.loads(ok("-C", d, "auth", pid, "list", "--format", "json").out)


def findings(d, pid="P-0001"):
    shown = json.loads(ok("-C", d, "show", pid, "--format", "json").out)
    return [(f["rule"], f["message"]) for f in shown["patients"][0]["findings"]
            if f["rule"].startswith("auth-")]


# ---------------------------------------------------------------- add


@case
def add_appends_the_exact_block(tmp):
    d = billed_clinic(tmp)
    before = record_path(d).read_bytes()
    r = ok("-C", d, "auth", "P-0001", "add", "--payer", "Acme Health", "--number", "A-1",
           "--from", "2026-11-02", "--to", "2026-11-29", "--units", "12", "--next-review",
           "2026-11-16", "--note", "faxed", "--date", "2026-11-03")
    eq(r.out, "added authorization A-1 to P-0001: 2026-11-02 to 2026-11-29, 12 sessions\n")
    after = record_path(d).read_bytes()
    eq(after[:len(before)], before, "the old bytes stay a prefix")
    eq(after[len(before):].decode(),
       '\n[[authorization]]\ndate = 2026-11-03\npayer = "Acme Health"\nnumber = "A-1"\n'
       'from = 2026-11-02\nto = 2026-11-29\nunits = 12\nunit = "session"\n'
       'next_review = 2026-11-16\nnote = "faxed"\n' + META)
    load_toml(record_path(d))
    # Dates take the date keywords; --unit day, no review: none written.
    r = ok("-C", d, "auth", "P-0001", "add", "--payer", "Beta Care", "--number", "B-7",
           "--from", "yesterday", "--to", "today", "--units", "2", "--unit", "day")
    eq(r.out, "added authorization B-7 to P-0001: 2026-11-09 to 2026-11-10, 2 days\n")
    contains(record_path(d).read_text(),
             'payer = "Beta Care"\nnumber = "B-7"\nfrom = 2026-11-09\nto = 2026-11-10\n'
             'units = 2\nunit = "day"\n' + META)


@case
def bad_values_are_usage_errors_and_write_nothing(tmp):
    d = billed_clinic(tmp)
    auth_add(d, "A-1", "2026-11-02", "2026-11-29", 12)
    base = ["-C", d, "auth", "P-0001", "add", "--payer", "Beta Care", "--number", "B-1"]
    period = ["--from", "2026-11-02", "--to", "2026-11-08"]  # 7 days
    fails_cleanly(d, base + ["--from", "2026-11-10", "--to", "2026-11-09", "--units", "3"], 2,
                  "--to 2026-11-09 is before --from 2026-11-10")
    fails_cleanly(d, base + period + ["--units", "0"], 2, "--units 0 is out of range 1..2000")
    fails_cleanly(d, base + period + ["--units", "2001"], 2,
                  "--units 2001 is out of range 1..2000")
    # What 7 days can hold: 7 days, 168 hours, 21 sessions (3 a day).
    fails_cleanly(d, base + period + ["--units", "8", "--unit", "day"], 2,
                  "--units 8 is more than 2026-11-02 to 2026-11-08 can hold: at most 7 (days)")
    fails_cleanly(d, base + period + ["--units", "169", "--unit", "hour"], 2,
                  "at most 168 (hours, 24 a day)")
    fails_cleanly(d, base + period + ["--units", "22"], 2, "at most 21 (sessions, 3 a day)")
    fails_cleanly(d, base + period + ["--units", "3", "--unit", "week"], 2, "--unit",
                  "session, day, hour")
    fails_cleanly(d, base + period + ["--units", "3", "--next-review", "2026-11-01"], 2,
                  "--next-review 2026-11-01 is before --from 2026-11-02")
    fails_cleanly(d, base + ["--from", "2026-11-31", "--to", "2026-12-01", "--units", "3"], 2,
                  "--from '2026-11-31' is not a valid date")
    fails_cleanly(d, ["-C", d, "auth", "P-0001", "add", "--payer", "Beta Care", "--from",
                      "2026-11-02", "--to", "2026-11-08", "--units", "3"], 2, "needs --number")
    fails_cleanly(d, ["-C", d, "auth", "P-0001", "renew"], 2, "add, list")
    fails_cleanly(d, ["-C", d, "auth", "P-0001", "list", "--units", "3"], 2,
                  "'iop auth ID list' takes no options")
    fails_cleanly(d, base + period + ["--units", "3", "--format", "json"], 2, "text only")
    # The bounds pass exactly: 7 days, 168 hours and 21 sessions fit.
    for unit, units in (("day", 7), ("hour", 168)):
        ok("-C", d, "auth", "P-0001", "add", "--payer", f"Payer {unit}", "--number", "X",
           *period, "--units", str(units), "--unit", unit)
    ok("-C", d, "auth", "P-0001", "add", "--payer", "Payer session", "--number", "X", *period,
       "--units", "21")


@case
def an_overlap_with_the_same_payer_is_refused_naming_it(tmp):
    d = billed_clinic(tmp)
    auth_add(d, "A-1", "2026-11-02", "2026-11-29", 12)
    # The payer is compared without regard to case; one shared day overlaps.
    fails_cleanly(d, ["-C", d, "auth", "P-0001", "add", "--payer", "ACME health", "--number",
                      "A-2", "--from", "2026-11-29", "--to", "2026-12-27", "--units", "12"], 1,
                  "authorization A-1 of Acme Health (2026-11-02 to 2026-11-29) overlaps "
                  "2026-11-29 to 2026-12-27")
    # The next day does not overlap; another payer may overlap.
    auth_add(d, "A-2", "2026-11-30", "2026-12-27", 12, payer="acme health")
    auth_add(d, "B-1", "2026-11-02", "2026-11-29", 12, payer="Beta Care")
    eq([a["number"] for a in listed(d)["authorizations"]], ["A-1", "A-2", "B-1"])
    # A voided authorization no longer stands in the way.
    ref = [e for e in json.loads(ok("-C", d, "show", "P-0001", "--journal", "--format",
                                    "json").out)["journal"]
           if e["entry"].get("number") == "B-1"][0]["ref"]
    ok("-C", d, "void", "P-0001", ref, "--reason", "wrong dates")
    auth_add(d, "B-2", "2026-11-10", "2026-11-30", 12, payer="Beta Care")


# ---------------------------------------------------------------- units


@case
def units_used_and_left_per_session_day_and_hour(tmp):
    # One patient a unit (a session counts against one authorization only).
    d = billed_clinic(tmp, ("P-0001", "P-0002", "P-0003"))
    # Hand-computed: 4 sessions; 3 distinct days (two on 2026-11-04 count
    # once); 3 + 3 + 1 + 1.5 = 8.5 hours. The absent session counts for
    # nothing.
    auth_add(d, "S-1", "2026-11-02", "2026-11-29", 12, pid="P-0001")
    auth_add(d, "D-1", "2026-11-02", "2026-11-29", 10, "--unit", "day", pid="P-0002")
    auth_add(d, "H-1", "2026-11-02", "2026-11-29", 40, "--unit", "hour", "--next-review",
             "2026-11-16", pid="P-0003")
    got = [(a["number"], a["used"], a["left"], a["sessions"], a["unit"])
           for pid in ("P-0001", "P-0002", "P-0003") for a in listed(d, pid)["authorizations"]]
    eq(got, [("S-1", 4, 8, 4, "session"), ("D-1", 3, 7, 4, "day"),
             ("H-1", 8.5, 31.5, 4, "hour")])
    eq(ok("-C", d, "auth", "P-0001", "list").out,
       "  S-1  Acme Health  2026-11-02 to 2026-11-29  12 sessions: used 4, left 8 "
       "(4 sessions counted)\n"
       "  0 attended sessions not covered by an authorization\n")
    eq(ok("-C", d, "auth", "P-0002", "list").out,
       "  D-1  Acme Health  2026-11-02 to 2026-11-29  10 days: used 3, left 7 "
       "(4 sessions counted)\n"
       "  0 attended sessions not covered by an authorization\n")
    eq(ok("-C", d, "auth", "P-0003", "list").out,
       "  H-1  Acme Health  2026-11-02 to 2026-11-29  40 hours: used 8.5, left 31.5 "
       "(4 sessions counted); next review 2026-11-16\n"
       "  0 attended sessions not covered by an authorization\n")
    eq(ok("-C", d, "auth", "P-0003", "list", "--format", "csv").out,
       "id,payer,number,from,to,units,unit,used,left,sessions,next_review,over_on\n"
       "P-0003,Acme Health,H-1,2026-11-02,2026-11-29,40,hour,8.5,31.5,4,2026-11-16,\n")
    eq(findings(d, "P-0003"), [])


@case
def a_session_counts_against_the_first_started_and_uncovered_ones_are_counted(tmp):
    d = billed_clinic(tmp)
    # A-1 covers 11-03 and 11-04 (3 sessions); B-1 starts 11-04, so 11-04
    # counts against A-1 (started first) and B-1 gets only 11-05: 1.
    auth_add(d, "A-1", "2026-11-02", "2026-11-04", 2, payer="Acme Health")
    auth_add(d, "B-1", "2026-11-04", "2026-11-30", 10, payer="Beta Care")
    got = {a["number"]: (a["used"], a["left"], a["over_on"]) for a in listed(d)["authorizations"]}
    eq(got, {"A-1": (3, -1, "2026-11-04"), "B-1": (1, 9, None)})
    eq(listed(d)["uncovered_sessions"], 0)
    contains(ok("-C", d, "auth", "P-0001", "list").out,
             "  A-1  Acme Health  2026-11-02 to 2026-11-04  2 sessions: used 3, left -1 "
             "(3 sessions counted); past its units on 2026-11-04\n")
    eq(findings(d), [("auth-units", "authorization A-1 (2026-11-02 to 2026-11-04) used 3 of its 2 "
                      "sessions")])


@case
def uncovered_sessions_are_one_finding_and_shown(tmp):
    d = billed_clinic(tmp)
    auth_add(d, "A-1", "2026-11-05", "2026-11-30", 10)
    eq(listed(d)["uncovered_sessions"], 3)  # 11-03, and both of 11-04
    eq(findings(d), [("auth-missing", "session of 2026-11-03 is not covered by an "
                      "authorization (3 uncovered sessions)")])
    out = ok("-C", d, "show", "P-0001").out
    contains(out, "\nAuthorizations\n  A-1  Acme Health  2026-11-05 to 2026-11-30  10 sessions: "
                  "used 1, left 9 (1 session counted)\n"
                  "  3 attended sessions not covered by an authorization\n")


@case
def show_leaves_out_the_block_when_nothing_applies(tmp):
    # No insurance and no authorization: no block, JSON null and [].
    d = billed_clinic(tmp, insurance=None)
    not_contains(ok("-C", d, "show", "P-0001").out, "Authorizations")
    p = json.loads(ok("-C", d, "show", "P-0001", "--format", "json").out)["patients"][0]
    eq((p["authorizations"], p["uncovered_sessions"]), ([], None))
    eq(ok("-C", d, "auth", "P-0001", "list").out, "  none recorded\n")
    # An authorization of an uninsured patient is shown, with no count.
    auth_add(d, "A-1", "2026-11-02", "2026-11-30", 10)
    out = ok("-C", d, "show", "P-0001").out
    contains(out, "\nAuthorizations\n  A-1  Acme Health  2026-11-02 to 2026-11-30  10 sessions: "
                  "used 4, left 6 (4 sessions counted)\n")
    not_contains(out, "not covered")


# ---------------------------------------------------------------- list


@case
def list_carries_the_authorization_in_force_today(tmp):
    d = billed_clinic(tmp)
    enroll(d, "P-0002", "John Roe", "2026-11-02", "--insurance", "Beta Care")
    auth_add(d, "A-0", "2026-10-01", "2026-11-01", 5)  # ended before today
    auth_add(d, "A-1", "2026-11-02", "2026-11-29", 12)
    csv = ok("-C", d, "list", "--format", "csv").out.splitlines()
    eq(csv[0], "id,name,status,enrolled,week,weeks_planned,planned_end,ended,clinician,"
               "discharge_reason,auth_payer,auth_number,auth_to,auth_left")
    eq(csv[1], "P-0001,Jane Doe,active,2026-11-02,2,12,2027-01-24,,,,Acme Health,A-1,"
               "2026-11-29,8")
    eq(csv[2], "P-0002,John Roe,active,2026-11-02,2,12,2027-01-24,,,,,,,")
    rows = json.loads(ok("-C", d, "list", "--format", "json").out)
    eq([(r["id"], r["auth_in_force"], [a["number"] for a in r["authorizations"]]) for r in rows],
       [("P-0001", "A-1", ["A-0", "A-1"]), ("P-0002", None, [])])
    eq(rows[0]["authorizations"][1]["left"], 8)


# ---------------------------------------------------------------- completions


@case
def completions_offer_the_actions_and_units(tmp):
    d = billed_clinic(tmp)
    words = lambda *w: [l.split("\t")[0] for l in ok("-C", d, "__complete", "--", *w).out.splitlines()]
    eq(words("auth", "P-0001", ""), ["add", "list"])
    eq(words("auth", "P-0001", "add", "--unit", ""), ["session", "day", "hour"])
    check_opts = words("auth", "P-0001", "add", "--")
    for option in ("--payer", "--number", "--from", "--to", "--units", "--unit", "--next-review"):
        if option not in check_opts:
            raise AssertionError(f"{option} not completed: {check_opts}")


if __name__ == "__main__":
    main()
