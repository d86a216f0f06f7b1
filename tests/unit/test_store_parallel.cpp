// Parallel loading (include/iop/parallel.hpp, Store::for_each_record and
// load_many with jobs): whatever the number of threads, the same records come back in the same
// order, a broken file is reported in its place, and memory is bounded by
// the window, not by the number of records.
#include "iop/error.hpp"
#include "iop/parallel.hpp"
#include "iop/record.hpp"
#include "iop/store.hpp"
#include "testutil.hpp"
#include "toml_reader.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <stdlib.h>

namespace fs = std::filesystem;

namespace {

// A records directory made by Store::init in a temporary directory.
struct TempClinic {
    testutil::TempDir tmp{"iop-parallel"};
    fs::path root = tmp.path / "clinic";
    TempClinic() { iop::Store::init(root); }
};

using testutil::spit;

iop::Date day(int offset) {
    return iop::add_days(*iop::parse_date("2026-09-01"), offset);
}

// A record whose journal length and content depend on i, mixing every kind
// of entry so that file order differs from toml++'s grouping by kind.
std::string generated_record(int i, const std::string& id) {
    iop::Header h;
    h.id = id;
    h.name = "Patient " + std::to_string(i);
    h.enrolled = day(i % 30);
    h.plan.groups_per_week = 2 + i % 4;
    std::string text = render_header(h);
    for (int k = 0; k < i % 40; ++k) {
        iop::Date d = iop::add_days(h.enrolled, k);
        iop::Entry entry;
        switch (k % 4) {
        case 0: {
            iop::Session s;
            s.kind = iop::SessionKind::group;
            s.topic = k % 8 ? "illness" : "stress";
            s.hours = 3.0;
            s.status = k % 5 ? iop::SessionStatus::attended : iop::SessionStatus::absent;
            entry = s;
            break;
        }
        case 1: {
            iop::Screen s;
            s.result = k % 9 ? iop::ScreenResult::negative : iop::ScreenResult::positive;
            entry = s;
            break;
        }
        case 2: {
            iop::Event e;
            e.type = iop::EventType::note;
            e.text = "note " + std::to_string(k);
            entry = e;
            break;
        }
        default: {
            iop::Session s;
            s.kind = iop::SessionKind::individual;
            s.hours = 1.0;
            entry = s;
        }
        }
        iop::meta(entry).date = d;
        iop::meta(entry).recorded_by = "tester";
        text += render_entry(entry);
    }
    return text;
}

// Everything a loaded record holds, as text, to compare two loads.
std::string describe(const iop::Store::Loaded& l) {
    std::string out = l.id + "\n";
    if (l.error)
        out += "error " + std::string(l.error->what()) + "\n";
    if (l.record) {
        out += l.record->file + "\n" + render_header(l.record->header);
        for (const auto& e : l.record->journal) {
            const auto& m = iop::meta(e);
            out +=
                std::to_string(m.pos.line) + ":" + std::to_string(m.pos.column) + render_entry(e);
        }
    }
    return out;
}

// 150 records; three broken in different ways, at the start, middle and end.
std::vector<std::string> make_clinic(const TempClinic& c) {
    std::vector<std::string> ids;
    for (int i = 1; i <= 150; ++i) {
        std::string id = "P-" + std::to_string(1000 + i);
        ids.push_back(id);
        fs::path file = c.root / "patients" / (id + ".toml");
        if (i == 1)
            spit(file, generated_record(i, id) + "\n[[session]]\ndate = 2026-13-01\n"); // syntax
        else if (i == 75)
            spit(file, generated_record(i, "P-9999")); // id does not match the file name
        else if (i == 150)
            spit(file,
                 generated_record(i, id) + "\n[[screen]]\ndate = 2026-10-01\nresult = \"maybe\"\n");
        else
            spit(file, generated_record(i, id));
    }
    return ids;
}

} // namespace

TEST_SUITE_BEGIN("parallel");

TEST_CASE("parallel loading gives the records of serial loading, in the same order") {
    TempClinic c;
    std::vector<std::string> ids = make_clinic(c);
    iop::Store store(c.root);
    REQUIRE(store.ids() == ids);

    std::vector<std::string> serial;
    for (const auto& l : store.load_many(ids, 1))
        serial.push_back(describe(l));
    REQUIRE(serial.size() == ids.size());

    for (unsigned jobs : {2u, 3u, 8u, 64u}) {
        CAPTURE(jobs);
        std::vector<std::string> parallel;
        for (const auto& l : store.load_many(ids, jobs))
            parallel.push_back(describe(l));
        CHECK(parallel == serial);

        std::vector<std::string> streamed;
        store.for_each_record(
            ids, jobs, [](iop::Store::Loaded& l) { return describe(l); },
            [&](std::string& text) { streamed.push_back(std::move(text)); });
        CHECK(streamed == serial);
    }
}

TEST_CASE("a broken file is reported in its place while the others load") {
    TempClinic c;
    std::vector<std::string> ids = make_clinic(c);
    iop::Store store(c.root);
    auto loaded = store.load_many(ids, 4);
    REQUIRE(loaded.size() == 150);
    int broken = 0;
    for (std::size_t i = 0; i < loaded.size(); ++i) {
        CAPTURE(i);
        CHECK(loaded[i].id == ids[i]);
        CHECK(loaded[i].record.has_value() != loaded[i].error.has_value());
        broken += loaded[i].error.has_value();
    }
    CHECK(broken == 3);
    REQUIRE(loaded[0].error);
    CHECK(loaded[0].error->file() == "patients/P-1001.toml");
    CHECK(loaded[0].error->pos().line > 0);
    REQUIRE(loaded[74].error);
    CHECK(loaded[74].error->detail().find("does not match its file name") != std::string::npos);
    REQUIRE(loaded[149].error);
    CHECK(loaded[149].error->detail().find("'[[screen]].result' must be one of") == 0);
    REQUIRE(loaded[1].record);
    CHECK(loaded[1].record->journal.size() == 2);
}

TEST_CASE("an unreadable entry in the list is reported, not thrown") {
    TempClinic c;
    std::vector<std::string> ids = make_clinic(c);
    fs::create_symlink(c.root / "nowhere", c.root / "patients" / "P-2000.toml");
    ids.push_back("P-2000");
    iop::Store store(c.root);
    auto loaded = store.load_many(ids, 3);
    REQUIRE(loaded.size() == 151);
    REQUIRE(loaded.back().error);
    CHECK(loaded.back().error->file() == "patients/P-2000.toml");
}

TEST_CASE("ordered_parallel delivers in order and holds at most a window of results") {
    const std::size_t n = 2000, window = 5;
    for (unsigned jobs : {1u, 2u, 4u, 16u}) {
        CAPTURE(jobs);
        std::atomic<int> outstanding{0}, most{0};
        std::vector<std::size_t> order;
        iop::ordered_parallel(
            n, jobs, window,
            [&](std::size_t) {
                int now = ++outstanding;
                int seen = most.load();
                while (now > seen && !most.compare_exchange_weak(seen, now)) {
                }
            },
            [&](std::size_t i) {
                order.push_back(i);
                --outstanding;
            });
        REQUIRE(order.size() == n);
        for (std::size_t i = 0; i < n; ++i)
            REQUIRE(order[i] == i);
        CHECK(most.load() <= static_cast<int>(window));
    }
}

TEST_CASE("ordered_parallel rethrows a worker's exception in its place") {
    for (unsigned jobs : {1u, 3u}) {
        CAPTURE(jobs);
        std::vector<std::size_t> delivered;
        auto run = [&] {
            iop::ordered_parallel(
                100, jobs, 8,
                [](std::size_t i) {
                    if (i == 40)
                        throw std::runtime_error("item 40");
                },
                [&](std::size_t i) { delivered.push_back(i); });
        };
        CHECK_THROWS_WITH_AS(run(), "item 40", std::runtime_error);
        REQUIRE(delivered.size() == 40);
        CHECK(delivered.back() == 39);
    }
}

TEST_CASE("an exception from deliver stops the workers") {
    std::atomic<std::size_t> worked{0};
    auto run = [&] {
        iop::ordered_parallel(
            100000, 4, 16, [&](std::size_t) { ++worked; },
            [](std::size_t i) {
                if (i == 10)
                    throw std::runtime_error("stop");
            });
    };
    CHECK_THROWS_WITH_AS(run(), "stop", std::runtime_error);
    CHECK(worked.load() <= 10 + 16 + 4);
}

TEST_CASE("ordered_parallel with nothing to do") {
    int calls = 0;
    iop::ordered_parallel(
        0, 4, 8, [&](std::size_t) { ++calls; }, [&](std::size_t) { ++calls; });
    CHECK(calls == 0);
    CHECK(iop::available_cores() >= 1);
}

TEST_CASE("format_date_time prints what toml++ prints") {
    for (const char* text :
         {"t = 2026-11-03T17:02:11Z", "t = 2026-11-03T17:02:11.5Z",
          "t = 2026-11-03T07:02:01.000120Z", "t = 0999-01-09T00:00:00+05:30",
          "t = 2026-11-03T17:02:11-08:00", "t = 2026-11-03T17:02:11",
          "t = 2026-11-03 17:02:11.123456789z", "t = 2026-11-03T17:02:11-00:45"}) {
        CAPTURE(text);
        toml::table t = toml::parse(text);
        const auto* v = t["t"].as_date_time();
        REQUIRE(v);
        std::ostringstream expected;
        expected << *v;
        CHECK(iop::format_date_time(v->get()) == expected.str());
    }
}

TEST_SUITE_END();
