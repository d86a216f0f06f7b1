"""examples/cron/iop-remind end to end, with a fake mail(1) on PATH: one mail
per clinician with something due (to the address the clinicians file gives,
else the coordinator), the patients without a clinician to the coordinator,
no mail when nothing is due."""

import os
import re
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import IOP, SOURCE_DIR, case, contains, enroll, eq, main, make_clinic, not_contains

WRAPPER = SOURCE_DIR / "examples" / "cron" / "iop-remind"
FAKE_MAIL = """#!/bin/sh
# mail -s SUBJECT RECIPIENT: appends one mail to $MAIL_LOG
{ printf 'TO %s\\nSUBJECT %s\\n' "$3" "$2"; cat; printf '.\\n'; } >> "$MAIL_LOG"
"""


def run_wrapper(tmp, clinic, today, *args):
    bin_dir = tmp / "bin"
    bin_dir.mkdir(exist_ok=True)
    mail = bin_dir / "mail"
    mail.write_text(FAKE_MAIL)
    mail.chmod(stat.S_IRWXU)
    log = tmp / "mail.log"
    log.write_text("")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "IOP": IOP, "IOP_DIR": str(clinic),
           "IOP_TODAY": today, "MAIL_LOG": str(log), "LOGNAME": "coordinator"}
    p = subprocess.run(["sh", str(WRAPPER), *args], env=env, capture_output=True, text=True,
                       timeout=120)
    eq((p.returncode, p.stdout, p.stderr), (0, "", ""), "wrapper run")
    mails = []
    for block in log.read_text().split(".\n"):
        if block.strip():
            head, _, body = block.partition("\n")
            subject, _, body = body.partition("\n")
            mails.append((head[3:], subject[8:], body))
    return mails


@case
def one_mail_per_clinician(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "A", "2026-09-07", "--clinician", "Dr. Rivera")
    enroll(d, "P-0002", "B", "2026-09-07", "--clinician", "Dr. Okafor")
    enroll(d, "P-0003", "C", "2026-09-07", "--clinician", "dr. rivera")
    enroll(d, "P-0004", "D", "2026-09-07")
    clinicians = tmp / "clinicians"
    clinicians.write_text("DR. RIVERA\trivera@example.org\n")
    mails = run_wrapper(tmp, d, "2026-11-24", "boss@example.org", str(clinicians))
    eq(sorted(m[0] for m in mails), ["boss@example.org", "boss@example.org", "rivera@example.org"],
       f"recipients\n{mails}")
    by_subject = {m[1]: m for m in mails}
    eq(sorted(re.sub(r"^IOP reminders for \d{4}-\d\d-\d\d: ", "", s) for s in by_subject),
       ["Dr. Okafor", "Dr. Rivera", "patients without a clinician"], "subjects")
    heads = {s.split(": ")[-1]: [l.split()[0] for l in m[2].splitlines() if l and l[0] != " "]
             for s, m in by_subject.items()}
    eq(heads, {"Dr. Rivera": ["P-0001", "P-0003"], "Dr. Okafor": ["P-0002"],
               "patients without a clinician": ["P-0004"]}, "patients in each mail")
    for _, _, body in mails:
        not_contains(body, "Jane")
        contains(body, "lost-contact")


@case
def nothing_due_sends_nothing(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "A", "2026-11-23", "--clinician", "Dr. Rivera")
    eq(run_wrapper(tmp, d, "2026-11-23"), [], "no mail")


if __name__ == "__main__":
    main()
