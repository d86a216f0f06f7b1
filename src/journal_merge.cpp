#include "iop/journal_merge.hpp"

#include "iop/calendar.hpp"
#include "iop/error.hpp"
#include "iop/record.hpp"
#include "toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <variant>

namespace iop {

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
                           std::string_view theirs_text, const std::string& file,
                           JournalFile kind) {
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
        if (kind == JournalFile::closures)
            (void)parse_closures(out, file);
        else
            (void)parse_record(out, file);
    } catch (const Error& e) {
        return {{},
                fmt::format("the merged {} would not load: {}",
                            kind == JournalFile::closures ? "closures" : "record", e.what())};
    }
    return {out, {}};
}

} // namespace iop
