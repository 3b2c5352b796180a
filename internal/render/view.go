package render

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/scan"
)

// ViewOptions say which view to draw and how.
type ViewOptions struct {
	Members    bool     // list member processes (-namespace) instead of namespaces
	JSON       bool     // JSON instead of a table
	Columns    []string // -o values; empty for the defaults
	NoHeadings bool
	Palette    Palette
	Width      int // cut table cells and tree lines to this many characters; 0: no limit

	// Tree draws a tree instead of a table: with Members, the members of
	// one namespace by parentage; else with Types empty or only pid, the
	// PID-namespace tree with its processes; else the ownership tree of
	// user namespaces and the namespaces they own.
	Tree  bool
	Types []scan.Type // the -t types, which choose the tree
	ASCII bool        // draw the tree with ASCII, not box-drawing glyphs
	// Context adds to a tree the ancestors of the matched processes (for
	// -pid: the path from the initial namespaces down to the process).
	Context bool
}

// View is one way of printing a filtered index, with its columns chosen.
type View struct {
	w        io.Writer
	opts     ViewOptions
	nsCols   []Column[NSRow]
	procCols []Column[ProcRow]
}

// NewView checks the options and chooses the columns. Its errors are about
// the options (such as an unknown column) and name the accepted values.
func NewView(w io.Writer, opts ViewOptions) (*View, error) {
	v := &View{w: w, opts: opts}
	var err error
	nsNames, procNames := opts.Columns, []string(nil)
	if opts.Members {
		nsNames, procNames = nil, opts.Columns
	}
	if len(nsNames) == 0 && opts.JSON {
		v.nsCols = NamespaceColumns
	} else if v.nsCols, err = selectColumns(NamespaceColumns, DefaultNamespaceColumns, nsNames); err != nil {
		return nil, err
	}
	if opts.Members {
		if len(procNames) == 0 && opts.JSON {
			v.procCols = ProcessColumns
		} else if v.procCols, err = selectColumns(ProcessColumns, DefaultProcessColumns, procNames); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// countFreeColumns can be answered from one process's /proc entry.
var countFreeColumns = []string{"NS", "TYPE", "PNS", "ONS", "LEVEL", "OUID", "NETNSID", "NSFS"}

// ScanOptions says what the scan of root must read for this view: only
// the process pid when the view needs no counts, and the hierarchy, nsfs
// mounts and network namespace IDs only when it shows them.
func (v *View) ScanOptions(root string, pid int) scan.Options {
	opts := scan.Options{Root: root, Hierarchy: v.opts.Tree, HierarchyTypes: v.hierarchyTypes()}
	allProcs := v.opts.Members || v.opts.Tree
	for _, c := range v.nsCols {
		switch c.Name {
		case "PNS", "ONS", "LEVEL", "OUID":
			opts.Hierarchy = true
		case "NSFS":
			opts.NSFS = true
		case "NETNSID":
			opts.NetNSID = true
		}
		allProcs = allProcs || !slices.Contains(countFreeColumns, c.Name)
	}
	if !allProcs {
		opts.OnlyPID = pid
	}
	return opts
}

// Details says which process details (see scan.Index.Describe) the view
// prints.
func (v *View) Details() scan.Details {
	var d scan.Details
	if v.opts.Members || v.processTree() {
		if v.opts.JSON {
			return scan.Details{Cmdline: true, Cgroup: true, NSpid: true}
		}
		for _, c := range v.procCols {
			d.Cmdline = d.Cmdline || c.Name == "COMMAND"
			d.Cgroup = d.Cgroup || c.Name == "CGROUP"
			d.NSpid = d.NSpid || c.Name == "NSPID"
		}
		if v.processTree() {
			d.Cmdline, d.NSpid = true, true
		}
		return d
	}
	d.Cmdline = v.opts.Tree || slices.ContainsFunc(v.nsCols, func(c Column[NSRow]) bool { return c.Name == "COMMAND" })
	return d
}

// hierarchyTypes are the types whose parents and owners the view shows:
// pid alone for the PID tree, the user namespaces and the owned types for
// the ownership tree, the -t types for tables (nil: all types).
func (v *View) hierarchyTypes() []scan.Type {
	switch {
	case v.processTree() && !v.opts.Members:
		return []scan.Type{scan.PID}
	case len(v.opts.Types) == 0 || (v.opts.Tree && slices.Equal(v.opts.Types, []scan.Type{scan.User})):
		return nil
	case v.opts.Tree:
		return append(slices.Clone(v.opts.Types), scan.User)
	}
	return v.opts.Types
}

// ProcessesShown lists the processes whose details (see Details) the view
// prints, for scan.Index.Describe.
func (v *View) ProcessesShown(idx *scan.Index, matches []filter.Match) []*scan.Process {
	var procs []*scan.Process
	if v.processTree() {
		for p := range v.treeBuilder(idx, matches).showProc {
			procs = append(procs, p)
		}
		return procs
	}
	for _, m := range matches {
		if v.opts.Members {
			procs = append(procs, m.Members...)
		} else if p := m.Leader(); p != nil {
			procs = append(procs, p)
		}
	}
	if v.opts.Tree { // ownership tree: leaders of ancestors too
		for ns := range v.treeBuilder(idx, matches).showNS {
			if p := ns.Leader(); p != nil {
				procs = append(procs, p)
			}
		}
	}
	return procs
}

// processTree reports whether the view is a tree of processes (the PID
// tree or a namespace's members) rather than of namespaces.
func (v *View) processTree() bool {
	return v.opts.Tree && (v.opts.Members || len(v.opts.Types) == 0 ||
		(len(v.opts.Types) == 1 && v.opts.Types[0] == scan.PID))
}

// treeBuilder selects what the tree shows. Its JSON objects have the
// view's columns, and every process column unless -o chose them.
func (v *View) treeBuilder(idx *scan.Index, matches []filter.Match) *treeBuilder {
	b := newTreeBuilder(idx, matches, v.opts.Palette, !v.processTree(), v.opts.Context)
	b.nsCols, b.procCols = v.nsCols, v.procCols
	if b.procCols == nil {
		b.procCols = ProcessColumns
	}
	return b
}

// writeTree draws the tree view as text or JSON.
func (v *View) writeTree(idx *scan.Index, matches []filter.Match) error {
	b := v.treeBuilder(idx, matches)
	var f interface {
		nodes() []*treeNode
		objects() []object
	}
	switch {
	case v.opts.Members:
		f = b.processForest(matches[0].Type)
	case v.processTree():
		f = b.processForest(scan.PID)
	default:
		f = b.ownerForest()
	}
	if v.opts.JSON {
		return writeDocument(v.w, f.objects())
	}
	g := unicodeGlyphs
	if v.opts.ASCII {
		g = asciiGlyphs
	}
	return writeTree(v.w, f.nodes(), g, v.opts.Width)
}

// Write prints the view of matches.
func (v *View) Write(idx *scan.Index, matches []filter.Match) error {
	rows := make([]NSRow, len(matches))
	for i, m := range matches {
		rows[i] = NSRow{Index: idx, Match: m}
	}
	tableOpts := tableOptions{NoHeadings: v.opts.NoHeadings, Palette: v.opts.Palette, Width: v.opts.Width}
	switch {
	case v.opts.Tree:
		return v.writeTree(idx, matches)
	case v.opts.JSON:
		return namespaceJSON(v.w, rows, v.nsCols, v.procCols)
	case v.opts.Members:
		var procs []ProcRow
		for _, m := range matches {
			for _, p := range m.Members {
				procs = append(procs, ProcRow{Index: idx, Process: p})
			}
		}
		return processTable(v.w, procs, v.procCols, tableOpts)
	}
	return namespaceTable(v.w, rows, v.nsCols, tableOpts)
}

// ListColumns prints the columns of both views with their meanings.
func ListColumns(w io.Writer) error {
	var b strings.Builder
	b.WriteString("Namespace columns (default view, -pid, --json):\n")
	for _, c := range NamespaceColumns {
		fmt.Fprintf(&b, "%10s  %s\n", c.Name, c.Help)
	}
	b.WriteString("\nProcess columns (-namespace INODE):\n")
	for _, c := range ProcessColumns {
		fmt.Fprintf(&b, "%10s  %s\n", c.Name, c.Help)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
