# fish completion for nsview. nsview completes itself: this asks it for the
# candidates of the word under the cursor, `nsview WORDS... CURRENT
# --generate-bash-completion`, and it prints one a line as
# "WORD<tab>MEANING", which is fish's own format. Flag names, -t types,
# -o columns, -p PIDs, --namespace inodes, -c containers and --pod pods come
# from the binary itself, so they are always the ones it accepts.

function __nsview_complete
    set -l words (commandline -opc)
    command $words[1] $words[2..-1] (commandline -ct) --generate-bash-completion 2>/dev/null
end

# --proc takes a directory: the shell's own file completion.
complete -c nsview -n 'not string match -qr -- "^--?proc\$" (commandline -opc)[-1]' -f
complete -c nsview -a '(__nsview_complete)'
