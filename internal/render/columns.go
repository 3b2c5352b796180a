package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/scan"
)

// Column describes one output column: its -o name and table heading (Name),
// its JSON key (Name in lower case), what it means (Help) and how to get its
// value from a row. Value returns a uint64, int, int64, string, []int or
// nil (JSON null; an empty cell). One such table per view drives the table,
// -o, --list-columns and the JSON, so a column is added in one place.
type Column[R any] struct {
	Name  string
	Help  string
	Right bool // right-aligned in tables (numbers)
	Value func(R) any
}

// Key is the column's JSON key.
func (c Column[R]) Key() string { return strings.ToLower(c.Name) }

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

// NamespaceColumns are the columns of the namespace views: lsns's columns
// with lsns's names and meanings, and LEVEL and OUID.
var NamespaceColumns = []Column[NSRow]{
	{Name: "NS", Help: "namespace identifier (inode number)", Right: true,
		Value: func(r NSRow) any { return r.Inode }},
	{Name: "TYPE", Help: "kind of namespace",
		Value: func(r NSRow) any { return r.Type.String() }},
	{Name: "PATH", Help: "path to the namespace",
		Value: func(r NSRow) any {
			return leaderValue(r, func(p *scan.Process) any {
				return fmt.Sprintf("%s/%d/ns/%s", r.Index.Root, p.PID, r.Type)
			})
		}},
	{Name: "NPROCS", Help: "number of processes in the namespace", Right: true,
		Value: func(r NSRow) any { return len(r.Procs) }},
	{Name: "PID", Help: "lowest PID in the namespace", Right: true,
		Value: func(r NSRow) any { return leaderValue(r, func(p *scan.Process) any { return p.PID }) }},
	{Name: "PPID", Help: "PPID of the PID", Right: true,
		Value: func(r NSRow) any { return leaderValue(r, func(p *scan.Process) any { return p.PPID }) }},
	{Name: "COMMAND", Help: "command line of the PID",
		Value: func(r NSRow) any { return leaderValue(r, func(p *scan.Process) any { return p.Command() }) }},
	{Name: "UID", Help: "UID of the PID", Right: true,
		Value: func(r NSRow) any { return leaderValue(r, func(p *scan.Process) any { return p.UID }) }},
	{Name: "USER", Help: "username of the PID",
		Value: func(r NSRow) any {
			return leaderValue(r, func(p *scan.Process) any { return r.Index.UserName(p.UID) })
		}},
	{Name: "NETNSID", Help: "namespace ID as used by network subsystem",
		Value: func(r NSRow) any {
			switch {
			case r.NetNSID == nil:
				return nil
			case *r.NetNSID == scan.NetNSIDUnassigned:
				return "unassigned"
			}
			return strconv.Itoa(*r.NetNSID)
		}},
	{Name: "NSFS", Help: "nsfs mountpoint (usually used network subsystem)",
		Value: func(r NSRow) any {
			if len(r.NSFS) == 0 {
				return nil
			}
			return strings.Join(r.NSFS, ",")
		}},
	{Name: "PNS", Help: "parent namespace identifier (inode number)", Right: true,
		Value: func(r NSRow) any { return r.Parent }},
	{Name: "ONS", Help: "owner namespace identifier (inode number)", Right: true,
		Value: func(r NSRow) any { return r.Owner }},
	{Name: "LEVEL", Help: "nesting depth of a pid or user namespace (0 = initial)", Right: true,
		Value: func(r NSRow) any {
			if r.Level < 0 {
				return nil
			}
			return r.Level
		}},
	{Name: "OUID", Help: "UID that created a user namespace", Right: true,
		Value: func(r NSRow) any {
			if r.OwnerUID < 0 {
				return nil
			}
			return r.OwnerUID
		}},
}

// DefaultNamespaceColumns are lsns's default columns.
var DefaultNamespaceColumns = []string{"NS", "TYPE", "NPROCS", "PID", "USER", "COMMAND"}

// ProcRow is what a process column reads.
type ProcRow struct {
	Index *scan.Index
	*scan.Process
}

// ProcessColumns are the columns of the member view (-namespace).
var ProcessColumns = []Column[ProcRow]{
	{Name: "PID", Help: "process ID (in the scanned procfs)", Right: true,
		Value: func(r ProcRow) any { return r.PID }},
	{Name: "PPID", Help: "parent process ID", Right: true,
		Value: func(r ProcRow) any { return r.PPID }},
	{Name: "UID", Help: "owner of /proc/PID", Right: true,
		Value: func(r ProcRow) any { return r.UID }},
	{Name: "USER", Help: "name of the owner",
		Value: func(r ProcRow) any { return r.Index.UserName(r.UID) }},
	{Name: "NAME", Help: "process name (comm)",
		Value: func(r ProcRow) any { return r.Comm }},
	{Name: "NSPID", Help: "PID at every PID-namespace level, host first",
		Value: func(r ProcRow) any { return r.NSpid }},
	{Name: "CGROUP", Help: "cgroup path",
		Value: func(r ProcRow) any { return r.Cgroup }},
	{Name: "COMMAND", Help: "command line",
		Value: func(r ProcRow) any { return r.Command() }},
}

// DefaultProcessColumns are the member view's default columns: cinf's,
// with the cgroup before the command line so that a long command line
// does not push it off the screen.
var DefaultProcessColumns = []string{"PID", "PPID", "USER", "NAME", "CGROUP", "COMMAND"}

// selectColumns returns the columns named in names (case-insensitive; each
// entry may be a comma-separated list, and a leading "+" adds to the
// defaults, as lsns's -o +COL does). The error lists the valid names.
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
	names := make([]string, len(all))
	for i, c := range all {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// cellText formats a column value for a table cell: numbers in decimal,
// lists space-separated, text escaped, nil empty.
func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return Escape(v)
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
