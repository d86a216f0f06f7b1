"""Drift between iop's help and its shell completions: every command that
`iop --help` lists and every option that `iop --help` and each `iop CMD
--help` show must be offered by each completion (bash, zsh, fish), and
nothing else; every option or positional whose bad value iop answers with
"valid values: ..." must complete exactly those values. A command or option
added without completion support fails here."""

import itertools
import re
import shutil

import completion_shells as shells
from iopt import Failure, case, enroll, eq, main, make_clinic, ok, run

BOGUS = "zz-bogus"


def parse_help(text):
    """(commands, options, positionals) of a help text: options as a list of
    names, positionals as (name, TYPE) pairs."""
    commands, options, positionals = [], [], []
    section = None
    for line in text.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            section = line[:-1]
            continue
        if not line.startswith("  ") or line.startswith("   ") or not line.strip():
            continue
        first = line.split()[0]
        if section == "Options":
            options += [n for n in first.split(",") if n.startswith("-")]
        elif section == "Positionals":
            positionals.append((first, line.split()[1]))
        elif section not in (None, "Example"):
            commands.append(first)
    return commands, options, positionals


def value_options(text):
    """Options of a help text that take a value: name -> TYPE."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"  (-\S+)(?: ([A-Z][A-Z0-9_.-]*)(?=\s|$))?", line)
        if m and m.group(2):
            out[m.group(1).split(",")[-1]] = m.group(2)
    return out


def missing(expected, got):
    return sorted(set(expected) - set(got))


def extra(allowed, got):
    return sorted(set(got) - set(allowed))


@case
def every_command_and_option_in_help_is_completed_by_every_shell(tmp):
    root = ok("--help").out
    commands, global_options, _ = parse_help(root)
    if len(commands) < 10:
        raise Failure(f"could not read the commands from iop --help:\n{root}")
    sub_options = {}
    for c in commands:
        _, opts, _ = parse_help(ok(c, "--help").out)
        sub_options[c] = opts
    globals_after_command = [o for o in global_options if o not in ("-h", "--help", "--version")]

    lines = ["iop ", "iop -"] + [f"iop {c} -" for c in commands]
    problems = []
    for shell, fn in shells.SHELLS.items():
        answers = fn(lines, tmp, tmp)
        got = answers[0]
        if missing(commands, got) or extra(commands, got):
            problems.append(f"{shell}: commands: missing {missing(commands, got)}, "
                            f"not in help {extra(commands, got)}")
        got = answers[1]
        if missing(global_options, got) or extra(global_options, got):
            problems.append(f"{shell}: 'iop -': missing {missing(global_options, got)}, "
                            f"not in help {extra(global_options, got)}")
        for c, got in zip(commands, answers[2:]):
            allowed = sub_options[c] + globals_after_command
            if missing(allowed, got) or extra(allowed, got):
                problems.append(f"{shell}: 'iop {c} -': missing {missing(allowed, got)}, "
                                f"not in help {extra(allowed, got)}")
    if problems:
        raise Failure("completion and help disagree:\n" + "\n".join(problems))


@case
def help_groups_the_commands_and_each_command_help_ends_with_an_example(tmp):
    root = ok("--help").out
    headings = [line[:-1] for line in root.splitlines()
                if line and not line.startswith(" ") and line.endswith(":")]
    groups = [h for h in headings if h not in ("Options", "Positionals")]
    eq(groups, ["Records", "Plan", "Reports", "Data"], "command groups of iop --help")
    commands, _, _ = parse_help(root)
    for c in commands:
        lines = ok(c, "--help").out.rstrip("\n").splitlines()
        if len(lines) < 2 or lines[-2] != "Example:" or not lines[-1].startswith(f"  iop {c}"):
            raise Failure(f"'iop {c} --help' does not end with an example:\n" + "\n".join(lines))


def filled_positionals(positionals, clinic, tmp):
    """Plausible values for a command's positionals (an active patient, ...)."""
    csv = tmp / "empty.csv"
    csv.write_text("id,date,kind,topic,hours,status\n")
    fill = {"ID": "P-0001", "ID...": "P-0001", "ACTION": "start", "NAME": "naltrexone",
            "FILE": str(csv), "DIR": str(tmp / "new-dir")}
    return [fill.get(t, "x") for _, t in positionals]


def required_options(help_text, skip):
    """Required options of a help text with a value that passes, the first completed one."""
    out = []
    for line in help_text.splitlines():
        m = re.match(r"  (-\S+) ([A-Z][A-Z0-9_.-]*) REQUIRED(?=\s|$)", line)
        if m and m.group(1).split(",")[-1] != skip:
            name = m.group(1).split(",")[-1]
            out += [name, {"KIND": "individual", "NAME": "Someone"}.get(m.group(2), "x")]
    return out


_copies = itertools.count()


def probe(clinic, tmp, *args):
    """Runs iop on a fresh copy of the clinic: a probe that happens to be
    valid writes, and must not change what the next probe sees."""
    copy = tmp / f"probe-{next(_copies)}"
    shutil.copytree(clinic, copy)
    return run("-C", copy, *args, cwd=tmp)


def valid_values(err):
    m = re.search(rf"'{BOGUS}' is not valid.*?; valid values: (.*)$", err, re.M)
    return [v.strip() for v in m.group(1).split(",")] if m else None


@case
def every_enumerated_value_iop_accepts_is_completed_by_every_shell(tmp):
    clinic = make_clinic(tmp)
    enroll(clinic, "P-0001")
    enroll(clinic, "P-0002")
    root = ok("--help").out
    commands, _, _ = parse_help(root)
    globals_ = value_options(root)

    # (command, option or positional index, words before the value, words after,
    #  the values iop names for a bad one)
    checks = []
    for c in commands:
        text = ok(c, "--help").out
        _, _, positionals = parse_help(text)
        pos = filled_positionals(positionals, clinic, tmp)
        for i, (name, _) in enumerate(positionals):
            args = pos[:i] + [BOGUS] + pos[i + 1:]
            r = probe(clinic, tmp, c, *args, *required_options(text, None))
            vals = valid_values(r.err)
            if vals:
                checks.append((c, name, [c, *pos[:i]], vals))
        options = value_options(text.split("Options:")[1] if "Options:" in text else "")
        for opt in list(options) + list(globals_):
            if opt in ("-C", "--dir"):
                continue
            r = probe(clinic, tmp, c, *pos, *required_options(text, opt), opt, BOGUS)
            vals = valid_values(r.err)
            if vals is None:
                continue
            if opt == "--format":
                # iop names every format; a command takes only some: those it
                # does not support are refused, and only those it does are completed
                supported = []
                for v in vals:
                    rv = probe(clinic, tmp, c, *pos, *required_options(text, opt), opt, v)
                    if "does not support --format" not in rv.err:
                        supported.append(v)
                vals = supported
            checks.append((c, opt, [c, *pos, opt], vals))

    names = {(c, o) for c, o, _, _ in checks}
    for expected in [("attend", "--kind"), ("screen", "--result"), ("med", "action"),
                     ("discharge", "--reason"), ("list", "--status"), ("check", "--rule"),
                     ("check", "--severity"), ("show", "--format"), ("list", "--color")]:
        if expected not in names:
            raise Failure(f"no 'valid values' found for {expected}; found {sorted(names)}")

    lines = [f"iop -C {clinic} " + " ".join(before) + " " for _, _, before, _ in checks]
    problems = []
    for shell, fn in shells.SHELLS.items():
        for (c, opt, _, vals), got in zip(checks, fn(lines, tmp, tmp)):
            if sorted(got) != sorted(vals):
                problems.append(f"{shell}: iop {c} {opt}: iop accepts {vals}, "
                                f"completion offers {got}")
    if problems:
        raise Failure("completed values drifted from what iop accepts:\n" + "\n".join(problems))


main()
