// The records directory (include/iop/store.hpp). Each case works in its own
// temporary directory, removed at the end.
#include "iop/error.hpp"
#include "iop/program.hpp"
#include "iop/record.hpp"
#include "iop/store.hpp"
#include "testutil.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <csignal>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using testutil::listing;
using testutil::mode_of;
using testutil::record_text;
using testutil::slurp;
using testutil::spit;
using testutil::TempDir;
using testutil::UmaskGuard;

namespace {

const std::string session_entry = "\n[[session]]\n"
                                  "date = 2026-11-03\n"
                                  "kind = \"group\"\n"
                                  "topic = \"illness\"\n"
                                  "hours = 3.0\n"
                                  "status = \"attended\"\n"
                                  "recorded_by = \"jrivera\"\n"
                                  "recorded_at = 2026-11-03T17:02:11Z\n";

// A records directory made by Store::init, in a fresh temporary directory.
struct Clinic {
    TempDir tmp;
    fs::path root = tmp.path / "clinic";
    Clinic() { iop::Store::init(root); }
    fs::path patients() const { return root / "patients"; }
};

} // namespace

TEST_SUITE_BEGIN("store");

// ---------------------------------------------------------------- init

TEST_CASE("init creates 0700 directories and a 0600 program.toml, even with umask 022") {
    UmaskGuard mask(022);
    TempDir tmp;
    fs::path root = tmp.path / "clinic";
    iop::Store::init(root);
    CHECK(mode_of(root) == 0700u);
    CHECK(mode_of(root / "patients") == 0700u);
    CHECK(mode_of(root / "program.toml") == 0600u);
    CHECK(slurp(root / "program.toml") == iop::default_program_toml());
    CHECK(listing(root) == std::vector<std::string>{"patients", "program.toml"});
    CHECK(listing(root / "patients").empty());

    iop::Store store(root);
    CHECK(store.program().curriculum.size() == 10);
    CHECK(store.program().weeks.default_value == 12);
    CHECK(store.ids().empty());
}

TEST_CASE("init makes missing parents and tightens an existing directory") {
    UmaskGuard mask(022);
    TempDir tmp;
    const unsigned outer = mode_of(tmp.path);
    fs::path nested = tmp.path / "a" / "b" / "clinic";
    iop::Store::init(nested);
    CHECK(mode_of(nested) == 0700u);
    // The parents iop made are as private as the directory (not 0755 from
    // the umask); the one that existed is left as it was.
    CHECK(mode_of(tmp.path / "a") == 0700u);
    CHECK(mode_of(tmp.path / "a" / "b") == 0700u);
    CHECK(mode_of(tmp.path) == outer);
    CHECK(fs::is_regular_file(nested / "program.toml"));

    fs::path open_dir = tmp.path / "existing";
    REQUIRE(::mkdir(open_dir.c_str(), 0755) == 0);
    REQUIRE(mode_of(open_dir) == 0755u);
    iop::Store::init(open_dir);
    CHECK(mode_of(open_dir) == 0700u);
    CHECK(mode_of(open_dir / "patients") == 0700u);
    CHECK(mode_of(open_dir / "program.toml") == 0600u);
}

TEST_CASE("a second init is refused and changes nothing") {
    Clinic c;
    const std::string edited = iop::default_program_toml() + "# edited by the coordinator\n";
    spit(c.root / "program.toml", edited);
    try {
        iop::Store::init(c.root);
        FAIL("expected Refused");
    } catch (const iop::Refused& e) {
        CHECK(e.code() == 1);
        CHECK(std::string(e.what()).find("already holds a program.toml") != std::string::npos);
    }
    CHECK(slurp(c.root / "program.toml") == edited);
    CHECK(listing(c.root) == std::vector<std::string>{"patients", "program.toml"});

    // A program.toml that is a link, even a dangling one, is not overwritten either.
    TempDir other;
    fs::create_symlink(other.path / "nowhere.toml", other.path / "program.toml");
    CHECK_THROWS_AS(iop::Store::init(other.path), iop::Refused);
    CHECK_FALSE(fs::exists(other.path / "nowhere.toml"));
}

TEST_CASE("a patients/ that is a symbolic link is refused, naming where it points") {
    Clinic c;
    fs::path elsewhere = c.tmp.path / "elsewhere";
    fs::rename(c.patients(), elsewhere);
    fs::create_symlink(elsewhere, c.patients());
    spit(elsewhere / "P-0001.toml", record_text("P-0001"));
    try {
        iop::Store store(c.root);
        FAIL("expected IoError");
    } catch (const iop::IoError& e) {
        CHECK(e.code() == iop::exit_io);
        CHECK(std::string(e.what()) ==
              fmt::format("patients/ is a symbolic link (to {}); iop does not follow links for "
                          "records: make it a directory of its own",
                          elsewhere.string()));
    }
    // init refuses it the same way (it would make the link's target 0700).
    fs::remove(c.root / "program.toml");
    try {
        iop::Store::init(c.root);
        FAIL("expected IoError");
    } catch (const iop::IoError& e) {
        CHECK(std::string(e.what()).find("is a symbolic link (to " + elsewhere.string() + ")") !=
              std::string::npos);
    }
    CHECK(slurp(elsewhere / "P-0001.toml") == record_text("P-0001"));
}

// ---------------------------------------------------------------- discover

TEST_CASE("discover: --dir, then $IOP_DIR, then the nearest parent holding program.toml") {
    Clinic a;
    TempDir tmp2;
    fs::path b = tmp2.path / "b";
    iop::Store::init(b);

    // Explicit dir wins over the environment and the current directory.
    CHECK(iop::Store::discover(a.root.string(), b.c_str(), b) == a.root);
    // The environment comes next.
    CHECK(iop::Store::discover(std::nullopt, b.c_str(), a.root) == b);
    // An empty $IOP_DIR counts as unset.
    CHECK(iop::Store::discover(std::nullopt, "", a.root) == a.root);

    // The current directory itself, or its nearest parent with a program.toml.
    fs::path deep = a.root / "patients" / "x" / "y";
    fs::create_directories(deep);
    CHECK(iop::Store::discover(std::nullopt, nullptr, a.root) == a.root);
    CHECK(iop::Store::discover(std::nullopt, nullptr, deep) == a.root);
    fs::path inner = a.root / "patients" / "x";
    spit(inner / "program.toml", iop::default_program_toml());
    CHECK(iop::Store::discover(std::nullopt, nullptr, deep) == inner);
}

TEST_CASE("discover: a --dir or $IOP_DIR that is not a records directory is a usage error") {
    TempDir tmp;
    fs::path missing = tmp.path / "missing";
    try {
        iop::Store::discover(missing.string(), nullptr, tmp.path);
        FAIL("expected UsageError");
    } catch (const iop::UsageError& e) {
        CHECK(e.code() == 2);
        std::string msg = e.what();
        CHECK(msg.find(missing.string()) != std::string::npos);
        CHECK(msg.find("from --dir") != std::string::npos);
        CHECK(msg.find("does not exist") != std::string::npos);
    }
    try {
        iop::Store::discover(std::nullopt, tmp.path.c_str(), tmp.path);
        FAIL("expected UsageError");
    } catch (const iop::UsageError& e) {
        std::string msg = e.what();
        CHECK(msg.find("from $IOP_DIR") != std::string::npos);
        CHECK(msg.find("has no program.toml") != std::string::npos);
    }
    // A --dir without program.toml is refused even when the cwd has one.
    Clinic c;
    CHECK_THROWS_AS(iop::Store::discover(tmp.path.string(), nullptr, c.root), iop::UsageError);
}

// A program.toml that is a FIFO or a directory is reported for what it is,
// never opened (a FIFO would block), by --dir and by the search upwards.
TEST_CASE("discover: a program.toml that is not a regular file is reported as such") {
    TempDir tmp;
    fs::path fifo_dir = tmp.path / "fifo";
    fs::path dir_dir = tmp.path / "dir";
    fs::create_directories(fifo_dir / "sub");
    fs::create_directories(dir_dir / "program.toml");
    REQUIRE(::mkfifo((fifo_dir / "program.toml").c_str(), 0600) == 0);
    auto refused = [](const std::function<void()>& f) {
        try {
            f();
        } catch (const iop::IoError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const std::string fifo_msg =
        (fifo_dir / "program.toml").string() + " is not a regular file (a FIFO)";
    CHECK(refused([&] { iop::Store::discover(fifo_dir.string(), nullptr, tmp.path); }) == fifo_msg);
    CHECK(refused([&] { iop::Store::discover(std::nullopt, fifo_dir.c_str(), tmp.path); }) ==
          fifo_msg);
    CHECK(refused([&] { iop::Store::discover(std::nullopt, nullptr, fifo_dir / "sub"); }) ==
          fifo_msg);
    CHECK(refused([&] { iop::Store::discover(dir_dir.string(), nullptr, tmp.path); }) ==
          (dir_dir / "program.toml").string() + " is not a regular file (a directory)");
    // Searching upwards, a directory by that name is passed over.
    CHECK_THROWS_AS(iop::Store::discover(std::nullopt, nullptr, dir_dir), iop::UsageError);
    // init does not replace either.
    CHECK(refused([&] { iop::Store::init(fifo_dir); }) == fifo_msg);
    CHECK(fs::is_fifo(fifo_dir / "program.toml"));
    // Store::program() refuses one that became a FIFO after discovery.
    Clinic c;
    fs::remove(c.root / "program.toml");
    REQUIRE(::mkfifo((c.root / "program.toml").c_str(), 0600) == 0);
    iop::Store store(c.root);
    CHECK(refused([&] { store.program(); }) == "program.toml is not a regular file (a FIFO)");
}

TEST_CASE("discover: nothing found is a usage error naming where it searched") {
    TempDir tmp;
    fs::path deep = tmp.path / "a" / "b";
    fs::create_directories(deep);
    // Only meaningful when no parent of the temporary directory holds a program.toml.
    bool clean = true;
    for (fs::path p = tmp.path;; p = p.parent_path()) {
        if (fs::exists(p / "program.toml"))
            clean = false;
        if (p == p.root_path())
            break;
    }
    REQUIRE_MESSAGE(clean, "a parent of " << tmp.path << " holds a program.toml");
    try {
        iop::Store::discover(std::nullopt, nullptr, deep);
        FAIL("expected UsageError");
    } catch (const iop::UsageError& e) {
        CHECK(e.code() == iop::exit_usage);
        std::string msg = e.what();
        CHECK(msg.find("no records directory") == 0);
        CHECK(msg.find(deep.string()) != std::string::npos);
        CHECK(msg.find("$IOP_DIR") != std::string::npos);
    }
}

// ---------------------------------------------------------------- writes

// What a writing command does: the record's bytes, a block appended, the
// file replaced.
static void append(iop::Store& store, const std::string& id, std::string_view text) {
    store.replace_record(id, iop::Store::appended(store.read_record_text(id), text));
}

TEST_CASE("create_record and replace_record: append only, atomic, 0600") {
    UmaskGuard mask(022);
    Clinic c;
    iop::Store store(c.root);
    const std::string original = record_text("P-0001");
    store.create_record("P-0001", original);
    fs::path file = c.patients() / "P-0001.toml";
    CHECK(slurp(file) == original);
    CHECK(mode_of(file) == 0600u);
    CHECK(store.exists("P-0001"));
    CHECK(store.record_path("P-0001") == file);

    append(store, "P-0001", session_entry);
    std::string after = slurp(file);
    CHECK(after.size() == original.size() + session_entry.size());
    CHECK(after.compare(0, original.size(), original) == 0); // old bytes first, exactly
    CHECK(after == original + session_entry);
    CHECK(mode_of(file) == 0600u);
    CHECK(listing(c.patients()) == std::vector<std::string>{"P-0001.toml"});

    // A loosened mode is tightened by the next append (a new file replaces it).
    REQUIRE(::chmod(file.c_str(), 0644) == 0);
    append(store, "P-0001", session_entry);
    CHECK(mode_of(file) == 0600u);
    CHECK(slurp(file) == original + session_entry + session_entry);
    CHECK(listing(c.patients()) == std::vector<std::string>{"P-0001.toml"});

    iop::Record rec = store.load("P-0001");
    CHECK(rec.file == "patients/P-0001.toml");
    CHECK(rec.header.name == "Patient P-0001");
    CHECK(rec.journal.size() == 2);
}

TEST_CASE("create_record refuses an existing id and an invalid one") {
    Clinic c;
    iop::Store store(c.root);
    store.create_record("P-0001", record_text("P-0001"));
    try {
        store.create_record("P-0001", "overwritten");
        FAIL("expected Refused");
    } catch (const iop::Refused& e) {
        CHECK(e.code() == 1);
        CHECK(std::string(e.what()) == "patient 'P-0001' already exists (patients/P-0001.toml)");
    }
    CHECK(slurp(c.patients() / "P-0001.toml") == record_text("P-0001"));

    CHECK_THROWS_AS(store.create_record("../escape", "x"), iop::UsageError);
    CHECK_THROWS_AS(store.create_record("/etc/passwd", "x"), iop::UsageError);
    CHECK_THROWS_AS(store.record_path(".hidden"), iop::UsageError);
    CHECK_THROWS_AS(store.exists("a b"), iop::UsageError);
    CHECK_FALSE(fs::exists(c.root / "escape.toml"));
    CHECK(listing(c.patients()) == std::vector<std::string>{"P-0001.toml"});
}

TEST_CASE("append to a file lacking a final newline adds one") {
    Clinic c;
    iop::Store store(c.root);
    std::string text = record_text("P-0002");
    text += "# last line without a newline";
    spit(c.patients() / "P-0002.toml", text);
    CHECK(iop::Store::appended(text, session_entry) == text + "\n" + session_entry);
    append(store, "P-0002", session_entry);
    CHECK(slurp(c.patients() / "P-0002.toml") == text + "\n" + session_entry);
    CHECK(store.load("P-0002").journal.size() == 1);
}

TEST_CASE("a staged but uncommitted Transaction leaves the target and no temp files") {
    Clinic c;
    fs::path target = c.patients() / "P-0003.toml";
    spit(target, "original\n");
    {
        iop::Transaction tx;
        tx.stage(target, "replacement\n", "patients/P-0003.toml");
        // The staged content exists only as a hidden temp file beside the target.
        auto names = listing(c.patients());
        REQUIRE(names.size() == 2);
        CHECK(names[0].rfind(".P-0003.toml.tmp-", 0) == 0);
        CHECK(names[1] == "P-0003.toml");
        CHECK(mode_of(c.patients() / names[0]) == 0600u);
        CHECK(slurp(target) == "original\n");
    }
    CHECK(slurp(target) == "original\n");
    CHECK(listing(c.patients()) == std::vector<std::string>{"P-0003.toml"});

    // Committed, every staged file is replaced and no temp file remains.
    fs::path second = c.patients() / "P-0004.toml";
    {
        iop::Transaction tx;
        tx.stage(target, "new 3\n", "patients/P-0003.toml");
        tx.stage(second, "new 4\n", "patients/P-0004.toml");
        CHECK(slurp(target) == "original\n");
        CHECK_FALSE(fs::exists(second));
        tx.commit();
    }
    CHECK(slurp(target) == "new 3\n");
    CHECK(slurp(second) == "new 4\n");
    CHECK(listing(c.patients()) == std::vector<std::string>{"P-0003.toml", "P-0004.toml"});
}

TEST_CASE("a multi-file Transaction keeps each old version under a temp name until commit") {
    Clinic c;
    // 70 files: past the point where old versions are unlinked on several threads.
    const int n = 70;
    auto name = [](int i) { return fmt::format("P-{:04}.toml", i); };
    for (int i = 0; i < n - 1; ++i) // the last file is new
        spit(c.patients() / name(i), fmt::format("old {}\n", i));
    auto is_temp_of = [](const std::string& file, const std::string& target) {
        // ".TARGET.tmp-XXXXXX", the name `check` reports as a stale temp file
        const std::string prefix = "." + target + ".tmp-";
        return file.size() == prefix.size() + 6 && file.rfind(prefix, 0) == 0 &&
               std::all_of(file.end() - 6, file.end(),
                           [](unsigned char ch) { return std::isalnum(ch) != 0; });
    };
    for (bool commit : {false, true}) {
        CAPTURE(commit);
        {
            iop::Transaction tx;
            for (int i = 0; i < n; ++i)
                tx.stage(c.patients() / name(i), fmt::format("new {}\n", i), "patients/" + name(i));
            // Every existing target has a second link (its old version) and a
            // temp file (its new one); the new file has only the temp file.
            std::vector<std::string> files = listing(c.patients());
            CHECK(files.size() == static_cast<std::size_t>(n - 1 + n + n - 1));
            for (int i = 0; i < n; ++i) {
                CAPTURE(i);
                std::vector<std::string> temps;
                for (const auto& f : files)
                    if (is_temp_of(f, name(i)))
                        temps.push_back(slurp(c.patients() / f));
                std::sort(temps.begin(), temps.end());
                if (i < n - 1) {
                    CHECK(temps == std::vector<std::string>{fmt::format("new {}\n", i),
                                                            fmt::format("old {}\n", i)});
                    struct stat st {};
                    REQUIRE(::stat((c.patients() / name(i)).c_str(), &st) == 0);
                    CHECK(st.st_nlink == 2u);
                    CHECK(slurp(c.patients() / name(i)) == fmt::format("old {}\n", i));
                } else {
                    CHECK(temps == std::vector<std::string>{fmt::format("new {}\n", i)});
                }
            }
            if (commit)
                tx.commit();
        }
        // Committed or not, no temp file and no second link remain.
        std::vector<std::string> expected;
        for (int i = 0; i < (commit ? n : n - 1); ++i)
            expected.push_back(name(i));
        CHECK(listing(c.patients()) == expected);
        for (const auto& f : expected) {
            struct stat st {};
            REQUIRE(::stat((c.patients() / f).c_str(), &st) == 0);
            CHECK(st.st_nlink == 1u);
            if (commit)
                CHECK(mode_of(c.patients() / f) == 0600u);
        }
        for (int i = 0; i < n - 1; ++i)
            CHECK(slurp(c.patients() / name(i)) ==
                  fmt::format("{} {}\n", commit ? "new" : "old", i));
    }
}

TEST_CASE("a rename that fails in a many-file commit leaves no temp file and no second link") {
    Clinic c;
    // 100 records: their old versions are unlinked on threads while the
    // renames go on. The 61st target turns into a directory after staging,
    // so its rename fails: the 60 before it are replaced, it and the rest
    // keep their old contents, and nothing else is left in patients/.
    const int n = 100, broken = 60;
    auto name = [](int i) { return fmt::format("P-{:04}.toml", i); };
    for (int i = 0; i < n; ++i)
        spit(c.patients() / name(i), fmt::format("old {}\n", i));
    {
        iop::Transaction tx;
        for (int i = 0; i < n; ++i)
            tx.stage(c.patients() / name(i), fmt::format("new {}\n", i), "patients/" + name(i));
        fs::remove(c.patients() / name(broken));
        fs::create_directory(c.patients() / name(broken));
        try {
            tx.commit();
            FAIL("expected IoError");
        } catch (const iop::IoError& e) {
            CHECK(std::string(e.what()).find("cannot replace patients/" + name(broken)) !=
                  std::string::npos);
        }
    }
    std::vector<std::string> expected;
    for (int i = 0; i < n; ++i)
        expected.push_back(name(i));
    CHECK(listing(c.patients()) == expected);
    for (int i = 0; i < n; ++i) {
        if (i == broken)
            continue;
        CAPTURE(i);
        CHECK(slurp(c.patients() / name(i)) ==
              fmt::format("{} {}\n", i < broken ? "new" : "old", i));
        struct stat st {};
        REQUIRE(::stat((c.patients() / name(i)).c_str(), &st) == 0);
        CHECK(st.st_nlink == 1u);
    }
}

// A write never leaves a file iop would refuse to read: past max_file_bytes
// it is refused (exit 1) and nothing is written.
TEST_CASE("a write that would take a file past max_file_bytes is refused, nothing written") {
    Clinic c;
    iop::Store store(c.root);
    store.create_record("P-0001", record_text("P-0001"));
    // Padded with a comment to just under the limit: still read, still writable
    // by a small append.
    std::string text = record_text("P-0001");
    const std::size_t room = 100;
    text += "# " + std::string(iop::max_file_bytes - room - text.size() - 3, 'x') + "\n";
    spit(c.patients() / "P-0001.toml", text);
    REQUIRE(store.load("P-0001").header.id == "P-0001");
    const std::string small = "\n# note\n";
    append(store, "P-0001", small);
    text += small;
    CHECK(slurp(c.patients() / "P-0001.toml") == text);

    // The next session's block would take it over.
    try {
        append(store, "P-0001", session_entry);
        FAIL("expected Refused");
    } catch (const iop::Refused& e) {
        CHECK(e.code() == iop::exit_refused);
        CHECK(std::string(e.what()).find("patients/P-0001.toml would grow past the 16 MiB iop "
                                         "reads (16.0 MiB now); nothing was written") == 0);
    }
    CHECK(slurp(c.patients() / "P-0001.toml") == text);
    CHECK(listing(c.patients()) == std::vector<std::string>{"P-0001.toml"});
    CHECK(store.load("P-0001").header.id == "P-0001");

    // A new file that large is refused as well, in a Transaction too.
    const std::string huge = record_text("P-0002") + "# " + std::string(iop::max_file_bytes, 'x');
    CHECK_THROWS_AS(store.create_record("P-0002", huge), iop::Refused);
    {
        iop::Transaction tx;
        tx.stage(c.patients() / "P-0003.toml", record_text("P-0003"), "patients/P-0003.toml");
        CHECK_THROWS_AS(tx.stage(c.patients() / "P-0004.toml", huge, "patients/P-0004.toml"),
                        iop::Refused);
    }
    CHECK(listing(c.patients()) == std::vector<std::string>{"P-0001.toml"});

    // Exactly the limit is written and read back.
    std::string exact =
        text + "# " + std::string(iop::max_file_bytes - text.size() - 3, 'y') + "\n";
    store.replace_record("P-0001", exact);
    CHECK(iop::read_file(c.patients() / "P-0001.toml", "patients/P-0001.toml").size() ==
          iop::max_file_bytes);

    CHECK_FALSE(iop::oversize_write("x", iop::max_file_bytes, 1).has_value());
    CHECK(*iop::oversize_write("patients/N.toml", iop::max_file_bytes + 1, std::nullopt) ==
          "patients/N.toml would be 16.0 MiB, larger than the 16 MiB iop reads; nothing was "
          "written");
}

// ---------------------------------------------------------------- temporary files

TEST_CASE("temp_name_target recognises exactly the names temp_name_prefix builds") {
    CHECK(iop::temp_name_prefix("P-0001.toml") == ".P-0001.toml.tmp-");
    CHECK(iop::temp_name_target(iop::temp_name_prefix("P-0001.toml") + "aZ09bY") ==
          std::optional<std::string>("P-0001.toml"));
    CHECK(iop::temp_name_target(".program.toml.tmp-abcdef") ==
          std::optional<std::string>("program.toml"));
    for (const char* name : {".P-0001.toml.tmp-abcde", ".P-0001.toml.tmp-abcdefg",
                             ".P-0001.toml.tmp-abc-ef", "P-0001.toml.tmp-abcdef", "..tmp-abcdef",
                             ".P-0001.toml.tmp_abcdef", ".P-0001.toml.tmp-abcdé"})
        CHECK_MESSAGE(!iop::temp_name_target(name).has_value(), name);
}

TEST_CASE("Store::temp_files lists iop's own temporary names only") {
    Clinic c;
    iop::Store store(c.root);
    // iop's: a record's (mkstemp's), program.toml's, closures.toml's.
    for (const char* name : {".P-0001.toml.tmp-Ab12Cd", ".P-0002.toml.tmp-zzzzzz"})
        spit(c.patients() / name, "x\n");
    for (const char* name : {".program.toml.tmp-abcdef", ".closures.toml.tmp-ABCDEF"})
        spit(c.root / name, "x\n");
    // Not iop's: a user's files that only look alike. (In patients/,
    // .program.toml.tmp-XXXXXX is the temporary file of patient "program".)
    for (const char* name :
         {".notes.txt.tmp-abcdef", ".P 1.toml.tmp-abcdef", ".P-0001.txt.tmp-abcdef",
          "..toml.tmp-abcdef", ".P-0001.toml.tmp-abc", ".-x.toml.tmp-abcdef"})
        spit(c.patients() / name, "x\n");
    for (const char* name :
         {".notes.txt.tmp-abcdef", ".P-0001.toml.tmp-abcdef", ".config.toml.tmp-abcdef"})
        spit(c.root / name, "x\n");
    // Not a regular file: never listed (nor removed).
    fs::create_symlink("/etc/passwd", c.patients() / ".P-0003.toml.tmp-abcdef");
    fs::create_directory(c.patients() / ".P-0004.toml.tmp-abcdef");

    std::vector<std::string> shown;
    std::vector<std::string> patients;
    for (const auto& t : store.temp_files()) {
        shown.push_back(t.shown);
        patients.push_back(t.patient.value_or("-"));
    }
    CHECK(shown == std::vector<std::string>{".closures.toml.tmp-ABCDEF", ".program.toml.tmp-abcdef",
                                            "patients/.P-0001.toml.tmp-Ab12Cd",
                                            "patients/.P-0002.toml.tmp-zzzzzz"});
    CHECK(patients == std::vector<std::string>{"-", "-", "P-0001", "P-0002"});
}

// ---------------------------------------------------------------- reads

TEST_CASE("ids() is sorted and ignores non-.toml files, dotfiles and temp files") {
    Clinic c;
    iop::Store store(c.root);
    for (const char* name :
         {"P-0010.toml", "P-0002.toml", "A.toml", "notes.txt", "README", ".hidden.toml",
          ".P-0003.toml.tmp-Ab12Cd", "P-0005.toml~", "P-0006.toml.bak", "bad id.toml", ".toml"})
        spit(c.patients() / name, "x\n");
    CHECK(store.ids() == std::vector<std::string>{"A", "P-0002", "P-0010"});
    CHECK(store.exists("P-0010"));
    CHECK_FALSE(store.exists("P-0003"));
    CHECK_FALSE(store.exists("P-0005"));
}

TEST_CASE("require_exists refuses an unknown id, suggesting a close one") {
    Clinic c;
    iop::Store store(c.root);
    store.create_record("P-0001", record_text("P-0001"));
    CHECK_NOTHROW(store.require_exists("P-0001"));
    try {
        store.require_exists("P-0010");
        FAIL("expected Refused");
    } catch (const iop::Refused& e) {
        CHECK(e.code() == 1);
        CHECK(std::string(e.what()) == "unknown patient 'P-0010' (did you mean 'P-0001'?)");
    }
    try {
        store.load("ZZZZZZZZ");
        FAIL("expected Refused");
    } catch (const iop::Refused& e) {
        CHECK(std::string(e.what()) == "unknown patient 'ZZZZZZZZ'");
    }
}

TEST_CASE("load() of a symlinked patient file refuses") {
    Clinic c;
    iop::Store store(c.root);
    fs::path outside = c.tmp.path / "elsewhere.toml";
    spit(outside, record_text("P-0009"));
    fs::create_symlink(outside, c.patients() / "P-0009.toml");
    CHECK(store.exists("P-0009"));
    try {
        store.load("P-0009");
        FAIL("expected the link to be refused");
    } catch (const iop::IoError& e) {
        CHECK(e.code() == iop::exit_io);
        CHECK(std::string(e.what()) ==
              "patients/P-0009.toml is a symbolic link; iop does not follow links for records");
    }
    CHECK_THROWS_AS(append(store, "P-0009", session_entry), iop::IoError);
    CHECK(slurp(outside) == record_text("P-0009"));
}

TEST_CASE("load() checks the id inside the file against the file name") {
    Clinic c;
    iop::Store store(c.root);
    spit(c.patients() / "P-0004.toml", record_text("P-0005"));
    try {
        store.load("P-0004");
        FAIL("expected DataError");
    } catch (const iop::DataError& e) {
        CHECK(e.file() == "patients/P-0004.toml");
        CHECK(e.detail() == "the record's id \"P-0005\" does not match its file name (expected "
                            "\"P-0004\")");
    }
}

TEST_CASE("load_many reports a broken file and still loads the others") {
    Clinic c;
    iop::Store store(c.root);
    store.create_record("P-0001", record_text("P-0001", session_entry));
    spit(c.patients() / "P-0002.toml", record_text("P-0002") + "\n[[session]]\ndate = 2026-11-03\n"
                                                               "kind = \"grop\"\n");
    store.create_record("P-0003", record_text("P-0003"));
    fs::create_symlink(c.tmp.path / "nowhere", c.patients() / "P-0004.toml");

    auto loaded = store.load_many(store.ids());
    REQUIRE(loaded.size() == 4);
    CHECK(loaded[0].id == "P-0001");
    REQUIRE(loaded[0].record.has_value());
    CHECK_FALSE(loaded[0].error.has_value());
    CHECK(loaded[0].record->journal.size() == 1);

    CHECK(loaded[1].id == "P-0002");
    CHECK_FALSE(loaded[1].record.has_value());
    REQUIRE(loaded[1].error.has_value());
    CHECK(loaded[1].error->file() == "patients/P-0002.toml");
    CHECK(loaded[1].error->pos().line == 15);
    CHECK(loaded[1].error->pos().column == 8);
    CHECK(loaded[1].error->detail().find("'[[session]].kind' must be one of") == 0);

    CHECK(loaded[2].id == "P-0003");
    REQUIRE(loaded[2].record.has_value());
    CHECK(loaded[2].record->header.id == "P-0003");

    // An unreadable file (here a dangling link) is reported the same way.
    CHECK(loaded[3].id == "P-0004");
    CHECK_FALSE(loaded[3].record.has_value());
    REQUIRE(loaded[3].error.has_value());
    CHECK(loaded[3].error->file() == "patients/P-0004.toml");
}

TEST_CASE("read_file refuses directories and oversized files") {
    TempDir tmp;
    try {
        iop::read_file(tmp.path, "dir");
        FAIL("expected IoError");
    } catch (const iop::IoError& e) {
        CHECK(std::string(e.what()) == "dir is not a regular file (a directory)");
    }
    fs::path big = tmp.path / "big.toml";
    {
        int fd = ::open(big.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        REQUIRE(fd >= 0);
        REQUIRE(::ftruncate(fd, static_cast<off_t>(iop::max_file_bytes) + 1) == 0); // sparse
        ::close(fd);
    }
    CHECK_THROWS_AS(iop::read_file(big, "big.toml"), iop::DataError);
    fs::resize_file(big, 5);
    CHECK(iop::read_file(big, "big.toml") == std::string(5, '\0'));
    CHECK_THROWS_AS(iop::read_file(tmp.path / "missing", "missing"), iop::IoError);
}

// read_input, the reader of import files: bounded, and binary data read no
// further than its first NUL's block.
TEST_CASE("read_input: bounded, binary cut short, directories refused, FIFOs read") {
    TempDir tmp;
    fs::path f = tmp.path / "in.csv";
    spit(f, std::string(1000, 'a'));
    CHECK(iop::read_input(f.string(), "in.csv", 1000).size() == 1000);
    try {
        iop::read_input(f.string(), "in.csv", 999);
        FAIL("expected DataError");
    } catch (const iop::DataError& e) {
        CHECK(e.code() == iop::exit_data);
        CHECK(std::string(e.what()).find("in.csv: larger than the 0 MiB iop imports at once") == 0);
    }
    // Binary data is returned as read so far, for the CSV parser to refuse
    // with its line (UTF-16 too, a NUL in every ASCII character).
    spit(f, "id,name\n" + std::string(1, '\0') + "x\n");
    CHECK(iop::read_input(f.string(), "in.csv") == "id,name\n" + std::string(1, '\0') + "x\n");
    try {
        iop::read_input(tmp.path.string(), "dir");
        FAIL("expected IoError");
    } catch (const iop::IoError& e) {
        CHECK(std::string(e.what()) == "dir is not a regular file (a directory)");
    }
    // /dev/zero: one block read, not a gigabyte.
    const std::string zeros = iop::read_input("/dev/zero", "/dev/zero");
    CHECK(zeros.size() == 65536);
    CHECK(zeros == std::string(65536, '\0'));

    // A FIFO (bash's <(...)) is read to its end like a file; an endless one
    // stops at the limit.
    fs::path fifo = tmp.path / "fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    for (bool endless : {false, true}) {
        pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            int fd = ::open(fifo.c_str(), O_WRONLY);
            std::string chunk(4096, 'b');
            for (int i = 0; endless || i < 3; ++i)
                if (::write(fd, chunk.data(), chunk.size()) < 0)
                    break;
            ::_exit(0);
        }
        if (endless)
            CHECK_THROWS_AS(iop::read_input(fifo.string(), "fifo", 100000), iop::DataError);
        else
            CHECK(iop::read_input(fifo.string(), "fifo", 100000) == std::string(3 * 4096, 'b'));
        int status = 0;
        ::waitpid(child, &status, 0);
    }
}

// open(O_RDONLY) on a FIFO would block until a writer appears, hanging every
// command that loads patients/; read_file must refuse it at once.
TEST_CASE("read_file does not hang on a FIFO") {
    TempDir tmp;
    fs::path fifo = tmp.path / "P-0001.toml";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        int code = 1;
        try {
            iop::read_file(fifo, "patients/P-0001.toml");
        } catch (const iop::IoError&) {
            code = 0;
        } catch (...) {
            code = 2;
        }
        ::_exit(code);
    }
    int status = 0;
    bool finished = false;
    for (int i = 0; i < 100 && !finished; ++i) { // up to 2 s
        if (::waitpid(child, &status, WNOHANG) == child)
            finished = true;
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!finished) {
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
    }
    CHECK(finished);
    if (finished) {
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
}

// ---------------------------------------------------------------- lock

TEST_CASE("lock(): a lock held through another open file description makes lock() wait, then "
          "throw LockedError (exit 75)") {
    Clinic c;
    iop::Store store(c.root);
    fs::path lock_path = c.root / ".iop.lock";
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);

    auto start = std::chrono::steady_clock::now();
    try {
        iop::Lock l = store.lock(0.2);
        FAIL("expected LockedError");
    } catch (const iop::LockedError& e) {
        CHECK(e.code() == 75);
        CHECK(std::string(e.what()).find("is locked by another iop") != std::string::npos);
    }
    auto waited = std::chrono::steady_clock::now() - start;
    CHECK(waited >= std::chrono::milliseconds(200));
    CHECK(waited < std::chrono::seconds(5));

    // Released, the lock is taken at once; while held, others are kept out.
    ::close(fd);
    {
        iop::Lock held = store.lock(0.2);
        CHECK(mode_of(lock_path) == 0600u);
        int other = ::open(lock_path.c_str(), O_RDWR | O_CLOEXEC);
        REQUIRE(other >= 0);
        int rc = ::flock(other, LOCK_EX | LOCK_NB);
        int err = errno;
        CHECK(rc == -1);
        CHECK(err == EWOULDBLOCK);
        ::close(other);
        // A second lock() from the same process is a different open file description too.
        CHECK_THROWS_AS(store.lock(0), iop::LockedError);
        // The holder's pid is written as a hint.
        CHECK(slurp(lock_path) == std::to_string(::getpid()) + "\n");
    }
    int again = ::open(lock_path.c_str(), O_RDWR | O_CLOEXEC);
    REQUIRE(again >= 0);
    CHECK(::flock(again, LOCK_EX | LOCK_NB) == 0);
    ::close(again);
}

TEST_CASE("lock(): a lock held by another process") {
    Clinic c;
    iop::Store store(c.root);
    int to_parent[2], to_child[2];
    REQUIRE(::pipe(to_parent) == 0);
    REQUIRE(::pipe(to_child) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        int fd = ::open((c.root / ".iop.lock").c_str(), O_RDWR | O_CREAT, 0600);
        char ok = (fd >= 0 && ::flock(fd, LOCK_EX) == 0) ? 'y' : 'n';
        (void)!::write(to_parent[1], &ok, 1);
        char done;
        (void)!::read(to_child[0], &done, 1);
        ::_exit(0);
    }
    char ok = 0;
    REQUIRE(::read(to_parent[0], &ok, 1) == 1);
    REQUIRE(ok == 'y');
    CHECK_THROWS_AS(store.lock(0.1), iop::LockedError);
    char done = 'x';
    REQUIRE(::write(to_child[1], &done, 1) == 1);
    int status = 0;
    ::waitpid(child, &status, 0);
    for (int fd : {to_parent[0], to_parent[1], to_child[0], to_child[1]})
        ::close(fd);
    CHECK_NOTHROW(store.lock(0.5));
}

TEST_SUITE_END();
