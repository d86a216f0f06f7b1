"""Drives the completion scripts of completions/ in real shells, for the
completion and drift tests (standard library only).

Each function takes a list of command lines and returns, for each, the words
the shell offered (descriptions dropped). A line is a string split at spaces
as the shell would (a trailing space means an empty word is being completed),
or a list of words for bash when the split matters (bash splits at '=').

- bash: the completion function _iop is called with COMP_WORDS/COMP_CWORD set,
  as bash does on TAB, in one bash process for all lines.
- zsh: an interactive zsh runs in a pseudo-terminal (zsh/zpty) with compinit
  and _iop on $fpath; each line is typed and TAB pressed. compadd is wrapped
  to record what the completion system was given; a key bound after TAB
  records the edited line, so what TAB inserted can be checked too.
- fish: `complete -C LINE` with completions/iop.fish loaded.

The built iop is put first on $PATH under the name `iop`, so the scripts run
it as they would an installed one.
"""

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

import iopt

COMPLETIONS = iopt.SOURCE_DIR / "completions"
BASH_SCRIPT = COMPLETIONS / "iop.bash"
ZSH_SCRIPT = COMPLETIONS / "_iop"
FISH_SCRIPT = COMPLETIONS / "iop.fish"

MARK = "@@iop-completion-test@@"


class ShellMissing(Exception):
    pass


def require(shell):
    if not shutil.which(shell):
        raise ShellMissing(f"{shell} is not installed (./setup installs it)")


def _bin_dir(tmp):
    """A directory holding `iop`, a link to the binary under test."""
    d = Path(tmp) / "bin"
    d.mkdir(exist_ok=True)
    link = d / "iop"
    if not link.exists():
        link.symlink_to(iopt.IOP)
    return d


def shell_env(tmp, env=None):
    e = iopt.env_for(env)
    e["PATH"] = f"{_bin_dir(tmp)}:{e.get('PATH', '/usr/bin:/bin')}"
    e["HOME"] = str(tmp)
    for k in ("ZDOTDIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "BASH_ENV", "ENV",
              "VISUAL", "EDITOR", "BASH_COMPLETION_USER_DIR"):
        e.pop(k, None)
    e["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")
    e["XDG_DATA_HOME"] = str(Path(tmp) / "data")
    e["TERM"] = "dumb"
    return e


def _words(line):
    if isinstance(line, (list, tuple)):
        return list(line)
    words = line.split(" ")
    return [w for w in words[:-1] if w] + [words[-1]]


def _split_answers(out, n):
    parts = out.split(MARK + "\n")
    if len(parts) != n + 1:
        raise iopt.Failure(f"expected {n} answers from the shell, got:\n{out}")
    return [[w.split("\t")[0] for w in p.splitlines() if w] for p in parts[1:]]


def _run(cmd, script_input, cwd, env, timeout=120):
    p = subprocess.run(cmd, input=script_input, cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=timeout)
    if p.returncode != 0:
        raise iopt.Failure(f"{cmd[0]} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


# ---------------------------------------------------------------- bash


def bash(lines, cwd, tmp, env=None, source_bash_completion=False):
    """COMPREPLY of _iop for each line. With source_bash_completion, the
    bash-completion package is loaded first and finds the script by its
    installed name through a completion directory, as an installed system does."""
    require("bash")
    script = []
    if source_bash_completion:
        main = Path("/usr/share/bash-completion/bash_completion")
        if not main.is_file():
            raise ShellMissing("bash-completion is not installed (./setup installs it)")
        d = Path(tmp) / "data" / "bash-completion" / "completions"
        d.mkdir(parents=True, exist_ok=True)
        shutil.copy(BASH_SCRIPT, d / "iop")
        script += [f"source {shlex.quote(str(main))}",
                   "_completion_loader iop",
                   "complete -p iop >/dev/null || exit 3"]
    else:
        script.append(f"source {shlex.quote(str(BASH_SCRIPT))}")
    script.append('fn=$(complete -p iop | sed -n "s/.*-F \\([^ ]*\\).*/\\1/p")')
    for line in lines:
        words = _words(line)
        arr = " ".join(shlex.quote(w) for w in words)
        script += [
            f"COMP_WORDS=({arr}); COMP_CWORD={len(words) - 1}",
            f"COMP_LINE={shlex.quote(' '.join(words))}; COMP_POINT=${{#COMP_LINE}}",
            "COMP_TYPE=9; COMP_KEY=9; COMPREPLY=()",
            '"$fn" iop "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
            f"echo {MARK}",
            'for w in "${COMPREPLY[@]}"; do printf "%s\\n" "$w"; done',
        ]
    p = _run(["bash", "--norc", "--noprofile"], "\n".join(script) + "\n", cwd,
             shell_env(tmp, env))
    return _split_answers(p.stdout, len(lines))


# ---------------------------------------------------------------- fish


def fish(lines, cwd, tmp, env=None):
    """What `complete -C LINE` offers for each line."""
    require("fish")
    script = [f"source {shlex.quote(str(FISH_SCRIPT))}"]
    for line in lines:
        text = line if isinstance(line, str) else " ".join(line)
        script += [f"echo {MARK}", f"complete -C {shlex.quote(text)}"]
    p = _run(["fish", "--no-config"], "\n".join(script) + "\n", cwd, shell_env(tmp, env))
    return _split_answers(p.stdout, len(lines))


# ---------------------------------------------------------------- zsh

_ZSH_DRIVER = r"""
# Runs an interactive zsh in a pseudo-terminal and presses TAB after each line.
zmodload zsh/zpty || exit 3
emulate -L zsh
setopt no_hup
work=$1 compdir=$2; shift 2
capture=$work/capture buffer=$work/buffer

zpty -b iopz zsh -f -i || exit 4
zpty -w iopz "stty rows 200 columns 250 2>/dev/null; bindkey -e; PS1='> '; PS2=''; RPS1=''"
zpty -w iopz "LISTMAX=100000; unsetopt beep; fpath=(${(q)compdir} \$fpath)"
zpty -w iopz "autoload -Uz compinit; compinit -u -d ${(q)work}/zcompdump"
# Record every match the completion system adds, then add it for real.
zpty -w iopz "compadd() { if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd \"\$@\"; return; fi; local -a hits; builtin compadd -A hits \"\$@\"; (( \$#hits )) && print -rl -- \$hits >> ${(q)capture}; builtin compadd \"\$@\"; }"
# TAB completes, then records the edited line: the record appearing is the
# sign that completion has finished, so nothing more is typed ahead of it.
zpty -w iopz "tab-and-dump() { zle expand-or-complete; print -r -- \"\$BUFFER\" > ${(q)buffer}; }; zle -N tab-and-dump; bindkey '^I' tab-and-dump"
zpty -w iopz "print -r -- '<<RE''ADY>>'"
zpty -r -m iopz out '*<<READY>>*' || exit 5

n=0
for line in "$@"; do
  (( n++ ))
  : > $capture; : > $buffer
  # the line and TAB; once completion has recorded the buffer, kill the line
  # and run a marker command
  zpty -w -n iopz "$line"$'\t'
  for (( i = 0; i < 1200; i++ )); do [[ -s $buffer ]] && break; sleep 0.05; done
  [[ -s $buffer ]] || exit 7
  zpty -w -n iopz $'\x15'
  zpty -w iopz "print -r -- '<<DO''NE $n>>'"
  zpty -r -m iopz out "*<<DONE $n>>*" || exit 6
  print -r -- "@@iop-completion-test@@"
  [[ -s $capture ]] && sort -u $capture
  print -r -- "@@buffer@@$(<$buffer)"
done
zpty -d iopz
"""


def zsh(lines, cwd, tmp, env=None, with_buffer=False):
    """The matches zsh's completion system was given after TAB on each line;
    with_buffer: (matches, the line after TAB) pairs."""
    require("zsh")
    work = Path(tempfile.mkdtemp(prefix="zsh-", dir=tmp))
    driver = work / "driver.zsh"
    driver.write_text(_ZSH_DRIVER)
    texts = [line if isinstance(line, str) else " ".join(line) for line in lines]
    p = subprocess.run(["zsh", "-f", str(driver), str(work), str(COMPLETIONS), *texts],
                       cwd=cwd, env=shell_env(tmp, env), capture_output=True, text=True,
                       timeout=180)
    if p.returncode != 0:
        raise iopt.Failure(f"zsh driver failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    answers = []
    for part in p.stdout.split(MARK + "\n")[1:]:
        words, buf = [], ""
        for w in part.splitlines():
            if w.startswith("@@buffer@@"):
                buf = w[len("@@buffer@@"):]
            elif w:
                words.append(w)
        answers.append((words, buf) if with_buffer else words)
    if len(answers) != len(lines):
        raise iopt.Failure(f"expected {len(lines)} answers from zsh, got:\n{p.stdout}\n{p.stderr}")
    return answers


SHELLS = {"bash": bash, "zsh": zsh, "fish": fish}
