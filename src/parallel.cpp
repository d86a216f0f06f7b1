#include "iop/parallel.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <sched.h>

namespace iop {

unsigned available_cores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0)
            return static_cast<unsigned>(n);
    }
    return std::max(1u, std::thread::hardware_concurrency());
}

namespace {

void serially(std::size_t from, std::size_t n, const std::function<void(std::size_t)>& work,
              const std::function<void(std::size_t)>& deliver) {
    for (std::size_t i = from; i < n; ++i) {
        work(i);
        deliver(i);
    }
}

} // namespace

void ordered_parallel(std::size_t n, unsigned jobs, std::size_t window,
                      const std::function<void(std::size_t)>& work,
                      const std::function<void(std::size_t)>& deliver) {
    window = std::max<std::size_t>(window, 1);
    if (jobs <= 1 || n <= 1 || window == 1) {
        serially(0, n, work, deliver);
        return;
    }
    // The calling thread is one of the `jobs` workers: between deliveries it
    // takes work itself rather than sleep, so `jobs` threads keep `jobs` cores
    // busy, with no extra thread competing for them.
    const std::size_t helpers = std::min<std::size_t>({jobs, n, window}) - 1;

    std::mutex mutex;
    std::condition_variable may_claim; // helpers: a slot in the window came free
    std::condition_variable finished;  // calling thread: the result it waits for is ready
    std::size_t next = 0;              // the next index to claim
    std::size_t delivered = 0;         // indices below this have been delivered
    bool stop = false;
    std::vector<char> ready(window, 0); // by i % window
    std::vector<std::exception_ptr> errors(window);

    auto can_claim = [&] { return next < n && next < delivered + window; };
    // Runs work(i) and records its outcome; called without the lock held.
    auto run = [&](std::size_t i) {
        std::exception_ptr error;
        try {
            work(i);
        } catch (...) {
            error = std::current_exception();
        }
        std::lock_guard lock(mutex);
        ready[i % window] = 1;
        errors[i % window] = error;
        return i == delivered; // the calling thread may be waiting for exactly this one
    };

    auto helper = [&] {
        for (;;) {
            std::size_t i;
            {
                std::unique_lock lock(mutex);
                may_claim.wait(lock, [&] { return stop || next >= n || can_claim(); });
                if (stop || next >= n)
                    return;
                i = next++;
            }
            if (run(i))
                finished.notify_one();
        }
    };

    std::vector<std::thread> threads;
    threads.reserve(helpers);
    // Joins the helpers however the calling thread leaves (return or exception).
    struct Joiner {
        std::vector<std::thread>& threads;
        std::mutex& mutex;
        bool& stop;
        std::condition_variable& may_claim;
        ~Joiner() {
            {
                std::lock_guard lock(mutex);
                stop = true;
            }
            may_claim.notify_all();
            for (auto& t : threads)
                t.join();
        }
    } joiner{threads, mutex, stop, may_claim};

    for (std::size_t t = 0; t < helpers; ++t) {
        try {
            threads.emplace_back(helper);
        } catch (const std::system_error&) {
            break; // fewer threads than asked for: the calling thread still works
        }
    }

    std::unique_lock lock(mutex);
    while (delivered < n) {
        const std::size_t i = delivered;
        if (ready[i % window]) {
            std::exception_ptr error = errors[i % window];
            errors[i % window] = nullptr;
            lock.unlock();
            if (error)
                std::rethrow_exception(error);
            deliver(i);
            lock.lock();
            ready[i % window] = 0;
            ++delivered;
            may_claim.notify_one();
        } else if (can_claim()) {
            const std::size_t mine = next++;
            lock.unlock();
            run(mine);
            lock.lock();
        } else {
            finished.wait(lock, [&] { return ready[i % window] != 0; });
        }
    }
}

} // namespace iop
