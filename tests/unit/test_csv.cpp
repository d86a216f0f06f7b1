// The CSV layer of import and export (include/iop/csv.hpp): RFC 4180 parsing
// with physical line numbers, reversible formula neutralising, list cells.
#include "iop/csv.hpp"

#include "iop/journal_csv.hpp"
#include "iop/output.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using iop::CsvTable;
using iop::parse_csv;

namespace {

std::vector<std::string> cells(std::initializer_list<const char*> list) {
    return std::vector<std::string>(list.begin(), list.end());
}

} // namespace

TEST_SUITE_BEGIN("csv");

TEST_CASE("rows and the lines they start on") {
    CsvTable t = parse_csv("id,date\nP-1,2026-11-03\nP-2,2026-11-04\n");
    REQUIRE_FALSE(t.error);
    REQUIRE(t.rows.size() == 3);
    CHECK(t.rows[0].cells == cells({"id", "date"}));
    CHECK(t.rows[0].line == 1);
    CHECK(t.rows[1].cells == cells({"P-1", "2026-11-03"}));
    CHECK(t.rows[1].line == 2);
    CHECK(t.rows[2].line == 3);
}

TEST_CASE("no newline at the end of the last row") {
    CsvTable t = parse_csv("a,b\n1,2");
    REQUIRE_FALSE(t.error);
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[1].cells == cells({"1", "2"}));
    CHECK(t.rows[1].line == 2);
}

TEST_CASE("CRLF line ends, and a lone CR") {
    CsvTable t = parse_csv("a,b\r\n1,2\r\n3,4\r5,6\r\n");
    REQUIRE_FALSE(t.error);
    REQUIRE(t.rows.size() == 4);
    CHECK(t.rows[1].cells == cells({"1", "2"}));
    CHECK(t.rows[1].line == 2);
    CHECK(t.rows[2].line == 3);
    CHECK(t.rows[3].cells == cells({"5", "6"}));
    CHECK(t.rows[3].line == 4);
}

TEST_CASE("quoted commas, doubled quotes and line breaks inside cells") {
    CsvTable t = parse_csv("id,note\r\n"
                           "P-1,\"Doe, Jane\"\r\n"
                           "P-2,\"said \"\"no\"\"\"\r\n"
                           "P-3,\"line one\r\nline two\nline three\"\r\n"
                           "P-4,last\r\n");
    REQUIRE_FALSE(t.error);
    REQUIRE(t.rows.size() == 5);
    CHECK(t.rows[1].cells[1] == "Doe, Jane");
    CHECK(t.rows[2].cells[1] == "said \"no\"");
    CHECK(t.rows[3].cells[1] == "line one\r\nline two\nline three");
    CHECK(t.rows[3].line == 4);
    CHECK(t.rows[4].line == 7); // after the two line breaks inside row 4
}

TEST_CASE("blank lines are skipped but counted") {
    CsvTable t = parse_csv("a\n\n1\r\n\r\n2\n");
    REQUIRE_FALSE(t.error);
    REQUIRE(t.rows.size() == 3);
    CHECK(t.rows[1].line == 3);
    CHECK(t.rows[2].line == 5);
}

TEST_CASE("spaces are kept: unquoted cells are not trimmed") {
    CsvTable t = parse_csv("a,b\n x , y\t\n");
    REQUIRE_FALSE(t.error);
    CHECK(t.rows[1].cells == cells({" x ", " y\t"}));
}

TEST_CASE("empty cells, quoted and not") {
    CsvTable t = parse_csv("a,b,c\n,\"\",\n");
    REQUIRE_FALSE(t.error);
    CHECK(t.rows[1].cells == cells({"", "", ""}));
}

TEST_CASE("a UTF-8 byte-order mark is skipped") {
    CsvTable t = parse_csv("\xEF\xBB\xBFid,name\nP-1,Zoë\n");
    REQUIRE_FALSE(t.error);
    CHECK(t.rows[0].cells == cells({"id", "name"}));
    CHECK(t.rows[1].cells[1] == "Zoë");
    CHECK(iop::strip_bom("\xEF\xBB\xBFx") == "x");
    CHECK(iop::strip_bom("x") == "x");
}

TEST_CASE("an unterminated quote is reported where it opens") {
    CsvTable t = parse_csv("a,b\n1,2\n3,\"open\n4,5\n6,7\n");
    REQUIRE(t.error);
    CHECK(t.error->line == 3);
    CHECK(t.error->message.find("never closed") != std::string::npos);
    REQUIRE(t.rows.size() == 2); // the rows before it were delivered
}

TEST_CASE("an unterminated quote at the start of a row") {
    CsvTable t = parse_csv("a,b\n\"x\ny,z");
    REQUIRE(t.error);
    CHECK(t.error->line == 2);
}

TEST_CASE("a quote inside an unquoted cell is malformed") {
    CsvTable t = parse_csv("a,b\n1,2\n5'6\",x\n");
    REQUIRE(t.error);
    CHECK(t.error->line == 3);
    CHECK(t.error->message.find("quote inside an unquoted cell") != std::string::npos);
}

TEST_CASE("text after a closing quote is malformed") {
    CsvTable t = parse_csv("a,b\n\"x\"y,2\n");
    REQUIRE(t.error);
    CHECK(t.error->line == 2);
    CHECK(t.error->message.find("after the closing quote") != std::string::npos);
}

TEST_CASE("binary data and UTF-16 are refused") {
    std::string binary("id,x\nP-1,\x01\x02", 11);
    binary += '\0';
    CsvTable t = parse_csv(binary);
    REQUIRE(t.error);
    CHECK(t.error->line == 2);
    CHECK(t.error->message.find("binary") != std::string::npos);

    CsvTable u = parse_csv(std::string("\xFF\xFEi\0d\0", 6));
    REQUIRE(u.error);
    CHECK(u.error->message.find("UTF-16") != std::string::npos);
}

TEST_CASE("an empty input has no rows and no error") {
    CsvTable t = parse_csv("");
    CHECK_FALSE(t.error);
    CHECK(t.rows.empty());
    CHECK(parse_csv("\xEF\xBB\xBF\r\n\n").rows.empty());
}

TEST_CASE("fields per row are delivered as written, however many") {
    CsvTable t = parse_csv("a,b\n1\n1,2,3\n");
    REQUIRE_FALSE(t.error);
    CHECK(t.rows[1].cells.size() == 1);
    CHECK(t.rows[2].cells.size() == 3);
}

TEST_CASE("export_cell neutralises formulas, reversibly") {
    for (std::string v : {"=SUM(A1)", "+1", "-1", "@x", "\tx", "\rx", "'=x", "''+y", "'", "'a",
                          "plain", "", "a,b", "say \"hi\"", "-", "'-"}) {
        std::string written = iop::export_cell(v);
        // What a reader sees after CSV unquoting...
        CsvTable t = parse_csv("c\n" + written + "\n");
        REQUIRE_FALSE(t.error);
        std::string cell = t.rows.size() > 1 ? t.rows[1].cells[0] : std::string();
        // ...starts with no formula character...
        if (!cell.empty())
            CHECK_FALSE((cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                         cell[0] == '\t' || cell[0] == '\r'));
        // ...and import restores the value.
        CHECK(iop::unneutralise(cell) == v);
    }
    CHECK(iop::export_cell("=1") == "'=1");
    CHECK(iop::export_cell("'=1") == "''=1");
    CHECK(iop::export_cell("'abc") == "'abc");
    CHECK(iop::export_cell("=1") == iop::csv_cell("=1"));
}

TEST_CASE("unneutralise leaves ordinary apostrophes alone") {
    CHECK(iop::unneutralise("'tis") == "'tis");
    CHECK(iop::unneutralise("O'Brien") == "O'Brien");
    CHECK(iop::unneutralise("'") == "'");
    CHECK(iop::unneutralise("'=A1") == "=A1");
    CHECK(iop::unneutralise("'-3") == "-3");
}

TEST_CASE("export_row joins cells with commas and ends with a newline") {
    CHECK(iop::export_row({"a", "b,c", "=d"}) == "a,\"b,c\",'=d\n");
}

TEST_CASE("list cells") {
    CHECK(iop::join_list({"alcohol", "cocaine"}) == "alcohol;cocaine");
    CHECK(iop::join_list({"a;b", "c\\d"}) == "a\\;b;c\\\\d");
    CHECK(iop::join_list({}) == "");
    CHECK(iop::split_list("alcohol; cocaine ;") == cells({"alcohol", "cocaine"}));
    CHECK(iop::split_list("").empty());
    CHECK(iop::split_list(" ; ").empty());
    std::vector<std::string> odd = {"a;b", "c\\d", "AA (Tuesday)"};
    CHECK(iop::split_list(iop::join_list(odd)) == odd);
}

TEST_CASE("trim") {
    CHECK(iop::trim("  x \t") == "x");
    CHECK(iop::trim("   ").empty());
    CHECK(iop::trim("a b") == "a b");
}

TEST_CASE("columns by name") {
    CHECK(iop::column_name(iop::Column::record) == "record");
    CHECK(iop::column_name(iop::Column::recorded_at) == "recorded_at");
    CHECK(iop::parse_column("groups_per_week") == iop::Column::groups_per_week);
    CHECK_FALSE(iop::parse_column("Groups"));
    CHECK(iop::column_names().size() == iop::column_count);
    for (std::size_t i = 0; i < iop::column_count; ++i)
        CHECK(iop::parse_column(iop::column_names()[i]) == static_cast<iop::Column>(i));
}

TEST_SUITE_END();
