"""Dates on the command line (SPEC section 6): today, yesterday and weekday
names for every command's date option; --today, files and CSV stay
YYYY-MM-DD only."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (case, eq, enroll, fails_cleanly, give_signed_plan, load_toml, main, make_clinic,
                  ok, record_path,
                  run, snapshot, assert_unchanged)

TODAY = "2026-11-11"  # a Wednesday


def dates_of(clinic, pid="P-0001"):
    rec = load_toml(record_path(clinic, pid))
    out = []
    for table in ("session", "screen", "medication", "event"):
        out += [(table, str(e["date"])) for e in rec.get(table, [])]
    return sorted(out)


@case
def entry_dates_take_keywords(tmp):
    d = make_clinic(tmp)
    ok("-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "Monday", today=TODAY)
    eq(str(load_toml(record_path(d))["enrolled"]), "2026-11-09", "--start Monday")
    ok("-C", d, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date", "mon",
       today=TODAY)
    ok("-C", d, "attend", "P-0001", "--kind", "individual", "--date", "yesterday", today=TODAY)
    ok("-C", d, "screen", "P-0001", "--result", "negative", "--date", "TODAY", today=TODAY)
    ok("-C", d, "med", "P-0001", "start", "x", "--date", "Tue", today=TODAY)
    ok("-C", d, "plan", "P-0001", "--review", "--date", "wednesday", today=TODAY)
    eq(dates_of(d), [("event", "2026-11-11"), ("medication", "2026-11-10"),
                     ("screen", "2026-11-11"), ("session", "2026-11-09"),
                     ("session", "2026-11-10")], "dates written")
    # A weekday before enrollment is refused like the date itself.
    fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--date", "sun"],
                  2, "--date 2026-11-08 is before P-0001 was enrolled", today=TODAY)
    ok("-C", d, "discharge", "P-0001", "--reason", "moved", "--date", "today", today=TODAY)
    events = load_toml(record_path(d))["event"]
    eq([str(e["date"]) for e in events if e["type"] == "discharged"], ["2026-11-11"],
       "discharge today")


@case
def check_since_takes_keywords(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    give_signed_plan(d)  # this case is about week 1's shortfalls
    # Week 1's shortfalls arose on Monday 2026-11-09: after Sunday, not after Monday.
    def since(value):
        r = run("-C", d, "check", "--format", "json", "--since", value, today=TODAY)
        eq((r.code in (0, 1), r.err), (True, ""), f"check --since {value}\n{r!r}")
        return json.loads(r.out)["patients"][0]["findings"]

    eq(since("sun"), since("2026-11-08"), "--since sun is 2026-11-08")
    eq(len(since("SUNDAY")), 5, "week 1's findings arose after Sunday")
    eq(since("mon"), [], "nothing arose after Monday")
    eq(since("yesterday"), [], "nor after yesterday")


@case
def today_option_files_and_csv_stay_strict(tmp):
    d = make_clinic(tmp)
    enroll(d)
    for value in ("today", "mon", "yesterday"):
        fails_cleanly(tmp, ["-C", d, "--today", value, "list"], 2,
                      f"--today '{value}' is not a valid date: expected YYYY-MM-DD")
        before = snapshot(tmp)
        r = run("-C", d, "list", env={"IOP_TODAY": value}, today=None)
        eq(r.code, 2, f"IOP_TODAY={value}\n{r!r}")
        assert_unchanged(before, snapshot(tmp))
    for bad in ("tomorrow", "mo", "2026-11-1", "last monday"):
        fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--date", bad],
                      2, "expected YYYY-MM-DD, today, yesterday or a weekday name")
    csv = tmp / "sessions.csv"
    csv.write_text("id,date,kind,topic,hours,status\nP-0001,today,individual,,1,attended\n")
    before = snapshot(tmp)
    r = run("-C", d, "import", csv)
    eq(r.code, 3, f"import of a keyword date\n{r!r}")
    assert_unchanged(before, snapshot(tmp))


if __name__ == "__main__":
    main()
