// Shared by the libFuzzer harnesses in this directory. Each harness defines
// LLVMFuzzerTestOneInput; built with -fsanitize=fuzzer it is a fuzzer, built
// with replay.cpp it replays the corpus and regressions as a CTest test.
//
// A harness catches only iop::Error (and its subclasses), the project's
// documented errors: any other exception escapes and is reported as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace iop::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// A property the harness checks: on failure, name it and abort (a crash).
[[noreturn]] inline void failed(const char* what, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
    std::abort();
}

} // namespace iop::fuzz

#define IOP_FUZZ_CHECK(cond)                                                                       \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ::iop::fuzz::failed(#cond, __FILE__, __LINE__);                                        \
    } while (0)
