// iop import FILE|- [--dry-run] (SPEC section 8): CSV in, one all-or-nothing
// change of the records directory out.
//
// Every row is checked, by the same functions enroll, attend and screen use
// (commands/validate.hpp), against the records as the rows before it leave
// them; any bad row means nothing is written and every bad row is reported as
// FILE:LINE: message. Each touched patient file is written once: its new
// content is staged as a temporary file, and none is renamed into place
// before every row has been checked and every file staged (Transaction),
// under the one directory lock the command holds. The file's format (its
// header, layout and rows) is journal_csv.hpp's.
#include "commands/common.hpp"

#include "iop/authorization.hpp"
#include "iop/basics.hpp"
#include "iop/csv.hpp"
#include "iop/journal_csv.hpp"
#include "iop/parallel.hpp"
#include "iop/progress.hpp"
#include "iop/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <unordered_map>

namespace iop {

namespace {

struct ImportOptions {
    std::string file;
    bool dry_run = false;
};

using C = Column;

std::string bar(double fraction, int width = 24) {
    int filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * width);
    return "[" + std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(width - filled), '.') + "]";
}

// ---------------------------------------------------------------- the import

// A row's cells packed into one string: the index, length and bytes of each
// cell that is not empty. The first pass holds every row of the file until
// the second checks it; a string per column would cost a kilobyte a row of a
// journal file's 45 columns, most of them empty.
class PackedCells {
  public:
    PackedCells() = default;
    explicit PackedCells(const std::vector<std::string>& cells) {
        std::size_t size = 0;
        for (const auto& c : cells)
            size += c.empty() ? 0 : 2 * sizeof(std::uint32_t) + c.size();
        bytes_.reserve(size);
        for (std::size_t i = 0; i < cells.size(); ++i)
            if (!cells[i].empty()) {
                put(static_cast<std::uint32_t>(i));
                put(static_cast<std::uint32_t>(cells[i].size()));
                bytes_ += cells[i];
            }
    }
    std::vector<std::string> unpack(std::size_t width) const {
        std::vector<std::string> cells(width);
        for (std::size_t at = 0; at < bytes_.size();) {
            std::uint32_t i = get(at), n = get(at + sizeof(std::uint32_t));
            at += 2 * sizeof(std::uint32_t);
            cells[i].assign(bytes_, at, n);
            at += n;
        }
        return cells;
    }

  private:
    void put(std::uint32_t v) { bytes_.append(reinterpret_cast<const char*>(&v), sizeof v); }
    std::uint32_t get(std::size_t at) const {
        std::uint32_t v = 0;
        std::memcpy(&v, bytes_.data() + at, sizeof v);
        return v;
    }
    std::string bytes_;
};

// A row checked on its own in the first pass, waiting to be checked against
// its patient's record in the second.
struct PendingRow {
    int line = 0;
    RowKind kind = RowKind::session;
    PackedCells cells; // entry rows
    // A patient row naming a patient iop already has: the row as given, to
    // compare with the record's header.
    std::unique_ptr<std::pair<PatientInput, Header>> patient;
};

struct Counts {
    std::size_t enrolled = 0, sessions = 0, screens = 0, medications = 0, events = 0, goals = 0,
                objectives = 0, assessments = 0, authorizations = 0;
    std::size_t duplicates = 0;
    std::set<std::string> patients_with_entries;

    // A patient's counts into the import's.
    void add(const Counts& o) {
        sessions += o.sessions;
        screens += o.screens;
        medications += o.medications;
        events += o.events;
        goals += o.goals;
        objectives += o.objectives;
        assessments += o.assessments;
        authorizations += o.authorizations;
        duplicates += o.duplicates;
    }
    // "3 sessions", "1 screen", ...: each kind of entry added, in journal order.
    std::vector<std::string> entry_kinds() const {
        std::vector<std::string> kinds;
        if (sessions)
            kinds.push_back(plural(sessions, "session", "sessions"));
        if (screens)
            kinds.push_back(plural(screens, "screen", "screens"));
        if (medications)
            kinds.push_back(plural(medications, "medication entry", "medication entries"));
        if (events)
            kinds.push_back(plural(events, "event", "events"));
        if (goals)
            kinds.push_back(plural(goals, "goal entry", "goal entries"));
        if (objectives)
            kinds.push_back(plural(objectives, "objective entry", "objective entries"));
        if (assessments)
            kinds.push_back(plural(assessments, "assessment", "assessments"));
        if (authorizations)
            kinds.push_back(plural(authorizations, "authorization", "authorizations"));
        return kinds;
    }
};

// A patient file the import writes: an existing record it appends to, or a
// new one it creates.
struct Target {
    std::string id;
    Record record; // as the rows so far leave it
    bool is_new = false;
    int patient_line = 0;             // the row that enrolls a new patient
    std::vector<PendingRow> rows;     // the rows the second pass checks, in file order
    std::string text;                 // an existing record's file, as read
    std::size_t original_entries = 0; // journal size before the import
    std::vector<bool> matched;        // original entries matched by a journal-layout row
    std::vector<int> entry_lines;     // CSV line of each new entry
    // What the second pass found.
    Counts counts; // entries added and duplicates skipped (patients_with_entries unused)
    std::vector<std::pair<int, std::string>> errors;       // rows that failed
    std::optional<std::pair<int, std::string>> unreadable; // the new file did not read back
    std::optional<std::pair<int, std::string>> oversize;   // it would be too large to read
    std::optional<std::string> content;                    // the new file, until it is staged

    bool changes() const { return is_new || !entry_lines.empty(); }
};

// "imported 120 sessions for 14 patients, skipped 3 duplicates" (SPEC section 8);
// "enrolled 14 patients, skipped 0 duplicates" for a patient file; a journal
// file names every kind it added.
std::string summary(const Counts& c, Layout layout) {
    std::vector<std::string> clauses;
    if (layout == Layout::patients || c.enrolled > 0)
        clauses.push_back("enrolled " + plural(c.enrolled, "patient", "patients"));
    if (layout != Layout::patients) {
        std::vector<std::string> kinds = c.entry_kinds();
        if (kinds.empty() && !(layout == Layout::journal && c.enrolled > 0))
            kinds.push_back(layout == Layout::screens          ? "0 screens"
                            : layout == Layout::authorizations ? "0 authorizations"
                                                               : "0 sessions");
        if (!kinds.empty())
            clauses.push_back(
                fmt::format("imported {} for {}", and_list(kinds),
                            plural(c.patients_with_entries.size(), "patient", "patients")));
    }
    clauses.push_back("skipped " + plural(c.duplicates, "duplicate", "duplicates"));
    return join(clauses);
}

// Two passes. The first reads the CSV in row order on the calling thread:
// the header, each row's cells and the checks that need no record, and which
// patient each row is for (a new patient's row creates it; a row for an
// unknown patient fails here). It leaves each touched patient its rows. The
// second takes the patients on ctx.jobs threads: each reads its record and
// checks its rows in file order against the record as the rows before leave
// it (a row depends only on its own patient's record), then renders the new
// file and parses it back. The calling thread stages each new file as it is
// done, in the order the patients were first named, so that memory holds a
// window of files rather than all of them.
class Importer {
  public:
    Importer(Context& ctx, const ImportOptions& o)
        : ctx_(ctx), store_(ctx.store()), program_(store_.program()), opts_(o),
          shown_(o.file == "-" ? "<stdin>" : o.file) {}

    int run();

  private:
    // First pass.
    void header_row(const CsvRow& row);
    void data_row(const CsvRow& row);
    void apply(const RowReader& r, RowKind kind, int line);
    void patient_row(const RowReader& r, int line);
    void entry_row(const RowReader& r, RowKind kind, int line);
    Target* target_for(const std::string& id);
    // Second pass, on a worker thread: touches only `t` and what is read-only.
    void settle(Target& t) const;
    void existing_patient_row(Target& t, const PendingRow& row) const;
    void check_entry(Target& t, PendingRow& row) const;
    void build(Target& t) const;
    void stamp(EntryMeta& m, const RowReader& r) const;
    std::string recorded_by(const RowReader& r) const;
    std::string recorded_at(const RowReader& r) const;

    void error(int line, const std::string& message) { errors_.emplace_back(line, message); }
    std::string location(int line) const {
        return line > 0 ? fmt::format("{}:{}", shown_, line) : shown_;
    }
    [[noreturn]] void report_errors();
    [[noreturn]] void refuse_oversize(std::vector<std::pair<int, std::string>>& oversize) const;
    void list_changes(const std::vector<Target*>& touched) const;

    Context& ctx_;
    Store& store_;
    const Program& program_;
    const ImportOptions& opts_;
    std::string shown_;

    std::optional<FileHeader> header_;
    bool header_seen_ = false;
    int header_line_ = 0;
    std::vector<std::pair<int, std::string>> errors_;
    std::unordered_map<std::string, Target> targets_;
    std::vector<std::string> order_;                    // target ids, first touched first
    std::unordered_map<std::string, int> patient_rows_; // id -> line of its patient row
    std::set<std::string> failed_patients_;             // new ids whose patient row is bad
    std::optional<std::vector<std::string>> store_ids_;
    Counts counts_;
    std::size_t rows_ = 0;
    // Set once any row has failed: the second pass then only checks rows
    // (every bad row is reported) and builds no file.
    mutable std::atomic<bool> rows_failed_{false};
};

void Importer::header_row(const CsvRow& row) {
    header_seen_ = true;
    header_line_ = row.line;
    std::vector<std::string> problems;
    header_ = read_header(row, problems);
    for (const auto& p : problems)
        error(row.line, p);
}

void Importer::data_row(const CsvRow& row) {
    ++rows_;
    try {
        std::optional<RowReader> r = read_row(*header_, row.cells);
        if (!r)
            return; // spreadsheets leave rows of empty cells below the data
        std::optional<RowKind> kind = layout_kind(header_->layout);
        if (!kind)
            kind =
                parse_row_kind(require_choice("record", r->required(C::record), row_kind_names()));
        apply(*r, *kind, row.line);
    } catch (const Error& e) {
        error(row.line, e.what());
    }
}

void Importer::apply(const RowReader& r, RowKind kind, int line) {
    // A value in a column this kind of row does not use is a misaligned row,
    // never silently dropped. Only a journal file mixes kinds of rows: in the
    // other layouts the header admits the columns of its one kind alone
    // (read_header), so no row can have such a value.
    if (header_->layout == Layout::journal)
        reject_stray_values(r, kind);
    if (kind == RowKind::patient)
        patient_row(r, line);
    else
        entry_row(r, kind, line);
}

// An export is taken as written (FileHeader::as_written): an entry that had
// no recorded_by or recorded_at gets none, so that an export imports back to
// the same bytes. Any other file is stamped where a cell is empty, as a
// command stamps what it writes.
std::string Importer::recorded_by(const RowReader& r) const {
    return row_recorded_by(r, header_->as_written() ? std::string() : ctx_.user);
}

std::string Importer::recorded_at(const RowReader& r) const {
    return row_recorded_at(r, header_->as_written() ? std::string() : ctx_.now);
}

void Importer::stamp(EntryMeta& m, const RowReader& r) const {
    m.recorded_by = recorded_by(r);
    m.recorded_at = recorded_at(r);
}

void Importer::patient_row(const RowReader& r, int line) {
    PatientInput in;
    in.id = r.value(C::id);
    if (in.id.empty())
        throw UsageError("id is empty");
    if (auto earlier = patient_rows_.find(in.id); earlier != patient_rows_.end())
        throw UsageError(fmt::format("patient '{}' is already on line {} of this file; each "
                                     "patient has one row",
                                     excerpt(in.id), earlier->second));
    patient_rows_[in.id] = line;
    // A bad patient row must not make every later row of that patient an
    // "unknown patient" too.
    auto fail_guard = [&](auto&& body) {
        try {
            body();
        } catch (const Error&) {
            if (valid_id(in.id) && !targets_.count(in.id) && !store_.exists(in.id))
                failed_patients_.insert(in.id);
            throw;
        }
    };
    fail_guard([&] { in = patient_input(r); });
    Header h;
    fail_guard([&] { h = patient_header(in, ctx_.today, Naming::column); });

    if (targets_.count(in.id) || store_.exists(in.id)) {
        // A patient iop has: compared with the record's header in the second pass.
        PendingRow pending;
        pending.line = line;
        pending.kind = RowKind::patient;
        pending.patient = std::make_unique<std::pair<PatientInput, Header>>(in, h);
        target_for(in.id)->rows.push_back(std::move(pending));
        return;
    }
    fail_guard([&] {
        h.plan = patient_plan(in, program_, Naming::column);
        h.recorded_by = recorded_by(r);
        h.recorded_at = recorded_at(r);
    });
    Target t;
    t.id = h.id;
    t.is_new = true;
    t.patient_line = line;
    t.record.file = Store::shown_path(h.id);
    t.record.header = h;
    targets_.emplace(h.id, std::move(t));
    order_.push_back(h.id);
    ++counts_.enrolled;
}

// A patient row for a patient iop already has: a duplicate if it matches the
// record's header, refused if it differs.
void Importer::existing_patient_row(Target& t, const PendingRow& row) const {
    const PatientInput& in = row.patient->first;
    Header h = row.patient->second;
    const Header& old = t.record.header;
    // Compared before the plan is judged against today's program, whose
    // bounds may have moved since the patient was enrolled.
    Header as_given = h;
    as_given.plan.weeks = in.weeks.value_or(program_.weeks.default_value);
    as_given.plan.groups_per_week =
        in.groups_per_week.value_or(program_.groups_per_week.default_value);
    as_given.plan.individual_per_week =
        in.individual_per_week.value_or(program_.individual_per_week);
    as_given.plan.family_per_week = in.family_per_week.value_or(program_.family_per_week);
    if (same_header(old, as_given)) {
        ++t.counts.duplicates;
        return;
    }
    h.plan = patient_plan(in, program_, Naming::column);
    std::vector<std::string> differ;
    auto cmp = [&](bool same, std::string_view col) {
        if (!same)
            differ.push_back(std::string(col));
    };
    cmp(old.name == h.name, "name");
    cmp(old.born == h.born, "born");
    cmp(old.enrolled == h.enrolled, "enrolled");
    cmp(old.clinician == h.clinician, "clinician");
    cmp(old.diagnosis == h.diagnosis, "diagnosis");
    cmp(old.insurance == h.insurance, "insurance");
    cmp(old.plan.weeks == h.plan.weeks, "weeks");
    cmp(old.plan.groups_per_week == h.plan.groups_per_week, "groups_per_week");
    cmp(old.plan.individual_per_week == h.plan.individual_per_week, "individual_per_week");
    cmp(old.plan.family_per_week == h.plan.family_per_week, "family_per_week");
    throw Refused(fmt::format("patient '{}' already exists ({}) with a different {}; import "
                              "never changes a patient's header (a plan changes with iop "
                              "plan)",
                              in.id, Store::shown_path(in.id), join(differ)));
}

Target* Importer::target_for(const std::string& id) {
    if (auto it = targets_.find(id); it != targets_.end())
        return &it->second;
    if (failed_patients_.count(id))
        throw UsageError(
            fmt::format("patient '{}' is not imported: its patient row has errors", id));
    if (!store_.exists(id)) {
        if (!store_ids_)
            store_ids_ = store_.ids();
        std::vector<std::string> known = *store_ids_;
        for (const auto& [k, _] : targets_)
            known.push_back(k);
        throw Refused(fmt::format("unknown patient '{}'{}{}", excerpt(id), did_you_mean(id, known),
                                  header_->layout == Layout::journal
                                      ? "; a patient's row must come before its entries"
                                      : "; enroll the patient first (iop enroll, or import a "
                                        "patient file)"));
    }
    // Its record is read in the second pass.
    Target t;
    t.id = id;
    t.record.file = Store::shown_path(id);
    auto [it, _] = targets_.emplace(id, std::move(t));
    order_.push_back(id);
    return &it->second;
}

void Importer::entry_row(const RowReader& r, RowKind kind, int line) {
    std::string id = r.value(C::id);
    if (id.empty())
        throw UsageError("id is empty");
    require_valid_id(id);
    // The row's own fields are checked in the second pass, on every core;
    // for a row that cannot have one (unknown patient), here, since a bad
    // field is the error to report first.
    Target* t = nullptr;
    try {
        t = target_for(id);
    } catch (const Error&) {
        entry_fields(r, kind, program_);
        throw;
    }
    PendingRow pending;
    pending.line = line;
    pending.kind = kind;
    pending.cells = PackedCells(r.cells());
    t->rows.push_back(std::move(pending));
}

// An entry row against the record as the rows before it leave it. A row the
// record already holds is skipped before the checks that the entry already
// there has changed (a re-run after a discharge must not fail on the
// discharge row).
void Importer::check_entry(Target& t, PendingRow& row) const {
    Record& rec = t.record;
    const RowReader r(*header_, row.cells.unpack(header_->width));
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    auto fields = entry_fields(r, row.kind, program_);
    Entry& entry = fields.first;
    const std::optional<EventType>& event_type = fields.second;
    EntryMeta& m = meta(entry);
    // An authorization file may leave out the date it was recorded: today,
    // as `iop auth add` records it.
    m.date = header_->layout == Layout::authorizations && !r.optional(C::date)
                 ? ctx_.today
                 : parse_date_option("date", r.required(C::date));
    // The roster's check of a session row; an event's `name` is an
    // amendment's new name or a signer's.
    if (row.kind == RowKind::session && r.has(C::name))
        require_same_name(r, rec.header);
    // A signature row without plan_version: the version where it stands
    // (before the comparison, so that the same file again is a duplicate).
    if (auto* ev = std::get_if<Event>(&entry);
        ev && ev->type == EventType::signature && ev->plan_version == 0)
        ev->plan_version = next_plan_version(rec);
    bool duplicate = false;
    if (header_->layout == Layout::journal) {
        // One to one: an export holding two identical entries restores both,
        // and importing it again matches each to one already there.
        for (std::size_t i = 0; i < t.original_entries && !duplicate; ++i)
            if (!t.matched[i] && same_entry(rec.journal[i], entry))
                duplicate = t.matched[i] = true;
    } else if (auto s = std::get_if<Session>(&entry)) {
        // As attend without --allow-duplicate: the record, rows before this
        // one included, must not hold it already.
        duplicate = identical_session(rec, *s) != nullptr;
    } else if (auto a = std::get_if<Authorization>(&entry)) {
        // The same authorization, whatever day it was recorded on: a re-run
        // on another day adds nothing.
        duplicate = std::any_of(rec.journal.begin(), rec.journal.end(), [&](const Entry& e) {
            const Authorization* b = std::get_if<Authorization>(&e);
            return b && same_authorization(*a, *b);
        });
    } else {
        duplicate = std::any_of(rec.journal.begin(), rec.journal.end(),
                                [&](const Entry& e) { return same_entry(e, entry); });
    }
    if (duplicate) {
        ++t.counts.duplicates;
        return;
    }

    // A note, void or amendment may follow the end of treatment (as in a
    // record file); anything else only when dated on or before it. While
    // rows are checked, rec.journal holds every entry, voided ones too: the
    // end of treatment is judged on the entries left once voids are set
    // aside.
    std::optional<Record> without_voided;
    if (std::any_of(rec.journal.begin(), rec.journal.end(), [](const Entry& x) {
            const Event* ev = std::get_if<Event>(&x);
            return ev && ev->type == EventType::void_;
        })) {
        without_voided = Record{rec.file, rec.header, rec.journal, {}};
        set_aside_voided(*without_voided);
    }
    const Record& live = without_voided ? *without_voided : rec;
    require_accepts(live, program_, entry);
    m.date = entry_date(rec, ctx_.today, format_date(m.date), Naming::column);
    if (event_type == EventType::graduated || event_type == EventType::discharged)
        require_no_later_entries(rec, m.date, Naming::column);
    // SPEC section 13: one authorization of a payer at a time.
    if (auto a = std::get_if<Authorization>(&entry))
        if (const Authorization* other = overlapping_authorization(live, *a))
            throw UsageError(fmt::format("authorization {} of {} overlaps {} ({} to {}) of the "
                                         "same payer",
                                         escaped(a->number), escaped(a->payer),
                                         escaped(other->number), format_date(other->from),
                                         format_date(other->to)));
    stamp(m, r);
    rec.journal.push_back(std::move(entry));
    t.entry_lines.push_back(row.line);
    switch (row.kind) {
    case RowKind::session:
        ++t.counts.sessions;
        break;
    case RowKind::screen:
        ++t.counts.screens;
        break;
    case RowKind::medication:
        ++t.counts.medications;
        break;
    case RowKind::event:
        ++t.counts.events;
        break;
    case RowKind::goal:
        ++t.counts.goals;
        break;
    case RowKind::objective:
        ++t.counts.objectives;
        break;
    case RowKind::assessment:
        ++t.counts.assessments;
        break;
    case RowKind::authorization:
        ++t.counts.authorizations;
        break;
    case RowKind::patient:
        break;
    }
}

// The second pass for one patient: read its record, check its rows, and
// build its new file. Runs on a worker thread.
void Importer::settle(Target& t) const {
    std::vector<PendingRow> rows = std::move(t.rows);
    auto fail = [&](int line, const std::string& message) {
        t.errors.emplace_back(line, message);
        rows_failed_ = true;
    };
    if (!t.is_new) {
        try {
            t.record = store_.load(t.id, &t.text);
        } catch (const Error& e) {
            // A broken record is the error of each of its rows whose own
            // fields are good.
            for (const auto& row : rows) {
                try {
                    if (row.kind != RowKind::patient)
                        entry_fields(RowReader(*header_, row.cells.unpack(header_->width)),
                                     row.kind, program_);
                    fail(row.line, e.what());
                } catch (const Error& field) {
                    fail(row.line, field.what());
                }
            }
            return;
        }
        // Rows are matched against every entry of the file, voided ones and
        // voids included, so importing an export again changes nothing.
        t.record.journal = file_journal(t.record);
        t.record.voided.clear();
        t.original_entries = t.record.journal.size();
        t.matched.assign(t.original_entries, false);
    }
    // Room for every row's entry at once: growing the journal a row at a
    // time moved every entry before it at each doubling.
    t.record.journal.reserve(t.record.journal.size() + rows.size());
    for (auto& row : rows) {
        try {
            if (row.kind == RowKind::patient)
                existing_patient_row(t, row);
            else
                check_entry(t, row);
        } catch (const Error& e) {
            fail(row.line, e.what());
        }
    }
    rows.clear();
    // A bad row anywhere means nothing is written; read-back errors are
    // reported only when every row is good.
    if (!rows_failed_ && t.changes())
        build(t);
    // From here on only the header is used (the dry-run listing): the
    // journal is freed here, on the worker. (`= {}` would keep the capacity.)
    std::vector<Entry>().swap(t.record.journal);
    std::vector<bool>().swap(t.matched);
    std::string().swap(t.text);
}

// Renders the new file and parses it back: never write a file iop could not
// read back. A record error is mapped back to the row that caused it.
void Importer::build(Target& t) const {
    // Where each new entry starts in the new file.
    std::vector<int> starts;
    const std::optional<std::uintmax_t> old_size =
        t.is_new ? std::nullopt : std::optional<std::uintmax_t>(t.text.size());
    std::string content =
        t.is_new ? render_header(t.record.header) : Store::appended(std::move(t.text), "");
    std::string().swap(t.text);
    int lines = static_cast<int>(std::count(content.begin(), content.end(), '\n'));
    for (std::size_t i = t.original_entries; i < t.record.journal.size(); ++i) {
        std::string text = render_entry(t.record.journal[i]);
        starts.push_back(lines + 2); // after the blank line that opens an entry
        lines += static_cast<int>(std::count(text.begin(), text.end(), '\n'));
        content += text;
    }
    // Never write a file iop would refuse to read (Transaction::stage checks
    // it too; here every such patient is named, in a dry run too).
    if (auto why = oversize_write(t.record.file, content.size(), old_size)) {
        t.oversize.emplace(t.is_new ? t.patient_line : t.entry_lines.front(), std::move(*why));
        return;
    }
    try {
        Record after = parse_record(content, t.record.file);
        if (after.journal.size() + after.voided.size() != t.record.journal.size())
            throw DataError(t.record.file, {}, "the new entries did not read back");
    } catch (const DataError& e) {
        int line = t.is_new ? t.patient_line : 0;
        for (std::size_t i = 0; i < starts.size(); ++i)
            if (e.pos().line >= starts[i])
                line = t.entry_lines[i];
        t.unreadable.emplace(line, fmt::format("{}: {}", t.record.file, e.detail()));
        return;
    }
    t.content = std::move(content);
}

void Importer::report_errors() {
    std::stable_sort(errors_.begin(), errors_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::set<int> bad_rows;
    for (const auto& [line, message] : errors_) {
        *ctx_.err << escaped(location(line) + ": " + message, Lines::many) << '\n';
        if (line > header_line_)
            bad_rows.insert(line);
    }
    throw DataError(shown_, {},
                    bad_rows.empty() ? std::string("nothing was imported")
                                     : fmt::format("{}; nothing was imported",
                                                   plural(bad_rows.size(), "bad row", "bad rows")));
}

// The patients whose records the import would take past the size iop reads:
// each named at the first row that adds to it, then Refused (exit 1).
void Importer::refuse_oversize(std::vector<std::pair<int, std::string>>& oversize) const {
    std::stable_sort(oversize.begin(), oversize.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [line, message] : oversize)
        *ctx_.err << location(line) << ": " << message << '\n';
    throw Refused(fmt::format("{}: {} would grow past the {} MiB iop reads; nothing was imported",
                              shown_, plural(oversize.size(), "record", "records"),
                              max_file_bytes / (1024 * 1024)));
}

void Importer::list_changes(const std::vector<Target*>& touched) const {
    for (const Target* t : touched) {
        std::vector<std::string> parts = t->counts.entry_kinds();
        if (t->is_new)
            *ctx_.out << fmt::format("would create {}: {}, enrolled {}{}{}\n", t->record.file,
                                     escaped(t->record.header.name),
                                     format_date(t->record.header.enrolled),
                                     parts.empty() ? "" : ", ", join(parts));
        else
            *ctx_.out << fmt::format("would append to {}: {}\n", t->record.file, join(parts));
    }
}

int Importer::run() {
    std::string input = read_input(opts_.file, shown_);
    // Its own lines (Progress::update): rows read, then patients checked.
    Progress progress(*ctx_.err, ctx_.stderr_tty && !ctx_.quiet, "importing", 0);
    double total_lines =
        std::max<double>(1, static_cast<double>(std::count(input.begin(), input.end(), '\n')));

    // First pass: the rows in file order.
    auto syntax = parse_csv(input, [&](CsvRow& row) {
        if (!header_seen_)
            header_row(row);
        else if (header_)
            data_row(row);
        progress.update([&](double seconds) {
            return fmt::format("iop import: reading {} {}, {}, {:.0f} rows/s",
                               bar(row.line / total_lines), plural(rows_, "row", "rows"),
                               plural(targets_.size(), "patient", "patients"),
                               rows_ / std::max(seconds, 1e-3));
        });
    });
    if (syntax)
        error(syntax->line, syntax->message);
    if (!header_seen_ && !syntax)
        error(0, "the file is empty: no header row");
    std::string().swap(input); // the rows are packed in their patients now
    if (!errors_.empty())
        rows_failed_ = true; // still check every row against its record, to report it

    // Second pass: the patients on ctx.jobs threads; each new file is staged
    // on this thread as it is done, in order.
    std::vector<Target*> all;
    all.reserve(order_.size());
    for (const auto& id : order_)
        all.push_back(&targets_.at(id));
    std::vector<Target*> touched;
    std::vector<std::pair<int, std::string>> unreadable;
    std::vector<std::pair<int, std::string>> oversize;
    Transaction tx;
    std::size_t done = 0;
    const std::size_t window = 8 * static_cast<std::size_t>(std::max(ctx_.jobs, 1u)) + 8;
    ordered_parallel(
        all.size(), ctx_.jobs, window, [&](std::size_t i) { settle(*all[i]); },
        [&](std::size_t i) {
            Target& t = *all[i];
            for (auto& e : t.errors)
                errors_.push_back(std::move(e));
            if (t.unreadable)
                unreadable.push_back(std::move(*t.unreadable));
            if (t.oversize)
                oversize.push_back(std::move(*t.oversize));
            counts_.add(t.counts);
            if (!t.entry_lines.empty())
                counts_.patients_with_entries.insert(t.id);
            if (t.changes())
                touched.push_back(&t);
            if (t.content && !opts_.dry_run && errors_.empty() && unreadable.empty() &&
                oversize.empty())
                tx.stage(store_.record_path(t.id), *t.content, t.record.file);
            t.content.reset();
            ++done;
            progress.update([&](double) {
                return fmt::format("iop import: {} {} {}/{} patients",
                                   opts_.dry_run ? "checking" : "checking and writing",
                                   bar(static_cast<double>(done) / all.size()), done, all.size());
            });
        });
    progress.clear();
    if (!errors_.empty())
        report_errors();
    if (!unreadable.empty()) {
        errors_ = std::move(unreadable);
        report_errors();
    }
    if (!oversize.empty())
        refuse_oversize(oversize);

    if (opts_.dry_run) {
        list_changes(touched);
        *ctx_.out << "dry run: would have " << summary(counts_, header_->layout)
                  << "; nothing was written\n";
        return exit_ok;
    }
    store_.commit(tx);
    store_.describe_change(import_subject(opts_.file, summary(counts_, header_->layout)));
    confirm(ctx_, summary(counts_, header_->layout));
    return exit_ok;
}

} // namespace

CommandSpec import_command() {
    return {"import",
            "Data",
            "Import patients, sessions, screens or whole records from CSV (all or nothing)",
            Access::write,
            {Format::text},
            "iop import sessions.csv --dry-run",
            [](Args& app) -> Runner {
                auto o = std::make_shared<ImportOptions>();
                app.add_option("file", o->file, "CSV file with a header row, or - for stdin")
                    ->required()
                    ->type_name("FILE");
                app.add_flag("-n,--dry-run", o->dry_run,
                             "Check every row and print what would change; write nothing");
                return [o](Context& ctx) {
                    Importer importer(ctx, *o);
                    return importer.run();
                };
            }};
}

} // namespace iop
