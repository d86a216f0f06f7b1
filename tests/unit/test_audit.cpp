// Checks of the records directory itself (include/iop/audit.hpp): the
// permission findings and leftover temporary files, on a temporary directory
// made by Store::init; the Store lists, probes and removes, audit judges.
#include "iop/audit.hpp"
#include "iop/error.hpp"
#include "iop/store.hpp"
#include "testutil.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

using testutil::TempDir;

// A records directory made by Store::init (0700, 0700, 0600).
struct Clinic {
    TempDir tmp;
    fs::path root = tmp.path / "clinic";
    Clinic() { iop::Store::init(root); }
    fs::path patients() const { return root / "patients"; }
};

void spit(const fs::path& p, const std::string& text, mode_t mode = 0600) {
    std::ofstream(p, std::ios::binary) << text;
    REQUIRE(::chmod(p.c_str(), mode) == 0);
}

// Sets an environment variable for one test case, restoring it after.
struct EnvGuard {
    std::string name;
    std::optional<std::string> old;
    EnvGuard(std::string n, const char* value) : name(std::move(n)) {
        if (const char* v = std::getenv(name.c_str()))
            old = v;
        if (value)
            ::setenv(name.c_str(), value, 1);
        else
            ::unsetenv(name.c_str());
    }
    ~EnvGuard() {
        if (old)
            ::setenv(name.c_str(), old->c_str(), 1);
        else
            ::unsetenv(name.c_str());
    }
};

std::vector<std::string> files_of(const std::vector<iop::FileFinding>& findings) {
    std::vector<std::string> out;
    for (const auto& f : findings)
        out.push_back(f.file);
    return out;
}

} // namespace

TEST_SUITE_BEGIN("audit");

TEST_CASE("a private records directory has no permission findings") {
    Clinic c;
    spit(c.patients() / "P-0001.toml", "x\n");
    iop::Store store(c.root);
    CHECK(iop::permission_findings(store, {"P-0001"}).empty());
}

TEST_CASE("permission findings: the directories, then the records, each with its chmod") {
    EnvGuard no_git("IOP_NO_GIT", nullptr);
    Clinic c;
    spit(c.patients() / "P-0001.toml", "x\n", 0644);
    spit(c.patients() / "P-0002.toml", "x\n", 0600);
    spit(c.patients() / "P-0003.toml", "x\n", 0606);
    REQUIRE(::chmod(c.root.c_str(), 0755) == 0);
    REQUIRE(::chmod(c.patients().c_str(), 0750) == 0);
    iop::Store store(c.root);
    auto findings = iop::permission_findings(store, {"P-0001", "P-0002", "P-0003"});
    CHECK(files_of(findings) == std::vector<std::string>{c.root.string(), "patients/",
                                                         "patients/P-0001.toml",
                                                         "patients/P-0003.toml"});
    REQUIRE(findings.size() == 4);
    for (const auto& f : findings) {
        CHECK(f.finding.rule == "permissions");
        CHECK(f.finding.severity == iop::Severity::warning);
    }
    CHECK(findings[0].finding.message ==
          "the records directory has mode 0755: group and others can list and enter it; these "
          "are health records, run 'chmod 700 " +
              c.root.string() + "'");
    CHECK(findings[1].finding.message ==
          "the patients directory has mode 0750: group can list and enter it; these are health "
          "records, run 'chmod 700 " +
              c.patients().string() + "'");
    CHECK(findings[2].finding.message ==
          "the record has mode 0644: group and others can read it; these are health records, "
          "run 'chmod 600 " +
              (c.patients() / "P-0001.toml").string() + "'");
    CHECK(findings[3].finding.message.starts_with(
        "the record has mode 0606: others can read and write it;"));
}

TEST_CASE("permission findings pass over what is missing or not a regular file") {
    Clinic c;
    fs::create_symlink("/etc/passwd", c.patients() / "P-0001.toml");
    fs::create_directory(c.patients() / "P-0002.toml");
    REQUIRE(::chmod((c.patients() / "P-0002.toml").c_str(), 0755) == 0);
    iop::Store store(c.root);
    CHECK(iop::permission_findings(store, {"P-0001", "P-0002", "P-0009"}).empty());
}

TEST_CASE("an open git directory is reported after the directories, before the records") {
    EnvGuard no_git("IOP_NO_GIT", "1"); // the mode alone decides: no git runs
    Clinic c;
    fs::create_directory(c.root / ".git");
    REQUIRE(::chmod((c.root / ".git").c_str(), 0755) == 0);
    spit(c.patients() / "P-0001.toml", "x\n", 0640);
    iop::Store store(c.root);
    auto findings = iop::permission_findings(store, {"P-0001"});
    CHECK(files_of(findings) == std::vector<std::string>{".git/", "patients/P-0001.toml"});
    REQUIRE(!findings.empty());
    CHECK(findings[0].finding.message.starts_with(
        "the git repository has mode 0755: group and others can list and enter it; it keeps "
        "every version of the records, run 'chmod -R go-rwx "));
    REQUIRE(::chmod((c.root / ".git").c_str(), 0700) == 0);
    CHECK(files_of(iop::permission_findings(store, {"P-0001"})) ==
          std::vector<std::string>{"patients/P-0001.toml"});
}

TEST_CASE("stale temporary files: listed, probed under the lock, reported and removed") {
    Clinic c;
    iop::Store store(c.root);
    spit(c.patients() / ".P-0001.toml.tmp-Ab12Cd", "half a record");
    spit(c.root / ".program.toml.tmp-abcdef", "half a program");
    auto temps = store.temp_files();
    REQUIRE(temps.size() == 2);

    // No writer has started: no lock file, none created by the probe.
    CHECK_FALSE(store.writer_active());
    CHECK_FALSE(fs::exists(c.root / std::string(iop::lock_file_name)));
    {
        iop::Lock held = store.lock(0);
        CHECK(store.writer_active());
    }
    CHECK_FALSE(store.writer_active()); // the lock file stays, the lock does not

    iop::FileFinding f = iop::stale_temp_finding(temps[1]);
    CHECK(f.file == "patients/.P-0001.toml.tmp-Ab12Cd");
    CHECK(f.finding.rule == "stale-temp");
    CHECK(f.finding.severity == iop::Severity::warning);
    CHECK(f.finding.message == "leftover temporary file of an interrupted write, ignored by iop; "
                               "remove it with 'iop check --clean'");

    CHECK(iop::Store::temp_exists(temps[1]));
    iop::Store::remove_temp(temps[1]);
    CHECK_FALSE(iop::Store::temp_exists(temps[1]));
    CHECK_NOTHROW(iop::Store::remove_temp(temps[1])); // already gone: no error
    CHECK(store.temp_files().size() == 1);
    CHECK(fs::exists(c.root / "program.toml"));
}

TEST_CASE("a temporary file that cannot be removed is an IoError naming it") {
    Clinic c;
    iop::Store store(c.root);
    const fs::path temp = c.patients() / ".P-0001.toml.tmp-Ab12Cd";
    spit(temp, "x");
    auto temps = store.temp_files();
    REQUIRE(temps.size() == 1);
    // Replaced by a directory after the listing: unlink(2) refuses it, even as root.
    fs::remove(temp);
    fs::create_directory(temp);
    try {
        iop::Store::remove_temp(temps[0]);
        FAIL("no IoError");
    } catch (const iop::IoError& e) {
        CHECK(std::string(e.what()) ==
              "cannot remove patients/.P-0001.toml.tmp-Ab12Cd: Is a directory");
    }
    CHECK(iop::Store::temp_exists(temps[0]));
}

TEST_CASE("the names iop gives its files: .gitignore covers the lock and the temporary files") {
    const std::string text = iop::Store::gitignore_text();
    CHECK(text.find(".iop.lock\n") != std::string::npos);
    CHECK(text.find(".*.tmp-*\n") != std::string::npos);
    CHECK(iop::temp_name_prefix(iop::program_file_name) == ".program.toml.tmp-");
    CHECK(iop::temp_name_target(".closures.toml.tmp-abc123") ==
          std::string(iop::closures_file_name));
}

TEST_SUITE_END();
