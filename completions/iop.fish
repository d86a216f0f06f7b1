# fish completion for iop(1)
#
# Installed as share/fish/vendor_completions.d/iop.fish; or copy it to
# ~/.config/fish/completions/. What to complete is decided by the hidden
# helper `iop __complete -- WORD...` (commands, options, enumerated values,
# patient ids from the records directory, topic ids from program.toml); it
# prints "WORD<TAB>DESCRIPTION" lines, as fish wants them.

function __iop_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l iop $tokens[1]
    string match -q -- '~/*' $iop; and set iop $HOME/(string sub -s 3 -- $iop)
    for line in ($iop __complete -- $tokens[2..-1] "$cur" 2>/dev/null)
        switch $line
            case :files
                __fish_complete_path "$cur"
            case :dirs
                __fish_complete_directories "$cur" ""
            case '*'
                printf '%s\n' $line
        end
    end
end

complete -c iop -f -a '(__iop_complete)'
