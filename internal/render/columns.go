package render

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/nsview/nsview/internal/container"
	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/scan"
)

// Column says everything about one output column, in one place: its -o
// name and table heading (Name; its JSON key is the name in lower case),
// its JSON type, what it means, what the scan must read for it, how to get
// its value from a row and how its cells are coloured. One table of these
// per row kind drives the tables, -o, --list-columns, the JSON and the
// scan, so adding a column means adding one entry.
type Column[R any] struct {
	Name string
	// Type is the JSON type of the values: "integer" (right-aligned in
	// tables), "string", "boolean", "array" or "object".
	Type string
	Help string
	// Needs is what the scan must read for the column's values.
	Needs scan.Need
	// Value returns a uint64, int, int64, uint32, string, []string, []int,
	// a cellObject or nil (JSON null; an empty cell).
	Value func(R) any
	// Style colours a cell's text; nil leaves it plain.
	Style func(p Palette, r R, text string) string
}

// Key is the column's JSON key.
func (c Column[R]) Key() string { return strings.ToLower(c.Name) }

// right reports whether table cells of c are right-aligned (numbers).
func (c Column[R]) right() bool { return c.Type == "integer" }

// NSRow is what a namespace column reads: a namespace from the filtered
// index, and the index for names and context.
type NSRow struct {
	Index *scan.Index
	filter.Match
}

// leaderValue applies f to the namespace's lowest-PID process, or returns
// nil for a namespace without processes.
func leaderValue(r NSRow, f func(*scan.Process) any) any {
	if p := r.Leader(); p != nil {
		return f(p)
	}
	return nil
}

// namespaceColumns are the columns of the namespace views: lsns's columns
// with lsns's names and meanings, and LEVEL and OUID.
var namespaceColumns = []Column[NSRow]{
	{Name: "NS", Type: "integer", Help: "namespace identifier (inode number)",
		Value: func(r NSRow) any { return r.Inode },
		Style: func(p Palette, r NSRow, text string) string { return p.Namespace(r.Index.IsInitial(r.Namespace), text) }},
	{Name: "TYPE", Type: "string", Help: "kind of namespace",
		Value: func(r NSRow) any { return r.Type.String() },
		Style: func(p Palette, r NSRow, text string) string { return p.Type(r.Type.String(), text) }},
	{Name: "PATH", Type: "string", Help: "path to the namespace: a process's, a bind mount's, a thread's or an open file's",
		Value: func(r NSRow) any { return nullable(r.Index.Path(r.Namespace)) }},
	{Name: "NPROCS", Type: "integer", Help: "number of processes in the namespace", Needs: scan.NeedMembers,
		Value: func(r NSRow) any { return len(r.Procs) }},
	{Name: "PID", Type: "integer", Help: "lowest PID in the namespace", Needs: scan.NeedMembers,
		Value: func(r NSRow) any { return leaderValue(r, func(p *scan.Process) any { return p.PID }) }},
	{Name: "PPID", Type: "integer", Help: "PPID of the PID", Needs: scan.NeedMembers,
		Value: func(r NSRow) any { return leaderValue(r, func(p *scan.Process) any { return p.PPID }) }},
	{Name: "COMMAND", Type: "string", Help: "command line of the PID", Needs: scan.NeedMembers | scan.NeedLeaderCmdline,
		Value: func(r NSRow) any { return leaderValue(r, func(p *scan.Process) any { return p.Command() }) }},
	{Name: "UID", Type: "integer", Help: "UID of the PID", Needs: scan.NeedMembers,
		Value: func(r NSRow) any { return leaderValue(r, func(p *scan.Process) any { return p.UID }) }},
	{Name: "USER", Type: "string", Help: "username of the PID", Needs: scan.NeedMembers,
		Value: func(r NSRow) any {
			return leaderValue(r, func(p *scan.Process) any { return r.Index.UserName(p.UID) })
		}},
	{Name: "NETNSID", Type: "string", Help: "namespace ID as used by network subsystem", Needs: scan.NeedNetNSID,
		Value: func(r NSRow) any {
			switch {
			case r.NetNSID == nil:
				return nil
			case *r.NetNSID == scan.NetNSIDUnassigned:
				return "unassigned"
			}
			return strconv.Itoa(*r.NetNSID)
		}},
	{Name: "NSFS", Type: "string", Help: "nsfs mountpoint (usually used network subsystem)",
		Value: func(r NSRow) any {
			if len(r.NSFS) == 0 {
				return nil
			}
			return strings.Join(r.NSFS, ",")
		}},
	{Name: "PNS", Type: "integer", Help: "parent namespace identifier (inode number)", Needs: scan.NeedHierarchy,
		Value: func(r NSRow) any { return r.Parent }},
	{Name: "ONS", Type: "integer", Help: "owner namespace identifier (inode number)", Needs: scan.NeedHierarchy,
		Value: func(r NSRow) any { return r.Owner }},
	{Name: "LEVEL", Type: "integer", Help: "nesting depth of a pid or user namespace (0 = initial)", Needs: scan.NeedHierarchy,
		Value: func(r NSRow) any {
			if r.Level < 0 {
				return nil
			}
			return r.Level
		}},
	{Name: "OUID", Type: "integer", Help: "UID that created a user namespace", Needs: scan.NeedHierarchy,
		Value: func(r NSRow) any {
			if r.OwnerUID < 0 {
				return nil
			}
			return r.OwnerUID
		}},
	{Name: "HOLDERS", Type: "array", Help: "what keeps the namespace alive: process, thread, bind-mount, fd, socket, parent, owner",
		Value: func(r NSRow) any { return r.Holders.Names() }},
	{Name: "INITIAL", Type: "boolean", Help: "whether it is the host's initial namespace of its type (the host's own)",
		Value: func(r NSRow) any { return yesOrEmpty(r.Initial) }},
	{Name: "MOUNTS", Type: "array", Help: "bind mounts of the namespace, each with the mount namespace it is in",
		Value: func(r NSRow) any { return mountsValue(r.Index, r.Mounts) }},
	{Name: "CONTAINER", Type: "object", Help: "container all the processes run in: its name, or its short ID", Needs: scan.NeedMembers | scan.NeedNamespaceContainers,
		Value: func(r NSRow) any { return containerValue(r.Container) }},
	{Name: "POD", Type: "object", Help: "Kubernetes pod all the processes belong to, as NAMESPACE/NAME", Needs: scan.NeedMembers | scan.NeedNamespaceContainers,
		Value: func(r NSRow) any { return podValue(r.Pod) }},
	{Name: "HOST", Type: "string", Help: "host the snapshot was taken on (--input)",
		Value: func(r NSRow) any { return nullable(r.Index.Host) }},
}

// defaultNamespaceColumns are lsns's default columns for namespaces of
// the given types (nil: all): NS, TYPE, NPROCS, PID, USER and COMMAND, and
// before COMMAND, when net namespaces are asked for by type, NETNSID and
// NSFS, as lsns adds them for -t net.
func defaultNamespaceColumns(types []scan.Type) []string {
	if slices.Contains(types, scan.Net) {
		return []string{"NS", "TYPE", "NPROCS", "PID", "USER", "NETNSID", "NSFS", "COMMAND"}
	}
	return []string{"NS", "TYPE", "NPROCS", "PID", "USER", "COMMAND"}
}

// foundNamespaceColumns join the default table, after lsns's columns,
// when any row has a value.
var foundNamespaceColumns = []string{"CONTAINER", "POD"}

// chosenProcessColumns join the default table, after lsns's columns, when
// the rows are the namespaces of chosen processes (-pid, -c, --pod): which
// of them the processes share with the host.
var chosenProcessColumns = []string{"INITIAL"}

// ProcRow is what a process column reads.
type ProcRow struct {
	Index *scan.Index
	*scan.Process
}

// processColumns are the columns of the process views (-namespace, and
// the processes of trees in JSON).
var processColumns = []Column[ProcRow]{
	{Name: "PID", Type: "integer", Help: "process ID (in the scanned procfs)",
		Value: func(r ProcRow) any { return r.PID }},
	{Name: "PPID", Type: "integer", Help: "parent process ID", Needs: scan.NeedStat,
		Value: func(r ProcRow) any { return r.PPID }},
	{Name: "UID", Type: "integer", Help: "owner of /proc/PID",
		Value: func(r ProcRow) any { return r.UID }},
	{Name: "USER", Type: "string", Help: "name of the owner",
		Value: func(r ProcRow) any { return r.Index.UserName(r.UID) }},
	{Name: "NAME", Type: "string", Help: "process name (comm)", Needs: scan.NeedStat,
		Value: func(r ProcRow) any { return r.Comm }},
	{Name: "NSPID", Type: "array", Help: "PID at every PID-namespace level, host first", Needs: scan.NeedNSpid,
		Value: func(r ProcRow) any { return r.NSpid }},
	{Name: "CGROUP", Type: "string", Help: "cgroup path", Needs: scan.NeedCgroup,
		Value: func(r ProcRow) any { return r.Cgroup }},
	{Name: "COMMAND", Type: "string", Help: "command line", Needs: scan.NeedStat | scan.NeedCmdline, // the name when it has none
		Value: func(r ProcRow) any { return r.Command() }},
	{Name: "CONTAINER", Type: "object", Help: "container the process runs in: its name, or its short ID", Needs: scan.NeedContainers,
		Value: func(r ProcRow) any { return containerValue(r.Container) }},
	{Name: "HOST", Type: "string", Help: "host the snapshot was taken on (--input)",
		Value: func(r ProcRow) any { return nullable(r.Index.Host) }},
}

// defaultProcessColumns are the member view's default columns: cinf's,
// with the cgroup before the command line so that a long command line
// does not push it off the screen.
var defaultProcessColumns = []string{"PID", "PPID", "USER", "NAME", "CGROUP", "COMMAND"}

// lsnsProcessColumns are the columns lsns prints for a bare inode.
var lsnsProcessColumns = []string{"PID", "PPID", "USER", "COMMAND"}

// allNames lists the names of cols, for --output-all.
func allNames[R any](cols []Column[R]) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// columnsNeed is the union of what the columns need.
func columnsNeed[R any](cols []Column[R]) scan.Need {
	var n scan.Need
	for _, c := range cols {
		n |= c.Needs
	}
	return n
}

// selectColumns returns the columns named in names (case-insensitive; each
// entry may be a comma-separated list, and a leading "+" adds to the
// defaults, as lsns's -o +COL does); no names give the defaults. The error
// lists the valid names.
func selectColumns[R any](all []Column[R], defaults []string, names []string) ([]Column[R], error) {
	var wanted []string
	for _, n := range names {
		if rest, extend := strings.CutPrefix(n, "+"); extend {
			wanted = append(wanted, defaults...)
			n = rest
		}
		wanted = append(wanted, strings.Split(n, ",")...)
	}
	if len(wanted) == 0 {
		wanted = defaults
	}
	selected := make([]Column[R], 0, len(wanted))
	for _, name := range wanted {
		c, ok := findColumn(all, strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("unknown column %q (valid: %s)", name, columnNames(all))
		}
		selected = append(selected, c)
	}
	return selected, nil
}

func findColumn[R any](all []Column[R], name string) (Column[R], bool) {
	for _, c := range all {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Column[R]{}, false
}

func columnNames[R any](all []Column[R]) string {
	return strings.Join(allNames(all), ", ")
}

// cellObject is a column value that a table cell shows as text and JSON
// as another value: an object, a boolean, a list of objects.
type cellObject struct {
	text string
	json any
}

// yesOrEmpty shows a flag as "yes" or an empty cell, and in JSON as
// true or false.
func yesOrEmpty(b bool) cellObject {
	if b {
		return cellObject{text: "yes", json: true}
	}
	return cellObject{json: false}
}

// mountsValue lists bind mounts as mountText shows them in a table and as
// [{"path", "mntns"}] in JSON; nil when there are none.
func mountsValue(idx *scan.Index, mounts []scan.Mount) any {
	if len(mounts) == 0 {
		return nil
	}
	texts, list := make([]string, len(mounts)), make([]object, len(mounts))
	for i, m := range mounts {
		texts[i] = mountText(idx, m)
		list[i] = object{{"path", idx.MountPath(m)}, {"mntns", nullable(m.MntNS)}}
	}
	return cellObject{text: strings.Join(texts, ","), json: list}
}

// containerValue is a container as columns show it: its name (or short
// ID), and in JSON {"runtime", "id", "name", "pod"}.
func containerValue(c *container.Container) any {
	if c == nil {
		return nil
	}
	name := any(c.Name)
	if c.Name == "" {
		name = nil
	}
	pod := podValue(c.Pod)
	if pod != nil {
		pod = pod.(cellObject).json
	}
	return cellObject{text: c.Label(), json: object{{"runtime", string(c.Runtime)}, {"id", c.ID}, {"name", name}, {"pod", pod}}}
}

// podValue is a pod as columns show it: NAMESPACE/NAME (its UID while
// unnamed), and in JSON {"name", "namespace", "uid"}.
func podValue(p *container.Pod) any {
	if p == nil {
		return nil
	}
	text := p.Namespace + "/" + p.Name
	if p.Name == "" {
		text = p.UID
	}
	return cellObject{text: text, json: object{{"name", nullable(p.Name)}, {"namespace", nullable(p.Namespace)}, {"uid", p.UID}}}
}

// nullable is v, or nil (JSON null) when v is its type's zero value.
func nullable[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

// valueText is a column value's text, unescaped: numbers in decimal,
// lists of strings comma-separated, lists of numbers space-separated, an
// object's text, nil empty. Tables print it escaped by Escape, raw output
// escaped by RawEscape: each escapes it once, in its own way.
func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case cellObject:
		return v.text
	case string:
		return v
	case []string:
		return strings.Join(v, ",")
	case []int:
		parts := make([]string, len(v))
		for i, n := range v {
			parts[i] = strconv.Itoa(n)
		}
		return strings.Join(parts, " ")
	default:
		return fmt.Sprint(v)
	}
}

// ListColumns prints the columns of both row kinds with their JSON types
// and meanings.
func ListColumns(w io.Writer) error {
	var b strings.Builder
	b.WriteString("Namespace columns (default view, -pid, --json):\n")
	listColumns(&b, namespaceColumns)
	b.WriteString("\nProcess columns (-namespace INODE, a bare INODE):\n")
	listColumns(&b, processColumns)
	_, err := io.WriteString(w, b.String())
	return err
}

func listColumns[R any](b *strings.Builder, cols []Column[R]) {
	for _, c := range cols {
		fmt.Fprintf(b, "%10s  %-9s  %s\n", c.Name, "<"+c.Type+">", c.Help)
	}
}
