#include "iop/authorization.hpp"

#include <algorithm>
#include <cctype>

namespace iop {

namespace {

bool names_medicare(std::string_view insurance) {
    std::string lower(insurance);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower.find("medicare") != std::string::npos;
}

bool needs(Program::Need need, const Header& h) {
    switch (need) {
    case Program::Need::never: return false;
    case Program::Need::always: return true;
    case Program::Need::insured: return !h.insurance.empty();
    case Program::Need::medicare: return names_medicare(h.insurance);
    }
    return false;
}

} // namespace

bool needs_authorization(const Program& p, const Header& h) {
    return needs(p.authorization_required, h);
}

bool needs_certification(const Program& p, const Header& h) {
    return needs(p.certification_required, h);
}

const AuthorizationUse* AuthorizationUsage::covering(Date day) const {
    const AuthorizationUse* best = nullptr;
    for (const AuthorizationUse& u : authorizations)
        if (u.auth.from <= day && day <= u.auth.to && (!best || u.auth.from < best->auth.from))
            best = &u;
    return best;
}

AuthorizationUsage authorization_usage(const Record& record, std::optional<Date> through) {
    AuthorizationUsage usage;
    auto in_range = [&](const EntryMeta& m) { return !through || m.date <= *through; };
    for (const Entry& e : record.journal)
        if (const Authorization* a = std::get_if<Authorization>(&e); a && in_range(*a))
            usage.authorizations.push_back({*a, 0, 0, std::nullopt});
    std::vector<const Session*> sessions;
    for (const Entry& e : record.journal)
        if (const Session* s = std::get_if<Session>(&e);
            s && s->status == SessionStatus::attended && in_range(*s))
            sessions.push_back(s);
    std::stable_sort(sessions.begin(), sessions.end(),
                     [](const Session* a, const Session* b) { return a->date < b->date; });
    std::vector<std::optional<Date>> last_day(usage.authorizations.size());
    for (const Session* s : sessions) {
        const AuthorizationUse* found = usage.covering(s->date);
        if (!found) {
            usage.uncovered.push_back(s);
            continue;
        }
        const auto i = static_cast<std::size_t>(found - usage.authorizations.data());
        AuthorizationUse& u = usage.authorizations[i];
        ++u.sessions;
        switch (u.auth.unit) {
        case AuthUnit::session: u.used += 1; break;
        case AuthUnit::hour: u.used += s->hours; break;
        case AuthUnit::day:
            if (last_day[i] != s->date)
                u.used += 1;
            last_day[i] = s->date;
            break;
        }
        if (!u.over_on && u.used > u.auth.units + 1e-9)
            u.over_on = s->date;
    }
    return usage;
}

const AsamAssessment* latest_asam(const Record& record, std::optional<Date> through) {
    const AsamAssessment* latest = nullptr;
    for (const Entry& e : record.journal)
        if (const AsamAssessment* a = std::get_if<AsamAssessment>(&e);
            a && (!through || a->date <= *through) && (!latest || a->date >= latest->date))
            latest = a;
    return latest;
}

} // namespace iop
