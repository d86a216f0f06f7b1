// The progress line of long commands (include/iop/progress.hpp): drawn on a
// terminal only, after a delay, at most ten times a second, and erased.
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

TEST_SUITE_END();
