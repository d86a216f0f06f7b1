// Compiled into every executable of a sanitizer build (IOP_SANITIZE, IOP_FUZZ):
// the runtime's default options, so that a report fails whatever runs the
// program (CTest, the end-to-end tests, a shell) without any environment.
// Exit status 86 is none of iop's own (SPEC section 9); a leak at exit counts.
// ASAN_OPTIONS / UBSAN_OPTIONS / LSAN_OPTIONS still override these.

// NOLINTBEGIN: names and linkage the sanitizer runtimes look up.
extern "C" const char* __asan_default_options() {
    return "halt_on_error=1:exitcode=86:detect_leaks=1:detect_stack_use_after_return=1:"
           "check_initialization_order=1:strict_string_checks=1";
}
extern "C" const char* __ubsan_default_options() {
    return "halt_on_error=1:exitcode=86:print_stacktrace=1";
}
extern "C" const char* __lsan_default_options() {
    return "exitcode=86";
}
// NOLINTEND
