// Git as the audit trail and the way several sites share records
// (docs/git.md). iop runs the `git` program (no shell, arguments as a
// vector); it never links libgit2, and it never pushes or pulls.
//
// The pure pieces (argument vectors, the environment git runs with, parsing
// `git log`) are separate from the few functions that run git, so they can be
// tested without a repository. Git knows nothing of records: the commands
// write the commit subjects (commands/common.hpp) and the merge driver's
// merge of two records is journal_merge.hpp's.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iop::git {

// ---------------------------------------------------------------- pure

// One run of git: its arguments (argv[0] is "git") and the environment
// variables set for it on top of the scrubbed environment.
struct Invocation {
    std::vector<std::string> argv;
    std::vector<std::pair<std::string, std::string>> env;
    // A repository shared on purpose (core.sharedRepository): git runs with
    // the caller's umask. Otherwise with umask 077, so that what it creates
    // is the owner's only.
    bool shared = false;
};

// Variables that point git at another repository or index (those git itself
// clears when it moves to another repository, `git rev-parse
// --local-env-vars`): removed from the environment git runs with, so an iop
// run from a hook or an alias works on the records directory and nothing else.
const std::vector<std::string>& scrubbed_variables();

// The environment a git child gets: `environ` minus scrubbed_variables() and
// the names `inv_env` sets, then `inv_env` appended.
std::vector<std::string>
child_environment(const std::vector<std::string>& environ_entries,
                  const std::vector<std::pair<std::string, std::string>>& inv_env);

// `files` are relative to `dir`, which git is told with -C.
Invocation add_invocation(const std::filesystem::path& dir, const std::vector<std::string>& files);
// Commits exactly `files` (git commit --only): whatever else is staged stays
// staged. `author`: $IOP_USER (author name, empty email), else git's own
// configuration decides. `date`: the entries' recorded_at, as the author date.
Invocation commit_invocation(const std::filesystem::path& dir,
                             const std::vector<std::string>& files, const std::string& message,
                             const std::optional<std::string>& author,
                             const std::optional<std::string>& date);
Invocation init_invocation(const std::filesystem::path& dir);
// git's own three-way merge of one file, written into `ours` (with conflict
// markers where both sides changed the same lines).
Invocation merge_file_invocation(const std::string& ours, const std::string& base,
                                 const std::string& theirs);
// History of `path` (relative to dir), or of the whole records directory.
Invocation log_invocation(const std::filesystem::path& dir, const std::optional<std::string>& path);
// Registers iop's merge driver for patient files in the repository's config.
std::vector<Invocation> merge_driver_invocations(const std::filesystem::path& dir,
                                                 const std::string& iop_program);

struct LogEntry {
    std::string commit; // full hash
    std::string date;   // author date, strict ISO 8601 (2026-11-03T17:02:11+00:00)
    std::string author;
    std::string email;
    std::string subject;
};
// Parses what log_invocation prints.
std::vector<LogEntry> parse_log(std::string_view out);

// What .gitattributes of `iop init --git` holds (.gitignore: Store::gitignore_text).
std::string gitattributes_text();
inline constexpr std::string_view merge_driver_name = "iop-journal";

// A single-quoted word for the shell git runs a merge driver with.
std::string shell_quote(std::string_view word);

// ---------------------------------------------------------------- running git

struct RunResult {
    int status = 0; // exit status; 124 when stopped by the timeout
    std::string out;
    std::string err;
    bool timed_out = false;
};

// How long one git child may run: $IOP_GIT_TIMEOUT seconds (more than 0, at
// most 86400; decimals allowed), else 60. UsageError (exit 2) naming the
// variable for anything else.
inline constexpr double default_timeout_seconds = 60;
double timeout_seconds();

// Runs git (found on PATH) with stdin from /dev/null, in a process group of
// its own; after timeout_seconds() it kills that whole group (a hook's
// children too) and returns with timed_out. Throws IoError when git cannot
// be started at all (not installed: says so).
RunResult run(const Invocation& inv);

// The directory holding `.git` at or above `dir`, if any (no git needed).
std::optional<std::filesystem::path> find_work_tree(const std::filesystem::path& dir);

// Whether the repository at `top` (dir's work tree) is an enclosing one that
// ignores `dir` (a records directory in a home directory kept in git, or in a
// build tree). Runs `git check-ignore` only in that nested case; false when
// git cannot run (the commit then says so: never a silent skip).
bool ignores(const std::filesystem::path& top, const std::filesystem::path& dir);
// Whether git ignores the file `name` in `dir` (`git check-ignore`; a
// tracked file is not ignored); false when git cannot run.
bool ignores_file(const std::filesystem::path& dir, std::string_view name);

// The work tree that keeps `dir`'s history: find_work_tree(dir), unless that
// repository ignores `dir`: then none, and iop writes without committing.
std::optional<std::filesystem::path> tracking_work_tree(const std::filesystem::path& dir);

// Why git is off for this run, if it is: "IOP_NO_GIT=1" when the variable is
// set to anything but "" or "0".
std::optional<std::string> disabled_by_environment();

// The author from $IOP_USER, if set.
std::optional<std::string> author_from_environment();

// For `iop init --git`: runs git init unless `dir` is already in a work tree
// that does not ignore it (tracking_work_tree),
// and registers the merge driver (run as `iop_program`) in the repository's
// config. IoError (exit 4) when git fails.
void prepare_repository(const std::filesystem::path& dir, const std::string& iop_program);

// The repository that keeps `dir`'s history: its git directory (git
// rev-parse --absolute-git-dir) and whether it is shared on purpose
// (core.sharedRepository is set). IoError (exit 4) when git fails.
struct Repository {
    std::filesystem::path git_dir;
    bool shared = false;
};
Repository repository(const std::filesystem::path& dir);

// Why committing into `repo` would expose the records (its git directory
// gives group or others any access, and it is not shared on purpose): a
// message naming the directory and both fixes. nullopt when it is private.
std::optional<std::string> exposure(const Repository& repo);

// Adds and commits `files`; throws IoError (exit 4) naming the files as
// written and quoting git's complaint when git fails or does not finish
// within timeout_seconds(). `shared`: Repository::shared.
void commit(const std::filesystem::path& dir, const std::vector<std::string>& files,
            const std::string& message, const std::optional<std::string>& date,
            bool shared = false);

} // namespace iop::git
