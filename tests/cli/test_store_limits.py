"""The store's limits and the records directory's own files, end to end: no
write makes a file iop cannot read back; a patients/ that is a symbolic link
is refused everywhere; `check --clean` removes only iop's own temporary files;
import input is bounded before it is read whole and binary input is refused at
its first block; a program.toml, record or CSV that is a FIFO or a directory is
reported for what it is (docs/reliability.md)."""

import os
import subprocess
import sys
import threading
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (IOP, assert_unchanged, case, check, contains, enroll, env_for, eq,
                  expect_error, fails_cleanly, main, make_clinic, ok, record_path, run, snapshot)

MIB = 1024 * 1024
LIMIT = 16 * MIB  # max_file_bytes
# A bound that only a hang crosses, never a speed target.
HANG = 120


def import_refused(tmp, args, code, *needles, **kw):
    """An import's refusal: each problem as `FILE:LINE: message`, then an
    'iop: error: ' line; the exit code; every file under tmp unchanged."""
    before = snapshot(tmp)
    r = run(*args, **kw)
    eq(r.code, code, f"exit\n{r!r}")
    lines = r.err.splitlines()
    check(lines and lines[-1].startswith("iop: error: "), f"final error line\n{r!r}")
    eq(r.out, "", "stdout")
    for n in needles:
        contains(r.err, n, "stderr")
    assert_unchanged(before, snapshot(tmp), f"after {r!r}")
    return r


def pad(path, room):
    """Pads a record with a comment to `room` bytes under the 16 MiB limit."""
    data = path.read_bytes()
    filler = LIMIT - room - len(data) - 3
    path.write_bytes(data + b"# " + b"x" * filler + b"\n")
    eq(path.stat().st_size, LIMIT - room, "padded size")


# ---------------------------------------------------------------- writes within the limits


WRITERS = (["attend", "P-0001", "--kind", "individual", "--date", "2026-11-04"],
           ["screen", "P-0001", "--result", "negative", "--date", "2026-11-04"],
           ["med", "P-0001", "start", "naltrexone", "--dose", "50 mg", "--date", "2026-11-04"],
           ["plan", "P-0001", "--weeks", "10"],
           ["plan", "P-0001", "--review"],
           ["aftercare", "P-0001", "--sponsor", "Ray D."],
           ["graduate", "P-0001", "--force", "--reason", "moved away"],
           ["discharge", "P-0001", "--reason", "moved"])


@case
def no_write_takes_a_record_past_the_size_iop_reads(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    enroll(d, "P-0002", "John Roe", "2026-11-02")
    # P-0001 has 100 bytes to spare (an entry is a few hundred), P-0002 10 kB.
    pad(record_path(d, "P-0001"), 100)
    pad(record_path(d, "P-0002"), 10_000)
    ok("-C", d, "show", "P-0001")
    for args in WRITERS:
        r = fails_cleanly(tmp, ["-C", d, *args], 1,
                          "iop: error: patients/P-0001.toml would grow past the 16 MiB iop reads "
                          "(16.0 MiB now); nothing was written")
        eq(len(r.err.splitlines()), 1, f"one line\n{r!r}")
    # An append that stays under the limit still works, and the record reads back.
    ok("-C", d, "attend", "P-0002", "--kind", "individual", "--date", "2026-11-04")
    check(record_path(d, "P-0002").stat().st_size <= LIMIT, "still within the limit")
    ok("-C", d, "show", "P-0002")

    # An import: all or nothing, each such record named at the first row adding to it.
    csv = tmp / "s.csv"
    csv.write_text("id,date,kind\nP-0002,2026-11-05,individual\nP-0001,2026-11-05,individual\n"
                   "P-0001,2026-11-06,individual\n")
    for dry in ([], ["--dry-run"]):
        r = import_refused(tmp, ["-C", d, "import", csv, *dry], 1,
                           f"{csv}:3: patients/P-0001.toml would grow past the 16 MiB iop reads "
                           "(16.0 MiB now)", "1 record would grow past the 16 MiB iop reads; "
                           "nothing was imported")
        check("P-0002.toml would" not in r.err, f"P-0002 stays within the limit\n{r!r}")
    # Two records over: both named.
    pad(record_path(d, "P-0002"), 100)
    import_refused(tmp, ["-C", d, "import", csv], 1, f"{csv}:2: patients/P-0002.toml would grow",
                   f"{csv}:3: patients/P-0001.toml would grow", "2 records would grow")
    ok("-C", d, "check", "--rule", "stale-temp")


# ---------------------------------------------------------------- patients/ as a link


@case
def a_patients_directory_that_is_a_symbolic_link_is_refused_everywhere(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    elsewhere = tmp / "elsewhere"
    os.rename(d / "patients", elsewhere)
    os.symlink(elsewhere, d / "patients")
    csv = tmp / "p.csv"
    csv.write_text("id,name,enrolled\nP-0002,Ann Poe,2026-11-02\n")
    message = (f"iop: error: patients/ is a symbolic link (to {elsewhere}); iop does not follow "
               "links for records")
    for args in (["list"], ["show", "P-0001"], ["remind"], ["check"], ["check", "--clean"],
                 ["export", "--format", "json"], ["log"],
                 ["attend", "P-0001", "--kind", "individual"],
                 ["enroll", "P-0002", "--name", "Ann Poe"], ["import", csv],
                 ["import", "--dry-run", csv]):
        fails_cleanly(tmp, ["-C", d, *args], 4, message)
    eq(sorted(os.listdir(elsewhere)), ["P-0001.toml"], "nothing written through the link")


# ---------------------------------------------------------------- check --clean


@case
def check_clean_removes_only_iops_own_temporary_files(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    ours = ["patients/.P-0001.toml.tmp-Ab3dE9", "patients/.P-0099.toml.tmp-zz09QQ",
            ".program.toml.tmp-a1B2c3", ".closures.toml.tmp-QQQQQQ"]
    theirs = [".notes.txt.tmp-abcdef", "patients/.notes.txt.tmp-abcdef",
              "patients/.P 1.toml.tmp-abcdef", "patients/.P-0001.txt.tmp-abcdef",
              ".P-0001.toml.tmp-abcdef",
              "patients/.P-0001.toml.tmp-abc", "patients/.-x.toml.tmp-abcdef",
              ".config.toml.tmp-abcdef"]
    for name in ours + theirs:
        (d / name).write_bytes(b"x\n")
        os.chmod(d / name, 0o600)
    r = run("-C", d, "check", "--rule", "stale-temp")
    eq(r.code, 0, f"warnings only\n{r!r}")
    eq(sorted(line.split(": ")[0] for line in r.out.splitlines()), sorted(ours),
       "only iop's names are reported")
    ok("-C", d, "check", "--clean", "--rule", "stale-temp")
    for name in ours:
        check(not (d / name).exists(), f"{name} removed")
    for name in theirs:
        eq((d / name).read_bytes(), b"x\n", f"{name} kept")


# ---------------------------------------------------------------- bounded input


def feed(tmp, args, byte, total):
    """Runs iop with up to `total` bytes of `byte` written to its standard
    input by a thread, which stops when iop stops reading (a broken pipe).
    Returns (exit code, stderr, bytes written)."""
    err_path = tmp / "feed.err"
    with open(err_path, "wb") as err:
        p = subprocess.Popen([IOP, *map(str, args)], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=err, env=env_for(), bufsize=0)
    written = [0]

    def writer():
        chunk = byte * (1 << 16)
        try:
            while written[0] < total:
                written[0] += p.stdin.write(chunk[: total - written[0]])
        except OSError:
            pass  # iop stopped reading
        try:
            p.stdin.close()
        except OSError:
            pass

    t = threading.Thread(target=writer)
    t.start()
    try:
        p.wait(timeout=HANG)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise AssertionError(f"iop {args} did not finish within {HANG} s")
    t.join(HANG)
    err = err_path.read_text(errors="replace")
    err_path.unlink()
    return p.returncode, err, written[0]


@case
def import_input_is_bounded_and_binary_refused_at_once(tmp):
    d = make_clinic(tmp)
    before = snapshot(tmp)
    # /dev/zero: binary at the first block, not a gigabyte later.
    import_refused(tmp, ["-C", d, "import", "/dev/zero"], 3,
                   "/dev/zero:1: binary data (a NUL byte): this is not a CSV text file",
                   timeout=HANG)
    # The same through a pipe: iop stops reading after its first block; the
    # writer of 200 MB gets a broken pipe early.
    code, err, written = feed(tmp, ["-C", d, "import", "-"], b"\0", 200 * MIB)
    eq(code, 3, f"exit\n{err}")
    contains(err, "binary data (a NUL byte)")
    check(written < 16 * MIB, f"iop read {written} bytes of zeros before refusing")
    # Text without end stops at the limit (256 MiB), not at its end.
    code, err, written = feed(tmp, ["-C", d, "import", "-"], b"a", 320 * MIB)
    eq(code, 3, f"exit\n{err}")
    contains(err, "larger than the 256 MiB iop imports at once; split it into smaller files")
    check(written < 257 * MIB, f"iop read {written} bytes, past its limit")
    # A regular file above the limit is refused from its size, unread (sparse).
    big = tmp / "big.csv"
    with open(big, "wb") as f:
        f.truncate(300 * MIB)
    expect_error(run("-C", d, "import", big), 3, "larger than the 256 MiB iop imports at once")
    big.unlink()
    assert_unchanged(before, snapshot(tmp), "after the refused imports")


# ---------------------------------------------------------------- FIFOs and directories


@case
def fifos_and_directories_are_reported_for_what_they_are(tmp):
    # A program.toml that is a FIFO: never opened (it would block), named, in
    # discovery from a subdirectory too.
    f = tmp / "fifo-clinic"
    (f / "sub").mkdir(parents=True)
    os.mkfifo(f / "program.toml")
    fails_cleanly(tmp, ["-C", f, "list"], 4,
                  f"{f}/program.toml is not a regular file (a FIFO)", timeout=HANG)
    fails_cleanly(tmp, ["list"], 4, "program.toml is not a regular file (a FIFO)",
                  cwd=f / "sub", timeout=HANG)
    fails_cleanly(tmp, ["init", f], 4, "is not a regular file (a FIFO)", timeout=HANG)
    # A directory.
    g = tmp / "dir-clinic"
    (g / "program.toml").mkdir(parents=True)
    fails_cleanly(tmp, ["-C", g, "check"], 4,
                  f"{g}/program.toml is not a regular file (a directory)")

    # A patient file that is a FIFO: named, never waited on.
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    os.mkfifo(record_path(d, "P-0009"))
    for args in (["show", "P-0009"], ["attend", "P-0009", "--kind", "individual"]):
        fails_cleanly(tmp, ["-C", d, *args], 4,
                      "patients/P-0009.toml is not a regular file (a FIFO)", timeout=HANG)
    r = run("-C", d, "check", timeout=HANG)
    contains(r.out, "patients/P-0009.toml: error: file is not a regular file (a FIFO)")

    # A CSV that is a directory is refused; one from a FIFO (bash's <(...)) is read.
    fails_cleanly(tmp, ["-C", d, "import", tmp], 4, f"{tmp} is not a regular file (a directory)")
    pipe = tmp / "rows.fifo"
    os.mkfifo(pipe)

    def write_rows():
        with open(pipe, "w") as w:
            w.write("id,date,kind\nP-0001,2026-11-04,individual\n")

    t = threading.Thread(target=write_rows)
    t.start()
    ok("-C", d, "import", pipe, timeout=HANG)
    t.join(HANG)
    contains(record_path(d, "P-0001").read_text(), "date = 2026-11-04")


if __name__ == "__main__":
    main()
