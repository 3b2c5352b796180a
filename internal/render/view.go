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
	Raw             bool // libsmartcols's raw table: single spaces, cells escaped
	NoHeadings      bool
	Palette         Palette
	Width           int  // cut table cells and tree lines to this many cells; 0: no limit
	ASCII           bool // draw trees with ASCII, not box-drawing glyphs
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
	nsDefaults, procDefaults := defaultNamespaceColumns(opts.Types), defaultProcessColumns
	if k == filter.Processes {
		procDefaults = lsnsProcessColumns
	}
	if opts.AllColumns {
		nsDefaults, procDefaults = allNames(namespaceColumns), allNames(processColumns)
	}
	var err error
	if v.nsCols, err = chooseColumns(namespaceColumns, nsDefaults, nsNames, opts.JSON); err != nil {
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
		if v.procCols, err = chooseColumns(processColumns, procDefaults, procNames, opts.JSON || k.Tree()); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// chooseColumns selects the named columns, or with no names the defaults,
// or every column when all is set.
func chooseColumns[R any](cols []Column[R], defaults, names []string, all bool) ([]Column[R], error) {
	if len(names) == 0 && all {
		return cols, nil
	}
	return selectColumns(cols, defaults, names)
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

// Write prints the selection.
func (v *View) Write(w io.Writer, sel *filter.Selection) error {
	switch {
	case v.kind.Tree():
		return v.writeTree(w, sel)
	case v.kind == filter.Processes && v.opts.JSON:
		return writeDocument(w, rowObjects(v.procCols, procRows(sel)))
	case v.opts.JSON:
		return namespaceJSON(w, nsRows(sel), v.nsCols, v.procCols)
	case v.kind.MemberRows() && len(sel.Matches) == 1 && len(sel.Matches[0].Members) == 0:
		// A namespace without processes: say what holds it instead.
		return writeRows(w, holderColumns, holderRows(sel.Index, sel.Matches[0].Namespace), v.tableOptions())
	case v.kind.MemberRows():
		return writeRows(w, v.procCols, procRows(sel), v.tableOptions())
	}
	rows := nsRows(sel)
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
func procRows(sel *filter.Selection) []ProcRow {
	var procs []ProcRow
	for _, m := range sel.Matches {
		for _, p := range m.Members {
			procs = append(procs, ProcRow{Index: sel.Index, Process: p})
		}
	}
	return procs
}

func nsRows(sel *filter.Selection) []NSRow {
	rows := make([]NSRow, len(sel.Matches))
	for i, m := range sel.Matches {
		rows[i] = NSRow{Index: sel.Index, Match: m}
	}
	return rows
}

func (v *View) tableOptions() tableOptions {
	return tableOptions{NoHeadings: v.opts.NoHeadings, Raw: v.opts.Raw, Palette: v.opts.Palette, Width: v.opts.Width}
}

// writeTree builds the tree model once and prints it as text or JSON.
func (v *View) writeTree(w io.Writer, sel *filter.Selection) error {
	roots := buildTree(sel)
	if v.opts.JSON {
		return writeDocument(w, treeObjects(roots, sel, v.nsCols, v.procCols))
	}
	g := unicodeGlyphs
	if v.opts.ASCII {
		g = asciiGlyphs
	}
	t := &textTree{idx: sel.Index, palette: v.opts.Palette, glyphs: g, width: v.opts.Width,
		leaders: v.kind == filter.OwnerTree}
	return t.write(w, roots)
}
