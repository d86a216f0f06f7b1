// Inputs the fuzzers (fuzz/) found to crash or reach undefined behaviour,
// each now a clean error. The inputs themselves are replayed through the
// harnesses from fuzz/regressions/ (CTest tests fuzz.*).
#include "iop/date.hpp"
#include "iop/error.hpp"
#include "iop/program.hpp"
#include "iop/record.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace iop;

TEST_SUITE_BEGIN("fuzz");

namespace {

// The DataError parse_record throws for `text`, which must have a position.
DataError record_error(const std::string& text) {
    try {
        parse_record(text, "patients/P-0001.toml");
    } catch (const DataError& e) {
        return e;
    }
    FAIL("no DataError");
    return DataError("", {}, "");
}

const std::string header = "schema_version = 1\nid = \"P-0001\"\nname = \"Zoë Müller\"\n"
                           "enrolled = 2026-11-02 # Zoë's first day\n";

} // namespace

TEST_CASE("a recorded_at after 2261 is refused, not overflowed") {
    CHECK_FALSE(parse_timestamp("6016-12-31T23:59:60Z"));
    CHECK_FALSE(parse_timestamp("2262-04-12T00:00:00Z"));
    CHECK_FALSE(parse_timestamp("1677-01-01T00:00:00Z"));
    // and now within the dates iop accepts at all (1900 to 2100)
    CHECK_FALSE(parse_timestamp("2261-12-31T23:59:59Z"));
    CHECK_FALSE(parse_timestamp("1678-01-01T00:00:00Z"));
    CHECK(parse_timestamp("2100-12-31T23:59:59Z"));
    CHECK(parse_timestamp("1900-01-01T00:00:00Z"));
}

TEST_CASE("non-ASCII outside strings and comments is a DataError with its position") {
    // toml++ 3.3.0 reaches undefined behaviour on these (marzer/tomlplusplus#190, #295).
    auto e = record_error(header + "born = 1985-04-12\xc2\xa7\n");
    CHECK(e.file() == "patients/P-0001.toml");
    CHECK(e.pos().line == 5);
    CHECK(e.pos().column == 18);
    CHECK(std::string(e.what()).rfind("patients/P-0001.toml:5:18: ", 0) == 0);

    e = record_error("\xcc\xaa");
    CHECK(e.pos().line == 1);
    CHECK(e.pos().column == 1);

    e = record_error(header + "diagnosis = \"\"\"\\\n  \xc2\xa7\"\"\"\n");
    CHECK(e.pos().line == 6);
    CHECK(e.pos().column == 3);

    e = record_error(header + "diagnosis = \"a\\\xc3\xa9\"\n");
    CHECK(e.pos().line == 5);
    CHECK(e.pos().column == 16);

    CHECK_THROWS_AS(parse_program("schema_version = 1 \xe2\x80\x83\n", "program.toml"), DataError);
}

TEST_CASE("non-ASCII inside strings and comments still loads") {
    std::string text = header + "clinician = 'Dr. Núñez' # ß\ndiagnosis = \"\"\"Alcohol ✓\"\"\"\n"
                                "insurance = '''Ünited'''\n[plan]\nweeks = 12\ngroups_per_week = "
                                "3\nindividual_per_week = 1\nfamily_per_week = 1\n";
    Record r = parse_record(text, "patients/P-0001.toml");
    CHECK(r.header.name == "Zoë Müller");
    CHECK(r.header.clinician == "Dr. Núñez");
    CHECK(r.header.insurance == "Ünited");
}

TEST_CASE("a dotted key of 17 parts is refused; 16 parts and many dots on many lines are not") {
    auto key = [](int parts) {
        std::string k = "a";
        for (int i = 1; i < parts; ++i)
            k += ".a";
        return k;
    };
    const std::string file = "patients/P-0001.toml";
    auto e = record_error(header + key(17) + " = 1\n");
    CHECK(e.pos().line == 5);
    CHECK(std::string(e.what()).find("a dotted key of more than 16 parts") != std::string::npos);
    e = record_error(header + "[" + key(17) + "]\n");
    CHECK(std::string(e.what()).find("a dotted key of more than 16 parts") != std::string::npos);

    // 16 parts reach toml++, which reports the key as unknown, not as too deep.
    e = record_error(header + key(16) + " = 1\n");
    CHECK(std::string(e.what()).find("dotted key") == std::string::npos);
    // Dots in values and on other lines do not add up to a key.
    std::string many = header + "diagnosis = '" + std::string(40, '.') + "'\n";
    for (int i = 0; i < 20; ++i)
        many += "# . . . . . . . .\n";
    many += "[plan]\nweeks = 12\ngroups_per_week = 3\nindividual_per_week = 1\n"
            "family_per_week = 1\n";
    CHECK(parse_record(many, file).header.diagnosis == std::string(40, '.'));
}

TEST_SUITE_END();
