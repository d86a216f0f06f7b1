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

// The latest ASAM assessment dated on or before `through` (file order on a
// tie), if any.
const AsamAssessment* latest_asam(const Record& record, std::optional<Date> through = std::nullopt);

} // namespace iop
