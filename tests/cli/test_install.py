"""`cmake --install` with DESTDIR: the install tree holds exactly the binary,
the two manual pages and the three completion scripts, where each tool looks
for them; the installed iop runs, man renders the pages without a warning,
and each shell finds its completion in the tree as it would on a system."""

import os
import re
import shutil
import subprocess
from pathlib import Path

from iopt import IOP, SOURCE_DIR, Failure, case, check, contains, eq, main

BUILD_DIR = Path(os.environ.get("IOP_BUILD_DIR") or Path(IOP).parent)
PREFIX = "/usr/local"

EXPECTED = {
    "bin/iop": None,
    "share/man/man1/iop.1": None,
    "share/man/man5/iop-records.5": None,
    "share/bash-completion/completions/iop": "completions/iop.bash",
    "share/zsh/vendor-completions/_iop": "completions/_iop",
    "share/fish/vendor_completions.d/iop.fish": "completions/iop.fish",
}


def sh(cmd, env=None, cwd=None, timeout=120):
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise Failure(f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def install(tmp):
    dest = tmp / "dest"
    env = dict(os.environ, DESTDIR=str(dest))
    sh(["cmake", "--install", str(BUILD_DIR), "--prefix", PREFIX], env=env)
    return dest, dest / PREFIX.lstrip("/")


def clean_env(tmp, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOP_")}
    for k in ("MANPATH", "MANPAGER", "PAGER", "XDG_DATA_DIRS", "ZDOTDIR", "BASH_ENV", "ENV"):
        env.pop(k, None)
    env.update(HOME=str(tmp), XDG_CONFIG_HOME=str(tmp / "config"),
               XDG_DATA_HOME=str(tmp / "data"), TERM="dumb", LC_ALL="C.UTF-8")
    env.update(extra)
    return env


def render_without_warnings(page, tmp):
    """Renders a page with man-db's man, groff warnings on; returns the text."""
    p = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", str(page)],
                       env=clean_env(tmp, MANWIDTH="80"),
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0 or p.stderr.strip():
        raise Failure(f"man -l {page} warned or failed ({p.returncode}):\n{p.stderr}")
    return p.stdout


@case
def install_tree_holds_exactly_the_binary_man_pages_and_completions(tmp):
    if not shutil.which("scdoc"):
        raise Failure("scdoc is not installed, so the manual pages are not built (./setup installs it)")
    dest, prefix = install(tmp)
    found = sorted(str(p.relative_to(prefix)) for p in prefix.rglob("*") if not p.is_dir())
    outside = sorted(str(p.relative_to(dest)) for p in dest.rglob("*")
                     if not p.is_dir() and prefix not in p.parents)
    eq(found, sorted(EXPECTED), f"files under DESTDIR{PREFIX}")
    eq(outside, [], "files installed outside the prefix")
    for rel, source in EXPECTED.items():
        mode = (prefix / rel).stat().st_mode & 0o777
        if rel.startswith("bin/"):
            eq(mode, 0o755, f"mode of {rel}")
        else:
            eq(mode, 0o644, f"mode of {rel}")
        if source:
            eq((prefix / rel).read_bytes(), (SOURCE_DIR / source).read_bytes(), rel)
    version = sh([str(prefix / "bin/iop"), "--version"], env=clean_env(tmp)).stdout
    eq(version, sh([IOP, "--version"]).stdout, "installed iop --version")
    check(version.startswith("iop "), f"version line: {version!r}")


@case
def man_finds_and_renders_the_installed_pages(tmp):
    if not shutil.which("man"):
        raise Failure("man is not installed (./setup installs man-db)")
    _, prefix = install(tmp)
    env = clean_env(tmp, MANPATH=str(prefix / "share/man"))
    eq(sh(["man", "-w", "iop"], env=env).stdout.strip(), str(prefix / "share/man/man1/iop.1"),
       "man -w iop")
    eq(sh(["man", "-w", "5", "iop-records"], env=env).stdout.strip(),
       str(prefix / "share/man/man5/iop-records.5"), "man -w 5 iop-records")
    text = render_without_warnings(prefix / "share/man/man1/iop.1", tmp)
    for needle in ["NAME", "SYNOPSIS", "COMMANDS", "EXIT STATUS", "ENVIRONMENT", "FILES",
                   "EXAMPLES", "SEE ALSO", "IOP_DIR", "IOP_TODAY", "IOP_USER", "IOP_NOW",
                   "NO_COLOR", "iop-records(5)", "75"]:
        contains(text, needle, "iop(1)")
    # every command in iop --help is documented
    help_text = sh([IOP, "--help"]).stdout
    commands = [line.split()[0] for line in help_text.splitlines()
                if line.startswith("  ") and not line.startswith("   ")
                and not line.strip().startswith("-")]
    check(len(commands) >= 10, f"commands from iop --help: {commands}")
    source = (SOURCE_DIR / "docs/iop.1.scd").read_text()  # unwrapped, unhyphenated
    words = set(re.findall(r"-{1,2}[a-z][a-z0-9-]*", source))
    for c in commands:
        check(f"\n       {c} " in text or f"\n       {c}\n" in text,
              f"iop(1) does not document the command '{c}'")
        # ... nor any option its help shows
        for line in sh([IOP, c, "--help"]).stdout.splitlines():
            m = re.match(r"  (-[^ ]+)", line)
            for name in (m.group(1).split(",") if m else []):
                check(name in words, f"iop(1) does not mention '{name}' of 'iop {c}'")
    text = render_without_warnings(prefix / "share/man/man5/iop-records.5", tmp)
    for needle in ["program.toml", "schema_version", "[[session]]", "[[screen]]",
                   "[[medication]]", "[[event]]", "[plan]", "[[curriculum]]", "iop(1)"]:
        contains(text, needle, "iop-records(5)")


@case
def each_shell_finds_its_completion_in_the_install_tree(tmp):
    _, prefix = install(tmp)
    bindir = prefix / "bin"
    env = clean_env(tmp, PATH=f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
                    XDG_DATA_DIRS=f"{prefix / 'share'}:/usr/share")

    # bash-completion loads completions on demand from .../share/bash-completion/completions
    main_script = Path("/usr/share/bash-completion/bash_completion")
    if not main_script.is_file():
        raise Failure("bash-completion is not installed (./setup installs it)")
    p = sh(["bash", "--norc", "--noprofile", "-c",
            f"source {main_script}; __load_completion iop || exit 3; "
            "fn=$(complete -p iop | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p'); "
            "COMP_WORDS=(iop att); COMP_CWORD=1; COMP_LINE='iop att'; COMP_POINT=7; "
            '"$fn" iop att iop; printf "%s\\n" "${COMPREPLY[@]}"'], env=env)
    eq(p.stdout.split(), ["attend"], "bash, loaded from the install tree")

    # zsh: the vendor directory on $fpath, as Debian's zsh has it
    p = sh(["zsh", "-f", "-c",
            f"fpath=({prefix / 'share/zsh/vendor-completions'} $fpath); "
            f"autoload -Uz compinit; compinit -u -d {tmp}/zcompdump; print -r -- $_comps[iop]"],
           env=env)
    eq(p.stdout.strip(), "_iop", "zsh: the function compinit registers for iop")

    # fish: vendor_completions.d under $XDG_DATA_DIRS
    p = sh(["fish", "-c", "complete -C 'iop att'"], env=env)
    eq([line.split("\t")[0] for line in p.stdout.splitlines()], ["attend"],
       "fish, loaded from the install tree")


main()
