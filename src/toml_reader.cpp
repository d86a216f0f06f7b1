#include "toml_reader.hpp"

#include "iop/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

namespace iop {

SourcePos position_of(const toml::source_region& region) {
    return SourcePos{static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

SourcePos position_of(const toml::node& node) { return position_of(node.source()); }

namespace {

// toml++ 3.3.0 (Debian 12) reaches __builtin_unreachable() (undefined
// behaviour) when it asks whether some non-ASCII characters are whitespace:
// one outside a string or comment, after a backslash in a basic string, or
// first after a line-ending backslash in a multi-line string (upstream issues
// marzer/tomlplusplus#190 and #295, found by fuzz/fuzz_record). TOML allows
// non-ASCII text only inside strings and comments, so refuse the rest here,
// with its position, before toml++ sees it. Unterminated strings are left to
// toml++ to report.
void refuse_stray_non_ascii(std::string_view text, const std::string& file) {
    unsigned char any = 0; // most files are ASCII: one pass the compiler vectorises
    for (char c : text)
        any |= static_cast<unsigned char>(c);
    if (any < 0x80)
        return;
    int line = 1;
    std::size_t line_start = 0;
    std::size_t i = 0;
    auto fail = [&](const char* what) {
        int column = 1;
        for (std::size_t k = line_start; k < i; ++k)
            column += (static_cast<unsigned char>(text[k]) & 0xC0) != 0x80;
        throw DataError(file, {line, column}, what);
    };
    auto ascii = [&] { return i >= text.size() || static_cast<unsigned char>(text[i]) < 0x80; };
    auto starts = [&](std::string_view s) { return text.substr(i, s.size()) == s; };
    auto newline = [&] {
        ++line;
        line_start = i + 1;
    };
    while (i < text.size()) {
        char c = text[i];
        if (c == '\n') {
            newline();
            ++i;
        } else if (c == '#') {
            while (i < text.size() && text[i] != '\n')
                ++i;
        } else if (starts(R"(""")") || starts("'''")) {
            std::string_view close = text.substr(i, 3);
            bool basic = c == '"';
            for (i += 3; i < text.size() && !starts(close); ++i) {
                if (text[i] == '\n') {
                    newline();
                } else if (basic && text[i] == '\\') {
                    ++i;
                    if (!ascii())
                        fail("a non-ASCII character after a backslash");
                    bool line_end = false;
                    for (; i < text.size() && (text[i] == ' ' || text[i] == '\t' ||
                                               text[i] == '\r' || text[i] == '\n');
                         ++i)
                        if (text[i] == '\n') {
                            newline();
                            line_end = true;
                        }
                    if (line_end && !ascii())
                        fail("a non-ASCII character first after a line-ending backslash; start "
                             "the line with an ASCII character");
                    --i;
                }
            }
            i += 3;
        } else if (c == '"' || c == '\'') {
            for (++i; i < text.size() && text[i] != c && text[i] != '\n'; ++i)
                if (c == '"' && text[i] == '\\') {
                    ++i;
                    if (!ascii())
                        fail("a non-ASCII character after a backslash");
                    if (i < text.size() && text[i] == '\n')
                        break;
                }
            if (i < text.size() && text[i] == c)
                ++i;
        } else if (!ascii()) {
            fail("a non-ASCII character outside a string or comment");
        } else {
            ++i;
        }
    }
}

} // namespace

// src/toml_depth.cpp: refuses dotted keys nested deeper than toml++ can take.
void refuse_deep_keys(std::string_view text, const std::string& file);

toml::table parse_toml(std::string_view text, const std::string& file) {
    refuse_deep_keys(text, file);
    refuse_stray_non_ascii(text, file);
    try {
        return toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        throw DataError(file, position_of(e.source()), std::string(e.description()));
    }
}

TableReader::TableReader(const toml::table& table, const std::string& file, std::string where)
    : table_(table), file_(file), where_(std::move(where)) {}

std::string TableReader::name(std::string_view key) const {
    return where_.empty() ? std::string(key) : fmt::format("{}.{}", where_, key);
}

const toml::node* TableReader::get(std::string_view key) const { return table_.get(key); }

SourcePos TableReader::pos(std::string_view key) const {
    const toml::node* n = get(key);
    return n ? position_of(*n) : pos();
}

void TableReader::fail(std::string_view key, const std::string& message) const {
    throw DataError(file_, pos(key), message);
}

void TableReader::require_schema_version(long long supported) const {
    auto version = integer("schema_version");
    if (!version)
        fail_here("missing 'schema_version' (this iop writes schema_version = 1)");
    if (*version > supported)
        fail("schema_version",
             fmt::format("schema_version {} is newer than this iop supports ({}); "
                         "upgrade iop to read this file",
                         *version, supported));
    if (*version < 1)
        fail("schema_version", fmt::format("schema_version {} is not valid", *version));
}

void TableReader::fail_here(const std::string& message) const {
    throw DataError(file_, pos(), message);
}

void TableReader::type_error(std::string_view key, std::string_view expected) const {
    fail(key, fmt::format("'{}' must be {}", name(key), expected));
}

std::optional<long long> TableReader::integer(std::string_view key) const {
    const toml::node* n = get(key);
    if (!n)
        return std::nullopt;
    if (auto v = n->as_integer())
        return v->get();
    type_error(key, "an integer");
}

std::optional<double> TableReader::number(std::string_view key) const {
    const toml::node* n = get(key);
    if (!n)
        return std::nullopt;
    if (auto v = n->as_integer())
        return static_cast<double>(v->get());
    if (auto v = n->as_floating_point()) {
        if (!std::isfinite(v->get()))
            type_error(key, "a finite number");
        return v->get();
    }
    type_error(key, "a number");
}

std::optional<std::string> TableReader::string(std::string_view key) const {
    const toml::node* n = get(key);
    if (!n)
        return std::nullopt;
    if (auto v = n->as_string())
        return v->get();
    type_error(key, "a string");
}

std::optional<std::string> TableReader::text(std::string_view key, Lines lines) const {
    auto v = string(key);
    if (v && !v->empty())
        if (auto problem = free_text_problem(*v, lines))
            fail(key, fmt::format("'{}' {}", name(key), *problem));
    return v;
}

std::optional<std::vector<std::string>> TableReader::texts(std::string_view key) const {
    auto v = strings(key);
    if (v)
        for (const auto& item : *v)
            if (auto problem = list_item_problem(item))
                fail(key, fmt::format("an item of '{}' {}", name(key), *problem));
    return v;
}

std::optional<Date> TableReader::date(std::string_view key) const {
    const toml::node* n = get(key);
    if (!n)
        return std::nullopt;
    if (auto v = n->as_date()) {
        toml::date d = v->get();
        Date out{std::chrono::year{d.year}, std::chrono::month{d.month}, std::chrono::day{d.day}};
        if (!out.ok() || d.year < 1)
            fail(key, fmt::format("'{}' is not a valid date", name(key)));
        if (!plausible_date(out))
            fail(key, fmt::format("'{}' is {}, must be between {} and {}", name(key),
                                  format_date(out), format_date(min_date), format_date(max_date)));
        return out;
    }
    type_error(key, "a date (YYYY-MM-DD, unquoted)");
}

std::optional<bool> TableReader::boolean(std::string_view key) const {
    const toml::node* n = get(key);
    if (!n)
        return std::nullopt;
    if (auto v = n->as_boolean())
        return v->get();
    type_error(key, "true or false");
}

std::optional<std::vector<std::string>> TableReader::strings(std::string_view key) const {
    const toml::node* n = get(key);
    if (!n)
        return std::nullopt;
    const toml::array* arr = n->as_array();
    if (!arr)
        type_error(key, "an array of strings");
    std::vector<std::string> out;
    for (const auto& item : *arr) {
        auto s = item.as_string();
        if (!s)
            throw DataError(file_, position_of(item),
                            fmt::format("'{}' must hold only strings", name(key)));
        out.push_back(s->get());
    }
    return out;
}

const toml::table* TableReader::table(std::string_view key) const {
    const toml::node* n = get(key);
    if (!n)
        return nullptr;
    if (auto t = n->as_table())
        return t;
    type_error(key, "a table");
}

std::vector<const toml::table*> TableReader::tables(std::string_view key) const {
    std::vector<const toml::table*> out;
    const toml::node* n = get(key);
    if (!n)
        return out;
    const toml::array* arr = n->as_array();
    if (!arr)
        type_error(key, fmt::format("an array of tables ([[{}]])", key));
    for (const auto& item : *arr) {
        auto t = item.as_table();
        if (!t)
            throw DataError(file_, position_of(item),
                            fmt::format("'{}' must hold only tables ([[{}]])", name(key), key));
        out.push_back(t);
    }
    return out;
}

std::string format_date_time(const toml::date_time& dt) {
    // What toml++'s operator<< prints (print_to_stream.inl), digit by digit:
    // a stream per value was 8 % of `iop check` in callgrind, fmt::format 7 %.
    std::string out;
    out.reserve(32);
    auto put = [&out](unsigned value, int width) {
        char digits[10];
        for (int i = width - 1; i >= 0; --i) {
            digits[i] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
        out.append(digits, static_cast<std::size_t>(width));
    };
    put(dt.date.year, dt.date.year > 9999 ? 5 : 4);
    out += '-';
    put(dt.date.month, 2);
    out += '-';
    put(dt.date.day, 2);
    out += 'T';
    put(dt.time.hour, 2);
    out += ':';
    put(dt.time.minute, 2);
    out += ':';
    put(dt.time.second, 2);
    if (std::uint32_t ns = dt.time.nanosecond; ns && ns <= 999999999u) {
        int digits = 9;
        while (ns % 10u == 0u) {
            ns /= 10u;
            --digits;
        }
        out += '.';
        put(ns, digits);
    }
    if (dt.offset) {
        int mins = dt.offset->minutes;
        if (mins == 0) {
            out += 'Z';
        } else {
            out += mins < 0 ? '-' : '+';
            mins = mins < 0 ? -mins : mins;
            put(static_cast<unsigned>(mins / 60), 2);
            out += ':';
            put(static_cast<unsigned>(mins % 60), 2);
        }
    }
    return out;
}

std::optional<std::string> TableReader::datetime_text(std::string_view key) const {
    const toml::node* n = get(key);
    if (!n)
        return std::nullopt;
    if (auto v = n->as_date_time()) {
        const toml::date& d = v->get().date;
        Date day{std::chrono::year{d.year}, std::chrono::month{d.month}, std::chrono::day{d.day}};
        if (!plausible_date(day))
            fail(key, fmt::format("'{}' is dated {}, must be between {} and {}", name(key),
                                  format_date(day), format_date(min_date), format_date(max_date)));
        return format_date_time(v->get());
    }
    type_error(key, "a date-time (e.g. 2026-11-03T17:02:11Z)");
}

std::optional<Date> TableReader::local_day(std::string_view key) const {
    const toml::node* n = get(key);
    if (!n)
        return std::nullopt;
    auto v = n->as_date_time();
    if (!v)
        return std::nullopt;
    const toml::date_time& dt = v->get();
    using namespace std::chrono;
    Date day{year{dt.date.year}, month{dt.date.month}, std::chrono::day{dt.date.day}};
    if (!day.ok())
        return std::nullopt;
    if (!dt.offset)
        return day;
    sys_seconds t = sys_days{day} + hours{dt.time.hour} + minutes{dt.time.minute} +
                    seconds{dt.time.second} - minutes{dt.offset->minutes};
    return local_date(t);
}

long long TableReader::require_integer(std::string_view key) const {
    if (auto v = integer(key))
        return *v;
    fail_here(fmt::format("missing '{}'", name(key)));
}

std::string TableReader::require_string(std::string_view key) const {
    if (auto v = string(key))
        return *v;
    fail_here(fmt::format("missing '{}'", name(key)));
}

Date TableReader::require_date(std::string_view key) const {
    if (auto v = date(key))
        return *v;
    fail_here(fmt::format("missing '{}'", name(key)));
}

std::optional<int> TableReader::bounded(std::string_view key, long long lo, long long hi) const {
    auto v = integer(key);
    if (!v)
        return std::nullopt;
    if (*v < lo || *v > hi)
        fail(key, fmt::format("'{}' is {}, must be between {} and {}", name(key), *v, lo, hi));
    return static_cast<int>(*v);
}

void TableReader::reject_unknown(std::initializer_list<std::string_view> known) const {
    for (auto&& [k, v] : table_) {
        const std::string_view key = k.str();
        if (std::find(known.begin(), known.end(), key) != known.end())
            continue;
        // The list of names is built only for the message (per table, it cost
        // more than the check itself).
        std::vector<std::string> names(known.begin(), known.end());
        // A key that could not be one of iop's (quoted, with spaces, long) is
        // not repeated: it may be record content, such as a name.
        bool keyish = key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        });
        if (!keyish)
            throw DataError(file_, position_of(k.source()),
                            fmt::format("unknown key{}", where_.empty() ? "" : " in " + where_));
        throw DataError(file_, position_of(k.source()),
                        fmt::format("unknown key '{}'{}", name(key), did_you_mean(key, names)));
    }
}

} // namespace iop
