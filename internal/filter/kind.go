package filter

import (
	"slices"

	"github.com/nsview/nsview/internal/scan"
)

// Kind is the shape of a view: what its rows or nodes are. It is decided
// once, from the command line, by KindOf.
type Kind uint8

// The kinds of view.
const (
	// Namespaces is a table (or JSON list) with a row per namespace.
	Namespaces Kind = iota
	// Members lists the processes of the namespaces, a row each (-namespace).
	Members
	// PIDTree draws nested PID namespaces with their processes (--tree).
	PIDTree
	// MemberTree draws the processes of one namespace by parentage
	// (-namespace N --tree).
	MemberTree
	// OwnerTree draws user namespaces with the namespaces they own (--tree
	// with -t user or other types).
	OwnerTree
)

// KindOf decides the view kind from the command line (tree is --tree,
// members is -namespace) and returns it with the criteria it implies: the
// PID tree shows PID namespaces only, and the ownership tree of user
// namespaces (-t user) everything they own.
func KindOf(tree, members bool, s Spec) (Kind, Spec) {
	onlyUser := slices.Equal(s.Types, []scan.Type{scan.User})
	switch {
	case tree && members:
		return MemberTree, s
	case tree && (len(s.Types) == 0 || slices.Equal(s.Types, []scan.Type{scan.PID})):
		s.Types = []scan.Type{scan.PID}
		return PIDTree, s
	case tree && onlyUser:
		s.Types = nil
		return OwnerTree, s
	case tree:
		return OwnerTree, s
	case members:
		return Members, s
	}
	return Namespaces, s
}

// Tree reports whether k draws a tree.
func (k Kind) Tree() bool { return k == PIDTree || k == MemberTree || k == OwnerTree }

// ProcessRows reports whether k's rows or nodes are processes, shown with
// process columns, rather than namespaces.
func (k Kind) ProcessRows() bool { return k == Members || k == PIDTree || k == MemberTree }

// Needs is what the view kind reads whatever its columns: trees count
// members, show command lines and nest namespaces by parent or owner;
// process trees show NSpid and label the first process of each container.
func (k Kind) Needs() scan.Need {
	switch k {
	case Members:
		return scan.NeedMembers
	case PIDTree, MemberTree:
		return scan.NeedMembers | scan.NeedCmdline | scan.NeedHierarchy | scan.NeedNSpid | scan.NeedContainers
	case OwnerTree:
		return scan.NeedMembers | scan.NeedCmdline | scan.NeedHierarchy
	}
	return 0
}
