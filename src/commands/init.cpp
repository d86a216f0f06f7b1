#include "commands/common.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct InitOptions {
    std::optional<std::string> dir;
};

int init(const InitOptions& opts, Context& ctx) {
    std::filesystem::path dir = opts.dir     ? *opts.dir
                                : ctx.dir_option ? *ctx.dir_option
                                : ctx.env_dir    ? std::string(ctx.env_dir)
                                                 : ctx.cwd.string();
    if (dir.empty())
        throw UsageError("no directory given");
    Store::init(dir);
    confirm(ctx, fmt::format("initialized records directory {} (edit {} to match your program)",
                             dir.string(), (dir / "program.toml").string()));
    return exit_ok;
}

} // namespace

CommandSpec init_command() {
    return {"init", "Records", "Create a records directory with the default program",
            Access::none, {Format::text}, "iop init ~/clinic",
            [](CLI::App& app) -> Runner {
                auto opts = std::make_shared<InitOptions>();
                app.add_option("dir", opts->dir,
                               "Directory to create (default: --dir, $IOP_DIR or the current one)")
                    ->type_name("DIR");
                return [opts](Context& ctx) { return init(*opts, ctx); };
            }};
}

} // namespace iop
