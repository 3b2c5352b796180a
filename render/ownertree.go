package render

import (
	"fmt"

	"github.com/nsview/nsview/filter"
	"github.com/nsview/nsview/scan"
)

// ownerForest draws user namespaces nested by parent and, under each, the
// shown namespaces of other types that it owns, as lsns --tree=owner does.
// Namespaces whose owner is out of reach are listed at the top.
type ownerForest struct {
	*treeBuilder
	owned map[uint64][]*scan.Namespace // shown non-user namespaces by owner inode
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

// tops are the top-level user namespaces and the namespaces without a
// known owner.
func (f *ownerForest) tops() (users, unowned []*scan.Namespace) {
	for _, u := range f.shownNamespaces(scan.User) {
		if f.topLevel(u) {
			users = append(users, u)
		}
	}
	return users, f.owned[0]
}

func (f *ownerForest) childUsers(u *scan.Namespace) []*scan.Namespace {
	var kids []*scan.Namespace
	for _, c := range f.shownNamespaces(scan.User) {
		if c.Parent == u.Inode && c != u {
			kids = append(kids, c)
		}
	}
	return kids
}

func (f *ownerForest) nodes() []*treeNode {
	users, unowned := f.tops()
	var out []*treeNode
	for _, u := range users {
		out = append(out, f.userNode(u))
	}
	for _, ns := range unowned {
		out = append(out, f.leaf(ns))
	}
	return out
}

func (f *ownerForest) userNode(u *scan.Namespace) *treeNode {
	n := f.leaf(u)
	for _, c := range f.childUsers(u) {
		n.children = append(n.children, f.userNode(c))
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
	users, unowned := f.tops()
	var out []object
	for _, u := range users {
		out = append(out, f.userObject(u))
	}
	for _, ns := range unowned {
		out = append(out, f.leafObject(ns))
	}
	return out
}

func (f *ownerForest) userObject(u *scan.Namespace) object {
	kids := []object{}
	for _, c := range f.childUsers(u) {
		kids = append(kids, f.userObject(c))
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
