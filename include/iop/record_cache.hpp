// The record cache (docs/records.md, "The record cache"): part of the store.
// One file, .iop.cache in the records directory, holding each patient file's
// parsed record in binary (record_codec.hpp), keyed by the file's stat data,
// so that a command reading many records parses only those that changed.
// Like git's index, it trusts a file whose device, inode, size, modification
// and change times are those it recorded (in the local time zone it was
// written in: a record holds local dates of its timestamps), and never records a file changed
// too recently to be told apart from a change still to come (the "racy"
// case). A cache that cannot be read or trusted is ignored and rebuilt; it
// is never an error.
#pragma once

#include "iop/record.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct stat;

namespace iop {

inline constexpr std::string_view cache_file_name = ".iop.cache";

// What a cache entry is keyed by: the file's stat data, times in nanoseconds.
struct FileKey {
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;
    bool operator==(const FileKey&) const = default;
};

FileKey file_key(const struct stat& st);

// How long after its last change a file becomes cacheable: a change within
// the same tick of the file system's clock could leave every key field as
// it was. File systems that keep nanoseconds tick at most every 10 ms;
// those that keep whole seconds (a change time without nanoseconds) every
// second, or two (FAT).
inline constexpr std::int64_t racy_margin_ns = 100'000'000;
inline constexpr std::int64_t racy_margin_coarse_ns = 2'000'000'000;

// Whether a file with `key`, whose stat was taken at `seen_ns` (the system
// clock, nanoseconds since the epoch), may be put in the cache: its
// modification and change times both older than the margin.
bool cacheable(const FileKey& key, std::int64_t seen_ns);

// The system clock now, in nanoseconds since the epoch.
std::int64_t clock_now_ns();

// Whether IOP_NO_CACHE turns the cache off (set, not empty, not "0").
bool cache_disabled_by_environment();

// What a worker found out about one record for the cache, handed to the
// calling thread with the record.
struct CacheNote {
    enum class Kind {
        unused, // the cache is off, or the record was not loaded through it
        hit,    // taken from the cache (old_entry)
        fresh,  // parsed, and cacheable: payload holds its encoding
        parsed, // parsed (or broken), not cacheable
    };
    Kind kind = Kind::unused;
    std::size_t old_entry = 0;
    FileKey key;
    std::string payload;
};

// One command's use of the cache: opened before the records are read,
// consulted by the workers (find, keep: const, safe on several threads), told
// of each record in order on the calling thread (delivered), and written
// back, when anything changed, by finish. Failures to read or write the
// cache are never errors; with a `verbose` stream, each is noted there.
class CacheSession {
  public:
    CacheSession(std::filesystem::path root, std::ostream* verbose);
    CacheSession(const CacheSession&) = delete;
    CacheSession& operator=(const CacheSession&) = delete;
    ~CacheSession();

    // The record of patient `id` (file name shown as `file`) from the cache,
    // when the file at `path` is a regular file with the key its entry holds
    // and the entry passes its checksum. Notes a hit in `note`.
    std::optional<Record> find(const std::string& id, const std::filesystem::path& path,
                               const std::string& file, CacheNote& note) const;
    // After a record was parsed from a file whose stat, taken at `seen_ns`,
    // gave `key`: notes its encoding when the file is cacheable.
    void keep(const Record& record, const FileKey& key, std::int64_t seen_ns,
              CacheNote& note) const;
    // A record that was not loaded (broken, unreadable): its entry, if any,
    // is dropped.
    static void broken(CacheNote& note) { note.kind = CacheNote::Kind::parsed; }

    // In the order of the ids, on the calling thread.
    void delivered(const std::string& id, CacheNote& note);
    // Writes the new cache when anything changed: every record noted fresh
    // or hit, and the old entries of files not visited that still exist
    // (each patient's file is `record_path(id)`).
    void finish(const std::function<std::filesystem::path(std::string_view)>& record_path);

  private:
    struct Entry {
        std::string id;
        FileKey key;
        std::uint64_t offset = 0;
        std::uint64_t length = 0;
        std::uint64_t checksum = 0;
    };
    void load();
    void note(const std::string& message) const;
    bool start_writing();
    void write_bytes(std::string_view bytes);
    void flush();
    void copy_old(std::size_t entry);
    void copy_pending();
    void abandon(const std::string& why);

    std::filesystem::path root_;
    std::ostream* verbose_;
    // The file's header: the codec's key and the local time zone's.
    std::string header_;
    // The cache as read.
    int fd_ = -1;
    std::vector<Entry> entries_;
    std::unordered_map<std::string_view, std::size_t> by_id_;
    // What this run saw, in order: (id, old entry) of each hit not yet
    // written, while nothing changed; the new cache once something did.
    std::vector<std::size_t> pending_hits_;
    std::vector<bool> visited_;
    bool dirty_ = false;
    bool failed_ = false;
    std::size_t hits_ = 0, parsed_ = 0;
    // The new cache being written.
    int out_fd_ = -1;
    std::filesystem::path temp_;
    std::string buffer_;
    std::uint64_t written_ = 0;
    std::vector<Entry> new_entries_;
    // A run of old entries to copy in one go: [copy_from_, copy_from_ + copy_length_).
    std::uint64_t copy_from_ = 0, copy_length_ = 0;
};

// The cache's file and any temporary files of interrupted cache writes in
// the records directory, sorted (for check --clean).
std::vector<std::filesystem::path> cache_files(const std::filesystem::path& root);

} // namespace iop
