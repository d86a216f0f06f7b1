// Git as the audit trail (include/iop/git.hpp): commit messages, the
// arguments and environment git runs with, parsing `git log`, the journal
// merge, and the [storage] table of program.toml. Nothing here runs git.
#include "iop/error.hpp"
#include "iop/git.hpp"
#include "iop/program.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

TEST_SUITE_BEGIN("git");

namespace {

iop::Date day(int y, unsigned m, unsigned d) {
    return iop::Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

TEST_CASE("commit subjects name the command, the id, the kind and the date") {
    iop::Session s;
    s.date = day(2026, 11, 3);
    s.kind = iop::SessionKind::group;
    s.topic = "illness";
    CHECK(iop::git::entry_subject("P-0001", s) == "attend P-0001: group, illness, 2026-11-03");
    s.kind = iop::SessionKind::individual;
    s.topic.clear();
    s.status = iop::SessionStatus::absent;
    s.note = "free text never goes into a subject";
    CHECK(iop::git::entry_subject("P-0001", s) == "attend P-0001: individual, 2026-11-03, absent");

    iop::Screen sc;
    sc.date = day(2026, 11, 4);
    sc.result = iop::ScreenResult::positive;
    CHECK(iop::git::entry_subject("P-0002", sc) == "screen P-0002: positive, 2026-11-04");

    iop::Medication m;
    m.date = day(2026, 11, 5);
    m.action = iop::MedAction::start;
    m.name = "naltrexone";
    CHECK(iop::git::entry_subject("P-0003", m) == "med P-0003: start naltrexone, 2026-11-05");

    iop::Event e;
    e.date = day(2026, 11, 26);
    e.type = iop::EventType::plan_change;
    e.plan.weeks = 12;
    e.plan.groups_per_week = 2;
    CHECK(iop::git::entry_subject("P-0004", e) ==
          "plan P-0004: change (weeks 12, groups_per_week 2), 2026-11-26");
    e.type = iop::EventType::plan_review;
    CHECK(iop::git::entry_subject("P-0004", e) == "plan P-0004: review, 2026-11-26");
    e.type = iop::EventType::aftercare;
    e.sponsor = "Luis M.";
    CHECK(iop::git::entry_subject("P-0004", e) == "aftercare P-0004: 2026-11-26");
    e.type = iop::EventType::graduated;
    CHECK(iop::git::entry_subject("P-0004", e) == "graduate P-0004: 2026-11-26");
    e.forced = true;
    CHECK(iop::git::entry_subject("P-0004", e) == "graduate P-0004: forced, 2026-11-26");
    e.type = iop::EventType::discharged;
    e.reason = "moved";
    CHECK(iop::git::entry_subject("P-0004", e) == "discharge P-0004: moved, 2026-11-26");
}

TEST_CASE("enroll, import and init subjects; no patient name") {
    iop::Header h;
    h.id = "P-0007";
    h.name = "Jane Doe";
    h.enrolled = day(2026, 11, 30);
    h.plan.weeks = 10;
    CHECK(iop::git::enroll_subject(h) == "enroll P-0007: from 2026-11-30, 10 weeks");
    CHECK(iop::git::import_subject("/tmp/x/sessions.csv", "imported 2 sessions for 2 patients") ==
          "import sessions.csv: imported 2 sessions for 2 patients");
    CHECK(iop::git::import_subject("-", "enrolled 1 patient") ==
          "import stdin: enrolled 1 patient");
    CHECK(iop::git::init_subject().starts_with("init: "));
}

TEST_CASE("argument vectors: git -C DIR, files after --, no shell") {
    auto add = iop::git::add_invocation("/r/clinic", {"patients/P-0001.toml"});
    REQUIRE(add.argv.size() >= 5);
    CHECK(add.argv[0] == "git");
    CHECK(add.argv[1] == "-C");
    CHECK(add.argv[2] == "/r/clinic");
    CHECK(add.argv[add.argv.size() - 2] == "--");
    CHECK(add.argv.back() == "patients/P-0001.toml");

    // A message with quotes and semicolons is one argument, untouched.
    std::string msg = "attend P-0001: group; \"x\" $(rm -rf /)";
    auto c = iop::git::commit_invocation("d", {"a.toml", "-b.toml"}, msg, "jrivera",
                                         "2026-11-03T17:02:11Z");
    CHECK(has(c.argv, "commit"));
    CHECK(has(c.argv, "--only"));
    CHECK(has(c.argv, msg));
    auto dashdash = std::find(c.argv.begin(), c.argv.end(), "--");
    REQUIRE(dashdash != c.argv.end());
    CHECK(std::vector<std::string>(dashdash + 1, c.argv.end()) ==
          std::vector<std::string>{"a.toml", "-b.toml"});
    using KV = std::pair<std::string, std::string>;
    CHECK(std::find(c.env.begin(), c.env.end(), KV{"GIT_AUTHOR_NAME", "jrivera"}) != c.env.end());
    CHECK(std::find(c.env.begin(), c.env.end(), KV{"GIT_AUTHOR_DATE", "2026-11-03T17:02:11Z"}) !=
          c.env.end());

    auto own = iop::git::commit_invocation("d", {"a.toml"}, "m", std::nullopt, std::nullopt);
    CHECK(std::none_of(own.env.begin(), own.env.end(),
                       [](const KV& kv) { return kv.first.starts_with("GIT_AUTHOR"); }));

    auto log = iop::git::log_invocation("d", std::string("patients/P-0001.toml"));
    CHECK(has(log.argv, "log"));
    CHECK(log.argv.back() == "patients/P-0001.toml");
    CHECK(iop::git::log_invocation("d", std::nullopt).argv.back() == ".");
}

TEST_CASE("git runs without the variables that point it at another repository") {
    std::vector<std::string> env = {"PATH=/usr/bin",
                                    "GIT_DIR=/elsewhere/.git",
                                    "GIT_INDEX_FILE=/tmp/index",
                                    "GIT_WORK_TREE=/elsewhere",
                                    "GIT_CONFIG_GLOBAL=/home/x/.gitconfig",
                                    "GIT_AUTHOR_NAME=someone",
                                    "HOME=/home/x"};
    auto out = iop::git::child_environment(env, {{"GIT_AUTHOR_NAME", "jrivera"}});
    CHECK(has(out, "PATH=/usr/bin"));
    CHECK(has(out, "HOME=/home/x"));
    CHECK(has(out, "GIT_CONFIG_GLOBAL=/home/x/.gitconfig"));
    CHECK(has(out, "GIT_AUTHOR_NAME=jrivera"));
    CHECK_FALSE(has(out, "GIT_AUTHOR_NAME=someone"));
    for (const auto& e : out) {
        CHECK_FALSE(e.starts_with("GIT_DIR="));
        CHECK_FALSE(e.starts_with("GIT_INDEX_FILE="));
        CHECK_FALSE(e.starts_with("GIT_WORK_TREE="));
    }
}

TEST_CASE("git log output is parsed field by field") {
    std::string out = "abc\x1f"
                      "2026-11-03T17:02:11+00:00\x1fjrivera\x1f\x1f"
                      "attend P-0001: group, illness, 2026-11-03\x1e\n"
                      "def\x1f"
                      "2026-11-02T09:00:00+01:00\x1fK. Patel\x1fkp@example.org\x1f"
                      "enroll P-0001: from 2026-11-02, 12 weeks\x1e\n";
    auto entries = iop::git::parse_log(out);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].commit == "abc");
    CHECK(entries[0].author == "jrivera");
    CHECK(entries[0].email.empty());
    CHECK(entries[0].subject == "attend P-0001: group, illness, 2026-11-03");
    CHECK(entries[1].date == "2026-11-02T09:00:00+01:00");
    CHECK(entries[1].email == "kp@example.org");
    CHECK(iop::git::parse_log("").empty());
}

TEST_CASE("journal merge: both sides appended -> ours, then theirs' entries, whole") {
    std::string base = "schema_version = 1\nid = \"P\"\n";
    std::string a = "\n[[session]]\ndate = 2026-11-03\nkind = \"group\"\nrecorded_by = \"a\"\n";
    std::string b = "\n[[session]]\ndate = 2026-11-04\nkind = \"group\"\nrecorded_by = \"b\"\n";
    auto merged = iop::git::merge_appends(base, base + a, base + b);
    REQUIRE(merged);
    CHECK(*merged == base + a + b);
    // Only one side appended, or both appended the very same bytes.
    CHECK(*iop::git::merge_appends(base, base + a, base) == base + a);
    CHECK(*iop::git::merge_appends(base, base, base + b) == base + b);
    CHECK(*iop::git::merge_appends(base, base + a, base + a) == base + a);
    // A side without a final newline still gets its entries separated.
    auto glued = iop::git::merge_appends(base, base + "x = 1", base + "y = 2\n");
    REQUIRE(glued);
    CHECK(*glued == base + "x = 1\n\ny = 2\n");
    // A change to what was already there is not an append: git's own merge.
    CHECK_FALSE(iop::git::merge_appends(base, "schema_version = 1\nid = \"Q\"\n", base + b));
    CHECK_FALSE(iop::git::merge_appends(base, base + a, "schema_version = 1\n"));
}

TEST_CASE("the merge driver's command line is quoted for the shell git runs it with") {
    CHECK(iop::git::shell_quote("/usr/bin/iop") == "'/usr/bin/iop'");
    CHECK(iop::git::shell_quote("/opt/my iop/it's") == "'/opt/my iop/it'\\''s'");
    auto steps = iop::git::merge_driver_invocations("d", "/opt/my iop/iop");
    REQUIRE(steps.size() == 2);
    CHECK(steps[1].argv.back() == "'/opt/my iop/iop' __merge-journal %O %A %B %P");
    CHECK(iop::git::gitattributes_text().find("patients/*.toml merge=iop-journal\n") !=
          std::string::npos);
    CHECK(iop::git::gitignore_text().find(".iop.lock\n") != std::string::npos);
}

TEST_CASE("program.toml [storage] git") {
    const std::string file = "program.toml";
    CHECK(iop::default_program().storage_git);
    CHECK(iop::parse_program(iop::default_program_toml(), file).storage_git);
    CHECK_FALSE(
        iop::parse_program("schema_version = 1\n[storage]\ngit = false\n", file).storage_git);
    CHECK(iop::parse_program("schema_version = 1\n[storage]\n", file).storage_git);
    try {
        iop::parse_program("schema_version = 1\n[storage]\ngti = false\n", file);
        FAIL("an unknown key in [storage] must be refused");
    } catch (const iop::DataError& e) {
        CHECK(e.pos().line == 3);
        CHECK(std::string(e.what()).find("gti") != std::string::npos);
    }
    try {
        iop::parse_program("schema_version = 1\n[storage]\ngit = \"no\"\n", file);
        FAIL("git must be a boolean");
    } catch (const iop::DataError& e) {
        CHECK(e.pos().line == 3);
    }
}

TEST_SUITE_END();
