#include "iop/journal_csv.hpp"

#include "iop/basics.hpp"
#include "iop/error.hpp"
#include "iop/suggest.hpp"
#include "iop/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace iop {

// ---------------------------------------------------------------- columns

namespace {

using C = Column;

constexpr std::array<std::string_view, column_count> names = {"record",
                                                              "id",
                                                              "name",
                                                              "born",
                                                              "enrolled",
                                                              "clinician",
                                                              "diagnosis",
                                                              "insurance",
                                                              "weeks",
                                                              "groups_per_week",
                                                              "individual_per_week",
                                                              "family_per_week",
                                                              "date",
                                                              "kind",
                                                              "topic",
                                                              "hours",
                                                              "status",
                                                              "objectives",
                                                              "result",
                                                              "substances",
                                                              "action",
                                                              "medication",
                                                              "dose",
                                                              "review_days",
                                                              "type",
                                                              "sponsor",
                                                              "groups",
                                                              "forced",
                                                              "reason",
                                                              "entry",
                                                              "ref",
                                                              "problem",
                                                              "goal",
                                                              "words",
                                                              "dimension",
                                                              "text",
                                                              "measure",
                                                              "target",
                                                              "interventions",
                                                              "role",
                                                              "plan_version",
                                                              "declined",
                                                              "d1",
                                                              "d2",
                                                              "d3",
                                                              "d4",
                                                              "d5",
                                                              "d6",
                                                              "level",
                                                              "payer",
                                                              "number",
                                                              "from",
                                                              "to",
                                                              "units",
                                                              "unit",
                                                              "next_review",
                                                              "physician",
                                                              "note",
                                                              "recorded_by",
                                                              "recorded_at"};

constexpr std::array<std::string_view, 9> kind_names = {
    "patient", "session",   "screen",     "medication",   "event",
    "goal",    "objective", "assessment", "authorization"};

std::string quoted_names(const std::vector<Column>& cols) {
    std::vector<std::string> names;
    for (Column c : cols)
        names.push_back("'" + std::string(column_name(c)) + "'");
    return join(names);
}

} // namespace

std::string_view column_name(Column c) {
    return names[static_cast<std::size_t>(c)];
}

std::optional<Column> parse_column(std::string_view name) {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name)
            return static_cast<Column>(i);
    return std::nullopt;
}

namespace {

// A header cell as compared: ASCII letters in lower case, without spaces,
// '_' and '-' ("Patient ID" and "patient_id" are both "patientid").
std::string header_key(std::string_view name) {
    std::string key;
    for (unsigned char c : name)
        if (c != ' ' && c != '_' && c != '-')
            key += static_cast<char>(std::tolower(c));
    return key;
}

// The names a spreadsheet is likely to give a column, as header_key writes
// them (docs/import-export.md lists them).
constexpr std::array<std::pair<std::string_view, Column>, 12> aliases = {{
    {"patientid", C::id},
    {"patient", C::id},
    {"patientname", C::name},
    {"dateofbirth", C::born},
    {"dob", C::born},
    {"enrollmentdate", C::enrolled},
    {"startdate", C::enrolled},
    {"sessiondate", C::date},
    {"sessionkind", C::kind},
    {"attended", C::status},
    {"attendance", C::status},
    {"substance", C::substances},
}};

} // namespace

std::optional<Column> header_column(std::string_view name) {
    std::string key = header_key(name);
    for (std::size_t i = 0; i < names.size(); ++i)
        if (header_key(names[i]) == key)
            return static_cast<Column>(i);
    for (const auto& [alias, col] : aliases)
        if (alias == key)
            return col;
    return std::nullopt;
}

const std::vector<std::string>& column_names() {
    static const std::vector<std::string> all(names.begin(), names.end());
    return all;
}

std::string_view to_string(RowKind k) {
    return kind_names[static_cast<std::size_t>(k)];
}

std::optional<RowKind> parse_row_kind(std::string_view name) {
    for (std::size_t i = 0; i < kind_names.size(); ++i)
        if (kind_names[i] == name)
            return static_cast<RowKind>(i);
    return std::nullopt;
}

const std::vector<std::string>& row_kind_names() {
    static const std::vector<std::string> all(kind_names.begin(), kind_names.end());
    return all;
}

const std::vector<Column>& kind_columns(RowKind k) {
    static const std::vector<Column> patient = {C::id,
                                                C::name,
                                                C::born,
                                                C::enrolled,
                                                C::clinician,
                                                C::diagnosis,
                                                C::insurance,
                                                C::weeks,
                                                C::groups_per_week,
                                                C::individual_per_week,
                                                C::family_per_week,
                                                C::recorded_by,
                                                C::recorded_at};
    static const std::vector<Column> session = {
        C::id,     C::date,       C::kind, C::topic,       C::hours,
        C::status, C::objectives, C::note, C::recorded_by, C::recorded_at};
    static const std::vector<Column> screen = {C::id,         C::date,        C::result,
                                               C::substances, C::recorded_by, C::recorded_at};
    static const std::vector<Column> medication = {C::id,          C::date,       C::action,
                                                   C::medication,  C::dose,       C::review_days,
                                                   C::recorded_by, C::recorded_at};
    static const std::vector<Column> event = {C::id,
                                              C::date,
                                              C::type,
                                              C::weeks,
                                              C::groups_per_week,
                                              C::individual_per_week,
                                              C::family_per_week,
                                              C::sponsor,
                                              C::groups,
                                              C::forced,
                                              C::reason,
                                              C::entry,
                                              C::role,
                                              C::plan_version,
                                              C::declined,
                                              C::note,
                                              C::recorded_by,
                                              C::recorded_at};
    static const std::vector<Column> goal = {
        C::id,    C::date,      C::ref,  C::action,      C::problem,    C::goal,
        C::words, C::dimension, C::note, C::recorded_by, C::recorded_at};
    static const std::vector<Column> objective = {
        C::id,     C::date,          C::ref,  C::action,      C::text,       C::measure,
        C::target, C::interventions, C::note, C::recorded_by, C::recorded_at};
    static const std::vector<Column> assessment = {
        C::id, C::date, C::d1,    C::d2,   C::d3,          C::d4,
        C::d5, C::d6,   C::level, C::note, C::recorded_by, C::recorded_at};
    static const std::vector<Column> authorization = {
        C::id,    C::date, C::payer,       C::number, C::from,        C::to,
        C::units, C::unit, C::next_review, C::note,   C::recorded_by, C::recorded_at};
    switch (k) {
    case RowKind::assessment:
        return assessment;
    case RowKind::authorization:
        return authorization;
    case RowKind::patient:
        return patient;
    case RowKind::session:
        return session;
    case RowKind::screen:
        return screen;
    case RowKind::medication:
        return medication;
    case RowKind::event:
        return event;
    case RowKind::goal:
        return goal;
    case RowKind::objective:
        return objective;
    }
    return patient;
}

// The event columns each event type uses, beyond id, date, type and the
// recorded_ pair.
std::vector<Column> event_columns(EventType t) {
    switch (t) {
    case EventType::plan_change:
        return {C::weeks, C::groups_per_week, C::individual_per_week, C::family_per_week, C::note};
    case EventType::plan_review:
        return {C::note};
    case EventType::aftercare:
        return {C::sponsor, C::groups, C::note};
    case EventType::graduated:
        return {C::forced, C::reason, C::note};
    case EventType::discharged:
        return {C::reason, C::note};
    case EventType::note:
        return {C::note};
    case EventType::void_:
        return {C::entry, C::reason};
    case EventType::amend:
        return {C::name, C::born, C::clinician, C::diagnosis, C::insurance, C::reason};
    case EventType::signature:
        return {C::role, C::name, C::plan_version, C::declined, C::reason};
    case EventType::placement:
        return {C::reason};
    case EventType::certification:
        return {C::physician, C::note};
    }
    return {};
}

// ---------------------------------------------------------------- header

std::string_view layout_noun(Layout l) {
    switch (l) {
    case Layout::patients:
        return "a patient file";
    case Layout::sessions:
        return "a session file";
    case Layout::screens:
        return "a screen file";
    case Layout::authorizations:
        return "an authorization file";
    case Layout::journal:
        return "a journal file";
    }
    return "";
}

std::optional<RowKind> layout_kind(Layout l) {
    switch (l) {
    case Layout::patients:
        return RowKind::patient;
    case Layout::sessions:
        return RowKind::session;
    case Layout::screens:
        return RowKind::screen;
    case Layout::authorizations:
        return RowKind::authorization;
    case Layout::journal:
        return std::nullopt;
    }
    return std::nullopt;
}

// The header decides the layout; every problem with it is listed.
std::optional<FileHeader> read_header(const CsvRow& row, std::vector<std::string>& problems) {
    FileHeader h;
    h.index.fill(-1);
    h.width = row.cells.size();
    std::vector<std::string> unknown;
    std::size_t unknown_count = 0; // all of them; `unknown` names the first few
    constexpr std::size_t named_at_most = 20;
    std::vector<bool> twice(h.index.size());
    for (std::size_t i = 0; i < row.cells.size(); ++i) {
        std::string name(trim(unneutralise(row.cells[i])));
        if (name.empty()) {
            h.unnamed.push_back(i);
            continue;
        }
        auto col = header_column(name);
        if (!col && ++unknown_count > named_at_most)
            continue;
        if (!col) {
            unknown.push_back(
                fmt::format("'{}'{}", excerpt(name), did_you_mean(name, column_names())));
            continue;
        }
        auto& slot = h.index[static_cast<std::size_t>(*col)];
        if (slot >= 0) {
            if (!twice[static_cast<std::size_t>(*col)])
                problems.push_back(
                    fmt::format("column '{}' appears twice in the header", column_name(*col)));
            twice[static_cast<std::size_t>(*col)] = true;
            continue;
        }
        slot = static_cast<int>(i);
    }
    auto unknown_columns = [&] {
        return fmt::format("unknown column{} {}{}", unknown_count == 1 ? "" : "s", join(unknown),
                           unknown_count > unknown.size()
                               ? fmt::format(" and {} more", unknown_count - unknown.size())
                               : "");
    };
    auto has = [&](Column c) { return h.index[static_cast<std::size_t>(c)] >= 0; };
    auto any_of = [&](std::initializer_list<Column> cols) {
        return std::any_of(cols.begin(), cols.end(), has);
    };

    // SPEC section 13: an authorization file (id,payer,number,from,to,units,unit); its
    // note is not a session's.
    bool authorization =
        any_of({C::payer, C::number, C::from, C::to, C::units, C::unit, C::next_review});
    bool session = any_of({C::kind, C::topic, C::hours, C::status, C::objectives}) ||
                   (has(C::note) && !authorization);
    bool screen = any_of({C::result, C::substances});
    // A session file may carry the patient's name (the roster's CSV), as a
    // check of its id.
    bool patient = any_of({C::born, C::enrolled, C::clinician, C::diagnosis, C::insurance, C::weeks,
                           C::groups_per_week, C::individual_per_week, C::family_per_week}) ||
                   (has(C::name) && !session);
    if (has(C::record))
        h.layout = Layout::journal;
    else if (patient + session + screen + authorization > 1) {
        std::vector<std::string> kinds;
        if (patient)
            kinds.push_back("patient columns");
        if (session)
            kinds.push_back("session columns");
        if (screen)
            kinds.push_back("screen columns");
        if (authorization)
            kinds.push_back("authorization columns");
        problems.push_back(fmt::format(
            "the header mixes {}; put each in its own file, or add a 'record' column that names "
            "what each row is (the journal layout iop export --format csv writes)",
            and_list(kinds)));
        return std::nullopt;
    } else if (patient)
        h.layout = Layout::patients;
    else if (session)
        h.layout = Layout::sessions;
    else if (screen)
        h.layout = Layout::screens;
    else if (authorization)
        h.layout = Layout::authorizations;
    else {
        if (!unknown.empty())
            problems.push_back(unknown_columns());
        problems.push_back(
            "cannot tell what the file holds from its header: patients need "
            "id,name,enrolled,...; sessions id,date,kind,...; screens "
            "id,date,result,...; authorizations id,payer,number,from,to,units,unit; see "
            "docs/import-export.md");
        return std::nullopt;
    }

    std::vector<Column> allowed;
    std::vector<Column> required;
    switch (h.layout) {
    case Layout::patients:
        allowed = kind_columns(RowKind::patient);
        required = {C::id, C::name, C::enrolled};
        break;
    case Layout::sessions:
        allowed = kind_columns(RowKind::session);
        allowed.insert(allowed.begin() + 1, C::name);
        required = {C::id, C::date, C::kind};
        break;
    case Layout::screens:
        allowed = kind_columns(RowKind::screen);
        required = {C::id, C::date, C::result};
        break;
    case Layout::authorizations:
        allowed = kind_columns(RowKind::authorization);
        required = {C::id, C::payer, C::number, C::from, C::to, C::units};
        break;
    case Layout::journal:
        for (std::size_t c = 0; c < column_count; ++c)
            allowed.push_back(static_cast<Column>(c));
        required = {C::record, C::id};
        break;
    }
    std::vector<Column> misplaced;
    for (std::size_t c = 0; c < column_count; ++c)
        if (h.index[c] >= 0 &&
            std::find(allowed.begin(), allowed.end(), static_cast<Column>(c)) == allowed.end())
            misplaced.push_back(static_cast<Column>(c));
    std::string expected =
        fmt::format("{} has the columns {}", layout_noun(h.layout), quoted_names(allowed));
    if (!unknown.empty())
        problems.push_back(fmt::format("{}; {}", unknown_columns(), expected));
    if (!misplaced.empty())
        problems.push_back(fmt::format("column{} {} {} not belong in {}; {}",
                                       misplaced.size() == 1 ? "" : "s", quoted_names(misplaced),
                                       misplaced.size() == 1 ? "does" : "do", layout_noun(h.layout),
                                       expected));
    std::vector<Column> missing;
    for (Column c : required)
        if (!has(c))
            missing.push_back(c);
    if (!missing.empty())
        problems.push_back(fmt::format("missing column{} {}: {} needs {}",
                                       missing.size() == 1 ? "" : "s", quoted_names(missing),
                                       layout_noun(h.layout), quoted_names(required)));
    if (!problems.empty())
        return std::nullopt;
    return h;
}

// ---------------------------------------------------------------- rows

const std::string& RowReader::text(Column c) const {
    static const std::string none;
    int i = header_->index[static_cast<std::size_t>(c)];
    return i < 0 ? none : cells_[static_cast<std::size_t>(i)];
}

std::optional<std::string> RowReader::optional(Column c) const {
    std::string v = value(c);
    return v.empty() ? std::nullopt : std::optional<std::string>(v);
}

std::string RowReader::required(Column c) const {
    std::string v = value(c);
    if (v.empty())
        throw UsageError(fmt::format("{} is empty", column_name(c)));
    return v;
}

std::optional<int> RowReader::integer(Column c) const {
    auto v = optional(c);
    if (!v)
        return std::nullopt;
    int n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size())
        throw UsageError(fmt::format("{} '{}' is not a whole number", column_name(c), excerpt(*v)));
    return n;
}

std::optional<RowReader> read_row(const FileHeader& header, const std::vector<std::string>& cells) {
    if (std::all_of(cells.begin(), cells.end(),
                    [](const std::string& c) { return trim(c).empty(); }))
        return std::nullopt;
    if (cells.size() != header.width)
        throw UsageError(fmt::format("the row has {} while the header has {}",
                                     plural(cells.size(), "field", "fields"), header.width));
    std::vector<std::string> values;
    values.reserve(cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (!valid_utf8(cells[i])) {
            std::string col = "column " + std::to_string(i + 1);
            for (std::size_t c = 0; c < column_count; ++c)
                if (header.index[c] == static_cast<int>(i))
                    col = "column '" + std::string(column_name(static_cast<Column>(c))) + "'";
            throw UsageError(
                fmt::format("{} is not valid UTF-8; save the file as \"CSV UTF-8\"", col));
        }
        values.push_back(unneutralise(cells[i]));
    }
    for (std::size_t i : header.unnamed)
        if (!trim(values[i]).empty())
            throw UsageError(
                fmt::format("a value in column {}, which has no name in the header", i + 1));
    return RowReader(header, std::move(values));
}

void reject_stray_values(const RowReader& r, RowKind kind) {
    std::vector<Column> uses = kind_columns(kind);
    uses.push_back(C::record);
    if (kind == RowKind::event && r.optional(C::type)) {
        if (auto t = parse_event_type(r.value(C::type))) {
            uses = {C::record, C::id, C::date, C::type, C::recorded_by, C::recorded_at};
            for (Column c : event_columns(*t))
                uses.push_back(c);
        }
    }
    std::vector<Column> stray;
    for (std::size_t c = 0; c < column_count; ++c) {
        Column col = static_cast<Column>(c);
        if (r.has(col) && !trim(r.text(col)).empty() &&
            std::find(uses.begin(), uses.end(), col) == uses.end())
            stray.push_back(col);
    }
    if (!stray.empty()) {
        std::string what(to_string(kind));
        if (kind == RowKind::event)
            what = r.value(C::type) + " event";
        throw UsageError(fmt::format(
            "{} {} for a {} row; leave {} empty", plural(stray.size(), "value", "values"),
            "in " + quoted_names(stray), what, stray.size() == 1 ? "it" : "them"));
    }
}

// ---------------------------------------------------------------- writing

namespace {

using Cells = std::array<std::string, column_count>;

std::string& cell(Cells& cells, Column c) {
    return cells[static_cast<std::size_t>(c)];
}

std::string row_of(const Cells& cells) {
    return export_row(std::vector<std::string>(cells.begin(), cells.end()));
}

void put_plan(Cells& c, const Plan& p) {
    cell(c, C::weeks) = std::to_string(p.weeks);
    cell(c, C::groups_per_week) = std::to_string(p.groups_per_week);
    cell(c, C::individual_per_week) = std::to_string(p.individual_per_week);
    cell(c, C::family_per_week) = std::to_string(p.family_per_week);
}

void put_meta(Cells& c, const Record& r, const EntryMeta& m) {
    cell(c, C::id) = r.header.id;
    cell(c, C::date) = format_date(m.date);
    cell(c, C::recorded_by) = m.recorded_by;
    cell(c, C::recorded_at) = m.recorded_at;
}

} // namespace

std::string journal_header() {
    return export_row(column_names());
}

std::string journal_rows(const Record& r) {
    std::string out;
    const Header& h = r.header;
    {
        Cells c;
        cell(c, C::record) = to_string(RowKind::patient);
        cell(c, C::id) = h.id;
        cell(c, C::name) = h.name;
        cell(c, C::born) = h.born ? format_date(*h.born) : "";
        cell(c, C::enrolled) = format_date(h.enrolled);
        cell(c, C::clinician) = h.clinician;
        cell(c, C::diagnosis) = h.diagnosis;
        cell(c, C::insurance) = h.insurance;
        put_plan(c, h.plan);
        cell(c, C::recorded_by) = h.recorded_by;
        cell(c, C::recorded_at) = h.recorded_at;
        out += row_of(c);
    }
    for (const auto& entry : file_journal(r)) { // voided entries too, with their voids
        Cells c;
        put_meta(c, r, meta(entry));
        if (auto s = std::get_if<Session>(&entry)) {
            cell(c, C::record) = to_string(RowKind::session);
            cell(c, C::kind) = to_string(s->kind);
            cell(c, C::topic) = s->topic;
            cell(c, C::hours) = format_hours(s->hours);
            cell(c, C::status) = to_string(s->status);
            cell(c, C::objectives) = join_list(s->objectives);
            cell(c, C::note) = s->note;
        } else if (auto sc = std::get_if<Screen>(&entry)) {
            cell(c, C::record) = to_string(RowKind::screen);
            cell(c, C::result) = to_string(sc->result);
            cell(c, C::substances) = join_list(sc->substances);
        } else if (auto m = std::get_if<Medication>(&entry)) {
            cell(c, C::record) = to_string(RowKind::medication);
            cell(c, C::action) = to_string(m->action);
            cell(c, C::medication) = m->name;
            cell(c, C::dose) = m->dose;
            cell(c, C::review_days) = m->review_days ? std::to_string(*m->review_days) : "";
        } else if (auto e = std::get_if<Event>(&entry)) {
            cell(c, C::record) = to_string(RowKind::event);
            cell(c, C::type) = to_string(e->type);
            auto opt = [](const std::optional<int>& v) { return v ? std::to_string(*v) : ""; };
            cell(c, C::weeks) = opt(e->plan.weeks);
            cell(c, C::groups_per_week) = opt(e->plan.groups_per_week);
            cell(c, C::individual_per_week) = opt(e->plan.individual_per_week);
            cell(c, C::family_per_week) = opt(e->plan.family_per_week);
            cell(c, C::sponsor) = e->sponsor;
            cell(c, C::groups) = join_list(e->groups);
            cell(c, C::forced) = e->forced ? "true" : "";
            cell(c, C::reason) = e->reason;
            cell(c, C::entry) = e->entry;
            if (e->type == EventType::signature) {
                cell(c, C::role) = to_string(e->role);
                cell(c, C::name) = e->signer;
                cell(c, C::plan_version) = std::to_string(e->plan_version);
                cell(c, C::declined) = e->declined ? "true" : "";
            }
            cell(c, C::physician) = e->physician;
            if (e->type == EventType::amend) {
                cell(c, C::name) = e->amend.name.value_or("");
                cell(c, C::born) = e->amend.born ? format_date(*e->amend.born) : "";
                cell(c, C::clinician) = e->amend.clinician.value_or("");
                cell(c, C::diagnosis) = e->amend.diagnosis.value_or("");
                cell(c, C::insurance) = e->amend.insurance.value_or("");
            }
            cell(c, C::note) = e->text;
        } else if (auto g = std::get_if<Goal>(&entry)) {
            cell(c, C::record) = to_string(RowKind::goal);
            cell(c, C::ref) = g->ref;
            cell(c, C::action) = to_string(g->action);
            cell(c, C::problem) = g->problem.value_or("");
            cell(c, C::goal) = g->goal.value_or("");
            cell(c, C::words) = g->words.value_or("");
            cell(c, C::dimension) = g->dimension ? std::to_string(*g->dimension) : "";
            cell(c, C::note) = g->note;
        } else if (auto o = std::get_if<Objective>(&entry)) {
            cell(c, C::record) = to_string(RowKind::objective);
            cell(c, C::ref) = o->ref;
            cell(c, C::action) = to_string(o->action);
            cell(c, C::text) = o->text.value_or("");
            cell(c, C::measure) = o->measure.value_or("");
            cell(c, C::target) = o->target ? format_date(*o->target) : "";
            cell(c, C::interventions) = o->interventions ? join_list(*o->interventions) : "";
            cell(c, C::note) = o->note;
        } else if (auto a = std::get_if<AsamAssessment>(&entry)) {
            cell(c, C::record) = to_string(RowKind::assessment);
            for (std::size_t i = 0; i < a->ratings.size(); ++i)
                cell(c, static_cast<Column>(static_cast<std::size_t>(C::d1) + i)) =
                    std::to_string(a->ratings[i]);
            cell(c, C::level) = a->level;
            cell(c, C::note) = a->note;
        } else if (auto au = std::get_if<Authorization>(&entry)) {
            cell(c, C::record) = to_string(RowKind::authorization);
            cell(c, C::payer) = au->payer;
            cell(c, C::number) = au->number;
            cell(c, C::from) = format_date(au->from);
            cell(c, C::to) = format_date(au->to);
            cell(c, C::units) = std::to_string(au->units);
            cell(c, C::unit) = to_string(au->unit);
            cell(c, C::next_review) = au->next_review ? format_date(*au->next_review) : "";
            cell(c, C::note) = au->note;
        }
        out += row_of(c);
    }
    return out;
}

} // namespace iop
