// iop export [--format json|csv|fhir] [--status ...] (SPEC section 8): every
// record, for other tools, on stdout.
//
// JSON: one array, a patient object each with every header field and its
// whole journal. CSV: the journal layout `iop import` reads back (a row for
// the patient, then a row per entry, in file order), so export, import into
// an empty directory and export again gives the same bytes. FHIR: an R4
// Bundle (fhir.hpp).
#include "commands/common.hpp"

#include "iop/fhir.hpp"
#include "iop/journal_csv.hpp"
#include "iop/progress.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct ExportOptions {
    std::string status = "all";
};

nlohmann::json json_record(const Record& r, const State& st) {
    nlohmann::json j = to_json(r.header);
    j["recorded_by"] = r.header.recorded_by;
    j["recorded_at"] = r.header.recorded_at;
    j["status"] = to_string(st.status);
    j["ended"] = st.ended ? nlohmann::json(format_date(*st.ended)) : nlohmann::json(nullptr);
    j["file"] = r.file;
    nlohmann::json journal = nlohmann::json::array();
    for (const auto& e : file_journal(r)) // voided entries too, with their voids
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
            out.text = journal_rows(r);
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
        out << journal_header();
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
            [](Args& app) -> Runner {
                auto o = std::make_shared<ExportOptions>();
                app.add_option("--status", o->status,
                               "active, graduated, discharged or all (default)")
                    ->type_name("STATUS");
                return [o](Context& ctx) { return export_records(*o, ctx); };
            }};
}

} // namespace iop
