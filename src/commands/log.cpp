// `iop log [ID]`: the history git keeps of one patient's file, or of the
// whole records directory (docs/git.md).
#include "commands/common.hpp"
#include "iop/text.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct LogOptions {
    std::optional<std::string> id;
};

// "2026-11-03T17:02:11+00:00" -> "2026-11-03 17:02", in the author's own offset.
std::string shown_date(const std::string& iso) {
    if (iso.size() < 16)
        return iso;
    return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

int log(const LogOptions& o, Context& ctx) {
    if (o.id)
        require_valid_id(*o.id);
    Store& store = ctx.store();
    std::vector<git::LogEntry> entries = store.history(o.id);
    if (ctx.format == Format::json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& e : entries)
            out.push_back({{"commit", e.commit},
                           {"date", e.date},
                           {"author", escaped(e.author)},
                           {"email", escaped(e.email)},
                           {"message", escaped(e.subject)}});
        write_json(*ctx.out, out);
        return exit_ok;
    }
    std::size_t author_w = 0;
    for (auto& e : entries) {
        // Commits made by anyone, with any git: shown escaped, never raw.
        e.author = escaped(e.author);
        e.subject = escaped(e.subject);
        author_w = std::max(author_w, display_width(e.author));
    }
    for (const auto& e : entries)
        *ctx.out << fmt::format("{}  {}  {}  {}\n", ctx.style.dim(e.commit.substr(0, 10)),
                                shown_date(e.date), pad(e.author, author_w), e.subject);
    return exit_ok;
}

} // namespace

CommandSpec log_command() {
    return {"log",
            "Reports",
            "History of one patient or of all records, from git",
            Access::read,
            {Format::text, Format::json},
            "iop log P-0001",
            [](Args& app) -> Runner {
                auto o = std::make_shared<LogOptions>();
                app.add_option("id", o->id, "Patient id (default: every record)")->type_name("ID");
                return [o](Context& ctx) { return log(*o, ctx); };
            }};
}

} // namespace iop
