package filter

import (
	"github.com/nsview/nsview/internal/scan"
)

// Selection is what a view shows: the namespaces that passed the criteria,
// with their member processes, and in trees the namespaces and processes
// drawn around them for context. render prints it and decides nothing
// about what to show.
type Selection struct {
	Index   *scan.Index
	Kind    Kind
	Matches []Match
	// Shown and ShownProcs are set for trees: every namespace and process
	// drawn, the matches included.
	Shown      map[*scan.Namespace]bool
	ShownProcs map[*scan.Process]bool
}

// Select applies s to idx (see Apply) for a view of kind k (see KindOf)
// and adds, for trees, the context around the matches: the namespaces'
// parents (and for the ownership tree their owners), and with a PID the
// chain of its parent processes and their PID namespaces.
func Select(idx *scan.Index, s Spec, k Kind) (*Selection, error) {
	matches, err := Apply(idx, s)
	if err != nil {
		return nil, err
	}
	sel := &Selection{Index: idx, Kind: k, Matches: matches}
	if k.Tree() {
		sel.addContext(s.PID != 0)
	}
	return sel, nil
}

// addContext fills Shown and ShownProcs for a tree.
func (sel *Selection) addContext(processAncestors bool) {
	sel.Shown, sel.ShownProcs = map[*scan.Namespace]bool{}, map[*scan.Process]bool{}
	owners := sel.Kind == OwnerTree
	for _, m := range sel.Matches {
		sel.showWithAncestors(m.Namespace, owners)
		for _, p := range m.Members {
			sel.ShownProcs[p] = true
			for q := sel.Index.Processes[p.PPID]; processAncestors && q != nil && !sel.ShownProcs[q]; q = sel.Index.Processes[q.PPID] {
				sel.ShownProcs[q] = true
			}
		}
	}
	if processAncestors {
		for p := range sel.ShownProcs {
			sel.showWithAncestors(sel.Index.Lookup(scan.PID, p.NS[scan.PID]), false)
		}
	}
}

// showWithAncestors marks ns, its parents and, with owners, the user
// namespaces that own any of them.
func (sel *Selection) showWithAncestors(ns *scan.Namespace, owners bool) {
	for ns != nil && !sel.Shown[ns] {
		sel.Shown[ns] = true
		if owners && ns.Type != scan.User {
			sel.showWithAncestors(sel.Index.Lookup(scan.User, ns.Owner), true)
		}
		ns = sel.Index.Lookup(ns.Type, ns.Parent)
	}
}

// Described lists the processes whose details (command line, cgroup,
// NSpid) the view prints, for scan.Index.Describe: the processes drawn in
// a process tree and the lowest-PID process of each namespace drawn (its
// COMMAND in JSON), the members in a member list, else the lowest-PID
// process of each namespace shown.
func (sel *Selection) Described() []*scan.Process {
	var procs []*scan.Process
	switch sel.Kind {
	case PIDTree, MemberTree:
		for p := range sel.ShownProcs {
			procs = append(procs, p)
		}
		for ns := range sel.Shown {
			if p := ns.Leader(); p != nil {
				procs = append(procs, p)
			}
		}
	case Members, Processes:
		for _, m := range sel.Matches {
			procs = append(procs, m.Members...)
		}
	case OwnerTree:
		for ns := range sel.Shown {
			if p := ns.Leader(); p != nil {
				procs = append(procs, p)
			}
		}
	default:
		for _, m := range sel.Matches {
			if p := m.Leader(); p != nil {
				procs = append(procs, p)
			}
		}
	}
	return procs
}
