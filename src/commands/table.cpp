#include "commands/command.hpp"

namespace iop {

const std::vector<CommandSpec>& command_table() {
    static const std::vector<CommandSpec> table = {
        // Records
        init_command(), enroll_command(), attend_command(), group_command(), screen_command(),
        closure_command(), void_command(), amend_command(),
        // Plan
        plan_command(), goal_command(), objective_command(), sign_command(), auth_command(),
        med_command(), aftercare_command(), graduate_command(), discharge_command(),
        asam_command(), certify_command(),
        // Reports
        show_command(), list_command(), check_command(), remind_command(), roster_command(),
        report_command(), log_command(),
        // Data
        import_command(), export_command(),
        // Hidden (empty group): the helper of the shell completions
        complete_command(), merge_journal_command(),
    };
    return table;
}

} // namespace iop
