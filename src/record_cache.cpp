#include "iop/record_cache.hpp"

#include "iop/record_codec.hpp"
#include "iop/store.hpp"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <ostream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace iop {

namespace fs = std::filesystem;

// The file (docs/records.md, "The record cache"), integers little-endian:
//   header   "IOPCACHE", u32 format, u32 key length, the key (record_codec_key)
//   payloads each record's encoding, one after another
//   index    per entry: u32 id length, id, u64 dev, ino, size, i64 mtime_ns,
//            ctime_ns, u64 offset, length, checksum (XXH3-64 of the payload)
//   footer   u64 index offset, index length, entry count, checksum (XXH3-64
//            of header and index), "IOPCEND!"
namespace {

constexpr std::string_view magic = "IOPCACHE";
constexpr std::string_view end_magic = "IOPCEND!";
constexpr std::uint32_t format_version = 1;
constexpr std::size_t footer_size = 4 * 8 + 8;
constexpr std::size_t buffer_limit = 1 << 20;
// Bounds on what a damaged or foreign file can make a reader allocate: an
// index entry is about 100 bytes, and a record's binary form is smaller than
// its file, which is at most max_file_bytes.
constexpr std::uint64_t max_index_bytes = 512u * 1024 * 1024;
constexpr std::uint64_t max_payload_bytes = 2 * max_file_bytes;

void put64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void put32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint64_t get64(const char* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}

std::uint32_t get32(const char* p) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}

std::uint64_t checksum(std::string_view bytes) {
    return XXH3_64bits(bytes.data(), bytes.size());
}

// What the local time zone is made of: a record keeps, for each entry, the
// local date of its recorded_at (recorded_on), so a cache is good only in the
// zone it was written in. TZ as set, and the zone file it names (or
// /etc/localtime when it is unset): which file, its size and modification
// time, so that a new zone or a tzdata update leaves the cache behind.
std::string zone_key() {
    const char* tz = std::getenv("TZ");
    std::string name = tz ? tz : "";
    std::string file;
    if (!tz)
        file = "/etc/localtime";
    else {
        std::string_view zone = name;
        if (!zone.empty() && zone.front() == ':')
            zone.remove_prefix(1);
        if (!zone.empty() && zone.front() == '/')
            file = zone;
        else if (!zone.empty()) {
            const char* dir = std::getenv("TZDIR");
            file = fmt::format("{}/{}", dir && *dir ? dir : "/usr/share/zoneinfo", zone);
        }
    }
    struct stat st {};
    if (file.empty() || ::stat(file.c_str(), &st) != 0)
        return fmt::format("tz {}{}", tz ? "=" : "unset", name);
    const FileKey k = file_key(st);
    return fmt::format("tz {}{} {}:{}:{}:{}", tz ? "=" : "unset", name, k.dev, k.ino, k.size,
                       k.mtime_ns);
}

std::string header_bytes() {
    std::string out(magic);
    const std::string key = record_codec_key() + " " + zone_key();
    put32(out, format_version);
    put32(out, static_cast<std::uint32_t>(key.size()));
    out += key;
    return out;
}

// Reads exactly `size` bytes at `offset`; false on a short read or error.
bool read_at(int fd, std::string& out, std::uint64_t offset, std::uint64_t size) {
    out.resize(static_cast<std::size_t>(size));
    std::size_t done = 0;
    while (done < size) {
        ssize_t n =
            ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

} // namespace

FileKey file_key(const struct stat& st) {
    FileKey k;
    k.dev = static_cast<std::uint64_t>(st.st_dev);
    k.ino = static_cast<std::uint64_t>(st.st_ino);
    k.size = static_cast<std::uint64_t>(st.st_size);
    k.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    k.ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
    return k;
}

bool cacheable(const FileKey& key, std::int64_t seen_ns) {
    const std::int64_t margin =
        key.ctime_ns % 1'000'000'000 == 0 ? racy_margin_coarse_ns : racy_margin_ns;
    const std::int64_t changed = std::max(key.mtime_ns, key.ctime_ns);
    return changed <= seen_ns - margin;
}

std::int64_t clock_now_ns() {
    struct timespec ts {};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool cache_disabled_by_environment() {
    const char* v = std::getenv("IOP_NO_CACHE");
    return v && *v && std::string_view(v) != "0";
}

CacheSession::CacheSession(fs::path root, std::ostream* verbose)
    : root_(std::move(root)), verbose_(verbose), header_(header_bytes()) {
    load();
}

CacheSession::~CacheSession() {
    if (out_fd_ >= 0) {
        ::close(out_fd_);
        ::unlink(temp_.c_str());
    }
    if (fd_ >= 0)
        ::close(fd_);
}

void CacheSession::note(const std::string& message) const {
    if (verbose_)
        *verbose_ << "iop: note: " << message << '\n';
}

void CacheSession::load() {
    const fs::path path = root_ / cache_file_name;
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd_ < 0) {
        const int err = errno;
        if (err != ENOENT)
            note(fmt::format("ignoring the record cache {}: {}; it is rebuilt", cache_file_name,
                             std::strerror(err)));
        dirty_ = err != ENOENT;
        return;
    }
    auto ignore = [&](std::string_view why) {
        note(fmt::format("ignoring the record cache {}: {}; it is rebuilt", cache_file_name, why));
        entries_.clear();
        by_id_.clear();
        ::close(fd_);
        fd_ = -1;
        dirty_ = true;
    };
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))
        return ignore("not a regular file");
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const std::string& expected_header = header_;
    std::string header, footer, index;
    if (size == 0)
        return ignore("empty");
    if (!read_at(fd_, header, 0, std::min<std::uint64_t>(size, expected_header.size())) ||
        header.substr(0, magic.size()) != magic)
        return ignore("not a record cache");
    if (header != expected_header) {
        // Same codec, another zone: the key's text tells them apart.
        if (header.compare(0, 12, expected_header, 0, 12) == 0 &&
            header.find(record_codec_key() + " tz ") != std::string::npos)
            return ignore("written in another time zone");
        if (header.size() == expected_header.size()) // shorter: truncated, below
            return ignore("written by another version of iop");
    }
    if (size < expected_header.size() + footer_size ||
        !read_at(fd_, footer, size - footer_size, footer_size) || footer.substr(32) != end_magic)
        return ignore("truncated");
    const std::uint64_t index_offset = get64(footer.data());
    const std::uint64_t index_length = get64(footer.data() + 8);
    const std::uint64_t count = get64(footer.data() + 16);
    if (index_offset < header.size() || index_offset > size - footer_size ||
        index_length != size - footer_size - index_offset || index_length > max_index_bytes ||
        !read_at(fd_, index, index_offset, index_length) ||
        checksum(header + index) != get64(footer.data() + 24))
        return ignore("damaged (checksum)");
    const char* p = index.data();
    const char* end = p + index.size();
    constexpr std::size_t fixed = 8 * 8;
    entries_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(count, index.size())));
    for (std::uint64_t i = 0; i < count; ++i) {
        if (end - p < 4)
            return ignore("damaged (index)");
        const std::uint32_t id_length = get32(p);
        p += 4;
        if (static_cast<std::size_t>(end - p) < id_length + fixed)
            return ignore("damaged (index)");
        Entry e;
        e.id.assign(p, id_length);
        p += id_length;
        if (!valid_id(e.id)) // never a path outside patients/
            return ignore("damaged (index)");
        e.key.dev = get64(p);
        e.key.ino = get64(p + 8);
        e.key.size = get64(p + 16);
        e.key.mtime_ns = static_cast<std::int64_t>(get64(p + 24));
        e.key.ctime_ns = static_cast<std::int64_t>(get64(p + 32));
        e.offset = get64(p + 40);
        e.length = get64(p + 48);
        e.checksum = get64(p + 56);
        p += fixed;
        if (e.offset < header.size() || e.offset > index_offset ||
            e.length > index_offset - e.offset || e.length > max_payload_bytes)
            return ignore("damaged (index)");
        entries_.push_back(std::move(e));
    }
    if (p != end)
        return ignore("damaged (index)");
    by_id_.reserve(entries_.size());
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (!by_id_.emplace(entries_[i].id, i).second)
            return ignore("damaged (an id twice)");
    visited_.assign(entries_.size(), false);
}

std::optional<Record> CacheSession::find(const std::string& id, const fs::path& path,
                                         const std::string& file, CacheNote& note) const {
    auto it = by_id_.find(id);
    if (it == by_id_.end())
        return std::nullopt;
    const Entry& e = entries_[it->second];
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || file_key(st) != e.key)
        return std::nullopt;
    thread_local std::string payload;
    if (!read_at(fd_, payload, e.offset, e.length) || checksum(payload) != e.checksum)
        return std::nullopt;
    std::optional<Record> record = decode_record(payload, file);
    if (!record || record->header.id != id)
        return std::nullopt;
    note.kind = CacheNote::Kind::hit;
    note.old_entry = it->second;
    return record;
}

void CacheSession::keep(const Record& record, const FileKey& key, std::int64_t seen_ns,
                        CacheNote& note) const {
    if (!cacheable(key, seen_ns)) {
        note.kind = CacheNote::Kind::parsed;
        return;
    }
    note.kind = CacheNote::Kind::fresh;
    note.key = key;
    note.payload.clear();
    encode_record(record, note.payload);
}

bool CacheSession::start_writing() {
    if (out_fd_ >= 0)
        return true;
    if (failed_)
        return false;
    std::string name = (root_ / cache_file_name).string();
    name += temp_name_mark;
    name += "XXXXXX";
    out_fd_ = ::mkostemp(name.data(), O_CLOEXEC);
    if (out_fd_ < 0) {
        abandon(std::strerror(errno));
        return false;
    }
    temp_ = name;
    if (::fchmod(out_fd_, 0600) != 0) {
        abandon(std::strerror(errno));
        return false;
    }
    buffer_ = header_;
    written_ = buffer_.size();
    copy_pending();
    return !failed_;
}

void CacheSession::abandon(const std::string& why) {
    if (!failed_)
        note(fmt::format("the record cache {} was not written: {}", cache_file_name, why));
    failed_ = true;
    if (out_fd_ >= 0) {
        ::close(out_fd_);
        ::unlink(temp_.c_str());
        out_fd_ = -1;
    }
    buffer_.clear();
    buffer_.shrink_to_fit();
}

void CacheSession::flush() {
    if (failed_)
        return;
    if (!buffer_.empty()) {
        if (!write_all(out_fd_, buffer_.data(), buffer_.size()))
            return abandon(std::strerror(errno));
        buffer_.clear();
    }
    // The run of old payloads, copied within the kernel where it can.
    loff_t from = static_cast<loff_t>(copy_from_);
    while (copy_length_ > 0) {
        ssize_t n = ::copy_file_range(fd_, &from, out_fd_, nullptr,
                                      static_cast<std::size_t>(copy_length_), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; // another file system, or none of it copied: by hand below
        copy_length_ -= static_cast<std::uint64_t>(n);
    }
    std::string chunk;
    while (copy_length_ > 0) {
        const std::uint64_t size = std::min<std::uint64_t>(copy_length_, buffer_limit);
        if (!read_at(fd_, chunk, static_cast<std::uint64_t>(from), size) ||
            !write_all(out_fd_, chunk.data(), chunk.size()))
            return abandon("cannot copy the old cache");
        from += static_cast<loff_t>(size);
        copy_length_ -= size;
    }
}

void CacheSession::write_bytes(std::string_view bytes) {
    if (copy_length_ > 0)
        flush();
    buffer_ += bytes;
    written_ += bytes.size();
    if (buffer_.size() >= buffer_limit)
        flush();
}

void CacheSession::copy_old(std::size_t index) {
    const Entry& old = entries_[index];
    if (!buffer_.empty() && copy_length_ == 0)
        flush();
    if (copy_length_ > 0 && old.offset != copy_from_ + copy_length_)
        flush();
    if (copy_length_ == 0)
        copy_from_ = old.offset;
    copy_length_ += old.length;
    Entry e = old;
    e.offset = written_;
    written_ += old.length;
    new_entries_.push_back(std::move(e));
}

void CacheSession::copy_pending() {
    for (std::size_t index : pending_hits_)
        copy_old(index);
    pending_hits_.clear();
    pending_hits_.shrink_to_fit();
}

void CacheSession::delivered(const std::string& id, CacheNote& note) {
    if (auto it = by_id_.find(id); it != by_id_.end())
        visited_[it->second] = true;
    switch (note.kind) {
    case CacheNote::Kind::unused:
        return;
    case CacheNote::Kind::hit:
        ++hits_;
        if (out_fd_ >= 0 && !failed_)
            copy_old(note.old_entry);
        else
            pending_hits_.push_back(note.old_entry);
        return;
    case CacheNote::Kind::fresh:
        ++parsed_;
        dirty_ = true;
        if (!start_writing())
            return;
        {
            Entry e;
            e.id = id;
            e.key = note.key;
            e.offset = written_;
            e.length = note.payload.size();
            e.checksum = checksum(note.payload);
            write_bytes(note.payload);
            new_entries_.push_back(std::move(e));
        }
        note.payload.clear();
        return;
    case CacheNote::Kind::parsed:
        // Its entry, if any, is out of date: it never matches again, and is
        // dropped when the cache is next written; not a reason to write it.
        ++parsed_;
        return;
    }
}

void CacheSession::finish(const std::function<fs::path(std::string_view)>& record_path) {
    if (verbose_)
        note(fmt::format("{} records from the record cache, {} parsed", hits_, parsed_));
    if (!dirty_ || failed_)
        return;
    if (!start_writing())
        return;
    // Old entries this run did not visit (a command given some ids): kept
    // while their file exists; their key is checked when they are used.
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (visited_[i])
            continue;
        struct stat st {};
        if (::lstat(record_path(entries_[i].id).c_str(), &st) == 0 && S_ISREG(st.st_mode))
            copy_old(i);
    }
    std::string index;
    for (const Entry& e : new_entries_) {
        put32(index, static_cast<std::uint32_t>(e.id.size()));
        index += e.id;
        put64(index, e.key.dev);
        put64(index, e.key.ino);
        put64(index, e.key.size);
        put64(index, static_cast<std::uint64_t>(e.key.mtime_ns));
        put64(index, static_cast<std::uint64_t>(e.key.ctime_ns));
        put64(index, e.offset);
        put64(index, e.length);
        put64(index, e.checksum);
    }
    std::string footer;
    put64(footer, written_);
    put64(footer, index.size());
    put64(footer, new_entries_.size());
    put64(footer, checksum(header_ + index));
    footer += end_magic;
    write_bytes(index);
    write_bytes(footer);
    flush();
    if (failed_)
        return;
    // No fsync: the cache can be rebuilt, and a file a crash left torn
    // fails its checksums and is ignored.
    if (::close(out_fd_) != 0) {
        out_fd_ = -1;
        ::unlink(temp_.c_str());
        return abandon(std::strerror(errno));
    }
    out_fd_ = -1;
    if (::rename(temp_.c_str(), (root_ / cache_file_name).c_str()) != 0) {
        const int err = errno;
        ::unlink(temp_.c_str());
        return abandon(std::strerror(err));
    }
    note(fmt::format("the record cache {} was written: {} records, {} bytes", cache_file_name,
                     new_entries_.size(), written_));
}

std::vector<fs::path> cache_files(const fs::path& root) {
    std::vector<fs::path> out;
    std::error_code ec;
    const std::string temp_prefix = std::string(cache_file_name) + std::string(temp_name_mark);
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        const std::string name = entry.path().filename().string();
        if (name == cache_file_name || (name.size() == temp_prefix.size() + temp_name_random &&
                                        name.compare(0, temp_prefix.size(), temp_prefix) == 0)) {
            std::error_code kind_ec;
            if (entry.is_regular_file(kind_ec) && !entry.is_symlink(kind_ec))
                out.push_back(entry.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace iop
