// A bound on the nesting that dotted keys can build, checked before toml++
// parses a file: toml++ bounds arrays and inline tables (256 deep) but not
// the tables of a dotted key (`a.a.a... = 1` or `[a.a.a...]`), which it
// handles recursively, so a key of 100,000 parts (a few hundred kB) overflows
// the stack. No iop file needs more than 3 parts.
#include "iop/error.hpp"

#include <fmt/format.h>

#include <cstring>
#include <string>
#include <string_view>

namespace iop {

inline constexpr int max_key_parts = 16;

namespace {

// A key and its dots are on one line, so a file with fewer than
// max_key_parts dots on every line has no key of more parts: the common
// case, decided in one cheap pass (the full scan below costs as much as a
// tenth of toml++'s parse).
bool few_dots_a_line(std::string_view text) {
    const char* const end = text.data() + text.size();
    const char* from = text.data(); // the previous dot, or the start
    int dots = 0;
    for (const char* p = from; p < end;) {
        const auto* dot = static_cast<const char*>(std::memchr(p, '.', end - p));
        if (!dot)
            break;
        if (std::memchr(from, '\n', dot - from))
            dots = 0;
        if (++dots >= max_key_parts)
            return false;
        from = dot;
        p = dot + 1;
    }
    return true;
}

} // namespace

void refuse_deep_keys(std::string_view text, const std::string& file) {
    if (few_dots_a_line(text))
        return;
    int line = 1, chain = 0;
    bool after_dot = false;
    std::size_t line_start = 0, i = 0;
    auto part = [&](std::size_t at) {
        chain = after_dot ? chain + 1 : 1;
        after_dot = false;
        if (chain > max_key_parts) {
            int column = 1;
            for (std::size_t k = line_start; k < at; ++k)
                column += (static_cast<unsigned char>(text[k]) & 0xC0) != 0x80;
            throw DataError(file, {line, column},
                            fmt::format("a dotted key of more than {} parts", max_key_parts));
        }
    };
    auto bare = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '+' || c == ':';
    };
    while (i < text.size()) {
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r') {
            ++i;
        } else if (c == '\n') {
            ++line;
            line_start = ++i;
            chain = 0;
            after_dot = false;
        } else if (c == '#') {
            while (i < text.size() && text[i] != '\n')
                ++i;
        } else if (c == '"' || c == '\'') {
            std::size_t at = i;
            bool multi = text.substr(i, 3) == std::string_view(c == '"' ? R"(""")" : "'''");
            std::string_view close = multi ? text.substr(i, 3) : text.substr(i, 1);
            for (i += close.size(); i < text.size() && text.substr(i, close.size()) != close; ++i) {
                if (text[i] == '\n') {
                    if (!multi)
                        break; // unterminated: toml++ reports it
                    ++line;
                    line_start = i + 1;
                } else if (c == '"' && text[i] == '\\') {
                    ++i;
                    if (i < text.size() && text[i] == '\n') {
                        ++line;
                        line_start = i + 1;
                    }
                }
            }
            i = std::min(text.size(), i + close.size());
            for (int extra = 0; multi && extra < 2 && i < text.size() && text[i] == c; ++extra)
                ++i; // """a "quoted" word"""" ends with up to two more quotes
            part(at);
        } else if (bare(c)) {
            std::size_t at = i;
            while (i < text.size() && bare(text[i]))
                ++i;
            part(at);
        } else if (c == '.') {
            after_dot = true;
            ++i;
        } else {
            chain = 0;
            after_dot = false;
            ++i;
        }
    }
}

} // namespace iop
