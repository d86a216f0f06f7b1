#include "iop/progress.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace iop {

namespace {

// 10000 -> "10,000": counts a reader takes in at a glance.
std::string grouped(std::size_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return out;
}

constexpr auto redraw_interval = std::chrono::milliseconds(100);

} // namespace

Progress::Progress(std::ostream& err, bool enabled, std::string what, std::size_t total,
                   Clock::duration delay)
    : err_(err), enabled_(enabled), what_(std::move(what)), total_(total), start_(Clock::now()),
      next_draw_(start_ + delay), delay_(delay) {}

Progress::~Progress() {
    try {
        clear();
    } catch (...) {
        // Never throw from a destructor; a stale progress line is harmless.
    }
}

std::string Progress::line(std::size_t done) const {
    std::size_t percent = total_ ? done * 100 / total_ : 100;
    return fmt::format("iop: {} {} of {} records ({}%)", what_, grouped(done), grouped(total_),
                       percent);
}

void Progress::step(std::size_t n) {
    done_ += n;
    if (due())
        draw(line(done_));
}

std::optional<double> Progress::due() {
    if (!enabled_)
        return std::nullopt;
    auto now = Clock::now();
    if (now < next_draw_)
        return std::nullopt;
    next_draw_ = now + redraw_interval;
    return std::chrono::duration<double>(now - start_).count();
}

void Progress::draw(const std::string& text) {
    std::string out = "\r" + text;
    if (text.size() < shown_width_)
        out += std::string(shown_width_ - text.size(), ' ');
    shown_width_ = std::max(shown_width_, text.size());
    err_ << out << std::flush;
}

void Progress::clear() {
    if (!enabled_ || shown_width_ == 0)
        return;
    err_ << '\r' << std::string(shown_width_, ' ') << '\r' << std::flush;
    shown_width_ = 0;
    // The next draw keeps its time: a command that clears before every line
    // it prints still redraws at most ten times a second.
}

} // namespace iop
