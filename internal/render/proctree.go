package render

import (
	"slices"

	"github.com/nsview/nsview/internal/scan"
)

// processForest draws namespaces of type t with their processes nested by
// parentage, as pstree does with namespace boundaries marked. A nested
// namespace hangs under the process that created it (the parent of its
// init) when that process is shown, else under its parent namespace.
//
// A read of /proc across PID reuse can show parent cycles, which no root
// reaches: drawn remembers what was drawn, and whatever is left is drawn
// where it belongs (a namespace at the top, a process in its namespace),
// so that everything shows once and drawing ends.
type processForest struct {
	*treeBuilder
	t         scan.Type
	created   map[*scan.Process][]*scan.Namespace
	orphaned  map[*scan.Namespace][]*scan.Namespace
	tops      []*scan.Namespace
	drawnNS   map[*scan.Namespace]bool
	drawnProc map[*scan.Process]bool
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

// startDrawing forgets what was drawn and returns the namespaces to draw
// at the top: the top-level ones, then any no other reaches.
func (f *processForest) startDrawing() func(yield func(*scan.Namespace) bool) {
	f.drawnNS, f.drawnProc = map[*scan.Namespace]bool{}, map[*scan.Process]bool{}
	return func(yield func(*scan.Namespace) bool) {
		for _, ns := range f.tops {
			if !yield(ns) {
				return
			}
		}
		for _, ns := range f.shownNamespaces(f.t) {
			if !f.drawnNS[ns] && !yield(ns) {
				return
			}
		}
	}
}

// members are ns's shown members to draw at its top: its roots, then any
// member that no root reached.
func (f *processForest) members(ns *scan.Namespace) func(yield func(*scan.Process) bool) {
	return func(yield func(*scan.Process) bool) {
		for _, p := range f.roots(ns) {
			if !f.drawnProc[p] && !yield(p) {
				return
			}
		}
		for _, p := range ns.Procs {
			if f.showProc[p] && !f.drawnProc[p] && !yield(p) {
				return
			}
		}
	}
}

// nodes returns the text tree.
func (f *processForest) nodes() []*treeNode {
	var out []*treeNode
	for ns := range f.startDrawing() {
		out = append(out, f.nsNode(ns))
	}
	return out
}

func (f *processForest) nsNode(ns *scan.Namespace) *treeNode {
	f.drawnNS[ns] = true
	n := &treeNode{}
	n.head, n.headLen = f.nsHead(ns)
	for p := range f.members(ns) {
		n.children = append(n.children, f.procTree(p))
	}
	for _, child := range f.orphaned[ns] {
		if !f.drawnNS[child] {
			n.children = append(n.children, f.nsNode(child))
		}
	}
	return n
}

func (f *processForest) procTree(p *scan.Process) *treeNode {
	f.drawnProc[p] = true
	n := f.procNode(p)
	for _, c := range f.children(p) {
		if !f.drawnProc[c] {
			n.children = append(n.children, f.procTree(c))
		}
	}
	for _, ns := range f.created[p] {
		if !f.drawnNS[ns] {
			n.children = append(n.children, f.nsNode(ns))
		}
	}
	return n
}

// objects returns the JSON tree: each namespace with "children" (its
// nested namespaces) and "processes" (nested by parentage, each with
// "children").
func (f *processForest) objects() []object {
	var out []object
	for ns := range f.startDrawing() {
		out = append(out, f.nsObject(ns))
	}
	return out
}

func (f *processForest) nsObject(ns *scan.Namespace) object {
	f.drawnNS[ns] = true
	o := rowObject(f.nsCols, NSRow{Index: f.idx, Match: matchOf(ns)})
	procs := []object{}
	for p := range f.members(ns) {
		procs = append(procs, f.procObject(p))
	}
	kids := []object{}
	for _, child := range f.shownNamespaces(f.t) {
		if child.Parent == ns.Inode && !f.drawnNS[child] {
			kids = append(kids, f.nsObject(child))
		}
	}
	return append(o, field{"children", kids}, field{"processes", procs})
}

func (f *processForest) procObject(p *scan.Process) object {
	f.drawnProc[p] = true
	kids := []object{}
	for _, c := range f.children(p) {
		if !f.drawnProc[c] {
			kids = append(kids, f.procObject(c))
		}
	}
	return append(rowObject(f.procCols, ProcRow{Index: f.idx, Process: p}), field{"children", kids})
}
