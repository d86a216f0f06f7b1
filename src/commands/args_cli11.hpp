// The parser behind Args (args.hpp): CLI11. Included only where the command
// line is parsed (src/cli.cpp, which implements Args) and completed
// (complete.cpp, which walks the parser's options); every other file sees
// args.hpp alone, so CLI11 is compiled in these two.
#pragma once

#include "commands/args.hpp"

#include <CLI/CLI.hpp>

#include <vector>

namespace iop {

struct Args::Impl {
    CLI::App& app;                     // the command's subcommand
    std::vector<CLI::Option*> options; // in the order added; Arg::index_ names one
};

} // namespace iop
