// Git as the audit trail (include/iop/git.hpp): the arguments and
// environment git runs with, parsing `git log`, and the [storage] table of
// program.toml. Nothing here runs git. (Commit subjects: test_subjects.cpp;
// the journal merge: test_journal_merge.cpp.)
#include "iop/error.hpp"
#include "iop/git.hpp"
#include "iop/program.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <string>

TEST_SUITE_BEGIN("git");

namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

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

TEST_CASE("the merge driver's command line is quoted for the shell git runs it with") {
    CHECK(iop::git::shell_quote("/usr/bin/iop") == "'/usr/bin/iop'");
    CHECK(iop::git::shell_quote("/opt/my iop/it's") == "'/opt/my iop/it'\\''s'");
    auto steps = iop::git::merge_driver_invocations("d", "/opt/my iop/iop");
    REQUIRE(steps.size() == 2);
    CHECK(steps[1].argv.back() == "'/opt/my iop/iop' __merge-journal %O %A %B %P");
    CHECK(iop::git::gitattributes_text().find("patients/*.toml merge=iop-journal\n") !=
          std::string::npos);
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
