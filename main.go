// Command nsview lists Linux namespaces and the processes inside them.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

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
	useHelpFormat()
	return &cli.App{
		Name:                  "nsview",
		Usage:                 "list Linux namespaces and the processes inside them",
		UsageText:             "nsview [options] [NAMESPACE-INODE]",
		Description:           description,
		HideHelpCommand:       true,
		CustomAppHelpTemplate: helpTemplate,
		Writer:                env.stdout,
		ErrWriter:             env.stderr,
		Flags:                 flags,
		Commands:              []*cli.Command{serveCommand(env), snapshotCommand(env), diffCommand(env)},
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

// config is what the command line asks for, checked and parsed.
type config struct {
	spec   filter.Spec
	kind   filter.Kind
	render render.Options
	color  string
	root   string
}

// parseConfig checks the flags and arguments and decides the view kind;
// its errors are usage errors.
func parseConfig(c *cli.Context) (config, error) {
	cfg := config{color: c.String("color"), root: c.String("proc"), render: render.Options{
		JSON: c.Bool("json"), Columns: c.StringSlice("output"), NoHeadings: c.Bool("no-headings"),
		ASCII: c.Bool("ascii") || !render.UTF8Locale(),
	}}
	var err error
	if cfg.spec.Types, err = filter.ParseTypes(c.StringSlice("type")); err != nil {
		return cfg, err
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
	}
	cfg.kind, cfg.spec = filter.KindOf(c.Bool("tree"), c.IsSet("namespace"), cfg.spec)
	return cfg, nil
}

// run is the Action: flags -> scan -> filter -> render.
func run(c *cli.Context, env environment) error {
	if c.Bool("list-columns") {
		return render.ListColumns(env.stdout)
	}
	cfg, err := parseConfig(c)
	if err != nil {
		return usageError{err}
	}
	useColor, err := render.UseColor(cfg.color, outFile(env.stdout))
	if err != nil {
		return usageError{err}
	}
	cfg.render.Palette = render.NewPalette(useColor)
	cfg.render.Width = render.TerminalWidth(outFile(env.stdout))
	view, err := render.NewView(cfg.kind, cfg.render)
	if err != nil {
		return usageError{err}
	}
	needs := view.Needs()
	opts := scan.OptionsFor(cfg.root, cfg.spec.Types, cfg.spec.PID, needs)
	opts.Owners = env.owners
	idx, err := scan.Scan(opts)
	if err != nil {
		return err
	}
	sel, err := filter.Select(idx, cfg.spec, cfg.kind)
	if err != nil {
		return err
	}
	idx.Describe(sel.Described(), needs.Details())
	if err := view.Write(env.stdout, sel); err != nil {
		return err
	}
	render.Warnings(env.stderr, idx, needs&scan.NeedHierarchy != 0, os.Geteuid() == 0)
	return nil
}

// outFile is stdout as a file, for terminal checks; nil when it is not one.
func outFile(w io.Writer) *os.File {
	f, _ := w.(*os.File)
	return f
}
