#include "iop/csv_writer.hpp"

namespace iop {

bool formula_start(char c) {
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

bool quoted_formula(std::string_view cell) {
    std::size_t n = cell.find_first_not_of('\'');
    return n > 0 && n != std::string_view::npos && formula_start(cell[n]);
}

std::string csv_cell(std::string_view cell, CsvEscape escape) {
    std::string value;
    if (!cell.empty() &&
        (formula_start(cell[0]) || (escape == CsvEscape::reversible && quoted_formula(cell))))
        value = "'";
    value += cell;
    bool quote = value.find_first_of(",\"\r\n") != std::string::npos;
    if (!quote)
        return value;
    std::string out = "\"";
    for (char c : value) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

std::string csv_row(const std::vector<std::string>& cells, CsvEscape escape) {
    std::string out;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i)
            out += ',';
        out += csv_cell(cells[i], escape);
    }
    return out + "\n";
}

} // namespace iop
