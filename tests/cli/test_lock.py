"""The writers' lock: an exclusive flock(2) on <dir>/.iop.lock. A writer waits
--wait seconds, then exits 75 naming the holder's pid; readers never wait."""

import fcntl
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (LOCK_NAME, case, check, contains, enroll, eq, expect_error, fails_cleanly,
                  load_toml, main, make_clinic, mode_of, ok, record_path, run)


def clinic(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-02")
    return d


@contextmanager
def hold_lock(d, pid=None):
    """Holds the lock in this process, writing `pid` (default: ours) into it
    as iop does."""
    fd = os.open(d / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid() if pid is None else pid}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


HOLDER = r"""
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
os.ftruncate(fd, 0)
os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
print("locked", flush=True)
sys.stdin.read()  # hold until the test closes our stdin
"""


@contextmanager
def child_holds_lock(d):
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(d / LOCK_NAME)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        eq(p.stdout.readline().strip(), "locked", "the child took the lock")
        yield p.pid
    finally:
        p.stdin.close()
        p.wait(timeout=30)


def can_lock_now(d):
    fd = os.open(d / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@case
def writer_times_out_naming_the_holder(tmp):
    d = clinic(tmp)
    with hold_lock(d):
        r = fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--wait",
                                "1"], 75, f"pid {os.getpid()}", "locked")
        check(0.9 <= r.seconds < 15, f"--wait 1 took {r.seconds:.2f} s")
        r = fails_cleanly(tmp, ["-C", d, "enroll", "P-0002", "--name", "X", "--wait", "1"], 75,
                          str(os.getpid()))
        check(not record_path(d, "P-0002").exists(), "no record while locked")


@case
def lock_held_by_another_process(tmp):
    d = clinic(tmp)
    with child_holds_lock(d) as holder:
        check(holder != os.getpid(), "a separate holder")
        r = fails_cleanly(tmp, ["--wait", "1", "-C", d, "attend", "P-0001", "--kind", "group",
                                "--topic", "illness"], 75, f"pid {holder}")
        contains(r.err, str(d), "the message names the directory")
    # released when the holder exits
    ok("-C", d, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--wait", "0")


@case
def wait_zero_fails_at_once(tmp):
    d = clinic(tmp)
    with hold_lock(d):
        r = fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--wait",
                                "0"], 75)
        check(r.seconds < 3, f"--wait 0 took {r.seconds:.2f} s")


@case
def default_wait_is_five_seconds(tmp):
    d = clinic(tmp)
    with hold_lock(d):
        r = fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual"], 75)
        check(4.5 <= r.seconds < 20, f"the default wait took {r.seconds:.2f} s")


@case
def pid_less_lock_file(tmp):
    d = clinic(tmp)
    with hold_lock(d, pid=""):
        fails_cleanly(tmp, ["-C", d, "attend", "P-0001", "--kind", "individual", "--wait",
                            "0.2"], 75, "locked")


@case
def writer_waits_for_release(tmp):
    d = clinic(tmp)
    fd = os.open(d / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    timer = threading.Timer(1.0, os.close, [fd])
    timer.start()
    try:
        r = ok("-C", d, "attend", "P-0001", "--kind", "individual", "--wait", "30")
    finally:
        timer.join()
    check(r.seconds >= 0.8, f"the writer did not wait for the lock ({r.seconds:.2f} s)")
    eq(len(load_toml(record_path(d))["session"]), 1, "the session was recorded after the wait")


@case
def readers_are_not_blocked(tmp):
    d = clinic(tmp)
    ok("-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-03")
    with hold_lock(d):
        for args in (["show", "P-0001"], ["list"], ["list", "--format", "json"],
                     ["show", "P-0001", "--format", "json"]):
            r = ok("-C", d, *args, "--wait", "3")
            check(r.seconds < 2.5, f"iop {' '.join(args)} waited {r.seconds:.2f} s")
            check("P-0001" in r.out, f"iop {' '.join(args)} printed the patient")


@case
def iop_writes_its_pid_and_releases(tmp):
    d = clinic(tmp)
    r = ok("-C", d, "attend", "P-0001", "--kind", "individual")
    lock = d / LOCK_NAME
    eq(lock.read_text(), f"{r.pid}\n", "the lock file holds the last writer's pid")
    eq(mode_of(lock), 0o600, "the lock file's mode")
    check(can_lock_now(d), "the lock is released when iop exits")


@case
def lock_file_created_on_demand(tmp):
    d = make_clinic(tmp)
    check(not (d / LOCK_NAME).exists(), "init creates no lock file")
    ok("-C", d, "list")
    check(not (d / LOCK_NAME).exists(), "a reader creates no lock file")
    enroll(d, "P-0001", "Jane")
    check((d / LOCK_NAME).is_file(), "a writer creates the lock file")


@case
def flock_on_the_record_does_not_block(tmp):
    # The lock is the separate .iop.lock, not the data file (renamed on every write).
    d = clinic(tmp)
    fd = os.open(record_path(d), os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        ok("-C", d, "attend", "P-0001", "--kind", "individual", "--wait", "0")
    finally:
        os.close(fd)


if __name__ == "__main__":
    main()
