#include "iop/store.hpp"

#include "iop/git.hpp"
#include "iop/suggest.hpp"
#include "toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace iop {

namespace fs = std::filesystem;

namespace {

std::string sys_error(int err) {
    return std::strerror(err);
}

[[noreturn]] void io_fail(const std::string& what, const std::string& shown, int err) {
    throw IoError(fmt::format("{} {}: {}", what, shown, sys_error(err)));
}

void fsync_dir(const fs::path& dir, const std::string& shown) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        io_fail("cannot open directory", shown, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0)
        io_fail("cannot sync directory", shown, err);
}

// IoError (exit 4) for a directory of the records that is a symbolic link,
// naming where it points: iop follows no links for records.
[[noreturn]] void linked_dir(const fs::path& dir, const std::string& shown) {
    std::error_code ec;
    fs::path to = fs::read_symlink(dir, ec);
    throw IoError(fmt::format("{} is a symbolic link (to {}); iop does not follow links for "
                              "records: make it a directory of its own",
                              shown, ec ? std::string("?") : to.string()));
}

void make_private_dir(const fs::path& dir, const std::string& shown) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        io_fail("cannot create directory", shown, errno);
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0)
        io_fail("cannot read", shown, errno);
    if (S_ISLNK(st.st_mode))
        linked_dir(dir, shown);
    if (!S_ISDIR(st.st_mode))
        throw IoError(fmt::format("{} exists and is not a directory", shown));
    if ((st.st_mode & 0777) != 0700 && ::chmod(dir.c_str(), 0700) != 0)
        io_fail("cannot set permissions of", shown, errno);
}

bool is_dir(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

} // namespace

namespace {

// What a file that is not a regular one is, for messages: "a FIFO".
std::string file_kind(mode_t mode) {
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISLNK(mode))
        return "a symbolic link";
    return "not a regular file";
}

[[noreturn]] void not_regular(const std::string& shown, mode_t mode) {
    throw IoError(fmt::format("{} is not a regular file ({})", shown, file_kind(mode)));
}

// The one reader of whole files: reads `fd` to its end, never more than
// `limit` + 1 bytes (more is refused as `too_large`). With `text`, stops at
// the first block read that holds a NUL byte: binary data (or UTF-16), which
// the CSV parser refuses, naming its line, without the rest. `size` is the
// file's size when known (a regular file), else 0.
std::string read_bounded(int fd, const std::string& shown, std::uintmax_t limit,
                         std::uintmax_t size, bool text, const std::string& too_large) {
    std::string content;
    // One byte more than a regular file holds: its end is seen without growing.
    content.resize(static_cast<std::size_t>(
        std::min<std::uintmax_t>(size > 0 ? size + 1 : 1u << 16, limit + 1)));
    std::size_t done = 0;
    while (true) {
        if (done == content.size())
            content.resize(std::min<std::uintmax_t>(content.size() * 2, limit + 1));
        ssize_t n = ::read(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            io_fail("cannot read", shown, errno);
        }
        if (n == 0)
            break;
        const bool binary =
            text && std::memchr(content.data() + done, '\0', static_cast<std::size_t>(n));
        done += static_cast<std::size_t>(n);
        if (done > limit)
            throw DataError(shown, {}, too_large);
        if (binary)
            break;
    }
    content.resize(done);
    return content;
}

// Closes a file descriptor when it goes out of scope.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

namespace {

// read_file, handing back the stat of the file read (taken before reading,
// so that the bytes are at least as new as the stat) and the clock then.
std::string read_file_stat(const fs::path& path, const std::string& shown, struct stat& st,
                           std::int64_t& seen_ns) {
    // Looked at before it is opened: a FIFO is never opened (that could wake
    // a writer waiting on it), nor a device.
    if (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
        not_regular(shown, st.st_mode);
    // O_NONBLOCK: should the name become a FIFO or device after the lstat,
    // the open does not block; it is refused below. Regular files ignore it.
    Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)};
    if (f.fd < 0) {
        if (errno == ELOOP)
            throw IoError(fmt::format("{} is a symbolic link; iop does not follow links for "
                                      "records",
                                      shown));
        io_fail("cannot read", shown, errno);
    }
    if (::fstat(f.fd, &st) != 0)
        io_fail("cannot read", shown, errno);
    seen_ns = clock_now_ns();
    if (!S_ISREG(st.st_mode))
        not_regular(shown, st.st_mode);
    const std::string too_large = fmt::format("file is {} bytes, larger than the {} MiB iop reads",
                                              st.st_size, max_file_bytes / (1024 * 1024));
    if (static_cast<std::uintmax_t>(st.st_size) > max_file_bytes)
        throw DataError(shown, {}, too_large);
    return read_bounded(f.fd, shown, max_file_bytes, static_cast<std::uintmax_t>(st.st_size), false,
                        "file grew past the size iop reads");
}

} // namespace

std::string read_file(const fs::path& path, const std::string& shown) {
    struct stat st {};
    std::int64_t seen_ns = 0;
    return read_file_stat(path, shown, st, seen_ns);
}

std::string read_input(const std::string& path, const std::string& shown, std::uintmax_t limit) {
    const std::string too_large =
        fmt::format("larger than the {} MiB iop imports at once; split it into smaller files",
                    limit / (1024 * 1024));
    Fd f{-1};
    int fd = 0; // standard input for "-"
    std::uintmax_t size = 0;
    if (path != "-") {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
            not_regular(shown, st.st_mode);
        // A FIFO (bash's <(...)) is input like a file: waiting for its writer
        // is what the user asked for.
        f.fd = fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            io_fail("cannot read", shown, errno);
        if (::fstat(f.fd, &st) != 0)
            io_fail("cannot read", shown, errno);
        if (S_ISDIR(st.st_mode))
            not_regular(shown, st.st_mode);
        if (S_ISREG(st.st_mode)) {
            size = static_cast<std::uintmax_t>(st.st_size);
            if (size > limit)
                throw DataError(shown, {}, too_large);
        }
    }
    return read_bounded(fd, shown, limit, size, true, too_large);
}

// ---------------------------------------------------------------- Lock

Lock::~Lock() {
    if (fd_ >= 0)
        ::close(fd_); // releases the flock
}

// ---------------------------------------------------------------- Transaction

std::string temp_name_prefix(std::string_view file_name) {
    return fmt::format(".{}{}", file_name, temp_name_mark);
}

std::optional<std::string> temp_name_target(std::string_view name) {
    constexpr std::string_view mark = temp_name_mark;
    constexpr std::size_t random = temp_name_random; // mkstemp's XXXXXX, or keep_old's six
    if (name.size() < 2 + mark.size() + random || name[0] != '.')
        return std::nullopt;
    const std::size_t at = name.size() - random - mark.size();
    if (name.substr(at, mark.size()) != mark)
        return std::nullopt;
    for (char c : name.substr(at + mark.size()))
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return std::nullopt;
    return std::string(name.substr(1, at - 1));
}

std::optional<std::string> oversize_write(const std::string& shown, std::uintmax_t new_size,
                                          std::optional<std::uintmax_t> old_size) {
    if (new_size <= max_file_bytes)
        return std::nullopt;
    auto mib = [](std::uintmax_t bytes) { return static_cast<double>(bytes) / (1024 * 1024); };
    const std::uintmax_t limit = max_file_bytes / (1024 * 1024);
    if (!old_size)
        return fmt::format("{} would be {:.1f} MiB, larger than the {} MiB iop reads; nothing "
                           "was written",
                           shown, mib(new_size), limit);
    return fmt::format("{} would grow past the {} MiB iop reads ({:.1f} MiB now); nothing was "
                       "written: a record grows by a few hundred bytes a session, so look for "
                       "what made this one so large (a long comment or pasted text), remove it "
                       "by hand and run 'iop check'",
                       shown, limit, mib(*old_size));
}

namespace {

// ".TARGET.tmp-" beside the target: what every temporary name starts with,
// followed by six letters or digits (temp_name_target recognises them).
std::string temp_prefix(const fs::path& target) {
    return (target.parent_path() / temp_name_prefix(target.filename().string())).string();
}

} // namespace

Transaction::~Transaction() {
    if (last_fd_ >= 0)
        ::close(last_fd_);
    for (const auto& s : staged_) {
        ::unlink(s.temp.c_str());
        if (!s.old.empty())
            ::unlink(s.old.c_str());
    }
}

void Transaction::stage(const fs::path& target, std::string_view content,
                        const std::string& shown) {
    // Never write a file iop would refuse to read (read_file).
    if (content.size() > max_file_bytes) {
        struct stat st {};
        std::optional<std::uintmax_t> now;
        if (::lstat(target.c_str(), &st) == 0)
            now = static_cast<std::uintmax_t>(st.st_size);
        throw Refused(*oversize_write(shown, content.size(), now));
    }
    std::string pattern = temp_prefix(target) + "XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    int fd = ::mkstemp(buf.data()); // created 0600
    if (fd < 0)
        io_fail("cannot create a temporary file for", shown, errno);
    fs::path temp(buf.data());
    auto fail = [&](const char* what, int err) {
        ::close(fd);
        ::unlink(temp.c_str());
        io_fail(what, shown, err);
    };
    if (::fchmod(fd, 0600) != 0)
        fail("cannot set permissions of", errno);
    std::size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fail("cannot write", errno);
        }
        done += static_cast<std::size_t>(n);
    }
    // Durability is settled in commit(): one file is fsynced there, many are
    // flushed with one syncfs(2) rather than a journal commit each (1,000
    // files of 10 kB: 0.22 s with an fsync each, 0.13 s with one syncfs on the
    // benchmark machine; more on disks slow to flush). Start the write-back now.
    ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    if (last_fd_ >= 0) {
        // Only the last file may need its own fsync; earlier ones are left to syncfs.
        int err = ::close(last_fd_) != 0 ? errno : 0;
        last_fd_ = -1;
        if (err != 0) {
            ::close(fd);
            ::unlink(temp.c_str());
            io_fail("cannot write", staged_.back().shown, err);
        }
    }
    last_fd_ = fd;
    staged_.push_back({target, temp, shown, {}});
    // A change of several files keeps their old versions until the renames.
    if (staged_.size() == 2)
        keep_old(staged_.front());
    if (staged_.size() >= 2)
        keep_old(staged_.back());
}

// Replacing a file frees the old one inside rename(2), while the directory is
// locked. On the benchmark machine (ext4 with `discard`, a virtual disk) that
// waits about 0.1 ms a file, and no two renames in a directory overlap: 1.0
// to 1.2 s for an import into 10,000 records. A second link to the old
// version, made here while the rows are still being checked, leaves rename
// only the names to swap; commit() then unlinks the old versions on several
// threads, whose waits overlap: 0.12 s of renames and 0.3 s of unlinks.
// The link has a temporary file's name, so that a crash between the two
// leaves a file `check` reports and `check --clean` removes. Where the link
// cannot be made (no such target yet, or a file system without hard links)
// the rename frees the old version itself, as a single-file write does.
void Transaction::keep_old(StagedWrite& s) {
    static constexpr char alnum[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    if (names_ == 0) // names need only differ from what is there: pid and clock will do
        names_ = (static_cast<std::uint64_t>(::getpid()) << 32) ^
                 static_cast<std::uint64_t>(
                     std::chrono::steady_clock::now().time_since_epoch().count()) ^
                 1;
    const std::string base = temp_prefix(s.target);
    for (int attempt = 0; attempt < 16; ++attempt) {
        std::string name = base;
        for (int i = 0; i < 6; ++i) {
            names_ = names_ * 6364136223846793005ULL + 1442695040888963407ULL; // LCG (Knuth)
            name += alnum[(names_ >> 33) % (sizeof alnum - 1)];
        }
        if (::link(s.target.c_str(), name.c_str()) == 0) {
            s.old = std::move(name);
            return;
        }
        if (errno != EEXIST)
            return;
    }
}

namespace {

// Unlinks the old versions of a multi-file change (Transaction::keep_old) on
// threads of their own, each as soon as the renames have released it, so that
// the unlinks overlap the renames as well as each other. The threads wait on
// the disk, not the CPU (each unlink frees the old version's blocks; on the
// benchmark machine, ext4 with `discard` on a virtual disk, that is a wait of
// about 0.1 ms): 32 of them, whatever --jobs is, and the calling thread alone
// for a few files. A loop renaming 10,000 files and unlinking their old
// versions, on that machine while it was busy: 1.3 to 1.6 s with 8 threads
// started after the last rename, 0.6 s with 32 released as the renames go.
// A version left behind (the unlink failed) is reported by `check` as a
// stale temporary file.
class OldVersions {
  public:
    explicit OldVersions(const std::vector<StagedWrite>& staged) : staged_(staged) {
        const auto olds = std::count_if(staged.begin(), staged.end(),
                                        [](const StagedWrite& s) { return !s.old.empty(); });
        if (olds < 64)
            return;
        for (unsigned t = 0; t < 32; ++t) {
            try {
                threads_.emplace_back([this] { unlink_released(); });
            } catch (const std::system_error&) {
                break; // fewer threads: finish() does what they leave
            }
        }
    }
    OldVersions(const OldVersions&) = delete;
    OldVersions& operator=(const OldVersions&) = delete;
    ~OldVersions() { finish(); }

    // The old versions of staged[0, n) may go: their renames are done.
    void release(std::size_t n) {
        {
            std::lock_guard lock(mutex_);
            released_ = n;
        }
        released_cv_.notify_all();
    }
    // Releases every old version and returns once each is unlinked (or its
    // unlink failed). On a failed rename too: an old version whose rename
    // did not happen is a second name of the file still in place.
    void finish() {
        release(staged_.size());
        for (auto& t : threads_)
            t.join();
        threads_.clear();
        unlink_released(); // what no thread took (all of it, without threads)
    }

  private:
    void unlink_released() {
        for (;;) {
            std::size_t i = 0;
            {
                std::unique_lock lock(mutex_);
                released_cv_.wait(lock,
                                  [&] { return next_ >= staged_.size() || next_ < released_; });
                if (next_ >= staged_.size())
                    return;
                i = next_++;
            }
            if (!staged_[i].old.empty())
                ::unlink(staged_[i].old.c_str());
        }
    }

    const std::vector<StagedWrite>& staged_;
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable released_cv_;
    std::size_t released_ = 0; // staged_[0, released_) may be unlinked
    std::size_t next_ = 0;     // the next one a thread takes
};

} // namespace

void Transaction::sync_staged() {
    if (staged_.empty())
        return;
    const StagedWrite& last = staged_.back();
    int err = 0;
    if (staged_.size() == 1) {
        if (::fsync(last_fd_) != 0)
            err = errno;
    } else if (::syncfs(last_fd_) != 0) {
        err = errno;
    }
    int close_err = ::close(last_fd_) != 0 ? errno : 0;
    last_fd_ = -1;
    if (err != 0)
        io_fail("cannot sync", staged_.size() == 1 ? last.shown : "the files of this change", err);
    if (close_err != 0)
        io_fail("cannot write", last.shown, close_err);
}

void Transaction::commit() {
    sync_staged(); // every staged file is on disk before the first rename
    OldVersions olds(staged_);
    std::vector<std::pair<fs::path, std::string>> dirs;
    for (std::size_t i = 0; i < staged_.size(); ++i) {
        const auto& s = staged_[i];
        if (::rename(s.temp.c_str(), s.target.c_str()) != 0) {
            int err = errno;
            const std::string shown = s.shown; // s dies with staged_.clear()
            // Earlier renames already took effect; never leave the rest behind
            // as temp files, nor any second link to an old or current version.
            for (std::size_t j = i; j < staged_.size(); ++j)
                ::unlink(staged_[j].temp.c_str());
            olds.finish();
            staged_.clear();
            io_fail("cannot replace", shown, err);
        }
        auto dir = s.target.parent_path();
        if (std::none_of(dirs.begin(), dirs.end(), [&](const auto& d) { return d.first == dir; }))
            dirs.emplace_back(dir, s.shown);
        if ((i + 1) % 16 == 0) // in batches: each release wakes the threads
            olds.release(i + 1);
    }
    olds.finish(); // before the directories' fsync, which makes it durable
    staged_.clear();
    for (const auto& [dir, shown] : dirs)
        fsync_dir(dir, fmt::format("holding {}", shown));
}

std::vector<fs::path> Transaction::targets() const {
    std::vector<fs::path> out;
    for (const auto& s : staged_)
        out.push_back(s.target);
    return out;
}

// ---------------------------------------------------------------- Store

namespace {

// Whether `dir` has a program.toml, so is a records directory. A regular
// file or a link counts (a link is refused when read); anything else (a
// FIFO, a device) is reported for what it is, never opened, rather than as
// missing. A directory by that name is reported too, unless `skip_dirs` (the
// search upwards passes over it: some other project's folder).
bool has_program(const fs::path& dir, bool skip_dirs = false) {
    const fs::path p = dir / program_file_name;
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || (skip_dirs && S_ISDIR(st.st_mode)))
        return false;
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
        not_regular(p.string(), st.st_mode);
    return true;
}

} // namespace

fs::path Store::discover(const std::optional<std::string>& dir, const char* env_dir,
                         const fs::path& cwd) {
    auto check = [](const fs::path& p, const std::string& how) {
        if (!is_dir(p))
            throw UsageError(fmt::format("records directory '{}' ({}) does not exist; create "
                                         "one with 'iop init {}'",
                                         p.string(), how, p.string()));
        if (!has_program(p))
            throw UsageError(fmt::format("'{}' ({}) is not a records directory: it has no "
                                         "program.toml; create one with 'iop init {}'",
                                         p.string(), how, p.string()));
        return p;
    };
    if (dir)
        return check(fs::path(*dir), "from --dir");
    if (env_dir && *env_dir)
        return check(fs::path(env_dir), "from $IOP_DIR");
    // A directory named program.toml is passed over (it is no program), but
    // named if the search then finds nothing: "no program.toml" alone would
    // puzzle whoever sees one.
    std::optional<fs::path> skipped;
    for (fs::path p = cwd;; p = p.parent_path()) {
        if (has_program(p, true))
            return p;
        if (!skipped && is_dir(p / program_file_name))
            skipped = p / program_file_name;
        if (p == p.root_path() || p.parent_path() == p)
            break;
    }
    throw UsageError(fmt::format(
        "no records directory: neither --dir nor $IOP_DIR is set, and "
        "no program.toml in {} or any parent{}; create one with 'iop init "
        "DIR' or pass --dir DIR",
        cwd.string(),
        skipped ? fmt::format(" ({} is a directory, not a program file)", skipped->string())
                : std::string()));
}

std::vector<std::string> Store::init(const fs::path& dir, bool git_files) {
    if (has_program(dir))
        throw Refused(fmt::format("{} already holds a program.toml; iop init never overwrites it",
                                  dir.string()));
    // Missing parents are made 0700 too (mkdir asks for no more; the umask
    // may give less); existing ones are left as they are.
    std::vector<fs::path> missing;
    for (fs::path p = dir.parent_path(); !p.empty() && !is_dir(p); p = p.parent_path()) {
        missing.push_back(p);
        if (p == p.parent_path())
            break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST)
            io_fail("cannot create directory", it->string(), errno);
        make_private_dir(*it, it->string());
    }
    make_private_dir(dir, dir.string());
    make_private_dir(dir / patients_dir_name, (dir / patients_dir_name).string());
    Transaction tx;
    std::vector<std::string> written = {std::string(program_file_name)};
    tx.stage(dir / program_file_name, default_program_toml(), (dir / program_file_name).string());
    if (git_files) {
        for (const auto& [name, text] : {std::pair{".gitattributes", git::gitattributes_text()},
                                         std::pair{".gitignore", gitignore_text()}}) {
            // An existing one (a records directory inside a larger repository) is kept.
            if (fs::exists(fs::symlink_status(dir / name)))
                continue;
            tx.stage(dir / name, text, (dir / name).string());
            written.push_back(name);
        }
    }
    tx.commit();
    return written;
}

Store::Store(fs::path root) : root_(std::move(root)) {
    struct stat st {};
    if (::lstat(patients_dir().c_str(), &st) == 0 && S_ISLNK(st.st_mode))
        linked_dir(patients_dir(), fmt::format("{}/", patients_dir_name));
}

const Program& Store::program() {
    if (!program_) {
        const std::string shown(program_file_name);
        std::string text = read_file(root_ / program_file_name, shown);
        auto program = std::make_unique<Program>(parse_program(text, shown));
        if (auto closures = read_closures_text())
            program->calendar.set_closures(
                parse_closures(*closures, std::string(closures_file_name)));
        program_ = std::move(program);
    }
    return *program_;
}

std::optional<std::string> Store::read_closures_text() const {
    const fs::path path = root_ / closures_file_name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT)
            return std::nullopt; // no closures recorded yet
        io_fail("cannot read", std::string(closures_file_name), errno);
    }
    return read_file(path, std::string(closures_file_name));
}

void Store::append_closure(const ClosureEntry& entry) {
    const std::string shown(closures_file_name);
    const std::optional<std::string> current = read_closures_text();
    const std::string before = current ? *current : closures_header();
    const std::size_t count = current ? parse_closures(before, shown).size() : 0;
    const std::string content = appended(before, render_closure(entry));
    // Never write a file iop could not read back.
    if (parse_closures(content, shown).size() != count + 1)
        throw IoError(fmt::format("internal error: the entry for {} did not read back; nothing "
                                  "was written",
                                  shown));
    require_private_history();
    Transaction tx;
    tx.stage(root_ / closures_file_name, content, shown);
    tx.commit();
    note_written({shown});
}

std::string Store::shown_path(std::string_view id) {
    return fmt::format("{}/{}.toml", patients_dir_name, id);
}

fs::path Store::record_path(std::string_view id) const {
    require_valid_id(id); // before any path is built from it
    return patients_dir() / (std::string(id) + ".toml");
}

bool Store::exists(std::string_view id) const {
    struct stat st {};
    return ::lstat(record_path(id).c_str(), &st) == 0;
}

std::vector<std::string> Store::ids() const {
    std::vector<std::string> out;
    std::error_code ec;
    fs::directory_iterator it(patients_dir(), ec);
    if (ec)
        throw IoError(fmt::format("cannot list patients/: {}", ec.message()));
    for (const auto& entry : it) {
        const auto& p = entry.path();
        if (p.extension() != ".toml")
            continue;
        std::string stem = p.stem().string();
        if (valid_id(stem))
            out.push_back(stem);
    }
    std::sort(out.begin(), out.end());
    return out;
}

void Store::require_exists(std::string_view id) const {
    if (exists(id))
        return;
    throw Refused(fmt::format("unknown patient '{}'{}", id, did_you_mean(id, ids())));
}

std::string Store::read_record_text(std::string_view id) const {
    return read_file(record_path(id), shown_path(id));
}

namespace {

// The record of patient `id` from its file's bytes: parsed, and its id
// checked against the file's name.
Record parse_patient(std::string_view id, const std::string& content, const std::string& shown) {
    Record rec = parse_record(content, shown);
    if (rec.header.id != id)
        throw DataError(shown, {},
                        fmt::format("the record's id \"{}\" does not match its file "
                                    "name (expected \"{}\")",
                                    rec.header.id, id));
    return rec;
}

} // namespace

Record Store::load(std::string_view id, std::string* text) const {
    require_exists(id);
    std::string shown = shown_path(id);
    std::string content = read_record_text(id);
    Record rec = parse_patient(id, content, shown);
    if (text)
        *text = std::move(content);
    return rec;
}

Store::Loaded Store::load_one(const std::string& id) const {
    CacheNote note;
    return load_cached(id, nullptr, note);
}

Store::Loaded Store::load_cached(const std::string& id, const CacheSession* cache,
                                 CacheNote& note) const {
    note.kind = CacheNote::Kind::unused;
    Loaded out;
    out.id = id;
    const std::string shown = shown_path(id);
    try {
        const fs::path path = record_path(id);
        if (cache) {
            out.record = cache->find(id, path, shown, note);
            if (out.record)
                return out;
        }
        struct stat st {};
        std::int64_t seen_ns = 0;
        const std::string content = read_file_stat(path, shown, st, seen_ns);
        out.record = parse_patient(id, content, shown);
        if (cache)
            cache->keep(*out.record, file_key(st), seen_ns, note);
        return out;
    } catch (const DataError& e) {
        out.error = e;
    } catch (const IoError& e) {
        // The error is reported under the file's name: say it once.
        std::string_view detail = e.what();
        std::string prefix = shown + " ";
        if (detail.substr(0, prefix.size()) == prefix) {
            detail.remove_prefix(prefix.size());
            out.error = DataError(shown, {}, "file " + std::string(detail));
        } else {
            out.error = DataError(shown, {}, std::string(detail));
        }
    }
    if (cache)
        CacheSession::broken(note);
    return out;
}

std::unique_ptr<CacheSession> Store::open_cache() const {
    if (!cache_on_ || cache_disabled_by_environment())
        return nullptr;
    return std::make_unique<CacheSession>(root_, verbose_);
}

bool Store::cache_exists() const {
    struct stat st {};
    return ::lstat((root_ / cache_file_name).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::string> Store::remove_cache() const {
    std::vector<std::string> removed;
    for (const fs::path& path : cache_files(root_)) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT)
            io_fail("cannot remove", path.filename().string(), errno);
        removed.push_back(path.filename().string());
    }
    return removed;
}

std::vector<Store::Loaded> Store::load_many(const std::vector<std::string>& ids,
                                            unsigned jobs) const {
    std::vector<Loaded> out;
    out.reserve(ids.size());
    for_each_record(
        ids, jobs, [](Loaded& loaded) { return std::move(loaded); },
        [&](Loaded& loaded) { out.push_back(std::move(loaded)); });
    return out;
}

Lock Store::lock(double wait_seconds) const {
    const std::string shown(lock_file_name);
    fs::path path = root_ / lock_file_name;
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        io_fail("cannot open the lock file", shown, errno);
    Lock lock(fd);
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::duration<double>(std::max(0.0, wait_seconds));
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            io_fail("cannot lock", shown, errno);
        if (std::chrono::steady_clock::now() >= deadline) {
            char buf[32] = {};
            ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
            std::string pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
            pid.erase(
                std::remove_if(pid.begin(), pid.end(), [](char c) { return c < '0' || c > '9'; }),
                pid.end());
            throw LockedError(fmt::format(
                "the records directory {} is locked by another iop{} (waited {} s); try again, "
                "or wait longer with --wait SECONDS",
                root_.string(), pid.empty() ? "" : fmt::format(" (pid {})", pid), wait_seconds));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::fchmod(fd, 0600);
    std::string pid = fmt::format("{}\n", ::getpid());
    if (::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
        // The pid is only a hint for a waiting writer; the flock is what counts.
    }
    return lock;
}

void Store::create_record(std::string_view id, std::string_view text) {
    if (exists(id))
        throw Refused(fmt::format("patient '{}' already exists ({})", id, shown_path(id)));
    require_private_history();
    Transaction tx;
    tx.stage(record_path(id), text, shown_path(id));
    tx.commit();
    note_written({shown_path(id)});
}

std::string Store::appended(std::string content, std::string_view text) {
    if (!content.empty() && content.back() != '\n')
        content += '\n';
    content += text;
    return content;
}

void Store::replace_record(std::string_view id, std::string_view content) {
    require_private_history();
    Transaction tx;
    tx.stage(record_path(id), content, shown_path(id));
    tx.commit();
    note_written({shown_path(id)});
}

std::vector<TempFile> Store::temp_files() const {
    std::vector<TempFile> out;
    for (const auto& [dir, prefix] :
         {std::pair{root_, std::string()},
          std::pair{patients_dir(), fmt::format("{}/", patients_dir_name)}}) {
        std::error_code ec;
        fs::directory_iterator it(dir, ec);
        if (ec)
            continue; // a missing patients/ is reported by the listing of records
        for (const auto& entry : it) {
            const std::string name = entry.path().filename().string();
            auto target = temp_name_target(name);
            if (!target)
                continue;
            std::optional<std::string> patient;
            if (prefix.empty()) {
                if (*target != program_file_name && *target != closures_file_name)
                    continue;
            } else {
                const std::string_view ext = ".toml";
                if (target->size() <= ext.size() ||
                    target->compare(target->size() - ext.size(), ext.size(), ext) != 0 ||
                    !valid_id(target->substr(0, target->size() - ext.size())))
                    continue;
                patient = target->substr(0, target->size() - ext.size());
            }
            std::error_code sec;
            if (entry.is_symlink(sec) || !entry.is_regular_file(sec))
                continue;
            out.push_back({entry.path(), prefix + name, std::move(patient)});
        }
    }
    std::sort(out.begin(), out.end(),
              [](const TempFile& a, const TempFile& b) { return a.shown < b.shown; });
    return out;
}

bool Store::writer_active() const {
    fs::path path = root_ / lock_file_name;
    Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)};
    if (f.fd < 0)
        return false; // no lock file: no writer has started here
    // A shared lock, held only for this probe, cannot be granted while a
    // writer holds the exclusive one.
    return ::flock(f.fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
}

bool Store::temp_exists(const TempFile& temp) {
    struct stat st {};
    return ::lstat(temp.path.c_str(), &st) == 0;
}

void Store::remove_temp(const TempFile& temp) {
    if (::unlink(temp.path.c_str()) != 0 && errno != ENOENT)
        io_fail("cannot remove", temp.shown, errno);
}

std::vector<Store::PathMode> Store::modes(const std::vector<std::string>& ids) const {
    std::vector<PathMode> out;
    auto add = [&](const fs::path& path, std::string shown, bool dir) {
        struct stat st {};
        // The records directory may be reached through a link; records never are.
        int rc = dir ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
        if (rc != 0 || (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)))
            return; // missing or not of its kind: reported elsewhere, or not ours
        out.push_back({path, std::move(shown), dir, static_cast<unsigned>(st.st_mode & 07777)});
    };
    add(root_, root_.string(), true);
    add(patients_dir(), fmt::format("{}/", patients_dir_name), true);
    add(root_ / cache_file_name, std::string(cache_file_name), false);
    for (const auto& id : ids)
        add(record_path(id), shown_path(id), false);
    return out;
}

std::optional<unsigned> Store::directory_mode(const fs::path& dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return std::nullopt;
    return static_cast<unsigned>(st.st_mode & 07777);
}

std::string Store::gitignore_text() {
    return fmt::format("# iop: the writers' lock, the record cache and temporary files of writes "
                       "in progress\n"
                       "{}\n"
                       "{}\n"
                       ".*{}*\n",
                       lock_file_name, cache_file_name, temp_name_mark);
}

void Store::commit(Transaction& tx) {
    require_private_history();
    std::vector<std::string> files;
    for (const auto& target : tx.targets())
        files.push_back(target.lexically_relative(root_).string());
    tx.commit();
    note_written(files);
}

void Store::note_written(const std::vector<std::string>& relative_paths) const {
    // A set beside the list: an import notes 10,000 files, one by one.
    for (const auto& p : relative_paths)
        if (changed_set_.insert(p).second)
            changed_.push_back(p);
}

std::vector<git::LogEntry> Store::history(const std::optional<std::string>& id) {
    if (id)
        require_exists(*id);
    if (auto off = git::disabled_by_environment())
        throw UsageError(
            fmt::format("there is no history to show: {} turns iop's use of git off", *off));
    if (!program().storage_git)
        throw UsageError("there is no history to show: [storage] git = false in program.toml "
                         "turns iop's use of git off");
    auto top = git::find_work_tree(root_);
    if (!top)
        throw UsageError(fmt::format("there is no history to show: the records directory {} is "
                                     "not in a git repository; make it one with 'git init' (see "
                                     "docs/git.md)",
                                     root_.string()));
    if (git::ignores(*top, root_))
        throw UsageError(fmt::format("there is no history to show: the git repository at {} "
                                     "ignores the records directory {}; make it a repository of "
                                     "its own with 'git init' there (see docs/git.md)",
                                     top->string(), root_.string()));
    git::RunResult r =
        git::run(git::log_invocation(root_, id ? std::optional(shown_path(*id)) : std::nullopt));
    if (r.status != 0) {
        // A repository without commits has no history yet: nothing to show.
        if (r.err.find("does not have any commits yet") != std::string::npos)
            return {};
        std::string why = r.err.substr(0, r.err.find('\n'));
        throw IoError(fmt::format("git log failed in {}: {}", root_.string(),
                                  why.empty() ? fmt::format("exit status {}", r.status) : why));
    }
    return git::parse_log(r.out);
}

void Store::commit_history(const std::optional<std::string>& date) {
    if (changed_.empty())
        return;
    std::vector<std::string> files = std::move(changed_);
    changed_.clear();
    changed_set_.clear();
    const auto& repo = history_repository();
    if (!repo)
        return;
    git::commit(root_, files, change_message_.empty() ? "iop: change" : change_message_, date,
                repo->shared);
}

const std::optional<git::Repository>& Store::history_repository() {
    if (!history_repo_) {
        if (git::disabled_by_environment() || !program().storage_git ||
            !git::tracking_work_tree(root_))
            history_repo_.emplace(std::nullopt);
        else
            try {
                history_repo_.emplace(git::repository(root_));
            } catch (const IoError&) {
                // git cannot run or use it: the commit says so, after the write.
                history_repo_.emplace(git::Repository{});
            }
    }
    return *history_repo_;
}

void Store::require_private_history() {
    if (history_checked_)
        return;
    if (const auto& repo = history_repository())
        if (auto why = git::exposure(*repo))
            throw IoError(*why);
    history_checked_ = true;
}

} // namespace iop
