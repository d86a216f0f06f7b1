// CSV renderers (output.hpp), over the one CSV writer (csv_writer.hpp): a
// header row, then a row each, every cell neutralised (SPEC section 8).
#include "iop/basics.hpp"
#include "iop/output.hpp"

namespace iop {

void write_list_csv(std::ostream& out, const std::vector<ListRow>& rows) {
    out << csv_row({"id", "name", "status", "enrolled", "week", "weeks_planned", "planned_end",
                    "ended", "clinician", "discharge_reason", "auth_payer", "auth_number",
                    "auth_to", "auth_left"});
    for (const auto& r : rows) {
        const Header& h = r.header;
        // SPEC section 13: the authorization in force today, blank when none.
        const AuthorizationUse* now = r.in_force ? &r.authorizations[*r.in_force] : nullptr;
        out << csv_row({h.id, h.name, std::string(to_string(r.status)), format_date(h.enrolled),
                        std::to_string(r.week), std::to_string(r.weeks_planned),
                        format_date(r.planned_end), r.ended ? format_date(*r.ended) : "",
                        h.clinician, r.discharge_reason, now ? now->auth.payer : "",
                        now ? now->auth.number : "", now ? format_date(now->auth.to) : "",
                        now ? decimal_text(now->left()) : ""});
    }
}

void write_authorization_report_csv(std::ostream& out,
                                    const std::vector<AuthorizationReportRow>& rows) {
    out << csv_row({"id", "name", "clinician", "planned_end", "payer", "number", "from", "to",
                    "units", "unit", "next_review", "used", "left", "needed", "more"});
    for (const auto& r : rows) {
        const Authorization& a = r.auth;
        out << csv_row({r.id, r.name, r.clinician, format_date(r.planned_end), a.payer, a.number,
                        format_date(a.from), format_date(a.to), std::to_string(a.units),
                        std::string(to_string(a.unit)),
                        a.next_review ? format_date(*a.next_review) : "", decimal_text(r.used),
                        decimal_text(r.left), std::to_string(r.needed), decimal_text(r.more)});
    }
}

void write_authorizations_csv(std::ostream& out, const std::string& id,
                              const std::vector<AuthorizationUse>& uses) {
    out << csv_row({"id", "payer", "number", "from", "to", "units", "unit", "used", "left",
                    "sessions", "next_review", "over_on"});
    for (const AuthorizationUse& u : uses) {
        const Authorization& a = u.auth;
        out << csv_row({id, a.payer, a.number, format_date(a.from), format_date(a.to),
                        std::to_string(a.units), std::string(to_string(a.unit)),
                        decimal_text(u.used), decimal_text(u.left()), std::to_string(u.sessions),
                        a.next_review ? format_date(*a.next_review) : "",
                        u.over_on ? format_date(*u.over_on) : ""});
    }
}

} // namespace iop
