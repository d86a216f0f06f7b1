#include "commands/common.hpp"

#include "iop/git.hpp"

#include <fmt/format.h>

#include <climits>

#include <unistd.h>

namespace iop {

namespace {

struct InitOptions {
    std::optional<std::string> dir;
    bool git = false;
};

// This program, as git's merge driver will run it: its absolute path when the
// system says where it is, else "iop" from PATH.
std::string this_program() {
    char buf[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("iop");
}

int init(const InitOptions& opts, Context& ctx) {
    std::filesystem::path dir = opts.dir         ? *opts.dir
                                : ctx.dir_option ? *ctx.dir_option
                                : ctx.env_dir    ? std::string(ctx.env_dir)
                                                 : ctx.cwd.string();
    if (dir.empty())
        throw UsageError("no directory given");
    if (opts.git)
        if (auto off = git::disabled_by_environment())
            throw UsageError(fmt::format("--git asks for git, but {} turns it off; unset "
                                         "IOP_NO_GIT to use --git",
                                         *off));
    // A directory inside another repository commits into it: not into one
    // open to other users (docs/git.md, "Keep the repository private").
    if (!git::disabled_by_environment())
        if (auto top = git::tracking_work_tree(dir)) {
            std::optional<std::string> why;
            try {
                why = git::exposure(git::repository(*top));
            } catch (const IoError&) {
                // git cannot run: the commit says so, after the write.
            }
            if (why)
                throw IoError(*why);
        }
    std::vector<std::string> written = Store::init(dir, opts.git);
    confirm(ctx, fmt::format("initialized records directory {} (edit {} to match your program)",
                             dir.string(), (dir / program_file_name).string()));
    if (opts.git)
        git::prepare_repository(dir, this_program());
    // init has no store before it runs, so it commits its own files; every
    // other writing command's commit is made in cli::run.
    Store store(dir);
    store.note_written(written);
    store.describe_change(init_subject());
    store.commit_history(std::nullopt);
    return exit_ok;
}

} // namespace

CommandSpec init_command() {
    return {"init",
            "Records",
            "Create a records directory with the default program",
            Access::none,
            {Format::text},
            "iop init --git ~/clinic",
            [](Args& app) -> Runner {
                auto opts = std::make_shared<InitOptions>();
                app.add_option("dir", opts->dir,
                               "Directory to create (default: --dir, $IOP_DIR or the current one)")
                    ->type_name("DIR");
                app.add_flag("--git", opts->git,
                             "Also make it a git repository (git init if needed): every write is "
                             "then one commit (docs/git.md)");
                return [opts](Context& ctx) { return init(*opts, ctx); };
            }};
}

} // namespace iop
