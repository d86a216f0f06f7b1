"""Bad input that looks plausible, end to end: the free-text rule of SPEC
section 11 from every source (options, CSV cells, hand-edited records,
program.toml), text from files never printed raw, short excerpts of bad
input in messages, the bounds on dates, hours and waits, and the
environment variables. Each refusal: the SPEC's exit code, a message that
names the field and the problem (never the value) and every file unchanged."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (assert_unchanged, case, check, contains, copy_record, enroll, eq, fails_cleanly,
                  import_fails, load_toml, main, make_clinic, not_contains, ok, one_patient_clinic,
                  record_path, run, snapshot)

# Characters the rule forbids in every field, with how a message shows them.
FORBIDDEN = [("\x1b[2J", "\\x1b"), ("\x7f", "\\x7f"), ("\u0085", "\\u{0085}"),
             ("\u202e", "\\u{202e}"), ("\u2066", "\\u{2066}"), ("\u2028", "\\u{2028}"),
             ("\u2029", "\\u{2029}"), ("\r", "\\r")]
SECRET = "Secretname"  # record content: never repeated in a message


def import_csv(tmp, d, name, text, code=3, *needles):
    return import_fails(tmp, d, name, text, *needles, code=code)


def append_to_record(d, pid, text):
    with open(record_path(d, pid), "a", encoding="utf-8") as f:
        f.write(text)


def toml_str(text):
    import json
    return json.dumps(text, ensure_ascii=False)


# ---------------------------------------------------------------- the rule, each source


@case
def options_follow_the_rule(tmp):
    d = one_patient_clinic(tmp, attended=False)
    for bad, shown in FORBIDDEN:
        for opt, args in (("--name", ["enroll", "P-0002", "--name", SECRET + bad]),
                          ("--clinician", ["enroll", "P-0002", "--name", "X", "--clinician",
                                           SECRET + bad]),
                          ("--note", ["attend", "P-0001", "--kind", "individual", "--note",
                                      SECRET + bad]),
                          ("--sponsor", ["aftercare", "P-0001", "--sponsor", SECRET + bad]),
                          ("--dose", ["med", "P-0001", "start", "x", "--dose", SECRET + bad]),
                          ("--reason", ["graduate", "P-0001", "--force", "--reason",
                                        SECRET + bad]),
                          ("--problem", ["goal", "P-0001", "add", "--problem", SECRET + bad,
                                         "--goal", "g"]),
                          ("--intervention", ["objective", "P-0001", "add", "G1", "--text", "t",
                                              "--target", "2026-12-01", "--intervention",
                                              SECRET + bad])):
            r = fails_cleanly(tmp, ["-C", d, *args], 2, opt, shown)
            not_contains(r.err, SECRET, "stderr")
    # one-line fields refuse a line break; note, diagnosis and reason take it
    for args, opt in ((["enroll", "P-0002", "--name", "A\nB"], "--name"),
                      (["enroll", "P-0002", "--name", "X", "--insurance", "A\nB"], "--insurance"),
                      (["med", "P-0001", "start", "a\nb"], "NAME"),
                      (["aftercare", "P-0001", "--group", "A\nA"], "--group"),
                      (["screen", "P-0001", "--result", "positive", "--substance", "a\nb"],
                       "--substance")):
        fails_cleanly(tmp, ["-C", d, *args], 2, opt, "holds a line break (\\n)")
    ok("-C", d, "enroll", "P-0002", "--name", "X", "--diagnosis", "F10.20\nsecond line")
    ok("-C", d, "attend", "P-0001", "--kind", "individual", "--note", "line one\nline two")
    eq(load_toml(record_path(d, "P-0002"))["diagnosis"], "F10.20\nsecond line", "diagnosis")
    eq(load_toml(record_path(d))["session"][0]["note"], "line one\nline two", "note")
    # spaces only
    for args, opt in ((["enroll", "P-0003", "--name", "   "], "--name"),
                      (["aftercare", "P-0001", "--sponsor", " \t "], "--sponsor"),
                      (["med", "P-0001", "start", "  "], "NAME"),
                      (["screen", "P-0001", "--result", "positive", "--substance", " "],
                       "--substance")):
        fails_cleanly(tmp, ["-C", d, *args], 2, opt, "holds only spaces")


@case
def csv_cells_follow_the_rule(tmp):
    d = one_patient_clinic(tmp, attended=False)
    for i, (bad, shown) in enumerate(FORBIDDEN):
        if bad == "\r":
            continue  # a bare CR ends a CSV line
        r = import_csv(tmp, d, f"p{i}.csv", f"id,name,enrolled\nP-0009,{SECRET}{bad},2026-11-02\n",
                       3, f"p{i}.csv:2: name holds a control character ({shown})")
        not_contains(r.err, SECRET, "stderr")
    # a line break: one-line fields refuse it, note, diagnosis and reason take it
    import_csv(tmp, d, "n.csv", 'id,name,enrolled\nP-0009,"A\nB",2026-11-02\n', 3,
               "n.csv:2: name holds a line break (\\n); this field is one line")
    import_csv(tmp, d, "s.csv", "id,record,date,type,sponsor\nP-0001,event,2026-11-03,aftercare,"
               "\" \"\n", 3, "sponsor holds only spaces")
    import_csv(tmp, d, "m.csv", "id,record,date,action,medication\n"
               "P-0001,medication,2026-11-03,start,\"  \"\n", 3, "m.csv:2: medication is empty")
    import_csv(tmp, d, "w.csv", "id,name,enrolled\nP-0009,\" \",2026-11-02\n", 3,
               "name holds only spaces")
    (tmp / "ok.csv").write_text('id,name,enrolled,diagnosis\nP-0009,X,2026-11-02,"a\r\nb"\n')
    ok("-C", d, "import", tmp / "ok.csv")
    eq(load_toml(record_path(d, "P-0009"))["diagnosis"], "a\nb", "a CSV diagnosis spans lines")


@case
def hand_edited_records_follow_the_rule(tmp):
    d = one_patient_clinic(tmp, attended=False)
    cases = {
        "P-0002": lambda t: t.replace('name = "Jane Doe"', f'name = {toml_str(SECRET + chr(0x85))}'),
        "P-0003": lambda t: t.replace('name = "Jane Doe"', 'name = "   "'),
        "P-0004": lambda t: t.replace('name = "Jane Doe"', f'name = {toml_str(SECRET + chr(10))}'),
        "P-0005": lambda t: t.replace('name = "Jane Doe"', f'name = {toml_str(SECRET)}\n'
                                      f'clinician = {toml_str(chr(0x202e) + SECRET)}'),
    }
    for pid, edit in cases.items():
        copy_record(d, pid, header_edit=edit)
    copy_record(d, "P-0006", extra='\n[[medication]]\ndate = 2026-11-03\naction = "start"\n'
                'name = " "\n')
    copy_record(d, "P-0007", extra='\n[[screen]]\ndate = 2026-11-03\nresult = "positive"\n'
                f'substances = [{toml_str(SECRET + chr(0x2028))}]\n')
    copy_record(d, "P-0008", extra='\n[[event]]\ntype = "note"\ndate = 2026-11-03\n'
                f'text = {toml_str("ok" + chr(13) + chr(10) + "crlf")}\n')
    for pid in ("P-0002", "P-0003", "P-0004", "P-0005", "P-0006", "P-0007", "P-0008"):
        r = fails_cleanly(tmp, ["-C", d, "show", pid], 3, f"patients/{pid}.toml:")
        not_contains(r.err, SECRET, "stderr")
    r = run("-C", d, "check")
    eq(r.code, 3, f"check\n{r!r}")
    for pid in ("P-0002", "P-0003", "P-0004", "P-0005", "P-0006", "P-0007", "P-0008"):
        contains(r.out, f"patients/{pid}.toml:")
    eq(r.out.count("[record-invalid]"), 7, "record-invalid findings")
    not_contains(r.out, SECRET, "check output")
    # a multi-line note is valid in a record
    copy_record(d, "P-0009", extra='\n[[event]]\ntype = "note"\ndate = 2026-11-03\n'
                'text = "one\\ntwo"\n')
    ok("-C", d, "show", "P-0009")


@case
def line_breaks_where_the_rule_allows_them_from_every_source(tmp):
    # note, diagnosis and reason take a line break from an option, a CSV
    # cell and a hand-edited record alike; each comes back as written.
    d = one_patient_clinic(tmp, attended=False)
    two = "line one\nline two"
    for pid in ("P-0002", "P-0003"):
        enroll(d, pid, "X", "2026-11-02")
    ok("-C", d, "plan", "P-0001", "--weeks", "10", "--note", two, "--date", "2026-11-04")
    ok("-C", d, "aftercare", "P-0001", "--sponsor", "Sam", "--note", two, "--date", "2026-11-05")
    ok("-C", d, "discharge", "P-0001", "--reason", "lost-contact", "--note", two, "--date",
       "2026-11-06")
    ok("-C", d, "graduate", "P-0002", "--force", "--reason", two, "--date", "2026-11-06")
    events = load_toml(record_path(d))["event"]
    eq([e.get("note") for e in events], [two, two, two], "--note of plan, aftercare, discharge")
    eq(load_toml(record_path(d, "P-0002"))["event"][0]["reason"], two, "--reason")
    csv = tmp / "j.csv"
    csv.write_text('record,id,date,kind,type,reason,forced,note\n'
                   'session,P-0003,2026-11-03,individual,,,,"a\r\nb"\n'
                   'event,P-0003,2026-11-04,,note,,,"c\nd"\n'
                   'event,P-0003,2026-11-05,,graduated,"e\nf",true,\n', newline="")
    ok("-C", d, "import", csv)
    rec = load_toml(record_path(d, "P-0003"))
    eq((rec["session"][0]["note"], rec["event"][0]["text"], rec["event"][1]["reason"]),
       ("a\nb", "c\nd", "e\nf"), "CSV note, event note and reason")
    enroll(d, "P-0005", "Jane Doe", "2026-11-02")
    copy_record(d, "P-0004", base_pid="P-0005", header_edit=lambda t: t.replace(
        'name = "Jane Doe"', 'name = "Jane Doe"\ndiagnosis = "F10.20\\nF17.210"'),
        extra='\n[[event]]\ntype = "discharged"\ndate = 2026-11-07\nreason = "other"\n'
        'note = "g\\nh"\n')
    ok("-C", d, "show", "P-0004")
    ok("-C", d, "check", "P-0004")

@case
def list_items_have_no_spaces_at_either_end(tmp):
    # a CSV list cell trims its items, so no source may hold such an item
    d = one_patient_clinic(tmp, attended=False)
    for item in (" alcohol", "alcohol\t", " "):
        fails_cleanly(tmp, ["-C", d, "screen", "P-0001", "--result", "positive",
                            f"--substance={item}"], 2, "--substance")
        fails_cleanly(tmp, ["-C", d, "aftercare", "P-0001", f"--group={item}"], 2, "--group")
    copy_record(d, "P-0002", extra='\n[[screen]]\ndate = 2026-11-03\nresult = "positive"\n'
                'substances = [" alcohol"]\n')
    copy_record(d, "P-0003", extra='\n[[event]]\ntype = "aftercare"\ndate = 2026-11-03\n'
                'groups = ["AA "]\n')
    for pid in ("P-0002", "P-0003"):
        fails_cleanly(tmp, ["-C", d, "show", pid], 3, f"patients/{pid}.toml:",
                      "begins or ends with a space")
    ok("-C", d, "screen", "P-0001", "--result", "positive", "--substance", "crystal meth")


@case
def program_texts_follow_the_rule(tmp):
    d = one_patient_clinic(tmp, attended=False)
    program = (d / "program.toml").read_text()
    (d / "program.toml").write_text(program.replace('title = "', 'title = "\\u001b[2J', 1))
    fails_cleanly(tmp, ["-C", d, "list"], 3, "program.toml:", "title' holds a control character")
    (d / "program.toml").write_text(program.replace('title = "', 'title = "  "\nx = "', 1)
                                    .replace('\nx = "', "\n#", 1))
    fails_cleanly(tmp, ["-C", d, "list"], 3, "program.toml:")


# ---------------------------------------------------------------- nothing raw


@case
def a_forged_name_cannot_forge_a_line_of_list(tmp):
    d = one_patient_clinic(tmp, attended=False)
    forged = "Jane\nP-0666  active  week  1/12  since 2026-11-02  Forged"
    copy_record(d, "P-0002",
                header_edit=lambda t: t.replace('name = "Jane Doe"', f"name = {toml_str(forged)}"))
    copy_record(d, "P-0003", header_edit=lambda t: t.replace('name = "Jane Doe"',
                                                 f"name = {toml_str('Ann' + chr(27) + '[1A')}"))
    r = run("-C", d, "list")
    eq(r.code, 3, f"list\n{r!r}")
    lines = r.out.splitlines()
    eq(len(lines), 1, f"one patient listed\n{r!r}")
    check(lines[0].startswith("P-0001"), f"P-0001 listed\n{r!r}")
    not_contains(r.out + r.err, "P-0666", "output")
    not_contains(r.out + r.err, "\x1b", "output")
    eq(r.err.count("\n"), 2, f"one error line a broken record\n{r!r}")


@case
def show_keeps_a_multi_line_diagnosis_in_its_column(tmp):
    d = one_patient_clinic(tmp, attended=False)
    ok("-C", d, "enroll", "P-0002", "--name", "X", "--start", "2026-11-02", "--diagnosis",
       "F10.20 alcohol use disorder\nF17.210 nicotine dependence")
    out = ok("-C", d, "show", "P-0002").out
    contains(out, "  diagnosis   F10.20 alcohol use disorder\n"
                  "              F17.210 nicotine dependence\n", "show")


@case
def error_messages_quote_short_excerpts(tmp):
    d = one_patient_clinic(tmp, attended=False)
    big = "h" * (30 << 20)
    one_mb = "h" * (1 << 20)
    r = import_csv(tmp, d, "head.csv", f"id,name,enrolled,{big}\n", 3,
                   "head.csv:1: unknown column 'hhhhhhhhhh")
    check(len(r.err) < 1000, f"the error is short: {len(r.err)} bytes")
    r = import_csv(tmp, d, "cell.csv", f"id,name,enrolled\nP-0009,X,{one_mb}\n", 3,
                   "cell.csv:2: enrolled 'hhhhhhhhhh")
    check(len(r.err) < 1000, f"the error is short: {len(r.err)} bytes")
    r = import_csv(tmp, d, "id.csv", f"id,name,enrolled\n{one_mb},X,2026-11-02\n", 3,
                   "id.csv:2: invalid patient id 'hhhhhhhhhh")
    check(len(r.err) < 1000, f"the error is short: {len(r.err)} bytes")
    r = import_csv(tmp, d, "t.csv", f"id,date,kind,topic\nP-0001,2026-11-03,group,{one_mb}\n", 3,
                   "t.csv:2: unknown topic 'hhhhhhhhhh")
    check(len(r.err) < 1000, f"the error is short: {len(r.err)} bytes")
    mid = "k" * (120 << 10)  # an argument of 120 KB (Linux takes at most 128 KB)
    for args, needle in ((["attend", "P-0001", "--kind", mid], "--kind"),
                         (["attend", "P-0001", "--kind", "group", "--topic", mid], "unknown topic"),
                         (["show", mid], "invalid patient id"),
                         (["list", "--status", mid], "--status"),
                         (["attend", "P-0001", "--kind", "individual", "--date", mid], "--date"),
                         (["attend", "P-0001", "--kind", "individual", "--hours", mid],
                          "--hours"),
                         ([mid], "unknown command"), (["list", "--" + mid], "unknown option")):
        r = fails_cleanly(tmp, ["-C", d, *args], 2, needle)
        check(len(r.err) < 1000, f"{needle}: the error is short: {len(r.err)} bytes")
    # and escaped: an escape sequence in a value is shown as \x1b
    r = fails_cleanly(tmp, ["-C", d, "list", "--status", "x\x1b[2J"], 2, "\\x1b[2J")
    not_contains(r.err, "\x1b", "stderr")


# ---------------------------------------------------------------- bounds


@case
def dates_are_1900_to_2100_everywhere(tmp):
    d = one_patient_clinic(tmp, attended=False)
    for date in ("1899-12-31", "2101-01-01", "0001-01-01", "9999-12-31"):
        for args, opt in ((["enroll", "P-0002", "--name", "X", "--start", date], "--start"),
                          (["enroll", "P-0002", "--name", "X", "--born", date], "--born"),
                          (["attend", "P-0001", "--kind", "individual", "--date", date],
                           "--date"),
                          (["--today", date, "list"], "--today")):
            fails_cleanly(tmp, ["-C", d, *args], 2, opt)
        fails_cleanly(tmp, ["-C", d, "list"], 2, "IOP_TODAY", today=date)
        import_csv(tmp, d, "e.csv", f"id,name,enrolled\nP-0009,X,{date}\n", 3, "e.csv:2: enrolled")
        import_csv(tmp, d, "b.csv", f"id,name,enrolled,born\nP-0009,X,2026-11-02,{date}\n", 3,
                   "b.csv:2: born")
        import_csv(tmp, d, "r.csv", f"id,date,kind,recorded_at\nP-0001,2026-11-03,individual,"
                   f"{date}T10:00:00Z\n", 3, "r.csv:2: recorded_at")
    for pid, edit in (("P-0002", lambda t: t.replace("enrolled = 2026-11-02",
                                                     "enrolled = 0001-01-01")),
                      ("P-0003", lambda t: t.replace("enrolled = 2026-11-02",
                                                     "born = 1899-12-31\nenrolled = 2026-11-02")),
                      ("P-0004", lambda t: t.replace("recorded_at = 2026-11-03T17:02:11Z",
                                                     "recorded_at = 2101-01-01T00:00:00Z"))):
        copy_record(d, pid, header_edit=edit)
        fails_cleanly(tmp, ["-C", d, "show", pid], 3, f"patients/{pid}.toml:",
                      "must be between 1900-01-01 and 2100-12-31")
    # the bounds themselves are accepted
    ok("-C", d, "enroll", "P-0005", "--name", "X", "--born", "1900-01-01", "--start", "2026-11-02")


@case
def hours_are_a_plain_decimal_from_0_1_to_12(tmp):
    d = one_patient_clinic(tmp, attended=False)
    for hours in ("0x1p1", "1e-300", "1e0", "0.05", "0.001", "12.01", "1.234", "+1", " 1", "1.",
                  ".5", "0"):
        fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--hours",
                            hours], 2, "--hours")
        if hours != " 1":  # a CSV cell is trimmed
            import_csv(tmp, d, "h.csv",
                       f"id,date,kind,hours\nP-0001,2026-11-03,individual,{hours}\n", 3,
                       "h.csv:2: hours")
    for pid, hours in (("P-0002", "0x10"), ("P-0003", "0.05"), ("P-0004", "1.234"),
                       ("P-0005", "12.5"), ("P-0006", "1e-300")):
        copy_record(d, pid, extra=f'\n[[session]]\ndate = 2026-11-03\nkind = "individual"\n'
                    f'hours = {hours}\nstatus = "attended"\n')
        fails_cleanly(tmp, ["-C", d, "show", pid], 3, f"patients/{pid}.toml:")
    program = (d / "program.toml").read_text()
    for value in ("0.05", "1.234", "0x10"):
        text = program.replace("family_hours = 1.0", f"family_hours = {value}", 1)
        check(text != program, "program.toml sets family_hours")
        (d / "program.toml").write_text(text)
        fails_cleanly(tmp, ["-C", d, "list"], 3, "program.toml:", "'family_hours' is")
    (d / "program.toml").write_text(program)
    for hours in ("0.1", "12", "1.25", "3"):
        ok("-C", d, "attend", "P-0001", "--kind", "individual", "--hours", hours,
           "--allow-duplicate", "--date", "2026-11-03")
    eq([s["hours"] for s in load_toml(record_path(d))["session"]], [0.1, 12.0, 1.25, 3.0],
       "hours written")


@case
def waits_are_plain_seconds(tmp):
    d = one_patient_clinic(tmp, attended=False)
    for wait in ("0x1p1", "1e-300", "1e3", "0.05", "86401", "-1", "inf", "5s"):
        fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--wait", wait],
                      2, "--wait")
    ok("-C", d, "attend", "P-0001", "--kind", "individual", "--wait", "0.5")
    ok("-C", d, "list", "--wait", "0")


@case
def whole_numbers_are_plain_decimal(tmp):
    d = one_patient_clinic(tmp, attended=False)
    for n in ("0x10", "0b11", "1e3", "+5", " 5", "5 ", "1.0", "99999999999"):
        for args, opt in ((["plan", "P-0001", "--weeks", n], "--weeks"),
                          (["enroll", "P-0002", "--name", "X", "--groups-per-week", n],
                           "--groups-per-week"),
                          (["med", "P-0001", "start", "x", "--review-days", n], "--review-days"),
                          (["remind", "--within", n], "--within"), (["list", "--jobs", n], "--jobs")):
            fails_cleanly(tmp, ["-C", d, *args], 2, opt)
    # a leading zero is decimal, never octal
    ok("-C", d, "enroll", "P-0002", "--name", "X", "--weeks", "010")
    eq(load_toml(record_path(d, "P-0002"))["plan"]["weeks"], 10, "--weeks 010")


# ---------------------------------------------------------------- environment


@case
def environment_variables_are_checked_first(tmp):
    d = one_patient_clinic(tmp, attended=False)
    for now in ("2026-11-03T17:02:60Z", "1899-12-31T23:59:59Z", "2101-01-01T00:00:00Z",
                "yesterday", "2026-11-03T17:02:11+02:00"):
        r = fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual"], 2,
                          "iop: error: IOP_NOW: ", now=now)
        not_contains(r.err, "patients/", "stderr")
    for today in ("0001-01-01", "2026-02-30"):
        fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual"], 2,
                      "iop: error: IOP_TODAY: ", today=today)
    for user in ("a<b>", "<x@y>", " lead", "trail ", "trail.", "x,", ";x", '"q"', "it's'",
                 "back\\", "a\nb", "a\u202eb", "x" * 65, "   "):
        fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual"], 2,
                      "iop: error: IOP_USER: ", user=user)
    ok("-C", d, "attend", "P-0001", "--kind", "individual", user="Dr. J. O'Neil-Smith")
    eq(load_toml(record_path(d))["session"][0]["recorded_by"], "Dr. J. O'Neil-Smith",
       "recorded_by")
    ok("-C", d, "attend", "P-0001", "--kind", "individual", "--allow-duplicate", user="x" * 64)


if __name__ == "__main__":
    main()
