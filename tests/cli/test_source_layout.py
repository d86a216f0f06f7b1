"""What the compiler is given: CLI11, the argument parser, is compiled only
where the command line is parsed (src/cli.cpp) and completed
(src/commands/complete.cpp). The command files declare their options through
src/commands/args.hpp, which holds no CLI11 type. CLI11 is header-only and
slow to compile, so a file that includes it, even through another header,
adds to every clean build (docs/architecture.md)."""

import re

from iopt import SOURCE_DIR, Failure, case, check, eq, main

INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"]', re.M)
ROOTS = ["src", "include"]  # the include directories of iop_core and its users
COMPILED = ["src", "tests/unit", "fuzz", "bench"]  # every translation unit of the build


def resolve(name, including):
    """The project file an #include names, or None (a system header)."""
    for base in [including.parent] + [SOURCE_DIR / r for r in ROOTS]:
        p = base / name
        if p.is_file():
            return p.resolve()
    return None


def reaches_cli11(path, memo, stack=()):
    """Whether compiling `path` reads a CLI11 header, through any chain of includes."""
    if path in memo:
        return memo[path]
    if path in stack:
        return False
    found = False
    for _, name in INCLUDE.findall(path.read_text(encoding="utf-8")):
        if name.startswith("CLI/"):
            found = True
            break
        inner = resolve(name, path)
        if inner and reaches_cli11(inner, memo, stack + (path,)):
            found = True
            break
    memo[path] = found
    return found


def translation_units():
    units = []
    for d in COMPILED:
        units += sorted((SOURCE_DIR / d).rglob("*.cpp"))
    return units


@case
def cli11_is_compiled_only_where_the_command_line_is_parsed_and_completed(tmp):
    units = translation_units()
    check(len(units) > 40, f"found only {len(units)} .cpp files under {SOURCE_DIR}")
    memo = {}
    with_cli11 = sorted(str(u.relative_to(SOURCE_DIR)) for u in units if reaches_cli11(u, memo))
    eq(with_cli11, ["src/cli.cpp", "src/commands/complete.cpp"],
       "the files that compile CLI11")


@case
def the_commands_see_only_args_hpp(tmp):
    # A command file reaches its options through command.hpp -> args.hpp;
    # CLI11 stays behind args_cli11.hpp.
    memo = {}
    for header in ["src/commands/args.hpp", "src/commands/command.hpp",
                   "src/commands/common.hpp"]:
        path = (SOURCE_DIR / header).resolve()
        if reaches_cli11(path, memo):
            raise Failure(f"{header} includes CLI11")
        check("CLI::" not in path.read_text(encoding="utf-8"), f"{header} names a CLI11 type")
    check(reaches_cli11((SOURCE_DIR / "src/commands/args_cli11.hpp").resolve(), memo),
          "args_cli11.hpp is the header that includes CLI11")


if __name__ == "__main__":
    main()
