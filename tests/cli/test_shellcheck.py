"""shellcheck is clean for every shell script in the repository: every file
git knows (tracked, or new and not ignored) whose first line is a sh, bash,
dash or ksh shebang, or whose name ends in .sh or .bash, plus the bash
completion (completions/iop.bash, which has no shebang: it is sourced)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("IOP_SOURCE_DIR") or Path(__file__).resolve().parents[2])
SHEBANG = re.compile(rb"^#!\s*(?:/usr)?/bin/(?:env\s+(?:-S\s+)?)?(sh|bash|dash|ksh)\b")
SKIP_DIRS = {".git", "build", "node_modules"}


def candidate_files():
    """Files of the repository, from git when it is a checkout, else by walking it."""
    p = subprocess.run(["git", "-C", str(SOURCE_DIR), "ls-files", "-z", "--cached", "--others",
                        "--exclude-standard"], capture_output=True)
    if p.returncode == 0 and shutil.which("git"):
        return sorted({SOURCE_DIR / f.decode() for f in p.stdout.split(b"\0") if f})
    files = []
    for dirpath, dirnames, filenames in os.walk(SOURCE_DIR):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith("build")]
        files += [Path(dirpath) / f for f in filenames]
    return sorted(files)


def shell_of(path):
    """The shell a file is written for, or None when it is not a shell script."""
    if path.name == "iop.bash" and path.parent.name == "completions":
        return "bash"
    try:
        with open(path, "rb") as f:
            first = f.readline(200)
    except OSError:
        return None
    m = SHEBANG.match(first)
    if m:
        return m.group(1).decode()
    if path.suffix in (".sh", ".bash"):
        return "bash" if path.suffix == ".bash" else "sh"
    return None


def main():
    if not shutil.which("shellcheck"):
        print("FAIL: shellcheck is not installed (./setup installs it)")
        return 1
    scripts = [(f, shell_of(f)) for f in candidate_files() if f.is_file() and not f.is_symlink()]
    scripts = [(f, s) for f, s in scripts if s]
    names = [str(f.relative_to(SOURCE_DIR)) for f, _ in scripts]
    print("shell scripts:", ", ".join(names))
    for required in ("setup", "completions/iop.bash"):
        if required not in names:
            print(f"FAIL: {required} was not found among the shell scripts")
            return 1
    failed = []
    for f, shell in scripts:
        p = subprocess.run(["shellcheck", "--shell", shell, "--external-sources", str(f)],
                           cwd=f.parent, capture_output=True, text=True)
        if p.returncode != 0:
            failed.append(str(f.relative_to(SOURCE_DIR)))
            print(p.stdout + p.stderr)
    if failed:
        print(f"FAIL: shellcheck found problems in {', '.join(failed)}")
        return 1
    print(f"ok: {len(scripts)} shell scripts are shellcheck clean")
    return 0


sys.exit(main())
