// The progress line of long commands (include/iop/progress.hpp): drawn on a
// terminal only, after a delay, at most ten times a second, and erased;
// with a counter of records (step) or a text of the caller's own (update, as
// import draws rows read and patients checked).
#include "iop/progress.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>

TEST_SUITE_BEGIN("progress");

TEST_CASE("progress prints nothing when disabled or before its delay") {
    std::ostringstream err;
    {
        iop::Progress off(err, false, "checking", 10000, std::chrono::milliseconds(0));
        for (int i = 0; i < 10000; ++i)
            off.step();
        iop::Progress slow(err, true, "checking", 10000, std::chrono::hours(1));
        for (int i = 0; i < 10000; ++i)
            slow.step();
        CHECK(slow.done() == 10000);
    }
    CHECK(err.str().empty());
}

TEST_CASE("progress draws one line and erases it") {
    std::ostringstream err;
    {
        iop::Progress p(err, true, "checking", 10000, std::chrono::milliseconds(0));
        CHECK(p.line(1234) == "iop: checking 1,234 of 10,000 records (12%)");
        p.step(1234);
        CHECK(err.str() == "\riop: checking 1,234 of 10,000 records (12%)");
        p.clear();
        std::string width(std::string("iop: checking 1,234 of 10,000 records (12%)").size(), ' ');
        CHECK(err.str() == "\riop: checking 1,234 of 10,000 records (12%)\r" + width + "\r");
        err.str("");
        p.step(); // not at once: at most ten draws a second, clears or not
        CHECK(err.str().empty());
        std::this_thread::sleep_for(std::chrono::milliseconds(120));
        p.step();
        CHECK(err.str() == "\riop: checking 1,236 of 10,000 records (12%)");
        err.str("");
    }
    // The destructor erased the line.
    CHECK(err.str().find('\r') == 0);
    CHECK(err.str().find("iop:") == std::string::npos);
}

TEST_CASE("progress draws a line of the caller's own by the same rules") {
    std::ostringstream err;
    int made = 0;
    auto text = [&](const std::string& line) {
        return [&made, line](double seconds) {
            ++made;
            CHECK(seconds >= 0);
            return line;
        };
    };
    {
        // Disabled, or before the delay: the text is not even made.
        iop::Progress off(err, false, "importing", 0, std::chrono::milliseconds(0));
        off.update(text("never"));
        iop::Progress slow(err, true, "importing", 0, std::chrono::hours(1));
        slow.update(text("never"));
    }
    CHECK(made == 0);
    CHECK(err.str().empty());
    {
        iop::Progress p(err, true, "importing", 0, std::chrono::milliseconds(0));
        p.update(text("iop import: reading 12 rows"));
        CHECK(err.str() == "\riop import: reading 12 rows");
        p.update(text("not yet")); // at most ten draws a second
        CHECK(made == 1);
        p.clear();
        CHECK(err.str() == "\riop import: reading 12 rows\r" + std::string(27, ' ') + "\r");
    }
}

TEST_SUITE_END();
