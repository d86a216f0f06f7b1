"""Git as the audit trail and the way sites share records (docs/git.md): one
commit per write command with the expected message, author and files; none
for reading commands, with IOP_NO_GIT, with [storage] git = false, or outside
a repository; two clones that append to the same patient merge cleanly with
iop's journal merge driver; conflicting headers never merge silently; a
failing commit keeps the entry and exits 4; iop log.

git runs with a configuration of the test's own (HOME, GIT_CONFIG_GLOBAL and
GIT_CONFIG_NOSYSTEM point at temporary files), so the machine's git settings
and identity play no part: CI machines have none."""

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from iopt import (IOP, USER, case, check, contains, eq, expect_error, load_toml, main,
                  matches, not_contains, record_path, run)

IDENTITY = ("Clinic Laptop", "laptop@clinic.example")


def git_env(tmp, identity=True):
    """Environment overrides for git and iop: a private HOME and global config."""
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    config = home / "gitconfig"
    if not config.exists():
        text = "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
        if identity:
            text += f"[user]\n\tname = {IDENTITY[0]}\n\temail = {IDENTITY[1]}\n"
        config.write_text(text)
    return {"HOME": str(home), "GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_DIR": None, "GIT_WORK_TREE": None, "GIT_INDEX_FILE": None}


def git(tmp, cwd, *args, ok=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({k: v for k, v in git_env(tmp).items() if v is not None})
    # umask 077, as docs/git.md tells a site to clone: a repository other
    # users can read is refused (a_repository_open_to_other_users_...)
    p = subprocess.run(["git", *map(str, args)], cwd=cwd, env=env, capture_output=True,
                       text=True, umask=0o077)
    if ok and p.returncode != 0:
        raise AssertionError(f"git {' '.join(map(str, args))} failed in {cwd}:\n{p.stderr}")
    return p


def iop(tmp, *args, env=None, **kw):
    e = git_env(tmp)
    e.update(env or {})
    return run(*args, env=e, **kw)


def iop_ok(tmp, *args, **kw):
    r = iop(tmp, *args, **kw)
    if r.code != 0 or r.err:
        raise AssertionError(f"expected success with an empty stderr:\n{r!r}")
    return r


def commits(tmp, repo):
    p = git(tmp, repo, "rev-list", "--count", "HEAD", ok=False)
    return int(p.stdout) if p.returncode == 0 else 0


def head(tmp, repo, fmt):
    return git(tmp, repo, "log", "-1", f"--format={fmt}").stdout.rstrip("\n")


def head_files(tmp, repo):
    out = git(tmp, repo, "show", "--name-only", "--format=", "HEAD").stdout
    return sorted(out.split())


def clean(tmp, repo):
    return git(tmp, repo, "status", "--porcelain").stdout == ""


def git_clinic(tmp, name="clinic"):
    d = tmp / name
    iop_ok(tmp, "init", "--git", d)
    return d


def register_driver(tmp, repo):
    git(tmp, repo, "config", "merge.iop-journal.driver", f"'{IOP}' __merge-journal %O %A %B %P")


# ---------------------------------------------------------------- one commit a write


@case
def init_git_makes_a_repository_with_attributes_and_a_first_commit(tmp):
    d = git_clinic(tmp)
    check((d / ".git").is_dir(), "iop init --git runs git init")
    eq(commits(tmp, d), 1, "commits after init --git")
    eq(head(tmp, d, "%s"), "init: records directory with the default program", "message")
    eq(head_files(tmp, d), [".gitattributes", ".gitignore", "program.toml"], "files of init")
    contains((d / ".gitattributes").read_text(), "patients/*.toml merge=iop-journal\n")
    contains(git(tmp, d, "config", "merge.iop-journal.driver").stdout, "__merge-journal %O %A %B")
    eq(oct(os.stat(d / ".gitattributes").st_mode & 0o777), oct(0o600), "mode of .gitattributes")
    check(clean(tmp, d), "nothing left uncommitted after init --git")
    # the lock file of a write is ignored, so a write leaves the tree clean
    iop_ok(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    check(clean(tmp, d), "the tree is clean after a write (.iop.lock ignored)")


@case
def every_write_command_makes_one_commit_of_exactly_its_files(tmp):
    d = git_clinic(tmp)
    csv = tmp / "sessions.csv"
    csv.write_text("id,date,kind,topic,hours,status\n"
                   "P-0001,2026-11-06,group,early-recovery,3,attended\n"
                   "P-0002,2026-11-06,group,illness,3,attended\n")
    steps = [
        (["enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02"],
         "enroll P-0001: from 2026-11-02, 12 weeks", ["patients/P-0001.toml"]),
        (["enroll", "P-0002", "--name", "John Roe", "--start", "2026-11-02", "--weeks", "10"],
         "enroll P-0002: from 2026-11-02, 10 weeks", ["patients/P-0002.toml"]),
        (["attend", "P-0001", "--kind", "group", "--topic", "illness", "--date", "2026-11-03"],
         "attend P-0001: group, illness, 2026-11-03", ["patients/P-0001.toml"]),
        (["attend", "P-0001", "--kind", "individual", "--date", "2026-11-04", "--absent"],
         "attend P-0001: individual, 2026-11-04, absent", ["patients/P-0001.toml"]),
        (["group", "--topic", "stress", "--date", "2026-11-04", "P-0001", "--excused", "P-0002"],
         "group stress 2026-11-04: 2 patients", ["patients/P-0001.toml", "patients/P-0002.toml"]),
        (["screen", "P-0001", "--result", "negative", "--date", "2026-11-04"],
         "screen P-0001: negative, 2026-11-04", ["patients/P-0001.toml"]),
        (["med", "P-0001", "start", "naltrexone", "--date", "2026-11-04"],
         "med P-0001: start, 2026-11-04", ["patients/P-0001.toml"]),
        (["plan", "P-0001", "--review", "--date", "2026-11-05"],
         "plan P-0001: review, 2026-11-05", ["patients/P-0001.toml"]),
        (["plan", "P-0001", "--weeks", "10", "--date", "2026-11-05"],
         "plan P-0001: change (weeks 10), 2026-11-05", ["patients/P-0001.toml"]),
        (["aftercare", "P-0001", "--sponsor", "Luis M.", "--date", "2026-11-05"],
         "aftercare P-0001: 2026-11-05", ["patients/P-0001.toml"]),
        (["goal", "P-0001", "add", "--problem", "Drinks daily", "--goal", "Stay sober",
          "--date", "2026-11-05"], "goal P-0001: add G1, 2026-11-05", ["patients/P-0001.toml"]),
        (["objective", "P-0001", "add", "G1", "--text", "Name 3 triggers", "--target",
          "2026-12-01", "--date", "2026-11-05"], "objective P-0001: add G1.1, 2026-11-05",
         ["patients/P-0001.toml"]),
        (["objective", "P-0001", "G1.1", "achieved", "--date", "2026-11-06"],
         "objective P-0001: achieved G1.1, 2026-11-06", ["patients/P-0001.toml"]),
        (["sign", "P-0001", "--role", "patient", "--declined", "--reason", "later", "--date",
          "2026-11-06"], "sign P-0001: patient declined, plan version 4, 2026-11-06",
         ["patients/P-0001.toml"]),
        (["asam", "P-0001", "--d1", "0", "--d2", "1", "--d3", "3", "--d4", "2", "--d5", "3",
          "--d6", "1", "--level", "2.5", "--note", "lives alone", "--date", "2026-11-05"],
         "asam P-0001: level 2.5, 2026-11-05", ["patients/P-0001.toml"]),
        (["asam", "P-0001", "--keep", "--reason", "family support", "--date", "2026-11-06"],
         "asam P-0001: keep level, 2026-11-06", ["patients/P-0001.toml"]),
        (["certify", "P-0001", "--physician", "Dr. Chen", "--date", "2026-11-06"],
         "certify P-0001: 2026-11-06", ["patients/P-0001.toml"]),
        (["auth", "P-0001", "add", "--payer", "Acme Health", "--number", "A-1", "--from",
          "2026-11-02", "--to", "2026-11-29", "--units", "12", "--date", "2026-11-06"],
         "auth P-0001: 2026-11-02 to 2026-11-29, 12 sessions", ["patients/P-0001.toml"]),
        (["import", csv], "import sessions.csv: imported 2 sessions for 2 patients, "
         "skipped 0 duplicates", ["patients/P-0001.toml", "patients/P-0002.toml"]),
        (["graduate", "P-0001", "--force", "--reason", "moved away", "--date", "2026-11-07"],
         "graduate P-0001: forced, 2026-11-07", ["patients/P-0001.toml"]),
        (["discharge", "P-0002", "--reason", "moved", "--date", "2026-11-07"],
         "discharge P-0002: moved, 2026-11-07", ["patients/P-0002.toml"]),
    ]
    for args, message, files in steps:
        before = commits(tmp, d)
        iop_ok(tmp, "-C", d, *args)
        eq(commits(tmp, d), before + 1, f"commits after iop {args[0]}")
        eq(head(tmp, d, "%s"), message, f"message of iop {args[0]}")
        eq(head(tmp, d, "%an|%ae"), f"{USER}|", f"author of iop {args[0]} ($IOP_USER)")
        eq(head(tmp, d, "%cn"), IDENTITY[0], "committer: git's own configuration")
        eq(head(tmp, d, "%aI"), "2026-11-03T17:02:11+00:00", "author date = recorded_at")
        eq(head_files(tmp, d), files, f"files committed by iop {args[0]}")
        check(clean(tmp, d), f"nothing left uncommitted after iop {args[0]}")


@case
def without_iop_user_git_decides_the_author(tmp):
    d = git_clinic(tmp)
    iop_ok(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", user=None)
    eq(head(tmp, d, "%an <%ae>"), f"{IDENTITY[0]} <{IDENTITY[1]}>", "author from git config")


@case
def reading_commands_and_refused_writes_make_no_commit(tmp):
    d = git_clinic(tmp)
    iop_ok(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    csv = tmp / "s.csv"
    csv.write_text("id,date,kind,topic,hours,status\nP-0001,2026-11-03,group,illness,3,attended\n")
    before = git(tmp, d, "rev-parse", "HEAD").stdout
    for args in (["show", "P-0001"], ["list"], ["check"], ["remind"], ["export"], ["log"],
                 ["log", "P-0001"], ["import", csv, "--dry-run"], ["roster"]):
        r = iop(tmp, "-C", d, *args)
        check(r.code in (0, 1), f"iop {args[0]} ran:\n{r!r}")
    # refused writes: an existing id, an unknown patient, a bad import
    expect_error(iop(tmp, "-C", d, "enroll", "P-0001", "--name", "X"), 1)
    expect_error(iop(tmp, "-C", d, "attend", "P-0009", "--kind", "individual"), 1)
    expect_error(iop(tmp, "-C", d, "group", "--topic", "illness", "P-0001", "P-0009"), 1)
    bad = tmp / "bad.csv"
    bad.write_text("id,date,kind,topic,hours,status\nP-0001,2026-11-03,group,nope,3,attended\n")
    eq(iop(tmp, "-C", d, "import", bad).code, 3, "exit of a bad import")
    # an import that changes nothing
    iop_ok(tmp, "-C", d, "import", csv)
    after_import = git(tmp, d, "rev-parse", "HEAD").stdout
    check(after_import != before, "the import that wrote committed")
    iop_ok(tmp, "-C", d, "import", csv)
    eq(git(tmp, d, "rev-parse", "HEAD").stdout, after_import, "HEAD after a no-op import")
    check(clean(tmp, d), "reading commands leave the tree clean")


@case
def iop_no_git_and_storage_git_false_make_no_commit(tmp):
    d = git_clinic(tmp)
    iop_ok(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    n = commits(tmp, d)
    iop_ok(tmp, "-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-03",
           env={"IOP_NO_GIT": "1"})
    eq(commits(tmp, d), n, "commits with IOP_NO_GIT=1")
    contains(record_path(d).read_text(), "date = 2026-11-03", "the entry is written")
    expect_error(iop(tmp, "-C", d, "log", env={"IOP_NO_GIT": "1"}), 2, "IOP_NO_GIT")
    # IOP_NO_GIT=0 means on
    iop_ok(tmp, "-C", d, "attend", "P-0001", "--kind", "family", "--date", "2026-11-03",
           env={"IOP_NO_GIT": "0"})
    eq(commits(tmp, d), n + 1, "commits with IOP_NO_GIT=0")
    eq(head_files(tmp, d), ["patients/P-0001.toml"], "files")

    program = d / "program.toml"
    program.write_text(program.read_text().replace("[storage]\ngit = true", "[storage]\ngit = false"))
    contains(program.read_text(), "git = false", "program.toml edited")
    git(tmp, d, "commit", "-qam", "storage: git off")
    n = commits(tmp, d)
    iop_ok(tmp, "-C", d, "screen", "P-0001", "--result", "negative", "--date", "2026-11-04")
    eq(commits(tmp, d), n, "commits with [storage] git = false")
    expect_error(iop(tmp, "-C", d, "log"), 2, "[storage] git = false")
    # the key is validated like every other
    program.write_text(program.read_text().replace("git = false", "gti = false"))
    expect_error(iop(tmp, "-C", d, "list"), 3, "program.toml:", "gti")


@case
def init_git_with_iop_no_git_is_a_usage_error(tmp):
    d = tmp / "clinic"
    expect_error(iop(tmp, "init", "--git", d, env={"IOP_NO_GIT": "1"}), 2, "--git", "IOP_NO_GIT")
    check(not d.exists(), "nothing created")


@case
def a_directory_that_is_no_repository_works_as_before_even_without_git(tmp):
    d = tmp / "clinic"
    no_git = {"PATH": str(tmp / "empty-path")}
    (tmp / "empty-path").mkdir()
    iop_ok(tmp, "init", d, env=no_git)
    iop_ok(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02",
           env=no_git)
    iop_ok(tmp, "-C", d, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
           "2026-11-03", env=no_git)
    eq(sorted(os.listdir(d)), [".iop.lock", "patients", "program.toml"], "no git files")
    expect_error(iop(tmp, "-C", d, "log"), 2, "not in a git repository", "docs/git.md")
    expect_error(iop(tmp, "-C", d, "log", "P-0001"), 2, "not in a git repository")
    expect_error(iop(tmp, "-C", d, "log", "P-0009"), 1, "unknown patient")
    expect_error(iop(tmp, "-C", d, "log", "../x"), 2)


@case
def the_record_cache_stays_out_of_git(tmp):
    # iop init --git ignores it: reading commands leave the tree clean.
    d = git_clinic(tmp)
    iop_ok(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    time.sleep(0.15)  # past the record cache's racy margin
    iop_ok(tmp, "-C", d, "list")
    check((d / ".iop.cache").is_file(), "list wrote the record cache")
    check(clean(tmp, d), "the record cache is ignored\n" + git(tmp, d, "status").stdout)
    eq(iop(tmp, "-C", d, "check", "--rule", "permissions").out, "", "nothing to report")

    # A directory put in git by hand (no .gitignore of iop's): check says so,
    # naming the line to add, and is quiet once it is there.
    e = tmp / "by-hand"
    iop_ok(tmp, "init", e)
    git(tmp, e, "init", "-q")
    iop_ok(tmp, "-C", e, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    time.sleep(0.15)
    iop_ok(tmp, "-C", e, "list")
    check((e / ".iop.cache").is_file(), "list wrote the record cache")
    r = iop(tmp, "-C", e, "check", "--rule", "permissions")
    eq(r.code, 0, f"a warning only\n{r!r}")
    eq(r.out, ".iop.cache: warning: the record cache is not ignored by git: 'git add' of the "
              "records directory would commit every record's contents with it; add a line "
              "'.iop.cache' to .gitignore [permissions]\n", "the finding")
    (e / ".gitignore").write_text(".iop.lock\n.iop.cache\n")
    eq(iop(tmp, "-C", e, "check", "--rule", "permissions").out, "", "ignored now")
    # With git turned off iop never runs git: nothing to say.
    (e / ".gitignore").unlink()
    eq(iop(tmp, "-C", e, "check", "--rule", "permissions", env={"IOP_NO_GIT": "1"}).out, "",
       "IOP_NO_GIT")


def outer_repository(tmp, name, staged_file, text):
    """A repository of something else, with one file staged in it."""
    repo = tmp / name
    repo.mkdir()
    git(tmp, repo, "init", "-q")
    (repo / staged_file).write_text(text)
    git(tmp, repo, "add", staged_file)
    return repo


@case
def records_inside_a_larger_repository_commit_only_their_own_files(tmp):
    repo = outer_repository(tmp, "repo", "notes.txt", "staged by someone, not iop's business\n")
    d = repo / "clinic"
    iop_ok(tmp, "init", d)
    eq(head(tmp, repo, "%s"), "init: records directory with the default program", "init commit")
    eq(head_files(tmp, repo), ["clinic/program.toml"], "init commits program.toml only")
    iop_ok(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    eq(head_files(tmp, repo), ["clinic/patients/P-0001.toml"], "files of enroll")
    # (.iop.lock shows as untracked: without --git, iop writes no .gitignore)
    eq([l for l in git(tmp, repo, "status", "--porcelain").stdout.splitlines()
        if not l.startswith("??")], ["A  notes.txt"], "notes.txt still staged, nothing else")
    # GIT_DIR and GIT_INDEX_FILE of a calling hook do not redirect iop's commits
    other = tmp / "other"
    other.mkdir()
    git(tmp, other, "init", "-q")
    iop_ok(tmp, "-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-03",
           env={"GIT_DIR": str(other / ".git"), "GIT_INDEX_FILE": str(other / "idx")})
    eq(head(tmp, repo, "%s"), "attend P-0001: individual, 2026-11-03", "commit in the records repo")
    eq(commits(tmp, other), 0, "no commit in the repository of $GIT_DIR")


@case
def records_that_a_larger_repository_ignores_are_written_without_commits(tmp):
    # A home directory kept in git (dotfiles) or a build tree ignores the records.
    repo = outer_repository(tmp, "home-repo", ".gitignore", "/clinic/\n")
    git(tmp, repo, "commit", "-q", "-m", "dotfiles")
    d = repo / "clinic"
    iop_ok(tmp, "init", d)
    iop_ok(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    iop_ok(tmp, "-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-03")
    eq(commits(tmp, repo), 1, "no commit in the repository that ignores the records")
    check(clean(tmp, repo), "nothing staged in the repository that ignores the records")
    eq(len(load_toml(record_path(d))["session"]), 1, "the entry is written")
    r = iop(tmp, "-C", d, "log")
    expect_error(r, 2, f"the git repository at {repo} ignores the records directory")
    # init --git there makes the records a repository of their own
    d2 = repo / "clinic" / "site-b"
    iop_ok(tmp, "init", "--git", d2)
    check((d2 / ".git").is_dir(), "a repository of its own")
    iop_ok(tmp, "-C", d2, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    eq(commits(tmp, d2), 2, "init and enroll committed in the records' own repository")
    eq(commits(tmp, repo), 1, "still no commit in the enclosing repository")


# ---------------------------------------------------------------- failures


@case
def a_failing_commit_keeps_the_entry_and_exits_4(tmp):
    d = git_clinic(tmp)
    iop_ok(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    n = commits(tmp, d)
    hook = d / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'pre-commit: refused by site policy' >&2\nexit 1\n")
    hook.chmod(0o755)
    r = iop(tmp, "-C", d, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
            "2026-11-03")
    expect_error(r, 4, "patients/P-0001.toml was written", "git could not commit it",
                 "refused by site policy", stdout_empty=False)
    contains(r.out, "recorded attended group session", "the confirmation of the write")
    eq(load_toml(record_path(d))["session"][0]["date"].isoformat(), "2026-11-03", "entry kept")
    eq(commits(tmp, d), n, "no commit")
    hook.unlink()
    # the next write commits; the file holds both entries
    iop_ok(tmp, "-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-04")
    eq(commits(tmp, d), n + 1, "commits once the hook is gone")
    check(clean(tmp, d), "the earlier entry is committed with the next write of the file")


@case
def a_failing_commit_of_an_import_names_the_directory_not_every_file(tmp):
    d = git_clinic(tmp)
    hook = d / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'pre-commit: refused by site policy' >&2\nexit 1\n")
    hook.chmod(0o755)
    csv = tmp / "patients.csv"
    csv.write_text("id,name,enrolled\n" + "".join(
        f"P-{i:04},Patient {i},2026-11-02\n" for i in range(1, 11)))
    r = iop(tmp, "-C", d, "import", csv)
    expect_error(r, 4, "10 files were written and are safe, but git could not commit them",
                 f"commit them by hand: git -C '{d}' commit -m '...' -- 'patients'",
                 stdout_empty=False)
    eq(len(list((d / "patients").glob("*.toml"))), 10, "the imported files are kept")


@case
def no_git_identity_is_a_clear_exit_4(tmp):
    d = git_clinic(tmp)
    bare = tmp / "bare-home"
    bare.mkdir()
    (bare / "gitconfig").write_text("")
    env = {"HOME": str(bare), "GIT_CONFIG_GLOBAL": str(bare / "gitconfig"),
           "EMAIL": None, "GIT_AUTHOR_EMAIL": None, "GIT_COMMITTER_EMAIL": None,
           "GIT_COMMITTER_NAME": None, "GIT_AUTHOR_NAME": None}
    # a hostname without a domain: git cannot make up an email address
    r = iop(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", env=env, user=None)
    if r.code == 0:
        return  # this machine's host name let git invent an identity; nothing to check
    expect_error(r, 4, "patients/P-0001.toml was written", "no git identity",
                 "user.email", stdout_empty=False)
    check(record_path(d).exists(), "the record is written")


@case
def git_not_installed_in_a_repository_is_exit_4_and_keeps_the_entry(tmp):
    d = git_clinic(tmp)
    (tmp / "empty-path").mkdir()
    r = iop(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe",
            env={"PATH": str(tmp / "empty-path")})
    expect_error(r, 4, "was written", "git is not installed", "IOP_NO_GIT", stdout_empty=False)
    check(record_path(d).exists(), "the record is written")
    expect_error(iop(tmp, "-C", d, "log", env={"PATH": str(tmp / "empty-path")}), 4,
                 "git is not installed")
    # inside a larger repository, whether it ignores the records cannot be
    # asked without git: the same exit 4, never a silent skip
    repo = outer_repository(tmp, "repo", "notes.txt", "x\n")
    iop_ok(tmp, "init", repo / "clinic")
    r = iop(tmp, "-C", repo / "clinic", "enroll", "P-0001", "--name", "Jane Doe",
            env={"PATH": str(tmp / "empty-path")})
    expect_error(r, 4, "was written", "git is not installed", stdout_empty=False)


# ---------------------------------------------------------------- a hung git


@case
def a_hook_that_hangs_is_stopped_and_the_entry_kept(tmp):
    d = git_clinic(tmp)
    iop_ok(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    hook = d / ".git" / "hooks" / "pre-commit"
    child = tmp / "hook-child.pid"
    # a hook that hangs, with a child of its own
    hook.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > '{child}'\nwait\n")
    hook.chmod(0o700)
    before, text = commits(tmp, d), record_path(d).read_text()
    r = iop(tmp, "-C", d, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
            "2026-11-03", env={"IOP_GIT_TIMEOUT": "1"}, timeout=60)
    expect_error(r, 4, "patients/P-0001.toml was written and is safe, but git could not commit it",
                 "did not finish within 1 seconds", "IOP_GIT_TIMEOUT", stdout_empty=False)
    eq(commits(tmp, d), before, "no commit made")
    check(record_path(d).read_text().startswith(text) and
          "[[session]]" in record_path(d).read_text()[len(text):], "the record holds the entry")
    pid = int(child.read_text())
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0]
    except (FileNotFoundError, ProcessLookupError):
        state = "gone"
    check(state in ("gone", "Z"), f"the hook's child was stopped too (state {state})")
    # the writers' lock was released: the next write gets it at once (--wait
    # 0), and is written; git names the index.lock the killed git left
    hook.unlink()
    r = iop(tmp, "-C", d, "--wait", "0", "attend", "P-0001", "--kind", "individual", "--date",
            "2026-11-04")
    check(r.code in (0, 4), f"a following write is not locked out:\n{r!r}")
    eq(record_path(d).read_text().count("[[session]]"), 2, "both entries written")
    if r.code == 4:
        contains(r.err, "index.lock")
        (d / ".git" / "index.lock").unlink()  # the fix docs/git.md gives
        iop_ok(tmp, "-C", d, "screen", "P-0001", "--result", "negative", "--date", "2026-11-04")
    check(clean(tmp, d), "every entry committed once the lock file is gone")
    eq(commits(tmp, d), before + 1, "one commit of all of them")


@case
def a_bad_iop_git_timeout_is_a_usage_error(tmp):
    d = git_clinic(tmp)
    iop_ok(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    text = record_path(d).read_bytes()
    for bad in ("0", "-1", "abc", "1e3", "90000", ".5.", "1 "):
        r = iop(tmp, "-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-04",
                env={"IOP_GIT_TIMEOUT": bad})
        expect_error(r, 2, "IOP_GIT_TIMEOUT: ")
        eq(record_path(d).read_bytes(), text, f"IOP_GIT_TIMEOUT={bad!r}: nothing written")
    iop_ok(tmp, "-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-04",
           env={"IOP_GIT_TIMEOUT": "2.5"})


# ---------------------------------------------------------------- privacy


def outer_open_repository(tmp):
    """A repository of something else whose .git other users can read."""
    repo = tmp / "documents"
    repo.mkdir()
    git(tmp, repo, "init", "-q")
    os.chmod(repo / ".git", 0o755)
    return repo


@case
def a_repository_open_to_other_users_is_refused_before_anything_is_written(tmp):
    repo = outer_open_repository(tmp)
    d = repo / "clinic"
    r = iop(tmp, "init", d, umask=0o022)
    expect_error(r, 4, f"the git repository {repo}/.git", "mode 0755", "nothing was written",
                 f"chmod -R go-rwx '{repo}/.git'", "config core.sharedRepository group")
    check(not d.exists(), "nothing created")
    eq(commits(tmp, repo), 0, "no commit")
    # the fix the message gives
    subprocess.run(["chmod", "-R", "go-rwx", str(repo / ".git")], check=True)
    iop_ok(tmp, "init", d, umask=0o022)
    iop_ok(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02",
           umask=0o022)
    eq(commits(tmp, repo), 2, "init and enroll committed")
    loose = [p for p in (repo / ".git" / "objects").rglob("*") if os.stat(p).st_mode & 0o077]
    eq(loose, [], "git's objects are private whatever the umask")
    # opened again: a write is refused, nothing written
    os.chmod(repo / ".git", 0o750)
    text = record_path(d).read_bytes()
    r = iop(tmp, "-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-04")
    expect_error(r, 4, "mode 0750", "chmod -R go-rwx")
    eq(record_path(d).read_bytes(), text, "the record unchanged")
    eq(commits(tmp, repo), 2, "no commit")
    # an import is refused likewise, but its dry run writes nothing and is not
    csv = tmp / "sessions.csv"
    csv.write_text("id,date,kind,topic,hours,status\n"
                   "P-0001,2026-11-04,group,illness,3.0,attended\n")
    r = iop(tmp, "-C", d, "import", csv)
    expect_error(r, 4, "mode 0750", "chmod -R go-rwx")
    eq(record_path(d).read_bytes(), text, "the record unchanged by the refused import")
    eq([p.name for p in (d / "patients").iterdir()], ["P-0001.toml"], "no temporary file left")
    r = iop(tmp, "-C", d, "import", "--dry-run", csv)
    eq(r.code, 0, f"a dry run is not refused\n{r!r}")
    contains(r.out, "1 session")
    eq(record_path(d).read_bytes(), text, "the record unchanged by the dry run")
    eq(commits(tmp, repo), 2, "no commit")
    # shared on purpose: allowed, and git shares what it creates with the group
    git(tmp, repo, "config", "core.sharedRepository", "group")
    iop_ok(tmp, "-C", d, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-04")
    eq(commits(tmp, repo), 3, "committed")
    # with git turned off nothing is committed, so nothing is refused
    os.chmod(repo / ".git", 0o755)
    git(tmp, repo, "config", "--unset", "core.sharedRepository")
    iop_ok(tmp, "-C", d, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
           "2026-11-05", env={"IOP_NO_GIT": "1"})


@case
def init_git_makes_a_private_repository_and_check_names_an_open_one(tmp):
    d = tmp / "clinic"
    iop_ok(tmp, "init", "--git", d, umask=0o022)
    eq(oct(os.stat(d / ".git").st_mode & 0o777), oct(0o700), "mode of .git")
    iop_ok(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02",
           umask=0o022)
    eq(iop(tmp, "-C", d, "check", "--rule", "permissions").out, "", "private: nothing to report")
    os.chmod(d / ".git", 0o755)
    r = iop(tmp, "-C", d, "check", "--rule", "permissions")
    eq(r.code, 0, f"a warning only:\n{r!r}")
    eq(r.out, f".git/: warning: the git repository has mode 0755: group and others can list and "
       f"enter it; it keeps every version of the records, run 'chmod -R go-rwx {d}/.git' (or, "
       f"for a repository shared on purpose, 'git -C {d} config core.sharedRepository group') "
       "[permissions]\n", "check names the git directory and the fix")
    subprocess.run(["chmod", "-R", "go-rwx", str(d / ".git")], check=True)
    eq(iop(tmp, "-C", d, "check", "--rule", "permissions").out, "", "fixed")
    # the enclosing repository's git directory, by its path
    repo = outer_open_repository(tmp)
    iop_ok(tmp, "init", repo / "inner", env={"IOP_NO_GIT": "1"})
    r = iop(tmp, "-C", repo / "inner", "check", "--rule", "permissions")
    contains(r.out, f"{repo}/.git: warning: the git repository has mode 0755")


# ---------------------------------------------------------------- what messages show


@case
def commit_messages_and_log_carry_no_control_characters_or_drug_names(tmp):
    d = git_clinic(tmp)
    csv = tmp / "a\x1b[31m.csv"
    csv.write_text("id,name,enrolled\nP-0001,Jane Doe,2026-11-02\n")
    iop_ok(tmp, "-C", d, "import", csv)
    subject = head(tmp, d, "%s")
    not_contains(subject, "\x1b", "the import's subject")
    contains(subject, "import a\\x1b[31m.csv: ")
    iop_ok(tmp, "-C", d, "med", "P-0001", "start", "naltrexone", "--date", "2026-11-04")
    eq(head(tmp, d, "%s"), "med P-0001: start, 2026-11-04", "no medication name")
    # a commit made by someone else, with an escape sequence in its message
    (d / "notes.txt").write_text("x\n")
    git(tmp, d, "add", "notes.txt")
    git(tmp, d, "-c", "user.name=Eve\u202e", "commit", "-qm", "fix \x1b]0;owned\x07 \u202e")
    out = iop_ok(tmp, "-C", d, "log").out
    for raw in ("\x1b", "\x07", "\u202e"):
        not_contains(out, raw, "iop log")
    contains(out, "fix \\x1b]0;owned\\x07 \\u{202e}")
    js = json.loads(iop_ok(tmp, "-C", d, "log", "--format", "json").out)
    eq(js[0]["message"], "fix \\x1b]0;owned\\x07 \\u{202e}", "json message escaped")
    eq(js[0]["author"], "Eve\\u{202e}", "json author escaped")


# ---------------------------------------------------------------- several sites


def two_sites(tmp, driver_in_b=True):
    """Site A (iop init --git, pushed to a shared bare repository) and site B,
    a clone of it; P-0001 enrolled and pushed."""
    shared = tmp / "shared.git"
    git(tmp, tmp, "init", "-q", "--bare", shared)
    a = git_clinic(tmp, "site-a")
    iop_ok(tmp, "-C", a, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-05")
    git(tmp, a, "remote", "add", "origin", shared)
    git(tmp, a, "push", "-q", "-u", "origin", "main")
    git(tmp, tmp, "clone", "-q", shared, "site-b")
    b = tmp / "site-b"
    if driver_in_b:
        register_driver(tmp, b)
    return a, b


@case
def two_sites_append_to_one_patient_and_merge_cleanly(tmp):
    a, b = two_sites(tmp)
    iop_ok(tmp, "-C", a, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
           "2026-11-06", user="site-a")
    iop_ok(tmp, "-C", a, "screen", "P-0001", "--result", "negative", "--date", "2026-11-06",
           user="site-a")
    iop_ok(tmp, "-C", b, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
           "2026-11-07", user="site-b")
    iop_ok(tmp, "-C", b, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-07",
           user="site-b")
    git(tmp, b, "push", "-q")
    p = git(tmp, a, "pull", "-q", "--no-rebase", "--no-edit", ok=False)
    eq(p.returncode, 0, f"git pull merges without conflict:\n{p.stdout}{p.stderr}")
    data = load_toml(record_path(a))
    eq([(str(s["date"]), s["kind"], s["recorded_by"]) for s in data["session"]],
       [("2026-11-06", "group", "site-a"), ("2026-11-07", "group", "site-b"),
        ("2026-11-07", "individual", "site-b")], "sessions of both sites, each whole")
    eq(len(data["screen"]), 1, "the screen of site A")
    r = iop(tmp, "-C", a, "check", "P-0001")
    eq((r.code, r.err), (0, ""), f"iop check after the merge:\n{r!r}")
    not_contains(r.out, "record-invalid", "check output")
    # and back to site B: a fast-forward, the same file
    git(tmp, a, "push", "-q")
    git(tmp, b, "pull", "-q", "--no-rebase", "--no-edit")
    eq(record_path(b).read_bytes(), record_path(a).read_bytes(), "both sites hold the same file")
    log = iop_ok(tmp, "-C", b, "log", "P-0001").out
    contains(log, "attend P-0001: group, illness, 2026-11-06")
    contains(log, "attend P-0001: individual, 2026-11-07")


@case
def a_clone_without_the_driver_gets_a_conflict_never_a_broken_file(tmp):
    a, b = two_sites(tmp, driver_in_b=False)
    iop_ok(tmp, "-C", a, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
           "2026-11-06")
    git(tmp, a, "push", "-q")
    iop_ok(tmp, "-C", b, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
           "2026-11-07")
    p = git(tmp, b, "pull", "-q", "--no-rebase", "--no-edit", ok=False)
    check(p.returncode != 0, "git stops the merge with a conflict")
    line = next(i for i, l in enumerate(record_path(b).read_text().splitlines(), 1)
                if l.startswith("<<<<<<<"))
    r = iop(tmp, "-C", b, "check", "P-0001")
    matches(rf"^patients/P-0001\.toml:{line}:1: error: .*\[record-invalid\]$", r.out,
            "check names the conflict marker")


@case
def conflicting_headers_stop_the_merge_and_check_names_the_line(tmp):
    a, b = two_sites(tmp)
    for site, name in ((a, "Jane A. Doe"), (b, "Jane B. Doe")):
        f = record_path(site)
        f.write_text(f.read_text().replace('name = "Jane Doe"', f'name = "{name}"'))
        git(tmp, site, "commit", "-qam", f"name corrected to {name}")
    git(tmp, a, "push", "-q")
    p = git(tmp, b, "pull", "-q", "--no-rebase", "--no-edit", ok=False)
    check(p.returncode != 0, f"two different names do not merge:\n{p.stdout}{p.stderr}")
    contains(p.stderr, "patients/P-0001.toml: both sides changed the header", "the driver says why")
    text = record_path(b).read_text()
    contains(text, 'name = "Jane A. Doe"')
    contains(text, 'name = "Jane B. Doe"')
    line = next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith("<<<<<<<"))
    # committed as it is (git commit -a after a conflict), check still reports it
    git(tmp, b, "commit", "-qam", "merge, unresolved")
    r = iop(tmp, "-C", b, "check", "P-0001")
    eq(r.code, 3, f"exit of check on a broken file:\n{r!r}")
    matches(rf"^patients/P-0001\.toml:{line}:1: error: .*\[record-invalid\]$", r.out,
            "check names the line")


@case
def a_line_added_by_hand_to_the_last_entry_is_a_conflict_not_moved_into_another(tmp):
    """Site A adds a line by hand to its last entry, site B appends an entry:
    a byte merge would put A's line inside B's new entry. Entry by entry it
    is a change to an entry both sides had: a conflict."""
    a, b = two_sites(tmp)
    iop_ok(tmp, "-C", a, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
           "2026-11-06")
    git(tmp, a, "push", "-q")
    git(tmp, b, "pull", "-q", "--no-rebase", "--no-edit")
    f = record_path(a)
    f.write_text(f.read_text() + 'note = "added by hand"\n')
    git(tmp, a, "commit", "-qam", "a note added to the session by hand")
    git(tmp, a, "push", "-q")
    iop_ok(tmp, "-C", b, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-07")
    p = git(tmp, b, "pull", "-q", "--no-rebase", "--no-edit", ok=False)
    check(p.returncode != 0, f"git stops the merge:\n{p.stdout}{p.stderr}")
    matches(r"patients/P-0001\.toml: the entry at line \d+ of theirs changed an entry both sides "
            r"had \(line \d+ of base\); resolve the conflict by hand", p.stderr,
            "the driver names the entry")
    eq(len([l for l in p.stderr.splitlines() if l.startswith("iop: ")]), 1, "one line from iop")
    check("patients/P-0001.toml" in git(tmp, b, "diff", "--name-only", "--diff-filter=U").stdout,
          "git marks the file conflicted")


@case
def an_entry_that_reached_both_sites_by_a_cherry_pick_is_kept_once(tmp):
    a, b = two_sites(tmp)
    iop_ok(tmp, "-C", a, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
           "2026-11-06", user="site-a")
    git(tmp, a, "push", "-q")
    git(tmp, b, "fetch", "-q")
    git(tmp, b, "cherry-pick", "origin/main")
    iop_ok(tmp, "-C", b, "attend", "P-0001", "--kind", "individual", "--date", "2026-11-07",
           user="site-b")
    iop_ok(tmp, "-C", a, "screen", "P-0001", "--result", "negative", "--date", "2026-11-08",
           user="site-a")
    git(tmp, a, "push", "-q")
    p = git(tmp, b, "pull", "-q", "--no-rebase", "--no-edit", ok=False)
    eq(p.returncode, 0, f"git pull merges without conflict:\n{p.stdout}{p.stderr}")
    data = load_toml(record_path(b))
    eq([(str(s["date"]), s["recorded_by"]) for s in data["session"]],
       [("2026-11-06", "site-a"), ("2026-11-07", "site-b")], "the cherry-picked session once")
    eq(len(data["screen"]), 1, "the screen of site A")
    r = iop(tmp, "-C", b, "check")
    not_contains(r.out, "record-invalid", "check after the merge")
    eq(r.err, "", "check's stderr")
    # merging the other way gives the very same file
    git(tmp, b, "push", "-q")
    git(tmp, a, "pull", "-q", "--no-rebase", "--no-edit")
    eq(record_path(a).read_bytes(), record_path(b).read_bytes(), "both sites hold the same file")


def union_sites(tmp):
    """Two sites whose .gitattributes give patient files git's union driver."""
    a, b = two_sites(tmp)
    (a / ".gitattributes").write_text("patients/*.toml merge=union\n")
    git(tmp, a, "commit", "-qam", "union")
    git(tmp, a, "push", "-q")
    git(tmp, b, "pull", "-q", "--no-rebase", "--no-edit")
    return a, b


@case
def union_merge_of_two_names_is_a_duplicate_key_that_check_names(tmp):
    """With git's built-in union driver (which iop does not use), two different
    names end up as two `name` lines: a duplicate key, reported with its line."""
    a, b = union_sites(tmp)
    for site, name in ((a, "Jane A. Doe"), (b, "Jane B. Doe")):
        f = record_path(site)
        f.write_text(f.read_text().replace('name = "Jane Doe"', f'name = "{name}"'))
        git(tmp, site, "commit", "-qam", f"name corrected to {name}")
    git(tmp, a, "push", "-q")
    p = git(tmp, b, "pull", "-q", "--no-rebase", "--no-edit", ok=False)
    eq(p.returncode, 0, "union merges silently")
    names = [i for i, l in enumerate(record_path(b).read_text().splitlines(), 1)
             if l.startswith("name = ")]
    eq(len(names), 2, "both names in the file")
    r = iop(tmp, "-C", b, "check", "P-0001")
    matches(rf"^patients/P-0001\.toml:{names[1]}:\d+: error: .*\[record-invalid\]$", r.out,
            "check names the second name line")
    eq(r.code, 3, "exit of check")


@case
def union_merge_interleaves_two_appended_sessions(tmp):
    """The reason .gitattributes names iop's journal driver: union merges line
    by line, and the keys of two sessions appended at the same place end up
    interleaved in one table."""
    a, b = union_sites(tmp)
    iop_ok(tmp, "-C", a, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
           "2026-11-06")
    iop_ok(tmp, "-C", b, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
           "2026-11-07")
    git(tmp, a, "push", "-q")
    eq(git(tmp, b, "pull", "-q", "--no-rebase", "--no-edit", ok=False).returncode, 0,
       "union merges silently")
    r = iop(tmp, "-C", b, "check", "P-0001")
    contains(r.out, "[record-invalid]", "check after a union merge of two sessions")


# ---------------------------------------------------------------- iop log


@case
def log_shows_the_history_of_one_patient_or_of_all(tmp):
    d = git_clinic(tmp)
    iop_ok(tmp, "-C", d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    iop_ok(tmp, "-C", d, "enroll", "P-0002", "--name", "John Roe", "--start", "2026-11-02",
           user="kpatel")
    iop_ok(tmp, "-C", d, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date",
           "2026-11-03")
    out = iop_ok(tmp, "-C", d, "log", "P-0001").out
    lines = out.splitlines()
    eq(len(lines), 2, f"commits of P-0001:\n{out}")
    matches(rf"^[0-9a-f]{{10}}  2026-11-03 17:02  {USER}  attend P-0001: group, illness, "
            r"2026-11-03$", lines[0], "newest first")
    contains(lines[1], "enroll P-0001: from 2026-11-02, 12 weeks")
    everything = iop_ok(tmp, "-C", d, "log").out.splitlines()
    eq(len(everything), 4, "every commit of the records directory")
    contains(everything[1], "kpatel", "the author of P-0002's enrollment")
    contains(everything[-1], "init: records directory")
    js = json.loads(iop_ok(tmp, "-C", d, "log", "P-0002", "--format", "json").out)
    eq(len(js), 1, "json entries")
    eq(set(js[0]), {"commit", "date", "author", "email", "message"}, "json keys")
    eq((js[0]["author"], js[0]["date"], js[0]["message"]),
       ("kpatel", "2026-11-03T17:02:11+00:00", "enroll P-0002: from 2026-11-02, 12 weeks"),
       "json entry")
    check(len(js[0]["commit"]) == 40, "full commit hash in json")
    expect_error(iop(tmp, "-C", d, "log", "P-0003"), 1, "unknown patient")
    expect_error(iop(tmp, "-C", d, "log", "--format", "csv"), 2)


@case
def log_of_a_repository_without_commits_prints_nothing(tmp):
    d = tmp / "clinic"
    iop_ok(tmp, "init", d, env={"IOP_NO_GIT": "1"})
    git(tmp, d, "init", "-q")
    r = iop_ok(tmp, "-C", d, "log")
    eq(r.out, "", "no history yet")


if __name__ == "__main__":
    main()
