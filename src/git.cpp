#include "iop/git.hpp"

#include "iop/date.hpp"
#include "iop/error.hpp"
#include "iop/text.hpp"
#include "toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <variant>

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

// ---------------------------------------------------------------- messages

namespace {

template <class... Ts> struct overloaded : Ts... { using Ts::operator()...; };
template <class... Ts> overloaded(Ts...) -> overloaded<Ts...>;

std::string plan_keys(const PlanChange& c) {
    std::vector<std::string> parts;
    if (c.weeks)
        parts.push_back(fmt::format("weeks {}", *c.weeks));
    if (c.groups_per_week)
        parts.push_back(fmt::format("groups_per_week {}", *c.groups_per_week));
    if (c.individual_per_week)
        parts.push_back(fmt::format("individual_per_week {}", *c.individual_per_week));
    if (c.family_per_week)
        parts.push_back(fmt::format("family_per_week {}", *c.family_per_week));
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : ", ") + p;
    return out;
}

} // namespace

std::string entry_subject(std::string_view id, const Entry& entry) {
    std::string day = format_date(meta(entry).date);
    // A topic or reason from a hand-edited program.toml is shown escaped.
    return escaped(std::visit(
        overloaded{
            [&](const Session& s) {
                std::string out = fmt::format("attend {}: {}", id, to_string(s.kind));
                if (!s.topic.empty())
                    out += fmt::format(", {}", s.topic);
                out += ", " + day;
                if (s.status != SessionStatus::attended)
                    out += fmt::format(", {}", to_string(s.status));
                return out;
            },
            [&](const Screen& s) {
                return fmt::format("screen {}: {}, {}", id, to_string(s.result), day);
            },
            [&](const Medication& m) {
                // No drug name: a log is shown more widely than a record.
                return fmt::format("med {}: {}, {}", id, to_string(m.action), day);
            },
            [&](const Event& e) {
                switch (e.type) {
                case EventType::plan_change:
                    return fmt::format("plan {}: change ({}), {}", id, plan_keys(e.plan), day);
                case EventType::plan_review:
                    return fmt::format("plan {}: review, {}", id, day);
                case EventType::aftercare:
                    return fmt::format("aftercare {}: {}", id, day);
                case EventType::graduated:
                    return fmt::format("graduate {}: {}{}", id, e.forced ? "forced, " : "", day);
                case EventType::discharged:
                    return fmt::format("discharge {}: {}, {}", id, e.reason, day);
                case EventType::note:
                    break;
                }
                return fmt::format("note {}: {}", id, day);
            },
        },
        entry));
}

std::string enroll_subject(const Header& h) {
    return fmt::format("enroll {}: from {}, {} weeks", h.id, format_date(h.enrolled), h.plan.weeks);
}

std::string import_subject(std::string_view file, std::string_view summary) {
    std::string shown = file == "-" ? "stdin" : fs::path(file).filename().string();
    if (shown.empty())
        shown = std::string(file);
    // A file name is anyone's text: "a\x1b[31m.csv" goes in escaped.
    return fmt::format("import {}: {}", escaped(shown), summary);
}

std::string init_subject() {
    return "init: records directory with the default program";
}

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

namespace {

// One entry of a patient file: its block (trailing whitespace removed), the
// line it starts on, and its recorded_at as an instant, when it has one.
struct Block {
    std::string text;
    std::size_t line = 0;
    std::optional<std::pair<long long, long long>> at; // UTC seconds, nanoseconds
};

struct Journal {
    std::string header; // trailing whitespace removed
    std::vector<Block> entries;
};

std::string_view trimmed(std::string_view s) {
    while (!s.empty() &&
           (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

std::optional<std::pair<long long, long long>> instant(const toml::date_time& dt) {
    using namespace std::chrono;
    auto days = sys_days{year{dt.date.year} / month{dt.date.month} / day{dt.date.day}};
    long long secs = days.time_since_epoch().count() * 86400LL + dt.time.hour * 3600LL +
                     dt.time.minute * 60LL + dt.time.second;
    if (dt.offset)
        secs -= dt.offset->minutes * 60LL;
    return std::pair{secs, static_cast<long long>(dt.time.nanosecond)};
}

// Splits `text`; `side` ("base", "ours", "theirs") names it in the reason
// when an entry cannot be read on its own.
std::variant<Journal, std::string> split_journal(std::string_view text, std::string_view side) {
    Journal j;
    std::vector<std::pair<std::size_t, std::size_t>> starts; // offset, line
    std::size_t line = 1;
    for (std::size_t pos = 0; pos < text.size();) {
        if (text.compare(pos, 2, "[[") == 0)
            starts.emplace_back(pos, line);
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos)
            break;
        pos = nl + 1;
        ++line;
    }
    j.header = trimmed(text.substr(0, starts.empty() ? text.size() : starts.front().first));
    for (std::size_t i = 0; i < starts.size(); ++i) {
        std::size_t from = starts[i].first;
        std::size_t to = i + 1 < starts.size() ? starts[i + 1].first : text.size();
        Block b{std::string(trimmed(text.substr(from, to - from))), starts[i].second, {}};
        try {
            toml::table t = parse_toml(b.text, std::string(side));
            const toml::table* entry = nullptr;
            if (t.size() == 1)
                if (const toml::array* arr = t.cbegin()->second.as_array(); arr && arr->size() == 1)
                    entry = arr->front().as_table();
            if (!entry)
                return fmt::format("the entry at line {} of {} is not one [[...]] table", b.line,
                                   side);
            if (const auto* at = entry->get("recorded_at"); at && at->as_date_time())
                b.at = instant(at->as_date_time()->get());
        } catch (const DataError&) {
            return fmt::format("the entry at line {} of {} cannot be read on its own", b.line,
                               side);
        }
        j.entries.push_back(std::move(b));
    }
    return j;
}

// Why `side`'s entries do not start with base's, if they do not.
std::optional<std::string> changed_base(const Journal& base, const Journal& side,
                                        std::string_view name) {
    for (std::size_t i = 0; i < base.entries.size(); ++i) {
        if (i >= side.entries.size())
            return fmt::format("{} removed the entry at line {} of base, which both sides had",
                               name, base.entries[i].line);
        if (side.entries[i].text != base.entries[i].text)
            return fmt::format("the entry at line {} of {} changed an entry both sides had (line "
                               "{} of base)",
                               side.entries[i].line, name, base.entries[i].line);
    }
    return std::nullopt;
}

bool before(const Block& a, const Block& b) {
    if (a.at != b.at)
        return a.at < b.at;
    return a.text < b.text;
}

} // namespace

JournalMerge merge_appends(std::string_view base_text, std::string_view ours_text,
                           std::string_view theirs_text, const std::string& file) {
    if (ours_text == theirs_text)
        return {std::string(ours_text), {}};
    auto b = split_journal(base_text, "base");
    auto o = split_journal(ours_text, "ours");
    auto t = split_journal(theirs_text, "theirs");
    for (const auto* side : {&b, &o, &t})
        if (const auto* why = std::get_if<std::string>(side))
            return {{}, *why};
    const Journal& base = std::get<Journal>(b);
    const Journal& ours = std::get<Journal>(o);
    const Journal& theirs = std::get<Journal>(t);
    if (auto why = changed_base(base, ours, "ours"))
        return {{}, *why};
    if (auto why = changed_base(base, theirs, "theirs"))
        return {{}, *why};
    bool ours_header = ours.header != base.header;
    bool theirs_header = theirs.header != base.header;
    if (ours_header && theirs_header && ours.header != theirs.header)
        return {{},
                "both sides changed the header (the text before the first entry), each "
                "differently"};

    // The new entries of both sides: the k-th copy of an entry on one side
    // is the k-th copy on the other (a multiset), each side's order is a
    // chain of constraints, and the entries are taken in an order that
    // keeps both, the earliest by (recorded_at, text) first whenever there
    // is a choice. Nothing here depends on which side is ours.
    struct Node {
        const Block* block;
        std::size_t copy;
        std::vector<std::size_t> next;
        std::size_t waiting = 0;
    };
    std::vector<Node> nodes;
    std::map<std::pair<std::string_view, std::size_t>, std::size_t> index;
    for (const Journal* side : {&ours, &theirs}) {
        std::map<std::string_view, std::size_t> seen;
        std::optional<std::size_t> prev;
        for (std::size_t x = base.entries.size(); x < side->entries.size(); ++x) {
            const Block& e = side->entries[x];
            std::size_t copy = ++seen[e.text];
            auto [it, fresh] = index.try_emplace({e.text, copy}, nodes.size());
            if (fresh)
                nodes.push_back({&e, copy, {}, 0});
            if (prev) {
                nodes[*prev].next.push_back(it->second);
                ++nodes[it->second].waiting;
            }
            prev = it->second;
        }
    }
    auto earlier = [&](std::size_t a, std::size_t b) {
        const Node& x = nodes[a];
        const Node& y = nodes[b];
        if (before(*x.block, *y.block) || before(*y.block, *x.block))
            return before(*x.block, *y.block);
        return x.copy < y.copy;
    };
    std::set<std::size_t, decltype(earlier)> ready(earlier);
    for (std::size_t x = 0; x < nodes.size(); ++x)
        if (nodes[x].waiting == 0)
            ready.insert(x);
    std::vector<const Block*> merged;
    while (!ready.empty()) {
        std::size_t x = *ready.begin();
        ready.erase(ready.begin());
        merged.push_back(nodes[x].block);
        for (std::size_t y : nodes[x].next)
            if (--nodes[y].waiting == 0)
                ready.insert(y);
    }
    if (merged.size() != nodes.size())
        return {{}, "entries that both sides appended stand in a different order on each side"};

    std::string out(theirs_header ? theirs.header : ours.header);
    out += '\n';
    auto put = [&](const std::string& block) {
        out += '\n';
        out += block;
        out += '\n';
    };
    for (const auto& e : base.entries)
        put(e.text);
    for (const Block* e : merged)
        put(e->text);
    try {
        (void)parse_record(out, file);
    } catch (const Error& e) {
        return {{}, fmt::format("the merged record would not load: {}", e.what())};
    }
    return {out, {}};
}

std::string gitattributes_text() {
    return fmt::format("# iop: patient files only grow at the end; their merge keeps the entries "
                       "both sides\n# appended (docs/git.md). Each clone registers the driver "
                       "once:\n#   git config merge.{0}.driver 'iop __merge-journal %O %A %B %P'\n"
                       "patients/*.toml merge={0}\n",
                       merge_driver_name);
}

std::string gitignore_text() {
    return "# iop: the writers' lock and temporary files of writes in progress\n"
           ".iop.lock\n"
           ".*.tmp-*\n";
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
