package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/scan"
)

// dotCommandWidth is how many cells of a leader's command line a DOT
// label keeps: graphs are read at a glance, and a full command line
// would make one node as wide as the page.
const dotCommandWidth = 40

// DotSelection returns the view kind and criteria of --dot, given the
// command line's criteria s: the ownership tree's selection (the
// namespaces asked for, with their parents and the user namespaces that
// own them), of PID and user namespaces unless -t names types.
func DotSelection(s filter.Spec) (filter.Kind, filter.Spec) {
	if len(s.Types) == 0 {
		s.Types = []scan.Type{scan.PID, scan.User}
	}
	return filter.OwnerTree, s
}

// WriteDot prints the namespaces a selection shows as a Graphviz DOT
// digraph: a node per namespace, labelled with its type and inode, its
// number of processes and its lowest PID with that process's command; a
// solid edge from each parent namespace to its child, and a dashed edge
// from each user namespace to the namespaces it owns. It draws what
// sel.Shown holds (a tree selection, see DotSelection), in index order.
func WriteDot(w io.Writer, sel *filter.Selection) error {
	out := bufio.NewWriter(w)
	out.WriteString("digraph namespaces {\n" +
		"\tnode [shape=box, fontname=\"monospace\", fontsize=10];\n" +
		"\tedge [arrowsize=0.7];\n")
	var shown []*scan.Namespace
	for _, ns := range sel.Index.Namespaces {
		if sel.Shown[ns] {
			shown = append(shown, ns)
			fmt.Fprintf(out, "\t%s [label=%s%s];\n", dotID(ns), dotString(dotLabel(ns)), dotStyle(ns))
		}
	}
	for _, ns := range shown {
		if parent := sel.Index.Lookup(ns.Type, ns.Parent); parent != nil && sel.Shown[parent] {
			fmt.Fprintf(out, "\t%s -> %s;\n", dotID(parent), dotID(ns))
		}
		if owner := sel.Index.Lookup(scan.User, ns.Owner); ns.Type != scan.User && owner != nil && sel.Shown[owner] {
			fmt.Fprintf(out, "\t%s -> %s [style=dashed];\n", dotID(owner), dotID(ns))
		}
	}
	out.WriteString("}\n")
	return out.Flush()
}

// dotID is a node's identifier: its type and inode, "pid_4026531836".
func dotID(ns *scan.Namespace) string { return fmt.Sprintf("%s_%d", ns.Type, ns.Inode) }

// dotLabel is a node's text, one fact a line: "pid:[4026532300]",
// "2 processes", "(301) nginx: master process", as the ownership tree
// writes a leader.
func dotLabel(ns *scan.Namespace) string {
	lines := []string{ns.Key().String(), Plural(len(ns.Procs), "process", "processes")}
	if p := ns.Leader(); p != nil {
		lines = append(lines, fmt.Sprintf("(%d) %s", p.PID, Truncate(Escape(p.Command()), dotCommandWidth)))
	}
	return strings.Join(lines, "\n")
}

// dotStyle sets a node's attributes beyond its label: user namespaces
// have rounded corners, and the initial namespaces a double border.
func dotStyle(ns *scan.Namespace) string {
	var attrs string
	if ns.Type == scan.User {
		attrs += ", style=rounded"
	}
	if ns.Initial {
		attrs += ", peripheries=2"
	}
	return attrs
}

// dotString quotes s as a DOT string. Inside quotes DOT gives meaning
// only to the quote and the backslash (its escapes such as \n and \l),
// so both are escaped and a newline becomes DOT's line break \n. Escape
// has already made control characters visible, so no other byte needs
// care.
func dotString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
