"""The Debian package: CPack builds a .deb whose dependencies name the runtime
libraries iop links (fmt, toml++, libcsv, the C and C++ runtimes); `dpkg -i`
installs it, `iop --version` and `man -w iop` work, bash-completion finds
the completion, and `dpkg --purge` removes it again, even when a check fails.

This changes the machine, so it runs only as root with dpkg and cpack present
(as ./setup test on the CI machine), and never touches an iop already there:
if a package named iop is installed, or any file the package would install
exists, it says why it skipped and exits 0."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IOP = os.environ.get("IOP_BIN")
BUILD_DIR = Path(os.environ.get("IOP_BUILD_DIR") or Path(IOP or ".").parent)
RUNTIME_PACKAGES = ["libc6", "libstdc++6", "libgcc-s1", "libfmt9", "libtomlplusplus3", "libcsv3",
                    "libssl3", "libxxhash0"]


def skip(why):
    print(f"skipped: {why}")
    sys.exit(0)


def sh(*cmd, check=True, timeout=300, env=None):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout,
                       env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n"
                             f"{p.stdout}\n{p.stderr}")
    return p


def dpkg(*args):
    """dpkg, waiting for its lock if apt or another dpkg holds it."""
    for _ in range(60):
        p = sh("dpkg", *args, check=False)
        if p.returncode == 0 or "lock" not in p.stderr:
            break
        time.sleep(2)
    if p.returncode != 0:
        raise AssertionError(f"dpkg {' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def installed(package):
    p = sh("dpkg-query", "-W", "-f=${Status}", package, check=False)
    return p.returncode == 0 and "installed" in p.stdout.split()[-1:]


def main():
    if not IOP or not Path(IOP).is_file():
        print("IOP_BIN is not set to the built iop", file=sys.stderr)
        sys.exit(2)
    if os.geteuid() != 0:
        skip("not root: installing a package needs root (CI runs ./setup test as root)")
    for tool in ("dpkg", "dpkg-deb", "dpkg-query", "cpack", "man"):
        if not shutil.which(tool):
            skip(f"{tool} is not installed")
    if not (BUILD_DIR / "CPackConfig.cmake").is_file():
        raise AssertionError(f"no CPackConfig.cmake in {BUILD_DIR}")
    if installed("iop"):
        skip("a package named iop is installed already; not touching it")

    with tempfile.TemporaryDirectory(prefix="iop-deb-") as tmp:
        sh("cpack", "--config", BUILD_DIR / "CPackConfig.cmake", "-G", "DEB", "-B", tmp)
        debs = sorted(Path(tmp).glob("iop_*.deb"))
        assert len(debs) == 1, f"expected one iop_*.deb in {tmp}: {list(Path(tmp).iterdir())}"
        deb = debs[0]

        fields = sh("dpkg-deb", "-f", deb, "Package", "Version", "Architecture", "Depends").stdout
        print(fields)
        version = sh(IOP, "--version").stdout.split()[-1]
        assert re.search(rf"^Version: {re.escape(version)}$", fields, re.M), "package version"
        assert "Package: iop" in fields
        depends = re.search(r"^Depends: (.*)$", fields, re.M)
        assert depends, "the package has no Depends"
        names = {d.strip().split()[0].split(":")[0] for d in depends.group(1).split(",")}
        for lib in RUNTIME_PACKAGES:
            assert lib in names, f"Depends lacks {lib}: {depends.group(1)}"

        files = [line.split()[-1].lstrip(".") for line in
                 sh("dpkg-deb", "-c", deb).stdout.splitlines() if not line.startswith("d")]
        expected = ["/usr/bin/iop", "/usr/share/man/man1/iop.1", "/usr/share/man/man5/iop-records.5",
                    "/usr/share/bash-completion/completions/iop",
                    "/usr/share/zsh/vendor-completions/_iop",
                    "/usr/share/fish/vendor_completions.d/iop.fish"]
        assert sorted(files) == sorted(expected), f"package contents: {files}"
        present = [f for f in files if os.path.lexists(f)]
        if present:
            skip(f"{', '.join(present)} exist already (an iop installed by hand?); not touching them")

        try:
            # Slim container images tell dpkg to skip /usr/share/man (path-exclude);
            # the pages of this package are what the test is about, so keep them.
            dpkg("--path-include=/usr/share/man/man1/iop.1",
                 "--path-include=/usr/share/man/man5/iop-records.5", "-i", deb)
            assert installed("iop"), "dpkg -i did not install iop"
            out = sh("/usr/bin/iop", "--version").stdout
            assert out == sh(IOP, "--version").stdout, f"installed iop --version: {out!r}"
            env = {k: v for k, v in os.environ.items() if k != "MANPATH"}
            env["PATH"] = "/usr/bin:/bin"
            where = sh("man", "-w", "iop", env=env).stdout.strip()
            assert where.startswith("/usr/share/man/man1/iop.1"), f"man -w iop: {where}"
            where = sh("man", "-w", "5", "iop-records", env=env).stdout.strip()
            assert where.startswith("/usr/share/man/man5/iop-records.5"), f"man -w: {where}"
            if Path("/usr/share/bash-completion/bash_completion").is_file():
                p = sh("bash", "--norc", "--noprofile", "-c",
                       "source /usr/share/bash-completion/bash_completion; "
                       "__load_completion iop && complete -p iop", env=env)
                assert "iop" in p.stdout, f"bash-completion did not load iop's: {p.stdout}"
            print(f"installed {deb.name}: {out.strip()}, {where}")
        finally:
            # whatever state dpkg -i left it in (even half-installed), purge it
            if sh("dpkg-query", "-W", "iop", check=False).returncode == 0:
                dpkg("--purge", "iop")
        assert not installed("iop"), "iop is still installed after dpkg --purge"
        left = [f for f in expected if os.path.lexists(f)]
        assert not left, f"left behind after dpkg --purge: {left}"
    print("ok: built, installed, checked and removed the package")


try:
    main()
except AssertionError as e:
    print(f"FAIL: {e}")
    sys.exit(1)
