# bash completion for iop(1)                                 -*- shell-script -*-
#
# Installed as share/bash-completion/completions/iop, where bash-completion
# loads it on first use; or source it from ~/.bashrc. What to complete is
# decided by the hidden helper `iop __complete -- WORD...` (commands,
# options, enumerated values, patient ids from the records directory, topic
# ids from program.toml), so this script only passes the words and filters
# the answers by the word being completed.

_iop() {
    local words=() i w cur reply line prefix=""

    # bash splits "--kind=gr" at '=' and "P-0001:G1.2" (group --objective)
    # at ':' (COMP_WORDBREAKS); glue such words back together, so the helper
    # sees the line as iop will.
    for ((i = 1; i <= COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if ((${#words[@]} > 0)) && [[ $w == "=" || ${words[${#words[@]} - 1]} == *= ]] &&
            [[ ${words[${#words[@]} - 1]} == -* ]]; then
            words[${#words[@]} - 1]+=$w
        elif ((${#words[@]} > 0)) && [[ $w == ":" || ${words[${#words[@]} - 1]} == *: ]]; then
            words[${#words[@]} - 1]+=$w
        else
            words+=("$w")
        fi
    done
    if ((${#words[@]} == 0)) || ((COMP_CWORD >= ${#COMP_WORDS[@]})); then
        words+=("")
    fi
    cur=${words[${#words[@]} - 1]}
    # Readline replaces only the text after the last '=' or ':', so answers
    # lose it too.
    if [[ $cur == -*=* && $COMP_WORDBREAKS == *=* ]]; then
        prefix=${cur%%=*}=
    fi
    if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
        prefix=${cur%:*}:
    fi

    local iop=${COMP_WORDS[0]}
    [[ $iop == \~/* ]] && iop=$HOME/${iop#\~/}
    reply=$("$iop" __complete -- "${words[@]}" 2>/dev/null) || return 0

    COMPREPLY=()
    while IFS= read -r line; do
        case $line in
        :files)
            compopt -o filenames 2>/dev/null
            while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen -f -- "$cur")
            ;;
        :dirs)
            compopt -o filenames 2>/dev/null
            while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen -d -- "$cur")
            ;;
        *)
            w=${line%%$'\t'*}
            [[ $w == "$cur"* ]] && COMPREPLY+=("${w#"$prefix"}")
            ;;
        esac
    done <<<"$reply"
    return 0
}

complete -F _iop iop
