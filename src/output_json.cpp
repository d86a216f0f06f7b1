// JSON renderers (output.hpp): the values of the record types and of an
// assessment, and the documents show, list, remind and check write.
#include "iop/audit.hpp"
#include "iop/basics.hpp"
#include "iop/output.hpp"

#include <cmath>

namespace iop {

using nlohmann::json;

json to_json(const Plan& p) {
    return json{{"weeks", p.weeks},
                {"groups_per_week", p.groups_per_week},
                {"individual_per_week", p.individual_per_week},
                {"family_per_week", p.family_per_week}};
}

json to_json(const Header& h) {
    json j = {{"id", h.id}, {"name", h.name}};
    j["born"] = h.born ? json(format_date(*h.born)) : json(nullptr);
    j["enrolled"] = format_date(h.enrolled);
    j["clinician"] = h.clinician;
    j["diagnosis"] = h.diagnosis;
    j["insurance"] = h.insurance;
    j["plan"] = to_json(h.plan);
    return j;
}

namespace {

void put_meta(json& j, const EntryMeta& m) {
    j["recorded_by"] = m.recorded_by;
    j["recorded_at"] = m.recorded_at;
}

} // namespace

json to_json(const Entry& entry) {
    json j;
    if (auto s = std::get_if<Session>(&entry)) {
        j = {{"entry", "session"},
             {"date", format_date(s->date)},
             {"kind", to_string(s->kind)},
             {"topic", s->topic},
             {"hours", s->hours},
             {"status", to_string(s->status)},
             {"note", s->note},
             {"objectives", s->objectives}};
        put_meta(j, *s);
    } else if (auto sc = std::get_if<Screen>(&entry)) {
        j = {{"entry", "screen"},
             {"date", format_date(sc->date)},
             {"result", to_string(sc->result)},
             {"substances", sc->substances}};
        put_meta(j, *sc);
    } else if (auto m = std::get_if<Medication>(&entry)) {
        j = {{"entry", "medication"},
             {"date", format_date(m->date)},
             {"action", to_string(m->action)},
             {"name", m->name},
             {"dose", m->dose}};
        j["review_days"] = m->review_days ? json(*m->review_days) : json(nullptr);
        put_meta(j, *m);
    } else if (auto e = std::get_if<Event>(&entry)) {
        j = {{"entry", "event"}, {"type", to_string(e->type)}, {"date", format_date(e->date)}};
        switch (e->type) {
        case EventType::plan_change: {
            json plan = json::object();
            if (e->plan.weeks)
                plan["weeks"] = *e->plan.weeks;
            if (e->plan.groups_per_week)
                plan["groups_per_week"] = *e->plan.groups_per_week;
            if (e->plan.individual_per_week)
                plan["individual_per_week"] = *e->plan.individual_per_week;
            if (e->plan.family_per_week)
                plan["family_per_week"] = *e->plan.family_per_week;
            j["plan"] = plan;
            j["note"] = e->text;
            break;
        }
        case EventType::aftercare:
            j["sponsor"] = e->sponsor;
            j["groups"] = e->groups;
            j["note"] = e->text;
            break;
        case EventType::graduated:
            j["forced"] = e->forced;
            j["reason"] = e->reason;
            j["note"] = e->text;
            break;
        case EventType::discharged:
            j["reason"] = e->reason;
            j["note"] = e->text;
            break;
        case EventType::note:
            j["text"] = e->text;
            break;
        case EventType::amend:
            if (e->amend.name)
                j["name"] = *e->amend.name;
            if (e->amend.born)
                j["born"] = format_date(*e->amend.born);
            if (e->amend.clinician)
                j["clinician"] = *e->amend.clinician;
            if (e->amend.diagnosis)
                j["diagnosis"] = *e->amend.diagnosis;
            if (e->amend.insurance)
                j["insurance"] = *e->amend.insurance;
            j["reason"] = e->reason;
            break;
        case EventType::void_:
            j["voids"] = e->entry; // "entry" names what the object is
            j["reason"] = e->reason;
            break;
        case EventType::plan_review:
            j["note"] = e->text;
            break;
        case EventType::placement:
            j["reason"] = e->reason;
            break;
        case EventType::certification:
            j["physician"] = e->physician;
            j["note"] = e->text;
            break;
        case EventType::signature:
            j["role"] = to_string(e->role);
            j["name"] = e->signer;
            j["plan_version"] = e->plan_version;
            j["declined"] = e->declined;
            j["reason"] = e->reason;
            break;
        }
        put_meta(j, *e);
    } else if (auto g = std::get_if<Goal>(&entry)) {
        auto text = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
        j = {{"entry", "goal"},
             {"ref", g->ref},
             {"action", to_string(g->action)},
             {"date", format_date(g->date)},
             {"problem", text(g->problem)},
             {"goal", text(g->goal)},
             {"words", text(g->words)},
             {"dimension", g->dimension ? json(*g->dimension) : json(nullptr)},
             {"note", g->note}};
        put_meta(j, *g);
    } else if (auto o = std::get_if<Objective>(&entry)) {
        auto text = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
        j = {{"entry", "objective"},
             {"ref", o->ref},
             {"action", to_string(o->action)},
             {"date", format_date(o->date)},
             {"text", text(o->text)},
             {"measure", text(o->measure)},
             {"target", o->target ? json(format_date(*o->target)) : json(nullptr)},
             {"interventions", o->interventions ? json(*o->interventions) : json(nullptr)},
             {"note", o->note}};
        put_meta(j, *o);
    } else if (auto a = std::get_if<AsamAssessment>(&entry)) {
        j = {{"entry", "assessment"}, {"kind", "asam"}, {"date", format_date(a->date)}};
        for (std::size_t i = 0; i < a->ratings.size(); ++i)
            j[fmt::format("d{}", i + 1)] = a->ratings[i];
        j["level"] = a->level.empty() ? json(nullptr) : json(a->level);
        j["note"] = a->note;
        put_meta(j, *a);
    } else if (auto au = std::get_if<Authorization>(&entry)) {
        j = {{"entry", "authorization"},
             {"date", format_date(au->date)},
             {"payer", au->payer},
             {"number", au->number},
             {"from", format_date(au->from)},
             {"to", format_date(au->to)},
             {"units", au->units},
             {"unit", to_string(au->unit)},
             {"next_review", au->next_review ? json(format_date(*au->next_review)) : json(nullptr)},
             {"note", au->note}};
        put_meta(j, *au);
    }
    return j;
}

json to_json(const Finding& f, const std::string& file) {
    json j = {{"severity", to_string(f.severity)}, {"rule", f.rule}};
    j["week"] = f.week ? json(*f.week) : json(nullptr);
    // record-invalid has no date it arose on: the file is broken today.
    j["arose"] =
        f.arose.ok() && f.rule != "record-invalid" ? json(format_date(f.arose)) : json(nullptr);
    j["message"] = f.message;
    j["file"] = file;
    j["line"] = f.pos.line > 0 ? json(f.pos.line) : json(nullptr);
    j["column"] = f.pos.column > 0 ? json(f.pos.column) : json(nullptr);
    return j;
}

json assessment_json(const Record& record, const Assessment& a) {
    const Header& h = record.header;
    json j = {{"id", h.id},
              {"status", to_string(a.status)},
              {"week", a.week},
              {"weeks_planned", a.weeks_planned},
              {"attendance_rate", a.attendance_rate}};
    j["curriculum"] = {{"percent", a.curriculum.percent},
                       {"completed", a.curriculum.completed},
                       {"remaining", a.curriculum.remaining}};
    j["graduation"] = {{"eligible", a.eligible}, {"unmet", a.unmet()}};
    json findings = json::array();
    for (const auto& f : a.findings)
        findings.push_back(to_json(f, record.file));
    j["findings"] = findings;

    // Details beyond the SPEC's shape, for show and for scripts.
    j["name"] = h.name;
    j["enrolled"] = format_date(h.enrolled);
    j["planned_end"] = format_date(a.planned_end);
    j["ended"] = a.ended ? json(format_date(*a.ended)) : json(nullptr);
    j["adolescent"] = is_adolescent(h);
    j["plan"] = to_json(a.plan);
    j["complete_weeks"] = a.complete_weeks;
    json criteria = json::array();
    for (const auto& c : a.criteria)
        criteria.push_back({{"id", c.id}, {"met", c.met}, {"detail", c.detail}});
    j["graduation"]["criteria"] = criteria;
    json topics = json::array();
    for (const auto& t : a.curriculum.topics)
        topics.push_back(
            {{"id", t.id}, {"attended", t.attended}, {"needed", t.needed}, {"core", t.core}});
    j["curriculum"]["topics"] = topics;
    json weeks = json::array();
    for (const auto& w : a.weeks) {
        // What the week requires: its plan, lowered by closed days (SPEC section 5).
        const WeekRequirement& r = w.required;
        json required = {{"groups", r.groups},
                         {"hours_min", r.hours_min},
                         {"individual", r.individual},
                         {"family", r.family},
                         {"screens", r.screens},
                         {"group_days", r.group_days},
                         {"open_group_days", r.open_group_days},
                         {"open_program_day", r.open_program_day},
                         {"lowered", r.lowered}};
        weeks.push_back({{"week", w.week},
                         {"first", format_date(w.first)},
                         {"last", format_date(w.last)},
                         {"complete", w.complete},
                         {"plan", to_json(w.plan)},
                         {"groups", w.groups},
                         {"individual", w.individual},
                         {"family", w.family},
                         {"screens", w.screens},
                         {"absent", w.absent},
                         {"excused", w.excused},
                         {"hours", w.hours},
                         {"required", std::move(required)}});
    }
    j["weeks"] = weeks;
    json meds = json::array();
    for (const auto& m : a.medications) {
        json mj = {{"name", m.name},
                   {"dose", m.dose},
                   {"started", format_date(m.started)},
                   {"last_review", format_date(m.last_review)},
                   {"review_days", m.review_days},
                   {"active", m.active}};
        mj["next_review"] =
            m.active ? json(format_date(add_days(m.last_review, m.review_days))) : json(nullptr);
        mj["stopped"] = m.stopped ? json(format_date(*m.stopped)) : json(nullptr);
        meds.push_back(mj);
    }
    j["medications"] = meds;
    return j;
}

Finding invalid_record_finding(const DataError& error) {
    Finding f;
    f.severity = Severity::error;
    f.rule = "record-invalid";
    f.message = error.detail();
    f.pos = error.pos();
    return f;
}

json invalid_record_json(const std::string& id, const DataError& error) {
    json j = {{"id", id},
              {"status", nullptr},
              {"week", nullptr},
              {"weeks_planned", nullptr},
              {"attendance_rate", nullptr},
              {"curriculum", nullptr},
              {"graduation", nullptr}};
    j["findings"] = json::array({to_json(invalid_record_finding(error), error.file())});
    return j;
}

void write_json(std::ostream& out, const json& value) {
    out << value.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
}

json to_json(const TreatmentPlan& tp) {
    auto date_or_null = [](const std::optional<Date>& d) {
        return d ? json(format_date(*d)) : json(nullptr);
    };
    json goals = json::array();
    for (const GoalState& g : tp.goals) {
        json objectives = json::array();
        for (const ObjectiveState& o : g.objectives)
            objectives.push_back({{"ref", o.ref},
                                  {"status", o.status},
                                  {"open", o.open},
                                  {"added", format_date(o.added)},
                                  {"closed", date_or_null(o.closed)},
                                  {"text", o.text},
                                  {"measure", o.measure},
                                  {"target", format_date(o.target)},
                                  {"interventions", o.interventions},
                                  {"last_addressed", date_or_null(o.last_addressed)},
                                  {"sessions", o.sessions}});
        goals.push_back({{"ref", g.ref},
                         {"status", g.status},
                         {"open", g.open},
                         {"added", format_date(g.added)},
                         {"closed", date_or_null(g.closed)},
                         {"problem", g.problem},
                         {"goal", g.goal},
                         {"words", g.words},
                         {"dimension", g.dimension ? json(*g.dimension) : json(nullptr)},
                         {"objectives", std::move(objectives)}});
    }
    json signatures = json::array();
    for (const PlanSignature& s : tp.signatures)
        signatures.push_back({{"role", to_string(s.role)},
                              {"name", s.name},
                              {"date", format_date(s.date)},
                              {"declined", s.declined},
                              {"reason", s.reason},
                              {"recorded_by", s.recorded_by}});
    json missing = json::array();
    for (SignRole r : tp.missing)
        missing.push_back(to_string(r));
    return {{"version", tp.version},
            {"version_date", format_date(tp.version_date)},
            {"goals", std::move(goals)},
            {"signatures", std::move(signatures)},
            {"missing", std::move(missing)}};
}

// ---------------------------------------------------------------- views

json authorization_json(const AuthorizationUse& u) {
    const Authorization& au = u.auth;
    return {{"payer", au.payer},
            {"number", au.number},
            {"from", format_date(au.from)},
            {"to", format_date(au.to)},
            {"units", au.units},
            {"unit", to_string(au.unit)},
            {"used", u.used},
            {"left", u.left()},
            {"sessions", u.sessions},
            {"over_on", u.over_on ? json(format_date(*u.over_on)) : json(nullptr)},
            {"next_review", au.next_review ? json(format_date(*au.next_review)) : json(nullptr)},
            {"note", au.note}};
}

void write_authorizations_json(std::ostream& out, const std::string& id, Date today,
                               const std::vector<AuthorizationUse>& uses,
                               const std::optional<int>& uncovered) {
    json list = json::array();
    for (const AuthorizationUse& u : uses)
        list.push_back(authorization_json(u));
    json j = {{"id", id}, {"today", format_date(today)}, {"authorizations", list}};
    j["uncovered_sessions"] = uncovered ? json(*uncovered) : json(nullptr);
    write_json(out, j);
}

void write_show_json(std::ostream& out, const ShowView& v) {
    json patient = assessment_json(v.record, v.assessment);
    // The whole picture (SPEC section 11), each entry with the keys of its
    // record file.
    const ShowJournal journal = show_journal(v);
    json screens = json::array();
    for (const Screen* s : journal.screens)
        screens.push_back(to_json(Entry(*s)));
    patient["screens"] = screens;
    json plan_events = json::array();
    for (const Event* e : journal.plan_events)
        plan_events.push_back(to_json(Entry(*e)));
    patient["plan_events"] = plan_events;
    json amendments = json::array();
    for (const Event* e : journal.amendments)
        amendments.push_back(to_json(Entry(*e)));
    patient["amendments"] = amendments;
    patient["aftercare"] = journal.aftercare ? to_json(Entry(*journal.aftercare)) : json(nullptr);
    patient["end"] = journal.ending ? to_json(Entry(*journal.ending)) : json(nullptr);
    patient["treatment_plan"] = to_json(v.assessment.treatment_plan);
    // SPEC section 13: the latest ASAM assessment, the placements since and
    // the latest certification, each with the keys of its record file.
    const LevelOfCareView loc = level_of_care_view(v);
    json placements = json::array();
    for (const Event* e : loc.placements)
        placements.push_back(to_json(Entry(*e)));
    patient["level_of_care"] = {
        {"asam", loc.asam ? to_json(Entry(*loc.asam)) : json(nullptr)},
        {"placements", std::move(placements)},
        {"certification", loc.certification ? to_json(Entry(*loc.certification)) : json(nullptr)},
        {"certification_due",
         loc.certification_due ? json(format_date(*loc.certification_due)) : json(nullptr)}};
    json authorizations = json::array();
    for (const AuthorizationUse& u : v.assessment.authorizations)
        authorizations.push_back(authorization_json(u));
    patient["authorizations"] = authorizations;
    patient["uncovered_sessions"] =
        v.assessment.uncovered_sessions ? json(*v.assessment.uncovered_sessions) : json(nullptr);
    write_json(out, {{"today", format_date(v.today)}, {"patients", json::array({patient})}});
}

void write_list_json(std::ostream& out, const std::vector<ListRow>& rows) {
    json list = json::array();
    for (const auto& r : rows) {
        const Header& h = r.header;
        list.push_back({{"id", h.id},
                        {"name", h.name},
                        {"status", to_string(r.status)},
                        {"enrolled", format_date(h.enrolled)},
                        {"week", r.week},
                        {"weeks_planned", r.weeks_planned},
                        {"planned_end", format_date(r.planned_end)},
                        {"ended", r.ended ? json(format_date(*r.ended)) : json(nullptr)},
                        {"clinician", h.clinician},
                        {"discharge_reason",
                         r.discharge_reason.empty() ? json(nullptr) : json(r.discharge_reason)}});
        json authorizations = json::array();
        for (const AuthorizationUse& u : r.authorizations)
            authorizations.push_back(authorization_json(u));
        list.back()["authorizations"] = authorizations;
        list.back()["auth_in_force"] =
            r.in_force ? json(r.authorizations[*r.in_force].auth.number) : json(nullptr);
    }
    write_json(out, list);
}

void write_reminders_json(std::ostream& out, const std::vector<PatientReminders>& patients) {
    json list = json::array();
    for (const auto& p : patients)
        for (const auto& r : p.items)
            list.push_back({{"id", r.id},
                            {"kind", r.kind},
                            {"due", format_date(r.due)},
                            {"arose", r.arose ? json(format_date(*r.arose)) : json(nullptr)},
                            {"message", r.message}});
    write_json(out, list);
}

namespace {

class CheckJson final : public CheckWriter {
  public:
    CheckJson(std::ostream& out, Date today) : out_(out), today_(today) {}

    void directory(const std::vector<FileFinding>& findings,
                   const std::vector<std::string>& removed) override {
        for (const FileFinding& ff : findings)
            files_.push_back({{"file", ff.file},
                              {"severity", std::string(to_string(ff.finding.severity))},
                              {"rule", ff.finding.rule},
                              {"message", ff.finding.message}});
        removed_ = removed;
    }
    void unreadable(const std::string& id, const DataError& error) override {
        patients_.push_back(invalid_record_json(id, error));
    }
    void patient(const Record& record, const Assessment& a) override {
        patients_.push_back(assessment_json(record, a));
    }
    void finish() override {
        json doc = {{"today", format_date(today_)}, {"patients", patients_}};
        // Present only when there is something to say, so the shape stays
        // that of `iop show --format json` otherwise.
        if (!files_.empty())
            doc["files"] = files_;
        if (!removed_.empty())
            doc["removed"] = removed_;
        write_json(out_, doc);
    }

  private:
    std::ostream& out_;
    Date today_;
    json files_ = json::array();
    json patients_ = json::array();
    std::vector<std::string> removed_;
};

} // namespace

std::unique_ptr<CheckWriter> check_json_writer(std::ostream& out, Date today) {
    return std::make_unique<CheckJson>(out, today);
}

void write_closures_json(std::ostream& out, const std::vector<ClosedRange>& ranges) {
    json list = json::array();
    for (const auto& r : ranges)
        list.push_back(
            {{"from", format_date(r.first)}, {"to", format_date(r.last)}, {"reason", r.reason}});
    write_json(out, list);
}

void write_authorization_report_json(std::ostream& out,
                                     const std::vector<AuthorizationReportRow>& rows) {
    // Units as whole numbers where they are (hours may not be).
    auto units = [](double v) -> json {
        if (v == std::floor(v))
            return static_cast<long long>(v);
        return std::stod(decimal_text(v));
    };
    json list = json::array();
    for (const auto& r : rows) {
        const Authorization& a = r.auth;
        list.push_back({{"id", r.id},
                        {"name", r.name},
                        {"clinician", r.clinician},
                        {"planned_end", format_date(r.planned_end)},
                        {"payer", a.payer},
                        {"number", a.number},
                        {"from", format_date(a.from)},
                        {"to", format_date(a.to)},
                        {"units", a.units},
                        {"unit", to_string(a.unit)},
                        {"next_review", a.next_review ? json(format_date(*a.next_review)) : json()},
                        {"used", units(r.used)},
                        {"left", units(r.left)},
                        {"needed", r.needed},
                        {"more", units(r.more)}});
    }
    write_json(out, list);
}

} // namespace iop
