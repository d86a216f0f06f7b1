// iop export [--format json|csv|fhir] [--status ...] (SPEC section 8): every
// record, for other tools, on stdout.
//
// JSON: one array, a patient object each with every header field and its
// whole journal. CSV: the journal layout `iop import` reads back (a row for
// the patient, then a row per entry, in file order), so export, import into
// an empty directory and export again gives the same bytes. FHIR: an R4
// Bundle (fhir.hpp).
#include "commands/common.hpp"

#include "iop/csv.hpp"
#include "iop/fhir.hpp"
#include "iop/progress.hpp"

#include <fmt/format.h>

#include <array>

namespace iop {

namespace {

struct ExportOptions {
    std::string status = "all";
};

using Cells = std::array<std::string, column_count>;

std::string& cell(Cells& cells, Column c) {
    return cells[static_cast<std::size_t>(c)];
}

std::vector<std::string> row_of(const Cells& cells) {
    return std::vector<std::string>(cells.begin(), cells.end());
}

void put_plan(Cells& c, const Plan& p) {
    cell(c, Column::weeks) = std::to_string(p.weeks);
    cell(c, Column::groups_per_week) = std::to_string(p.groups_per_week);
    cell(c, Column::individual_per_week) = std::to_string(p.individual_per_week);
    cell(c, Column::family_per_week) = std::to_string(p.family_per_week);
}

void put_meta(Cells& c, const Record& r, const EntryMeta& m) {
    cell(c, Column::id) = r.header.id;
    cell(c, Column::date) = format_date(m.date);
    cell(c, Column::recorded_by) = m.recorded_by;
    cell(c, Column::recorded_at) = m.recorded_at;
}

std::string csv_rows(const Record& r) {
    std::string out;
    const Header& h = r.header;
    {
        Cells c;
        cell(c, Column::record) = "patient";
        cell(c, Column::id) = h.id;
        cell(c, Column::name) = h.name;
        cell(c, Column::born) = h.born ? format_date(*h.born) : "";
        cell(c, Column::enrolled) = format_date(h.enrolled);
        cell(c, Column::clinician) = h.clinician;
        cell(c, Column::diagnosis) = h.diagnosis;
        cell(c, Column::insurance) = h.insurance;
        put_plan(c, h.plan);
        cell(c, Column::recorded_by) = h.recorded_by;
        cell(c, Column::recorded_at) = h.recorded_at;
        out += export_row(row_of(c));
    }
    for (const auto& entry : r.journal) {
        Cells c;
        put_meta(c, r, meta(entry));
        if (auto s = std::get_if<Session>(&entry)) {
            cell(c, Column::record) = "session";
            cell(c, Column::kind) = to_string(s->kind);
            cell(c, Column::topic) = s->topic;
            cell(c, Column::hours) = format_hours(s->hours);
            cell(c, Column::status) = to_string(s->status);
            cell(c, Column::note) = s->note;
        } else if (auto sc = std::get_if<Screen>(&entry)) {
            cell(c, Column::record) = "screen";
            cell(c, Column::result) = to_string(sc->result);
            cell(c, Column::substances) = join_list(sc->substances);
        } else if (auto m = std::get_if<Medication>(&entry)) {
            cell(c, Column::record) = "medication";
            cell(c, Column::action) = to_string(m->action);
            cell(c, Column::medication) = m->name;
            cell(c, Column::dose) = m->dose;
            cell(c, Column::review_days) = m->review_days ? std::to_string(*m->review_days) : "";
        } else if (auto e = std::get_if<Event>(&entry)) {
            cell(c, Column::record) = "event";
            cell(c, Column::type) = to_string(e->type);
            auto opt = [](const std::optional<int>& v) { return v ? std::to_string(*v) : ""; };
            cell(c, Column::weeks) = opt(e->plan.weeks);
            cell(c, Column::groups_per_week) = opt(e->plan.groups_per_week);
            cell(c, Column::individual_per_week) = opt(e->plan.individual_per_week);
            cell(c, Column::family_per_week) = opt(e->plan.family_per_week);
            cell(c, Column::sponsor) = e->sponsor;
            cell(c, Column::groups) = join_list(e->groups);
            cell(c, Column::forced) = e->forced ? "true" : "";
            cell(c, Column::reason) = e->reason;
            cell(c, Column::note) = e->text;
        }
        out += export_row(row_of(c));
    }
    return out;
}

nlohmann::json json_record(const Record& r, const State& st) {
    nlohmann::json j = to_json(r.header);
    j["recorded_by"] = r.header.recorded_by;
    j["recorded_at"] = r.header.recorded_at;
    j["status"] = to_string(st.status);
    j["ended"] = st.ended ? nlohmann::json(format_date(*st.ended)) : nlohmann::json(nullptr);
    j["file"] = r.file;
    nlohmann::json journal = nlohmann::json::array();
    for (const auto& e : r.journal)
        journal.push_back(to_json(e));
    j["journal"] = journal;
    return j;
}

// What a worker makes of one record: its part of the output, rendered off
// the calling thread, or the error that kept it out.
struct Rendered {
    std::optional<DataError> error;
    bool included = false;
    std::string text;
};

int export_records(const ExportOptions& o, Context& ctx) {
    std::string wanted =
        require_choice("--status", o.status, {"active", "graduated", "discharged", "all"});
    Store& store = ctx.store();
    const Program& program = store.program();
    const Format format = ctx.format;

    // Records are read and rendered on ctx.jobs threads and written in id
    // order as they come, so memory stays flat however many there are; the
    // bytes are those of rendering the whole array or Bundle at once.
    auto work = [&](Store::Loaded& loaded) {
        Rendered out;
        if (loaded.error) {
            out.error = std::move(loaded.error);
            return out;
        }
        const Record& r = *loaded.record;
        State st = fold(r, program);
        if (wanted != "all" && to_string(st.status) != wanted)
            return out;
        out.included = true;
        if (format == Format::csv) {
            out.text = csv_rows(r);
        } else if (format == Format::fhir) {
            for (const auto& e : fhir_entries(program, r)) {
                if (!out.text.empty())
                    out.text += ',';
                out.text += e.dump(-1, ' ', false, fhir_json::error_handler_t::replace);
            }
        } else {
            out.text =
                json_record(r, st).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        return out;
    };

    std::ostream& out = *ctx.out;
    std::string close;
    if (format == Format::csv) {
        out << export_row(column_names());
    } else if (format == Format::fhir) {
        std::string empty =
            fhir_bundle(program, {})
                .dump(-1, ' ', false, fhir_json::error_handler_t::replace); // ..."entry":[]}
        out << empty.substr(0, empty.size() - 2);
        close = "]}\n";
    } else { // json, the default
        out << '[';
        close = "]\n";
    }

    std::vector<std::string> ids = store.ids();
    Progress progress(*ctx.err, ctx.stderr_tty && !ctx.quiet, "exporting", ids.size());
    int broken = 0;
    bool first = true;
    store.for_each_record(ids, ctx.jobs, work, [&](Rendered& r) {
        progress.clear();
        if (r.error) {
            // Reported, never silently left out of a copy meant to be complete.
            *ctx.err << "iop: error: " << escaped(r.error->what(), Lines::many) << '\n';
            ++broken;
        } else if (r.included && !r.text.empty()) {
            if (format != Format::csv && !first)
                out << ',';
            out << r.text;
            first = false;
        }
        progress.step();
    });
    progress.clear();
    out << close;
    if (broken)
        throw DataError("patients/", {},
                        fmt::format("{} record{} could not be read and {} left out of the export",
                                    broken, broken == 1 ? "" : "s", broken == 1 ? "is" : "are"));
    return exit_ok;
}

} // namespace

CommandSpec export_command() {
    return {"export",
            "Data",
            "Write every record as JSON (default), CSV or an HL7 FHIR R4 Bundle",
            Access::read,
            {Format::json, Format::csv, Format::fhir},
            "iop export --format fhir --status active > bundle.json",
            [](CLI::App& app) -> Runner {
                auto o = std::make_shared<ExportOptions>();
                app.add_option("--status", o->status,
                               "active, graduated, discharged or all (default)")
                    ->type_name("STATUS");
                return [o](Context& ctx) { return export_records(*o, ctx); };
            }};
}

} // namespace iop
