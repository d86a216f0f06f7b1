"""Hostile and odd input, end to end. Each: a clear 'iop: error: ...', the
SPEC's exit code, every file and directory byte-identical afterwards, no
crash, and quickly. (Ids given as arguments, malformed records and programs:
test_errors.py; option values: test_attend.py, test_enroll.py; the parsers:
the unit tests and fuzz/.)"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (assert_unchanged, case, check, contains, copy_record, enroll, eq, expect_error,
                  fails_cleanly, import_fails, load_toml, main, make_clinic, ok,
                  one_patient_clinic, record_path, run, snapshot)


# Not speed targets (bench/ measures speed, never a test): a bound that only
# a hang or a blow-up crosses (a 20 MB CSV cell once took minutes), even under
# the sanitizers on a loaded machine. A run that passes it is not "fast".
HANG = 120


# ---------------------------------------------------------------- ids


@case
def hostile_ids_in_an_import(tmp):
    d = one_patient_clinic(tmp)
    rows = [b"../x", b"/etc/passwd", b"P-\x00001", b'"P-1\nx"', b'"P-1\r"', b"a" * 65,
            "Р-0001".encode(),  # Cyrillic Er
            "P\u20100002".encode(),  # a hyphen that is not '-'
            "P-０００３".encode(),  # fullwidth digits
            "P-0001\u200b".encode()]  # zero-width space
    for i, pid in enumerate(rows):
        data = b"id,name,enrolled\n" + pid + b",X,2026-11-02\n"
        r = import_fails(tmp, d, f"ids{i}.csv", data)
        contains(r.err, f"ids{i}.csv:2:")
    eq(sorted(os.listdir(d / "patients")), ["P-0001.toml"], "patients/")
    check(not (tmp / "x.toml").exists() and not (d / "x.toml").exists(), "nothing outside")


@case
def look_alike_ids_as_arguments(tmp):
    d = one_patient_clinic(tmp)
    for pid in ["Р-0001", "P\u20100001", "P-０００1", "P-0001\u200b", "P-0001\u0301",
                "\ufeffP-0001", "P-0001\x7f"]:
        for args in (["enroll", "--name", "X", "--", pid], ["show", "--", pid],
                     ["attend", "--kind", "individual", "--", pid]):
            fails_cleanly(tmp, ["-C", d, *args], 2, "invalid patient id")


# ---------------------------------------------------------------- symbolic links


@case
def record_symlinked_outside_is_never_followed(tmp):
    d = one_patient_clinic(tmp)
    outside = tmp / "outside"
    outside.mkdir()
    target = outside / "P-0002.toml"
    copy_record(d, "P-0002", b"")
    os.replace(record_path(d, "P-0002"), target)
    os.symlink(target, record_path(d, "P-0002"))
    os.symlink(outside / "missing.toml", record_path(d, "P-0003"))  # dangling
    (tmp / "s.csv").write_text("id,date,kind\nP-0002,2026-11-04,individual\n")
    (tmp / "p.csv").write_text("id,name,enrolled\nP-0003,Ann,2026-11-04\n")
    for args, code in ((["attend", "P-0002", "--kind", "individual"], 4),
                       (["screen", "P-0002", "--result", "negative"], 4),
                       (["discharge", "P-0002", "--reason", "moved"], 4),
                       (["show", "P-0002"], 4),
                       (["enroll", "P-0003", "--name", "Ann"], 1),
                       (["enroll", "P-0002", "--name", "Ann"], 1),
                       (["import", tmp / "s.csv"], 3), (["import", tmp / "p.csv"], 3)):
        before = snapshot(tmp)
        r = run("-C", d, *args)
        eq(r.code, code, f"exit\n{r!r}")
        contains(r.err, "iop: error: ")
        assert_unchanged(before, snapshot(tmp), f"after {r!r}")
    r = run("-C", d, "check", "P-0002")
    contains(r.out, "patients/P-0002.toml: error: file is a symbolic link")
    eq(sorted(os.listdir(outside)), ["P-0002.toml"], "no file created through the dangling link")


# ---------------------------------------------------------------- size and nesting


@case
def huge_records_are_refused_unread(tmp):
    d = one_patient_clinic(tmp)
    # 100 MB (sparse: refused from its size, never read), and just over the limit
    copy_record(d, "P-0002", b"")
    os.truncate(record_path(d, "P-0002"), 100 * 1024 * 1024)
    copy_record(d, "P-0003", b"")
    with open(record_path(d, "P-0003"), "ab") as f:
        f.write(b"# " + b"x" * (16 * 1024 * 1024) + b"\n")
    for pid, size in (("P-0002", 100 * 1024 * 1024), ("P-0003", None)):
        for args in (["show", pid], ["attend", pid, "--kind", "individual"]):
            r = fails_cleanly(tmp, ["-C", d, *args], 3, f"patients/{pid}.toml",
                              "larger than the 16 MiB iop reads")
            check(r.seconds < HANG, f"refusing took {r.seconds:.1f} s")
    r = run("-C", d, "check")
    eq(r.code, 3, f"check exit\n{r!r}")
    contains(r.out, "patients/P-0002.toml: error: file is 104857600 bytes, larger than the 16 MiB "
             "iop reads [record-invalid]")
    # the program too
    with open(d / "program.toml", "ab") as f:
        f.truncate(17 * 1024 * 1024)
    fails_cleanly(tmp, ["-C", d, "list"], 3, "program.toml", "larger than the 16 MiB")


@case
def deeply_nested_values_and_keys(tmp):
    d = one_patient_clinic(tmp)
    n = 100_000
    cases = {
        "P-0002": b"x = " + b"[" * n + b"]" * n + b"\n",
        "P-0003": b"x = " + b"{a=" * n + b"1" + b"}" * n + b"\n",
        "P-0004": b"[" + b".".join([b"a"] * n) + b"]\n",  # a table n deep
        "P-0005": b"a" + b".a" * n + b" = 1\n",
        "P-0006": b'"a"' + b'."a"' * n + b" = 1\n",
        "P-0007": b"x = [" + b"{" + b".".join([b"a"] * 16) + b" = [" * 200 + b"1" +
                  b"]}" * 200 + b"]\n",
    }
    for pid, extra in cases.items():
        copy_record(d, pid, b"\n" + extra)
        r = fails_cleanly(tmp, ["-C", d, "show", pid], 3, f"patients/{pid}.toml:")
        check(r.seconds < HANG, f"{pid} took {r.seconds:.1f} s")
    r = run("-C", d, "check", "--rule=record-invalid", *cases)
    eq(r.code, 3, f"check exit\n{r!r}")
    eq(len(r.out.splitlines()), len(cases), f"one record-invalid a file:\n{r.out}")
    contains(r.out, "a dotted key of more than 16 parts")
    contains(r.out, "exceeded maximum nested value depth")


# ---------------------------------------------------------------- encodings


@case
def invalid_utf8_anywhere(tmp):
    d = one_patient_clinic(tmp)
    copy_record(d, "P-0002", b"# \xff\xfe comment\n")
    copy_record(d, "P-0003", b'\n[[event]]\ntype = "note"\ndate = 2026-11-03\ntext = "a\xc3"\n')
    copy_record(d, "P-0004", b'\n[[event]]\ntype = "note"\ndate = 2026-11-03\n'
                            b'text = "\xed\xa0\x80"\n')  # a UTF-16 surrogate
    copy_record(d, "P-0005", b'\n[[event]]\ntype = "note"\ndate = 2026-11-03\n'
                            b'text = "\xc0\xaf"\n')  # overlong '/'
    for pid in ("P-0002", "P-0003", "P-0004", "P-0005"):
        fails_cleanly(tmp, ["-C", d, "show", pid], 3, f"patients/{pid}.toml:")
        fails_cleanly(tmp, ["-C", d, "attend", pid, "--kind", "individual"], 3,
                      f"patients/{pid}.toml:")
    for opt in ("--note", "--hours", "--date"):
        # os.fsdecode: the bytes reach iop's argv as they are
        fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", opt,
                            os.fsdecode(b"\xff\xfe")], 2, opt)
    fails_cleanly(tmp, ["-C", d, "enroll", "P-0009", "--name", os.fsdecode(b"Jane \xc3")], 2,
                  "--name is not valid UTF-8")
    import_fails(tmp, d, "bad.csv", b"id,name,enrolled\nP-0009,J\xffane,2026-11-02\n",
                 "bad.csv:2: column 'name' is not valid UTF-8")
    import_fails(tmp, d, "badhead.csv", b"id,na\xffme,enrolled\nP-0009,Jane,2026-11-02\n",
                 "badhead.csv:1")


# ---------------------------------------------------------------- the program


@case
def a_program_with_ten_thousand_topics(tmp):
    d = one_patient_clinic(tmp)
    with open(d / "program.toml", "a") as f:
        for i in range(10_000):
            f.write(f'\n[[curriculum]]\nid = "t{i}"\ntitle = "Topic {i}"\nsessions = 1\n'
                    f"core = true\n")
    for args in (["list"], ["show", "P-0001"], ["check"],
                 ["attend", "P-0001", "--kind", "group", "--topic", "t9999"]):
        r = fails_cleanly(tmp, ["-C", d, *args], 3, "program.toml:",
                          "the curriculum has more than 1000 topics")
        check(r.seconds < HANG, f"iop {args[0]} took {r.seconds:.1f} s")


@case
def a_program_with_a_thousand_topics_works_fast(tmp):
    d = make_clinic(tmp)
    text = (d / "program.toml").read_text()
    start = text.index("[[curriculum]]")
    topics = "".join(f'[[curriculum]]\nid = "t{i}"\nsessions = 1\ncore = {str(i % 2 == 0).lower()}'
                     "\n\n" for i in range(1000))
    (d / "program.toml").write_text(text[:start] + topics)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    ok("-C", d, "attend", "P-0001", "--kind", "group", "--topic", "t999", "--date", "2026-11-03")
    for args in (["show", "P-0001"], ["check", "--format", "json"], ["remind"]):
        r = run("-C", d, *args)
        check(r.code in (0, 1) and not r.err, f"iop {args[0]}\n{r!r}")
        check(r.seconds < HANG, f"iop {args[0]} took {r.seconds:.1f} s")


# ---------------------------------------------------------------- dates and hours


@case
def impossible_dates_and_hours_everywhere(tmp):
    d = one_patient_clinic(tmp)
    for date in ("2026-02-30", "2025-02-29", "0000-01-01", "2026-13-01", "2026-11-00",
                 "10000-01-01", "-2026-11-03"):
        fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--date",
                            date], 2)
        fails_cleanly(tmp, ["-C", d, "enroll", "P-0002", "--name", "X", "--start", date], 2)
        fails_cleanly(tmp, ["-C", d, "--today", date, "list"], 2)
    for hours in ("-1", "-0", "nan", "NaN", "-nan", "inf", "1e309", "1e-400", "3 h", ""):
        fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--hours",
                            hours], 2, "--hours")
    bad_rows = ["P-0001,2026-02-30,individual,1", "P-0001,0000-01-01,individual,1",
                "P-0001,2026-11-04,individual,nan", "P-0001,2026-11-04,individual,-1",
                "P-0001,2026-11-04,individual,-inf", "P-0001,2026-11-04,individual,1e999"]
    r = import_fails(tmp, d, "h.csv", ("id,date,kind,hours\n" + "\n".join(bad_rows) + "\n")
                     .encode())
    for line in range(2, 2 + len(bad_rows)):
        contains(r.err, f"h.csv:{line}:")
    # in a record
    for pid, extra in (("P-0002", b"date = 2026-02-30\nkind = \"individual\"\n"),
                       ("P-0003", b"date = 0000-01-01\nkind = \"individual\"\n"),
                       ("P-0004", b"date = 2026-11-03\nkind = \"individual\"\nhours = nan\n"),
                       ("P-0005", b"date = 2026-11-03\nkind = \"individual\"\nhours = -inf\n"),
                       ("P-0006", b"date = 2026-11-03\nkind = \"individual\"\nhours = -1.0\n"),
                       ("P-0007", b"date = 2026-11-03\nkind = \"individual\"\nhours = 1e400\n")):
        copy_record(d, pid, b"\n[[session]]\n" + extra + b'status = "attended"\n')
        fails_cleanly(tmp, ["-C", d, "show", pid], 3, f"patients/{pid}.toml:")


# ---------------------------------------------------------------- wide CSV


@case
def csv_with_a_million_columns(tmp):
    d = one_patient_clinic(tmp)
    million = 1_000_000
    r = import_fails(tmp, d, "wide-head.csv", b"id,name,enrolled" + b",x" * million + b"\n",
                     "wide-head.csv:1: unknown columns 'x'", f"and {million - 20} more")
    check(len(r.err) < 4000, f"the message names a few columns, not all: {len(r.err)} bytes")
    check(r.seconds < HANG, f"took {r.seconds:.1f} s")
    r = import_fails(tmp, d, "wide-dup.csv", b"id,name,enrolled" + b",name" * million + b"\n",
                     "column 'name' appears twice in the header")
    eq(r.err.count("appears twice"), 1, "said once")
    r = import_fails(tmp, d, "wide-row.csv", b"id,name,enrolled\nP-0009,X,2026-11-02" +
                     b",x" * million + b"\n",
                     f"wide-row.csv:2: the row has {million + 3} fields while the header has 3")
    check(r.seconds < HANG, f"took {r.seconds:.1f} s")
    r = import_fails(tmp, d, "one-cell.csv", b"id,name,enrolled\nP-0009," + b"x" * (20 << 20) +
                     b",2026-11-02\n")
    check(r.seconds < HANG, f"a 20 MB cell took {r.seconds:.1f} s")


if __name__ == "__main__":
    main()
