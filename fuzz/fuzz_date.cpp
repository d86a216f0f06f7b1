// The date parser (include/iop/date.hpp): dates as options, CSV cells and
// record values give it, and recorded_at timestamps.
#include "fuzz.hpp"

#include "iop/date.hpp"

#include <chrono>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace iop;
    std::string_view text = fuzz::as_text(data, size);

    if (auto d = parse_date(text)) {
        IOP_FUZZ_CHECK(d->ok());
        int y = static_cast<int>(d->year());
        IOP_FUZZ_CHECK(y >= 1 && y <= 9999);
        // Strict: only YYYY-MM-DD parses, so formatting gives the input back.
        IOP_FUZZ_CHECK(format_date(*d) == text);
        IOP_FUZZ_CHECK(add_days(*d, 0) == *d);
        IOP_FUZZ_CHECK(days_between(*d, add_days(*d, 7 * 13)) == 91);
        IOP_FUZZ_CHECK(age_on(*d, *d) == 0);
    }

    if (auto t = parse_timestamp(text)) {
        // A leap second (:60) is accepted and lands on the next minute.
        if (text.substr(17, 2) != "60")
            IOP_FUZZ_CHECK(format_timestamp(*t) == text);
    }

    // Two dates split from one input: the arithmetic the engine does on them.
    if (size == 20) {
        auto a = parse_date(text.substr(0, 10));
        auto b = parse_date(text.substr(10, 10));
        if (a && b) {
            int n = days_between(*a, *b);
            IOP_FUZZ_CHECK(add_days(*a, n) == *b);
            IOP_FUZZ_CHECK(days_between(*b, *a) == -n);
            if (*a <= *b)
                IOP_FUZZ_CHECK(age_on(*a, *b) >= 0);
        }
    }
    return 0;
}
