#include "iop/audit.hpp"

#include "iop/error.hpp"
#include "iop/git.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace iop {

namespace fs = std::filesystem;

namespace {

// A path as a shell reads it: unquoted when safe, else in single quotes.
std::string shell_word(const std::string& s) {
    bool safe = !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || std::strchr("._/-+@%:,=", c) != nullptr;
    });
    if (safe)
        return s;
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// "group can read; others can read and write" for the 077 bits of a mode.
std::string who_can(mode_t mode, bool dir) {
    auto what = [&](unsigned bits) {
        std::vector<std::string> words;
        if (bits & 4)
            words.emplace_back(dir ? "list" : "read");
        if (bits & 2)
            words.emplace_back(dir ? "change" : "write");
        if (bits & 1)
            words.emplace_back(dir ? "enter" : "run");
        std::string out;
        for (std::size_t i = 0; i < words.size(); ++i)
            out += (i == 0 ? "" : i + 1 == words.size() ? " and " : ", ") + words[i];
        return out;
    };
    unsigned group = (mode >> 3) & 7, others = mode & 7;
    if (group == others)
        return fmt::format("group and others can {} it", what(group));
    std::vector<std::string> parts;
    if (group)
        parts.push_back(fmt::format("group can {} it", what(group)));
    if (others)
        parts.push_back(fmt::format("others can {} it", what(others)));
    return parts.size() == 2 ? parts[0] + "; " + parts[1] : parts[0];
}

void check_mode(const fs::path& path, const std::string& shown, bool dir, const std::string& what,
                std::vector<FileFinding>& out) {
    struct stat st {};
    // The records directory may be reached through a link; records never are.
    int rc = dir ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
    if (rc != 0 || (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)))
        return; // missing or not a regular file: reported elsewhere, or not ours
    mode_t mode = st.st_mode & 07777;
    if ((mode & 077) == 0)
        return;
    Finding f;
    f.severity = Severity::warning;
    f.rule = "permissions";
    f.message = fmt::format("{} has mode {:04o}: {}; these are health records, run 'chmod {} {}'",
                            what, static_cast<unsigned>(mode), who_can(mode, dir),
                            dir ? "700" : "600", shell_word(path.string()));
    out.push_back({shown, std::move(f)});
}

// The git directory of the repository the records are committed to (in
// the records directory, or the enclosing repository's): it holds every
// version of every record. Git runs only when its mode is loose (and git
// is not turned off), to see whether it is shared on purpose
// (core.sharedRepository) or ignores the records.
void git_directory_finding(const Store& store, std::vector<FileFinding>& out) {
    auto top = git::find_work_tree(store.root());
    if (!top)
        return;
    fs::path git_dir = *top / ".git";
    struct stat st {};
    if (::lstat(git_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || (st.st_mode & 077) == 0)
        return;
    // With IOP_NO_GIT iop never runs git: the mode alone decides then.
    if (!git::disabled_by_environment())
        try {
            if (git::repository(*top).shared || git::ignores(*top, store.root()))
                return;
        } catch (const IoError&) {
            // git cannot run: the mode alone decides
        }
    std::error_code ec;
    bool inside = fs::equivalent(*top, store.root(), ec);
    mode_t mode = st.st_mode & 07777;
    Finding f;
    f.severity = Severity::warning;
    f.rule = "permissions";
    f.message = fmt::format("the git repository has mode {:04o}: {}; it keeps every version of "
                            "the records, run 'chmod -R go-rwx {}' (or, for a repository shared "
                            "on purpose, 'git -C {} config core.sharedRepository group')",
                            static_cast<unsigned>(mode), who_can(mode, true),
                            shell_word(git_dir.string()), shell_word(top->string()));
    out.push_back({inside ? std::string(".git/") : git_dir.string(), std::move(f)});
}

} // namespace

const std::vector<std::string>& file_rule_ids() {
    static const std::vector<std::string> ids = {"permissions", "stale-temp"};
    return ids;
}

std::vector<FileFinding> permission_findings(const Store& store,
                                             const std::vector<std::string>& ids) {
    std::vector<FileFinding> out;
    check_mode(store.root(), store.root().string(), true, "the records directory", out);
    check_mode(store.patients_dir(), "patients/", true, "the patients directory", out);
    git_directory_finding(store, out);
    for (const auto& id : ids)
        check_mode(store.record_path(id), Store::shown_path(id), false, "the record", out);
    return out;
}

bool temp_file_exists(const TempFile& temp) {
    struct stat st {};
    return ::lstat(temp.path.c_str(), &st) == 0;
}

bool writer_active(const Store& store) {
    fs::path path = store.root() / ".iop.lock";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return false; // no lock file: no writer has started here
    // A shared lock, held only for this probe, cannot be granted while a
    // writer holds the exclusive one.
    bool busy = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return busy;
}

FileFinding stale_temp_finding(const TempFile& temp) {
    Finding f;
    f.severity = Severity::warning;
    f.rule = "stale-temp";
    f.message = "leftover temporary file of an interrupted write, ignored by iop; remove it "
                "with 'iop check --clean'";
    return {temp.shown, std::move(f)};
}

void remove_temp_file(const TempFile& temp) {
    if (::unlink(temp.path.c_str()) != 0 && errno != ENOENT)
        throw IoError(fmt::format("cannot remove {}: {}", temp.shown, std::strerror(errno)));
}

} // namespace iop
