package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// helpTemplate is the layout of `nsview --help`: urfave/cli's own, with the
// view's flags under OPTIONS (the subcommands have flags of their own).
const helpTemplate = `NAME:
   {{template "helpNameTemplate" .}}

USAGE:
   {{wrap .UsageText 3}}

DESCRIPTION:
   {{template "descriptionTemplate" .}}

COMMANDS:{{template "visibleCommandTemplate" .}}

OPTIONS:{{template "visibleFlagTemplate" .}}
`

// useHelpFormat makes urfave/cli print each flag as flagHelp does. The
// library formats flags through its package-level FlagStringer; nsview is
// its only user in the process, so setting it is safe.
func useHelpFormat() { cli.FlagStringer = flagHelp }

// flagHelp formats a flag for --help, short names first:
// "-t, --type TYPE  only namespaces of TYPE ... (default: auto)". The value's
// name is the word the usage text puts in backquotes.
func flagHelp(f cli.Flag) string {
	doc, ok := f.(cli.DocGenerationFlag)
	if !ok {
		return strings.Join(f.Names(), ", ")
	}
	names := slices.Clone(f.Names())
	slices.SortStableFunc(names, func(a, b string) int { return len(a) - len(b) })
	usage, placeholder := doc.GetUsage(), ""
	if parts := strings.SplitN(usage, "`", 3); len(parts) == 3 {
		placeholder = " " + parts[1]
		usage = parts[0] + parts[1] + parts[2]
	}
	for i, n := range names {
		names[i] = "-" + n
		if len(n) > 1 {
			names[i] = "--" + n
		}
	}
	if value := doc.GetValue(); doc.TakesValue() && value != "" && value != `""` && !strings.HasPrefix(value, "[") {
		usage += " (default: " + strings.Trim(value, `"`) + ")"
	}
	return fmt.Sprintf("%-28s %s", strings.Join(names, ", ")+placeholder, usage)
}
