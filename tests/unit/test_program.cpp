// The facility's program (include/iop/program.hpp): SPEC section 4 defaults,
// the text iop init writes, and validation with positions.
#include "iop/error.hpp"
#include "iop/program.hpp"
#include "testutil.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

namespace {

const std::string file = "program.toml";

// The DataError that loading `text` throws, or nullopt when it loads.
std::optional<iop::DataError> load_error(const std::string& text) {
    return testutil::data_error([&] { iop::parse_program(text, file); });
}


void check_same(const iop::Program& a, const iop::Program& b) {
    CHECK(a.weeks.min == b.weeks.min);
    CHECK(a.weeks.max == b.weeks.max);
    CHECK(a.weeks.default_value == b.weeks.default_value);
    CHECK(a.groups_per_week.min == b.groups_per_week.min);
    CHECK(a.groups_per_week.max == b.groups_per_week.max);
    CHECK(a.groups_per_week.default_value == b.groups_per_week.default_value);
    CHECK(a.group_hours == b.group_hours);
    CHECK(a.individual_hours == b.individual_hours);
    CHECK(a.family_hours == b.family_hours);
    CHECK(a.hours_adult_min == b.hours_adult_min);
    CHECK(a.hours_adolescent_min == b.hours_adolescent_min);
    CHECK(a.hours_max == b.hours_max);
    CHECK(a.individual_per_week == b.individual_per_week);
    CHECK(a.individual_max_gap_days == b.individual_max_gap_days);
    CHECK(a.family_per_week == b.family_per_week);
    CHECK(a.contact_max_gap_days == b.contact_max_gap_days);
    CHECK(a.screens_per_week == b.screens_per_week);
    CHECK(a.screen_result_days == b.screen_result_days);
    CHECK(a.plan_review_days == b.plan_review_days);
    CHECK(a.medication_review_days == b.medication_review_days);
    CHECK(a.lost_contact_days == b.lost_contact_days);
    CHECK(a.min_attendance == b.min_attendance);
    CHECK(a.negative_screens == b.negative_screens);
    CHECK(a.require_aftercare == b.require_aftercare);
    CHECK(a.require_objectives == b.require_objectives);
    CHECK(a.require_signed_plan == b.require_signed_plan);
    CHECK(a.plan_goals_within_days == b.plan_goals_within_days);
    CHECK(a.plan_sign_within_days == b.plan_sign_within_days);
    CHECK(a.plan_objective_unaddressed_days == b.plan_objective_unaddressed_days);
    CHECK(a.asam_review_days == b.asam_review_days);
    CHECK(a.authorization_required == b.authorization_required);
    CHECK(a.authorization_warn_days == b.authorization_warn_days);
    CHECK(a.certification_required == b.certification_required);
    CHECK(a.certification_recert_days == b.certification_recert_days);
    CHECK(a.calendar.program_days == b.calendar.program_days);
    CHECK(a.calendar.group_days == b.calendar.group_days);
    CHECK(a.remind_lead_days == b.remind_lead_days);
    REQUIRE(a.curriculum.size() == b.curriculum.size());
    for (std::size_t i = 0; i < a.curriculum.size(); ++i) {
        CAPTURE(i);
        CHECK(a.curriculum[i].id == b.curriculum[i].id);
        CHECK(a.curriculum[i].title == b.curriculum[i].title);
        CHECK(a.curriculum[i].sessions == b.curriculum[i].sessions);
        CHECK(a.curriculum[i].core == b.curriculum[i].core);
    }
}

const char* minimal = "schema_version = 1\n"
                      "\n"
                      "[[curriculum]]\n"
                      "id = \"only\"\n";

} // namespace

TEST_SUITE_BEGIN("program");

TEST_CASE("default_program matches SPEC section 4") {
    iop::Program p = iop::default_program();
    CHECK(p.weeks.min == 3);
    CHECK(p.weeks.max == 13);
    CHECK(p.weeks.default_value == 12);
    CHECK(p.groups_per_week.min == 2);
    CHECK(p.groups_per_week.max == 5);
    CHECK(p.groups_per_week.default_value == 3);
    CHECK(p.group_hours == 3.0);
    CHECK(p.individual_hours == 1.0);
    CHECK(p.family_hours == 1.0);
    CHECK(p.hours_adult_min == 9.0);
    CHECK(p.hours_adolescent_min == 6.0);
    CHECK(p.hours_max == 19.0);
    CHECK(p.individual_per_week == 1);
    CHECK(p.individual_max_gap_days == 30);
    CHECK(p.family_per_week == 1);
    CHECK(p.contact_max_gap_days == 3);
    CHECK(p.screens_per_week == 1);
    CHECK(p.screen_result_days == 7);
    CHECK(p.plan_review_days == 30);
    CHECK(p.medication_review_days == 30);
    CHECK(p.lost_contact_days == 30);
    CHECK(p.min_attendance == 0.90);
    CHECK(p.negative_screens == 2);
    CHECK(p.require_aftercare == true);
    CHECK(p.require_objectives == true);
    CHECK(p.require_signed_plan == true);
    CHECK(p.plan_goals_within_days == 7);
    CHECK(p.plan_sign_within_days == 7);
    CHECK(p.plan_objective_unaddressed_days == 14);
    CHECK(p.asam_review_days == 30);
    CHECK(p.authorization_required == iop::Program::Need::insured);
    CHECK(p.authorization_warn_days == 7);
    CHECK(p.certification_required == iop::Program::Need::never);
    CHECK(p.certification_recert_days == 60);

    struct Expected {
        const char* id;
        const char* title;
        int sessions;
        bool core;
    };
    const Expected expected[] = {
        {"illness", "Understanding addiction as an illness", 2, true},
        {"early-recovery", "Early recovery skills: triggers and cravings", 2, true},
        {"shame-guilt", "Coping with shame and guilt", 1, true},
        {"relationships", "Rebuilding relationships, trust and honesty", 2, true},
        {"stress", "Coping and stress-management skills", 2, true},
        {"relapse-prevention", "Relapse prevention", 3, true},
        {"mutual-help", "Sponsors and mutual-help groups", 1, true},
        {"family", "Family education", 1, false},
        {"emotions", "Managing anger and emotions", 1, false},
        {"medication", "Medication and co-occurring conditions", 1, false},
    };
    REQUIRE(p.curriculum.size() == 10);
    for (std::size_t i = 0; i < 10; ++i) {
        CAPTURE(i);
        CHECK(p.curriculum[i].id == expected[i].id);
        CHECK(p.curriculum[i].title == expected[i].title);
        CHECK(p.curriculum[i].sessions == expected[i].sessions);
        CHECK(p.curriculum[i].core == expected[i].core);
    }
    CHECK(p.topic_ids() == std::vector<std::string>{"illness", "early-recovery", "shame-guilt",
                                                    "relationships", "stress", "relapse-prevention",
                                                    "mutual-help", "family", "emotions",
                                                    "medication"});
}

TEST_CASE("find_topic") {
    iop::Program p = iop::default_program();
    const iop::Topic* t = p.find_topic("relapse-prevention");
    REQUIRE(t != nullptr);
    CHECK(t->title == "Relapse prevention");
    CHECK(t->sessions == 3);
    CHECK(p.find_topic("Illness") == nullptr); // ids are case-sensitive
    CHECK(p.find_topic("") == nullptr);
    CHECK(p.find_topic("nope") == nullptr);
}

TEST_CASE("default_program_toml parses back to default_program") {
    std::string text = iop::default_program_toml();
    iop::Program parsed = iop::parse_program(text, file);
    check_same(parsed, iop::default_program());
    // Written out in full, commented with its sources.
    CHECK(text.find("schema_version = 1\n") != std::string::npos);
    CHECK(text.find("[weeks]\nmin = 3\nmax = 13\ndefault = 12\n") != std::string::npos);
    CHECK(text.find("[groups_per_week]\nmin = 2\nmax = 5\ndefault = 3\n") != std::string::npos);
    CHECK(text.find("min_attendance = 0.90\n") != std::string::npos);
    CHECK(text.find("id = \"relapse-prevention\"\ntitle = \"Relapse prevention\"\nsessions = 3\n"
                    "core = true\n") != std::string::npos);
    CHECK(text.find("ASAM") != std::string::npos);
    CHECK(text.find("TIP 47") != std::string::npos);
    CHECK(text.find("Matrix Model") != std::string::npos);
    CHECK(text.rfind("[[curriculum]]") != text.find("[[curriculum]]"));
    CHECK(text.back() == '\n');
}

TEST_CASE("missing keys take their defaults; given ones are read") {
    iop::Program p = iop::parse_program(minimal, file);
    iop::Program d = iop::default_program();
    CHECK(p.weeks.max == d.weeks.max);
    CHECK(p.min_attendance == d.min_attendance);
    REQUIRE(p.curriculum.size() == 1);
    CHECK(p.curriculum[0].id == "only");
    CHECK(p.curriculum[0].title == "only"); // title defaults to the id
    CHECK(p.curriculum[0].sessions == 1);
    CHECK(p.curriculum[0].core == false);

    iop::Program q = iop::parse_program("schema_version = 1\n"
                                        "name = \"Northside IOP\"\n"
                                        "group_hours = 2.5\n"
                                        "family_per_week = 0\n"
                                        "lost_contact_days = 14\n"
                                        "[weeks]\nmin = 4\nmax = 16\ndefault = 8\n"
                                        "[hours_per_week]\nadult_min = 10\nmax = 18.5\n"
                                        "[graduation]\nmin_attendance = 0.75\n"
                                        "negative_screens = 3\nrequire_aftercare = false\n"
                                        "[[curriculum]]\nid = \"a\"\ntitle = \"A\"\n"
                                        "sessions = 4\ncore = true\n"
                                        "[[curriculum]]\nid = \"b.2\"\n",
                                        file);
    CHECK(q.group_hours == 2.5);
    CHECK(q.individual_hours == 1.0);
    CHECK(q.family_per_week == 0);
    CHECK(q.lost_contact_days == 14);
    CHECK(q.weeks.min == 4);
    CHECK(q.weeks.max == 16);
    CHECK(q.weeks.default_value == 8);
    CHECK(q.groups_per_week.default_value == 3);
    CHECK(q.hours_adult_min == 10.0);
    CHECK(q.hours_adolescent_min == 6.0);
    CHECK(q.hours_max == 18.5);
    CHECK(q.min_attendance == 0.75);
    CHECK(q.negative_screens == 3);
    CHECK(q.require_aftercare == false);
    REQUIRE(q.curriculum.size() == 2);
    CHECK(q.curriculum[0].id == "a");
    CHECK(q.curriculum[0].title == "A");
    CHECK(q.curriculum[0].sessions == 4);
    CHECK(q.curriculum[0].core == true);
    CHECK(q.curriculum[1].id == "b.2");
    CHECK(q.curriculum[1].core == false);
}

TEST_CASE("min greater than max") {
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\n"
                          "[weeks]\n"
                          "min = 10\n"
                          "max = 5\n"
                          "default = 7\n");
    CHECK(e.code() == iop::exit_data);
    CHECK(e.file() == "program.toml");
    CHECK(e.pos().line == 3);
    CHECK(e.pos().column == 7);
    CHECK(e.detail() == "[weeks] min 10 is greater than max 5");
    CHECK(std::string(e.what()) == "program.toml:3:7: [weeks] min 10 is greater than max 5");

    REQUIRE_LOAD_ERROR(h, "schema_version = 1\n"
                          "[hours_per_week]\n"
                          "adult_min = 20\n"
                          "max = 19\n");
    CHECK(h.pos().line == 3);
    CHECK(h.pos().column == 13);
    CHECK(h.detail() == "[hours_per_week] adult_min 20 is greater than max 19");
}

TEST_CASE("default outside its range") {
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\n"
                          "\n"
                          "[groups_per_week]\n"
                          "min = 2\n"
                          "max = 4\n"
                          "default = 5\n");
    CHECK(e.pos().line == 6);
    CHECK(e.pos().column == 11);
    CHECK(e.detail() == "[groups_per_week] default 5 is outside 2..4");
}

TEST_CASE("value outside the bounds of its key") {
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\n"
                          "[groups_per_week]\n"
                          "max = 8\n");
    CHECK(e.pos().line == 3);
    CHECK(e.pos().column == 7);
    CHECK(e.detail() == "'[groups_per_week].max' is 8, must be between 0 and 7");

    REQUIRE_LOAD_ERROR(g, "schema_version = 1\ngroup_hours = 0\n");
    CHECK(g.pos().line == 2);
    CHECK(g.pos().column == 15);
    CHECK(g.detail() == "'group_hours' is 0, must be greater than 0 and at most 12");

    REQUIRE_LOAD_ERROR(s, "schema_version = 1\n[[curriculum]]\nid = \"x\"\nsessions = 0\n");
    CHECK(s.pos().line == 4);
    CHECK(s.pos().column == 12);
    CHECK(s.detail() == "'[[curriculum]].sessions' is 0, must be between 1 and 100");
}

TEST_CASE("[remind] lead_days: read, bounded, 2 when absent") {
    CHECK(iop::parse_program(minimal, file).remind_lead_days == 2);
    CHECK(iop::default_program_toml().find("[remind]\nlead_days = 2\n") != std::string::npos);
    CHECK(iop::parse_program("schema_version = 1\n[remind]\nlead_days = 3\n", file)
              .remind_lead_days == 3);
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\n[remind]\nlead_days = 8\n");
    CHECK(e.pos().line == 3);
    CHECK(e.detail() == "'[remind].lead_days' is 8, must be between 0 and 7");
    REQUIRE_LOAD_ERROR(u, "schema_version = 1\n[remind]\nlead = 1\n");
    CHECK(u.pos().line == 3);
}

TEST_CASE("the treatment plan keys: init writes them on, a program without them keeps them off") {
    const std::string text = iop::default_program_toml();
    CHECK(text.find("require_objectives = true\n") != std::string::npos);
    CHECK(text.find("require_signed_plan = true\n") != std::string::npos);
    CHECK(text.find("[plan]\n") != std::string::npos);
    CHECK(text.find("goals_within_days = 7\n") != std::string::npos);
    CHECK(text.find("sign_within_days = 7\n") != std::string::npos);
    CHECK(text.find("objective_unaddressed_days = 14\n") != std::string::npos);
    CHECK(text.find("CARF") != std::string::npos);
    const iop::Program init = iop::parse_program(text, file);
    CHECK(init.require_objectives);
    CHECK(init.require_signed_plan);

    // SPEC section 4: an upgrade makes no eligible patient ineligible.
    const iop::Program old = iop::parse_program(minimal, file);
    CHECK_FALSE(old.require_objectives);
    CHECK_FALSE(old.require_signed_plan);
    CHECK(old.plan_goals_within_days == 7);
    CHECK(old.plan_sign_within_days == 7);
    CHECK(old.plan_objective_unaddressed_days == 14);
    const iop::Program graduation =
        iop::parse_program("schema_version = 1\n[graduation]\nrequire_aftercare = true\n", file);
    CHECK_FALSE(graduation.require_objectives);
    CHECK_FALSE(graduation.require_signed_plan);

    const iop::Program given = iop::parse_program(
        "schema_version = 1\n[graduation]\nrequire_objectives = true\n"
        "require_signed_plan = false\n[plan]\ngoals_within_days = 0\nsign_within_days = 3\n"
        "objective_unaddressed_days = 21\n",
        file);
    CHECK(given.require_objectives);
    CHECK_FALSE(given.require_signed_plan);
    CHECK(given.plan_goals_within_days == 0);
    CHECK(given.plan_sign_within_days == 3);
    CHECK(given.plan_objective_unaddressed_days == 21);
}

TEST_CASE("the treatment plan keys: bounds, types and unknown keys") {
    REQUIRE_LOAD_ERROR(a, "schema_version = 1\n[plan]\ngoals_within_days = -1\n");
    CHECK(a.pos().line == 3);
    CHECK(a.detail() == "'[plan].goals_within_days' is -1, must be between 0 and 3650");
    REQUIRE_LOAD_ERROR(b, "schema_version = 1\n[plan]\nobjective_unaddressed_days = 0\n");
    CHECK(b.detail() == "'[plan].objective_unaddressed_days' is 0, must be between 1 and 3650");
    REQUIRE_LOAD_ERROR(c, "schema_version = 1\n[plan]\nsign_within_days = 3651\n");
    CHECK(c.detail() == "'[plan].sign_within_days' is 3651, must be between 0 and 3650");
    REQUIRE_LOAD_ERROR(d, "schema_version = 1\n[plan]\nsign_within = 3\n");
    CHECK(d.pos().line == 3);
    CHECK(d.detail() == "unknown key '[plan].sign_within'");
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\n[graduation]\nrequire_objectives = 1\n");
    CHECK(e.pos().line == 3);
    CHECK(e.detail().find("require_objectives") != std::string::npos);
}

TEST_CASE("the level of care and payer keys: init writes them with their sources, a program "
          "without `required` keeps it off") {
    using Need = iop::Program::Need;
    const std::string text = iop::default_program_toml();
    CHECK(text.find("[asam]\nreview_days = 30\n") != std::string::npos);
    CHECK(text.find("[authorization]\nrequired = \"insured\"\nwarn_days = 7\n") !=
          std::string::npos);
    CHECK(text.find("[certification]\nrequired = false\nrecert_days = 60\n") != std::string::npos);
    // Each key's source, in the comments above it.
    CHECK(text.find("ASAM Criteria") != std::string::npos);
    CHECK(text.find("payer practice: no") != std::string::npos);
    CHECK(text.find("Medicare pays for IOP since 2024") != std::string::npos);
    const iop::Program init = iop::parse_program(text, file);
    CHECK(init.asam_review_days == 30);
    CHECK(init.authorization_required == Need::insured);
    CHECK(init.authorization_warn_days == 7);
    CHECK(init.certification_required == Need::never);
    CHECK(init.certification_recert_days == 60);

    // SPEC section 4: a program.toml from before keeps both requirements
    // off, with or without the table.
    const iop::Program old = iop::parse_program(minimal, file);
    CHECK(old.authorization_required == Need::never);
    CHECK(old.certification_required == Need::never);
    CHECK(old.asam_review_days == 30);
    CHECK(old.authorization_warn_days == 7);
    CHECK(old.certification_recert_days == 60);
    const iop::Program tables = iop::parse_program(
        "schema_version = 1\n[authorization]\nwarn_days = 3\n[certification]\nrecert_days = 30\n",
        file);
    CHECK(tables.authorization_required == Need::never);
    CHECK(tables.authorization_warn_days == 3);
    CHECK(tables.certification_required == Need::never);
    CHECK(tables.certification_recert_days == 30);

    auto need = [](const std::string& table, const std::string& value) {
        return iop::parse_program("schema_version = 1\n[" + table + "]\nrequired = " + value + "\n",
                                  file);
    };
    CHECK(need("authorization", "\"insured\"").authorization_required == Need::insured);
    CHECK(need("authorization", "\"always\"").authorization_required == Need::always);
    CHECK(need("authorization", "\"never\"").authorization_required == Need::never);
    CHECK(need("certification", "true").certification_required == Need::always);
    CHECK(need("certification", "false").certification_required == Need::never);
    CHECK(need("certification", "\"medicare\"").certification_required == Need::medicare);
    CHECK(iop::parse_program("schema_version = 1\n[asam]\nreview_days = 90\n", file)
              .asam_review_days == 90);
}

TEST_CASE("the level of care and payer keys: bad values name their line") {
    REQUIRE_LOAD_ERROR(a, "schema_version = 1\n[authorization]\nrequired = \"sometimes\"\n");
    CHECK(a.pos().line == 3);
    CHECK(a.detail().find("[authorization] required must be one of: insured, always, never") == 0);
    REQUIRE_LOAD_ERROR(b, "schema_version = 1\n[authorization]\nrequired = true\n");
    CHECK(b.pos().line == 3);
    CHECK(b.detail().find("required") != std::string::npos);
    REQUIRE_LOAD_ERROR(c, "schema_version = 1\n[authorization]\nwarn_days = 366\n");
    CHECK(c.pos().line == 3);
    CHECK(c.detail() == "'[authorization].warn_days' is 366, must be between 0 and 365");
    REQUIRE_LOAD_ERROR(d, "schema_version = 1\n[authorization]\nwarn_days = -1\n");
    CHECK(d.detail() == "'[authorization].warn_days' is -1, must be between 0 and 365");
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\n\n[certification]\nrequired = \"sometimes\"\n");
    CHECK(e.pos().line == 4);
    CHECK(e.detail() == "[certification] required must be true, false or \"medicare\"");
    REQUIRE_LOAD_ERROR(f, "schema_version = 1\n[certification]\nrecert_days = 0\n");
    CHECK(f.pos().line == 3);
    CHECK(f.detail() == "'[certification].recert_days' is 0, must be between 1 and 3650");
    REQUIRE_LOAD_ERROR(g, "schema_version = 1\n[asam]\nreview_days = 0\n");
    CHECK(g.pos().line == 3);
    CHECK(g.detail() == "'[asam].review_days' is 0, must be between 1 and 3650");
    REQUIRE_LOAD_ERROR(h, "schema_version = 1\n[asam]\nreview_day = 30\n");
    CHECK(h.pos().line == 3);
    CHECK(h.detail() == "unknown key '[asam].review_day' (did you mean 'review_days'?)");
    REQUIRE_LOAD_ERROR(i, "schema_version = 1\n[certification]\nrequierd = true\n");
    CHECK(i.detail().find("unknown key '[certification].requierd'") == 0);
}

TEST_CASE("duplicate topic id") {
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\n"
                          "\n"
                          "[[curriculum]]\n"
                          "id = \"illness\"\n"
                          "sessions = 2\n"
                          "\n"
                          "[[curriculum]]\n"
                          "id = \"illness\"\n");
    CHECK(e.pos().line == 8);
    CHECK(e.pos().column == 6);
    CHECK(e.detail() == "duplicate curriculum id 'illness'");
}

TEST_CASE("invalid topic id") {
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\n[[curriculum]]\nid = \"../x\"\n");
    CHECK(e.pos().line == 3);
    CHECK(e.pos().column == 6);
    CHECK(e.detail().find("curriculum id '../x' must match") == 0);

    REQUIRE_LOAD_ERROR(m, "schema_version = 1\n[[curriculum]]\ntitle = \"no id\"\n");
    CHECK(m.pos().line == 2);
    CHECK(m.detail() == "missing '[[curriculum]].id'");
}

TEST_CASE("unknown key, with did-you-mean") {
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\n"
                          "group_huors = 3.0\n");
    CHECK(e.pos().line == 2);
    CHECK(e.pos().column == 1);
    CHECK(e.detail() == "unknown key 'group_huors' (did you mean 'group_hours'?)");

    REQUIRE_LOAD_ERROR(g, "schema_version = 1\n"
                          "[graduation]\n"
                          "  min_attendence = 0.8\n");
    CHECK(g.pos().line == 3);
    CHECK(g.pos().column == 3);
    CHECK(g.detail() ==
          "unknown key '[graduation].min_attendence' (did you mean 'min_attendance'?)");

    REQUIRE_LOAD_ERROR(c, "schema_version = 1\n"
                          "[[curriculum]]\n"
                          "id = \"a\"\n"
                          "sesions = 2\n");
    CHECK(c.pos().line == 4);
    CHECK(c.pos().column == 1);
    CHECK(c.detail() == "unknown key '[[curriculum]].sesions' (did you mean 'sessions'?)");

    REQUIRE_LOAD_ERROR(far, "schema_version = 1\nbananas = 1\n");
    CHECK(far.detail() == "unknown key 'bananas'");
}

TEST_CASE("wrong type") {
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\n"
                          "screens_per_week = \"one\"\n");
    CHECK(e.pos().line == 2);
    CHECK(e.pos().column == 20);
    CHECK(e.detail() == "'screens_per_week' must be an integer");

    REQUIRE_LOAD_ERROR(b, "schema_version = 1\n"
                          "[graduation]\n"
                          "require_aftercare = \"yes\"\n");
    CHECK(b.pos().line == 3);
    CHECK(b.pos().column == 21);
    CHECK(b.detail() == "'[graduation].require_aftercare' must be true or false");

    REQUIRE_LOAD_ERROR(h, "schema_version = 1\ngroup_hours = \"3\"\n");
    CHECK(h.pos().line == 2);
    CHECK(h.detail() == "'group_hours' must be a number");

    REQUIRE_LOAD_ERROR(t, "schema_version = 1\nweeks = 12\n");
    CHECK(t.pos().line == 2);
    CHECK(t.detail() == "'weeks' must be a table");

    // An integer key given a float is a type error, not a rounding.
    REQUIRE_LOAD_ERROR(f, "schema_version = 1\nplan_review_days = 30.5\n");
    CHECK(f.pos().line == 2);
    CHECK(f.detail() == "'plan_review_days' must be an integer");
}

TEST_CASE("schema_version") {
    REQUIRE_LOAD_ERROR(e, "schema_version = 2\n[[curriculum]]\nid = \"a\"\n");
    CHECK(e.pos().line == 1);
    CHECK(e.pos().column == 18);
    CHECK(e.detail() ==
          "schema_version 2 is newer than this iop supports (1); upgrade iop to read this file");

    // A newer file is refused as newer even when it has keys this iop does not know.
    REQUIRE_LOAD_ERROR(n, "schema_version = 3\nnew_rule = 1\n");
    CHECK(n.pos().line == 1);
    CHECK(n.detail().find("newer") != std::string::npos);

    REQUIRE_LOAD_ERROR(z, "schema_version = 0\n");
    CHECK(z.detail() == "schema_version 0 is not valid");

    REQUIRE_LOAD_ERROR(m, "[[curriculum]]\nid = \"a\"\n");
    CHECK(m.detail() == "missing 'schema_version' (this iop writes schema_version = 1)");

    REQUIRE_LOAD_ERROR(s, "schema_version = \"1\"\n");
    CHECK(s.pos().line == 1);
    CHECK(s.detail() == "'schema_version' must be an integer");
}

TEST_CASE("syntax error") {
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\n"
                          "\n"
                          "group_hours = = 3\n");
    CHECK(e.code() == iop::exit_data);
    CHECK(e.file() == "program.toml");
    CHECK(e.pos().line == 3);
    CHECK(e.pos().column > 0);
    CHECK(std::string(e.what()).rfind("program.toml:3:", 0) == 0);

    REQUIRE_LOAD_ERROR(u, "schema_version = 1\n[weeks\nmin = 3\n");
    CHECK(u.pos().line == 2);

    REQUIRE_LOAD_ERROR(d, "schema_version = 1\nschema_version = 1\n");
    CHECK(d.pos().line == 2);
}

TEST_CASE("empty curriculum") {
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\ncurriculum = []\n");
    CHECK(e.detail() == "the curriculum has no topics: add at least one [[curriculum]] table");
    CHECK(e.file() == "program.toml");

    REQUIRE_LOAD_ERROR(t, "schema_version = 1\ncurriculum = [1, 2]\n");
    CHECK(t.pos().line == 2);
    CHECK(t.detail() == "'curriculum' must hold only tables ([[curriculum]])");
}

TEST_CASE("min_attendance out of 0..1") {
    REQUIRE_LOAD_ERROR(e, "schema_version = 1\n"
                          "[graduation]\n"
                          "min_attendance = 1.5\n");
    CHECK(e.pos().line == 3);
    CHECK(e.pos().column == 18);
    CHECK(e.detail() == "[graduation] min_attendance is 1.5, must be between 0 and 1");

    REQUIRE_LOAD_ERROR(n, "schema_version = 1\n[graduation]\nmin_attendance = -0.1\n");
    CHECK(n.pos().line == 3);

    // The bounds themselves are allowed; an integer 1 is a number.
    CHECK(iop::parse_program("schema_version = 1\n[graduation]\nmin_attendance = 1\n", file)
              .min_attendance == 1.0);
    CHECK(iop::parse_program("schema_version = 1\n[graduation]\nmin_attendance = 0.0\n", file)
              .min_attendance == 0.0);
}

TEST_CASE("DataError renders FILE:LINE:COL") {
    CHECK(iop::format_location("f.toml", {}) == "f.toml");
    CHECK(iop::format_location("f.toml", {4, 0}) == "f.toml:4");
    CHECK(iop::format_location("f.toml", {4, 2}) == "f.toml:4:2");
    iop::DataError e("f.toml", {4, 2}, "bad");
    CHECK(std::string(e.what()) == "f.toml:4:2: bad");
    CHECK(e.code() == 3);
}

TEST_SUITE_END();

TEST_CASE("[calendar] and [remind]: weekdays, defaults and mistakes with positions") {
    using iop::weekdays_mon_fri;
    SUBCASE("absent: Monday to Friday, lead_days 2, exactly as before") {
        iop::Program p = iop::parse_program(minimal, file);
        CHECK(p.calendar.program_days == weekdays_mon_fri);
        CHECK(p.calendar.group_days == weekdays_mon_fri);
        CHECK(p.remind_lead_days == 2);
        // A contact gap shorter than the weekend is no calendar's business
        // when the program names no calendar.
        CHECK_FALSE(load_error("schema_version = 1\ncontact_max_gap_days = 1\n").has_value());
    }
    SUBCASE("group days default to the program days; names in any case and spelling") {
        iop::Program p = iop::parse_program(std::string("schema_version = 1\n"
                                                        "[calendar]\n"
                                                        "program_days = [\"Mon\", \"tuesday\", "
                                                        "\"wed\", \"thu\", \"fri\", \"sat\"]\n"
                                                        "[remind]\n"
                                                        "lead_days = 3\n"),
                                            file);
        iop::Weekdays six{false, true, true, true, true, true, true};
        CHECK(p.calendar.program_days == six);
        CHECK(p.calendar.group_days == six);
        CHECK(p.remind_lead_days == 3);
    }
    SUBCASE("group days of their own") {
        iop::Program p = iop::parse_program(std::string("schema_version = 1\n"
                                                        "[calendar]\n"
                                                        "group_days = [\"mon\", \"wed\", "
                                                        "\"fri\"]\n"),
                                            file);
        CHECK(p.calendar.program_days == weekdays_mon_fri);
        CHECK(p.calendar.group_days == iop::Weekdays{false, true, false, true, false, true, false});
    }
    SUBCASE("an unknown day, with a suggestion") {
        REQUIRE_LOAD_ERROR(e,
                           "schema_version = 1\n[calendar]\nprogram_days = [\"tue\", \"moon\"]\n");
        CHECK(e.code() == iop::exit_data);
        CHECK(e.pos().line == 3);
        CHECK(e.detail().find("'moon' is not a weekday") != std::string::npos);
        CHECK(e.detail().find("did you mean 'mon'") != std::string::npos);
    }
    SUBCASE("a day twice") {
        REQUIRE_LOAD_ERROR(e, "schema_version = 1\n[calendar]\nprogram_days = [\"mon\", "
                              "\"Monday\"]\n");
        CHECK(e.pos().line == 3);
        CHECK(e.detail() == "'[calendar].program_days' lists mon twice");
    }
    SUBCASE("no program day") {
        REQUIRE_LOAD_ERROR(e, "schema_version = 1\n[calendar]\nprogram_days = []\n");
        CHECK(e.pos().line == 3);
        CHECK(e.detail() == "'[calendar].program_days' is empty: name at least one weekday");
    }
    SUBCASE("group days that are not program days are named") {
        REQUIRE_LOAD_ERROR(e, "schema_version = 1\n[calendar]\n"
                              "program_days = [\"mon\", \"tue\", \"wed\"]\n"
                              "group_days = [\"mon\", \"sat\", \"sun\"]\n");
        CHECK(e.pos().line == 4);
        CHECK(e.detail() == "[calendar].group_days sat and sun are not program days "
                            "(program_days: mon, tue, wed); a group is held on a day the "
                            "program runs");
    }
    SUBCASE("a contact gap shorter than the days the program never runs names both") {
        REQUIRE_LOAD_ERROR(e, "schema_version = 1\ncontact_max_gap_days = 3\n[calendar]\n"
                              "program_days = [\"mon\", \"tue\"]\n");
        CHECK(e.pos().line == 4);
        CHECK(e.detail() == "contact_max_gap_days 3 is shorter than the 5 days in a row that "
                            "are not program days ([calendar].program_days: mon, tue): "
                            "every patient would break contact-gap every week; raise "
                            "contact_max_gap_days to at least 5 or add program days");
        CHECK_FALSE(load_error("schema_version = 1\ncontact_max_gap_days = 5\n"
                               "[calendar]\nprogram_days = [\"mon\", \"tue\"]\n")
                        .has_value());
        // Without program_days the table itself is named.
        REQUIRE_LOAD_ERROR(t, "schema_version = 1\ncontact_max_gap_days = 1\n[calendar]\n"
                              "group_days = [\"mon\"]\n");
        CHECK(t.pos().line == 3);
    }
    SUBCASE("unknown keys and bad lead_days") {
        REQUIRE_LOAD_ERROR(e, "schema_version = 1\n[calendar]\nprogram_day = [\"mon\"]\n");
        CHECK(e.pos().line == 3);
        REQUIRE_LOAD_ERROR(r, "schema_version = 1\n[remind]\nlead_days = 8\n");
        CHECK(r.pos().line == 3);
        REQUIRE_LOAD_ERROR(t, "schema_version = 1\n[calendar]\nprogram_days = \"mon\"\n");
        CHECK(t.pos().line == 3);
    }
}
