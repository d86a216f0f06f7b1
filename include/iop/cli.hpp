// The command line: parses argv, resolves the context (today, user, records
// directory, lock) and runs one command. Every error ends here as
// "iop: error: ..." and an exit code from SPEC section 9.
#pragma once

#include <ostream>

namespace iop {

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

} // namespace iop
