#include "iop/calendar.hpp"

#include <algorithm>
#include <cctype>

namespace iop {

namespace {

constexpr std::array<std::string_view, 7> short_names{"sun", "mon", "tue", "wed",
                                                      "thu", "fri", "sat"};
constexpr std::array<std::string_view, 7> long_names{"sunday",   "monday", "tuesday", "wednesday",
                                                     "thursday", "friday", "saturday"};

unsigned weekday_of(Date d) {
    return std::chrono::weekday{std::chrono::sys_days{d}}.c_encoding();
}

// The days from first to last for which pred(day, weekday) holds, counted
// in days since the epoch: the engine asks this of every treatment week, and
// a year_month_day for each day was most of its cost.
template <typename Pred> int count_days(Date first, Date last, Pred pred) {
    const std::chrono::sys_days end{last};
    unsigned weekday = weekday_of(first);
    int n = 0;
    for (std::chrono::sys_days d{first}; d <= end; d += std::chrono::days{1}) {
        n += pred(d, weekday) ? 1 : 0;
        weekday = weekday == 6 ? 0 : weekday + 1;
    }
    return n;
}

} // namespace

std::optional<unsigned> parse_weekday(std::string_view name) {
    std::string lower(name);
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (unsigned i = 0; i < 7; ++i)
        if (lower == short_names[i] || lower == long_names[i])
            return i;
    return std::nullopt;
}

std::string_view weekday_name(unsigned c_encoding) {
    return short_names.at(c_encoding % 7);
}

std::optional<Date> parse_date_word(std::string_view text, Date today) {
    if (auto d = parse_date(text))
        return d;
    std::string lower(text);
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "today")
        return today;
    if (lower == "yesterday")
        return add_days(today, -1);
    if (auto wd = parse_weekday(text)) {
        unsigned now = std::chrono::weekday(std::chrono::sys_days(today)).c_encoding();
        return add_days(today, -static_cast<int>((now + 7 - *wd) % 7));
    }
    return std::nullopt;
}

std::string_view to_string(ClosureAction a) {
    return a == ClosureAction::add ? "add" : "cancel";
}

void Calendar::set_closures(std::vector<ClosureEntry> entries) {
    entries_ = std::move(entries);
    ranges_.clear();
    // Every day where the answer may change: each entry's first day and the
    // day after its last. Between two consecutive points the answer is the
    // same, decided by the last entry covering the segment.
    std::vector<Date> points;
    for (const auto& e : entries_) {
        if (e.to < e.from)
            continue;
        points.push_back(e.from);
        points.push_back(add_days(e.to, 1));
    }
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    for (std::size_t i = 0; i + 1 < points.size(); ++i) {
        Date first = points[i];
        Date last = add_days(points[i + 1], -1);
        const ClosureEntry* decider = nullptr;
        for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
            if (it->from <= first && first <= it->to) {
                decider = &*it;
                break;
            }
        if (!decider || decider->action != ClosureAction::add)
            continue;
        if (!ranges_.empty() && add_days(ranges_.back().last, 1) == first)
            ranges_.back().last = last;
        else
            ranges_.push_back({first, last, decider->reason});
    }
}

bool Calendar::closed(Date d) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), d,
                               [](Date x, const ClosedRange& r) { return x < r.first; });
    if (it == ranges_.begin())
        return false;
    --it;
    return d <= it->last;
}

bool Calendar::program_day(Date d) const {
    return program_days[weekday_of(d)];
}

bool Calendar::group_day(Date d) const {
    return group_days[weekday_of(d)];
}

int Calendar::program_days_in(Date first, Date last) const {
    return count_days(first, last,
                      [this](std::chrono::sys_days, unsigned wd) { return program_days[wd]; });
}

int Calendar::group_days_in(Date first, Date last) const {
    return count_days(first, last,
                      [this](std::chrono::sys_days, unsigned wd) { return group_days[wd]; });
}

int Calendar::open_program_days_in(Date first, Date last) const {
    return count_days(first, last, [this](std::chrono::sys_days d, unsigned wd) {
        return program_days[wd] && !closed(Date{d});
    });
}

int Calendar::open_group_days_in(Date first, Date last) const {
    return count_days(first, last, [this](std::chrono::sys_days d, unsigned wd) {
        return group_days[wd] && !closed(Date{d});
    });
}

int Calendar::closed_days_in(Date first, Date last) const {
    if (ranges_.empty())
        return 0;
    return count_days(first, last,
                      [this](std::chrono::sys_days d, unsigned) { return closed(Date{d}); });
}

bool Calendar::any_closed(Date first, Date last) const {
    // The ranges are disjoint and in order (set_closures): the first that
    // ends on or after `first` is the only one that can begin by `last`.
    auto it = std::lower_bound(ranges_.begin(), ranges_.end(), first,
                               [](const ClosedRange& r, Date d) { return r.last < d; });
    return first <= last && it != ranges_.end() && it->first <= last;
}

std::vector<ClosedRange> Calendar::closed_ranges() const {
    return ranges_;
}

Date Calendar::last_program_day_before(Date d) const {
    for (int back = 1; back <= 7; ++back) {
        Date p = add_days(d, -back);
        if (program_day(p))
            return p;
    }
    return add_days(d, -1); // no program day at all: the day before
}

int Calendar::longest_non_program_run() const {
    int longest = 0;
    for (unsigned start = 0; start < 7; ++start) {
        int run = 0;
        while (run < 7 && !program_days[(start + static_cast<unsigned>(run)) % 7])
            ++run;
        longest = std::max(longest, run);
    }
    return longest;
}

} // namespace iop
