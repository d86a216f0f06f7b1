// closures.toml (SPEC section 10): read strictly, written one entry at a time.
#include "iop/basics.hpp"
#include "iop/calendar.hpp"
#include "toml_reader.hpp"

#include <fmt/format.h>

namespace iop {

std::vector<ClosureEntry> parse_closures(std::string_view text, const std::string& file) {
    toml::table table = parse_toml(text, file);
    TableReader root(table, file);
    root.require_schema_version(closures_schema_version);
    root.reject_unknown({"schema_version", "closure"});
    std::vector<ClosureEntry> out;
    for (const toml::table* t : root.tables("closure")) {
        TableReader r(*t, file, "[[closure]]");
        r.reject_unknown({"action", "from", "to", "reason", "recorded_by", "recorded_at"});
        ClosureEntry e;
        const std::string action = r.require_string("action");
        if (action == "add")
            e.action = ClosureAction::add;
        else if (action == "cancel")
            e.action = ClosureAction::cancel;
        else
            r.fail("action", fmt::format("'[[closure]].action' is '{}', must be add or cancel",
                                         excerpt(action)));
        e.from = r.require_date("from");
        e.to = r.date("to").value_or(e.from);
        if (e.to < e.from)
            r.fail("to", fmt::format("'[[closure]].to' {} is before 'from' {}", format_date(e.to),
                                     format_date(e.from)));
        e.reason = r.text("reason").value_or("");
        if (e.reason.empty()) {
            const std::string message = "'[[closure]].reason' is missing or empty: it says why "
                                        "the program is closed";
            if (t->get("reason"))
                r.fail("reason", message);
            r.fail_here(message);
        }
        e.recorded_by = r.text("recorded_by").value_or("");
        e.recorded_at = r.datetime_text("recorded_at").value_or("");
        e.pos = r.pos();
        out.push_back(std::move(e));
    }
    return out;
}

std::string closures_header() {
    return fmt::format("# Closures of the program (holidays, snow days): an append-only journal\n"
                       "# written by `iop closure add` and `iop closure cancel`.\n"
                       "schema_version = {}\n",
                       closures_schema_version);
}

std::string render_closure(const ClosureEntry& e) {
    std::string out = "\n[[closure]]\n";
    out += fmt::format("action = {}\n", toml_quote(to_string(e.action)));
    out += fmt::format("from = {}\n", format_date(e.from));
    out += fmt::format("to = {}\n", format_date(e.to));
    out += fmt::format("reason = {}\n", toml_quote(e.reason));
    out += fmt::format("recorded_by = {}\n", toml_quote(e.recorded_by));
    if (!e.recorded_at.empty())
        out += fmt::format("recorded_at = {}\n", e.recorded_at);
    return out;
}

} // namespace iop
