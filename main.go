// Command nsview lists Linux namespaces and the processes inside them.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/render"
	"github.com/nsview/nsview/internal/scan"
)

// Exit statuses, as the help text documents them.
const (
	exitOK      = 0
	exitRuntime = 1 // no such PID or inode, unreadable procfs root, output failed
	exitUsage   = 2 // unknown flag, bad flag value, stray argument
)

// usageError marks an error in how nsview was called.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func main() {
	if os.Getenv("GOGC") == "" {
		// nsview lives for one scan and makes garbage much faster than it
		// keeps data (tablewriter most of all): collecting at 50% growth
		// instead of 100% took peak RSS for 10k processes from 25 to 22 MiB
		// at no measurable cost in time (bench/run).
		debug.SetGCPercent(50)
	}
	os.Exit(runCLI(os.Args, environment{stdout: os.Stdout, stderr: os.Stderr}))
}

// environment is what a run of nsview writes to and depends on, besides its
// arguments.
type environment struct {
	stdout, stderr io.Writer
	// owners replaces the owners of /proc entries (see scan.Options.Owners):
	// fixture tests set it; nil reads them from procfs.
	owners map[int]uint32
}

// runCLI runs nsview with args and returns its exit status. Errors are
// reported in one line on stderr, with process-controlled text escaped.
func runCLI(args []string, env environment) int {
	stderr := env.stderr
	err := newApp(env).Run(args)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintln(stderr, "nsview: "+render.Escape(err.Error()))
		return exitUsage
	}
	fmt.Fprintln(stderr, "nsview: "+render.Escape(err.Error()))
	return exitRuntime
}

const description = `nsview reads /proc (or the procfs given with --proc) and lists every namespace
with the processes inside it, as a table, a tree or JSON.

Columns of the default table are lsns's: NS (inode), TYPE, NPROCS (processes
in the namespace), PID (the lowest of them), USER and COMMAND of that PID.

EXAMPLES:
   nsview                          every namespace on the host
   nsview -t pid                   only PID namespaces (-t net,uts: several)
   nsview -namespace 4026532572    the processes inside one namespace
   nsview -pid 10710               the namespaces of one process
   nsview -t net -pid 10710        that process's network namespace
   nsview -o +pns,ons,level        add the hierarchy columns
   nsview --json | jq '.namespaces[] | select(.type=="net")'
   nsview --proc /host/proc        from a container with the host's /proc mounted

Processes nsview may not read (another user's, zombies, those that exit
mid-scan) are skipped and counted in one line on stderr; run as root to
see them all.

EXIT STATUS:
   0  success (also when some processes were skipped)
   1  runtime error: no such PID or namespace, unreadable procfs root
   2  usage error: unknown flag, bad flag value, unexpected argument`

// newApp builds the command line interface running in env.
func newApp(env environment) *cli.App {
	return &cli.App{
		Name:                  "nsview",
		Usage:                 "list Linux namespaces and the processes inside them",
		UsageText:             "nsview [options] [NAMESPACE-INODE]",
		Description:           description,
		HideHelpCommand:       true,
		CustomAppHelpTemplate: strings.Replace(cli.AppHelpTemplate, "GLOBAL OPTIONS:", "OPTIONS:", 2),
		Writer:                env.stdout,
		ErrWriter:             env.stderr,
		Flags:                 flags,
		Commands:              []*cli.Command{serveCommand(env)},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{fmt.Errorf("%w (see nsview --help)", err)}
		},
		ExitErrHandler: func(*cli.Context, error) {}, // main decides the status
		Action: func(c *cli.Context) error {
			return run(c, env)
		},
	}
}

var flags = []cli.Flag{
	&cli.StringSliceFlag{Name: "type", Aliases: []string{"t"}, Usage: "only namespaces of `TYPE`: cgroup, ipc, mnt, net, pid, time, user, uts (repeat or comma-separate)"},
	&cli.StringFlag{Name: "namespace", Usage: "list the processes inside the namespace with this `INODE`"},
	&cli.StringFlag{Name: "pid", Aliases: []string{"p"}, Usage: "only the namespaces of process `PID`"},
	&cli.BoolFlag{Name: "json", Aliases: []string{"J"}, Usage: "print JSON: {\"namespaces\":[...]}, lsns's keys"},
	&cli.StringSliceFlag{Name: "output", Aliases: []string{"o"}, Usage: "table `COLUMNS` (comma-separated; +COLS adds to the defaults); see --list-columns"},
	&cli.BoolFlag{Name: "list-columns", Aliases: []string{"H"}, Usage: "list the available columns and exit"},
	&cli.BoolFlag{Name: "no-headings", Aliases: []string{"n"}, Usage: "do not print the table heading"},
	&cli.StringFlag{Name: "color", Value: "auto", Usage: "colour output: `WHEN` is auto (only on a terminal, not with NO_COLOR set), always or never"},
	&cli.BoolFlag{Name: "tree", Aliases: []string{"T"}, Usage: "draw a tree: nested PID namespaces with their processes; with -t user (or another type) the user namespaces and what they own"},
	&cli.BoolFlag{Name: "ascii", Usage: "draw trees with ASCII instead of box-drawing glyphs (the default without a UTF-8 locale)"},
	&cli.StringFlag{Name: "proc", Value: scan.DefaultRoot, Usage: "read the procfs mounted at `DIR`, e.g. /host/proc"},
}

func init() { cli.FlagStringer = flagHelp }

// flagHelp formats a flag for --help and the man page, short names first:
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

// config is what the command line asks for, checked and parsed.
type config struct {
	spec       filter.Spec
	members    bool // -namespace: list member processes
	json       bool
	columns    []string
	noHeadings bool
	color      string
	root       string
	tree       bool
	types      []scan.Type // as given with -t; spec.Types may differ for trees
	ascii      bool
}

// parseConfig checks the flags and arguments; its errors are usage errors.
func parseConfig(c *cli.Context) (config, error) {
	cfg := config{json: c.Bool("json"), columns: c.StringSlice("output"), noHeadings: c.Bool("no-headings"),
		color: c.String("color"), root: c.String("proc"), tree: c.Bool("tree"), ascii: c.Bool("ascii") || !render.UTF8Locale()}
	var err error
	if cfg.types, err = filter.ParseTypes(c.StringSlice("type")); err != nil {
		return cfg, err
	}
	cfg.spec.Types = cfg.types
	if cfg.tree && slices.Equal(cfg.types, []scan.Type{scan.User}) {
		cfg.spec.Types = nil // the user-namespace tree shows everything they own
	}
	if c.IsSet("pid") {
		if cfg.spec.PID, err = filter.ParsePID(c.String("pid")); err != nil {
			return cfg, err
		}
	}
	inode := c.String("namespace")
	switch {
	case c.NArg() > 1 || (c.NArg() == 1 && c.IsSet("namespace")):
		return cfg, fmt.Errorf("unexpected argument %q (nsview takes at most one namespace inode)", c.Args().Get(c.NArg()-1))
	case c.NArg() == 1:
		inode = c.Args().First()
	}
	if inode != "" || c.IsSet("namespace") {
		if cfg.spec.Inode, err = filter.ParseInode(inode); err != nil {
			return cfg, err
		}
		cfg.members = c.IsSet("namespace")
	}
	return cfg, nil
}

// run is the Action: flags -> scan -> filter -> render.
func run(c *cli.Context, env environment) error {
	stdout, stderr := env.stdout, env.stderr
	if c.Bool("list-columns") {
		return render.ListColumns(stdout)
	}
	cfg, err := parseConfig(c)
	if err != nil {
		return usageError{err}
	}
	view, err := newView(cfg, stdout)
	if err != nil {
		return usageError{err}
	}
	opts := view.ScanOptions(cfg.root, cfg.spec.PID)
	opts.Owners = env.owners
	idx, err := scan.Scan(opts)
	if err != nil {
		return err
	}
	matches, err := filter.Apply(idx, cfg.spec)
	if err != nil {
		return err
	}
	idx.Describe(view.ProcessesShown(idx, matches), view.Details())
	if err := view.Write(idx, matches); err != nil {
		return err
	}
	render.Warnings(stderr, idx, opts.Hierarchy, os.Geteuid() == 0)
	return nil
}

// newView picks the renderer and columns the configuration asks for.
func newView(cfg config, stdout io.Writer) (*render.View, error) {
	useColor, err := render.UseColor(cfg.color, outFile(stdout))
	if err != nil {
		return nil, err
	}
	return render.NewView(stdout, render.ViewOptions{
		Members: cfg.members, JSON: cfg.json, Columns: cfg.columns, NoHeadings: cfg.noHeadings,
		Palette: render.NewPalette(useColor), Width: render.TerminalWidth(outFile(stdout)),
		Tree: cfg.tree, Types: cfg.types, ASCII: cfg.ascii, Context: cfg.spec.PID != 0,
	})
}

// outFile is stdout as a file, for terminal checks; nil when it is not one.
func outFile(w io.Writer) *os.File {
	f, _ := w.(*os.File)
	return f
}
