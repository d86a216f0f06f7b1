// The printable treatment plan (SPEC section 12), `iop show ID --format
// html`: one self-contained page that a patient and a clinician sign on
// paper. No script, no external resource (no link, no @import, no url(), no
// remote font, no namespace URI: inline SVG needs none), print CSS whose
// content is at most 180 mm wide, so that it fits A4 and Letter. Every value
// that came from a record or the program is escaped twice over: first by
// the free-text rule (text.hpp), then for HTML (& < > " ').
#include "iop/basics.hpp"
#include "iop/output.hpp"
#include "iop/suggest.hpp"
#include "iop/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace iop {

namespace {

// Text for an HTML element or attribute: the free-text rule's escapes, then
// the five characters HTML gives a meaning to.
std::string html(std::string_view text, Lines lines = Lines::one) {
    std::string out;
    for (char c : escaped(text, lines)) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

// Plan texts may hold line breaks: the page keeps them (white-space: pre-line).
std::string html_text(std::string_view text) {
    return html(text, Lines::many);
}

constexpr std::string_view style_sheet = R"(@page { margin: 15mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 8pt;
       line-height: 1.2; color: #000; background: #fff; max-width: 180mm; margin: 0 auto; }
h1 { font-size: 15pt; margin: 0 0 1mm; }
h2 { font-size: 11pt; margin: 3.5mm 0 1.5mm; padding-bottom: 0.5mm; border-bottom: 0.3mm solid #000; }
h3 { font-size: 9.5pt; margin: 2.5mm 0 1mm; }
p { margin: 1mm 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.4mm 1.2mm; }
table.grid th, table.grid td { border: 0.2mm solid #888; }
table.grid th { background: #eee; }
table.objectives { table-layout: fixed; margin-top: 1mm; }
table.fields th { width: 38mm; font-weight: normal; color: #333; }
.text { white-space: pre-line; }
.num { text-align: right; white-space: nowrap; }
.nowrap { white-space: nowrap; }
.signatures, figure, tr, table.fields { break-inside: avoid; page-break-inside: avoid; }
h2, h3, table.fields { break-after: avoid; page-break-after: avoid; }
ul { margin: 0; padding-left: 4mm; }
figure { margin: 0; }
figcaption { font-size: 8pt; color: #333; }
svg { display: block; width: 100%; height: auto; max-width: 180mm; }
svg text { font-family: inherit; font-size: 10px; fill: #000; }
svg .met { fill: #5a8f5a; }
svg .short { fill: #c0504d; }
svg .current { fill: #b0b0b0; }
svg .minimum { stroke: #000; stroke-width: 2; }
svg .axis { stroke: #000; stroke-width: 1; }
svg .rule { stroke: #ccc; stroke-width: 0.5; }
table.sign td { padding: 7mm 1.5mm 0.5mm; border: 0; }
table.sign td.line { border-bottom: 0.3mm solid #000; }
table.sign td.label { padding-top: 0.5mm; font-size: 8pt; }
footer { margin-top: 5mm; font-size: 7.5pt; color: #333; }
@media screen { body { margin: 10mm auto; padding: 0 5mm; } }
)";

void row(std::ostream& out, std::string_view label, const std::string& value,
         std::string_view cls = "") {
    out << "<tr><th>" << label << "</th><td" << (cls.empty() ? "" : " class=\"") << cls
        << (cls.empty() ? "" : "\"") << '>' << value << "</td></tr>\n";
}

void write_header(std::ostream& out, const ShowView& v) {
    const Header& h = v.record.header;
    const Assessment& a = v.assessment;
    out << "<header>\n<h1>Treatment plan</h1>\n<table class=\"fields\">\n";
    row(out, "Patient", fmt::format("{} &nbsp; {}", html(h.name), html(h.id)));
    if (h.born)
        row(out, "Born",
            format_date(*h.born) +
                (is_adolescent(h) ? " (adolescent: under 18 at enrollment)" : ""));
    row(out, "Enrolled", format_date(h.enrolled));
    if (!h.clinician.empty())
        row(out, "Clinician", html(h.clinician));
    if (!h.diagnosis.empty())
        row(out, "Diagnosis", html_text(h.diagnosis), "text");
    if (!h.insurance.empty())
        row(out, "Insurance", html(h.insurance));
    std::string status(to_string(a.status));
    if (a.ended)
        status += " on " + format_date(*a.ended);
    row(out, "Status", status);
    row(out, "Schedule",
        fmt::format("{} weeks; a week: {} group, {} individual, {} family", a.plan.weeks,
                    a.plan.groups_per_week, a.plan.individual_per_week, a.plan.family_per_week));
    row(out, "Week",
        a.week == 0 ? fmt::format("not started (planned end {})", format_date(a.planned_end))
                    : fmt::format("{} of {} (planned end {})", a.week, a.weeks_planned,
                                  format_date(a.planned_end)));
    out << "</table>\n</header>\n";
}

void write_objective(std::ostream& out, const ObjectiveState& o) {
    out << "<tr><td class=\"nowrap\"><b>" << html(o.ref) << "</b></td><td><span class=\"text\">"
        << html_text(o.text) << "</span>";
    if (!o.measure.empty())
        out << "<br>Measure: <span class=\"text\">" << html_text(o.measure) << "</span>";
    out << "</td><td class=\"nowrap\">" << format_date(o.target) << "</td><td>"
        << html(plan_status_text(o.status, o.open, o.closed)) << "</td><td>";
    if (!o.interventions.empty()) {
        out << "<ul>";
        for (const std::string& i : o.interventions)
            out << "<li>" << html(i) << "</li>";
        out << "</ul>";
    }
    out << "</td><td class=\"nowrap\">";
    if (o.last_addressed)
        out << format_date(*o.last_addressed) << "<br>"
            << plural(o.sessions, "session", "sessions");
    else
        out << "never";
    out << "</td></tr>\n";
}

void write_plan(std::ostream& out, const TreatmentPlan& tp) {
    out << fmt::format("<section>\n<h2>Goals and objectives &mdash; plan version {} of {}</h2>\n",
                       tp.version, format_date(tp.version_date));
    if (tp.goals.empty())
        out << "<p>No goals recorded.</p>\n";
    for (const GoalState& g : tp.goals) {
        out << "<div class=\"goal\">\n<h3>Goal " << html(g.ref) << " &mdash; "
            << html(plan_status_text(g.status, g.open, g.closed)) << " (added "
            << format_date(g.added) << ")";
        if (g.dimension)
            out << " &mdash; ASAM dimension " << *g.dimension;
        out << "</h3>\n<table class=\"fields\">\n";
        row(out, "Problem", html_text(g.problem), "text");
        row(out, "Goal", html_text(g.goal), "text");
        if (!g.words.empty())
            row(out, "In the patient&#39;s words", html_text(g.words), "text");
        out << "</table>\n";
        if (g.objectives.empty()) {
            out << "<p>No objectives recorded.</p>\n</div>\n";
            continue;
        }
        out << "<table class=\"grid objectives\">\n<colgroup><col style=\"width:6%\"><col "
               "style=\"width:39%\"><col style=\"width:11%\"><col style=\"width:9%\"><col "
               "style=\"width:24%\"><col style=\"width:11%\"></colgroup>\n<thead><tr><th>Ref</th>"
               "<th>Objective</th><th>Target</th><th>Status</th><th>Interventions</th><th>Addressed"
               "</th></tr></thead>\n<tbody>\n";
        for (const ObjectiveState& o : g.objectives)
            write_objective(out, o);
        out << "</tbody>\n</table>\n</div>\n";
    }
    out << "</section>\n";
}

// Hours a week as bars against the week's required minimum (closed days
// taken into account) as a line across each bar's slot.
void write_attendance(std::ostream& out, const Assessment& a) {
    out << "<section>\n<h2>Attendance</h2>\n";
    if (a.weeks.empty()) {
        out << "<p>No treatment week yet.</p>\n</section>\n";
        return;
    }
    double top = 1;
    for (const WeekSummary& w : a.weeks)
        top = std::max({top, w.hours, w.required.hours_min});
    const int step = top > 24 ? 6 : 3;
    const double scale_top = std::ceil(top * 1.1 / step) * step; // room for the labels
    const double width = 680, height = 150, left = 34, right = 8, upper = 18, lower = 26;
    const double plot_w = width - left - right, plot_h = height - upper - lower;
    const double slot = plot_w / static_cast<double>(a.weeks.size());
    auto y_of = [&](double hours) { return upper + plot_h * (1 - hours / scale_top); };

    out << "<figure>\n"
        << fmt::format("<svg viewBox=\"0 0 {:.0f} {:.0f}\" role=\"img\" aria-label=\"Attended "
                       "hours a week against the required minimum\">\n",
                       width, height);
    for (int h = 0; h <= static_cast<int>(scale_top); h += step) {
        const double y = y_of(h);
        out << fmt::format("<line class=\"rule\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" "
                           "y2=\"{:.1f}\"/>\n",
                           left, y, width - right, y);
        out << fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
                           left - 4, y + 3.5, h);
    }
    out << fmt::format("<text x=\"2\" y=\"9\">hours</text>\n");
    for (std::size_t i = 0; i < a.weeks.size(); ++i) {
        const WeekSummary& w = a.weeks[i];
        const WeekRequirement& r = w.required;
        const double x = left + slot * static_cast<double>(i);
        const double bar_w = slot * 0.6, bar_x = x + (slot - bar_w) / 2;
        const bool short_of = w.complete && r.hours_min > 0 && w.hours < r.hours_min - 1e-9;
        const char* cls = !w.complete ? "current" : short_of ? "short" : "met";
        const double y = y_of(w.hours);
        out << fmt::format("<rect class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
                           "height=\"{:.1f}\"/>\n",
                           cls, bar_x, y, bar_w, upper + plot_h - y);
        if (r.open_program_day && r.hours_min > 0) {
            const double my = y_of(r.hours_min);
            out << fmt::format("<line class=\"minimum\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" "
                               "y2=\"{:.1f}\"/>\n",
                               x + slot * 0.08, my, x + slot * 0.92, my);
        }
        out << fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                           x + slot / 2, std::max(y, y_of(r.hours_min)) - 3, format_hours(w.hours));
        out << fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}{}</text>\n",
                           x + slot / 2, upper + plot_h + 12, w.week, r.lowered ? "*" : "");
    }
    out << fmt::format("<line class=\"axis\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" "
                       "y2=\"{:.1f}\"/>\n",
                       left, upper + plot_h, width - right, upper + plot_h);
    out << fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">treatment "
                       "week</text>\n",
                       left + plot_w / 2, height - 4);
    out << "</svg>\n<figcaption>Bars: attended hours of each treatment week (green: the "
           "minimum met; red: short of it in a complete week; grey: the week in progress). "
           "Black line: the week&#39;s required minimum, lowered where closed days are marked "
           "*.</figcaption>\n</figure>\n";
    out << fmt::format("<p>Attendance rate {} over {}.</p>\n</section>\n",
                       rate_text(a.attendance_rate),
                       plural(a.complete_weeks, "complete week", "complete weeks"));
}

void write_curriculum(std::ostream& out, const Assessment& a, const Program& program) {
    out << fmt::format("<section>\n<h2>Curriculum &mdash; core {}% complete</h2>\n",
                       a.curriculum.percent);
    out << "<table class=\"grid\">\n<thead><tr><th>Topic</th><th>Title</th><th "
           "class=\"num\">Sessions</th><th>Core</th><th>Done</th></tr></thead>\n<tbody>\n";
    for (const auto& t : a.curriculum.topics) {
        const Topic* topic = program.find_topic(t.id);
        out << "<tr><td>" << html(t.id) << "</td><td>" << (topic ? html(topic->title) : "")
            << "</td><td class=\"num\">" << t.attended << " / " << t.needed << "</td><td>"
            << (t.core ? "core" : "") << "</td><td>" << (t.attended >= t.needed ? "done" : "")
            << "</td></tr>\n";
    }
    out << "</tbody>\n</table>\n</section>\n";
}

void write_signatures(std::ostream& out, const ShowView& v) {
    const Header& h = v.record.header;
    const TreatmentPlan& tp = v.assessment.treatment_plan;
    out << "<section class=\"signatures\">\n"
        << fmt::format("<h2>Signatures &mdash; plan version {}</h2>\n", tp.version);
    if (!tp.signatures.empty()) {
        std::vector<std::string> recorded;
        for (const PlanSignature& s : tp.signatures) {
            std::string text(to_string(s.role));
            if (!s.name.empty())
                text += " " + html(s.name);
            text += s.declined
                        ? fmt::format(" declined on {}: {}", format_date(s.date), html(s.reason))
                        : fmt::format(" on {}", format_date(s.date));
            recorded.push_back(std::move(text));
        }
        out << "<p>Recorded for this version: " << join(recorded, "; ") << ".</p>\n";
    }
    out << "<table class=\"sign\">\n";
    auto line = [&](std::string_view role, const std::string& name) {
        out << "<tr><td class=\"line\" style=\"width:62%\"></td><td style=\"width:6%\"></td>"
               "<td class=\"line\"></td></tr>\n<tr><td class=\"label\">"
            << role << (name.empty() ? "" : ": ") << name
            << fmt::format(", plan version {}", tp.version)
            << "</td><td></td><td class=\"label\">Date</td></tr>\n";
    };
    line("Patient", html(h.name));
    line("Clinician", html(h.clinician));
    if (is_adolescent(h))
        line("Parent or guardian", "");
    out << "</table>\n</section>\n";
}

// SPEC section 13: the latest ASAM assessment the plan answers, the
// placements since it and the latest certification; nothing when there is
// none of these.
void write_level_of_care(std::ostream& out, const LevelOfCareView& v) {
    if (v.empty())
        return;
    out << "<section>\n<h2>Level of care</h2>\n";
    if (const AsamAssessment* a = v.asam) {
        out << fmt::format("<p>ASAM assessment of {}: {}.</p>\n", format_date(a->date),
                           a->level.empty() ? std::string("no level recommended")
                                            : "level " + a->level + " recommended");
        out << "<table class=\"grid\">\n<thead><tr><th>Dimension</th><th "
               "class=\"num\">Rating</th></tr></thead>\n<tbody>\n";
        for (std::size_t i = 0; i < a->ratings.size(); ++i)
            out << fmt::format("<tr><td>{} {}</td><td class=\"num\">{}</td></tr>\n", i + 1,
                               html(asam_dimension_names()[i]), a->ratings[i]);
        out << "</tbody>\n</table>\n";
    } else {
        out << "<p>No ASAM assessment recorded.</p>\n";
    }
    for (const Event* e : v.placements)
        out << fmt::format("<p>Kept at this level on {}: <span class=\"text\">{}</span></p>\n",
                           format_date(e->date), html_text(e->reason));
    if (const Event* c = v.certification)
        out << fmt::format("<p>Certified on {} by {}.</p>\n", format_date(c->date),
                           html(c->physician));
    if (v.certification_due)
        out << fmt::format("<p>Next certification due by {}.</p>\n",
                           format_date(*v.certification_due));
    out << "</section>\n";
}

} // namespace

void write_show_html(std::ostream& out, const ShowView& v) {
    const Header& h = v.record.header;
    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        << "<title>Treatment plan: " << html(h.id) << " " << html(h.name) << "</title>\n"
        << "<style>\n"
        << style_sheet << "</style>\n</head>\n<body>\n";
    write_header(out, v);
    // The signatures follow the plan they sign, on the same sheet where it
    // fits; attendance and curriculum are the progress it is reviewed against.
    write_plan(out, v.assessment.treatment_plan);
    write_signatures(out, v);
    write_attendance(out, v.assessment);
    write_curriculum(out, v.assessment, v.program);
    write_level_of_care(out, level_of_care_view(v));
    out << "<footer>Printed on " << format_date(v.today) << " from the record "
        << html(v.record.file) << ".</footer>\n</body>\n</html>\n";
}

} // namespace iop
