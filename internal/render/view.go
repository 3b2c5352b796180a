package render

import (
	"io"
	"slices"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/scan"
)

// Options say how to print a view.
type Options struct {
	JSON bool // JSON instead of a table or a text tree
	// Columns are the -o values; none give the defaults (every column in
	// JSON). They choose process columns in the member views, else
	// namespace columns.
	Columns []string
	// AllColumns makes every column the default (--output-all); -o +COLS
	// then adds to all of them, as in lsns.
	AllColumns bool
	// Types are the -t types: they choose the default namespace columns
	// (-t net adds NETNSID and NSFS, as in lsns).
	Types []scan.Type
	// ChosenProcesses says the rows are the namespaces of processes chosen
	// by -pid, -c or --pod: INITIAL joins the default columns.
	ChosenProcesses bool
	// Hosts says the rows come from snapshots of several hosts: HOST leads
	// the default columns and is a JSON key. Otherwise it is left out of
	// the defaults and of JSON.
	Hosts      bool
	Raw        bool // libsmartcols's raw table: single spaces, cells escaped
	NoHeadings bool
	Palette    Palette
	Width      int  // cut table cells and tree lines to this many cells; 0: no limit
	ASCII      bool // draw trees with ASCII, not box-drawing glyphs
}

// View prints selections of one kind with the columns it chose.
type View struct {
	kind     filter.Kind
	opts     Options
	nsCols   []Column[NSRow]
	procCols []Column[ProcRow] // nil when the view shows no processes
	// dropEmpty lists the default columns that a table leaves out when no
	// row has a value (CONTAINER and POD on a host without containers).
	dropEmpty []string
}

// NewView checks the options and chooses the columns of a view of kind k.
// Its errors are about the options (such as an unknown column) and name
// the accepted values.
func NewView(k filter.Kind, opts Options) (*View, error) {
	v := &View{kind: k, opts: opts}
	nsNames, procNames := opts.Columns, []string(nil)
	if k.MemberRows() {
		nsNames, procNames = nil, opts.Columns
	}
	nsAll, procAll := withHost(namespaceColumns, opts.Hosts), withHost(processColumns, opts.Hosts)
	nsDefaults, procDefaults := defaultNamespaceColumns(opts.Types), defaultProcessColumns
	if k == filter.Processes {
		procDefaults = lsnsProcessColumns
	}
	if opts.Hosts {
		nsDefaults, procDefaults = append([]string{hostColumn}, nsDefaults...), append([]string{hostColumn}, procDefaults...)
	}
	if opts.AllColumns {
		nsDefaults, procDefaults = allNames(nsAll), allNames(procAll)
	}
	var err error
	if v.nsCols, err = chooseColumns(namespaceColumns, nsAll, nsDefaults, nsNames, opts.JSON); err != nil {
		return nil, err
	}
	if k == filter.Namespaces && len(nsNames) == 0 && !opts.JSON && !opts.AllColumns {
		extra := foundNamespaceColumns
		if opts.ChosenProcesses {
			extra = append(slices.Clone(chosenProcessColumns), extra...)
		}
		more, _ := selectColumns(namespaceColumns, nil, extra)
		v.nsCols, v.dropEmpty = append(v.nsCols, more...), foundNamespaceColumns
	}
	if k.ProcessRows() {
		if v.procCols, err = chooseColumns(processColumns, procAll, procDefaults, procNames, opts.JSON || k.Tree()); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// chooseColumns selects the named columns of cols, or with no names the
// defaults, or allCols when all is set.
func chooseColumns[R any](cols, allCols []Column[R], defaults, names []string, all bool) ([]Column[R], error) {
	if len(names) == 0 && all {
		return allCols, nil
	}
	return selectColumns(cols, defaults, names)
}

// hostColumn names the host of a row, which only views of several hosts'
// snapshots show unless -o names it.
const hostColumn = "HOST"

// withHost is cols, without HOST unless hosts is set.
func withHost[R any](cols []Column[R], hosts bool) []Column[R] {
	if hosts {
		return cols
	}
	return slices.DeleteFunc(slices.Clone(cols), func(c Column[R]) bool { return c.Name == hostColumn })
}

// Needs is what the scan must read for the view: what its kind needs and
// what the columns it prints need.
func (v *View) Needs() scan.Need {
	n := v.kind.Needs()
	switch {
	case v.kind == filter.Namespaces || (v.opts.JSON && v.kind == filter.OwnerTree):
		n |= columnsNeed(v.nsCols)
	case v.kind == filter.Members && !v.opts.JSON, v.kind == filter.Processes:
		n |= columnsNeed(v.procCols)
	case v.opts.JSON:
		n |= columnsNeed(v.nsCols) | columnsNeed(v.procCols)
	}
	return n
}

// Write prints the selections, one per host (several come from snapshots
// of several hosts): their rows in one table or document, their trees one
// after another.
func (v *View) Write(w io.Writer, sels ...*filter.Selection) error {
	switch {
	case v.kind.Tree():
		return v.writeTrees(w, sels)
	case v.kind == filter.Processes && v.opts.JSON:
		return writeDocument(w, rowObjects(v.procCols, procRows(sels)))
	case v.opts.JSON:
		return namespaceJSON(w, nsRows(sels), v.nsCols, v.procCols)
	case v.kind.MemberRows() && len(sels) == 1 && len(sels[0].Matches) == 1 && len(sels[0].Matches[0].Members) == 0:
		// A namespace without processes: say what holds it instead.
		return writeRows(w, holderColumns, holderRows(sels[0].Index, sels[0].Matches[0].Namespace), v.tableOptions())
	case v.kind.MemberRows():
		return writeRows(w, v.procCols, procRows(sels), v.tableOptions())
	}
	rows := nsRows(sels)
	return writeRows(w, withoutEmpty(v.nsCols, rows, v.dropEmpty), rows, v.tableOptions())
}

// withoutEmpty is cols without the columns named in drop that have no
// value in any row.
func withoutEmpty[R any](cols []Column[R], rows []R, drop []string) []Column[R] {
	kept := make([]Column[R], 0, len(cols))
	for _, c := range cols {
		if !slices.Contains(drop, c.Name) || slices.ContainsFunc(rows, func(r R) bool { return c.Value(r) != nil }) {
			kept = append(kept, c)
		}
	}
	return kept
}

// writeRows prints rows as a table, or in raw format.
func writeRows[R any](w io.Writer, cols []Column[R], rows []R, opts tableOptions) error {
	if opts.Raw {
		return writeRaw(w, cols, rows, opts.NoHeadings)
	}
	return writeTable(w, cols, rows, opts)
}

// procRows are the members of every match, a row each.
func procRows(sels []*filter.Selection) []ProcRow {
	var procs []ProcRow
	for _, sel := range sels {
		for _, m := range sel.Matches {
			for _, p := range m.Members {
				procs = append(procs, ProcRow{Index: sel.Index, Process: p})
			}
		}
	}
	return procs
}

func nsRows(sels []*filter.Selection) []NSRow {
	var rows []NSRow
	for _, sel := range sels {
		for _, m := range sel.Matches {
			rows = append(rows, NSRow{Index: sel.Index, Match: m})
		}
	}
	return rows
}

func (v *View) tableOptions() tableOptions {
	return tableOptions{NoHeadings: v.opts.NoHeadings, Raw: v.opts.Raw, Palette: v.opts.Palette, Width: v.opts.Width}
}

// writeTrees builds the tree model of each selection once and prints them
// as text, one after another, or as one JSON document.
func (v *View) writeTrees(w io.Writer, sels []*filter.Selection) error {
	if v.opts.JSON {
		var objects []object
		for _, sel := range sels {
			objects = append(objects, treeObjects(buildTree(sel), sel, v.nsCols, v.procCols)...)
		}
		return writeDocument(w, objects)
	}
	g := unicodeGlyphs
	if v.opts.ASCII {
		g = asciiGlyphs
	}
	for _, sel := range sels {
		t := &textTree{idx: sel.Index, palette: v.opts.Palette, glyphs: g, width: v.opts.Width,
			leaders: v.kind == filter.OwnerTree}
		if err := t.write(w, buildTree(sel)); err != nil {
			return err
		}
	}
	return nil
}
