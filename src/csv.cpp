#include "iop/csv.hpp"

#include "iop/csv_writer.hpp"
#include "iop/error.hpp"

#include <csv.h>
#include <fmt/format.h>

#include <cstring>

namespace iop {

// ---------------------------------------------------------------- parsing

namespace {

// Spreadsheets quote a cell whose spaces matter; libcsv would otherwise trim
// unquoted ones, and a round trip must keep every byte.
int no_space(unsigned char) {
    return 0;
}

struct ParseState {
    const std::function<void(CsvRow&)>* on_row = nullptr;
    CsvRow row;
    int line = 1;       // the line of the chunk being parsed
    int field_line = 1; // where the field being read began
    bool in_row = false;
};

void on_field(void* data, std::size_t size, void* user) {
    auto* st = static_cast<ParseState*>(user);
    st->row.cells.emplace_back(static_cast<const char*>(data), size);
    st->field_line = st->line; // the next field begins just after this delimiter
}

void on_row_end(int, void* user) {
    auto* st = static_cast<ParseState*>(user);
    (*st->on_row)(st->row);
    st->row.cells.clear();
    st->in_row = false;
}

class Parser {
  public:
    Parser() {
        if (csv_init(&p_, CSV_STRICT | CSV_STRICT_FINI) != 0)
            throw std::bad_alloc();
        csv_set_space_func(&p_, no_space);
        // libcsv grows a cell's buffer by this much (default 128 bytes): a
        // 20 MB cell took ~160,000 reallocs, each a full copy where realloc
        // cannot grow in place (found under AddressSanitizer).
        csv_set_blk_size(&p_, 64 * 1024);
    }
    ~Parser() { csv_free(&p_); }
    Parser(const Parser&) = delete;
    Parser& operator=(const Parser&) = delete;
    csv_parser* get() { return &p_; }

  private:
    csv_parser p_{};
};

int line_of(std::string_view text, std::size_t offset) {
    int line = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i)
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')))
            ++line;
    return line;
}

} // namespace

std::string_view strip_bom(std::string_view text) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF")
        text.remove_prefix(3);
    return text;
}

std::optional<CsvError> parse_csv(std::string_view text,
                                  const std::function<void(CsvRow&)>& on_row) {
    if (text.substr(0, 2) == "\xFF\xFE" || text.substr(0, 2) == "\xFE\xFF")
        return CsvError{0, "the file is UTF-16 text; save it as \"CSV UTF-8\""};
    text = strip_bom(text);
    if (auto nul = text.find('\0'); nul != std::string_view::npos)
        return CsvError{line_of(text, nul),
                        "binary data (a NUL byte): this is not a CSV text file"};

    Parser parser;
    ParseState st;
    st.on_row = &on_row;
    // Fed one physical line at a time: a row ends only at a line break outside
    // quotes, so after each chunk we know whether a row is still open, and
    // where the next one starts.
    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (!st.in_row) {
            if (c == '\n' || c == '\r') { // blank lines between rows
                if (c == '\n' || i + 1 >= text.size() || text[i + 1] != '\n')
                    ++st.line;
                ++i;
                continue;
            }
            st.in_row = true;
            st.row.line = st.line;
            st.field_line = st.line;
        }
        std::size_t brk = text.find_first_of("\r\n", i);
        std::size_t end = brk == std::string_view::npos ? text.size() : brk + 1;
        std::size_t done =
            csv_parse(parser.get(), text.data() + i, end - i, on_field, on_row_end, &st);
        if (done < end - i) {
            int err = csv_error(parser.get());
            if (err != CSV_EPARSE)
                return CsvError{st.line, csv_strerror(err)};
            bool quote = text[i + done] == '"';
            return CsvError{st.line, quote ? "a quote inside an unquoted cell: quote the whole "
                                             "cell and double the quote (\"\")"
                                           : "text after the closing quote of a cell: a quote "
                                             "inside a quoted cell is written twice (\"\")"};
        }
        if (brk != std::string_view::npos &&
            (text[brk] == '\n' || brk + 1 >= text.size() || text[brk + 1] != '\n'))
            ++st.line;
        i = end;
    }
    if (csv_fini(parser.get(), on_field, on_row_end, &st) != 0)
        return CsvError{st.field_line, "a quoted cell opened on this line is never closed"};
    return std::nullopt;
}

CsvTable parse_csv(std::string_view text) {
    CsvTable table;
    table.error = parse_csv(text, [&](CsvRow& row) { table.rows.push_back(row); });
    return table;
}

// ---------------------------------------------------------------- cells

std::string export_cell(std::string_view cell) {
    return csv_cell(cell, CsvEscape::reversible);
}

std::string export_row(const std::vector<std::string>& cells) {
    return csv_row(cells, CsvEscape::reversible);
}

std::string unneutralise(std::string_view cell) {
    if (quoted_formula(cell))
        cell.remove_prefix(1);
    return std::string(cell);
}

std::string join_list(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i)
            out += ';';
        for (char c : items[i]) {
            if (c == ';' || c == '\\')
                out += '\\';
            out += c;
        }
    }
    return out;
}

std::string_view trim(std::string_view text) {
    std::size_t b = text.find_first_not_of(" \t");
    if (b == std::string_view::npos)
        return {};
    std::size_t e = text.find_last_not_of(" \t");
    return text.substr(b, e - b + 1);
}

std::vector<std::string> split_list(std::string_view cell) {
    std::vector<std::string> items;
    std::string item;
    auto flush = [&] {
        std::string t(trim(item));
        if (!t.empty())
            items.push_back(t);
        item.clear();
    };
    for (std::size_t i = 0; i < cell.size(); ++i) {
        if (cell[i] == '\\' && i + 1 < cell.size() && (cell[i + 1] == ';' || cell[i + 1] == '\\'))
            item += cell[++i];
        else if (cell[i] == ';')
            flush();
        else
            item += cell[i];
    }
    flush();
    return items;
}

} // namespace iop
