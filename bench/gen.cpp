// iop_bench_gen: writes a synthetic clinic for the benchmark (bench/run).
//
//   iop_bench_gen [--seed S] [--today YYYY-MM-DD] [--sessions-csv FILE] N DIR
//
// DIR gets the default program.toml, the clinic's closures.toml and N
// patient files P-00001.toml ... with a realistic mix: about 70 % active,
// 18 % graduated, 12 % discharged, about 60 journal entries each (group,
// individual and family sessions with some absences, weekly drug screens
// with a few positives, medication starts, reviews and stops, plan reviews,
// plan changes, notes, aftercare, and the individualized treatment plan of
// SPEC section 12: goals and objectives with targets, individual sessions
// addressing the open objectives, status changes, a revised target now and
// then, signatures of patient, clinician and an adolescent's guardian; SPEC
// section 13: ASAM assessments at intake and every four weeks, some rating a
// dimension 3 or recommending another level, and for insured patients
// four-week authorizations counted per session, day or hour, a few short or
// missing), and enough lapses, missed reviews, positive screens, late or
// missing plans and signatures and overdue objectives that `iop check` has
// findings to print.
//
// The calendar of SPEC section 10: patients enroll on a weekday; groups meet
// on the weekdays of the plan (Monday, Wednesday and Friday for three a
// week, Monday and Thursday for two), the individual session on Tuesday, the screen on Wednesday,
// the family session on Thursday. closures.toml holds the holidays, snow days (a few cancelled), a
// staff training day and building maintenance, as `iop closure add` and `cancel` record them;
// nothing is held on a closed day, and a group that falls on one is made up on another open day of
// the week when there is one. Half the patients have excused absences (SPEC section 5): a court
// date, an appointment, a few days sick; every session of such a day is recorded excused, with the
// reason as its note.
//
// Records and closures are rendered by iop's own render_header,
// render_entry, closures_header and render_closure, so they are byte for
// byte what iop writes.
//
// Deterministic: patient i depends only on (seed, i), so the 100-patient
// clinic is the first 100 patients of the 1,000-patient one; the closures
// depend only on the seed and today.
//
// --sessions-csv FILE writes every session to FILE instead (the CSV `iop
// import` reads: id,date,kind,topic,hours,status) and leaves each patient
// file with its header only, every patient active: importing FILE then
// recreates the clinic's sessions.
#include "iop/calendar.hpp"
#include "iop/date.hpp"
#include "iop/program.hpp"
#include "iop/record.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace iop;

namespace {

// splitmix64: tiny, fast, and the same on every platform and standard library
// (std::uniform_int_distribution is not).
class Rng {
  public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
    bool chance(int percent) { return below(100) < percent; }
    template <typename T, std::size_t N> const T& pick(const std::array<T, N>& items) {
        return items[static_cast<std::size_t>(below(static_cast<int>(N)))];
    }

  private:
    std::uint64_t state_;
};

const std::array<const char*, 24> first_names = {
    "Jane",  "Marcus", "Aisha",  "Tom",   "Maria",  "Kevin", "Lena",  "Sam",
    "Rosa",  "Daniel", "Priya",  "Owen",  "Grace",  "Luis",  "Nadia", "Eli",
    "Chloe", "Victor", "Hannah", "Jamal", "Ingrid", "Ray",   "Sofia", "Theo"};
const std::array<const char*, 20> last_names = {"Doe",    "Bell",     "Khan",   "Nguyen",  "Garcia",
                                                "Okafor", "Schmidt",  "Rossi",  "Patel",   "Murphy",
                                                "Silva",  "Kowalski", "Haddad", "Larsen",  "Tanaka",
                                                "Brown",  "Dubois",   "Moreno", "Fischer", "Adams"};
const std::array<const char*, 5> clinicians = {"Dr. Rivera", "Dr. Chen", "Dr. Patel", "Dr. Okafor",
                                               "Dr. Lindqvist"};
const std::array<const char*, 6> diagnoses = {
    "Alcohol use disorder, moderate", "Alcohol use disorder, severe",
    "Opioid use disorder, moderate",  "Stimulant use disorder, severe",
    "Cannabis use disorder, mild",    "Alcohol use disorder, moderate; major depressive disorder"};
const std::array<const char*, 4> insurers = {"Acme Health", "Lakeside Health Plan", "Medicaid",
                                             "Blue Valley Mutual"};
const std::array<const char*, 5> staff = {"jrivera", "tchen", "kpatel", "mokafor", "alind"};
const std::array<const char*, 5> substances = {"alcohol", "cocaine", "opioids", "cannabis",
                                               "methamphetamine"};
struct Med {
    const char* name;
    const char* dose;
};
const std::array<Med, 4> medications = {{{"naltrexone", "50 mg daily"},
                                         {"buprenorphine", "8 mg daily"},
                                         {"acamprosate", "666 mg three times daily"},
                                         {"sertraline", "50 mg daily"}}};
struct PlanText {
    const char* problem;
    const char* goal;
    const char* words;
    int dimension;
    const char* objective;
    const char* intervention;
};
const std::array<PlanText, 4> plan_texts = {{
    {"Drinks daily to cope with work stress", "Stay sober and handle stress without alcohol",
     "I want to keep my job", 5,
     "Write a relapse-prevention plan naming 3 triggers and 3 responses",
     "relapse-prevention group 3x a week"},
    {"Cravings after paydays", "Manage cravings without using", "I want to stop wasting my money",
     4, "Use a craving log daily for 4 weeks and review it weekly", "individual CBT weekly"},
    {"Isolated from sober supports", "Build a sober support network", "I need people around me", 6,
     "Attend 2 mutual-help meetings a week and name a sponsor", "mutual-help referral"},
    {"Conflict at home", "Rebuild trust with family", "I want my kids to trust me again", 6,
     "Take part in 4 family sessions with a plan for home", "family therapy weekly"},
}};

const std::array<const char*, 6> discharge_reasons_used = {
    "step-down", "step-up", "against-advice", "lost-contact", "moved", "transfer"};

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "iop_bench_gen: %s\n", message.c_str());
    std::exit(2);
}

void write_file(const std::string& path, const std::string& text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        die(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
}

void make_dir(const std::string& path) {
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
        die(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
}

unsigned weekday_of(Date d) {
    return std::chrono::weekday{std::chrono::sys_days{d}}.c_encoding();
}

// The weekdays (c_encoding, Monday = 1) of a patient's groups for each
// groups_per_week.
std::vector<unsigned> group_weekdays(int per_week) {
    switch (per_week) {
    case 2:
        return {1, 4};
    case 3:
        return {1, 3, 5};
    case 4:
        return {1, 2, 4, 5};
    default:
        return {1, 2, 3, 4, 5};
    }
}

std::string stamp_at(Date d, int hour, int minute, int second) {
    return fmt::format("{}T{:02}:{:02}:{:02}Z", format_date(d), hour, minute, second);
}

Date observed(Date d) { // a holiday on a weekend is kept on the Friday before or the Monday after
    const unsigned wd = weekday_of(d);
    return wd == 6 ? add_days(d, -1) : wd == 0 ? add_days(d, 1) : d;
}

Date nth_weekday(int year, unsigned month, unsigned weekday, unsigned n) {
    using namespace std::chrono;
    return year_month_day{sys_days{std::chrono::year{year} / std::chrono::month{month} /
                                   std::chrono::weekday{weekday}[n]}};
}

Date last_weekday(int year, unsigned month, unsigned weekday) {
    using namespace std::chrono;
    return year_month_day{sys_days{std::chrono::year{year} / std::chrono::month{month} /
                                   std::chrono::weekday{weekday}[std::chrono::last]}};
}

Date ymd(int year, unsigned month, unsigned day) {
    return Date{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
}

// The clinic's closures.toml (SPEC section 10), the same for every clinic
// size (it depends on the seed and today only): the federal holidays
// (observed on the weekday next to a weekend), Thanksgiving with the Friday
// after it, Christmas Eve and Day or, some years, a winter break to New
// Year's Day, a staff training day each autumn, building maintenance some
// summers, and snow days, a few of them cancelled the same morning when the
// roads were cleared. Each entry is recorded as `iop closure add` or `cancel`
// would record it: holidays 45 days ahead, training 30, maintenance 20, snow
// days that morning; only what was recorded by today is in the file, and an
// add that would close nothing new is left out (iop refuses it).
std::vector<ClosureEntry> clinic_closures(std::uint64_t seed, Date today) {
    Rng rng(seed * 0x9e3779b97f4a7c15ull + 0xc1054e5ull);
    std::vector<ClosureEntry> planned;
    auto plan = [&](ClosureAction action, Date from, Date to, const char* reason, int ahead,
                    int hour) {
        ClosureEntry e;
        e.action = action;
        e.from = from;
        e.to = to;
        e.reason = reason;
        e.recorded_by = rng.pick(staff);
        e.recorded_at = stamp_at(add_days(from, -ahead), hour, rng.below(60), rng.below(60));
        planned.push_back(std::move(e));
    };
    const int this_year = static_cast<int>(today.year());
    for (int y = this_year - 3; y <= this_year + 1; ++y) {
        const auto add = ClosureAction::add;
        plan(add, observed(ymd(y, 1, 1)), observed(ymd(y, 1, 1)), "New Year's Day", 45, 16);
        const Date mlk = nth_weekday(y, 1, 1, 3);
        plan(add, mlk, mlk, "Martin Luther King Jr. Day", 45, 16);
        const int snow = rng.below(3);
        for (int k = 0; k < snow; ++k) {
            Date d = add_days(ymd(y, 1, 5), rng.below(50));
            while (weekday_of(d) == 0 || weekday_of(d) == 6)
                d = add_days(d, 1);
            plan(add, d, d, "Snow day: the county closed the roads", 0, 11);
            if (rng.chance(25) || k == 1) {
                // Reopened that morning (the roads were cleared), recorded by
                // the same person two hours later.
                ClosureEntry e = planned.back();
                e.action = ClosureAction::cancel;
                e.reason = "Roads cleared by 8 am; the program meets";
                e.recorded_at[11] = '1';
                e.recorded_at[12] = '3';
                planned.push_back(std::move(e));
            }
        }
        const Date memorial = last_weekday(y, 5, 1);
        plan(add, memorial, memorial, "Memorial Day", 45, 16);
        plan(add, observed(ymd(y, 6, 19)), observed(ymd(y, 6, 19)), "Juneteenth", 45, 16);
        plan(add, observed(ymd(y, 7, 4)), observed(ymd(y, 7, 4)), "Independence Day", 45, 16);
        if (rng.chance(40)) {
            const Date monday = nth_weekday(y, 8, 1, 2 + static_cast<unsigned>(rng.below(2)));
            plan(add, monday, add_days(monday, 2), "Building maintenance: no water or power", 20,
                 17);
        }
        const Date labor = nth_weekday(y, 9, 1, 1);
        plan(add, labor, labor, "Labor Day", 45, 16);
        const Date training = nth_weekday(y, 10, 5, 1 + static_cast<unsigned>(rng.below(4)));
        plan(add, training, training, "Staff training day", 30, 17);
        const Date thanksgiving = nth_weekday(y, 11, 4, 4);
        plan(add, thanksgiving, add_days(thanksgiving, 1), "Thanksgiving", 45, 16);
        if (rng.chance(35))
            plan(add, ymd(y, 12, 24), ymd(y + 1, 1, 1), "Winter break", 45, 16);
        else
            plan(add, ymd(y, 12, 24), ymd(y, 12, 25), "Christmas Eve and Christmas Day", 45, 16);
    }
    // File order is the order of recording.
    std::stable_sort(
        planned.begin(), planned.end(),
        [](const ClosureEntry& a, const ClosureEntry& b) { return a.recorded_at < b.recorded_at; });
    std::vector<ClosureEntry> out;
    Calendar calendar;
    for (ClosureEntry& e : planned) {
        if (e.recorded_at.substr(0, 10) > format_date(today))
            continue;
        const int days = days_between(e.from, e.to) + 1;
        const int closed = calendar.closed_days_in(e.from, e.to);
        if ((e.action == ClosureAction::add && closed == days) ||
            (e.action == ClosureAction::cancel && closed == 0))
            continue; // refused by iop closure
        // A snow day is reopened only when its own closure was recorded.
        if (e.action == ClosureAction::cancel &&
            std::none_of(out.begin(), out.end(), [&](const ClosureEntry& a) {
                return a.action == ClosureAction::add && a.from == e.from && a.to == e.to &&
                       a.reason.starts_with("Snow");
            }))
            continue;
        out.push_back(std::move(e));
        calendar.set_closures(out);
    }
    return out;
}

// Excused absences (SPEC section 5): a day a patient is kept away for a
// reason the program accepts.
const std::array<const char*, 6> excuses = {"court date",
                                            "medical appointment",
                                            "sick; doctor's note on file",
                                            "funeral in the family",
                                            "child care fell through",
                                            "job interview"};

struct Patient {
    Header header;
    std::vector<Entry> journal;
};

class Generator {
  public:
    Generator(std::uint64_t seed, Date today, std::vector<ClosureEntry> closures)
        : seed_(seed), today_(today) {
        for (const Topic& t : program_.curriculum)
            for (int k = 0; k < t.sessions; ++k)
                topic_cycle_.push_back(t.id);
        calendar_ = program_.calendar;
        calendar_.set_closures(std::move(closures));
    }

    Patient patient(int index) {
        Rng rng(seed_ * 0x100000001b3ull + static_cast<std::uint64_t>(index));
        Patient p;
        Header& h = p.header;
        h.id = fmt::format("P-{:05}", index);
        h.name = fmt::format("{} {}", rng.pick(first_names), rng.pick(last_names));
        h.clinician = rng.pick(clinicians);
        h.diagnosis = rng.pick(diagnoses);
        if (!rng.chance(10))
            h.insurance = rng.pick(insurers);

        int roll = rng.below(100);
        enum {
            active,
            graduated,
            discharged
        } status = roll < 70   ? active
                   : roll < 88 ? graduated
                               : discharged;

        int g = rng.below(100);
        h.plan.groups_per_week = g < 80 ? 3 : g < 90 ? 4 : g < 95 ? 2 : 5;
        h.plan.weeks =
            std::array<int, 6>{8, 10, 12, 12, 12, 13}[static_cast<std::size_t>(rng.below(6))];
        h.plan.individual_per_week = 1;
        h.plan.family_per_week = rng.chance(75) ? 1 : 0;

        // Days from enrollment to the last day with entries.
        int span = 0, ago = 0;
        if (status == active) {
            span = 35 + rng.below(56); // 5 to 13 weeks in
            if (rng.chance(5))
                span = h.plan.weeks * 7 + rng.below(21); // overdue
            ago = span + 1;                              // entries up to yesterday
        } else if (status == graduated) {
            span = h.plan.weeks * 7 - 1;
            ago = span + 14 + rng.below(700);
        } else {
            span = 14 + rng.below(56);
            ago = span + 7 + rng.below(500);
        }
        h.enrolled = add_days(today_, -ago);
        // Patients enroll on a program day: a weekend date moves to the
        // Friday before, the span (to yesterday) of an active patient with it.
        while (weekday_of(h.enrolled) == 0 || weekday_of(h.enrolled) == 6) {
            h.enrolled = add_days(h.enrolled, -1);
            if (status == active)
                ++span;
        }
        int age = rng.chance(5) ? 15 + rng.below(3) : 19 + rng.below(45);
        h.born = add_days(h.enrolled, -(age * 365 + 30 + rng.below(300)));
        h.recorded_by = rng.pick(staff);
        h.recorded_at = stamp(rng, h.enrolled);

        const int lapse_week = rng.chance(12) ? 1 + rng.below(std::max(1, span / 7)) : -1;
        const bool med = rng.chance(30);
        const Med& drug = rng.pick(medications);
        const int med_stop = med && rng.chance(20) ? 28 + rng.below(40) : -1;
        const bool change = rng.chance(10);
        const bool reviews_kept = !rng.chance(10);
        // Excused absences (SPEC section 5): about half the patients have
        // none, most others a day or two (a court date, an appointment), a
        // few a run of days (an illness); every session of such a day is
        // recorded excused with the reason, and no screen is taken.
        std::map<int, const char*> excused_days;
        {
            const int roll = rng.below(100);
            const int days = roll < 50 ? 0 : roll < 80 ? 1 : roll < 92 ? 2 : 0;
            for (int k = 0; k < days; ++k)
                excused_days[1 + rng.below(std::max(1, span))] = rng.pick(excuses);
            if (roll >= 92) {
                const int first = 1 + rng.below(std::max(1, span)), length = 2 + rng.below(4);
                for (int d = first; d < first + length; ++d)
                    excused_days[d] = "sick; doctor's note on file";
            }
        }
        std::size_t next_topic = 0;
        Plan plan = h.plan;

        // The treatment plan: written on day 1 to 5 (a few late, a few never),
        // signed the same day (a few late), one or two goals of one or two
        // objectives each, with targets within the planned weeks.
        const bool adolescent = is_adolescent(h);
        const int plan_day = rng.chance(6)    ? -1
                             : rng.chance(88) ? 1 + rng.below(5)
                                              : 8 + rng.below(10);
        const int sign_day = plan_day < 0 ? -1 : plan_day + (rng.chance(90) ? 0 : 9 + rng.below(8));
        const bool declines = rng.chance(3);
        const int revise_day = rng.chance(12) ? 28 : -1;
        const int goals = rng.chance(60) ? 1 : 2;
        const bool narrow = rng.chance(15); // sessions address only the first open objective
        const bool insured = !h.insurance.empty();
        const int unit_roll = rng.below(100);
        const AuthUnit auth_unit = unit_roll < 60   ? AuthUnit::session
                                   : unit_roll < 85 ? AuthUnit::day
                                                    : AuthUnit::hour;
        struct Obj {
            std::string ref;
            int target; // day
            bool open;
            int fate; // percent roll: achieved, not achieved, left open past its target
        };
        std::vector<Obj> objectives;
        auto sign = [&](Date date) {
            std::vector<SignRole> roles{SignRole::patient, SignRole::clinician};
            if (adolescent && rng.chance(92))
                roles.push_back(SignRole::guardian);
            for (SignRole role : roles) {
                Event e;
                e.type = EventType::signature;
                meta_for(rng, e, date);
                e.role = role;
                e.plan_version = plan_version_at(p.journal, p.journal.size());
                if (role == SignRole::patient && declines) {
                    e.declined = true;
                    e.reason = "wants to read it at home first";
                } else if (role == SignRole::patient) {
                    e.signer = h.name;
                } else if (role == SignRole::clinician) {
                    e.signer = h.clinician;
                }
                p.journal.emplace_back(std::move(e));
            }
        };

        // The days (from enrollment) of this treatment week's sessions and
        // screen: groups on the plan's weekdays, the individual session on
        // Tuesday, the screen on Wednesday, the family session on Thursday;
        // what falls on a closed day moves to another open day of the week
        // (a make-up group), or is not held when none is left.
        std::vector<int> group_at;
        int individual_at = -1, screen_at = -1, family_at = -1;
        auto schedule = [&](int first) {
            group_at.clear();
            auto open = [&](int d) { return calendar_.open_program_day(add_days(h.enrolled, d)); };
            auto open_group = [&](int d) {
                return calendar_.open_group_day(add_days(h.enrolled, d));
            };
            auto on = [&](unsigned weekday) {
                for (int d = first; d < first + 7; ++d)
                    if (weekday_of(add_days(h.enrolled, d)) == weekday)
                        return d;
                return first;
            };
            for (unsigned wd : group_weekdays(plan.groups_per_week))
                if (open_group(on(wd)))
                    group_at.push_back(on(wd));
            for (int d = first;
                 d < first + 7 && static_cast<int>(group_at.size()) < plan.groups_per_week; ++d)
                if (open_group(d) &&
                    std::find(group_at.begin(), group_at.end(), d) == group_at.end())
                    group_at.push_back(d);
            auto single = [&](unsigned weekday) {
                const int at = on(weekday);
                for (int k = 0; k < 7; ++k) {
                    const int d = first + (at - first + k) % 7;
                    if (open(d))
                        return d;
                }
                return -1;
            };
            individual_at = single(2);
            screen_at = single(3);
            family_at = single(4);
        };

        for (int day = 0; day <= span; ++day) {
            Date date = add_days(h.enrolled, day);
            int week = day / 7 + 1;
            if (change && day == 21) {
                Event e;
                e.type = EventType::plan_change;
                meta_for(rng, e, date);
                if (plan.groups_per_week == 3) {
                    e.plan.groups_per_week = 2;
                    e.text = "step down to two groups a week";
                } else {
                    e.plan.weeks = 13;
                    e.text = "extended to 13 weeks";
                }
                e.plan.apply_to(plan);
                p.journal.emplace_back(std::move(e));
            }
            if (day % 7 == 0)
                schedule(day);
            const auto excuse = excused_days.find(day);
            const char* excused_for = excuse == excused_days.end() ? nullptr : excuse->second;
            // SPEC section 13: the insured patient's payer authorizes four
            // weeks at a time (a block now and then missing or short); the
            // ASAM dimensions are assessed at intake and every four weeks.
            if (insured && day % 28 == 0 && !rng.chance(4)) {
                Authorization a;
                meta_for(rng, a, date);
                a.payer = h.insurance;
                a.number = fmt::format("{}-{}", h.id, day / 28 + 1);
                a.from = date;
                a.to = add_days(date, 27);
                a.unit = auth_unit;
                const bool short_block = rng.chance(8);
                a.units =
                    auth_unit == AuthUnit::hour ? (short_block ? 30 : 90) : (short_block ? 10 : 30);
                if (rng.chance(50))
                    a.next_review = add_days(date, 21);
                p.journal.emplace_back(std::move(a));
            }
            if ((day == 0 && !rng.chance(5)) || (day > 0 && day % 28 == 0 && reviews_kept)) {
                AsamAssessment a;
                meta_for(rng, a, date);
                for (int& r : a.ratings)
                    r = rng.below(3);
                if (rng.chance(15))
                    a.ratings[static_cast<std::size_t>(rng.below(6))] = 3;
                if (rng.chance(6))
                    a.level = rng.chance(50) ? "2.5" : "1";
                else if (rng.chance(70))
                    a.level = "2.1";
                const bool keep = !a.level.empty() && a.level != "2.1" && rng.chance(50);
                p.journal.emplace_back(std::move(a));
                if (keep) {
                    Event e;
                    e.type = EventType::placement;
                    meta_for(rng, e, date);
                    e.reason = "prefers to stay at this level; reviewed weekly";
                    p.journal.emplace_back(std::move(e));
                }
            }
            bool lapsed = week == lapse_week;
            auto status_of = [&](int attend_percent) {
                if (excused_for)
                    return SessionStatus::excused;
                if (lapsed)
                    return rng.chance(30) ? SessionStatus::excused : SessionStatus::absent;
                int r = rng.below(100);
                return r < attend_percent       ? SessionStatus::attended
                       : r < attend_percent + 5 ? SessionStatus::absent
                                                : SessionStatus::excused;
            };
            auto excused_note = [&](Session& s) {
                if (excused_for)
                    s.note = excused_for;
            };
            if (std::find(group_at.begin(), group_at.end(), day) != group_at.end()) {
                Session s = session(rng, date, SessionKind::group, status_of(96));
                s.topic = topic_cycle_[next_topic % topic_cycle_.size()];
                if (s.status == SessionStatus::attended)
                    ++next_topic;
                excused_note(s);
                p.journal.emplace_back(std::move(s));
            }
            if (day == individual_at && plan.individual_per_week > 0) {
                Session s = session(rng, date, SessionKind::individual, status_of(96));
                excused_note(s);
                if (s.status == SessionStatus::attended)
                    for (const Obj& o : objectives)
                        if (o.open && (!narrow || s.objectives.empty()))
                            s.objectives.push_back(o.ref);
                p.journal.emplace_back(std::move(s));
            }
            if (day == family_at && plan.family_per_week > 0) {
                Session s = session(rng, date, SessionKind::family, status_of(90));
                excused_note(s);
                p.journal.emplace_back(std::move(s));
            }
            if (day == screen_at && excused_for) {
                // Screened on the next open program day of the week instead.
                screen_at = -1;
                for (int d = day + 1; d % 7 != 0; ++d)
                    if (calendar_.open_program_day(add_days(h.enrolled, d)) &&
                        !excused_days.contains(d)) {
                        screen_at = d;
                        break;
                    }
            }
            if (day == screen_at && !lapsed) {
                Screen s;
                meta_for(rng, s, date);
                if (rng.chance(5)) {
                    s.result = ScreenResult::positive;
                    s.substances = {rng.pick(substances)};
                }
                p.journal.emplace_back(std::move(s));
            }
            const bool taking = med && (med_stop < 0 || day <= med_stop);
            const bool review_day = day > 1 && day % 28 == 1;
            if (taking && (day == 1 || review_day || day == med_stop)) {
                Medication m;
                meta_for(rng, m, date);
                m.name = drug.name;
                m.action = day == 1          ? MedAction::start
                           : day == med_stop ? MedAction::stop
                                             : MedAction::review;
                if (m.action == MedAction::start)
                    m.dose = drug.dose;
                p.journal.emplace_back(std::move(m));
            }
            if (day > 0 && day % 28 == 0 && reviews_kept) {
                Event e;
                e.type = EventType::plan_review;
                meta_for(rng, e, date);
                p.journal.emplace_back(std::move(e));
            }
            if (day == plan_day) {
                for (int g = 1; g <= goals; ++g) {
                    const PlanText& t = rng.pick(plan_texts);
                    Goal goal;
                    meta_for(rng, goal, date);
                    goal.ref = fmt::format("G{}", g);
                    goal.problem = t.problem;
                    goal.goal = t.goal;
                    if (rng.chance(70))
                        goal.words = t.words;
                    goal.dimension = t.dimension;
                    p.journal.emplace_back(std::move(goal));
                    const int count = rng.chance(50) ? 1 : 2;
                    for (int k = 1; k <= count; ++k) {
                        Objective o;
                        meta_for(rng, o, date);
                        o.ref = fmt::format("G{}.{}", g, k);
                        o.text = t.objective;
                        const int target = day + 21 + rng.below(std::max(1, h.plan.weeks * 7 - 28));
                        o.target = add_days(h.enrolled, target);
                        o.interventions = std::vector<std::string>{t.intervention};
                        objectives.push_back({o.ref, target, true, rng.below(100)});
                        p.journal.emplace_back(std::move(o));
                    }
                }
            }
            if (day == sign_day)
                sign(date);
            if (day == revise_day && !objectives.empty() && objectives[0].open) {
                Objective o;
                meta_for(rng, o, date);
                o.ref = objectives[0].ref;
                o.action = ObjectiveAction::revise;
                objectives[0].target = std::max(objectives[0].target, day) + 14;
                o.target = add_days(h.enrolled, objectives[0].target);
                p.journal.emplace_back(std::move(o));
                if (rng.chance(85))
                    sign(date);
            }
            for (Obj& o : objectives)
                if (o.open && day == o.target && o.fate < 90) {
                    Objective x;
                    meta_for(rng, x, date);
                    x.ref = o.ref;
                    x.action =
                        o.fate < 80 ? ObjectiveAction::achieved : ObjectiveAction::not_achieved;
                    o.open = false;
                    p.journal.emplace_back(std::move(x));
                }
            if (weekday_of(date) == 5 && rng.chance(8)) {
                Event e;
                e.type = EventType::note;
                meta_for(rng, e, date);
                e.text = "Discussed triggers at work; coping plan updated.";
                p.journal.emplace_back(std::move(e));
            }
        }
        Date end = add_days(h.enrolled, span);
        if (status == graduated) {
            // Every objective closed before graduation.
            for (Obj& o : objectives)
                if (o.open) {
                    Objective x;
                    meta_for(rng, x, end);
                    x.ref = o.ref;
                    x.action = ObjectiveAction::achieved;
                    o.open = false;
                    p.journal.emplace_back(std::move(x));
                }
            Event a;
            a.type = EventType::aftercare;
            meta_for(rng, a, end);
            a.sponsor = fmt::format("{} {}", rng.pick(first_names), rng.pick(last_names));
            a.groups = {rng.chance(50) ? "Alcoholics Anonymous" : "Narcotics Anonymous"};
            p.journal.emplace_back(std::move(a));
            Event e;
            e.type = EventType::graduated;
            meta_for(rng, e, end);
            p.journal.emplace_back(std::move(e));
        } else if (status == discharged) {
            Event e;
            e.type = EventType::discharged;
            meta_for(rng, e, end);
            e.reason = rng.pick(discharge_reasons_used);
            p.journal.emplace_back(std::move(e));
        }
        return p;
    }

  private:
    static std::string stamp(Rng& rng, Date d) {
        return fmt::format("{}T{:02}:{:02}:{:02}Z", format_date(d), 15 + rng.below(4),
                           rng.below(60), rng.below(60));
    }
    template <typename E> static void meta_for(Rng& rng, E& e, Date d) {
        e.date = d;
        e.recorded_by = rng.pick(staff);
        e.recorded_at = stamp(rng, d);
    }
    Session session(Rng& rng, Date d, SessionKind kind, SessionStatus status) const {
        Session s;
        meta_for(rng, s, d);
        s.kind = kind;
        s.status = status;
        s.hours = kind == SessionKind::group        ? program_.group_hours
                  : kind == SessionKind::individual ? program_.individual_hours
                                                    : program_.family_hours;
        return s;
    }

    std::uint64_t seed_;
    Date today_;
    Program program_ = default_program();
    Calendar calendar_;
    std::vector<std::string> topic_cycle_;
};

void usage() {
    std::fprintf(stderr, "usage: iop_bench_gen [--seed S] [--today YYYY-MM-DD] "
                         "[--sessions-csv FILE] N DIR\n");
    std::exit(2);
}

} // namespace

int main(int argc, char** argv) {
    std::uint64_t seed = 1;
    Date today = *parse_date("2026-12-01");
    std::string csv_path;
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usage();
            return argv[++i];
        };
        if (a == "--seed")
            seed = std::stoull(value());
        else if (a == "--today") {
            auto d = parse_date(value());
            if (!d)
                die("--today needs YYYY-MM-DD");
            today = *d;
        } else if (a == "--sessions-csv")
            csv_path = value();
        else if (a == "-h" || a == "--help")
            usage();
        else
            args.push_back(a);
    }
    if (args.size() != 2)
        usage();
    int n = std::stoi(args[0]);
    if (n < 1 || n > 99999)
        die("N must be 1 to 99999");
    const std::string dir = args[1];
    make_dir(dir);
    make_dir(dir + "/patients");
    write_file(dir + "/program.toml", default_program_toml());

    std::string csv;
    if (!csv_path.empty())
        csv = "id,date,kind,topic,hours,status\n";
    const std::vector<ClosureEntry> closures = clinic_closures(seed, today);
    std::string closures_text = closures_header();
    for (const ClosureEntry& e : closures)
        closures_text += render_closure(e);
    write_file(dir + "/closures.toml", closures_text);
    Generator gen(seed, today, closures);
    std::size_t entries = 0, sessions = 0;
    for (int i = 1; i <= n; ++i) {
        Patient p = gen.patient(i);
        std::string text = render_header(p.header);
        for (const Entry& e : p.journal) {
            const Session* s = std::get_if<Session>(&e);
            if (!csv_path.empty()) {
                // Header-only files: sessions go to the CSV, the rest is left out.
                if (s)
                    csv += fmt::format("{},{},{},{},{},{}\n", p.header.id, format_date(s->date),
                                       to_string(s->kind), s->topic, format_hours(s->hours),
                                       to_string(s->status));
            } else {
                text += render_entry(e);
            }
            entries += 1;
            sessions += s != nullptr;
        }
        write_file(fmt::format("{}/patients/{}.toml", dir, p.header.id), text);
    }
    if (!csv_path.empty())
        write_file(csv_path, csv);
    std::printf("%d patients, %zu journal entries (%.1f a patient), %zu sessions\n", n, entries,
                static_cast<double>(entries) / n, sessions);
    return 0;
}
