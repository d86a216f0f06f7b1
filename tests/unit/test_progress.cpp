// The progress line (include/iop/progress.hpp) with a text of the caller's
// own (Progress::update, as import draws rows read and patients checked).
#include "iop/progress.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <sstream>
#include <string>

TEST_SUITE_BEGIN("progress");

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
