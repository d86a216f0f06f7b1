// The journal merge of iop's git merge driver (include/iop/journal_merge.hpp):
// entries, not bytes; a result that would not load is a conflict.
#include "iop/calendar.hpp"
#include "iop/error.hpp"
#include "iop/journal_merge.hpp"
#include "iop/record.hpp"
#include "testutil.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>

TEST_SUITE_BEGIN("journal_merge");

namespace {

const std::string header = testutil::jane_doe_header;

// A session block as iop appends it, recorded at 2026-11-DDT10:MM:00Z.
std::string session(int day_of_month, int minute = 0, const std::string& by = "a") {
    return fmt::format("\n[[session]]\ndate = 2026-11-{:02}\nkind = \"group\"\n"
                       "topic = \"illness\"\nhours = 3.0\nstatus = \"attended\"\n"
                       "recorded_by = \"{}\"\nrecorded_at = 2026-11-{:02}T10:{:02}:00Z\n",
                       day_of_month, by, day_of_month, minute);
}

iop::JournalMerge merge(const std::string& base, const std::string& ours,
                        const std::string& theirs) {
    auto m = iop::merge_appends(base, ours, theirs);
    auto swapped = iop::merge_appends(base, theirs, ours);
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


TEST_CASE("journal merge: closures.toml merges like a patient file and must load as closures") {
    auto entry = [](const char* from, const char* by, int minute) {
        iop::ClosureEntry e;
        e.from = *iop::parse_date(from);
        e.to = e.from;
        e.reason = "holiday";
        e.recorded_by = by;
        e.recorded_at = fmt::format("2026-11-20T10:{:02}:00Z", minute);
        return iop::render_closure(e);
    };
    const std::string base = iop::closures_header() + entry("2026-11-26", "a", 0);
    const std::string a = entry("2026-12-25", "a", 5), b = entry("2027-01-01", "b", 1);
    auto m = iop::merge_appends(base, base + a, base + b, "closures.toml",
                                iop::JournalFile::closures);
    REQUIRE(m.clean());
    CHECK(m.text == base + b + a); // by recorded_at
    REQUIRE(iop::parse_closures(m.text, "closures.toml").size() == 3);
    // Read as a patient file, the same merge would not load: the kind decides.
    CHECK_FALSE(iop::merge_appends(base, base + a, base + b).clean());
    // An entry that would not load as a closure is a conflict.
    std::string bad = a;
    bad.replace(bad.find("\"add\""), 5, "\"shut\"");
    auto broken = iop::merge_appends(base, base + bad, base + b, "closures.toml",
                                     iop::JournalFile::closures);
    CHECK_FALSE(broken.clean());
    CHECK(broken.conflict.find("the merged closures would not load") != std::string::npos);
}

TEST_CASE("journal merge: a void on one side, a session on the other; the void still applies") {
    std::string base = header + session(3);
    const iop::Record before = iop::parse_record(base, "base");
    const std::string ref = iop::entry_refs(before).front();
    std::string v = fmt::format("\n[[event]]\ntype = \"void\"\ndate = 2026-11-06\nentry = "
                                "\"{}\"\nreason = \"wrong patient\"\nrecorded_by = \"a\"\n"
                                "recorded_at = 2026-11-06T10:00:00Z\n",
                                ref);
    std::string b = session(5, 0, "b");
    auto m = merge(base, base + v, base + b);
    REQUIRE(m.clean());
    CHECK(m.text == base + b + v);
    const iop::Record after = iop::parse_record(m.text, "merged");
    CHECK(after.journal.size() == 1);
    CHECK(after.voided.size() == 2);
    CHECK(iop::entry_refs(after).front() == ref); // references survive the merge
}

TEST_SUITE_END();
