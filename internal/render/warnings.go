package render

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/nsview/nsview/internal/scan"
)

// Warnings prints, in one line each, what the scan could not read: the
// processes it skipped, the places where holders of namespaces could not be
// looked for, the processes whose PID was reused before their details were
// read, containers it could not name and, when the view shows it, a partial
// hierarchy.
func Warnings(w io.Writer, idx *scan.Index, hierarchyShown, asRoot bool) {
	if s := idx.Skipped; s.Total() > 0 {
		var reasons []string
		for _, r := range []struct {
			n    int
			text string
		}{{s.Denied, "permission denied"}, {s.Gone, "exited or zombie"}, {s.Broken, "unreadable"}} {
			if r.n > 0 {
				reasons = append(reasons, fmt.Sprintf("%d %s", r.n, r.text))
			}
		}
		hint := ""
		if s.Denied > 0 && !asRoot {
			hint = "; run as root to see them"
		}
		fmt.Fprintf(w, "nsview: skipped %d of %d processes (%s)%s\n",
			s.Total(), s.Total()+len(idx.Processes), strings.Join(reasons, ", "), hint)
	}
	if len(idx.Misses) > 0 {
		fmt.Fprintf(w, "nsview: %s for namespaces that no process holds (first: %s)\n",
			Plural(len(idx.Misses), "place could not be searched", "places could not be searched"), Escape(idx.Misses[0].Error()))
	}
	if idx.Reused > 0 {
		fmt.Fprintf(w, "nsview: %s replaced by another process with the same PID after the scan; their details are unknown\n",
			Plural(idx.Reused, "process was", "processes were"))
	}
	if idx.ContainerErr != nil && slices.ContainsFunc(idx.Namespaces, func(ns *scan.Namespace) bool { return ns.Container != nil }) {
		fmt.Fprintf(w, "nsview: containers are named only as far as their cgroups tell: %s\n", Escape(idx.ContainerErr.Error()))
	}
	if hierarchyShown && idx.Partial {
		fmt.Fprintln(w, "nsview: namespace hierarchy is partial: the kernel did not tell some parents or owners, so they were inferred from the processes in /proc")
	}
}
