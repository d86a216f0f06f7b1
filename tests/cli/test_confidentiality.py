"""Confidentiality: iop creates directories 0700 and files 0600 whatever the
umask; `iop check` warns (rule `permissions`) about the records directory,
patients/ or a record that group or others can access; error messages carry
no record content beyond the id, file and line (no names, no diagnoses)."""

import json
import os
import stat
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (case, check, contains, enroll, eq, expect_error, main, make_clinic, mode_of,
                  not_contains, ok, record_path, run)

NAME = "Zelda Quixote"
DIAGNOSIS = "Opioid use disorder, severe"


def modes(tree):
    """path -> mode of every file and directory under tree, tree included."""
    out = {".": stat.S_IMODE(os.lstat(tree).st_mode)}
    for dirpath, dirnames, filenames in os.walk(tree):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            out[str(p.relative_to(tree))] = stat.S_IMODE(os.lstat(p).st_mode)
    return out


@case
def private_modes_whatever_the_umask(tmp):
    for umask in (0o000, 0o022, 0o077, 0o002):
        d = tmp / f"clinic-{umask:03o}"
        ok("init", d, umask=umask)
        ok("-C", d, "enroll", "P-0001", "--name", NAME, "--start", "2026-11-02", umask=umask)
        ok("-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-03",
           umask=umask)
        csv = tmp / "p.csv"
        csv.write_text("id,name,enrolled\nP-0002,Ann Poe,2026-11-02\n")
        ok("-C", d, "import", csv, umask=umask)
        csv.write_text("id,date,kind\nP-0001,2026-11-04,individual\n"
                       "P-0002,2026-11-04,individual\n")
        ok("-C", d, "import", csv, umask=umask)
        ok("-C", d, "screen", "P-0002", "--result", "negative", umask=umask)
        got = modes(d)
        for path, mode in got.items():
            is_dir = path == "." or (d / path).is_dir()
            eq(mode, 0o700 if is_dir else 0o600, f"umask {umask:03o}: mode of {path}")
        check({"patients/P-0001.toml", "patients/P-0002.toml", "program.toml",
               ".iop.lock"} <= set(got), f"umask {umask:03o}: files {sorted(got)}")
        eq(run("-C", d, "check", "--rule", "permissions").out, "", "nothing to report")
    # init into a directory that exists with loose modes tightens it
    d = tmp / "existing"
    d.mkdir(mode=0o755)
    os.chmod(d, 0o755)
    ok("init", d, umask=0)
    eq(mode_of(d), 0o700, "an existing directory is made private")


def git_identity(tmp):
    """A git configuration of the test's own, with an identity for commits."""
    config = tmp / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n[user]\n\tname = Front desk\n"
                      "\temail = desk@clinic.example\n")
    return {"HOME": str(tmp), "GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_DIR": None, "GIT_WORK_TREE": None, "GIT_INDEX_FILE": None}


@case
def a_git_repository_is_private_whatever_the_umask(tmp):
    env = git_identity(tmp)
    for umask in (0o000, 0o022):
        d = tmp / f"clinic-{umask:03o}"
        ok("init", "--git", d, umask=umask, env=env)
        ok("-C", d, "enroll", "P-0001", "--name", NAME, "--start", "2026-11-02", umask=umask,
           env=env)
        got = modes(d / ".git")
        loose = {p: oct(m) for p, m in got.items() if m & 0o077}
        eq(loose, {}, f"umask {umask:03o}: nothing in .git open to group or others")
        eq(got["."], 0o700, f"umask {umask:03o}: mode of .git")
        # opened by hand: the next write is refused and check warns
        os.chmod(d / ".git", 0o755)
        text = record_path(d).read_bytes()
        r = run("-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-03",
                env=env)
        expect_error(r, 4, "open to other users", "chmod -R go-rwx", "core.sharedRepository")
        eq(record_path(d).read_bytes(), text, "nothing written")
        r = run("-C", d, "check", "--rule", "permissions", env=env)
        contains(r.out, ".git/: warning: the git repository has mode 0755")
        not_contains(r.out + r.err, NAME)


@case
def init_makes_missing_parents_private(tmp):
    # Every directory iop creates is 0700, the parents `iop init a/b/c` makes
    # included (not 0755 from the umask); a parent that exists is left alone.
    os.chmod(tmp, 0o755)
    ok("init", tmp / "a" / "b" / "c", umask=0o022)
    for path in ("a", "a/b", "a/b/c", "a/b/c/patients"):
        eq(mode_of(tmp / path), 0o700, f"mode of {path}")
    eq(mode_of(tmp), 0o755, "the existing parent is unchanged")


@case
def check_warns_about_loose_permissions(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", NAME, "2026-11-02")
    enroll(d, "P-0002", "Ann Poe", "2026-11-02")
    ok("-C", d, "discharge", "P-0002", "--reason", "moved", "--date", "2026-11-05")
    base = run("-C", d, "check")
    eq(run("-C", d, "check", "--rule", "permissions").out, "", "private: nothing to report")

    os.chmod(d, 0o755)
    os.chmod(d / "patients", 0o750)
    os.chmod(record_path(d, "P-0001"), 0o644)
    os.chmod(record_path(d, "P-0002"), 0o606)  # discharged: still a health record
    os.chmod(d / "program.toml", 0o644)  # holds no patient information: not reported
    r = run("-C", d, "check", "--rule", "permissions")
    eq(r.code, 0, f"warnings only\n{r!r}")
    eq(r.out.splitlines(), [
        f"{d}: warning: the records directory has mode 0755: group and others can list and "
        f"enter it; these are health records, run 'chmod 700 {d}' [permissions]",
        "patients/: warning: the patients directory has mode 0750: group can list and enter it; "
        f"these are health records, run 'chmod 700 {d}/patients' [permissions]",
        "patients/P-0001.toml: warning: the record has mode 0644: group and others can read it; "
        f"these are health records, run 'chmod 600 {d}/patients/P-0001.toml' [permissions]",
        "patients/P-0002.toml: warning: the record has mode 0606: others can read and write it; "
        f"these are health records, run 'chmod 600 {d}/patients/P-0002.toml' [permissions]",
    ], "one warning per path, naming it and the fix")
    # with the other findings, before them; the exit status is the plan's
    r = run("-C", d, "check")
    eq(r.code, base.code, "permissions never change the exit status")
    eq(r.out.splitlines()[4:], base.out.splitlines(), "the plan findings follow")
    # only the ids asked for
    r = run("-C", d, "check", "P-0001", "--rule", "permissions")
    eq(len(r.out.splitlines()), 3, f"directory, patients/ and P-0001:\n{r.out}")
    not_contains(r.out, "P-0002")
    # json
    r = run("-C", d, "check", "--rule", "permissions", "--format", "json")
    data = json.loads(r.out)
    eq(data["patients"][0]["findings"], [], "no plan findings with --rule permissions")
    eq([(f["file"], f["severity"], f["rule"]) for f in data["files"]],
       [(str(d), "warning", "permissions"), ("patients/", "warning", "permissions"),
        ("patients/P-0001.toml", "warning", "permissions"),
        ("patients/P-0002.toml", "warning", "permissions")], "json files")
    contains(data["files"][2]["message"], f"chmod 600 {d}/patients/P-0001.toml")
    eq(run("-C", d, "check", "--severity", "error", "--rule", "permissions").out, "",
       "warnings are not errors")
    # the fix the message gives works
    for args in (["chmod", "700", str(d)], ["chmod", "700", f"{d}/patients"],
                 ["chmod", "600", f"{d}/patients/P-0001.toml"],
                 ["chmod", "600", f"{d}/patients/P-0002.toml"]):
        os.chmod(args[2], int(args[1], 8))
    eq(run("-C", d, "check", "--rule", "permissions").out, "", "fixed")
    # a path a shell would split is quoted
    spaced = tmp / "my clinic"
    os.rename(d, spaced)
    os.chmod(spaced, 0o711)
    r = run("-C", spaced, "check", "--rule", "permissions")
    contains(r.out, f"mode 0711: group and others can enter it; these are health records, "
             f"run 'chmod 700 '{spaced}'' [permissions]")
    # any write makes the record private again (the file is replaced)
    os.chmod(record_path(spaced, "P-0001"), 0o644)
    ok("-C", spaced, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-03")
    eq(mode_of(record_path(spaced, "P-0001")), 0o600, "rewritten 0600")


@case
def the_setup_demo_copy_of_the_example_clinic_is_private(tmp):
    src = Path(os.environ.get("IOP_SOURCE_DIR", Path(__file__).resolve().parents[2]))
    import shutil
    import subprocess
    demo = tmp / "demo"
    shutil.copytree(src / "examples" / "clinic", demo)
    subprocess.run(["chmod", "-R", "go-rwx", str(demo)], check=True)  # as ./setup demo does
    r = run("-C", demo, "--today", "2026-11-26", "check", "--rule", "permissions")
    eq(r.out, "", "no permissions warning for the demo copy")


BREAKAGES = [
    # a name or diagnosis where an enumerated value, a date, a number or an id belongs
    ('kind = "individual"', f'kind = "{NAME}"'),
    ('status = "attended"', f'status = "{DIAGNOSIS}"'),
    ('id = "P-0001"', f'id = "{NAME}"'),
    ('id = "P-0001"', 'id = "P-0002"'),
    ("enrolled = 2026-11-02", f'enrolled = "{NAME}"'),
    ('hours = 1.0', f'hours = "{NAME}"'),
    # broken syntax inside and after the name and diagnosis
    (f'name = "{NAME}"', f'name = "{NAME}'),
    (f'name = "{NAME}"', f"name = {NAME}"),
    (f'name = "{NAME}"', f'name = """{NAME}'),
    (f'diagnosis = "{DIAGNOSIS}"', f'diagnosis = "{DIAGNOSIS}" and more'),
    (f'diagnosis = "{DIAGNOSIS}"', f'diagnosis = "{DIAGNOSIS}\x01"'),
    (f'diagnosis = "{DIAGNOSIS}"', f'diagnosis = ["{DIAGNOSIS}"]'),
    (f'name = "{NAME}"', f'name = "{NAME}"\nname = "{NAME}"'),
    (f'name = "{NAME}"', f'nmae = "{NAME}"'),
    (f'name = "{NAME}"', f'"{NAME}" = 1\nname = "{NAME}"'),
]


@case
def error_messages_carry_no_names_or_diagnoses(tmp):
    d = make_clinic(tmp)
    ok("-C", d, "enroll", "P-0001", "--name", NAME, "--diagnosis", DIAGNOSIS, "--start",
       "2026-11-02")
    ok("-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-03")
    good = record_path(d).read_text()
    words = ["Zelda", "Quixote", "Opioid", "severe"]
    for old, new in BREAKAGES:
        check(old in good, f"{old!r} is in the record")
        record_path(d).write_text(good.replace(old, new, 1))
        outputs = []
        for args in (["show", "P-0001"], ["attend", "P-0001", "--kind", "family"],
                     ["check", "P-0001"], ["check", "P-0001", "--format", "json"], ["list"],
                     ["remind"], ["export"]):
            r = run("-C", d, *args)
            check(r.code != 0 or args[0] == "remind", f"{new!r}: iop {args[0]} noticed\n{r!r}")
            # what goes to stderr (logs, cron mail) and the findings on stdout
            text = r.err if args[0] in ("show", "attend", "export") else r.err + r.out
            outputs.append((args, text))
            contains(text, "patients/P-0001.toml", f"{args[0]} names the file")
        for args, text in outputs:
            for w in words:
                if w in text:
                    raise AssertionError(f"{new!r}: iop {' '.join(args)} shows {w!r}:\n{text}")
    record_path(d).write_text(good)
    ok("-C", d, "show", "P-0001")


if __name__ == "__main__":
    main()
