// `iop __merge-journal BASE OURS THEIRS [PATH]`: git's merge driver for
// patient files and closures.toml (docs/git.md), registered by `iop init --git` and named by
// .gitattributes. Hidden from help: git runs it, people don't.
//
// It merges entries, not bytes (merge_appends, journal_merge.hpp): base's entries stay
// as they were, then the entries either side appended, an entry that
// reached both sides (a cherry-pick) once. Anything else (an entry edited,
// removed or reordered, both sides changing the header, a text it cannot
// split or a result that would not load) is a conflict: git's own three-way
// merge is written into OURS (with conflict markers where they apply), one
// line says why, and exit 1 makes git stop the merge, even when that
// three-way merge was clean. Never a guess.
#include "commands/common.hpp"
#include "iop/journal_merge.hpp"
#include "iop/text.hpp"

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
    // closures.toml merges like a patient file, and must load as closures.
    const JournalFile kind = std::filesystem::path(shown).filename() == closures_file_name
                                 ? JournalFile::closures
                                 : JournalFile::record;
    JournalMerge merged = merge_appends(base, ours, theirs, shown + " (merged)", kind);
    if (merged.clean()) {
        Transaction tx;
        // git names the files relative to the top of the work tree.
        tx.stage(std::filesystem::absolute(o.ours), merged.text, shown);
        tx.commit();
        return exit_ok;
    }
    git::run(git::merge_file_invocation(o.ours, o.base, o.theirs));
    *ctx.err << fmt::format("iop: {}: {}; resolve the conflict by hand, then run 'iop check'\n",
                            escaped(shown), merged.conflict);
    return exit_refused;
}

} // namespace

CommandSpec merge_journal_command() {
    return {"__merge-journal",
            "",
            "git merge driver for patient files and closures.toml",
            Access::none,
            {Format::text},
            "",
            [](Args& app) -> Runner {
                auto o = std::make_shared<MergeOptions>();
                app.add_option("base", o->base)->required();
                app.add_option("ours", o->ours)->required();
                app.add_option("theirs", o->theirs)->required();
                app.add_option("path", o->path);
                return [o](Context& ctx) { return merge_journal(*o, ctx); };
            }};
}

} // namespace iop
