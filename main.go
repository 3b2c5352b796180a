// Command nsview lists Linux namespaces and the processes inside them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/render"
	"github.com/nsview/nsview/internal/scan"
	"github.com/nsview/nsview/internal/snapshot"
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
		// keeps data: collecting at 50% growth instead of 100% took peak
		// RSS for 10k processes from 25 to 22 MiB at no measurable cost in
		// time (bench/run).
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
	app := newApp(env)
	if r, ok := parseCompletionRequest(args); ok {
		return complete(env, app, r)
	}
	err := app.Run(getoptArgs(app.Flags, app.Commands, args))
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "nsview: "+render.Escape(err.Error()))
	if errors.As(err, new(usageError)) {
		return exitUsage
	}
	return exitRuntime
}

const description = `nsview reads /proc (or the procfs given with --proc) and lists every namespace
with the processes inside it, as a table, a tree or JSON.

Columns of the default table are lsns's: NS (inode), TYPE, NPROCS (processes
in the namespace), PID (the lowest of them), USER and COMMAND of that PID.

Every lsns option works as in lsns (util-linux 2.42), bundled as getopt
allows: -Jn, -nr, -tnet, -p1234.

EXAMPLES:
   nsview                          every namespace on the host
   nsview -t pid                   only PID namespaces (-t net,uts: several)
   nsview 4026532572               its processes, as lsns 4026532572 prints them
   nsview -namespace 4026532572    the same with NAME and CGROUP columns
   nsview -pid 10710               the namespaces of one process
   nsview -c web                   the namespaces of a container (name or ID prefix)
   nsview --pod shop/web-0         the namespaces of a Kubernetes pod
   nsview -t net -pid 10710        that process's network namespace
   nsview -o +pns,ons,level        add the hierarchy columns
   nsview --json | jq '.namespaces[] | select(.type=="net")'
   nsview -nr -o ns,type,command   raw cells for read/awk (spaces as \x20)
   nsview -P -t net                network namespaces no process is in
   nsview -Q 'TYPE == "net" && NPROCS > 1'   lsns's filter expressions, on any column
   nsview --watch -t net           redrawn every 2s; new rows marked +, gone ones -
   nsview --watch --json | jq .    the same as JSON Lines events: added, removed, changed
   nsview snapshot > a.json; nsview --input a.json -P   save a host, view it later
   nsview --tree                   nested PID namespaces with their processes
   nsview --tree -t user           user namespaces and what they own (--tree=owner)
   nsview --dot | dot -Tsvg > ns.svg   the same hierarchy as a picture
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
		UsageText:             "nsview [options] [NAMESPACE-INODE]\n   nsview COMMAND [options]   (serve, snapshot, diff; nsview COMMAND --help)",
		Description:           description,
		HideHelpCommand:       true,
		HideVersion:           true, // -V/--version is nsview's own, as in lsns
		CustomAppHelpTemplate: helpTemplate,
		Writer:                env.stdout,
		ErrWriter:             env.stderr,
		Flags:                 newFlags(),
		Commands:              []*cli.Command{serveCommand(env), snapshotCommand(env), diffCommand(env)},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{fmt.Errorf("%w (see nsview --help)", err)}
		},
		ExitErrHandler: func(*cli.Context, error) {}, // main decides the status
		Before:         refuseWatchOfCommand,
		Action: func(c *cli.Context) error {
			return run(c, env)
		},
	}
}

// newFlags returns nsview's flags: lsns's (util-linux 2.42) with their
// short and long names, and nsview's own. Each run gets new ones, as the
// --tree flag holds its value.
func newFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "type", Aliases: []string{"t"}, Usage: "only namespaces of `TYPE`: cgroup, ipc, mnt, net, pid, time, user, uts (repeat or comma-separate)"},
		&cli.StringFlag{Name: "pid", Aliases: []string{"p"}, Usage: "only the namespaces of process `PID`"},
		&cli.StringFlag{Name: "task", Usage: "the same as -p `PID` (lsns's long name)"},
		&cli.StringFlag{Name: "container", Aliases: []string{"c"}, Usage: "only the namespaces of the container with this `ID-PREFIX|NAME`"},
		&cli.StringFlag{Name: "pod", Usage: "only the namespaces of the Kubernetes pod `[NAMESPACE/]NAME` (or its UID)"},
		&cli.BoolFlag{Name: "persistent", Aliases: []string{"P"}, Usage: "only namespaces no process is in (NPROCS 0)"},
		&cli.StringFlag{Name: "namespace", Usage: "list the processes inside the namespace with this `INODE`, with more columns than a bare INODE"},
		&cli.StringFlag{Name: "filter", Aliases: []string{"Q"}, Usage: "only namespaces whose columns match `EXPR`, e.g. 'TYPE == \"net\" && NPROCS > 1' (lsns 2.41's syntax; any column, shown or not)"},
		&cli.StringSliceFlag{Name: "input", Usage: "view the snapshot in `FILE` (- for standard input, or an http(s) URL), made by nsview snapshot, instead of scanning procfs; repeat it for several hosts (a HOST column joins)"},
		&cli.BoolFlag{Name: "deep", Usage: "also find namespaces only open files and sockets hold (a readdir per process; lsns 2.41 does this by default)"},
		&cli.BoolFlag{Name: "json", Aliases: []string{"J"}, Usage: "print JSON: {\"namespaces\":[...]}, lsns's keys"},
		&cli.BoolFlag{Name: "raw", Aliases: []string{"r"}, Usage: "raw table: one space between cells, blanks and control characters as \\xNN"},
		&cli.BoolFlag{Name: "list", Aliases: []string{"l"}, Usage: "a flat list, never a tree (nsview's tables always are)"},
		&cli.StringSliceFlag{Name: "output", Aliases: []string{"o"}, Usage: "table `COLUMNS` (comma-separated; +COLS adds to the defaults); see --list-columns"},
		&cli.BoolFlag{Name: "output-all", Usage: "print every column"},
		&cli.BoolFlag{Name: "list-columns", Aliases: []string{"H"}, Usage: "list the available columns and exit"},
		&cli.BoolFlag{Name: "noheadings", Aliases: []string{"n", "no-headings"}, Usage: "do not print the table heading"},
		&cli.BoolFlag{Name: "notruncate", Aliases: []string{"u"}, Usage: "do not cut cells to the terminal width"},
		&cli.BoolFlag{Name: "nowrap", Aliases: []string{"W"}, Usage: "do not wrap cells over lines (nsview never does; NSFS paths are comma-separated)"},
		&cli.StringFlag{Name: "color", Value: "auto", Usage: "colour output: `WHEN` is auto (only on a terminal, not with NO_COLOR set), always or never"},
		&cli.GenericFlag{Name: "tree", Aliases: []string{"T"}, Value: new(treeFlag),
			Usage: "draw a tree: alone, nested PID namespaces with their processes (with -t user or another type, the user namespaces and what they own); `=MODE` is lsns's process, parent or owner"},
		&cli.BoolFlag{Name: "dot", Usage: "print a Graphviz DOT graph: PID namespaces under their parents, user namespaces and what they own (-t other types; -p, -c narrow it)"},
		&cli.BoolFlag{Name: "ascii", Usage: "draw trees with ASCII instead of box-drawing glyphs (the default without a UTF-8 locale)"},
		&cli.BoolFlag{Name: "watch", Usage: "scan again every interval: redraw the view on a terminal, marking rows that appeared (+) or vanished (-); with --json or through a pipe, print JSON Lines events (added, removed, changed)"},
		&cli.DurationFlag{Name: "interval", Value: 2 * time.Second, Usage: "with --watch, scan every `DURATION` (at least 100ms)"},
		procFlag(),
		&cli.BoolFlag{Name: "version", Aliases: []string{"V"}, Usage: "print the version and exit"},
	}
}

// treeFlag is the value of --tree: a flag.Value that is also a boolean
// flag, so that both --tree and --tree=MODE parse. parseConfig checks the
// mode, so that a bad one is a usage error in nsview's words.
type treeFlag struct {
	set  bool
	mode string // "" for --tree alone
}

// Set takes a mode, or "true" for --tree alone.
func (f *treeFlag) Set(s string) error {
	f.set, f.mode = true, strings.TrimPrefix(s, "=")
	if s == "true" {
		f.mode = ""
	}
	return nil
}

func (f *treeFlag) String() string { return f.mode }

// treeMode is the mode the flag asks for.
func (f *treeFlag) treeMode() (filter.TreeMode, error) {
	switch {
	case !f.set:
		return filter.TreeNone, nil
	case f.mode == "":
		return filter.TreeDefault, nil
	}
	return filter.ParseTreeMode(f.mode)
}

// IsBoolFlag makes --tree valid without a value.
func (f *treeFlag) IsBoolFlag() bool { return true }

// config is what the command line asks for, checked and parsed.
type config struct {
	spec       filter.Spec
	kind       filter.Kind
	render     render.Options
	color      string
	root       string
	queryNeeds scan.Need     // what the -Q expression's columns need
	deep       bool          // --deep: find fd- and socket-held namespaces too
	inputs     []string      // --input: snapshots to view instead of a scan
	dot        bool          // --dot: a Graphviz graph of the selection instead of the view
	watch      bool          // --watch: scan again every interval
	interval   time.Duration // --interval
}

// exclusive are the flags that lsns refuses together.
var exclusive = [][2]string{{"json", "raw"}, {"persistent", "pid"}, {"persistent", "task"}, {"pid", "task"}, {"list", "tree"}, {"dot", "json"}, {"dot", "raw"}, {"dot", "tree"}}

// parseConfig checks the flags and arguments and decides the view kind;
// its errors are usage errors.
func parseConfig(c *cli.Context) (config, error) {
	cfg := config{color: c.String("color"), root: c.String("proc"), render: render.Options{
		JSON: c.Bool("json"), Raw: c.Bool("raw"), Columns: c.StringSlice("output"), AllColumns: c.Bool("output-all"),
		NoHeadings: c.Bool("noheadings"), ASCII: c.Bool("ascii") || !render.UTF8Locale(),
	}}
	for _, pair := range exclusive {
		if c.IsSet(pair[0]) && c.IsSet(pair[1]) {
			return cfg, fmt.Errorf("mutually exclusive arguments: --%s --%s", pair[0], pair[1])
		}
	}
	var err error
	if c.IsSet("filter") {
		if cfg.spec.Where, cfg.queryNeeds, err = render.NamespaceQuery(c.String("filter")); err != nil {
			return cfg, fmt.Errorf("-Q: %w", err)
		}
	}
	cfg.deep, cfg.inputs = c.Bool("deep"), c.StringSlice("input")
	cfg.render.Hosts = len(cfg.inputs) > 1
	if cfg.spec.Types, err = filter.ParseTypes(c.StringSlice("type")); err != nil {
		return cfg, err
	}
	cfg.render.Types = cfg.spec.Types
	cfg.spec.Persistent = c.Bool("persistent")
	for _, name := range []string{"pid", "task"} {
		if c.IsSet(name) {
			if cfg.spec.PID, err = filter.ParsePID(c.String(name)); err != nil {
				return cfg, err
			}
		}
	}
	cfg.spec.Container, cfg.spec.Pod = c.String("container"), c.String("pod")
	if (c.IsSet("container") && cfg.spec.Container == "") || (c.IsSet("pod") && cfg.spec.Pod == "") {
		return cfg, errors.New("-c/--container and --pod need a value: an ID prefix or a name")
	}
	form, err := parseInode(c, &cfg.spec)
	if err != nil {
		return cfg, err
	}
	tree, err := c.Generic("tree").(*treeFlag).treeMode()
	if err != nil {
		return cfg, err
	}
	cfg.kind, cfg.spec = filter.KindOf(tree, form, cfg.spec)
	cfg.render.ChosenProcesses = cfg.spec.PID != 0 || cfg.spec.Container != "" || cfg.spec.Pod != ""
	if cfg.dot = c.Bool("dot"); cfg.dot && cfg.render.Hosts {
		return cfg, errors.New("--dot draws one host: give one --input")
	}
	if cfg.dot {
		cfg.kind, cfg.spec = render.DotSelection(cfg.spec)
	}
	cfg.watch, cfg.interval = c.Bool("watch"), c.Duration("interval")
	return cfg, checkWatch(c, cfg)
}

// parseInode reads the namespace named by -namespace or a bare argument
// into s and says which of them named it.
func parseInode(c *cli.Context, s *filter.Spec) (filter.InodeForm, error) {
	switch {
	case c.NArg() > 1 || (c.NArg() == 1 && c.IsSet("namespace")):
		return filter.NoInode, fmt.Errorf("unexpected argument %q (nsview takes at most one namespace inode)", c.Args().Get(c.NArg()-1))
	case c.NArg() == 1 && (c.IsSet("pid") || c.IsSet("task")):
		return filter.NoInode, errors.New("--task is mutually exclusive with a namespace inode (use -namespace INODE -p PID)")
	case c.NArg() == 1:
		arg := c.Args().First()
		if _, err := filter.ParseTreeMode(arg); err == nil && c.IsSet("tree") {
			return filter.NoInode, fmt.Errorf("unexpected argument %q: write the tree mode attached, --tree=%s or -T%s", arg, arg, arg)
		}
		inode, err := filter.ParseInode(arg)
		s.Inode = inode
		return filter.InodeArgument, err
	case c.IsSet("namespace"):
		inode, err := filter.ParseInode(c.String("namespace"))
		s.Inode = inode
		return filter.InodeOption, err
	}
	return filter.NoInode, nil
}

// run is the Action: flags -> scan -> filter -> render.
func run(c *cli.Context, env environment) error {
	if c.Bool("version") {
		_, err := fmt.Fprintln(env.stdout, "nsview "+version())
		return err
	}
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
	if !cfg.render.Raw && !c.Bool("notruncate") {
		cfg.render.Width = render.TerminalWidth(outFile(env.stdout))
	}
	if cfg.watch {
		return watch(cfg, env)
	}
	view, err := render.NewView(cfg.kind, cfg.render)
	if err != nil {
		return usageError{err}
	}
	needs := scanNeeds(cfg, view)
	indexes, scanned, err := source(cfg, env, needs)
	if err != nil {
		return err
	}
	sels, err := selectEach(indexes, cfg.spec, cfg.kind)
	if err != nil {
		return err
	}
	if scanned {
		indexes[0].Describe(sels[0].Described(), needs.Details())
	}
	if cfg.dot {
		err = render.WriteDot(env.stdout, sels[0])
	} else {
		err = view.Write(env.stdout, sels...)
	}
	if err != nil {
		return err
	}
	for _, idx := range indexes {
		// Running as root does not help with what a snapshot lacks.
		render.Warnings(env.stderr, idx, needs&scan.NeedHierarchy != 0, os.Geteuid() == 0 || !scanned)
	}
	return nil
}

// scanNeeds is what the scan must read for view and the filters.
func scanNeeds(cfg config, view *render.View) scan.Need {
	needs := view.Needs() | cfg.queryNeeds
	if cfg.spec.Container != "" || cfg.spec.Pod != "" {
		needs |= scan.NeedMembers | scan.NeedContainers
	}
	return needs
}

// procFlag is --proc, which nsview, serve and snapshot all take.
func procFlag() cli.Flag {
	return &cli.StringFlag{Name: "proc", Value: scan.DefaultRoot, Usage: "read the procfs mounted at `DIR`, e.g. /host/proc"}
}

// scanProcfs scans cfg's procfs for what needs names, as nsview does with
// or without --watch.
func scanProcfs(cfg config, env environment, needs scan.Need) (*scan.Index, error) {
	opts := scan.OptionsFor(cfg.root, cfg.spec.Types, cfg.spec.PID, needs)
	opts.Owners, opts.Deep = env.owners, cfg.deep
	return scan.Scan(opts)
}

// source returns the indexes to view: the snapshots given with --input,
// one per host, or a scan of procfs that reads what the view needs
// (scanned is set; its processes still need describing).
func source(cfg config, env environment, needs scan.Need) (indexes []*scan.Index, scanned bool, err error) {
	if len(cfg.inputs) == 0 {
		idx, err := scanProcfs(cfg, env, needs)
		return []*scan.Index{idx}, true, err
	}
	hosts, err := snapshot.Load(context.Background(), cfg.inputs)
	for _, h := range hosts {
		indexes = append(indexes, h.Index)
	}
	return indexes, false, err
}

// selectEach applies the criteria to each index. With several (hosts), a
// PID, inode or container that one host lacks leaves that host out; only
// when every host lacks it is it an error.
func selectEach(indexes []*scan.Index, s filter.Spec, k filter.Kind) ([]*filter.Selection, error) {
	var sels []*filter.Selection
	var notFound error
	for _, idx := range indexes {
		sel, err := filter.Select(idx, s, k)
		switch {
		case err == nil:
			sels = append(sels, sel)
		case errors.Is(err, filter.ErrNotFound) && len(indexes) > 1:
			notFound = err
		default:
			return nil, err
		}
	}
	if len(sels) == 0 {
		return nil, notFound
	}
	return sels, nil
}

// outFile is stdout as a file, for terminal checks; nil when it is not one.
func outFile(w io.Writer) *os.File {
	f, _ := w.(*os.File)
	return f
}
