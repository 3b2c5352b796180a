package snapshot

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/render"
	"github.com/nsview/nsview/internal/scan"
)

// Kinds of Change, as the text output marks them.
const (
	Added   = '+'
	Removed = '-'
	Changed = '~'
)

// Change is a namespace that one snapshot has and the other has not, or
// whose facts differ between them.
type Change struct {
	Kind byte // Added, Removed or Changed
	// Namespace is the namespace in the newer index, or in the older one
	// when it was removed; Index is that index.
	Namespace *scan.Namespace
	Index     *scan.Index
	Facts     []FactChange // for Changed: what differs
}

// FactChange is one fact of a namespace that differs.
type FactChange struct {
	Name          string
	Before, After any
}

// fact is something diff compares about a namespace present in both
// snapshots: a JSON value, compared by equality.
type fact struct {
	name  string
	value func(*scan.Namespace) any
}

// facts are what makes a namespace "changed": its number of processes,
// what holds it (as the HOLDERS column lists it) and the ID of its
// container ("" for none, or when the scan did not look).
var facts = []fact{
	{"nprocs", func(ns *scan.Namespace) any { return len(ns.Procs) }},
	{"holders", func(ns *scan.Namespace) any { return strings.Join(ns.Holders.Names(), ",") }},
	{"container", func(ns *scan.Namespace) any {
		if ns.Container == nil {
			return ""
		}
		return ns.Container.ID
	}},
}

// Diff compares the namespaces of two indexes, by type and inode, and
// returns the changes in the order of the views (by inode, then type).
func Diff(before, after *scan.Index) []Change {
	var changes []Change
	for _, ns := range after.Namespaces {
		old := before.Lookup(ns.Type, ns.Inode)
		if old == nil {
			changes = append(changes, Change{Kind: Added, Namespace: ns, Index: after})
			continue
		}
		if diffs := compareFacts(old, ns); diffs != nil {
			changes = append(changes, Change{Kind: Changed, Namespace: ns, Index: after, Facts: diffs})
		}
	}
	for _, ns := range before.Namespaces {
		if after.Lookup(ns.Type, ns.Inode) == nil {
			changes = append(changes, Change{Kind: Removed, Namespace: ns, Index: before})
		}
	}
	slices.SortStableFunc(changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.Namespace.Inode, b.Namespace.Inode), cmp.Compare(a.Namespace.Type, b.Namespace.Type))
	})
	return changes
}

func compareFacts(before, after *scan.Namespace) []FactChange {
	var diffs []FactChange
	for _, f := range facts {
		if b, a := f.value(before), f.value(after); b != a {
			diffs = append(diffs, FactChange{f.name, b, a})
		}
	}
	return diffs
}

// WriteDiffText writes one line per change: its mark, the namespace, its
// number of processes, its lowest PID and that PID's command (escaped),
// and for a change the facts that differ, as in
// "~ pid:[4026532300] 3 processes (301) sleep 1000 (nprocs 2 -> 3)".
func WriteDiffText(w io.Writer, changes []Change) error {
	var b strings.Builder
	for _, c := range changes {
		ns := c.Namespace
		fmt.Fprintf(&b, "%c %s %s", c.Kind, ns.Key(), render.Plural(len(ns.Procs), "process", "processes"))
		if p := ns.Leader(); p != nil {
			fmt.Fprintf(&b, " (%d) %s", p.PID, render.Escape(p.Command()))
		}
		if len(c.Facts) > 0 {
			parts := make([]string, len(c.Facts))
			for i, f := range c.Facts {
				parts[i] = fmt.Sprintf("%s %v -> %v", f.Name, f.Before, f.After)
			}
			fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// diffEntry is a change in the JSON output.
type diffEntry struct {
	Change    string          `json:"change"` // added, removed or changed
	Namespace json.RawMessage `json:"namespace"`
	Before    map[string]any  `json:"before,omitempty"`
	After     map[string]any  `json:"after,omitempty"`
}

var changeNames = map[byte]string{Added: "added", Removed: "removed", Changed: "changed"}

// WriteDiffJSON writes the changes as a JSON list of {"change",
// "namespace", "before", "after"}: the namespace is its object in
// nsview --json (from the newer snapshot, or the older one when removed),
// and a change's before and after hold the facts that differ. No change
// is an empty list.
//
// The namespace objects are the view's own, for every column, so that the
// diff shows namespaces as nsview --json does, whatever columns it gains.
func WriteDiffJSON(w io.Writer, changes []Change) error {
	view, err := render.NewView(filter.Namespaces, render.Options{JSON: true})
	if err != nil {
		return err
	}
	matches := map[*scan.Index]map[*scan.Namespace]filter.Match{}
	entries := make([]diffEntry, len(changes))
	for i, c := range changes {
		if matches[c.Index] == nil {
			if matches[c.Index], err = namespaceMatches(c.Index); err != nil {
				return err
			}
		}
		object, err := view.NamespaceObject(c.Index, matches[c.Index][c.Namespace])
		if err != nil {
			return err
		}
		e := diffEntry{Change: changeNames[c.Kind], Namespace: object}
		if len(c.Facts) > 0 {
			e.Before, e.After = map[string]any{}, map[string]any{}
			for _, f := range c.Facts {
				e.Before[f.Name], e.After[f.Name] = f.Before, f.After
			}
		}
		entries[i] = e
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(entries); err != nil {
		return err
	}
	_, err = w.Write(render.EscapeFormatRunes(buf.Bytes()))
	return err
}

// namespaceMatches returns the match of each namespace of idx, as
// nsview --json selects them.
func namespaceMatches(idx *scan.Index) (map[*scan.Namespace]filter.Match, error) {
	sel, err := filter.Select(idx, filter.Spec{}, filter.Namespaces)
	if err != nil {
		return nil, err
	}
	matches := make(map[*scan.Namespace]filter.Match, len(sel.Matches))
	for _, m := range sel.Matches {
		matches[m.Namespace] = m
	}
	return matches, nil
}
