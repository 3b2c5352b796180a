package render

import (
	"slices"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/scan"
)

// treeNode is a node of the tree model that both tree writers print: a
// namespace with the namespaces below it and the processes at its top, or
// a process with its children. It is built once per view (buildTree).
type treeNode struct {
	ns   *scan.Namespace // set for a namespace node
	proc *scan.Process   // set for a process node
	// children are, under a namespace, its child namespaces (and in the
	// ownership tree the namespaces it owns), in index order; under a
	// process, its child processes in the same namespace.
	children []*treeNode
	procs    []*treeNode // a namespace's processes whose parent is not shown inside it
	// creator is the process that started this namespace's init, drawn
	// in the text tree as the parent of the namespace; nil when it is not
	// shown (the namespace then hangs under its parent namespace).
	creator *scan.Process
}

// buildTree arranges a tree selection: the PID tree and the member tree
// nest namespaces by parent with their processes by parentage; the
// ownership tree nests user namespaces with what they own.
func buildTree(sel *filter.Selection) []*treeNode {
	switch sel.Kind {
	case filter.OwnerTree:
		return buildOwnerTree(sel)
	case filter.MemberTree:
		return buildProcessTree(sel, sel.Matches[0].Type)
	}
	return buildProcessTree(sel, scan.PID)
}

// shownOfType lists the shown namespaces of type t in index order.
func shownOfType(sel *filter.Selection, t scan.Type) []*scan.Namespace {
	var list []*scan.Namespace
	for _, ns := range sel.Index.Namespaces {
		if ns.Type == t && sel.Shown[ns] {
			list = append(list, ns)
		}
	}
	return list
}

// topLevel reports whether ns has no shown parent of its own type.
func topLevel(sel *filter.Selection, ns *scan.Namespace) bool {
	parent := sel.Index.Lookup(ns.Type, ns.Parent)
	return parent == nil || !sel.Shown[parent]
}

// processTree builds the nodes of namespaces of one type with their
// processes. A read of /proc across PID reuse can show parent cycles,
// which no top reaches: built remembers what is in the tree, and whatever
// is left is added where it belongs (a namespace at the top, a process in
// its namespace), so that everything shows once and building ends.
type processTree struct {
	sel       *filter.Selection
	t         scan.Type
	shown     []*scan.Namespace       // shown namespaces of type t
	children  map[int][]*scan.Process // shown processes by parent PID
	builtNS   map[*scan.Namespace]bool
	builtProc map[*scan.Process]bool
}

func buildProcessTree(sel *filter.Selection, t scan.Type) []*treeNode {
	b := &processTree{sel: sel, t: t, shown: shownOfType(sel, t), children: map[int][]*scan.Process{},
		builtNS: map[*scan.Namespace]bool{}, builtProc: map[*scan.Process]bool{}}
	for p := range sel.ShownProcs {
		b.children[p.PPID] = append(b.children[p.PPID], p)
	}
	for _, kids := range b.children {
		slices.SortFunc(kids, func(a, b *scan.Process) int { return a.PID - b.PID })
	}
	var tops []*treeNode
	for _, ns := range b.shown {
		if topLevel(sel, ns) {
			tops = append(tops, b.namespace(ns))
		}
	}
	for _, ns := range b.shown {
		if !b.builtNS[ns] {
			tops = append(tops, b.namespace(ns))
		}
	}
	return tops
}

func (b *processTree) namespace(ns *scan.Namespace) *treeNode {
	b.builtNS[ns] = true
	roots := b.roots(ns)
	n := &treeNode{ns: ns, creator: b.creator(ns, roots)}
	for _, p := range roots {
		if !b.builtProc[p] {
			n.procs = append(n.procs, b.process(p))
		}
	}
	for _, p := range ns.Procs { // members no root reached
		if b.sel.ShownProcs[p] && !b.builtProc[p] {
			n.procs = append(n.procs, b.process(p))
		}
	}
	for _, child := range b.shown {
		if child.Parent == ns.Inode && !b.builtNS[child] {
			n.children = append(n.children, b.namespace(child))
		}
	}
	return n
}

func (b *processTree) process(p *scan.Process) *treeNode {
	b.builtProc[p] = true
	n := &treeNode{proc: p}
	for _, c := range b.children[p.PID] {
		if c.NS[b.t] == p.NS[b.t] && !b.builtProc[c] {
			n.children = append(n.children, b.process(c))
		}
	}
	return n
}

// roots are the shown members of ns whose parent is not a shown member.
func (b *processTree) roots(ns *scan.Namespace) []*scan.Process {
	var roots []*scan.Process
	for _, p := range ns.Procs {
		if !b.sel.ShownProcs[p] {
			continue
		}
		if parent := b.sel.Index.Processes[p.PPID]; parent == nil || !b.sel.ShownProcs[parent] || parent.NS[b.t] != ns.Inode {
			roots = append(roots, p)
		}
	}
	return roots
}

// creator is the shown process in ns's parent namespace that started ns's
// init (of ns's roots, the one whose innermost PID is 1, else the first);
// nil if there is none.
func (b *processTree) creator(ns *scan.Namespace, roots []*scan.Process) *scan.Process {
	if len(roots) == 0 || topLevel(b.sel, ns) {
		return nil
	}
	init := roots[0]
	if i := slices.IndexFunc(roots, func(p *scan.Process) bool { return len(p.NSpid) > 1 && p.NSpid[len(p.NSpid)-1] == 1 }); i >= 0 {
		init = roots[i]
	}
	creator := b.sel.Index.Processes[init.PPID]
	if creator == nil || !b.sel.ShownProcs[creator] || creator.NS[b.t] != ns.Parent {
		return nil
	}
	return creator
}

// ownerTree builds the nodes of user namespaces nested by parent, each
// with the shown namespaces of other types that it owns, as lsns
// --tree=owner does. Namespaces whose owner is not in the index come last
// at the top. As in processTree, built guards against parent cycles.
type ownerTree struct {
	sel   *filter.Selection
	users []*scan.Namespace            // shown user namespaces
	owned map[uint64][]*scan.Namespace // shown other namespaces by owner inode; 0: owner unknown
	built map[*scan.Namespace]bool
}

func buildOwnerTree(sel *filter.Selection) []*treeNode {
	b := &ownerTree{sel: sel, users: shownOfType(sel, scan.User), owned: map[uint64][]*scan.Namespace{},
		built: map[*scan.Namespace]bool{}}
	for _, ns := range sel.Index.Namespaces {
		if ns.Type != scan.User && sel.Shown[ns] {
			owner := ns.Owner
			if sel.Index.Lookup(scan.User, owner) == nil {
				owner = 0
			}
			b.owned[owner] = append(b.owned[owner], ns)
		}
	}
	var tops []*treeNode
	for _, u := range b.users {
		if topLevel(sel, u) {
			tops = append(tops, b.user(u))
		}
	}
	for _, u := range b.users {
		if !b.built[u] {
			tops = append(tops, b.user(u))
		}
	}
	for _, ns := range b.owned[0] {
		tops = append(tops, &treeNode{ns: ns})
	}
	return tops
}

func (b *ownerTree) user(u *scan.Namespace) *treeNode {
	b.built[u] = true
	n := &treeNode{ns: u}
	for _, c := range b.users {
		if c.Parent == u.Inode && !b.built[c] {
			n.children = append(n.children, b.user(c))
		}
	}
	for _, ns := range b.owned[u.Inode] {
		n.children = append(n.children, &treeNode{ns: ns})
	}
	return n
}
