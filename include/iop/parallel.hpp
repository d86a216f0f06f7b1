// Ordered, bounded parallelism for going over many records: parsing dominates
// the cost of check, remind, list and export, and records are independent.
#pragma once

#include <cstddef>
#include <functional>

namespace iop {

// CPUs this process may run on (sched_getaffinity), at least 1.
unsigned available_cores();

// Runs work(i) for every i in [0, n) on up to `jobs` threads, and deliver(i)
// on the calling thread in index order, each once work(i) has returned.
// work(i) starts only after deliver(i - window) has returned, so at most
// `window` results exist at any time, whatever n is. An exception thrown by
// work(i) is rethrown on the calling thread in place of deliver(i); one thrown
// by deliver stops the workers (work already started finishes) and
// propagates. jobs <= 1 runs everything on the calling thread, in order.
void ordered_parallel(std::size_t n, unsigned jobs, std::size_t window,
                      const std::function<void(std::size_t)>& work,
                      const std::function<void(std::size_t)>& deliver);

} // namespace iop
