// The records directory (SPEC section 2): finding it, listing and loading
// records, the writers' lock and atomic, durable writes. The only module that
// touches the filesystem.
#pragma once

#include "iop/error.hpp"
#include "iop/git.hpp"
#include "iop/parallel.hpp"
#include "iop/program.hpp"
#include "iop/record.hpp"
#include "iop/record_cache.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <vector>

namespace iop {

// The names iop gives what it keeps in a records directory (SPEC section 2,
// docs/records.md); no other module spells them.
inline constexpr std::string_view program_file_name = "program.toml";
inline constexpr std::string_view patients_dir_name = "patients";
inline constexpr std::string_view closures_file_name = "closures.toml";
inline constexpr std::string_view lock_file_name = ".iop.lock";
// A temporary file is ".NAME" + temp_name_mark + six letters or digits
// (temp_name_prefix, temp_name_target).
inline constexpr std::string_view temp_name_mark = ".tmp-";
inline constexpr std::size_t temp_name_random = 6;

// Files above this size are refused rather than read (a record grows by a few
// hundred bytes a session; years of records stay far below it), and never
// written: a write that would make a file larger is refused (Refused, exit 1).
inline constexpr std::uintmax_t max_file_bytes = 16u * 1024 * 1024;

// Import inputs may be larger than a record file; above this they are refused,
// without reading past it. Ten times the largest import documented (a 26 MB
// file of 600,000 sessions, docs/import-export.md).
inline constexpr std::uintmax_t max_import_bytes = 256u * 1024 * 1024;

// The refusal of a write that would leave `shown` larger than max_file_bytes,
// a file iop could not read back: the message (the file's size `old_size`
// now, when it exists, and what to do), or nothing when `new_size` is within
// the limit.
std::optional<std::string> oversize_write(const std::string& shown, std::uintmax_t new_size,
                                          std::optional<std::uintmax_t> old_size);

// The temporary files iop writes beside a file (Transaction): ".NAME.tmp-"
// followed by six letters or digits (mkstemp's, or the name of a second link
// to an old version). temp_name_prefix builds the part before the six
// characters; temp_name_target recognises a whole name and returns NAME.
std::string temp_name_prefix(std::string_view file_name);
std::optional<std::string> temp_name_target(std::string_view name);

// A temporary file of an interrupted write, named as iop names them, beside a
// file iop writes: patients/.ID.toml.tmp-XXXXXX (ID a valid patient id), or
// .program.toml.tmp-XXXXXX or .closures.toml.tmp-XXXXXX in the records
// directory.
struct TempFile {
    std::filesystem::path path;
    std::string shown;                  // relative to the records directory
    std::optional<std::string> patient; // the id whose record it was meant to replace
};

// Holds the exclusive flock(2) on .iop.lock until destroyed.
class Lock {
  public:
    explicit Lock(int fd) : fd_(fd) {}
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;
    Lock(Lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    ~Lock();

  private:
    int fd_;
};

// One file a command writes: staged to a temporary file beside its target,
// made durable, and renamed into place only by commit().
struct StagedWrite {
    std::filesystem::path target;
    std::filesystem::path temp;
    std::string shown; // name for messages, relative to the records directory
    // A second link to the version being replaced, under a temporary name,
    // or empty (see Transaction::keep_old).
    std::filesystem::path old;
};

// A multi-file change: every file is staged first, then all are renamed, so a
// failure before the renames leaves every file as it was.
class Transaction {
  public:
    Transaction() = default;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction(); // removes temp files never committed

    void stage(const std::filesystem::path& target, std::string_view content,
               const std::string& shown);
    // Makes every staged file durable (fsync for one file, one syncfs(2) for
    // several), renames each, removes the old versions of a multi-file
    // change, then fsyncs the directories.
    void commit();
    // The files staged so far, in order.
    std::vector<std::filesystem::path> targets() const;

  private:
    void sync_staged();
    void keep_old(StagedWrite& s);

    std::vector<StagedWrite> staged_;
    int last_fd_ = -1;        // the last staged file, still open for its fsync
    std::uint64_t names_ = 0; // state of the generator of temporary names
};

class Store {
  public:
    // --dir, else $IOP_DIR, else the current directory or its nearest parent
    // holding program.toml. Throws UsageError naming what was searched.
    static std::filesystem::path discover(const std::optional<std::string>& dir,
                                          const char* env_dir, const std::filesystem::path& cwd);

    // Creates a records directory with the default program; refuses (exit 1)
    // a directory that already holds program.toml. With git_files, also
    // .gitattributes and .gitignore (docs/git.md). Returns the files written,
    // relative to dir.
    static std::vector<std::string> init(const std::filesystem::path& dir, bool git_files = false);

    explicit Store(std::filesystem::path root);

    const std::filesystem::path& root() const { return root_; }
    // patients/ of the records directory. The constructor refuses one that is
    // a symbolic link (IoError, exit 4, naming where it points).
    std::filesystem::path patients_dir() const { return root_ / patients_dir_name; }

    // Loaded and validated on first use, with the closures of closures.toml
    // (when it exists) in program().calendar: every command and the engine
    // see them. A broken closures.toml is a DataError (exit 3) like a broken
    // program.toml.
    const Program& program();

    // The bytes of closures.toml, or nothing when there is none.
    std::optional<std::string> read_closures_text() const;
    // Appends one [[closure]] entry to closures.toml (creating it, 0600, with
    // its schema_version), atomically, once the new file parses back with the
    // entry in it; noted for the git commit. The caller holds the lock.
    void append_closure(const ClosureEntry& entry);

    // "patients/ID.toml", as messages show it.
    static std::string shown_path(std::string_view id);

    bool exists(std::string_view id) const;
    // Every patient id with a file in patients/, sorted.
    std::vector<std::string> ids() const;
    // Throws Refused (exit 1) for an unknown id, suggesting a close one.
    void require_exists(std::string_view id) const;

    std::string read_record_text(std::string_view id) const;
    // Reads and parses a record; with `text`, also hands back the file's
    // bytes as read (a writer appending to them need not read them again).
    Record load(std::string_view id, std::string* text = nullptr) const;

    // Loads many records; a broken one is reported, never stops the others.
    struct Loaded {
        std::string id;
        std::optional<Record> record;
        std::optional<DataError> error;
    };
    // Loads one record for load_many and for_each_record: a DataError or
    // IoError is kept in the result rather than thrown.
    Loaded load_one(const std::string& id) const;
    // Every record at once, in the order of `ids`, read on `jobs` threads.
    // Holds them all: prefer for_each_record for more than a few.
    std::vector<Loaded> load_many(const std::vector<std::string>& ids, unsigned jobs = 1) const;

    // Goes over many records holding only a bounded window of them: on `jobs`
    // worker threads, each record is loaded (from the record cache when its
    // file is unchanged: record_cache.hpp) and passed to work(Loaded&),
    // whose result is handed to deliver(Result&) on the calling thread, in
    // the order of `ids`, and then destroyed. work runs concurrently with
    // itself: it may only read shared state (the Program, loaded first).
    // Memory stays flat in the number of records; output order is that of
    // `ids` whatever `jobs` is.
    template <typename Work, typename Deliver>
    void for_each_record(const std::vector<std::string>& ids, unsigned jobs, Work&& work,
                         Deliver&& deliver) const;

    // The record cache: on unless IOP_NO_CACHE is set or use_cache(false);
    // with a verbose stream, what it did and why it could not is noted there
    // (--verbose).
    void use_cache(bool on) { cache_on_ = on; }
    void set_verbose(std::ostream* verbose) { verbose_ = verbose; }
    // Removes the cache and temporary files of interrupted cache writes;
    // returns their names (relative to the records directory). IoError
    // (exit 4) naming one that cannot be removed.
    std::vector<std::string> remove_cache() const;
    // Whether the cache's file exists (as a regular file).
    bool cache_exists() const;

    // Waits up to wait_seconds for the exclusive lock; LockedError (exit 75) then.
    Lock lock(double wait_seconds) const;

    // Writes a new patient file; Refused if it already exists.
    void create_record(std::string_view id, std::string_view text);
    // Replaces a patient file with `content`, the whole new file (its old
    // bytes with a block appended): written to a temp file, fsynced and
    // renamed over the old one, then the directory fsynced.
    void replace_record(std::string_view id, std::string_view content);
    // `content` with `text` appended, after a newline if `content` lacks one.
    static std::string appended(std::string content, std::string_view text);
    std::filesystem::path record_path(std::string_view id) const;
    // Every leftover temporary file iop itself names (TempFile), sorted by
    // name; only regular files, never other names.
    std::vector<TempFile> temp_files() const;
    // Whether a writer holds the directory lock right now (a temporary file
    // may then be its write in progress, not a leftover). Probes without
    // creating the lock file and without waiting.
    bool writer_active() const;
    // Whether a temporary file is still there (a write in progress renames
    // its file away).
    static bool temp_exists(const TempFile& temp);
    // Deletes a leftover temporary file (one already gone is no error);
    // IoError (exit 4) naming it on failure.
    static void remove_temp(const TempFile& temp);

    // The permission bits (07777) of what must stay private: the records
    // directory (which may be reached through a link), patients/ and the
    // given patients' files (never through a link), each only when it exists
    // as a directory or a regular file, as it should be.
    struct PathMode {
        std::filesystem::path path;
        std::string shown; // as messages show it
        bool dir;
        unsigned mode;
    };
    std::vector<PathMode> modes(const std::vector<std::string>& ids) const;
    // The permission bits of a directory outside the records (the git
    // directory), not through a link; nothing when it is not a directory.
    static std::optional<unsigned> directory_mode(const std::filesystem::path& dir);

    // What .gitignore of `iop init --git` holds: the lock file and the
    // temporary names.
    static std::string gitignore_text();

    // Commits a multi-file change (see Transaction) and remembers its files.
    void commit(Transaction& tx);

    // The history of a command's writes (docs/git.md). Every file written
    // through the Store is remembered; describe_change names the change (the
    // commit message); commit_history then commits exactly those files, once,
    // when the directory is in a git work tree and git is not turned off
    // (IOP_NO_GIT, [storage] git = false). Called once, after the command,
    // while the directory lock is held. IoError (exit 4) when git fails: the
    // files stay written.
    void describe_change(std::string message) { change_message_ = std::move(message); }
    void note_written(const std::vector<std::string>& relative_paths) const;
    const std::vector<std::string>& changed_files() const { return changed_; }
    // `date`: the author date (the entries' recorded_at), if any.
    void commit_history(const std::optional<std::string>& date);
    // Before the first write (create_record, replace_record, commit): when
    // its files will be committed, refuses (IoError, exit 4) a repository
    // whose git directory is open to other users and not shared on purpose
    // (git::exposure). A command that writes nothing (import --dry-run) is
    // never refused.
    void require_private_history();
    // The commits that changed patients/ID.toml (or anything in the records
    // directory), newest first. UsageError (exit 2) when git is turned off or
    // the directory is in no git repository; IoError (exit 4) when git fails.
    std::vector<git::LogEntry> history(const std::optional<std::string>& id);

  private:
    // load_one through the cache (nullptr: without it), noting what it did.
    Loaded load_cached(const std::string& id, const CacheSession* cache, CacheNote& note) const;
    std::unique_ptr<CacheSession> open_cache() const;
    bool cache_on_ = true;
    std::ostream* verbose_ = nullptr;
    // The repository the writes are committed to, once looked up.
    std::optional<std::optional<git::Repository>> history_repo_;
    bool history_checked_ = false; // require_private_history passed
    const std::optional<git::Repository>& history_repository();
    std::filesystem::path root_;
    std::unique_ptr<Program> program_;
    // Bookkeeping of the writes (const ones included), relative to root_.
    mutable std::vector<std::string> changed_;
    mutable std::unordered_set<std::string> changed_set_; // the same, to look up
    std::string change_message_;
};

template <typename Work, typename Deliver>
void Store::for_each_record(const std::vector<std::string>& ids, unsigned jobs, Work&& work,
                            Deliver&& deliver) const {
    using Result = std::invoke_result_t<Work&, Loaded&>;
    // A few records a worker keeps every core busy while the calling thread
    // writes output; the window, not the number of records, bounds memory.
    const std::size_t window = 8 * static_cast<std::size_t>(std::max(jobs, 1u)) + 8;
    struct Slot {
        std::optional<Result> result;
        CacheNote note;
    };
    std::vector<Slot> slots(window);
    const std::unique_ptr<CacheSession> cache = open_cache();
    ordered_parallel(
        ids.size(), jobs, window,
        [&](std::size_t i) {
            // The slot's previous result was delivered (the window ensures it);
            // freeing it here, on a worker, keeps that work off the calling
            // thread and out of contention with the workers' allocations.
            Slot& slot = slots[i % window];
            slot.result.reset();
            Loaded loaded = load_cached(ids[i], cache.get(), slot.note);
            slot.result.emplace(work(loaded));
        },
        [&](std::size_t i) {
            Slot& slot = slots[i % window];
            if (cache)
                cache->delivered(ids[i], slot.note);
            deliver(*slot.result);
        });
    if (cache)
        cache->finish([this](std::string_view id) { return record_path(id); });
}

// Reads a whole file (regular files only, not links; at most max_file_bytes).
// `shown` names it in messages. A file that is not a regular one (a FIFO, a
// directory, ...) is refused before it is opened (IoError, exit 4, naming
// what it is).
std::string read_file(const std::filesystem::path& path, const std::string& shown);

// All of an input to import: `path` (links followed: the user named it; a
// FIFO, such as bash's <(...), is read like a file), or standard input for
// "-". Reads at most `limit` bytes: DataError (exit 3) above it, a regular
// file refused unread. Stops reading after the block that holds its first
// NUL byte, returning what it read: binary data (or UTF-16), which parse_csv
// refuses, naming the line; so /dev/zero is read for one block (64 KiB).
// IoError (exit 4) when it cannot be read or is a directory. `shown` names it.
std::string read_input(const std::string& path, const std::string& shown,
                       std::uintmax_t limit = max_import_bytes);

} // namespace iop
