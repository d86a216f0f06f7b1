#include "iop/basics.hpp"

#include "iop/error.hpp"
#include "iop/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace iop {

bool valid_id(std::string_view id) {
    if (id.empty() || id.size() > 64)
        return false;
    auto alnum = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    };
    if (!alnum(id[0]))
        return false;
    return std::all_of(id.begin() + 1, id.end(),
                       [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

void require_valid_id(std::string_view id) {
    if (valid_id(id))
        return;
    throw UsageError(fmt::format(
        "invalid patient id '{}': an id is 1 to 64 characters, letters, digits, '.', '_' "
        "or '-', starting with a letter or digit",
        excerpt(id, 80)));
}

std::string toml_quote(std::string_view text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                out += fmt::format("\\u{:04X}", c);
            else
                out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

std::string format_hours(double hours) {
    if (std::floor(hours) == hours)
        return fmt::format("{:.1f}", hours);
    return fmt::format("{}", hours);
}

std::string decimal_text(double v) {
    std::string s = fmt::format("{:.2f}", v);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0')
            s.pop_back();
        if (s.back() == '.')
            s.pop_back();
    }
    if (s == "-0")
        s = "0";
    return s;
}

std::string plural(long long n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string rate_text(double rate) {
    return fmt::format("{:.2f}", std::floor(rate * 100.0 + 1e-9) / 100.0);
}

} // namespace iop
