"""Corrections by appending (SPEC sections 3 and 11): entry references,
iop show ID --journal, iop void."""

import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (case, contains, eq, fails_cleanly, main, not_contains, ok,
                  one_patient_clinic, record_path, run)

SESSION_BLOCK = ('[[session]]\ndate = 2026-11-03\nkind = "group"\ntopic = "illness"\n'
                 'hours = 3.0\nstatus = "attended"\nrecorded_by = "tester"\n'
                 'recorded_at = 2026-11-03T17:02:11Z\n')


def ref_of(block):
    """The reference SPEC section 3 defines, computed apart from iop."""
    return hashlib.sha256(block.encode()).hexdigest()[:8]


def journal(d, pid="P-0001"):
    return json.loads(ok("-C", d, "show", pid, "--journal", "--format", "json").out)["journal"]


@case
def show_journal_lists_every_entry_with_its_reference(tmp):
    d = one_patient_clinic(tmp)
    text = record_path(d).read_text()
    contains(text, SESSION_BLOCK)
    # A hand-added comment and blank lines do not change the reference.
    with open(record_path(d), "a") as f:
        f.write("\n# a comment\n\n" + SESSION_BLOCK)
    ref = ref_of(SESSION_BLOCK)
    out = ok("-C", d, "show", "P-0001", "--journal").out
    contains(out, "P-0001 journal: 2 entries, 0 voided")
    contains(out, f"{ref}    2026-11-03  session group illness 3.0h attended  tester "
                  "2026-11-03T17:02:11Z")
    contains(out, f"{ref}-2  2026-11-03  session group illness")
    j = journal(d)
    eq([e["ref"] for e in j], [ref, ref + "-2"])
    eq(j[0]["entry"]["recorded_by"], "tester")
    eq(j[0]["entry"]["recorded_at"], "2026-11-03T17:02:11Z")
    eq(j[0]["entry"]["date"], "2026-11-03")
    eq(j[0]["voided_by"], None)


if __name__ == "__main__":
    main()
