// `iop __merge-journal BASE OURS THEIRS [PATH]`: git's merge driver for
// patient files (docs/git.md), registered by `iop init --git` and named by
// .gitattributes. Hidden from help: git runs it, people don't.
//
// When both sides only appended to the common base (every iop write does),
// the result is ours followed by what theirs appended: every entry of both
// sites, each block whole. Git's built-in union driver cannot do this: it
// merges line by line and interleaves the keys of two entries appended at
// the same place into one broken table. Anything else (a hand edit of what
// was already there) gets git's own three-way merge, with conflict markers
// where both sides changed the same lines, and exit 1 so git stops the merge:
// never a silent merge of two different headers.
#include "commands/common.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct MergeOptions {
    std::string base, ours, theirs;
    std::optional<std::string> path;
};

int merge_journal(const MergeOptions& o, Context& ctx) {
    std::string shown = o.path ? *o.path : o.ours;
    std::string base = read_file(o.base, shown + " (base)");
    std::string ours = read_file(o.ours, shown + " (ours)");
    std::string theirs = read_file(o.theirs, shown + " (theirs)");
    if (auto merged = git::merge_appends(base, ours, theirs)) {
        Transaction tx;
        // git names the files relative to the top of the work tree.
        tx.stage(std::filesystem::absolute(o.ours), *merged, shown);
        tx.commit();
        return exit_ok;
    }
    git::RunResult r = git::run(git::merge_file_invocation(o.ours, o.base, o.theirs));
    if (r.status == 0)
        return exit_ok;
    *ctx.err << fmt::format("iop: {}: both sides changed what was already in the file (not only "
                            "appended); resolve the conflict by hand, then run 'iop check'\n",
                            shown);
    return exit_refused;
}

} // namespace

CommandSpec merge_journal_command() {
    return {"__merge-journal",
            "",
            "git merge driver for patient files",
            Access::none,
            {Format::text},
            "",
            [](CLI::App& app) -> Runner {
                auto o = std::make_shared<MergeOptions>();
                app.add_option("base", o->base)->required();
                app.add_option("ours", o->ours)->required();
                app.add_option("theirs", o->theirs)->required();
                app.add_option("path", o->path);
                return [o](Context& ctx) { return merge_journal(*o, ctx); };
            }};
}

} // namespace iop
