// What several unit-test files need: dates, a temporary directory removed at
// the end of a case, small file helpers and a minimal valid record.
#pragma once

#include "iop/date.hpp"
#include "iop/error.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <stdlib.h>
#include <sys/stat.h>

namespace testutil {

namespace fs = std::filesystem;

inline iop::Date ymd(int y, unsigned m, unsigned d) {
    return iop::Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

// A fresh directory under $TMPDIR, removed with everything in it.
struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& prefix = "iop-unit") {
        std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
        std::vector<char> buf(pattern.begin(), pattern.end());
        buf.push_back('\0');
        REQUIRE(::mkdtemp(buf.data()) != nullptr);
        path = buf.data();
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

// Sets the umask for the life of the guard.
struct UmaskGuard {
    mode_t old;
    explicit UmaskGuard(mode_t mask) : old(::umask(mask)) {}
    ~UmaskGuard() { ::umask(old); }
    UmaskGuard(const UmaskGuard&) = delete;
    UmaskGuard& operator=(const UmaskGuard&) = delete;
};

// Permission bits of a path (not following a symbolic link).
inline unsigned mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

inline std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
}

inline void spit(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    REQUIRE(out.good());
    out << text;
}

// Sorted names in a directory, dotfiles included.
inline std::vector<std::string> listing(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// A minimal valid patient file written by hand (comments included), with
// `extra` appended: entries, usually.
inline std::string record_text(const std::string& id, const std::string& extra = "") {
    return "# " + id + ", enrolled by hand\n" + "schema_version = 1\n" + "id = \"" + id + "\"\n" +
           "name = \"Patient " + id + "\"   # a comment that must survive\n" +
           "enrolled = 2026-11-02\n" + "\n" + "[plan]\n" + "weeks = 12\n" +
           "groups_per_week = 3\n" + "individual_per_week = 1\n" + "family_per_week = 1\n" + extra;
}

// The header of a patient file as iop writes it, ten lines: P-0001, Jane
// Doe, enrolled 2026-11-02, the default plan. Entries appended to it start
// on line 11.
inline const std::string jane_doe_header = "schema_version = 1\n"
                                           "id = \"P-0001\"\n"
                                           "name = \"Jane Doe\"\n"
                                           "enrolled = 2026-11-02\n"
                                           "\n"
                                           "[plan]\n"
                                           "weeks = 12\n"
                                           "groups_per_week = 3\n"
                                           "individual_per_week = 1\n"
                                           "family_per_week = 1\n";

// The DataError that `load()` throws, or nullopt when it throws none.
template <typename Load> std::optional<iop::DataError> data_error(Load load) {
    try {
        load();
    } catch (const iop::DataError& e) {
        return e;
    }
    return std::nullopt;
}

} // namespace testutil

// `var`: the DataError that load_error(text) (a function of the test file)
// returns; the case stops when there is none.
#define REQUIRE_LOAD_ERROR(var, text)                                                              \
    auto var##_opt = load_error(text);                                                             \
    REQUIRE_MESSAGE(var##_opt.has_value(), "expected a DataError for:\n" << (text));               \
    const iop::DataError& var = *var##_opt
