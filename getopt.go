package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// argKind is how a flag takes its value, as getopt sees it.
type argKind uint8

const (
	noArg       argKind = iota // -J
	requiredArg                // -t net, -tnet, --type=net
	optionalArg                // -T, -Towner, --tree=owner (never a separate word)
)

// getoptArgs rewrites a command line as getopt_long, which lsns uses,
// reads it, into one Go's flag package reads the same way: bundled short
// options are split (-Jn, -nr, -Jt net, -tnet, -p1234), flags after
// arguments are moved before them (lsns 4026531836 -J), and arguments
// follow a "--". Anything it does not recognise is passed on unchanged, so
// that urfave/cli reports it. Long names keep working with one dash
// (-pid, -namespace), as in nsview before. (urfave/cli's own
// UseShortOptionHandling splits -Jt net but not -tnet or -p1234, and stops
// at the first argument, as the flag package does.) A subcommand's name
// (nsview serve ...) ends the rewriting: the subcommand parses its own
// flags.
func getoptArgs(flags []cli.Flag, commands []*cli.Command, args []string) []string {
	if len(args) == 0 {
		return args
	}
	kinds := flagKinds(flags)
	out, positional := []string{args[0]}, []string(nil)
	for i := 1; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case len(positional) == 0 && commandNamed(commands, arg) != nil:
			return append(out, args[i:]...)
		case len(arg) < 2 || arg[0] != '-':
			positional = append(positional, arg)
		default:
			words, pending := splitOption(kinds, arg)
			out = append(out, words...)
			if pending != "" && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		}
	}
	if len(positional) > 0 {
		out = append(append(out, "--"), positional...)
	}
	return out
}

// splitOption rewrites one option word into the words Go's flag package
// reads. pending names the flag it leaves waiting for its value in the
// next word (-t, --type, the t of -Jt), "" if none.
func splitOption(kinds map[string]argKind, arg string) (words []string, pending string) {
	name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	if kind, ok := kinds[name]; ok {
		if kind == requiredArg && !hasValue {
			return []string{arg}, name
		}
		return []string{arg}, ""
	}
	if strings.HasPrefix(arg, "--") {
		return []string{arg}, ""
	}
	for j := 1; j < len(arg); j++ {
		c, rest := arg[j:j+1], arg[j+1:]
		kind, ok := kinds[c]
		switch {
		case !ok:
			return []string{arg}, "" // not a bundle: let urfave/cli say why
		case kind == noArg:
			words = append(words, "-"+c)
			continue
		case kind == optionalArg && rest != "":
			return append(words, "-"+c+"="+strings.TrimPrefix(rest, "=")), ""
		case kind == optionalArg:
			return append(words, "-"+c), ""
		case rest != "":
			return append(words, "-"+c, rest), ""
		}
		return append(words, "-"+c), c
	}
	return words, ""
}

// flagKinds maps every name of every flag (and of --help) to how it takes
// its value.
func flagKinds(flags []cli.Flag) map[string]argKind {
	kinds := map[string]argKind{}
	for _, f := range append(flags, cli.HelpFlag) {
		kind := noArg
		if g, ok := f.(*cli.GenericFlag); ok {
			if b, ok := g.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				kind = optionalArg
			}
		} else if v, ok := f.(cli.DocGenerationFlag); ok && v.TakesValue() {
			kind = requiredArg
		}
		for _, n := range f.Names() {
			kinds[n] = kind
		}
	}
	return kinds
}
