package render

import (
	"fmt"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/scan"
)

// ownerForest draws user namespaces nested by parent and, under each, the
// shown namespaces of other types that it owns, as lsns --tree=owner does.
// Namespaces whose owner is out of reach are listed at the top.
//
// As in processForest, drawn guards against parent cycles from an
// inconsistent read: user namespaces that no top reaches are drawn at the
// top, and none is drawn twice.
type ownerForest struct {
	*treeBuilder
	owned map[uint64][]*scan.Namespace // shown non-user namespaces by owner inode
	drawn map[*scan.Namespace]bool
}

func (b *treeBuilder) ownerForest() *ownerForest {
	f := &ownerForest{treeBuilder: b, owned: map[uint64][]*scan.Namespace{}}
	for _, ns := range b.idx.Namespaces {
		if ns.Type != scan.User && b.showNS[ns] {
			owner := ns.Owner
			if b.idx.Lookup(scan.User, owner) == nil {
				owner = 0
			}
			f.owned[owner] = append(f.owned[owner], ns)
		}
	}
	return f
}

// tops yields the user namespaces to draw at the top: the top-level ones,
// then any that no other reaches.
func (f *ownerForest) tops() func(yield func(*scan.Namespace) bool) {
	f.drawn = map[*scan.Namespace]bool{}
	return func(yield func(*scan.Namespace) bool) {
		for _, u := range f.shownNamespaces(scan.User) {
			if f.topLevel(u) && !yield(u) {
				return
			}
		}
		for _, u := range f.shownNamespaces(scan.User) {
			if !f.drawn[u] && !yield(u) {
				return
			}
		}
	}
}

// childUsers are the shown, not yet drawn user namespaces whose parent is u.
func (f *ownerForest) childUsers(u *scan.Namespace) []*scan.Namespace {
	var kids []*scan.Namespace
	for _, c := range f.shownNamespaces(scan.User) {
		if c.Parent == u.Inode && !f.drawn[c] {
			kids = append(kids, c)
		}
	}
	return kids
}

func (f *ownerForest) nodes() []*treeNode {
	var out []*treeNode
	for u := range f.tops() {
		out = append(out, f.userNode(u))
	}
	for _, ns := range f.owned[0] {
		out = append(out, f.leaf(ns))
	}
	return out
}

func (f *ownerForest) userNode(u *scan.Namespace) *treeNode {
	f.drawn[u] = true
	n := f.leaf(u)
	for _, c := range f.childUsers(u) {
		if !f.drawn[c] {
			n.children = append(n.children, f.userNode(c))
		}
	}
	for _, ns := range f.owned[u.Inode] {
		n.children = append(n.children, f.leaf(ns))
	}
	return n
}

// leaf is a namespace's line with its lowest-PID process and command.
func (f *ownerForest) leaf(ns *scan.Namespace) *treeNode {
	n := &treeNode{}
	n.head, n.headLen = f.nsHead(ns)
	if p := ns.Leader(); p != nil {
		n.tail = fmt.Sprintf("(%d) %s", p.PID, Escape(p.Command()))
	}
	return n
}

func (f *ownerForest) objects() []object {
	var out []object
	for u := range f.tops() {
		out = append(out, f.userObject(u))
	}
	for _, ns := range f.owned[0] {
		out = append(out, f.leafObject(ns))
	}
	return out
}

func (f *ownerForest) userObject(u *scan.Namespace) object {
	f.drawn[u] = true
	kids := []object{}
	for _, c := range f.childUsers(u) {
		if !f.drawn[c] {
			kids = append(kids, f.userObject(c))
		}
	}
	for _, ns := range f.owned[u.Inode] {
		kids = append(kids, f.leafObject(ns))
	}
	return append(rowObject(f.nsCols, NSRow{Index: f.idx, Match: matchOf(u)}), field{"children", kids})
}

func (f *ownerForest) leafObject(ns *scan.Namespace) object {
	return append(rowObject(f.nsCols, NSRow{Index: f.idx, Match: matchOf(ns)}), field{"children", []object{}})
}

// matchOf wraps a namespace shown in a tree as a filter.Match.
func matchOf(ns *scan.Namespace) filter.Match {
	return filter.Match{Namespace: ns, Members: ns.Procs}
}
