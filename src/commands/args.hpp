// How a command declares its arguments: `Args` (one command's options and
// positionals) and `Arg` (one of them). The names and the chaining mirror
// CLI11's (`add_option`, `add_flag`, `->required()`, `->type_name()`,
// `->check()`, `->transform()`, `->excludes()`); the parser behind them is
// CLI11, compiled only where the command line is parsed (src/cli.cpp, which
// implements these) and completed (complete.cpp), so that no command file
// compiles it: args_cli11.hpp joins the two.
//
//     [](Args& app) -> Runner {
//         auto o = std::make_shared<GraduateOptions>();
//         app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
//         app.add_flag("--force", o->force, "Graduate despite unmet criteria");
//         return [o](Context& ctx) { return graduate(*o, ctx); };
//     }
//
// A name without a dash is a positional; "-n,--dry-run" gives an option a
// short name too. The targets must outlive the parse: they live in the
// options struct the runner holds.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace iop {

// A check of a value before it is stored: returns "" when the value is
// fine, else the problem, which the parser reports as "--option: problem". A
// transform may rewrite the value it is given (whole_number drops leading
// zeros); a check's rewriting is discarded.
using ValueCheck = std::function<std::string(std::string& value)>;

class Args;

// One option, flag or positional, as add_option or add_flag returned it;
// valid while the command's setup runs (its Args lives that long).
class Arg {
  public:
    // The argument must be given.
    Arg* required();
    // The word for its value in help, e.g. "ID", "DATE"; the completions
    // choose their candidates by it (complete.cpp).
    Arg* type_name(const std::string& name);
    // Checks run in the order they are added, after every transform.
    Arg* check(const ValueCheck& check);
    // Transforms run before the checks, the last added first.
    Arg* transform(const ValueCheck& transform);
    // The two may not be given together (--absent, --excused).
    Arg* excludes(Arg* other);

  private:
    friend class Args;
    Arg(Args& args, std::size_t index) : args_(&args), index_(index) {}
    Args* args_;
    std::size_t index_; // the parser's option: Args::Impl::options[index_]
};

// One command's arguments, in the order they are added (the order of its help).
class Args {
  public:
    // The parser's subcommand behind it (args_cli11.hpp).
    struct Impl;
    explicit Args(std::unique_ptr<Impl> impl);
    ~Args();
    Args(const Args&) = delete;
    Args& operator=(const Args&) = delete;

    // An option taking a value (or a positional). A std::vector takes every
    // value given (a repeatable option, or a positional taking the rest); a
    // std::optional stays empty when the option is left out.
    Arg* add_option(const std::string& name, std::string& target, const std::string& help = "");
    Arg* add_option(const std::string& name, std::optional<std::string>& target,
                    const std::string& help = "");
    Arg* add_option(const std::string& name, std::vector<std::string>& target,
                    const std::string& help = "");
    Arg* add_option(const std::string& name, int& target, const std::string& help = "");
    Arg* add_option(const std::string& name, std::optional<int>& target,
                    const std::string& help = "");
    // An option without a value: true when given.
    Arg* add_flag(const std::string& name, bool& target, const std::string& help = "");

    Impl& impl() { return *impl_; }

  private:
    Arg* added(); // the handle of the option the parser added last
    std::unique_ptr<Impl> impl_;
    std::deque<Arg> args_;
};

} // namespace iop
