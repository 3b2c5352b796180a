package render

import (
	"slices"

	"github.com/nsview/nsview/scan"
)

// processForest draws namespaces of type t with their processes nested by
// parentage, as pstree does with namespace boundaries marked. A nested
// namespace hangs under the process that created it (the parent of its
// init) when that process is shown, else under its parent namespace.
type processForest struct {
	*treeBuilder
	t        scan.Type
	created  map[*scan.Process][]*scan.Namespace
	orphaned map[*scan.Namespace][]*scan.Namespace
	tops     []*scan.Namespace
}

func (b *treeBuilder) processForest(t scan.Type) *processForest {
	f := &processForest{treeBuilder: b, t: t,
		created: map[*scan.Process][]*scan.Namespace{}, orphaned: map[*scan.Namespace][]*scan.Namespace{}}
	for _, ns := range b.shownNamespaces(t) {
		switch creator := f.creator(ns); {
		case b.topLevel(ns):
			f.tops = append(f.tops, ns)
		case creator != nil:
			f.created[creator] = append(f.created[creator], ns)
		default:
			parent := b.idx.Lookup(t, ns.Parent)
			f.orphaned[parent] = append(f.orphaned[parent], ns)
		}
	}
	return f
}

// roots are the shown members of ns whose parent is not a shown member.
func (f *processForest) roots(ns *scan.Namespace) []*scan.Process {
	var roots []*scan.Process
	for _, p := range ns.Procs {
		if !f.showProc[p] {
			continue
		}
		if parent := f.idx.Processes[p.PPID]; parent == nil || !f.showProc[parent] || parent.NS[f.t] != ns.Inode {
			roots = append(roots, p)
		}
	}
	return roots
}

// creator is the shown process in ns's parent namespace that started ns's
// init (the root whose innermost PID is 1, else the first root); nil if
// there is none.
func (f *processForest) creator(ns *scan.Namespace) *scan.Process {
	roots := f.roots(ns)
	if len(roots) == 0 {
		return nil
	}
	init := roots[0]
	if i := slices.IndexFunc(roots, func(p *scan.Process) bool { return len(p.NSpid) > 1 && p.NSpid[len(p.NSpid)-1] == 1 }); i >= 0 {
		init = roots[i]
	}
	creator := f.idx.Processes[init.PPID]
	if creator == nil || !f.showProc[creator] || creator.NS[f.t] != ns.Parent {
		return nil
	}
	return creator
}

// children are p's shown children in p's namespace.
func (f *processForest) children(p *scan.Process) []*scan.Process {
	var kids []*scan.Process
	for _, c := range f.treeBuilder.children[p.PID] {
		if c.NS[f.t] == p.NS[f.t] {
			kids = append(kids, c)
		}
	}
	return kids
}

// nodes returns the text tree.
func (f *processForest) nodes() []*treeNode {
	var out []*treeNode
	for _, ns := range f.tops {
		out = append(out, f.nsNode(ns))
	}
	return out
}

func (f *processForest) nsNode(ns *scan.Namespace) *treeNode {
	n := &treeNode{}
	n.head, n.headLen = f.nsHead(ns)
	for _, p := range f.roots(ns) {
		n.children = append(n.children, f.procTree(p))
	}
	for _, child := range f.orphaned[ns] {
		n.children = append(n.children, f.nsNode(child))
	}
	return n
}

func (f *processForest) procTree(p *scan.Process) *treeNode {
	n := f.procNode(p)
	for _, c := range f.children(p) {
		n.children = append(n.children, f.procTree(c))
	}
	for _, ns := range f.created[p] {
		n.children = append(n.children, f.nsNode(ns))
	}
	return n
}

// objects returns the JSON tree: each namespace with "children" (its
// nested namespaces) and "processes" (nested by parentage, each with
// "children").
func (f *processForest) objects() []object {
	var out []object
	for _, ns := range f.tops {
		out = append(out, f.nsObject(ns))
	}
	return out
}

func (f *processForest) nsObject(ns *scan.Namespace) object {
	o := rowObject(f.nsCols, NSRow{Index: f.idx, Match: matchOf(ns)})
	kids := []object{}
	for _, child := range f.shownNamespaces(f.t) {
		if child.Parent == ns.Inode && child != ns {
			kids = append(kids, f.nsObject(child))
		}
	}
	procs := []object{}
	for _, p := range f.roots(ns) {
		procs = append(procs, f.procObject(p))
	}
	return append(o, field{"children", kids}, field{"processes", procs})
}

func (f *processForest) procObject(p *scan.Process) object {
	kids := []object{}
	for _, c := range f.children(p) {
		kids = append(kids, f.procObject(c))
	}
	return append(rowObject(f.procCols, ProcRow{Index: f.idx, Process: p}), field{"children", kids})
}
