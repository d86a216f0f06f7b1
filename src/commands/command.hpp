// The command table and what every command receives. One file a command in
// src/commands/, each defining a CommandSpec.
#pragma once

#include "commands/args.hpp"
#include "iop/date.hpp"
#include "iop/output.hpp"
#include "iop/store.hpp"

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace iop {

// Everything a command may depend on, resolved once by cli::run.
struct Context {
    std::optional<std::string> dir_option; // --dir
    const char* env_dir = nullptr;         // $IOP_DIR
    std::filesystem::path cwd;
    Date today{};
    std::string user;     // recorded_by
    std::string now;      // recorded_at
    Format format = Format::text;
    bool quiet = false;
    bool verbose = false; // --verbose: notes on stderr (the record cache)
    double wait_seconds = 5;
    Style style{false};
    bool stderr_tty = false;
    unsigned jobs = 1; // --jobs: threads that read records (default: one a core)
    std::ostream* out = nullptr;
    std::ostream* err = nullptr;

    // Write commands take the directory lock when they first open the store,
    // so a command refused for its arguments never touches the directory.
    bool lock_on_open = false;

    // The records directory, discovered on first use (and locked then, for
    // a write command).
    Store& store();
    // The store if the command opened it, else nullptr (for the git commit
    // made after a write command: Store::commit_history).
    Store* opened_store() { return store_ ? &*store_ : nullptr; }

  private:
    std::optional<Store> store_;
    std::optional<Lock> lock_;
};

enum class Access { none, read, write };

using Runner = std::function<int(Context&)>;

struct CommandSpec {
    std::string name;
    std::string group;   // Records, Plan, Reports, Data; "" hides the command from help
    std::string summary; // one line for `iop --help`
    Access access = Access::read;
    std::vector<Format> formats{Format::text}; // the first is the default
    std::string example; // shown at the end of the command's --help
    // Adds the subcommand's options and returns what runs it once parsed.
    std::function<Runner(Args&)> setup;
};

const std::vector<CommandSpec>& command_table();

CommandSpec init_command();
CommandSpec enroll_command();
CommandSpec attend_command();
CommandSpec group_command();
CommandSpec show_command();
CommandSpec void_command();
CommandSpec amend_command();
CommandSpec list_command();
CommandSpec check_command();
CommandSpec remind_command();
CommandSpec roster_command();
CommandSpec report_command();
CommandSpec screen_command();
CommandSpec med_command();
CommandSpec plan_command();
CommandSpec aftercare_command();
CommandSpec goal_command();
CommandSpec auth_command();
CommandSpec objective_command();
CommandSpec sign_command();
CommandSpec asam_command();
CommandSpec certify_command();
CommandSpec graduate_command();
CommandSpec discharge_command();
CommandSpec import_command();
CommandSpec export_command();
CommandSpec log_command();
CommandSpec closure_command();
CommandSpec merge_journal_command(); // hidden: `iop __merge-journal`, git's merge driver
CommandSpec complete_command(); // hidden: `iop __complete`, behind completions/

} // namespace iop
