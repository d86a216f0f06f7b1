#include "iop/text.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <charconv>

namespace iop {

namespace {

// One UTF-8 sequence at text[i]: its code point and length, or nullopt for a
// byte that does not begin a well-formed sequence.
struct Decoded {
    char32_t cp;
    std::size_t size;
};

std::optional<Decoded> decode(std::string_view s, std::size_t i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80)
        return Decoded{c, 1};
    std::size_t extra;
    char32_t cp;
    if ((c & 0xE0) == 0xC0) {
        extra = 1;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        extra = 2;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        extra = 3;
        cp = c & 0x07;
    } else {
        return std::nullopt;
    }
    if (i + extra >= s.size())
        return std::nullopt;
    for (std::size_t k = 1; k <= extra; ++k) {
        unsigned char cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80)
            return std::nullopt;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return std::nullopt;
    return Decoded{cp, extra + 1};
}

bool line_break(char32_t cp) {
    return cp == '\n' || cp == '\r';
}

// A character the rule forbids in any field (line breaks are judged apart).
bool forbidden(char32_t cp) {
    if (cp == '\t')
        return false;
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
           cp == 0x2029;
}

std::string escape_one(char32_t cp) {
    switch (cp) {
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        break;
    }
    if (cp < 0x80)
        return fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
    return fmt::format("\\u{{{:04x}}}", static_cast<unsigned>(cp));
}

bool only_spaces(std::string_view s) {
    for (char c : s)
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return false;
    return true;
}

} // namespace

bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        auto d = decode(s, i);
        if (!d)
            return false;
        i += d->size;
    }
    return true;
}

std::optional<std::string> free_text_problem(std::string_view text, Lines lines) {
    if (text.empty())
        return "is empty";
    // Most text is printable ASCII: one cheap pass settles it (every record
    // string is checked on load, so this is on check's path).
    bool printable = text.size() <= max_text_bytes;
    bool blank = true;
    for (std::size_t i = 0; printable && i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        printable = (c >= 0x20 && c < 0x7F) || c == '\t';
        blank = blank && (c == ' ' || c == '\t');
    }
    if (printable && !blank)
        return std::nullopt;
    if (!valid_utf8(text))
        return "is not valid UTF-8";
    if (text.size() > max_text_bytes)
        return fmt::format("is longer than {} bytes", max_text_bytes);
    for (std::size_t i = 0; i < text.size();) {
        Decoded d = *decode(text, i);
        i += d.size;
        if (line_break(d.cp) && lines == Lines::one)
            return fmt::format("holds a line break ({}); this field is one line", escape_one(d.cp));
        if (d.cp == '\n')
            continue; // a line break where the field allows them; CR is a control character
        if (forbidden(d.cp))
            return fmt::format("holds a control character ({})", escape_one(d.cp));
    }
    if (only_spaces(text))
        return "holds only spaces";
    return std::nullopt;
}

std::optional<std::string> list_item_problem(std::string_view item) {
    if (auto problem = free_text_problem(item, Lines::one))
        return problem;
    auto blank = [](char c) { return c == ' ' || c == '\t'; };
    if (blank(item.front()) || blank(item.back()))
        return "begins or ends with a space; a list item is trimmed";
    return std::nullopt;
}

std::string escaped(std::string_view text, Lines lines) {
    // Printable ASCII needs no escape: the common case, on every line of output.
    if (std::all_of(text.begin(), text.end(),
                    [](char c) { return (c >= 0x20 && c < 0x7F) || c == '\t'; }))
        return std::string(text);
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        auto d = decode(text, i);
        if (!d) {
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
            ++i;
            continue;
        }
        bool keep = line_break(d->cp) ? lines == Lines::many : !forbidden(d->cp);
        if (d->cp == '\r' && lines == Lines::many)
            keep = false; // a bare carriage return rewrites a terminal's line
        if (keep)
            out.append(text.substr(i, d->size));
        else
            out += escape_one(d->cp);
        i += d->size;
    }
    return out;
}

std::string excerpt(std::string_view text, std::size_t max_chars) {
    std::string out;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (chars == max_chars)
            return out + "...";
        auto d = decode(text, i);
        std::size_t size = d ? d->size : 1;
        out += escaped(text.substr(i, size));
        i += size;
        ++chars;
    }
    return out;
}

std::optional<double> parse_plain_decimal(std::string_view text, int max_decimals) {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    std::size_t i = 0;
    while (i < text.size() && digit(text[i]))
        ++i;
    if (i == 0 || i > 9)
        return std::nullopt;
    if (i < text.size()) {
        if (text[i] != '.')
            return std::nullopt;
        std::size_t decimals = text.size() - i - 1;
        if (decimals == 0 || decimals > static_cast<std::size_t>(max_decimals))
            return std::nullopt;
        for (std::size_t k = i + 1; k < text.size(); ++k)
            if (!digit(text[k]))
                return std::nullopt;
    }
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

} // namespace iop
