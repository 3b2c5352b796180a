# bash completion for nsview                               -*- shell-script -*-
#
# nsview completes itself: this asks it for the candidates of the word under
# the cursor, `nsview WORDS... CURRENT --generate-bash-completion`, and it
# prints one a line as "WORD<tab>MEANING". Flag names, -t types, -o columns,
# -p PIDs, --namespace inodes, -c containers and --pod pods come from the
# binary itself, so they are always the ones it accepts.

_nsview()
{
    local cword=$COMP_CWORD cur=${COMP_WORDS[COMP_CWORD]} head=
    local -a words=("${COMP_WORDS[@]:1:cword-1}")
    # bash splits --color=al into "--color" "=" "al" (COMP_WORDBREAKS):
    # glue the flag back on, and give bash only the part it replaces.
    if [[ $cur == = && $cword -gt 1 ]]; then
        head=${COMP_WORDS[cword-1]}
        cur=$head=
        unset 'words[${#words[@]}-1]'
    elif [[ ${COMP_WORDS[cword-1]} == = && $cword -gt 2 ]]; then
        head=${COMP_WORDS[cword-2]}=
        cur=$head$cur
        unset 'words[${#words[@]}-1]' 'words[${#words[@]}-2]'
    fi
    local line IFS=$'\n'
    COMPREPLY=()
    for line in $("${COMP_WORDS[0]}" "${words[@]}" "$cur" --generate-bash-completion 2>/dev/null); do
        line=${line%%$'\t'*}
        COMPREPLY+=("${line#"$head"}")
    done
    # A list (-o ns,type) goes on after a comma: no space after it.
    [[ ${#COMPREPLY[@]} -eq 1 && $cur == *,* ]] && compopt -o nospace 2>/dev/null
    return 0
}
complete -o default -F _nsview nsview
