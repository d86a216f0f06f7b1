#include "iop/record_codec.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

namespace iop {

namespace {

// Integers are LEB128 varints (signed ones zigzag-encoded), strings their
// length then their bytes, a date its day number, an optional a presence
// byte then its value, a list its length then its items.
class Writer {
  public:
    explicit Writer(std::string& out) : out_(out) {}

    void u(std::uint64_t v) {
        while (v >= 0x80) {
            out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
            v >>= 7;
        }
        out_.push_back(static_cast<char>(v));
    }
    void i(std::int64_t v) {
        u((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
    }
    void b(bool v) { out_.push_back(v ? 1 : 0); }
    template <typename E> void e(E v) { u(static_cast<std::uint64_t>(v)); }
    void s(std::string_view v) {
        u(v.size());
        out_.append(v);
    }
    void d(Date v) { i(std::chrono::sys_days(v).time_since_epoch().count()); }
    void f(double v) {
        char bytes[sizeof v];
        std::memcpy(bytes, &v, sizeof v);
        out_.append(bytes, sizeof v);
    }
    void pos(SourcePos p) {
        i(p.line);
        i(p.column);
    }
    template <typename T, typename Put> void opt(const std::optional<T>& v, Put put) {
        b(v.has_value());
        if (v)
            put(*v);
    }
    void opt_s(const std::optional<std::string>& v) {
        opt(v, [&](const std::string& x) { s(x); });
    }
    void opt_i(const std::optional<int>& v) {
        opt(v, [&](int x) { i(x); });
    }
    void opt_d(const std::optional<Date>& v) {
        opt(v, [&](Date x) { d(x); });
    }
    void list(const std::vector<std::string>& v) {
        u(v.size());
        for (const auto& x : v)
            s(x);
    }

  private:
    std::string& out_;
};

// Reads what Writer wrote. Any malformed input sets `ok` false and yields
// zeros from then on; the caller checks ok() once at the end.
class Reader {
  public:
    explicit Reader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}

    bool ok() const { return ok_; }
    bool at_end() const { return p_ == end_; }
    void invalid() { fail(); }

    std::uint64_t u() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p_ == end_)
                return fail();
            const auto byte = static_cast<unsigned char>(*p_++);
            v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
            if (!(byte & 0x80))
                return v;
        }
        return fail();
    }
    std::int64_t i() {
        const std::uint64_t z = u();
        return static_cast<std::int64_t>(z >> 1) ^ -static_cast<std::int64_t>(z & 1);
    }
    int n() {
        const std::int64_t v = i();
        if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
            return static_cast<int>(fail());
        return static_cast<int>(v);
    }
    bool b() {
        const std::uint64_t v = u();
        if (v > 1)
            fail();
        return v == 1;
    }
    // An enum whose last value is `last`.
    template <typename E> E e(E last) {
        const std::uint64_t v = u();
        if (v > static_cast<std::uint64_t>(last))
            return static_cast<E>(fail());
        return static_cast<E>(v);
    }
    std::string s() {
        const std::uint64_t size = u();
        if (size > static_cast<std::uint64_t>(end_ - p_)) {
            fail();
            return {};
        }
        std::string v(p_, static_cast<std::size_t>(size));
        p_ += size;
        return v;
    }
    Date d() {
        const std::int64_t days = i();
        // Far beyond any date a record may hold: refuse rather than overflow.
        if (days < -1'000'000 || days > 1'000'000) {
            fail();
            return Date{};
        }
        return Date{std::chrono::sys_days(std::chrono::days(days))};
    }
    double f() {
        double v = 0;
        if (static_cast<std::size_t>(end_ - p_) < sizeof v)
            return static_cast<double>(fail());
        std::memcpy(&v, p_, sizeof v);
        p_ += sizeof v;
        return v;
    }
    SourcePos pos() {
        SourcePos p;
        p.line = n();
        p.column = n();
        return p;
    }
    std::optional<std::string> opt_s() { return b() ? std::optional(s()) : std::nullopt; }
    std::optional<int> opt_i() { return b() ? std::optional(n()) : std::nullopt; }
    std::optional<Date> opt_d() { return b() ? std::optional(d()) : std::nullopt; }
    // A count of items, each at least one byte long.
    std::size_t count() {
        const std::uint64_t v = u();
        if (v > static_cast<std::uint64_t>(end_ - p_))
            return static_cast<std::size_t>(fail());
        return static_cast<std::size_t>(v);
    }
    std::vector<std::string> list() {
        std::vector<std::string> v(count());
        for (auto& x : v)
            x = s();
        return v;
    }

  private:
    std::uint64_t fail() {
        ok_ = false;
        p_ = end_;
        return 0;
    }

    const char* p_;
    const char* end_;
    bool ok_ = true;
};

void put_meta(Writer& w, const EntryMeta& m) {
    w.d(m.date);
    w.s(m.recorded_by);
    w.s(m.recorded_at);
    w.opt_d(m.recorded_on);
    w.pos(m.pos);
}

void get_meta(Reader& r, EntryMeta& m) {
    m.date = r.d();
    m.recorded_by = r.s();
    m.recorded_at = r.s();
    m.recorded_on = r.opt_d();
    m.pos = r.pos();
}

void put_plan(Writer& w, const Plan& p) {
    w.i(p.weeks);
    w.i(p.groups_per_week);
    w.i(p.individual_per_week);
    w.i(p.family_per_week);
}

Plan get_plan(Reader& r) {
    Plan p;
    p.weeks = r.n();
    p.groups_per_week = r.n();
    p.individual_per_week = r.n();
    p.family_per_week = r.n();
    return p;
}

struct PutEntry {
    Writer& w;
    void operator()(const Session& x) const {
        w.e(x.kind);
        w.s(x.topic);
        w.f(x.hours);
        w.e(x.status);
        w.s(x.note);
        w.list(x.objectives);
    }
    void operator()(const Screen& x) const {
        w.e(x.result);
        w.list(x.substances);
    }
    void operator()(const Medication& x) const {
        w.e(x.action);
        w.s(x.name);
        w.s(x.dose);
        w.opt_i(x.review_days);
    }
    void operator()(const Event& x) const {
        w.e(x.type);
        w.opt_i(x.plan.weeks);
        w.opt_i(x.plan.groups_per_week);
        w.opt_i(x.plan.individual_per_week);
        w.opt_i(x.plan.family_per_week);
        w.s(x.sponsor);
        w.list(x.groups);
        w.s(x.reason);
        w.b(x.forced);
        w.s(x.text);
        w.s(x.entry);
        w.opt_s(x.amend.name);
        w.opt_d(x.amend.born);
        w.opt_s(x.amend.clinician);
        w.opt_s(x.amend.diagnosis);
        w.opt_s(x.amend.insurance);
        w.e(x.role);
        w.s(x.signer);
        w.i(x.plan_version);
        w.b(x.declined);
        w.s(x.physician);
    }
    void operator()(const Goal& x) const {
        w.s(x.ref);
        w.e(x.action);
        w.opt_s(x.problem);
        w.opt_s(x.goal);
        w.opt_s(x.words);
        w.opt_i(x.dimension);
        w.s(x.note);
    }
    void operator()(const Objective& x) const {
        w.s(x.ref);
        w.e(x.action);
        w.opt_s(x.text);
        w.opt_s(x.measure);
        w.opt_d(x.target);
        w.opt(x.interventions, [&](const std::vector<std::string>& v) { w.list(v); });
        w.s(x.note);
    }
    void operator()(const AsamAssessment& x) const {
        for (int rating : x.ratings)
            w.i(rating);
        w.s(x.level);
        w.s(x.note);
    }
    void operator()(const Authorization& x) const {
        w.s(x.payer);
        w.s(x.number);
        w.d(x.from);
        w.d(x.to);
        w.i(x.units);
        w.e(x.unit);
        w.opt_d(x.next_review);
        w.s(x.note);
    }
};

void get_body(Reader& r, Session& x) {
    x.kind = r.e(SessionKind::family);
    x.topic = r.s();
    x.hours = r.f();
    x.status = r.e(SessionStatus::excused);
    x.note = r.s();
    x.objectives = r.list();
}

void get_body(Reader& r, Screen& x) {
    x.result = r.e(ScreenResult::pending);
    x.substances = r.list();
}

void get_body(Reader& r, Medication& x) {
    x.action = r.e(MedAction::stop);
    x.name = r.s();
    x.dose = r.s();
    x.review_days = r.opt_i();
}

void get_body(Reader& r, Event& x) {
    x.type = r.e(EventType::certification);
    x.plan.weeks = r.opt_i();
    x.plan.groups_per_week = r.opt_i();
    x.plan.individual_per_week = r.opt_i();
    x.plan.family_per_week = r.opt_i();
    x.sponsor = r.s();
    x.groups = r.list();
    x.reason = r.s();
    x.forced = r.b();
    x.text = r.s();
    x.entry = r.s();
    x.amend.name = r.opt_s();
    x.amend.born = r.opt_d();
    x.amend.clinician = r.opt_s();
    x.amend.diagnosis = r.opt_s();
    x.amend.insurance = r.opt_s();
    x.role = r.e(SignRole::guardian);
    x.signer = r.s();
    x.plan_version = r.n();
    x.declined = r.b();
    x.physician = r.s();
}

void get_body(Reader& r, Goal& x) {
    x.ref = r.s();
    x.action = r.e(GoalAction::dropped);
    x.problem = r.opt_s();
    x.goal = r.opt_s();
    x.words = r.opt_s();
    x.dimension = r.opt_i();
    x.note = r.s();
}

void get_body(Reader& r, Objective& x) {
    x.ref = r.s();
    x.action = r.e(ObjectiveAction::dropped);
    x.text = r.opt_s();
    x.measure = r.opt_s();
    x.target = r.opt_d();
    if (r.b())
        x.interventions = r.list();
    x.note = r.s();
}

void get_body(Reader& r, AsamAssessment& x) {
    for (int& rating : x.ratings)
        rating = r.n();
    x.level = r.s();
    x.note = r.s();
}

void get_body(Reader& r, Authorization& x) {
    x.payer = r.s();
    x.number = r.s();
    x.from = r.d();
    x.to = r.d();
    x.units = r.n();
    x.unit = r.e(AuthUnit::hour);
    x.next_review = r.opt_d();
    x.note = r.s();
}

void put_entries(Writer& w, const std::vector<Entry>& entries) {
    w.u(entries.size());
    for (const Entry& entry : entries) {
        w.u(entry.index());
        put_meta(w, meta(entry));
        std::visit(PutEntry{w}, entry);
    }
}

// Makes `out` the alternative of Entry at `index`, default-constructed.
template <std::size_t... I> void become(Entry& out, std::size_t index, std::index_sequence<I...>) {
    if (out.index() != index)
        ((index == I ? (out.template emplace<I>(), 0) : 0), ...);
}

std::vector<Entry> get_entries(Reader& r) {
    std::vector<Entry> entries;
    const std::size_t n = r.count();
    entries.reserve(n);
    for (std::size_t k = 0; k < n && r.ok(); ++k) {
        const std::uint64_t index = r.u();
        if (index >= std::variant_size_v<Entry>) {
            r.invalid();
            return {};
        }
        // Decoded in place: moving each entry into the vector was a tenth
        // of decoding.
        Entry& entry = entries.emplace_back();
        become(entry, static_cast<std::size_t>(index),
               std::make_index_sequence<std::variant_size_v<Entry>>{});
        std::visit(
            [&](auto& x) {
                get_meta(r, x);
                get_body(r, x);
            },
            entry);
    }
    return entries;
}

} // namespace

std::string record_codec_key() {
    return fmt::format("iop {} codec {} schema {} sizes {} {} {} {} {} {} {} {} {} {} {}",
                       IOP_VERSION, record_codec_version, record_schema_version, sizeof(Header),
                       sizeof(Plan), sizeof(EntryMeta), sizeof(Session), sizeof(Screen),
                       sizeof(Medication), sizeof(Event), sizeof(Goal), sizeof(Objective),
                       sizeof(AsamAssessment), sizeof(Authorization));
}

void encode_record(const Record& record, std::string& out) {
    Writer w(out);
    const Header& h = record.header;
    w.s(h.id);
    w.s(h.name);
    w.opt_d(h.born);
    w.d(h.enrolled);
    w.s(h.clinician);
    w.s(h.diagnosis);
    w.s(h.insurance);
    w.s(h.recorded_by);
    w.s(h.recorded_at);
    w.opt_d(h.recorded_on);
    put_plan(w, h.plan);
    put_entries(w, record.journal);
    put_entries(w, record.voided);
}

std::optional<Record> decode_record(std::string_view bytes, const std::string& file) {
    Reader r(bytes);
    Record record;
    record.file = file;
    Header& h = record.header;
    h.id = r.s();
    h.name = r.s();
    h.born = r.opt_d();
    h.enrolled = r.d();
    h.clinician = r.s();
    h.diagnosis = r.s();
    h.insurance = r.s();
    h.recorded_by = r.s();
    h.recorded_at = r.s();
    h.recorded_on = r.opt_d();
    h.plan = get_plan(r);
    record.journal = get_entries(r);
    record.voided = get_entries(r);
    if (!r.ok() || !r.at_end())
        return std::nullopt;
    return record;
}

} // namespace iop
