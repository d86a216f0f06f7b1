#include "iop/authorization.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

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

bool same_authorization(const Authorization& a, const Authorization& b) {
    return a.payer == b.payer && a.number == b.number && a.from == b.from && a.to == b.to &&
           a.units == b.units && a.unit == b.unit && a.next_review == b.next_review &&
           a.note == b.note;
}

bool same_payer(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

const Authorization* overlapping_authorization(const Record& record, const Authorization& a) {
    for (const Entry& e : record.journal)
        if (const Authorization* b = std::get_if<Authorization>(&e);
            b && same_payer(b->payer, a.payer) && b->from <= a.to && a.from <= b->to)
            return b;
    return nullptr;
}

int units_needed(const Program& program, const Plan& plan, const Authorization& auth,
                 Date planned_end, Date today) {
    const Date first = std::max(add_days(today, 1), auth.from);
    const Date last = std::min(planned_end, auth.to);
    if (last < first)
        return 0;
    const auto days = static_cast<double>(days_between(first, last) + 1);
    double weekly = 0;
    switch (auth.unit) {
    case AuthUnit::day:
        return program.calendar.open_program_days_in(first, last);
    case AuthUnit::session:
        weekly = plan.groups_per_week + plan.individual_per_week + plan.family_per_week;
        break;
    case AuthUnit::hour:
        weekly = plan.groups_per_week * program.group_hours +
                 plan.individual_per_week * program.individual_hours +
                 plan.family_per_week * program.family_hours;
        break;
    }
    // The small allowance keeps 15.000000001 (a sum of binary fractions) at 15.
    return static_cast<int>(std::ceil(weekly * days / 7 - 1e-9));
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
