// "did you mean ...?" (include/iop/suggest.hpp).
#include "iop/suggest.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

const std::vector<std::string> commands = {"init", "enroll",    "attend",   "screen",    "med",
                                           "plan", "aftercare", "graduate", "discharge", "show",
                                           "list", "check",     "remind",   "import",    "export"};

} // namespace

TEST_SUITE_BEGIN("suggest");

TEST_CASE("edit_distance: insertions, deletions, substitutions") {
    CHECK(iop::edit_distance("", "") == 0);
    CHECK(iop::edit_distance("abc", "abc") == 0);
    CHECK(iop::edit_distance("", "abc") == 3);
    CHECK(iop::edit_distance("abc", "") == 3);
    CHECK(iop::edit_distance("attnd", "attend") == 1);
    CHECK(iop::edit_distance("attend", "attnd") == 1);
    CHECK(iop::edit_distance("atend", "attend") == 1);
    CHECK(iop::edit_distance("kitten", "sitting") == 3);
    CHECK(iop::edit_distance("flaw", "lawn") == 2);
    CHECK(iop::edit_distance("screen", "sceern") == 2);
}

TEST_CASE("edit_distance: an adjacent transposition costs one") {
    CHECK(iop::edit_distance("ab", "ba") == 1);
    CHECK(iop::edit_distance("gruop", "group") == 1);
    CHECK(iop::edit_distance("atetnd", "attend") == 1);
    // Optimal string alignment: no edits inside a transposed pair.
    CHECK(iop::edit_distance("ca", "abc") == 3);
}

TEST_CASE("edit_distance ignores ASCII case, transpositions included") {
    CHECK(iop::edit_distance("Group", "group") == 0);
    CHECK(iop::edit_distance("ATTEND", "attend") == 0);
    CHECK(iop::edit_distance("Gruop", "group") == 1);
    CHECK(iop::edit_distance("AB", "ba") == 1);
    CHECK(iop::edit_distance("aB", "Ba") == 1);
}

TEST_CASE("closest finds what was meant") {
    CHECK(iop::closest("attnd", commands) == std::optional<std::string>("attend"));
    CHECK(iop::closest("atend", commands) == std::optional<std::string>("attend"));
    CHECK(iop::closest("enrol", commands) == std::optional<std::string>("enroll"));
    CHECK(iop::closest("graduat", commands) == std::optional<std::string>("graduate"));
    CHECK(iop::closest("dischrage", commands) == std::optional<std::string>("discharge"));
    CHECK(iop::closest("shwo", commands) == std::optional<std::string>("show"));
    CHECK(iop::closest("mde", commands) == std::optional<std::string>("med"));
    CHECK(iop::closest("Attend", commands) == std::optional<std::string>("attend"));
    CHECK(iop::closest("P-0010", {"P-0001", "P-0002", "Q-9999"}) ==
          std::optional<std::string>("P-0001"));
    CHECK(iop::closest("illnes", {"illness", "stress", "family"}) ==
          std::optional<std::string>("illness"));
}

TEST_CASE("closest suggests nothing for far or empty words") {
    CHECK_FALSE(iop::closest("xyzzy", commands).has_value());
    CHECK_FALSE(iop::closest("frobnicate", commands).has_value());
    CHECK_FALSE(iop::closest("", commands).has_value());
    CHECK_FALSE(iop::closest("attend", {}).has_value());
    // Two edits in a five-letter word is too many.
    CHECK_FALSE(iop::closest("grp", {"group"}).has_value());
    CHECK_FALSE(iop::closest("abcde", {"vwxyz"}).has_value());
    // Long input is not compared at all.
    CHECK_FALSE(iop::closest(std::string(300, 'a'), {std::string(300, 'a') + "b"}).has_value());
    // The exact name needs no suggestion.
    CHECK_FALSE(iop::closest("attend", commands).has_value());
}

TEST_CASE("closest: the first of equally near candidates wins") {
    CHECK(iop::closest("cat", {"bat", "hat"}) == std::optional<std::string>("bat"));
    CHECK(iop::closest("cat", {"hat", "bat"}) == std::optional<std::string>("hat"));
}

TEST_CASE("did_you_mean text") {
    CHECK(iop::did_you_mean("attnd", commands) == " (did you mean 'attend'?)");
    CHECK(iop::did_you_mean("sreen", commands) == " (did you mean 'screen'?)");
    CHECK(iop::did_you_mean("xyzzy", commands) == "");
    CHECK(iop::did_you_mean("", commands) == "");
}

TEST_CASE("join") {
    CHECK(iop::join({}) == "");
    CHECK(iop::join({"a"}) == "a");
    CHECK(iop::join({"a", "b", "c"}) == "a, b, c");
    CHECK(iop::join({"a", "b"}, "|") == "a|b");
}

TEST_SUITE_END();
