// A one-line progress count on stderr for commands that go over many records
// (check, remind, export). Silent unless enabled (stderr is a terminal and
// not --quiet), and silent for runs short enough not to need it: nothing is
// drawn before `delay` has passed, so small clinics and pipes see nothing.
//
//   Progress progress(*ctx.err, ctx.stderr_tty && !ctx.quiet, "checking", ids.size());
//   for (...) { progress.clear(); /* write to stdout */ progress.step(); }
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>

namespace iop {

class Progress {
  public:
    using Clock = std::chrono::steady_clock;

    // `what` is a present participle: "checking" shows
    // "iop: checking 1,200 of 10,000 records (12%)".
    Progress(std::ostream& err, bool enabled, std::string what, std::size_t total,
             Clock::duration delay = std::chrono::milliseconds(300));
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;
    ~Progress(); // erases the line it drew

    // One more record done (or n more); redraws at most ten times a second.
    void step(std::size_t n = 1);
    // Draws a line of the caller's own instead (import: rows read, patients,
    // rate), by the same rules as step(): `text(seconds since the start)`
    // makes it, and is called only when a redraw is due.
    template <typename Text> void update(Text&& text) {
        if (auto seconds = due())
            draw(text(*seconds));
    }
    // Erases the line, e.g. before writing results to the same terminal; a
    // later step() draws it again (still at most ten times a second).
    void clear();

    std::size_t done() const { return done_; }
    // The text step() draws for `done` records (for tests).
    std::string line(std::size_t done) const;

  private:
    // The seconds since the start when a redraw is due (enabled, past the
    // delay, and the last one a tenth of a second ago), taking the turn.
    std::optional<double> due();
    void draw(const std::string& text);

    std::ostream& err_;
    bool enabled_;
    std::string what_;
    std::size_t total_;
    std::size_t done_ = 0;
    Clock::time_point start_;
    Clock::time_point next_draw_;
    Clock::duration delay_;
    std::size_t shown_width_ = 0; // characters on screen now; 0: nothing drawn
};

} // namespace iop
