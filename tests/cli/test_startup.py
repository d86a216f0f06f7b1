"""Startup does only the work it needs (issue 7, docs/benchmarks.md): under
strace, `iop --version` opens nothing in the records directory, and
`iop attend` never lists a directory and reads its one record once, however
many records there are. Where strace is missing or cannot trace, the test says
it skipped, and passes."""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (IOP, case, check, enroll, env_for, eq, load_toml, main, make_clinic,
                  record_path)

STRACE = shutil.which("strace")

# 1234  openat(AT_FDCWD, "/tmp/x/clinic/patients/P-0001.toml", O_RDONLY|O_CLOEXEC) = 3
CALL = re.compile(r'^(?:\[pid\s+)?\d*\]?\s*(\w+)\((.*)$')
PATH = re.compile(r'"((?:[^"\\]|\\.)*)"')


def traced(tmp, *args, cwd=None):
    """Runs iop under strace -f; returns (exit status, [(syscall, first path, line)])."""
    log = tmp / f"strace-{len(list(tmp.glob('strace-*')))}.log"
    # LeakSanitizer cannot stop the world under ptrace: no leak check here.
    env = env_for({"IOP_NO_GIT": "1", "ASAN_OPTIONS": "detect_leaks=0:" +
                   os.environ.get("ASAN_OPTIONS", "")})
    p = subprocess.run([STRACE, "-f", "-qq", "-s", "4096", "-o", str(log),
                        "-e", "trace=%file,%desc,getdents64", IOP, *map(str, args)],
                       cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=120)
    calls = []
    for line in log.read_text(errors="replace").splitlines():
        m = CALL.match(line.strip())
        if not m:
            continue
        path = PATH.search(m.group(2))
        calls.append((m.group(1), path.group(1) if path else None, line))
    return p.returncode, calls


def skip_without_strace(tmp):
    if STRACE is None:
        print("  SKIPPED: strace not found (install the Debian package strace)")
        return True
    code, calls = traced(tmp, "--version")
    if code != 0 or not calls:
        print(f"  SKIPPED: iop does not run under strace here (exit {code})")
        return True
    return False


def clinic_of(tmp, n):
    d = make_clinic(tmp)
    for i in range(1, n + 1):
        enroll(d, f"P-{i:04}", f"Patient {i}", "2026-11-02")
    return d


@case
def version_opens_nothing_in_the_records_directory(tmp):
    if skip_without_strace(tmp):
        return
    d = clinic_of(tmp, 3)
    code, calls = traced(tmp, "--version", cwd=d)
    eq(code, 0, "exit status of --version")
    root = str(d.resolve())
    touched = [line for _, path, line in calls
               if path and (path.startswith(root) or path in ("program.toml", "patients")
                            or path.startswith("patients/"))]
    eq(touched, [], "calls naming the records directory, program.toml or patients/")
    eq([line for name, _, line in calls if name == "getdents64"], [], "directory listings")


@case
def attend_reads_its_one_record_once_and_lists_nothing(tmp):
    if skip_without_strace(tmp):
        return
    d = clinic_of(tmp, 12)
    patients = str((d / "patients").resolve())
    code, calls = traced(tmp, "-C", d, "attend", "P-0007", "--kind", "group", "--topic",
                         "illness", "--date", "2026-11-03")
    eq(code, 0, "exit status of attend")
    eq([line for name, _, line in calls if name == "getdents64"], [], "directory listings")

    def names(path):
        return os.path.basename(path) if path and os.path.dirname(path) == patients else None
    in_patients = [(name, names(path), line) for name, path, line in calls if names(path)]
    others = [line for _, base, line in in_patients
              if not (base == "P-0007.toml" or base.startswith(".P-0007.toml.tmp-"))]
    eq(others, [], "calls naming another file in patients/")
    reads = [line for name, base, line in in_patients
             if name in ("open", "openat") and base == "P-0007.toml"]
    eq(len(reads), 1, f"opens of patients/P-0007.toml (one read): {reads}")
    check("O_RDONLY" in reads[0], f"the record is opened read-only: {reads[0]}")
    temps = [line for name, base, line in in_patients
             if name in ("open", "openat") and base.startswith(".P-0007.toml.tmp-")]
    eq(len(temps), 1, f"temporary files created: {temps}")
    program = [line for name, path, line in calls
               if name in ("open", "openat") and path and path.endswith("/program.toml")]
    eq(len(program), 1, f"opens of program.toml: {program}")
    # The session is in the file, the others untouched.
    eq([str(x["date"]) for x in load_toml(record_path(d, "P-0007")).get("session", [])],
       ["2026-11-03"], "sessions of P-0007")
    eq(load_toml(record_path(d, "P-0006")).get("session", []), [], "sessions of P-0006")


if __name__ == "__main__":
    main()
