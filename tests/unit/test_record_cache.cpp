// The record cache: the binary codec of a Record (record_codec.hpp) and the
// cache file of the store (record_cache.hpp, Store::for_each_record).
#include "iop/record_cache.hpp"
#include "iop/record_codec.hpp"
#include "iop/store.hpp"

#include "testutil.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <xxhash.h>

#include <cstdlib>
#include <random>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

using namespace iop;
using testutil::ymd;
namespace fs = std::filesystem;

namespace {

EntryMeta meta_with(int n) {
    EntryMeta m;
    m.date = ymd(2026, 11, static_cast<unsigned>(n));
    m.recorded_by = "coordinator" + std::to_string(n);
    m.recorded_at = "2026-11-0" + std::to_string(n % 10) + "T17:02:11Z";
    m.recorded_on = ymd(2026, 11, static_cast<unsigned>(n) + 1);
    m.pos = {10 * n, n};
    return m;
}

template <typename T> T with_meta(int n) {
    T x;
    static_cast<EntryMeta&>(x) = meta_with(n);
    return x;
}

// A record in which every field of every kind of entry holds a value other
// than its default: a field the codec forgot would come back different.
Record every_field() {
    Record r;
    r.file = "patients/P-0042.toml";
    Header& h = r.header;
    h.id = "P-0042";
    h.name = "Zoë \"Q\" O'Brien\nsecond line";
    h.born = ymd(1990, 2, 28);
    h.enrolled = ymd(2026, 11, 2);
    h.clinician = "Dr. Rivera";
    h.diagnosis = "F10.20";
    h.insurance = "Medicare";
    h.recorded_by = "admin";
    h.recorded_at = "2026-11-02T08:00:00+02:00";
    h.recorded_on = ymd(2026, 11, 2);
    h.plan = {11, 4, 2, 0};

    auto s = with_meta<Session>(3);
    s.kind = SessionKind::family;
    s.topic = "relapse-prevention";
    s.hours = 1.25;
    s.status = SessionStatus::excused;
    s.note = "snow";
    s.objectives = {"G1.1", "G2.3"};
    auto sc = with_meta<Screen>(4);
    sc.result = ScreenResult::pending;
    sc.substances = {"alcohol", "opioids"};
    auto m = with_meta<Medication>(5);
    m.action = MedAction::stop;
    m.name = "naltrexone";
    m.dose = "50 mg";
    m.review_days = 14;
    auto e = with_meta<Event>(6);
    e.type = EventType::amend;
    e.plan = {10, 2, 1, 3};
    e.sponsor = "Sam";
    e.groups = {"AA", "SMART"};
    e.reason = "typo";
    e.forced = true;
    e.text = "free text";
    e.entry = "0123abcd-2";
    e.amend = {"New Name", ymd(1991, 3, 4), "Dr. Lee", "F11.20", "Aetna"};
    e.role = SignRole::guardian;
    e.signer = "Parent";
    e.plan_version = 7;
    e.declined = true;
    e.physician = "Dr. Who";
    auto g = with_meta<Goal>(7);
    g.ref = "G2";
    g.action = GoalAction::revise;
    g.problem = "problem";
    g.goal = "goal";
    g.words = "in my words";
    g.dimension = 5;
    g.note = "note";
    auto o = with_meta<Objective>(8);
    o.ref = "G2.3";
    o.action = ObjectiveAction::partly_achieved;
    o.text = "text";
    o.measure = "measure";
    o.target = ymd(2026, 12, 24);
    o.interventions = std::vector<std::string>{"CBT", "MI"};
    o.note = "note";
    auto a = with_meta<AsamAssessment>(9);
    a.ratings = {0, 1, 2, 3, 4, 3};
    a.level = "2.5";
    a.note = "intake";
    auto au = with_meta<Authorization>(10);
    au.payer = "Aetna";
    au.number = "A-1";
    au.from = ymd(2026, 11, 2);
    au.to = ymd(2026, 12, 1);
    au.units = 24;
    au.unit = AuthUnit::hour;
    au.next_review = ymd(2026, 11, 20);
    au.note = "note";
    r.journal = {s, sc, m, e, g, o, a, au};
    // Optionals absent, empty lists, an objective without interventions.
    auto o2 = with_meta<Objective>(11);
    o2.ref = "G1.1";
    o2.interventions = std::vector<std::string>{};
    auto o3 = with_meta<Objective>(12);
    o3.ref = "G1.2";
    auto v = with_meta<Event>(13);
    v.type = EventType::void_;
    v.entry = "deadbeef";
    r.voided = {o2, o3, v};
    return r;
}

std::string encoded(const Record& r) {
    std::string out;
    encode_record(r, out);
    return out;
}

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    REQUIRE(EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) == 1);
    std::string hex;
    for (unsigned i = 0; i < size; ++i)
        hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

} // namespace

TEST_CASE("record codec: every field of every entry comes back as it was") {
    const Record r = every_field();
    const std::string bytes = encoded(r);
    std::optional<Record> back = decode_record(bytes, r.file);
    REQUIRE(back);
    CHECK(back->header == r.header);
    REQUIRE(back->journal.size() == r.journal.size());
    for (std::size_t i = 0; i < r.journal.size(); ++i)
        CHECK_MESSAGE(back->journal[i] == r.journal[i], "journal entry " << i);
    CHECK(back->voided == r.voided);
    CHECK(*back == r);
    // `file` is not encoded: the caller names it.
    CHECK(decode_record(bytes, "elsewhere")->file == "elsewhere");
}

TEST_CASE("record codec: a parsed record with positions round-trips") {
    const std::string text = testutil::record_text(
        "P-0001",
        "\n[[session]]\ndate = 2026-11-03\nkind = \"group\"\ntopic = \"shame-and-guilt\"\n"
        "hours = 3\nstatus = \"attended\"\nrecorded_by = \"c\"\n"
        "recorded_at = 2026-11-03T17:02:11Z\n");
    const Record r = parse_record(text, "patients/P-0001.toml");
    REQUIRE(r.journal.size() == 1);
    CHECK(meta(r.journal[0]).pos.line > 0);
    CHECK(decode_record(encoded(r), r.file) == r);
}

TEST_CASE("record codec: truncated, extended or out-of-range bytes decode to nothing") {
    const Record r = every_field();
    const std::string bytes = encoded(r);
    for (std::size_t n = 0; n < bytes.size(); ++n)
        CHECK_MESSAGE(!decode_record(std::string_view(bytes).substr(0, n), r.file),
                      "a prefix of " << n << " bytes");
    CHECK(!decode_record(bytes + '\0', r.file));
    // A session kind past the last: the journal's first entry starts after
    // the header; find its tag by encoding a record without entries.
    Record empty = r;
    empty.journal.clear();
    empty.voided.clear();
    std::string bad = bytes;
    const std::size_t header_size = encoded(empty).size() - 2; // two empty counts
    REQUIRE(bad[header_size] == static_cast<char>(r.journal.size()));
    REQUIRE(bad[header_size + 1] == 0); // the variant index of Session
    bad[header_size + 1] = 42;          // no such entry kind
    CHECK(!decode_record(bad, r.file));
}

TEST_CASE("record codec: random damage never crashes") {
    const std::string bytes = encoded(every_field());
    std::mt19937 rng(20261201);
    int decoded = 0;
    for (int trial = 0; trial < 2000; ++trial) {
        std::string damaged = bytes;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f)
            damaged[rng() % damaged.size()] = static_cast<char>(rng());
        decoded += decode_record(damaged, "f").has_value();
    }
    // Some damage still decodes (a changed letter of a name): the cache's
    // checksum, not the codec, catches that. None crashes.
    CHECK(decoded < 2000);
}

TEST_CASE("record codec: the encoding is frozen for its version") {
    // A change to the encoding (or to what a Record holds) must bump
    // record_codec_version, so that caches written before are ignored; then
    // update this digest.
    CHECK(record_codec_version == 1);
    CHECK(sha256_hex(encoded(every_field())) ==
          "edb0fe376c95f2d401491694874756ba63d2e269353124220e4cac564c07fbd1");
    CHECK(record_codec_key().find(fmt::format("codec {}", record_codec_version)) !=
          std::string::npos);
    CHECK(record_codec_key().find(IOP_VERSION) != std::string::npos);
}

TEST_CASE("cacheable: a file is cached only once its times are safely past") {
    const std::int64_t s = 1'000'000'000;
    FileKey k;
    k.mtime_ns = 100 * s + 123;
    k.ctime_ns = 100 * s + 456;
    // Nanosecond time stamps: 0.1 s after the later of the two.
    CHECK(!cacheable(k, 100 * s + 456));
    CHECK(!cacheable(k, 100 * s + 456 + racy_margin_ns - 1));
    CHECK(cacheable(k, 100 * s + 456 + racy_margin_ns));
    // A modification time in the future (touch -d) is never safely past.
    k.mtime_ns = 200 * s;
    CHECK(!cacheable(k, 150 * s));
    CHECK(cacheable(k, 201 * s));
    // A change time of whole seconds: a file system that keeps no
    // nanoseconds, whose next change could fall in the same second.
    k.mtime_ns = 100 * s;
    k.ctime_ns = 100 * s;
    CHECK(!cacheable(k, 101 * s));
    CHECK(cacheable(k, 102 * s));
}

namespace {

// A records directory with `n` patients, old enough to be cached.
struct Clinic {
    testutil::TempDir tmp{"iop-cache"};
    fs::path root = tmp.path / "records";
    explicit Clinic(int n) {
        Store::init(root);
        for (int i = 1; i <= n; ++i)
            write(i, "");
        settle();
    }
    static std::string id(int i) { return fmt::format("P-{:04d}", i); }
    void write(int i, const std::string& extra) {
        testutil::spit(root / "patients" / (id(i) + ".toml"), testutil::record_text(id(i), extra));
    }
    // Past the racy margin of everything written so far.
    static void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(150)); }
    // The records loaded through for_each_record, and the --verbose notes.
    std::vector<Store::Loaded>
    load(std::string& notes, const std::vector<std::string>* ids = nullptr, unsigned jobs = 2) {
        Store store(root);
        std::ostringstream verbose;
        store.set_verbose(&verbose);
        std::vector<Store::Loaded> out;
        store.for_each_record(
            ids ? *ids : store.ids(), jobs, [](Store::Loaded& l) { return std::move(l); },
            [&](Store::Loaded& l) { out.push_back(std::move(l)); });
        notes = verbose.str();
        return out;
    }
};

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("record cache: a second run takes every unchanged record from it") {
    Clinic c(5);
    std::string notes;
    auto first = c.load(notes);
    CHECK(has(notes, "0 records from the record cache, 5 parsed"));
    CHECK(has(notes, "was written: 5 records"));
    CHECK(testutil::mode_of(c.root / ".iop.cache") == 0600);
    auto second = c.load(notes);
    CHECK(has(notes, "5 records from the record cache, 0 parsed"));
    CHECK(!has(notes, "was written"));
    REQUIRE(second.size() == first.size());
    for (std::size_t i = 0; i < first.size(); ++i)
        CHECK(*second[i].record == *first[i].record);
}

TEST_CASE("record cache: a changed file is parsed again, the others still come from it") {
    Clinic c(4);
    std::string notes;
    c.load(notes);
    // Same size, new content: only the change time tells.
    std::string text = testutil::slurp(c.root / "patients/P-0002.toml");
    text.replace(text.find("weeks = 12"), 10, "weeks = 11");
    testutil::spit(c.root / "patients/P-0002.toml", text);
    auto loaded = c.load(notes);
    CHECK(has(notes, "3 records from the record cache, 1 parsed"));
    // Racy: changed just now, so not cached yet.
    CHECK(!has(notes, "was written"));
    CHECK(loaded[1].record->header.plan.weeks == 11);
    c.settle();
    loaded = c.load(notes);
    CHECK(has(notes, "3 records from the record cache, 1 parsed"));
    CHECK(has(notes, "was written: 4 records"));
    loaded = c.load(notes);
    CHECK(has(notes, "4 records from the record cache, 0 parsed"));
    CHECK(loaded[1].record->header.plan.weeks == 11);
}

TEST_CASE("record cache: a broken record is reported every time and never cached") {
    Clinic c(3);
    std::string notes;
    c.load(notes);
    testutil::spit(c.root / "patients/P-0003.toml", "not toml [");
    c.settle();
    for (int run = 0; run < 2; ++run) {
        auto loaded = c.load(notes);
        REQUIRE(loaded.size() == 3);
        CHECK(loaded[2].error);
        CHECK(!loaded[2].record);
        CHECK(has(notes, "2 records from the record cache, 1 parsed"));
    }
}

TEST_CASE("record cache: damaged, foreign or missing caches are ignored and rebuilt") {
    Clinic c(3);
    std::string notes;
    const auto reference = c.load(notes);
    const fs::path cache = c.root / ".iop.cache";
    const std::string good = testutil::slurp(cache);
    auto expect_rebuilt = [&](const std::string& why) {
        auto loaded = c.load(notes);
        CHECK_MESSAGE(has(notes, why), notes);
        CHECK_MESSAGE(has(notes, "0 records from the record cache, 3 parsed"), notes);
        REQUIRE(loaded.size() == 3);
        for (std::size_t i = 0; i < 3; ++i)
            CHECK(*loaded[i].record == *reference[i].record);
        CHECK(testutil::slurp(cache) == good);
    };
    SUBCASE("truncated") {
        testutil::spit(cache, good.substr(0, good.size() / 2));
        expect_rebuilt("truncated");
    }
    SUBCASE("empty") {
        testutil::spit(cache, "");
        expect_rebuilt("empty");
    }
    SUBCASE("another version") {
        std::string other = good;
        other.replace(other.find("codec "), 7, "codec 9");
        testutil::spit(cache, other);
        expect_rebuilt("another version");
    }
    SUBCASE("the index damaged") {
        std::string other = good;
        other[other.size() - 60] ^= 0x55;
        testutil::spit(cache, other);
        expect_rebuilt("damaged");
    }
    SUBCASE("an index entry whose id is no patient id, its checksums right") {
        // A cache is a file anyone with the directory can write: an id such
        // as "../x01" must never become a path outside patients/.
        std::string other = good;
        const std::size_t footer = other.size() - 40;
        auto get64 = [&](std::size_t at) {
            std::uint64_t v = 0;
            for (int b = 7; b >= 0; --b)
                v = (v << 8) | static_cast<unsigned char>(other[at + static_cast<std::size_t>(b)]);
            return v;
        };
        const std::size_t index = get64(footer);
        const std::size_t id = other.find("P-0001", index);
        REQUIRE(id < footer);
        other.replace(id, 6, "../x01");
        // "IOPCACHE", u32 format, u32 key length, the key
        const std::size_t header = 16 + (get64(12) & 0xffffffff);
        REQUIRE(header <= index);
        std::string covered = other.substr(0, header) + other.substr(index, footer - index);
        std::uint64_t sum = XXH3_64bits(covered.data(), covered.size());
        for (std::size_t b = 0; b < 8; ++b, sum >>= 8)
            other[footer + 24 + b] = static_cast<char>(sum & 0xff);
        testutil::spit(cache, other);
        expect_rebuilt("damaged (index)");
    }
    SUBCASE("garbage") {
        testutil::spit(cache, std::string(4096, 'x'));
        expect_rebuilt("not a record cache");
    }
    SUBCASE("a directory") {
        fs::remove(cache);
        fs::create_directory(cache);
        auto loaded = c.load(notes);
        CHECK(has(notes, "not a regular file"));
        CHECK(has(notes, "was not written"));
        CHECK(loaded.size() == 3);
        fs::remove(cache);
    }
}

TEST_CASE("record cache: a cache written in another time zone is not used") {
    // recorded_on is the local day of recorded_at: 23:30 UTC is the next
    // day in Kiritimati (UTC+14).
    const char* old_tz = std::getenv("TZ");
    const std::string saved = old_tz ? old_tz : "";
    Clinic c(0);
    c.write(1, "\n[[session]]\ndate = 2026-11-03\nkind = \"individual\"\nhours = 1\n"
               "status = \"attended\"\nrecorded_by = \"c\"\nrecorded_at = 2026-11-03T23:30:00Z\n");
    c.settle();
    std::string notes;
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    auto utc = c.load(notes);
    CHECK(has(notes, "was written"));
    REQUIRE(utc[0].record->journal.size() == 1);
    CHECK(meta(utc[0].record->journal[0]).recorded_on == ymd(2026, 11, 3));
    ::setenv("TZ", "Pacific/Kiritimati", 1);
    ::tzset();
    auto kiritimati = c.load(notes);
    CHECK_MESSAGE(has(notes, "written in another time zone"), notes);
    CHECK(meta(kiritimati[0].record->journal[0]).recorded_on == ymd(2026, 11, 4));
    CHECK(has(notes, "0 records from the record cache, 1 parsed"));
    kiritimati = c.load(notes);
    CHECK(has(notes, "1 records from the record cache, 0 parsed"));
    CHECK(meta(kiritimati[0].record->journal[0]).recorded_on == ymd(2026, 11, 4));
    if (old_tz)
        ::setenv("TZ", saved.c_str(), 1);
    else
        ::unsetenv("TZ");
    ::tzset();
}

TEST_CASE("record cache: a payload that fails its checksum is parsed instead") {
    Clinic c(3);
    std::string notes;
    const auto reference = c.load(notes);
    const fs::path cache = c.root / ".iop.cache";
    std::string bytes = testutil::slurp(cache);
    // The first payload follows the header; damage a byte of its name.
    const std::size_t at = bytes.find("Patient P-0001");
    REQUIRE(at != std::string::npos);
    bytes[at] = 'Q';
    testutil::spit(cache, bytes);
    auto loaded = c.load(notes);
    CHECK(has(notes, "2 records from the record cache, 1 parsed"));
    CHECK(loaded[0].record->header.name == "Patient P-0001");
    CHECK(has(notes, "was written: 3 records"));
}

TEST_CASE("record cache: removed files leave it, a subset keeps the rest") {
    Clinic c(4);
    std::string notes;
    c.load(notes);
    fs::remove(c.root / "patients/P-0004.toml");
    c.write(5, "");
    c.settle();
    c.load(notes);
    CHECK(has(notes, "3 records from the record cache, 1 parsed"));
    CHECK(has(notes, "was written: 4 records"));
    // A command given some ids rewrites the cache with the others kept.
    c.write(1, "\n# touched\n");
    c.settle();
    const std::vector<std::string> one = {"P-0001"};
    c.load(notes, &one);
    CHECK(has(notes, "0 records from the record cache, 1 parsed"));
    CHECK(has(notes, "was written: 4 records"));
    c.load(notes);
    CHECK(has(notes, "4 records from the record cache, 0 parsed"));
}

TEST_CASE("record cache: the same records whatever the number of threads") {
    Clinic c(30);
    std::string notes;
    const auto reference = c.load(notes, nullptr, 1);
    for (unsigned jobs : {1u, 2u, 7u}) {
        auto loaded = c.load(notes, nullptr, jobs);
        CHECK(has(notes, "30 records from the record cache, 0 parsed"));
        REQUIRE(loaded.size() == reference.size());
        for (std::size_t i = 0; i < loaded.size(); ++i)
            CHECK(*loaded[i].record == *reference[i].record);
    }
}

TEST_CASE("record cache: IOP_NO_CACHE turns it off, check --clean's removal finds it") {
    Clinic c(2);
    std::string notes;
    ::setenv("IOP_NO_CACHE", "1", 1);
    c.load(notes);
    ::unsetenv("IOP_NO_CACHE");
    CHECK(notes.empty());
    CHECK(!fs::exists(c.root / ".iop.cache"));
    ::setenv("IOP_NO_CACHE", "0", 1); // "0" leaves it on
    c.load(notes);
    ::unsetenv("IOP_NO_CACHE");
    CHECK(fs::exists(c.root / ".iop.cache"));
    testutil::spit(c.root / ".iop.cache.tmp-Ab12Cd", "left by a killed reader");
    testutil::spit(c.root / ".iop.cache.tmp-toolong1", "not ours");
    Store store(c.root);
    CHECK(store.remove_cache() == std::vector<std::string>{".iop.cache", ".iop.cache.tmp-Ab12Cd"});
    CHECK(!fs::exists(c.root / ".iop.cache"));
    CHECK(fs::exists(c.root / ".iop.cache.tmp-toolong1"));
    CHECK(Store::gitignore_text().find("\n.iop.cache\n") != std::string::npos);
}
