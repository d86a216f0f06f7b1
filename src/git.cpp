#include "iop/git.hpp"

#include "iop/error.hpp"
#include "iop/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace iop::git {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- invocations

const std::vector<std::string>& scrubbed_variables() {
    static const std::vector<std::string> names = {
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_OBJECT_DIRECTORY",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_GRAFT_FILE",
        "GIT_INDEX_FILE",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_REPLACE_REF_BASE",
        "GIT_PREFIX",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_SHALLOW_FILE",
        "GIT_COMMON_DIR",
    };
    return names;
}

std::vector<std::string>
child_environment(const std::vector<std::string>& environ_entries,
                  const std::vector<std::pair<std::string, std::string>>& inv_env) {
    const auto& scrubbed = scrubbed_variables();
    std::vector<std::string> out;
    for (const auto& entry : environ_entries) {
        std::string name = entry.substr(0, entry.find('='));
        bool drop = std::find(scrubbed.begin(), scrubbed.end(), name) != scrubbed.end() ||
                    std::any_of(inv_env.begin(), inv_env.end(),
                                [&](const auto& kv) { return kv.first == name; });
        if (!drop)
            out.push_back(entry);
    }
    for (const auto& [name, value] : inv_env)
        out.push_back(name + "=" + value);
    return out;
}

namespace {

// Options every invocation starts with: the directory, and settings that
// keep git's output plain whatever the user's configuration says.
std::vector<std::string> base_args(const fs::path& dir) {
    return {"git", "-C", dir.string(), "-c", "core.quotepath=off", "-c", "color.ui=never"};
}

// No prompt for credentials or an editor: iop runs unattended (cron, scripts).
std::vector<std::pair<std::string, std::string>> base_env() {
    return {{"GIT_TERMINAL_PROMPT", "0"}, {"GIT_EDITOR", "true"}};
}

} // namespace

Invocation add_invocation(const fs::path& dir, const std::vector<std::string>& files) {
    Invocation inv{base_args(dir), base_env()};
    inv.argv.insert(inv.argv.end(), {"add", "--"});
    inv.argv.insert(inv.argv.end(), files.begin(), files.end());
    return inv;
}

Invocation commit_invocation(const fs::path& dir, const std::vector<std::string>& files,
                             const std::string& message, const std::optional<std::string>& author,
                             const std::optional<std::string>& date) {
    Invocation inv{base_args(dir), base_env()};
    inv.argv.insert(inv.argv.end(),
                    {"commit", "--quiet", "--no-status", "--only", "--message", message, "--"});
    inv.argv.insert(inv.argv.end(), files.begin(), files.end());
    if (author) {
        inv.env.emplace_back("GIT_AUTHOR_NAME", *author);
        inv.env.emplace_back("GIT_AUTHOR_EMAIL", "");
    }
    if (date && !date->empty())
        inv.env.emplace_back("GIT_AUTHOR_DATE", *date);
    return inv;
}

Invocation merge_file_invocation(const std::string& ours, const std::string& base,
                                 const std::string& theirs) {
    return {
        {"git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs", "--", ours, base, theirs},
        base_env()};
}

Invocation init_invocation(const fs::path& dir) {
    Invocation inv{base_args(dir), base_env()};
    inv.argv.insert(inv.argv.end(), {"init", "--quiet"});
    return inv;
}

Invocation log_invocation(const fs::path& dir, const std::optional<std::string>& path) {
    Invocation inv{base_args(dir), base_env()};
    inv.argv.insert(inv.argv.end(), {"-c", "log.showSignature=false", "log", "--no-color",
                                     "--format=%H%x1f%aI%x1f%an%x1f%ae%x1f%s%x1e", "--",
                                     path ? *path : std::string(".")});
    return inv;
}

std::vector<Invocation> merge_driver_invocations(const fs::path& dir,
                                                 const std::string& iop_program) {
    std::string key = fmt::format("merge.{}.", merge_driver_name);
    std::vector<Invocation> out;
    auto config = [&](const std::string& name, const std::string& value) {
        Invocation inv{base_args(dir), base_env()};
        inv.argv.insert(inv.argv.end(), {"config", "--local", key + name, value});
        out.push_back(std::move(inv));
    };
    config("name", "iop patient journals: keep the entries both sides appended");
    config("driver", shell_quote(iop_program) + " __merge-journal %O %A %B %P");
    return out;
}

std::vector<LogEntry> parse_log(std::string_view out) {
    std::vector<LogEntry> entries;
    std::size_t start = 0;
    while (start < out.size()) {
        std::size_t end = out.find('\x1e', start);
        if (end == std::string_view::npos)
            end = out.size();
        std::string_view rec = out.substr(start, end - start);
        start = end + 1;
        while (!rec.empty() && (rec.front() == '\n' || rec.front() == '\r'))
            rec.remove_prefix(1);
        if (rec.empty())
            continue;
        std::vector<std::string> fields;
        std::size_t f = 0;
        while (true) {
            std::size_t sep = rec.find('\x1f', f);
            fields.emplace_back(rec.substr(f, sep == std::string_view::npos ? sep : sep - f));
            if (sep == std::string_view::npos)
                break;
            f = sep + 1;
        }
        fields.resize(5);
        entries.push_back({fields[0], fields[1], fields[2], fields[3], fields[4]});
    }
    return entries;
}

std::string gitattributes_text() {
    return fmt::format("# iop: patient files and closures.toml only grow at the end; their "
                       "merge keeps the\n# entries both sides appended (docs/git.md). Each clone "
                       "registers the driver\n# once:\n#   git config merge.{0}.driver 'iop "
                       "__merge-journal %O %A %B %P'\npatients/*.toml merge={0}\n"
                       "/closures.toml merge={0}\n",
                       merge_driver_name);
}

std::string shell_quote(std::string_view word) {
    std::string out = "'";
    for (char c : word) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// ---------------------------------------------------------------- running git

namespace {

void drain(int fd, std::string& into, bool& open) {
    char buf[8192];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0)
        into.append(buf, static_cast<std::size_t>(n));
    else if (n == 0 || (errno != EINTR && errno != EAGAIN))
        open = false;
}

} // namespace

RunResult run(const Invocation& inv) {
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0)
        throw IoError(fmt::format("cannot run git: {}", std::strerror(errno)));
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        int err = errno;
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        throw IoError(fmt::format("cannot run git: {}", std::strerror(err)));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);

    std::vector<std::string> env_entries;
    for (char** e = environ; e && *e; ++e)
        env_entries.emplace_back(*e);
    std::vector<std::string> child_env = child_environment(env_entries, inv.env);
    std::vector<char*> argv, envp;
    for (const auto& a : inv.argv)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : child_env)
        envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    // Its own process group, so that a timeout stops a hook's children too.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    // What git creates (objects, the index) is private unless the repository
    // is shared on purpose. posix_spawn has no umask of its own: set it
    // around the spawn (git runs after the command's work, on its only
    // thread; and a file made meanwhile would only be more private).
    mode_t old_mask = ::umask(077);
    if (inv.shared)
        ::umask(old_mask);
    pid_t pid = 0;
    int rc = ::posix_spawnp(&pid, "git", &actions, &attr, argv.data(), envp.data());
    ::umask(old_mask);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (rc != 0) {
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        if (rc == ENOENT)
            throw IoError("git is not installed (no 'git' on PATH); install it, or turn iop's "
                          "use of git off with IOP_NO_GIT=1 or [storage] git = false");
        throw IoError(fmt::format("cannot run git: {}", std::strerror(rc)));
    }

    RunResult result;
    using clock = std::chrono::steady_clock;
    auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(
                                       std::chrono::duration<double>(timeout_seconds()));
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
        pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
        pollfd* first = out_open ? &fds[0] : &fds[1];
        nfds_t count = (out_open && err_open) ? 2 : 1;
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
        if (left <= 0) {
            // Hung (a hook waiting for input, a network file system): stop
            // git and everything it started, so the writers' lock is freed.
            ::kill(-pid, SIGKILL);
            result.timed_out = true;
            break;
        }
        if (::poll(first, count, static_cast<int>(std::min<long long>(left, 60'000))) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (nfds_t i = 0; i < count; ++i) {
            if (!(first[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (first[i].fd == out_pipe[0])
                drain(out_pipe[0], result.out, out_open);
            else
                drain(err_pipe[0], result.err, err_open);
        }
    }
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (result.timed_out)
        result.status = 124;
    return result;
}

std::optional<fs::path> find_work_tree(const fs::path& dir) {
    std::error_code ec;
    fs::path p = fs::absolute(dir, ec);
    if (ec)
        p = dir;
    for (;; p = p.parent_path()) {
        struct stat st {};
        if (::lstat((p / ".git").c_str(), &st) == 0)
            return p;
        if (p == p.root_path() || p.parent_path() == p)
            return std::nullopt;
    }
}

bool ignores(const fs::path& top, const fs::path& dir) {
    std::error_code ec;
    if (fs::equivalent(top, dir, ec))
        return false;
    Invocation inv{base_args(dir), base_env()};
    inv.argv.insert(inv.argv.end(), {"check-ignore", "--quiet", "."});
    try {
        return run(inv).status == 0;
    } catch (const IoError&) {
        return false;
    }
}

bool ignores_file(const fs::path& dir, std::string_view name) {
    Invocation inv{base_args(dir), base_env()};
    inv.argv.insert(inv.argv.end(), {"check-ignore", "--quiet", "--", std::string(name)});
    try {
        return run(inv).status == 0;
    } catch (const IoError&) {
        return false;
    }
}

std::optional<fs::path> tracking_work_tree(const fs::path& dir) {
    auto top = find_work_tree(dir);
    if (top && ignores(*top, dir))
        return std::nullopt;
    return top;
}

std::optional<std::string> disabled_by_environment() {
    const char* v = std::getenv("IOP_NO_GIT");
    if (!v || !*v || std::string_view(v) == "0")
        return std::nullopt;
    return fmt::format("IOP_NO_GIT={}", v);
}

double timeout_seconds() {
    const char* v = std::getenv("IOP_GIT_TIMEOUT");
    if (!v || !*v)
        return default_timeout_seconds;
    auto seconds = parse_plain_decimal(v, 3);
    if (!seconds || !(*seconds > 0 && *seconds <= 86400))
        throw UsageError(fmt::format("IOP_GIT_TIMEOUT: '{}' is not a number of seconds from "
                                     "more than 0 to 86400 (e.g. 60)",
                                     excerpt(v)));
    return *seconds;
}

std::optional<std::string> author_from_environment() {
    const char* v = std::getenv("IOP_USER");
    if (!v || !*v)
        return std::nullopt;
    return std::string(v);
}

namespace {

// The lines of git's complaint worth quoting: no hints, at most a few lines.
std::string complaint(const RunResult& r) {
    std::string text = r.err + (r.err.empty() || r.err.back() == '\n' ? "" : "\n") + r.out;
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size() && lines.size() < 4) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(start, end - start);
        start = end + 1;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (line.empty() || line.starts_with("hint:") || line.starts_with("***") ||
            line.starts_with("  git config") || line.starts_with("Run") ||
            line.starts_with("to set your") || line.starts_with("Omit --global"))
            continue;
        lines.push_back(line);
    }
    std::string out;
    for (const auto& l : lines)
        out += (out.empty() ? "" : "; ") + l;
    if (out.empty())
        out = fmt::format("git exited with status {}", r.status);
    return out;
}

} // namespace

void prepare_repository(const fs::path& dir, const std::string& iop_program) {
    std::vector<Invocation> steps;
    if (!tracking_work_tree(dir))
        steps.push_back(init_invocation(dir));
    for (auto& inv : merge_driver_invocations(dir, iop_program))
        steps.push_back(std::move(inv));
    for (const auto& inv : steps) {
        RunResult r;
        try {
            r = run(inv);
        } catch (const IoError& e) {
            throw IoError(fmt::format("the records directory {} was created, but not as a git "
                                      "repository: {}",
                                      dir.string(), e.what()));
        }
        if (r.status != 0)
            throw IoError(fmt::format("the records directory {} was created, but git {} failed: {}",
                                      dir.string(), inv.argv[base_args(dir).size()], complaint(r)));
    }
}

Repository repository(const fs::path& dir) {
    auto ask = [&](std::vector<std::string> args) {
        Invocation inv{base_args(dir), base_env()};
        inv.argv.insert(inv.argv.end(), args.begin(), args.end());
        return run(inv);
    };
    RunResult where = ask({"rev-parse", "--absolute-git-dir"});
    if (where.status != 0)
        throw IoError(
            fmt::format("git cannot use the repository of {}: {}", dir.string(),
                        where.timed_out ? "git rev-parse did not finish" : complaint(where)));
    std::string git_dir = where.out.substr(0, where.out.find('\n'));
    // Exit 1: not set. A value of "false", "umask" or "0" is no sharing either.
    RunResult shared = ask({"config", "--get", "core.sharedRepository"});
    std::string value = shared.out.substr(0, shared.out.find('\n'));
    bool on = shared.status == 0 && !value.empty() && value != "false" && value != "umask" &&
              value != "0" && value != "no" && value != "off";
    return {git_dir, on};
}

std::optional<std::string> exposure(const Repository& repo) {
    struct stat st {};
    if (repo.shared || ::stat(repo.git_dir.c_str(), &st) != 0 || (st.st_mode & 077) == 0)
        return std::nullopt;
    return fmt::format("the git repository {0} that would keep the records is open to other "
                       "users (mode {1:04o}), and its objects would be too; nothing was written. "
                       "Make it private with chmod -R go-rwx {2}, or, for a repository shared on "
                       "purpose, git -C {2} config core.sharedRepository group",
                       escaped(repo.git_dir.string()), st.st_mode & 07777,
                       shell_quote(repo.git_dir.string()));
}

void commit(const fs::path& dir, const std::vector<std::string>& files, const std::string& message,
            const std::optional<std::string>& date, bool shared) {
    if (files.empty())
        return;
    bool one = files.size() == 1;
    std::string written = one ? fmt::format("{} was written and is safe", files.front())
                              : fmt::format("{} files were written and are safe", files.size());
    auto fail = [&](const std::string& why) {
        // Name the files; an import's thousands are all in patients/.
        bool many_patients = files.size() > 8 && std::all_of(files.begin(), files.end(),
                                                             [](const std::string& f) {
                                                                 return f.starts_with("patients/");
                                                             });
        std::string quoted;
        for (const auto& f : many_patients ? std::vector<std::string>{"patients"} : files)
            quoted += " " + shell_quote(f);
        throw IoError(fmt::format("{}, but git could not commit {}: {}; once that is fixed, "
                                  "commit {} by hand: git -C {} commit -m '...' --{}",
                                  written, one ? "it" : "them", why, one ? "it" : "them",
                                  shell_quote(dir.string()), quoted));
    };
    RunResult add;
    RunResult done;
    try {
        Invocation adding = add_invocation(dir, files);
        adding.shared = shared;
        add = run(adding);
        if (add.status == 0) {
            Invocation committing =
                commit_invocation(dir, files, message, author_from_environment(), date);
            committing.shared = shared;
            done = run(committing);
        }
    } catch (const IoError& e) {
        fail(e.what());
    }
    const RunResult& failed = add.status != 0 ? add : done;
    if (failed.status == 0)
        return;
    std::string why = complaint(failed);
    if (failed.timed_out)
        why = fmt::format("git {} did not finish within {} seconds and was stopped (a hook that "
                          "waits? IOP_GIT_TIMEOUT sets the limit)",
                          add.status != 0 ? "add" : "commit", timeout_seconds());
    if (failed.err.find("Please tell me who you are") != std::string::npos ||
        failed.err.find("unable to auto-detect email") != std::string::npos)
        why = fmt::format("no git identity is configured (set one with git -C {0} config "
                          "user.name NAME and git -C {0} config user.email EMAIL)",
                          shell_quote(dir.string()));
    fail(why);
}

} // namespace iop::git
