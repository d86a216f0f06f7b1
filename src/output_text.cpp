// Text renderers (output.hpp): what people read on a terminal or in cron's
// mail. Every string that came from a record or an argument is escaped.
#include "iop/audit.hpp"
#include "iop/basics.hpp"
#include "iop/output.hpp"
#include "iop/progress.hpp"
#include "iop/suggest.hpp"
#include "iop/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace iop {

std::string finding_line(const std::string& file, const Finding& f, const Style& style) {
    std::string severity(to_string(f.severity));
    return fmt::format("{}: {}: {} [{}]", format_location(file, f.pos),
                       f.severity == Severity::error ? style.red(severity) : style.yellow(severity),
                       escaped(f.message, Lines::many), f.rule);
}

// ---------------------------------------------------------------- show

namespace {

// Text of several lines, escaped, its later lines indented under the first.
std::string indented(std::string_view text, std::size_t indent) {
    std::string out;
    for (char c : escaped(text, Lines::many)) {
        out += c;
        if (c == '\n')
            out.append(indent, ' ');
    }
    return out;
}

std::string short_date(Date d) {
    return fmt::format("{:02}-{:02}", static_cast<unsigned>(d.month()),
                       static_cast<unsigned>(d.day()));
}

// Hours in the attendance grid: whole or one decimal (7.5).
std::string grid_hours(double v) {
    return std::floor(v) == v ? fmt::format("{:.0f}", v) : fmt::format("{:.1f}", v);
}

// "2/3", marked when a complete week fell short of what it required; `mark`
// ("*") follows a number that closures lowered.
std::string cell(int done, int planned, bool complete, const Style& style, std::size_t width,
                 std::string_view mark = "") {
    std::string text = fmt::format("{}/{}{}", done, planned, mark);
    bool short_of = complete && planned > 0 && done < planned;
    std::string shown = pad(text + (short_of ? " !" : ""), width);
    return short_of ? style.red(shown) : shown;
}

void print_header(std::ostream& out, const Record& rec, const Assessment& a, const Style& style) {
    const Header& h = rec.header;
    std::string status(to_string(a.status));
    if (a.ended)
        status += " on " + format_date(*a.ended);
    out << style.bold(fmt::format("{}  {}", h.id, escaped(h.name))) << "  (" << status << ")\n";
    out << fmt::format("  enrolled    {}\n", format_date(h.enrolled));
    if (h.born)
        out << fmt::format("  born        {}{}\n", format_date(*h.born),
                           is_adolescent(h) ? " (adolescent: under 18 at enrollment)" : "");
    if (!h.clinician.empty())
        out << fmt::format("  clinician   {}\n", escaped(h.clinician));
    if (!h.diagnosis.empty())
        out << fmt::format("  diagnosis   {}\n", indented(h.diagnosis, 14));
    if (!h.insurance.empty())
        out << fmt::format("  insurance   {}\n", escaped(h.insurance));
    out << fmt::format("  plan        {} weeks; a week: {} group, {} individual, {} family\n",
                       a.plan.weeks, a.plan.groups_per_week, a.plan.individual_per_week,
                       a.plan.family_per_week);
    for (const auto& e : rec.journal)
        if (auto ev = std::get_if<Event>(&e); ev && ev->type == EventType::plan_change)
            out << fmt::format("              changed on {}\n", format_date(ev->date));
    if (a.week == 0)
        out << fmt::format("  week        not started (planned end {})\n",
                           format_date(a.planned_end));
    else
        out << fmt::format("  week        {} of {} (planned end {})\n", a.week, a.weeks_planned,
                           format_date(a.planned_end));
}

// The closed dates of a week, for its row of the grid: "  closed 11-26, 11-27",
// or nothing.
std::string closed_text(const Calendar& calendar, const WeekSummary& w) {
    std::vector<std::string> days;
    for (Date d = w.first; d <= w.last; d = add_days(d, 1))
        if (calendar.closed(d))
            days.push_back(short_date(d));
    if (days.empty())
        return {};
    return days.size() == 7 ? std::string("  closed all week") : "  closed " + join(days);
}

// A lowered hours minimum, at most two decimals: "6 hours", "5.4 hours".
std::string hours_min_text(double hours) {
    std::string n = fmt::format("{:.2f}", hours);
    while (n.back() == '0')
        n.pop_back();
    if (n.back() == '.')
        n.pop_back();
    return n + (n == "1" ? " hour" : " hours");
}

// The footnote of a week whose requirement closures lowered (SPEC section 5).
std::string lowered_note(const WeekSummary& w) {
    const WeekRequirement& r = w.required;
    if (!r.open_program_day)
        return fmt::format("  * week {}: no open program day, no weekly requirement\n", w.week);
    return fmt::format("  * week {}: lowered by closures: {} of {} group days closed; requires {} "
                       "and {}\n",
                       w.week, r.group_days - r.open_group_days, r.group_days,
                       plural(r.groups, "group session", "group sessions"),
                       hours_min_text(r.hours_min));
}

void print_grid(std::ostream& out, const Assessment& a, const Program& program,
                const Style& style) {
    const bool any_lowered = std::any_of(a.weeks.begin(), a.weeks.end(),
                                         [](const WeekSummary& w) { return w.required.lowered; });
    out << '\n'
        << style.bold("Attendance") << "  (attended/planned; ! = short in a complete week"
        << (any_lowered ? "; * = lowered by closures" : "") << ")\n";
    if (a.weeks.empty()) {
        out << "  no treatment week yet\n";
        return;
    }
    out << "  week  dates          group   indiv   family  screen  hours\n";
    std::string notes;
    for (const auto& w : a.weeks) {
        const WeekRequirement& r = w.required;
        std::string hours = grid_hours(w.hours);
        bool low = w.complete && r.hours_min > 0 && w.hours < r.hours_min - 1e-9;
        bool high = w.hours > program.hours_max + 1e-9;
        // A lowered requirement is marked in the cells it changed: 2/2*, and
        // the hours when closed group days lowered their minimum: 5* !.
        const char* mark = r.lowered ? "*" : "";
        const bool hours_lowered =
            r.lowered && (!r.open_program_day || r.open_group_days < r.group_days);
        std::string hours_cell = hours + (hours_lowered ? "*" : "") + (low || high ? " !" : "");
        auto required_cell = [&](int done, int required, int planned) {
            return cell(done, required, w.complete, style, 8,
                        required != planned || !r.open_program_day ? mark : "");
        };
        out << fmt::format("  {:>4}  {} ~ {}  {}{}{}{}{}{}{}\n", w.week, short_date(w.first),
                           short_date(w.last),
                           required_cell(w.groups, r.groups, w.plan.groups_per_week),
                           required_cell(w.individual, r.individual, w.plan.individual_per_week),
                           required_cell(w.family, r.family, w.plan.family_per_week),
                           required_cell(w.screens, r.screens, program.screens_per_week),
                           low || high ? style.red(hours_cell) : hours_cell,
                           w.complete ? "" : "  (in progress)", closed_text(program.calendar, w));
        if (r.lowered)
            notes += lowered_note(w);
    }
    out << notes;
    out << fmt::format("  attendance rate {} over {}\n", rate_text(a.attendance_rate),
                       plural(a.complete_weeks, "complete week", "complete weeks"));
}

void print_curriculum(std::ostream& out, const Assessment& a, const Program& program,
                      const Style& style) {
    out << '\n'
        << style.bold("Curriculum") << fmt::format("  core {}% complete\n", a.curriculum.percent);
    for (const auto& t : a.curriculum.topics) {
        const Topic* topic = program.find_topic(t.id);
        bool done = t.attended >= t.needed;
        out << fmt::format("  {} {}  {}/{}  {}  {}\n", done ? "+" : " ", pad(t.id, 20), t.attended,
                           t.needed, t.core ? "core" : "    ", topic ? escaped(topic->title) : "");
    }
    if (!a.curriculum.remaining.empty())
        out << fmt::format("  left: {}\n", join(a.curriculum.remaining));
}

// "patient  Jane Doe  2026-11-06", "patient  declined 2026-11-06: reason".
std::string signature_text(const PlanSignature& s) {
    std::string out = pad(to_string(s.role), 10);
    if (!s.name.empty())
        out += escaped(s.name) + "  ";
    if (s.declined)
        return out + fmt::format("declined {}: {}", format_date(s.date), indented(s.reason, 24));
    return out + format_date(s.date);
}

// SPEC section 12: problems, goals and objectives with status, target,
// interventions and the date each was last addressed; the signatures of the
// current version and the roles still missing.
void print_treatment_plan(std::ostream& out, const TreatmentPlan& tp, const Style& style) {
    out << '\n' << style.bold("Treatment plan");
    if (tp.goals.empty() && tp.signatures.empty()) {
        out << "  no goals recorded\n";
        return;
    }
    out << fmt::format("  version {} of {}\n", tp.version, format_date(tp.version_date));
    if (tp.goals.empty())
        out << "  no goals recorded\n";
    for (const GoalState& g : tp.goals) {
        out << fmt::format("  {}  {}  (added {})\n", g.ref,
                           plan_status_text(g.status, g.open, g.closed), format_date(g.added));
        out << fmt::format("    problem       {}\n", indented(g.problem, 18));
        out << fmt::format("    goal          {}\n", indented(g.goal, 18));
        if (!g.words.empty())
            out << fmt::format("    words         {}\n", indented(g.words, 18));
        if (g.dimension)
            out << fmt::format("    dimension     ASAM {}\n", *g.dimension);
        for (const ObjectiveState& o : g.objectives) {
            out << fmt::format("    {}  {}  target {}  (added {})\n", o.ref,
                               plan_status_text(o.status, o.open, o.closed), format_date(o.target),
                               format_date(o.added));
            out << fmt::format("      objective     {}\n", indented(o.text, 20));
            if (!o.measure.empty())
                out << fmt::format("      measure       {}\n", indented(o.measure, 20));
            for (std::size_t i = 0; i < o.interventions.size(); ++i)
                out << fmt::format("      {}{}\n", i == 0 ? "interventions " : "              ",
                                   escaped(o.interventions[i]));
            out << "      addressed     "
                << (o.last_addressed ? fmt::format("last on {}, {}", format_date(*o.last_addressed),
                                                   plural(o.sessions, "session", "sessions"))
                                     : std::string("never"))
                << '\n';
        }
    }
    for (std::size_t i = 0; i < tp.signatures.size(); ++i)
        out << fmt::format("  {}{}\n", i == 0 ? "signed      " : "            ",
                           signature_text(tp.signatures[i]));
    if (tp.signatures.empty())
        out << "  signed      not yet, for this version\n";
    if (!tp.missing.empty()) {
        std::vector<std::string> roles;
        for (SignRole r : tp.missing)
            roles.emplace_back(to_string(r));
        out << fmt::format("  unsigned    {}\n", join(roles));
    }
}

// SPEC section 13: the latest ASAM assessment with the six dimensions'
// ratings, the placements recorded since, the latest certification. Nothing
// at all for a patient with none of these whom no certification is due of.
void print_level_of_care(std::ostream& out, const LevelOfCareView& v, const Style& style) {
    if (v.empty())
        return;
    out << '\n' << style.bold("Level of care") << '\n';
    if (const AsamAssessment* a = v.asam) {
        out << fmt::format("  assessed    {}, {}\n", format_date(a->date),
                           a->level.empty() ? std::string("no level recommended")
                                            : fmt::format("level {} recommended", a->level));
        for (std::size_t i = 0; i < a->ratings.size(); ++i)
            out << fmt::format("  d{}  {}  {}\n", i + 1, a->ratings[i], asam_dimension_names()[i]);
        if (!a->note.empty())
            out << fmt::format("  note        {}\n", indented(a->note, 14));
    } else {
        out << "  assessed    never\n";
    }
    for (const Event* e : v.placements)
        out << fmt::format("  kept        {}: {}\n", format_date(e->date), indented(e->reason, 26));
    if (const Event* c = v.certification) {
        out << fmt::format("  certified   {} by {}\n", format_date(c->date), escaped(c->physician));
        if (!c->text.empty())
            out << fmt::format("  note        {}\n", indented(c->text, 14));
    } else if (v.certification_due) {
        out << "  certified   not yet\n";
    }
    if (v.certification_due)
        out << fmt::format("  next due    {}\n", format_date(*v.certification_due));
}

// SPEC section 13: shown when there is an authorization or the patient
// needs one.
void print_authorizations(std::ostream& out, const Assessment& a, const Style& style) {
    if (a.authorizations.empty() && !a.uncovered_sessions)
        return;
    out << '\n' << style.bold("Authorizations") << '\n';
    write_authorizations_text(out, a.authorizations, a.uncovered_sessions);
}

void print_medications(std::ostream& out, const Assessment& a, Date today, const Style& style) {
    if (a.medications.empty())
        return;
    out << '\n' << style.bold("Medications") << '\n';
    for (const auto& m : a.medications) {
        std::string dose = m.dose.empty() ? "" : " " + escaped(m.dose);
        if (!m.active) {
            out << fmt::format("  {}{}: started {}, stopped {}\n", escaped(m.name), dose,
                               format_date(m.started), m.stopped ? format_date(*m.stopped) : "?");
            continue;
        }
        Date next = add_days(m.last_review, m.review_days);
        out << fmt::format("  {}{}: started {}, last review {}, next review {}{}\n",
                           escaped(m.name), dose, format_date(m.started),
                           format_date(m.last_review), format_date(next),
                           next < today ? style.red(" (overdue)") : "");
    }
}

// "groups_per_week 2, weeks 14": the keys a plan change sets.
std::string plan_change_text(const PlanChange& p) {
    std::vector<std::string> parts;
    auto put = [&](const char* key, const std::optional<int>& v) {
        if (v)
            parts.push_back(fmt::format("{} {}", key, *v));
    };
    put("weeks", p.weeks);
    put("groups_per_week", p.groups_per_week);
    put("individual_per_week", p.individual_per_week);
    put("family_per_week", p.family_per_week);
    return join(parts);
}

// A note under the line it belongs to.
void print_note(std::ostream& out, const std::string& note) {
    if (!note.empty())
        out << fmt::format("              note      {}\n", indented(note, 24));
}

// How treatment ended: the discharge reason and note, or a forced
// graduation's reason.
void print_ending(std::ostream& out, const Event* e) {
    if (!e)
        return;
    if (e->type == EventType::discharged)
        out << fmt::format("  discharged  {}, reason {}\n", format_date(e->date),
                           escaped(e->reason));
    else if (e->forced)
        out << fmt::format("  graduated   {}, forced: {}\n", format_date(e->date),
                           indented(e->reason, 14));
    else
        out << fmt::format("  graduated   {}\n", format_date(e->date));
    if (!e->text.empty())
        out << fmt::format("  note        {}\n", indented(e->text, 14));
}

void print_screens(std::ostream& out, const ShowJournal& j, const Style& style) {
    out << '\n' << style.bold("Screens") << '\n';
    if (j.screens.empty())
        out << "  none\n";
    for (const Screen* s : j.screens) {
        std::vector<std::string> subs;
        for (const auto& sub : s->substances)
            subs.push_back(escaped(sub));
        std::string result(to_string(s->result));
        if (!subs.empty())
            result = pad(result, 8) + "  " + join(subs);
        out << fmt::format("  {}  {}\n", format_date(s->date),
                           s->result == ScreenResult::positive ? style.red(result) : result);
    }
}

void print_plan_events(std::ostream& out, const ShowJournal& j, const Style& style) {
    if (j.plan_events.empty())
        return;
    out << '\n' << style.bold("Plan changes and reviews") << '\n';
    for (const Event* e : j.plan_events) {
        if (e->type == EventType::plan_change)
            out << fmt::format("  {}  changed   {}\n", format_date(e->date),
                               plan_change_text(e->plan));
        else
            out << fmt::format("  {}  reviewed\n", format_date(e->date));
        print_note(out, e->text);
    }
}

void print_aftercare(std::ostream& out, const ShowJournal& j, const Style& style) {
    const Event* e = j.aftercare;
    if (!e)
        return;
    out << '\n'
        << style.bold("Aftercare") << fmt::format("  (recorded for {})\n", format_date(e->date));
    if (!e->sponsor.empty())
        out << fmt::format("  sponsor     {}\n", escaped(e->sponsor));
    if (!e->groups.empty()) {
        std::vector<std::string> groups;
        for (const auto& g : e->groups)
            groups.push_back(escaped(g));
        out << fmt::format("  groups      {}\n", join(groups));
    }
    if (!e->text.empty())
        out << fmt::format("  note        {}\n", indented(e->text, 14));
}

void print_amendments(std::ostream& out, const ShowJournal& j, const Style& style) {
    if (j.amendments.empty())
        return;
    out << '\n' << style.bold("Amendments") << '\n';
    for (const Event* e : j.amendments) {
        out << fmt::format("  {}  changed   {}\n", format_date(e->date), e->amend.keys());
        out << fmt::format("  reason      {}\n", indented(e->reason, 14));
    }
}

void print_findings(std::ostream& out, const Record& rec, const Assessment& a, const Style& style) {
    out << '\n' << style.bold("Findings") << '\n';
    if (a.findings.empty()) {
        out << "  none\n";
        return;
    }
    for (const auto& f : a.findings)
        out << "  " << finding_line(rec.file, f, style) << '\n';
}

void print_graduation(std::ostream& out, const Assessment& a, const Style& style) {
    out << '\n' << style.bold("Graduation") << "  ";
    if (a.status == Status::graduated) {
        out << "graduated\n";
        return;
    }
    out << (a.eligible ? style.green("eligible") : std::string("not eligible")) << '\n';
    for (const auto& c : a.criteria)
        out << fmt::format("  {} {}  {}\n", c.met ? "+" : "-", pad(c.id, 11), c.detail);
}

} // namespace

void write_show_text(std::ostream& out, const ShowView& v, const Style& style) {
    const Assessment& a = v.assessment;
    const ShowJournal journal = show_journal(v);
    print_header(out, v.record, a, style);
    print_ending(out, journal.ending);
    print_grid(out, a, v.program, style);
    print_curriculum(out, a, v.program, style);
    print_treatment_plan(out, a.treatment_plan, style);
    print_level_of_care(out, level_of_care_view(v), style);
    print_authorizations(out, a, style);
    print_medications(out, a, v.today, style);
    print_screens(out, journal, style);
    print_plan_events(out, journal, style);
    print_aftercare(out, journal, style);
    print_amendments(out, journal, style);
    print_findings(out, v.record, a, style);
    print_graduation(out, a, style);
}

// ---------------------------------------------------------------- authorizations

std::string authorization_text(const AuthorizationUse& u) {
    const Authorization& au = u.auth;
    const std::string unit(to_string(au.unit));
    std::string line =
        fmt::format("{}  {}  {} to {}  {}: used {}, left {} ({} counted)", escaped(au.number),
                    escaped(au.payer), format_date(au.from), format_date(au.to),
                    plural(au.units, unit, unit + "s"), decimal_text(u.used),
                    decimal_text(u.left()), plural(u.sessions, "session", "sessions"));
    if (au.next_review)
        line += fmt::format("; next review {}", format_date(*au.next_review));
    if (u.over_on)
        line += fmt::format("; past its units on {}", format_date(*u.over_on));
    return line;
}

void write_authorizations_text(std::ostream& out, const std::vector<AuthorizationUse>& uses,
                               const std::optional<int>& uncovered) {
    if (uses.empty())
        out << "  none recorded\n";
    for (const AuthorizationUse& u : uses)
        out << "  " << authorization_text(u) << '\n';
    if (uncovered)
        out << fmt::format("  {} not covered by an authorization\n",
                           plural(*uncovered, "attended session", "attended sessions"));
}

// ---------------------------------------------------------------- list

void write_list_text(std::ostream& out, const std::vector<ListRow>& rows, const Style& style) {
    std::size_t id_w = 2, status_w = 6;
    for (const auto& r : rows) {
        id_w = std::max(id_w, display_width(r.header.id));
        status_w = std::max(status_w, to_string(r.status).size());
    }
    for (const auto& r : rows) {
        const Header& h = r.header;
        std::string status(to_string(r.status));
        std::string shown_status =
            r.status == Status::active ? style.green(status) : style.dim(status);
        out << fmt::format("{}  {}{}  week {:>2}/{:<2}  since {}  {}\n", pad(h.id, id_w),
                           shown_status, std::string(status_w - status.size(), ' '), r.week,
                           r.weeks_planned, format_date(h.enrolled), escaped(h.name));
    }
}

// ---------------------------------------------------------------- report authorizations

void write_authorization_report_text(std::ostream& out,
                                     const std::vector<AuthorizationReportRow>& rows,
                                     const Style& style) {
    if (rows.empty())
        return;
    // Under each patient's line, indented by 2: payer, number, end date,
    // unit, then used, left, needed and more right-aligned; the payer and
    // number are cut so that a line takes at most 79 columns.
    constexpr std::size_t line_width = 79, payer_max = 16, number_max = 14;
    std::size_t payer_w = 5, number_w = 6, unit_w = 4, used_w = 4, left_w = 4, need_w = 4,
                more_w = 4;
    for (const auto& r : rows) {
        payer_w = std::max(payer_w, std::min(display_width(escaped(r.auth.payer)), payer_max));
        number_w = std::max(number_w, std::min(display_width(escaped(r.auth.number)), number_max));
        unit_w = std::max(unit_w, to_string(r.auth.unit).size());
        used_w = std::max(used_w, decimal_text(r.used).size());
        left_w = std::max(left_w, decimal_text(r.left).size());
        need_w = std::max(need_w, std::to_string(r.needed).size());
        more_w = std::max(more_w, decimal_text(r.more).size());
    }
    auto line = [&](const std::string& payer, const std::string& number, const std::string& ends,
                    std::string_view unit, const std::string& used, const std::string& left,
                    const std::string& need, const std::string& more) {
        // `more` comes aligned already: it may be coloured.
        return fmt::format("  {}  {}  {:<10}  {}  {:>{}}  {:>{}}  {:>{}}  {}", pad(payer, payer_w),
                           pad(number, number_w), ends, pad(unit, unit_w), used, used_w, left,
                           left_w, need, need_w, more);
    };
    const auto right = [](const std::string& s, std::size_t w) {
        return fmt::format("{:>{}}", s, w);
    };
    out << style.bold(line("Payer", "Number", "Ends", "Unit", "Used", "Left", "Need",
                           right("More", more_w)))
        << '\n';
    const std::string* last_id = nullptr;
    for (const auto& r : rows) {
        if (!last_id || *last_id != r.id) {
            std::string heading = escaped(r.id);
            if (!r.name.empty())
                heading += "  " + escaped(r.name);
            heading += "  planned end " + format_date(r.planned_end);
            if (!r.clinician.empty())
                heading += "  clinician " + escaped(r.clinician);
            out << cut_to(heading, line_width) << '\n';
            last_id = &r.id;
        }
        const std::string more = right(decimal_text(r.more), more_w);
        out << line(cut_to(escaped(r.auth.payer), payer_w),
                    cut_to(escaped(r.auth.number), number_w), format_date(r.auth.to),
                    to_string(r.auth.unit), decimal_text(r.used), decimal_text(r.left),
                    std::to_string(r.needed), r.more > 0 ? style.red(more) : more)
            << '\n';
    }
}

// ---------------------------------------------------------------- remind

void write_reminders_text(std::ostream& out, const std::vector<PatientReminders>& patients,
                          const Style& style) {
    bool first = true;
    for (const auto& p : patients) {
        if (!first)
            out << '\n';
        first = false;
        std::string heading = p.id;
        if (p.week > 0)
            heading = fmt::format("{}  week {} of {}", p.id, p.week, p.weeks_planned);
        else if (p.starts)
            heading = fmt::format("{}  starts {}", p.id, format_date(*p.starts));
        if (!p.clinician.empty())
            heading += "  clinician " + escaped(p.clinician);
        out << style.bold(heading) << '\n';
        for (std::size_t i = 0; i < p.items.size(); ++i) {
            const Reminder& r = p.items[i];
            std::string message = r.message;
            // "week 3 had 1 group session, plan is 3; had 4.5 hours, adult minimum is 9"
            while (i + 1 < p.items.size() && shares_line(r, p.items[i + 1])) {
                std::string more = p.items[++i].message;
                std::string same_week = fmt::format("week {} ", *r.week);
                if (more.rfind(same_week, 0) == 0)
                    more.erase(0, same_week.size());
                message += "; " + more;
            }
            std::string kind = fmt::format("{:<21}", r.kind);
            out << fmt::format("  {}  {}  {}\n", format_date(r.due),
                               r.urgent ? style.red(kind) : kind, escaped(message, Lines::many));
        }
    }
}

// ---------------------------------------------------------------- check

namespace {

class CheckText final : public CheckWriter {
  public:
    CheckText(std::ostream& out, const Style& style, bool quiet, Progress* progress)
        : out_(out), style_(style), quiet_(quiet), progress_(progress) {}

    void directory(const std::vector<FileFinding>& findings,
                   const std::vector<std::string>& removed) override {
        for (const FileFinding& ff : findings)
            out_ << finding_line(ff.file, ff.finding, style_) << '\n';
        if (!quiet_)
            for (const auto& r : removed)
                out_ << "removed " << r << '\n';
    }
    void unreadable(const std::string&, const DataError& error) override {
        clear_progress();
        out_ << finding_line(error.file(), invalid_record_finding(error), style_) << '\n';
    }
    void patient(const Record& record, const Assessment& a) override {
        if (!a.findings.empty())
            clear_progress();
        for (const auto& f : a.findings)
            out_ << finding_line(record.file, f, style_) << '\n';
    }
    void finish() override {}

  private:
    void clear_progress() {
        if (progress_)
            progress_->clear();
    }

    std::ostream& out_;
    Style style_;
    bool quiet_;
    Progress* progress_;
};

} // namespace

std::unique_ptr<CheckWriter> check_text_writer(std::ostream& out, const Style& style, bool quiet,
                                               Progress* progress) {
    return std::make_unique<CheckText>(out, style, quiet, progress);
}

// ---------------------------------------------------------------- closure list

void write_closures_text(std::ostream& out, const std::vector<ClosedRange>& ranges) {
    for (const auto& r : ranges) {
        std::string dates =
            r.first == r.last ? format_date(r.first)
                              : fmt::format("{} to {}", format_date(r.first), format_date(r.last));
        out << dates << "  " << escaped(r.reason) << '\n';
    }
}

} // namespace iop
