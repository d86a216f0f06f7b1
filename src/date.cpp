#include "iop/date.hpp"

#include <fmt/format.h>

#include <array>
#include <ctime>

namespace iop {

using namespace std::chrono;

namespace {

bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
    if (pos + count > text.size())
        return false;
    int value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        char c = text[i];
        if (c < '0' || c > '9')
            return false;
        value = value * 10 + (c - '0');
    }
    out = value;
    return true;
}

} // namespace

std::optional<Date> parse_date(std::string_view text) {
    int y = 0, m = 0, d = 0;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        return std::nullopt;
    if (!read_digits(text, 0, 4, y) || !read_digits(text, 5, 2, m) || !read_digits(text, 8, 2, d))
        return std::nullopt;
    if (y < 1)
        return std::nullopt;
    Date date{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
    if (!date.ok())
        return std::nullopt;
    return date;
}

std::string format_date(Date d) {
    int y = static_cast<int>(d.year());
    auto m = static_cast<unsigned>(d.month()), day = static_cast<unsigned>(d.day());
    if (y < 0 || y > 9999 || m > 99 || day > 99) // not a valid date: fmt's rendering
        return fmt::format("{:04}-{:02}-{:02}", y, m, day);
    // Digits written directly: import renders hundreds of thousands of dates.
    std::string out = "0000-00-00";
    for (int i = 3; i >= 0; --i, y /= 10)
        out[static_cast<std::size_t>(i)] = static_cast<char>('0' + y % 10);
    out[5] = static_cast<char>('0' + m / 10);
    out[6] = static_cast<char>('0' + m % 10);
    out[8] = static_cast<char>('0' + day / 10);
    out[9] = static_cast<char>('0' + day % 10);
    return out;
}

namespace {

// Three runs of digits split by one kind of separator ('/', '.' or '-'),
// nothing else.
std::optional<std::array<std::string_view, 3>> three_numbers(std::string_view text) {
    std::array<std::string_view, 3> parts;
    char sep = 0;
    std::size_t n = 0, start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] >= '0' && text[i] <= '9')
            continue;
        if (i < text.size()) {
            char c = text[i];
            if ((c != '/' && c != '.' && c != '-') || (sep && c != sep))
                return std::nullopt;
            sep = c;
        }
        if (n == 3 || i == start || i - start > 4)
            return std::nullopt;
        parts[n++] = text.substr(start, i - start);
        start = i + 1;
    }
    if (n != 3)
        return std::nullopt;
    return parts;
}

std::optional<Date> date_of(int y, int m, int d) {
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return std::nullopt;
    Date date{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
    if (!date.ok() || !plausible_date(date))
        return std::nullopt;
    return date;
}

int number(std::string_view digits) {
    int v = 0;
    for (char c : digits)
        v = v * 10 + (c - '0');
    return v;
}

} // namespace

std::optional<std::string> date_suggestion(std::string_view text) {
    auto parts = three_numbers(text);
    if (!parts)
        return std::nullopt;
    const auto& p = *parts;
    if (p[0].size() == 4 && p[1].size() <= 2 && p[2].size() <= 2) { // 2025/10/20
        if (auto d = date_of(number(p[0]), number(p[1]), number(p[2])))
            return "write " + format_date(*d);
        return std::nullopt;
    }
    if (p[2].size() != 4 || p[0].size() > 2 || p[1].size() > 2)
        return std::nullopt;
    int y = number(p[2]), a = number(p[0]), b = number(p[1]);
    auto month_first = date_of(y, a, b), day_first = date_of(y, b, a);
    if (month_first && day_first && *month_first != *day_first)
        return fmt::format("it may be {} (month first) or {} (day first); write the one meant",
                           format_date(*month_first), format_date(*day_first));
    if (month_first)
        return "write " + format_date(*month_first);
    if (day_first)
        return "write " + format_date(*day_first);
    return std::nullopt;
}

int days_between(Date a, Date b) {
    return static_cast<int>((sys_days{b} - sys_days{a}).count());
}

Date add_days(Date d, int n) { return Date{sys_days{d} + days{n}}; }

int age_on(Date born, Date day) {
    int age = static_cast<int>(day.year()) - static_cast<int>(born.year());
    if (month_day{day.month(), day.day()} < month_day{born.month(), born.day()})
        --age;
    return age;
}

std::string format_timestamp(system_clock::time_point t) {
    auto secs = floor<seconds>(t);
    auto dp = floor<days>(secs);
    Date d{dp};
    hh_mm_ss hms{secs - dp};
    return fmt::format("{}T{:02}:{:02}:{:02}Z", format_date(d), hms.hours().count(),
                       hms.minutes().count(), hms.seconds().count());
}

std::optional<system_clock::time_point> parse_timestamp(std::string_view text) {
    if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
        text[19] != 'Z')
        return std::nullopt;
    auto d = parse_date(text.substr(0, 10));
    int h = 0, mi = 0, s = 0;
    if (!d || !read_digits(text, 11, 2, h) || !read_digits(text, 14, 2, mi) ||
        !read_digits(text, 17, 2, s) || h > 23 || mi > 59 || s > 59 || !plausible_date(*d))
        return std::nullopt;
    sys_seconds t = sys_days{*d} + hours{h} + minutes{mi} + seconds{s};
    // system_clock counts nanoseconds in 64 bits: years 1678 to 2261 only
    // (converting a later time overflowed; found by fuzz/fuzz_date).
    if (t < time_point_cast<seconds>(system_clock::time_point::min()) ||
        t > time_point_cast<seconds>(system_clock::time_point::max()))
        return std::nullopt;
    return system_clock::time_point(t);
}

Date local_date(sys_seconds t) {
    std::time_t secs = static_cast<std::time_t>(t.time_since_epoch().count());
    std::tm tm{};
    if (!localtime_r(&secs, &tm))
        return Date{floor<days>(t)};
    return Date{year{tm.tm_year + 1900}, month{static_cast<unsigned>(tm.tm_mon + 1)},
                day{static_cast<unsigned>(tm.tm_mday)}};
}

} // namespace iop
