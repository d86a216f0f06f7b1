#include "iop/audit.hpp"

#include "iop/error.hpp"
#include "iop/git.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace iop {

namespace fs = std::filesystem;

namespace {

// A path as a shell reads it: unquoted when safe, else in single quotes.
std::string shell_word(const std::string& s) {
    bool safe = !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || std::strchr("._/-+@%:,=", c) != nullptr;
    });
    return safe ? s : git::shell_quote(s);
}

// "group can read; others can read and write" for the 077 bits of a mode.
std::string who_can(unsigned mode, bool dir) {
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

FileFinding mode_finding(const fs::path& path, const std::string& shown, bool dir,
                         const std::string& what, unsigned mode) {
    Finding f;
    f.severity = Severity::warning;
    f.rule = "permissions";
    f.message =
        fmt::format("{} has mode {:04o}: {}; these are health records, run 'chmod {} {}'", what,
                    mode, who_can(mode, dir), dir ? "700" : "600", shell_word(path.string()));
    return {shown, std::move(f)};
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
    std::optional<unsigned> mode = Store::directory_mode(git_dir);
    if (!mode || (*mode & 077) == 0)
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
    Finding f;
    f.severity = Severity::warning;
    f.rule = "permissions";
    f.message = fmt::format("the git repository has mode {:04o}: {}; it keeps every version of "
                            "the records, run 'chmod -R go-rwx {}' (or, for a repository shared "
                            "on purpose, 'git -C {} config core.sharedRepository group')",
                            *mode, who_can(*mode, true), shell_word(git_dir.string()),
                            shell_word(top->string()));
    out.push_back({inside ? std::string(".git/") : git_dir.string(), std::move(f)});
}

// The record cache in a git work tree that keeps the records' history but
// does not ignore the cache (a directory made before `iop init --git` listed
// it in .gitignore): `git add -A` would commit every record's contents in
// it. Git runs only when the cache exists and git is not turned off.
void git_cache_finding(const Store& store, std::vector<FileFinding>& out) {
    if (git::disabled_by_environment() || !store.cache_exists())
        return;
    if (!git::tracking_work_tree(store.root()) ||
        git::ignores_file(store.root(), cache_file_name))
        return;
    Finding f;
    f.severity = Severity::warning;
    f.rule = "permissions";
    f.message = fmt::format("the record cache is not ignored by git: 'git add' of the records "
                            "directory would commit every record's contents with it; add a line "
                            "'{}' to .gitignore",
                            cache_file_name);
    out.push_back({std::string(cache_file_name), std::move(f)});
}

} // namespace

const std::vector<std::string>& file_rule_ids() {
    static const std::vector<std::string> ids = {"permissions", "stale-temp"};
    return ids;
}

std::vector<FileFinding> permission_findings(const Store& store,
                                             const std::vector<std::string>& ids) {
    std::vector<FileFinding> out;
    bool git_checked = false;
    for (const Store::PathMode& m : store.modes(ids)) {
        // The git directory is reported after the directories, before the records.
        if (!m.dir && !git_checked) {
            git_directory_finding(store, out);
            git_cache_finding(store, out);
            git_checked = true;
        }
        if ((m.mode & 077) == 0)
            continue;
        const char* what = !m.dir ? (m.path.filename() == cache_file_name ? "the record cache"
                                                                          : "the record")
                           : m.path == store.patients_dir() ? "the patients directory"
                                                            : "the records directory";
        out.push_back(mode_finding(m.path, m.shown, m.dir, what, m.mode));
    }
    if (!git_checked) {
        git_directory_finding(store, out);
        git_cache_finding(store, out);
    }
    return out;
}

FileFinding stale_temp_finding(const TempFile& temp) {
    Finding f;
    f.severity = Severity::warning;
    f.rule = "stale-temp";
    f.message = "leftover temporary file of an interrupted write, ignored by iop; remove it "
                "with 'iop check --clean'";
    return {temp.shown, std::move(f)};
}

} // namespace iop
