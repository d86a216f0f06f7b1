#include "iop/output.hpp"

#include <fmt/format.h>

namespace iop {

std::string_view to_string(Format f) {
    switch (f) {
    case Format::text: return "text";
    case Format::json: return "json";
    case Format::csv: return "csv";
    case Format::fhir: return "fhir";
    }
    return "text";
}

std::string Style::wrap(std::string_view code, std::string_view s) const {
    if (!enabled_ || s.empty())
        return std::string(s);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, s);
}

std::size_t display_width(std::string_view s) {
    std::size_t w = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80)
            ++w;
    return w;
}

std::string pad(std::string_view s, std::size_t width) {
    std::string out(s);
    for (std::size_t w = display_width(s); w < width; ++w)
        out += ' ';
    return out;
}

} // namespace iop
