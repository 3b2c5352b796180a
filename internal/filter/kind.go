package filter

import (
	"fmt"
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
	// with -t user or other types, --tree=owner).
	OwnerTree
	// Processes lists the processes of one namespace, a row each, with
	// lsns's columns: a bare inode, as in `lsns INODE`.
	Processes
)

// TreeMode is what --tree asks for: no tree, nsview's own tree (--tree
// alone) or one of lsns's --tree=process|parent|owner.
type TreeMode uint8

// The tree modes.
const (
	TreeNone TreeMode = iota
	// TreeDefault is --tree with no value: nested PID namespaces, or with
	// other types than pid the ownership tree. (lsns's default is owner.)
	TreeDefault
	TreeProcess // --tree=process: processes nested by parentage
	TreeParent  // --tree=parent: namespaces under their parents
	TreeOwner   // --tree=owner: namespaces under the user namespace owning them
)

var treeModeNames = map[string]TreeMode{"process": TreeProcess, "parent": TreeParent, "owner": TreeOwner}

// ParseTreeMode parses the value of --tree=MODE.
func ParseTreeMode(s string) (TreeMode, error) {
	if m, ok := treeModeNames[s]; ok {
		return m, nil
	}
	return TreeNone, fmt.Errorf("unknown tree type %q (valid: process, parent, owner)", s)
}

// String returns the mode as --tree spells it; "" for TreeDefault.
func (m TreeMode) String() string {
	for name, mode := range treeModeNames {
		if mode == m {
			return name
		}
	}
	return ""
}

// InodeForm is how the command line named a namespace whose members to
// list, if it did.
type InodeForm uint8

// The ways to name a namespace.
const (
	NoInode       InodeForm = iota
	InodeOption             // -namespace INODE: nsview's (cinf's) member list
	InodeArgument           // a bare INODE: lsns's process list
)

// KindOf decides the view kind from the command line (tree is the --tree
// mode, inode says how a namespace was named, if it was) and
// returns it with the criteria it implies: the PID tree shows PID
// namespaces only, and the ownership tree of user namespaces (-t user)
// everything they own. lsns's tree modes map to the closest nsview tree:
// process to the PID tree (the member tree with an inode), parent like
// --tree alone, owner to the ownership tree.
func KindOf(tree TreeMode, inode InodeForm, s Spec) (Kind, Spec) {
	onlyUser := slices.Equal(s.Types, []scan.Type{scan.User})
	onlyPID := len(s.Types) == 0 || slices.Equal(s.Types, []scan.Type{scan.PID})
	switch {
	case tree != TreeNone && inode != NoInode:
		return MemberTree, s
	case tree == TreeProcess, (tree == TreeDefault || tree == TreeParent) && onlyPID:
		s.Types = []scan.Type{scan.PID}
		return PIDTree, s
	case tree != TreeNone && onlyUser:
		s.Types = nil
		return OwnerTree, s
	case tree != TreeNone:
		return OwnerTree, s
	case inode == InodeOption:
		return Members, s
	case inode == InodeArgument:
		return Processes, s
	}
	return Namespaces, s
}

// Tree reports whether k draws a tree.
func (k Kind) Tree() bool { return k == PIDTree || k == MemberTree || k == OwnerTree }

// ProcessRows reports whether k's rows or nodes are processes, shown with
// process columns, rather than namespaces.
func (k Kind) ProcessRows() bool {
	return k == Members || k == PIDTree || k == MemberTree || k == Processes
}

// MemberRows reports whether k's rows are the members of one namespace,
// so that -o names process columns.
func (k Kind) MemberRows() bool { return k == Members || k == MemberTree || k == Processes }

// Needs is what the view kind reads whatever its columns: trees count
// members, show command lines and nest namespaces by parent or owner;
// process trees show NSpid and label the first process of each container.
// Rows and trees of processes need every process's stat: they show more
// processes than each namespace's lowest PID, and trees nest them, and
// with -pid the process's ancestors, by PPID.
func (k Kind) Needs() scan.Need {
	switch k {
	case Members, Processes:
		return scan.NeedMembers | scan.NeedStat
	case PIDTree, MemberTree:
		return scan.NeedMembers | scan.NeedStat | scan.NeedCmdline | scan.NeedHierarchy | scan.NeedNSpid | scan.NeedContainers
	case OwnerTree:
		return scan.NeedMembers | scan.NeedStat | scan.NeedLeaderCmdline | scan.NeedHierarchy
	}
	return 0
}
