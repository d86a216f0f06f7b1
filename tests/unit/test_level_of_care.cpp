// Level of care (SPEC section 13, docs/rules.md): the rules asam-reassess,
// asam-unaddressed, level-of-care and certification, on records parsed from
// the text iop writes, and the program keys that switch them. P-0001 is
// enrolled on Monday 2026-11-02.
#include "iop/engine.hpp"
#include "iop/program.hpp"
#include "iop/record.hpp"
#include "testutil.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

using namespace iop;
using testutil::ymd;

namespace {

const std::string file = "program.toml";

Record record(const std::string& entries, const std::string& header_extra = "") {
    std::string text = testutil::jane_doe_header;
    text.insert(text.find("\n[plan]"), header_extra);
    return parse_record(text + entries, "patients/P-0001.toml");
}

std::string assessment(const std::string& date, const std::string& ratings,
                       const std::string& level = "") {
    std::string out = "\n[[assessment]]\nkind = \"asam\"\ndate = " + date + "\n";
    for (std::size_t i = 0; i < 6; ++i)
        out += "d" + std::to_string(i + 1) + " = " + ratings[i] + "\n";
    if (!level.empty())
        out += "level = \"" + level + "\"\n";
    return out;
}

std::string goal(const std::string& ref, const std::string& date, const std::string& action,
                 int dimension = 0) {
    std::string out =
        "\n[[goal]]\nref = \"" + ref + "\"\naction = \"" + action + "\"\ndate = " + date + "\n";
    if (action == "add")
        out += "problem = \"Drinks daily\"\ngoal = \"Stay sober\"\n";
    if (dimension)
        out += "dimension = " + std::to_string(dimension) + "\n";
    return out;
}

std::string event(const std::string& date, const std::string& type, const std::string& keys) {
    return "\n[[event]]\ntype = \"" + type + "\"\ndate = " + date + "\n" + keys;
}

std::string placement(const std::string& date) {
    return event(date, "placement", "reason = \"Family support is here\"\n");
}

std::string certification(const std::string& date) {
    return event(date, "certification", "physician = \"Dr. Chen\"\n");
}

std::vector<Finding> findings(const Program& p, const Record& r, Date today,
                              std::string_view rule) {
    std::vector<Finding> out;
    for (const Finding& f : assess(p, r, today).findings)
        if (f.rule == rule)
            out.push_back(f);
    return out;
}

std::vector<Finding> findings(const Record& r, Date today, std::string_view rule) {
    return findings(default_program(), r, today, rule);
}

Program certifying(const std::string& required, int recert_days = 60) {
    return parse_program("schema_version = 1\n[certification]\nrequired = " + required +
                             "\nrecert_days = " + std::to_string(recert_days) + "\n",
                         file);
}

std::optional<DataError> load_error(const std::string& text) {
    return testutil::data_error([&] { parse_program(text, file); });
}

} // namespace

TEST_SUITE_BEGIN("level-of-care");

TEST_CASE("asam-reassess: more than review_days after enrollment or the last assessment") {
    const Record none = record("");
    CHECK(findings(none, ymd(2026, 12, 2), "asam-reassess").empty()); // 30 days
    auto f = findings(none, ymd(2026, 12, 3), "asam-reassess");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::warning);
    CHECK_FALSE(f[0].week.has_value());
    CHECK(f[0].message == "ASAM dimensions not assessed for 31 days (since enrollment on "
                          "2026-11-02), reassess every 30 days");
    CHECK(f[0].arose == ymd(2026, 12, 3));
    CHECK(findings(none, ymd(2026, 12, 20), "asam-reassess")[0].arose == ymd(2026, 12, 3));

    const Record assessed = record(assessment("2026-11-10", "111111", "2.1"));
    CHECK(findings(assessed, ymd(2026, 12, 3), "asam-reassess").empty());
    CHECK(findings(assessed, ymd(2026, 12, 10), "asam-reassess").empty());
    f = findings(assessed, ymd(2026, 12, 11), "asam-reassess");
    REQUIRE(f.size() == 1);
    CHECK(f[0].message == "ASAM dimensions not assessed for 31 days (since 2026-11-10), "
                          "reassess every 30 days");
    CHECK(f[0].arose == ymd(2026, 12, 11));

    SUBCASE("the program's days") {
        const Program p = parse_program("schema_version = 1\n[asam]\nreview_days = 7\n", file);
        CHECK(p.asam_review_days == 7);
        CHECK(findings(p, assessed, ymd(2026, 11, 17), "asam-reassess").empty());
        REQUIRE(findings(p, assessed, ymd(2026, 11, 18), "asam-reassess").size() == 1);
        CHECK(findings(p, assessed, ymd(2026, 11, 18), "asam-reassess")[0].message ==
              "ASAM dimensions not assessed for 8 days (since 2026-11-10), reassess every 7 days");
    }
}

TEST_CASE("asam-unaddressed: a dimension rated 3 or more with no open goal of that dimension") {
    const std::string rated = assessment("2026-11-03", "103142");
    CHECK(findings(record(rated), ymd(2026, 11, 10), "asam-unaddressed").empty()); // 7 days
    auto f = findings(record(rated), ymd(2026, 11, 11), "asam-unaddressed");
    REQUIRE(f.size() == 2); // dimensions 3 and 5; 4 and 6 are rated below 3
    CHECK(f[0].severity == Severity::warning);
    CHECK(f[0].message == "ASAM dimension 3 rated 3 on 2026-11-03 has no open goal of that "
                          "dimension, due within 7 days");
    CHECK(f[1].message == "ASAM dimension 5 rated 4 on 2026-11-03 has no open goal of that "
                          "dimension, due within 7 days");
    CHECK(f[0].arose == ymd(2026, 11, 11));

    SUBCASE("an open goal of the dimension addresses it; one of another dimension does not") {
        const std::string goals = goal("G1", "2026-11-04", "add", 5) +
                                  goal("G2", "2026-11-04", "add", 4) +
                                  goal("G3", "2026-11-04", "add");
        f = findings(record(rated + goals), ymd(2026, 11, 11), "asam-unaddressed");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message.rfind("ASAM dimension 3 rated 3", 0) == 0);
        // A goal achieved or dropped no longer addresses it.
        const std::string closed = goals + goal("G1", "2026-11-09", "achieved");
        CHECK(findings(record(rated + closed), ymd(2026, 11, 11), "asam-unaddressed").size() == 2);
    }
    SUBCASE("only the latest assessment counts") {
        const std::string better = rated + assessment("2026-11-20", "101121");
        CHECK(findings(record(better), ymd(2026, 11, 30), "asam-unaddressed").empty());
        const std::string worse = better + assessment("2026-11-25", "101131");
        f = findings(record(worse), ymd(2026, 12, 3), "asam-unaddressed");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message == "ASAM dimension 5 rated 3 on 2026-11-25 has no open goal of that "
                              "dimension, due within 7 days");
        CHECK(f[0].arose == ymd(2026, 12, 3));
    }
    SUBCASE("plan.goals_within_days") {
        const Program p =
            parse_program("schema_version = 1\n[plan]\ngoals_within_days = 2\n", file);
        CHECK(findings(p, record(rated), ymd(2026, 11, 5), "asam-unaddressed").empty());
        CHECK(findings(p, record(rated), ymd(2026, 11, 6), "asam-unaddressed")[0].message ==
              "ASAM dimension 3 rated 3 on 2026-11-03 has no open goal of that dimension, due "
              "within 2 days");
    }
}

TEST_CASE("level-of-care: a level other than 2.1 until a later assessment or placement or "
          "discharge") {
    CHECK(findings(record(assessment("2026-11-03", "111111", "2.1")), ymd(2026, 11, 10),
                   "level-of-care")
              .empty());
    CHECK(findings(record(assessment("2026-11-03", "111111")), ymd(2026, 11, 10),
                   "level-of-care")
              .empty()); // no level recommended

    const std::string up = assessment("2026-11-03", "112232", "2.5");
    auto f = findings(record(up), ymd(2026, 11, 10), "level-of-care");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::warning);
    CHECK(f[0].message ==
          "assessment of 2026-11-03 recommends level 2.5: step up or record why not");
    CHECK(f[0].arose == ymd(2026, 11, 3));
    CHECK(f[0].noticed == ymd(2026, 11, 3));

    for (const char* level : {"0.5", "1"}) {
        CAPTURE(level);
        f = findings(record(assessment("2026-11-03", "000000", level)), ymd(2026, 11, 10),
                     "level-of-care");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message == fmt::format("assessment of 2026-11-03 recommends level {}: step "
                                          "down or record why not",
                                          level));
    }
    for (const char* level : {"3.1", "3.3", "3.5", "3.7", "4"}) {
        CAPTURE(level);
        f = findings(record(assessment("2026-11-03", "333333", level)), ymd(2026, 11, 10),
                     "level-of-care");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message.find("step up") != std::string::npos);
    }

    SUBCASE("a later assessment clears it, or raises its own") {
        CHECK(findings(record(up + assessment("2026-11-08", "111111", "2.1")), ymd(2026, 11, 10),
                       "level-of-care")
                  .empty());
        f = findings(record(up + assessment("2026-11-08", "000000", "1")), ymd(2026, 11, 10),
                     "level-of-care");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message ==
              "assessment of 2026-11-08 recommends level 1: step down or record why not");
        CHECK(f[0].arose == ymd(2026, 11, 8));
    }
    SUBCASE("a placement event on or after the assessment answers it") {
        const Record kept = record(up + placement("2026-11-05"));
        CHECK(findings(kept, ymd(2026, 11, 4), "level-of-care").size() == 1); // not yet
        CHECK(findings(kept, ymd(2026, 11, 5), "level-of-care").empty());
        CHECK(findings(record(up + placement("2026-11-03")), ymd(2026, 11, 10), "level-of-care")
                  .empty());
        // A placement before the assessment answered an older one.
        const Record old = record(placement("2026-11-02") + up);
        CHECK(findings(old, ymd(2026, 11, 10), "level-of-care").size() == 1);
        // The next assessment that recommends another level asks again.
        const Record again =
            record(up + placement("2026-11-05") + assessment("2026-11-09", "112232", "3.1"));
        f = findings(again, ymd(2026, 11, 10), "level-of-care");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message ==
              "assessment of 2026-11-09 recommends level 3.1: step up or record why not");
    }
    SUBCASE("a discharge ends it") {
        const Record out = record(up + event("2026-11-06", "discharged", "reason = \"step-up\"\n"));
        CHECK(findings(out, ymd(2026, 11, 10), "level-of-care").empty());
    }
}

TEST_CASE("certification: required true or \"medicare\" or false: the first within 7 days and "
          "then every recert_days") {
    const Record none = record("");
    const Program always = certifying("true");
    CHECK(always.certification_required == Program::Need::always);
    CHECK(findings(always, none, ymd(2026, 11, 9), "certification").empty()); // 7 days
    auto f = findings(always, none, ymd(2026, 11, 10), "certification");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::error);
    CHECK(f[0].message == "no physician certification 8 days after enrollment on 2026-11-02, "
                          "due within 7 days");
    CHECK(f[0].arose == ymd(2026, 11, 10));

    // Off by default, and for a program.toml without the key.
    CHECK(default_program().certification_required == Program::Need::never);
    CHECK(findings(none, ymd(2026, 12, 30), "certification").empty());
    CHECK(findings(certifying("false"), none, ymd(2026, 12, 30), "certification").empty());
    const Program old =
        parse_program("schema_version = 1\n[certification]\nrecert_days = 30\n", file);
    CHECK(old.certification_required == Program::Need::never);
    CHECK(old.certification_recert_days == 30);
    CHECK(parse_program(default_program_toml(), file).certification_required ==
          Program::Need::never);

    SUBCASE("\"medicare\": patients whose insurance names Medicare, in any case") {
        const Program medicare = certifying("\"medicare\"");
        CHECK(medicare.certification_required == Program::Need::medicare);
        CHECK(findings(medicare, none, ymd(2026, 11, 20), "certification").empty());
        CHECK(findings(medicare, record("", "insurance = \"Acme Health\"\n"), ymd(2026, 11, 20),
                       "certification")
                  .empty());
        CHECK(findings(medicare, record("", "insurance = \"MEDICARE Part B\"\n"), ymd(2026, 11, 20),
                       "certification")
                  .size() == 1);
        CHECK(findings(medicare, record("", "insurance = \"Acme medicare advantage\"\n"),
                       ymd(2026, 11, 20), "certification")
                  .size() == 1);
    }
    SUBCASE("a certification, then recertification every recert_days") {
        const Record certified = record(certification("2026-11-05"));
        CHECK(findings(always, certified, ymd(2026, 11, 20), "certification").empty());
        CHECK(findings(always, certified, ymd(2027, 1, 4), "certification").empty()); // 60 days
        f = findings(always, certified, ymd(2027, 1, 5), "certification");
        REQUIRE(f.size() == 1);
        CHECK(f[0].message == "physician certification of 2026-11-05 is 61 days old, recertify "
                              "every 60 days");
        CHECK(f[0].arose == ymd(2027, 1, 5));
        const Record again = record(certification("2026-11-05") + certification("2026-12-20"));
        CHECK(findings(always, again, ymd(2027, 1, 5), "certification").empty());
        const Program monthly = certifying("true", 30);
        CHECK(findings(monthly, certified, ymd(2026, 12, 5), "certification").empty());
        CHECK(findings(monthly, certified, ymd(2026, 12, 6), "certification")[0].message ==
              "physician certification of 2026-11-05 is 31 days old, recertify every 30 days");
    }
    SUBCASE("a late certification does not count before its date") {
        const Record late = record(certification("2026-11-12"));
        CHECK(findings(always, late, ymd(2026, 11, 11), "certification").size() == 1);
        CHECK(findings(always, late, ymd(2026, 11, 12), "certification").empty());
    }
    SUBCASE("only while active") {
        const Record out = record(event("2026-11-06", "discharged", "reason = \"moved\"\n"));
        CHECK(findings(always, out, ymd(2026, 12, 30), "certification").empty());
    }
}

TEST_CASE("certification.required and recert_days: bad values are refused with their position") {
    REQUIRE_LOAD_ERROR(a, "schema_version = 1\n[certification]\nrequired = \"always\"\n");
    CHECK(a.pos().line == 3);
    CHECK(a.detail() == "[certification] required must be true, false or \"medicare\"");
    REQUIRE_LOAD_ERROR(b, "schema_version = 1\n[certification]\nrequired = 1\n");
    CHECK(b.detail() == "[certification] required must be true, false or \"medicare\"");
    REQUIRE_LOAD_ERROR(c, "schema_version = 1\n[certification]\nrecert_days = 0\n");
    CHECK(c.detail() == "'[certification].recert_days' is 0, must be between 1 and 3650");
    REQUIRE_LOAD_ERROR(d, "schema_version = 1\n[certification]\nrequire = true\n");
    CHECK(d.detail().rfind("unknown key '[certification].require'", 0) == 0);
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\n[asam]\nreview_days = 0\n");
    CHECK(e.detail() == "'[asam].review_days' is 0, must be between 1 and 3650");
}

TEST_CASE("the ASAM assessment as a record holds it: ratings 0-4 and a known level") {
    const Record r = record(assessment("2026-11-03", "012344", "3.7"));
    const auto* a = std::get_if<AsamAssessment>(&r.journal.at(0));
    REQUIRE(a);
    CHECK(a->ratings == std::array<int, 6>{0, 1, 2, 3, 4, 4});
    CHECK(a->level == "3.7");
    CHECK(render_entry(r.journal.at(0)) ==
          "\n[[assessment]]\nkind = \"asam\"\ndate = 2026-11-03\nd1 = 0\nd2 = 1\nd3 = 2\nd4 = 3\n"
          "d5 = 4\nd6 = 4\nlevel = \"3.7\"\nrecorded_by = \"\"\n");
    auto bad = [](const std::string& entry) {
        return testutil::data_error([&] { record(entry); });
    };
    auto rating = bad(assessment("2026-11-03", "015111"));
    REQUIRE(rating);
    CHECK(rating->detail().find("d3") != std::string::npos);
    auto level = bad(assessment("2026-11-03", "011111", "2.2"));
    REQUIRE(level);
    CHECK(level->detail() == "'level' must be one of: 0.5, 1, 2.1, 2.5, 3.1, 3.3, 3.5, 3.7, 4");
    CHECK(asam_dimension_names()[0] == "Acute intoxication and/or withdrawal potential");
    CHECK(asam_dimension_names()[5] == "Recovery/living environment");
}

TEST_SUITE_END();
