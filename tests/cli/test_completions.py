"""The shell completions (completions/) in real shells: bash through
COMP_WORDS/COMP_CWORD and the completion function, zsh through an interactive
zsh in a pseudo-terminal (zsh/zpty) pressing TAB, fish through `complete -C`.
Each shell completes commands, options, enumerated values, patient ids from a
records directory this test creates with the built iop (found through -C,
--dir=, $IOP_DIR and from inside it) and topic ids from its program.toml.
The hidden helper `iop __complete` they share is checked directly too."""

import subprocess

import completion_shells as shells
from iopt import (IOP, Failure, case, check, contains, enroll, env_for, eq, main, make_clinic,
                  ok, run)

IDS = ["P-0001", "P-0002", "X-7"]
DEFAULT_TOPICS = ["illness", "early-recovery", "shame-guilt", "relationships", "stress",
                  "relapse-prevention", "mutual-help", "family", "emotions", "medication"]


def clinic_with_patients(tmp):
    """tmp/clinic with three patients and an extra curriculum topic 'nutrition'."""
    clinic = make_clinic(tmp)
    for pid in IDS:
        enroll(clinic, pid)
    with open(clinic / "program.toml", "a") as f:
        f.write('\n[[curriculum]]\nid = "nutrition"\ntitle = "Nutrition in recovery"\n'
                "sessions = 1\ncore = false\n")
    ok("-C", clinic, "list")  # the program still loads
    return clinic


def same(actual, expected, what):
    eq(sorted(set(actual)), sorted(set(expected)), what)


def includes(actual, expected, what):
    missing = sorted(set(expected) - set(actual))
    if missing:
        raise Failure(f"{what}: missing {missing}; offered {sorted(actual)}")


def help_commands():
    r = ok("--help")
    names = []
    section = None
    for line in r.out.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            section = line[:-1]
        elif section not in (None, "Options") and line.startswith("  ") and line.strip():
            names.append(line.split()[0])
    return names


# Lines typed in every shell, and what the completion must offer. A tuple is
# (words for bash, as bash splits them; the same line for zsh and fish).
def common_lines(clinic):
    c = str(clinic)
    return [
        ("iop ", "commands", None),
        ("iop att", "exact", ["attend"]),
        ("iop attend --k", "exact", ["--kind"]),
        ("iop attend P-0001 --al", "exact", ["--allow-duplicate"]),
        ("iop -", "includes", ["--dir", "-C", "--format", "--help", "--version", "--today"]),
        ("iop attend P-0001 --kind ", "exact", ["group", "individual", "family"]),
        ("iop attend P-0001 --kind i", "exact", ["individual"]),
        ("iop screen P-0001 --result ", "exact", ["negative", "positive", "pending"]),
        ("iop med P-0001 ", "exact", ["start", "review", "stop"]),
        ("iop list --status ", "exact", ["active", "graduated", "discharged", "all"]),
        ("iop show --format ", "exact", ["text", "json", "html"]),
        ("iop --color ", "exact", ["auto", "always", "never"]),
        ("iop discharge P-0001 --reason step", "exact", ["step-down", "step-up"]),
        ("iop attend P-0001 --date ", "exact",
         ["today", "yesterday", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
        ("iop remind --since y", "exact", ["yesterday"]),
        (f"iop -C {c} show ", "exact", IDS),
        (f"iop --dir {c} check P-0001 ", "exact", ["P-0002", "X-7"]),
        (f"iop -C {c} attend P-0001 --topic ", "exact", DEFAULT_TOPICS + ["nutrition"]),
        (f"iop -C {c} attend P-0001 --topic nu", "exact", ["nutrition"]),
        ("iop show ", "exact", []),  # no records directory here: nothing, quietly
        ("iop __comp", "exact", []),  # the helper is hidden
        ("iop enroll ", "exact", []),  # a new id: existing ones are not offered
        ("iop roster --format ", "exact", ["text", "csv"]),
        ("iop gro", "exact", ["group"]),
        (f"iop -C {c} group --topic illness P-0001 --absent ", "exact", ["P-0002", "X-7"]),
        (f"iop -C {c} roster --topic nu", "exact", ["nutrition"]),
    ]


def check_answers(shell, lines, answers, commands):
    for (line, how, expected), got in zip(lines, answers):
        what = f"{shell}: {line!r}"
        if how == "commands":
            same(got, commands, what)
        elif how == "exact":
            same(got, expected, what)
        else:
            includes(got, expected, what)


def run_everywhere(tmp, lines, cwd, env=None):
    out = {}
    for name, fn in shells.SHELLS.items():
        out[name] = fn([line for line, _, _ in lines], cwd, tmp, env)
    return out


@case
def every_shell_completes_commands_options_values_ids_and_topics(tmp):
    clinic = clinic_with_patients(tmp)
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    commands = help_commands()
    check("__complete" not in commands and "import" in commands and "export" in commands,
          f"commands in iop --help: {commands}")
    lines = common_lines(clinic)
    for shell, answers in run_everywhere(tmp, lines, elsewhere).items():
        check_answers(shell, lines, answers, commands)


@case
def ids_come_from_iop_dir_and_from_the_directory_found_upwards(tmp):
    clinic = clinic_with_patients(tmp)
    lines = [("iop show ", "exact", IDS), ("iop check X", "exact", ["X-7"]),
             ("iop show P-0001 --format ", "exact", ["text", "json", "html"])]
    for shell, answers in run_everywhere(tmp, lines, tmp, {"IOP_DIR": str(clinic)}).items():
        check_answers(shell, lines, answers, None)
    for shell, answers in run_everywhere(tmp, lines, clinic / "patients").items():
        check_answers(shell, lines, answers, None)
    # -C on the line wins over $IOP_DIR, as it does for every command
    other = make_clinic(tmp, "other")
    enroll(other, "Q-1")
    lines = [(f"iop -C {other} show ", "exact", ["Q-1"])]
    for shell, answers in run_everywhere(tmp, lines, tmp, {"IOP_DIR": str(clinic)}).items():
        check_answers(shell, lines, answers, None)


@case
def bash_handles_option_equals_value_as_bash_splits_it(tmp):
    clinic = clinic_with_patients(tmp)
    got = shells.bash([["iop", "attend", "P-0001", "--kind", "=", "gr"],
                       ["iop", "attend", "P-0001", "--kind", "="],
                       ["iop", "--dir", "=", str(clinic), "show", "P"],
                       ["iop", "init", "cl"]], tmp, tmp)
    same(got[0], ["group"], "--kind=gr (the text after '=' is replaced)")
    same(got[1], ["group", "individual", "family"], "--kind=")
    same(got[2], ["P-0001", "P-0002"], "--dir=DIR show P")
    same(got[3], ["clinic"], "init completes directories")


def clinic_with_plans(tmp):
    """clinic_with_patients, P-0001 with an open goal G1 (objectives G1.1
    open, G1.2 achieved) and a dropped goal G2 (G2.1 closed with it)."""
    clinic = clinic_with_patients(tmp)
    for _ in range(2):
        ok("-C", clinic, "goal", "P-0001", "add", "--problem", "p", "--goal", "g", "--date",
           "2026-11-03")
    for goal in ("G1", "G1", "G2"):
        ok("-C", clinic, "objective", "P-0001", "add", goal, "--text", "t", "--target",
           "2026-12-01", "--date", "2026-11-03")
    ok("-C", clinic, "objective", "P-0001", "G1.2", "achieved")
    ok("-C", clinic, "goal", "P-0001", "G2", "dropped")
    return clinic


@case
def every_shell_completes_treatment_plan_refs_from_the_record(tmp):
    c = clinic_with_plans(tmp)
    objective_actions = ["revise", "achieved", "partly-achieved", "not-achieved", "dropped"]
    lines = [
        (f"iop -C {c} goal P-0001 ", "exact", ["add", "G1"]),
        (f"iop -C {c} goal P-0002 ", "exact", ["add"]),
        (f"iop -C {c} goal P-0001 G1 ", "exact", ["revise", "achieved", "dropped"]),
        (f"iop -C {c} objective P-0001 ", "exact", ["add", "G1.1"]),
        (f"iop -C {c} objective P-0001 add ", "exact", ["G1"]),
        (f"iop -C {c} objective P-0001 G1.1 ", "exact", objective_actions),
        (f"iop -C {c} attend P-0001 --kind group --objective ", "exact", ["G1.1"]),
        (f"iop -C {c} group --topic illness P-0001 P-0002 --objective ", "exact",
         ["P-0001:G1.1"]),
        (f"iop -C {c} group --topic illness P-0002 --objective ", "exact", []),
        (f"iop -C {c} sign P-0001 --role ", "exact",
         ["patient", "clinician", "supervisor", "guardian"]),
    ]
    for shell, answers in run_everywhere(tmp, lines, tmp).items():
        check_answers(shell, lines, answers, None)
    # bash splits P-0001:G1 at ':' (COMP_WORDBREAKS): readline replaces what
    # follows the last ':', so the answers are that part.
    got = shells.bash([["iop", "-C", str(c), "group", "--topic", "illness", "P-0001",
                        "--objective", "P-0001", ":", "G"],
                       ["iop", "-C", str(c), "group", "--topic", "illness", "P-0001",
                        "--objective", "P-0001", ":"]], tmp, tmp)
    same(got[0], ["G1.1"], "--objective P-0001:G")
    same(got[1], ["G1.1"], "--objective P-0001:")


@case
def bash_completion_package_loads_the_installed_script(tmp):
    clinic = clinic_with_patients(tmp)
    got = shells.bash(["iop sh", f"iop -C {clinic} show P-000", "iop attend --kind f"],
                      tmp, tmp, source_bash_completion=True)
    same(got[0], ["show"], "iop sh")
    same(got[1], ["P-0001", "P-0002"], "ids")
    same(got[2], ["family"], "--kind f")


@case
def zsh_tab_inserts_what_was_completed(tmp):
    clinic = clinic_with_patients(tmp)
    got = shells.zsh(["iop atte", "iop attend P-0001 --kind fa", f"iop -C {clinic} show X",
                      "iop --form", "iop init cli", f"iop -C {clinic} show P"],
                     tmp, tmp, with_buffer=True)
    eq(got[0][1], "iop attend ", "buffer after TAB")
    eq(got[1][1], "iop attend P-0001 --kind family ", "buffer after TAB")
    eq(got[2][1], f"iop -C {clinic} show X-7 ", "buffer after TAB")
    eq(got[3][1], "iop --format ", "buffer after TAB")
    eq(got[4][1], "iop init clinic/", "buffer after TAB (a directory)")
    # ambiguous: the common prefix is inserted, both ids are listed
    eq(got[5][1], f"iop -C {clinic} show P-000", "buffer after TAB")
    same(got[5][0], ["P-0001", "P-0002"], "matches")


@case
def directories_and_files_come_from_the_shell(tmp):
    (tmp / "clinic-a").mkdir()
    (tmp / "clinic-notes.csv").write_text("id\n")
    # init takes a directory, import a file (or - for standard input)
    lines = ["iop init clin", "iop import clinic-n", "iop -C clin"]
    expected = {"bash": [["clinic-a"], ["clinic-notes.csv"], ["clinic-a"]],
                "zsh": [["clinic-a"], ["clinic-notes.csv"], ["clinic-a"]],
                "fish": [["clinic-a/"], ["clinic-notes.csv"], ["clinic-a/"]]}
    for shell, fn in shells.SHELLS.items():
        got = fn(lines, tmp, tmp)
        for line, g, e in zip(lines, got, expected[shell]):
            same(g, e, f"{shell}: {line!r}")


@case
def fish_shows_descriptions(tmp):
    shells.require("fish")
    p = subprocess.run(["fish", "--no-config", "-c",
                        f"source {shells.FISH_SCRIPT}; complete -C 'iop att'; "
                        "complete -C 'iop attend --ki'"],
                       env=shells.shell_env(tmp), capture_output=True, text=True, timeout=60)
    contains(p.stdout, "attend\tRecord a therapy session")
    contains(p.stdout, "--kind\tgroup, individual or family")


# ---------------------------------------------------------------- the helper


def helper(*words, cwd, env=None):
    r = run("__complete", "--", *words, cwd=cwd, env=env)
    if r.code != 0 or r.err:
        raise Failure(f"iop __complete should exit 0 quietly:\n{r!r}")
    return r.out.splitlines()


@case
def helper_prints_words_with_descriptions_and_shell_directives(tmp):
    clinic = clinic_with_patients(tmp)
    out = helper("", cwd=tmp)
    contains("\n".join(out), "attend\tRecord a therapy session")
    check(not any(line.startswith("__complete") for line in out), f"hidden helper offered: {out}")
    eq(helper("init", "", cwd=tmp), [":dirs"], "init DIR")
    eq(helper("import", "", cwd=tmp), ["-\tstandard input", ":files"], "import FILE|-")
    eq(helper("-C", str(clinic), "attend", "P-0001", "--topic", "", cwd=tmp)[-1],
       "nutrition\tNutrition in recovery", "topic from program.toml, with its title")
    eq(helper("attend", "--kind=in", cwd=tmp),
       ["--kind=group", "--kind=individual", "--kind=family"],
       "--opt= form keeps the option (the shell filters by prefix)")
    eq(helper(f"--dir={clinic}", "show", "", cwd=tmp), IDS, "--dir=DIR")
    eq(helper(f"-C{clinic}", "show", "", cwd=tmp), IDS, "-CDIR")
    # quoting and ~ as typed on the line
    eq(helper("-C", "'~/clinic'", "show", "", cwd=tmp)[:1], [], "quoted ~ is not expanded")
    eq(helper("-C", "~/clinic", "show", "", env={"HOME": str(tmp)}, cwd=tmp), IDS, "~/ expands")
    eq(helper("-C", f'"{clinic}"', "show", "", cwd=tmp), IDS, "double quotes are removed")
    # after --, words are positionals
    eq(helper("-C", str(clinic), "show", "--", "", cwd=tmp), IDS, "after --")
    # options already given are not offered again, nor one they exclude
    out = helper("attend", "P-0001", "--kind", "group", "--absent", "-", cwd=tmp)
    check("--kind" not in out and "--absent" not in out and "--excused" not in out,
          f"used options offered again: {out}")
    out = helper("aftercare", "P-0001", "--group", "AA", "--", cwd=tmp)
    check(any(line.startswith("--group\t") for line in out), "a repeatable option is offered again")
    # a line it cannot make sense of: nothing, exit 0
    eq(helper("no-such-command", "", cwd=tmp), [], "unknown command")
    eq(helper("-C", str(tmp / "missing"), "show", "", cwd=tmp), [], "missing directory")
    eq(helper(cwd=tmp), helper("", cwd=tmp), "no words at all")


@case
def double_dash_ends_the_options_of_any_command(tmp):
    # what the helper relies on, and what users expect of a Unix tool
    clinic = clinic_with_patients(tmp)
    r = ok("-C", clinic, "--format", "json", "show", "--", "P-0001", cwd=tmp)
    check(r.out.startswith("{") and "P-0001" in r.out, f"show -- P-0001:\n{r!r}")
    r = ok("-C", clinic, "check", "--rule", "overdue", "--", "P-0001", "X-7", cwd=tmp)
    r = run("-C", clinic, "show", "--", "--bogus", cwd=tmp)
    check(r.code == 2 and "'--bogus'" in r.err, f"after --, --bogus is an id:\n{r!r}")


@case
def helper_is_not_in_help_and_not_suggested(tmp):
    r = ok("--help")
    check("__complete" not in r.out, "iop --help shows the hidden helper")
    r = run("complete", cwd=tmp)
    check(r.code == 2 and "__complete" not in r.err, f"suggests the hidden helper:\n{r!r}")


main()
