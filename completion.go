package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/nsview/nsview/internal/render"
	"github.com/nsview/nsview/internal/scan"
)

// completionFlag ends a request for shell completions, the word of
// urfave/cli's completion protocol. The scripts in completions/ run
// `nsview WORD... CURRENT --generate-bash-completion`, with every word
// before the cursor and the (maybe empty) word under it, and nsview prints
// the candidates for CURRENT, one a line: the whole word, a tab, and what
// it means. nsview answers the request itself rather than through
// urfave/cli's EnableBashCompletion, because that needs the arguments
// before getoptArgs reorders them, and it completes flag values (types,
// columns, PIDs) besides flag names.
const completionFlag = "--generate-bash-completion"

// completionRequest is what the shell asks to complete: the words before
// the cursor (the command name left out) and the word under it.
type completionRequest struct {
	words []string
	cur   string
	// owners replaces the owners of /proc entries (environment.owners).
	owners map[int]uint32
}

// parseCompletionRequest reports whether args (the command line with the
// command name first) ask for completions, and for which word.
func parseCompletionRequest(args []string) (completionRequest, bool) {
	if len(args) < 2 || args[len(args)-1] != completionFlag {
		return completionRequest{}, false
	}
	words := args[1 : len(args)-1]
	if len(words) == 0 {
		return completionRequest{}, true
	}
	return completionRequest{words: words[:len(words)-1], cur: words[len(words)-1]}, true
}

// candidate is one completion: the word to put on the command line and
// what it means.
type candidate struct{ word, help string }

// complete prints the candidates for r, each as "WORD\tHELP", to env's
// stdout and returns the exit status: 0, as a shell ignores completions
// that fail.
func complete(env environment, app *cli.App, r completionRequest) int {
	r.owners = env.owners
	var b strings.Builder
	for _, c := range r.candidates(app.Flags, app.Commands) {
		fmt.Fprintf(&b, "%s\t%s\n", c.word, render.Escape(c.help))
	}
	io.WriteString(env.stdout, b.String())
	return exitOK
}

// candidates are the words that can stand where the cursor is: a flag's
// value after a flag that needs one (--type net, -tnet is not completed),
// after --flag= the same with the flag in front, a flag's name after a
// dash, else subcommands and namespace inodes (a bare inode lists the
// namespace's processes). After a subcommand, its flags.
func (r completionRequest) candidates(flags []cli.Flag, commands []*cli.Command) []candidate {
	var command *cli.Command
	for _, w := range r.words {
		if w == "--" {
			return nil
		}
		if c := commandNamed(commands, w); c != nil && command == nil {
			command, flags = c, c.Flags
		}
	}
	kinds := flagKinds(flags)
	if name, value, ok := strings.Cut(strings.TrimLeft(r.cur, "-"), "="); ok && strings.HasPrefix(r.cur, "-") && kinds[name] != noArg {
		head := r.cur[:len(r.cur)-len(value)]
		var out []candidate
		for _, c := range r.values(flags, name, value) {
			out = append(out, candidate{head + c.word, c.help})
		}
		return out
	}
	if len(r.words) > 0 {
		if name := pendingFlag(kinds, r.words[len(r.words)-1]); name != "" {
			return r.values(flags, name, r.cur)
		}
	}
	switch {
	case strings.HasPrefix(r.cur, "-"):
		return flagNames(flags, r.cur)
	case command != nil:
		return nil
	}
	var cands []candidate
	for _, c := range commands {
		cands = append(cands, candidate{c.Name, c.Usage})
	}
	return withPrefix(append(cands, r.namespaces()...), r.cur)
}

// commandNamed is the command called name, nil if none is.
func commandNamed(commands []*cli.Command, name string) *cli.Command {
	for _, c := range commands {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// pendingFlag returns the name of the flag that word leaves waiting for
// its value in the next word, as getoptArgs reads it: -t, --type, -type,
// or the last of a bundle such as -Jt; "" if there is none.
func pendingFlag(kinds map[string]argKind, word string) string {
	if !strings.HasPrefix(word, "-") {
		return ""
	}
	_, pending := splitOption(kinds, word)
	return pending
}

// flagNames are the names of the flags that start as cur does after its
// dashes, short ones with one dash and long ones with two (-na offers
// --namespace; nsview reads long names with one dash too).
func flagNames(flags []cli.Flag, cur string) []candidate {
	prefix := strings.TrimLeft(cur, "-")
	var out []candidate
	for _, f := range append(flags, cli.HelpFlag) {
		help := ""
		if d, ok := f.(cli.DocGenerationFlag); ok {
			help = strings.ReplaceAll(d.GetUsage(), "`", "")
		}
		for _, name := range f.Names() {
			dashed := "--" + name
			if len(name) == 1 {
				dashed = "-" + name
			}
			if strings.HasPrefix(name, prefix) && (len(name) > 1 || !strings.HasPrefix(cur, "--")) {
				out = append(out, candidate{dashed, help})
			}
		}
	}
	return out
}

// values are the candidates for the value of flag name, given the part
// of it typed so far.
func (r completionRequest) values(flags []cli.Flag, name, typed string) []candidate {
	switch mainName(flags, name) {
	case "type":
		var types []candidate
		for _, t := range scan.AllTypes {
			types = append(types, candidate{t.String(), t.String() + " namespaces"})
		}
		return list(types, typed)
	case "output":
		var cols []candidate
		for _, c := range render.ColumnNames() {
			cols = append(cols, candidate{c.Name, c.Help})
		}
		return list(cols, typed)
	case "pid", "task":
		return withPrefix(r.processes(), typed)
	case "namespace":
		return withPrefix(r.namespaces(), typed)
	case "container":
		return withPrefix(r.containers(false), typed)
	case "pod":
		return withPrefix(r.containers(true), typed)
	case "color":
		return withPrefix([]candidate{{"auto", "on a terminal, without NO_COLOR"}, {"always", ""}, {"never", ""}}, typed)
	case "tree":
		return withPrefix([]candidate{{"process", "the PID tree"}, {"parent", "namespaces under their parents"}, {"owner", "under their owning user namespaces"}}, typed)
	}
	return nil // --proc, --filter: the shell's own completion (directories) or none
}

// mainName is the first name of the flag that has name among its names.
func mainName(flags []cli.Flag, name string) string {
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f.Names()[0]
		}
	}
	return ""
}

// withPrefix keeps the candidates that start with typed.
func withPrefix(cands []candidate, typed string) []candidate {
	return slices.DeleteFunc(cands, func(c candidate) bool { return !strings.HasPrefix(c.word, typed) })
}

// list completes the last item of a comma-separated list (-t net,uts;
// -o +pns,level), leaving out the items already in it.
func list(items []candidate, typed string) []candidate {
	head := typed[:strings.LastIndexAny(typed, ",+")+1]
	given := strings.FieldsFunc(strings.ToLower(head), func(r rune) bool { return r == ',' || r == '+' })
	var out []candidate
	for _, c := range withPrefix(items, strings.ToLower(typed[len(head):])) {
		if !slices.Contains(given, c.word) {
			out = append(out, candidate{head + c.word, c.help})
		}
	}
	return out
}

// root is the procfs that the command line reads (--proc), for PIDs and
// namespaces to offer.
func (r completionRequest) root() string {
	root := scan.DefaultRoot
	for i, w := range r.words {
		name, value, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "=")
		switch {
		case !strings.HasPrefix(w, "-") || name != "proc":
		case hasValue:
			root = value
		case i+1 < len(r.words):
			root = r.words[i+1]
		}
	}
	return root
}

// scan reads the procfs of the command line, with containers if asked;
// nil when it cannot be read (the shell then offers nothing).
func (r completionRequest) scan(containers bool) *scan.Index {
	need := scan.NeedMembers | scan.NeedStat // PIDs are offered with their names
	if containers {
		need |= scan.NeedContainers
	}
	opts := scan.OptionsFor(r.root(), nil, 0, need)
	opts.Owners = r.owners
	idx, err := scan.Scan(opts)
	if err != nil {
		return nil
	}
	return idx
}

// processes are the PIDs of the procfs, with their names.
func (r completionRequest) processes() []candidate {
	idx := r.scan(false)
	if idx == nil {
		return nil
	}
	var out []candidate
	for _, pid := range slices.Sorted(maps.Keys(idx.Processes)) {
		out = append(out, candidate{strconv.Itoa(pid), idx.Processes[pid].Comm})
	}
	return out
}

// namespaces are the inodes of the namespaces of the procfs, each with
// its type and lowest PID.
func (r completionRequest) namespaces() []candidate {
	idx := r.scan(false)
	if idx == nil {
		return nil
	}
	var out []candidate
	for _, ns := range idx.Namespaces {
		help := ns.Type.String()
		if p := ns.Leader(); p != nil {
			help = fmt.Sprintf("%s, %d processes, %d %s", ns.Type, len(ns.Procs), p.PID, p.Comm)
		}
		out = append(out, candidate{strconv.FormatUint(ns.Inode, 10), help})
	}
	return out
}

// containers are the names of the containers that processes run in, and
// the short IDs of those without one; with pods, the Kubernetes pods they
// run in, as NAMESPACE/NAME. One candidate a container (or pod), in PID
// order.
func (r completionRequest) containers(pods bool) []candidate {
	idx := r.scan(true)
	if idx == nil {
		return nil
	}
	var out []candidate
	seen := map[string]bool{}
	for _, pid := range slices.Sorted(maps.Keys(idx.Processes)) {
		c := idx.Processes[pid].Container
		word, help := "", ""
		switch {
		case c == nil:
		case pods && c.Pod != nil && c.Pod.Name != "":
			word, help = c.Pod.Namespace+"/"+c.Pod.Name, "pod "+c.Pod.UID
		case !pods && c.Name != "":
			word, help = c.Name, string(c.Runtime)+" "+c.ShortID()
		case !pods:
			word, help = c.ShortID(), string(c.Runtime)
		}
		if word != "" && !seen[word] && !strings.ContainsAny(word, " \t\n") {
			seen[word] = true
			out = append(out, candidate{word, help})
		}
	}
	return out
}
