#include "commands/command.hpp"

namespace iop {

const std::vector<CommandSpec>& command_table() {
    static const std::vector<CommandSpec> table = {
        init_command(), enroll_command(), attend_command(), show_command(), list_command(),
    };
    return table;
}

} // namespace iop
