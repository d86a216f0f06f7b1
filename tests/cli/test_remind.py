"""End-to-end tests of `iop remind` (SPEC section 7) across a week for a small clinic."""
import json
import os
import subprocess
import sys
import tempfile

IOP = os.environ["IOP_BIN"]
failures = []


def run(*args, env=None, today=None):
    cmd = [IOP] + (["--today", today] if today else []) + list(args)
    base = {"PATH": "/usr/bin:/bin", "IOP_USER": "tester", "IOP_NOW": "2026-11-03T17:02:11Z"}
    p = subprocess.run(cmd, capture_output=True, text=True, env=env if env is not None else base)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def snapshot(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[p] = fh.read()
    return out


def ok(*args, today):
    code, out, err = run(*args, today=today)
    if code != 0:
        raise SystemExit(f"setup command failed: {args}: {err}")
    return out


def reminders(clinic, today, *extra):
    code, out, err = run("-C", clinic, "remind", "--format", "json", *extra, today=today)
    check(code == 0, f"remind exits 0 on {today} (got {code}, {err})")
    items = json.loads(out)
    for item in items:
        check(set(item) == {"id", "kind", "due", "message"}, f"json keys of {item}")
    return items


with tempfile.TemporaryDirectory() as tmp:
    clinic = os.path.join(tmp, "clinic")
    ok("init", clinic, today="2026-11-23")
    ok("-C", clinic, "enroll", "P-0001", "--name", "Ann Example", "--start", "2026-11-23",
       "--groups-per-week", "2", "--individual-per-week", "1", "--family-per-week", "0",
       today="2026-11-23")

    # Monday of week 1: two groups, an individual session and a screen are due by Sunday.
    items = reminders(clinic, "2026-11-23")
    kinds = sorted(i["kind"] for i in items)
    check(kinds == ["group", "individual", "screen"], f"week 1 day 1 kinds: {kinds}")
    check(all(i["due"] == "2026-11-29" for i in items), f"weekly items due Sunday: {items}")
    group = [i for i in items if i["kind"] == "group"][0]
    check(group["message"].startswith("2 group sessions still needed"), group["message"])
    check("family" not in kinds, "family planned 0 never reminds")

    code, text, err = run("-C", clinic, "remind", today="2026-11-23")
    check(code == 0 and text.startswith("P-0001  week 1 of 12\n"), f"text heading: {text!r}")
    check("\x1b[" not in text, "no colour when stdout is not a terminal")
    check("Ann Example" not in text, "reminders name ids, never patient names")

    ok("-C", clinic, "attend", "P-0001", "--kind", "group", "--topic", "illness", today="2026-11-23")
    items = reminders(clinic, "2026-11-23")
    group = [i for i in items if i["kind"] == "group"]
    check(len(group) == 1 and group[0]["message"].startswith("1 group session still needed"),
          f"one group left: {group}")

    # Tuesday: the rest of the week's plan is done.
    for args in (["--kind", "group", "--topic", "stress"], ["--kind", "individual", "--hours", "3"]):  # 9 hours in all
        ok("-C", clinic, "attend", "P-0001", *args, today="2026-11-24")
    ok("-C", clinic, "screen", "P-0001", "--result", "negative", today="2026-11-24")
    for day in ("2026-11-24", "2026-11-25", "2026-11-29"):
        before = snapshot(clinic)
        code, out, err = run("-C", clinic, "remind", today=day)
        check((code, out, err) == (0, "", ""), f"silence on {day}: {(code, out, err)}")
        code2, out2, _ = run("-C", clinic, "remind", today=day)
        check((code2, out2) == (code, out), f"second run on {day} gives the same")
        check(snapshot(clinic) == before, f"remind wrote nothing on {day}")

    # Monday of week 2: the weekly items are due again.
    kinds = sorted(i["kind"] for i in reminders(clinic, "2026-11-30"))
    check(kinds == ["group", "individual", "screen"], f"week 2 kinds: {kinds}")

    # Cron's bare environment: no HOME, no TTY, PATH=/usr/bin:/bin, only IOP_DIR.
    bare = {"PATH": "/usr/bin:/bin", "IOP_DIR": clinic}
    code, out, err = run("remind", env=bare, today="2026-11-30")
    code_n, out_n, _ = run("-C", clinic, "remind", today="2026-11-30")
    check(code == 0 and err == "", f"bare environment: {code} {err}")
    check(out == out_n and out.count("\n") == 4 and "hours-per-week" not in out, f"bare environment output: {out!r}")

    # A discharged patient gets no reminders.
    ok("-C", clinic, "discharge", "P-0001", "--reason", "moved", today="2026-11-30")
    code, out, err = run("-C", clinic, "remind", today="2026-12-01")
    check((code, out) == (0, ""), f"discharged: {out!r}")

    # --within: a planned end 5 days ahead.
    ending = os.path.join(tmp, "ending")
    ok("init", ending, today="2026-11-24")
    ok("-C", ending, "enroll", "P-0002", "--name", "Bo Example", "--start", "2026-09-07",
       "--weeks", "12", today="2026-11-24")  # planned end 2026-11-29
    grad = [i for i in reminders(ending, "2026-11-24", "--within", "5")
            if i["kind"] == "graduation-review"]
    check(len(grad) == 1 and grad[0]["due"] == "2026-11-29", f"graduation review: {grad}")
    check(grad and "not yet eligible" in grad[0]["message"], f"eligibility said: {grad}")
    none = [i for i in reminders(ending, "2026-11-24", "--within", "4")
            if i["kind"] == "graduation-review"]
    check(none == [], f"--within 4 does not reach the planned end: {none}")
    errors = [i for i in reminders(ending, "2026-11-24") if i["kind"] == "lost-contact"]
    check(len(errors) == 1 and errors[0]["due"] == "2026-11-24", f"error findings listed: {errors}")
    code, out, err = run("-C", ending, "remind", "--within", "-1", today="2026-11-24")
    check(code == 2 and err.startswith("iop: error: --within"), f"negative --within: {code} {err}")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
