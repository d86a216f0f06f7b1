// Git as the audit trail (include/iop/git.hpp): commit messages, the
// arguments and environment git runs with, parsing `git log`, the journal
// merge, and the [storage] table of program.toml. Nothing here runs git.
#include "iop/error.hpp"
#include "iop/git.hpp"
#include "iop/program.hpp"
#include "testutil.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>

TEST_SUITE_BEGIN("git");

using testutil::ymd;

namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

TEST_CASE("commit subjects name the command, the id, the kind and the date") {
    iop::Session s;
    s.date = ymd(2026, 11, 3);
    s.kind = iop::SessionKind::group;
    s.topic = "illness";
    CHECK(iop::git::entry_subject("P-0001", s) == "attend P-0001: group, illness, 2026-11-03");
    s.kind = iop::SessionKind::individual;
    s.topic.clear();
    s.status = iop::SessionStatus::absent;
    s.note = "free text never goes into a subject";
    CHECK(iop::git::entry_subject("P-0001", s) == "attend P-0001: individual, 2026-11-03, absent");

    iop::Screen sc;
    sc.date = ymd(2026, 11, 4);
    sc.result = iop::ScreenResult::positive;
    CHECK(iop::git::entry_subject("P-0002", sc) == "screen P-0002: positive, 2026-11-04");

    iop::Medication m;
    m.date = ymd(2026, 11, 5);
    m.action = iop::MedAction::start;
    m.name = "naltrexone";
    // No medication name in a commit message.
    CHECK(iop::git::entry_subject("P-0003", m) == "med P-0003: start, 2026-11-05");
    m.action = iop::MedAction::stop;
    CHECK(iop::git::entry_subject("P-0003", m) == "med P-0003: stop, 2026-11-05");

    iop::Event e;
    e.date = ymd(2026, 11, 26);
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
    h.enrolled = ymd(2026, 11, 30);
    h.plan.weeks = 10;
    CHECK(iop::git::enroll_subject(h) == "enroll P-0007: from 2026-11-30, 10 weeks");
    CHECK(iop::git::import_subject("/tmp/x/sessions.csv", "imported 2 sessions for 2 patients") ==
          "import sessions.csv: imported 2 sessions for 2 patients");
    CHECK(iop::git::import_subject("-", "enrolled 1 patient") ==
          "import stdin: enrolled 1 patient");
    CHECK(iop::git::init_subject().starts_with("init: "));
    // A file name with control characters goes in escaped, never raw.
    CHECK(iop::git::import_subject("/tmp/a\x1b[31m.csv", "enrolled 1 patient") ==
          "import a\\x1b[31m.csv: enrolled 1 patient");
    CHECK(iop::git::import_subject("x\nforged: subject.csv", "s") ==
          "import x\\nforged: subject.csv: s");
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

namespace {

const std::string header = "schema_version = 1\n"
                           "id = \"P-0001\"\n"
                           "name = \"Jane Doe\"\n"
                           "enrolled = 2026-11-02\n"
                           "\n"
                           "[plan]\n"
                           "weeks = 12\n"
                           "groups_per_week = 3\n"
                           "individual_per_week = 1\n"
                           "family_per_week = 1\n";

// A session block as iop appends it, recorded at 2026-11-DDT10:MM:00Z.
std::string session(int day_of_month, int minute = 0, const std::string& by = "a") {
    return fmt::format("\n[[session]]\ndate = 2026-11-{:02}\nkind = \"group\"\n"
                       "topic = \"illness\"\nhours = 3.0\nstatus = \"attended\"\n"
                       "recorded_by = \"{}\"\nrecorded_at = 2026-11-{:02}T10:{:02}:00Z\n",
                       day_of_month, by, day_of_month, minute);
}

iop::git::JournalMerge merge(const std::string& base, const std::string& ours,
                             const std::string& theirs) {
    auto m = iop::git::merge_appends(base, ours, theirs);
    auto swapped = iop::git::merge_appends(base, theirs, ours);
    CHECK(m.clean() == swapped.clean());
    if (m.clean() && swapped.clean())
        CHECK(m.text == swapped.text);
    return m;
}

} // namespace

TEST_CASE("journal merge: both sides appended -> base, then both sides' entries by recorded_at") {
    std::string base = header + session(3);
    std::string a = session(4, 0, "a"), b = session(5, 0, "b");
    auto m = merge(base, base + a, base + b);
    REQUIRE(m.clean());
    CHECK(m.text == base + a + b);
    // Theirs recorded first: its entry comes first, whichever side is ours.
    std::string early = session(4, 0, "b"), late = session(4, 30, "a");
    CHECK(merge(base, base + late, base + early).text == base + early + late);
    // Only one side appended, or both appended the very same entries.
    CHECK(merge(base, base + a, base).text == base + a);
    CHECK(merge(base, base, base + b).text == base + b);
    CHECK(merge(base, base + a, base + a).text == base + a);
    // A record without entries yet.
    CHECK(merge(header, header + a, header + b).text == header + a + b);
    // A side without a final newline, or with extra blank lines, still gets
    // its entries whole and separated.
    std::string bare = base + a.substr(0, a.size() - 1);
    CHECK(merge(base, bare, base + b + "\n\n").text == base + a + b);
    // Each side's own order is kept, interleaved by recorded_at.
    std::string a2 = session(6, 0, "a"), b2 = session(7, 0, "b");
    CHECK(merge(base, base + a + a2, base + b + b2).text == base + a + b + a2 + b2);
}

TEST_CASE("journal merge: an entry that reached both sides by different paths is kept once") {
    std::string base = header + session(3);
    std::string picked = session(4, 0, "c"), a = session(5, 0, "a"), b = session(6, 0, "b");
    // Cherry-picked onto theirs after its own entry, appended on ours first:
    // each side's order is kept (picked before a, b before picked).
    auto m = merge(base, base + picked + a, base + b + picked);
    REQUIRE(m.clean());
    CHECK(m.text == base + b + picked + a);
    // Both sides' order agree with recorded_at: the shared entry once, in place.
    auto in_order = merge(base, base + picked + a, base + picked + b);
    REQUIRE(in_order.clean());
    CHECK(in_order.text == base + picked + a + b);
    // Two shared entries in a different order on each side: no order keeps
    // both, a conflict.
    auto crossed = merge(base, base + picked + a, base + a + picked);
    CHECK_FALSE(crossed.clean());
    CHECK(crossed.conflict ==
          "entries that both sides appended stand in a different order on each side");
    // Twice on one side and once on the other: kept twice.
    std::string twice = session(8, 0, "c");
    auto t = merge(base, base + twice + twice, base + twice);
    REQUIRE(t.clean());
    CHECK(t.text == base + twice + twice);
}

TEST_CASE("journal merge: a line added by hand to the last entry is a conflict, not a move") {
    std::string base = header + session(3);
    std::string edited = base + "note = \"added by hand\"\n";
    auto m = merge(base, edited, base + session(4, 0, "b"));
    CHECK_FALSE(m.clean());
    CHECK(m.conflict == "the entry at line 12 of ours changed an entry both sides had (line 12 "
                        "of base)");
}

TEST_CASE("journal merge: header changes, removal, reorder and unreadable text") {
    std::string base = header + session(3) + session(4);
    std::string renamed = header;
    renamed.replace(renamed.find("Jane Doe"), 8, "Jane Roe");
    std::string renamed2 = header;
    renamed2.replace(renamed2.find("Jane Doe"), 8, "Jane Moe");
    std::string tail = session(3) + session(4);
    // Header changed on one side only: taken from that side.
    auto one = merge(base, renamed + tail, base + session(5));
    REQUIRE(one.clean());
    CHECK(one.text == renamed + tail + session(5));
    // The same change on both sides is one change.
    CHECK(merge(base, renamed + tail, renamed + tail + session(5)).clean());
    // Changed differently on both sides: a conflict.
    auto both = merge(base, renamed + tail, renamed2 + tail);
    CHECK_FALSE(both.clean());
    CHECK(both.conflict.find("both sides changed the header") != std::string::npos);
    // An entry removed, or two entries swapped.
    auto removed = merge(base, header + session(3), base + session(5));
    CHECK_FALSE(removed.clean());
    CHECK(removed.conflict == "ours removed the entry at line 21 of base, which both sides had");
    auto swapped = merge(base, header + session(4) + session(3), base + session(5));
    CHECK_FALSE(swapped.clean());
    // A block that is not TOML, or a merge that would not load.
    auto broken = merge(base, base + "\n[[session]]\ndate = = 2\n", base + session(5));
    CHECK_FALSE(broken.clean());
    CHECK(broken.conflict == "the entry at line 30 of ours cannot be read on its own");
    auto unknown = merge(base, base + "\n[[session]]\nwhat = 1\n", base + session(5));
    CHECK_FALSE(unknown.clean());
    CHECK(unknown.conflict.starts_with("the merged record would not load: "));
    CHECK_FALSE(merge(base, "<<<<<<< ours\n" + base, base + session(5)).clean());
}

TEST_CASE("journal merge: random pairs of append sequences (property)") {
    std::mt19937 rng(16); // fixed seed: the same cases every run
    for (int round = 0; round < 300; ++round) {
        // Entries are distinct by (day, minute, author); a shared pool gives
        // entries that reach both sides.
        auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
        std::string base = header;
        int base_entries = pick(0, 3);
        for (int e = 0; e < base_entries; ++e)
            base += session(2 + e, 0, "base");
        std::vector<std::tuple<int, int, std::string>> ours_new, theirs_new;
        int minute = 0;
        for (int e = 0; e < pick(0, 12); ++e) {
            std::tuple<int, int, std::string> entry{pick(10, 14), minute++ % 60,
                                                    pick(0, 1) ? "a" : "b"};
            int where = pick(0, 2); // ours, theirs, both
            if (where != 1)
                ours_new.push_back(entry);
            if (where != 0)
                theirs_new.push_back(entry);
        }
        // Each site appends in the order of its clock.
        std::sort(ours_new.begin(), ours_new.end());
        std::sort(theirs_new.begin(), theirs_new.end());
        auto text = [&](const auto& entries) {
            std::string out = base;
            for (const auto& [d, m, by] : entries)
                out += session(d, m, by);
            return out;
        };
        std::string ours = text(ours_new), theirs = text(theirs_new);
        auto m = merge(base, ours, theirs);
        INFO("round ", round, ": ", m.conflict);
        REQUIRE(m.clean());
        // base, then the union of both sides' new entries, each once.
        std::vector<std::tuple<int, int, std::string>> all;
        std::set_union(ours_new.begin(), ours_new.end(), theirs_new.begin(), theirs_new.end(),
                       std::back_inserter(all));
        CHECK(m.text == text(all));
        CHECK(m.text.starts_with(base));
        auto record = iop::parse_record(m.text, "merged");
        CHECK(record.journal.size() == static_cast<std::size_t>(base_entries) + all.size());
    }
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
