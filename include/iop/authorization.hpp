// Level of care and payer (SPEC section 13): who needs an authorization or
// a certification, and what each authorization has used. Pure, like the
// engine that uses it.
#pragma once

#include "iop/program.hpp"
#include "iop/record.hpp"

#include <optional>
#include <vector>

namespace iop {

// Whether the program requires an authorization (a certification) of this
// patient: `insured` = insurance set; `medicare` = insurance names Medicare,
// in any case.
bool needs_authorization(const Program& program, const Header& header);
bool needs_certification(const Program& program, const Header& header);
// The first certification is due within this many days of enrollment.
inline constexpr int certification_first_days = 7;

// One authorization and the services counted against it.
struct AuthorizationUse {
    Authorization auth;
    double used = 0;             // units: sessions, distinct days or hours
    int sessions = 0;            // attended sessions counted against it
    std::optional<Date> over_on; // the session that took it past its units
    double left() const { return auth.units - used; }
};

struct AuthorizationUsage {
    std::vector<AuthorizationUse> authorizations; // file order
    // Attended sessions on a date no authorization covers, in date order.
    std::vector<const Session*> uncovered;
    // The authorization a service on `day` counts against: of those covering
    // it, the one that started first (file order on a tie); nullptr if none.
    const AuthorizationUse* covering(Date day) const;
};

// Every attended session dated on or before `through` (all when not given)
// counted against the authorization covering its date (SPEC section 13).
AuthorizationUsage authorization_usage(const Record& record,
                                       std::optional<Date> through = std::nullopt);

// Whether two authorizations grant the same: payer, number, dates, units,
// unit, next review and note (not when or by whom they were recorded).
bool same_authorization(const Authorization& a, const Authorization& b);

// Payers compare without regard to case: "Acme Health" and "acme health"
// are one payer for the overlap rule and the export.
bool same_payer(std::string_view a, std::string_view b);

// An authorization of the record of the same payer as `a` whose dates overlap
// a's (the first in file order), or nullptr: SPEC section 13 refuses it.
const Authorization* overlapping_authorization(const Record& record, const Authorization& a);

// The units an authorization is expected to need from the day after `today`
// to the earlier of `planned_end` and its `to` (none when that span is
// empty), at the weekly rate of `plan` (`iop report authorizations`, SPEC
// section 13): sessions are groups + individual + family sessions a week,
// hours those sessions at the program's hours of each kind, pro rata for the
// days of the span (days / 7); days are the open program days of the span.
// Rounded up to whole units.
int units_needed(const Program& program, const Plan& plan, const Authorization& auth,
                 Date planned_end, Date today);

// The latest ASAM assessment dated on or before `through` (file order on a
// tie), if any.
const AsamAssessment* latest_asam(const Record& record, std::optional<Date> through = std::nullopt);

} // namespace iop
