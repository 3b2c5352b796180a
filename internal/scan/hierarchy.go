package scan

import (
	"errors"
	"slices"

	"golang.org/x/sys/unix"
)

// resolveHierarchy sets Parent, Owner, OwnerUID and Level of every
// namespace. It asks the kernel through ioctl_ns(2) on each namespace's
// file; ancestors that hold no process are added to the index. Where the
// kernel refuses or the tree is not a live procfs (a fixture), it falls back
// to what /proc shows: the namespaces of the processes' parents. Any
// fallback sets idx.Partial. With types, only namespaces of those types
// are resolved (with their ancestors and owners).
func (idx *Index) resolveHierarchy(types []Type) {
	// Iterate over a copy: resolving appends ancestors to idx.Namespaces.
	for _, ns := range append([]*Namespace(nil), idx.Namespaces...) {
		if len(ns.Procs) == 0 {
			continue // an ancestor, resolved when it was found
		}
		if types != nil && !slices.Contains(types, ns.Type) {
			continue
		}
		if err := idx.resolveFromKernel(ns); err != nil {
			idx.Partial = true
			idx.resolveFromProcesses(ns)
		}
	}
	for _, ns := range idx.Namespaces {
		idx.setLevel(ns)
	}
}

// resolveFromKernel opens ns (see openNamespace) and resolves it from its
// file (resolveFromFile).
func (idx *Index) resolveFromKernel(ns *Namespace) error {
	fd, err := idx.openNamespace(ns)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return idx.resolveFromFile(ns, fd)
}

// resolveFromFile asks the kernel for ns's owner and, for pid and user
// namespaces, its parent; ancestors not yet indexed are added and resolved
// in turn.
func (idx *Index) resolveFromFile(ns *Namespace, fd int) error {
	var err error
	ns.Owner, err = idx.related(fd, unix.NS_GET_USERNS, User)
	if err != nil {
		return err
	}
	if ns.Type == User {
		if uid, err := unix.IoctlGetUint32(fd, unix.NS_GET_OWNER_UID); err == nil {
			ns.OwnerUID = int64(uid)
		}
	}
	if ns.Type == PID || ns.Type == User {
		ns.Parent, err = idx.related(fd, unix.NS_GET_PARENT, ns.Type)
	}
	idx.fillOutOfReach(ns)
	return err
}

// fillOutOfReach handles what the kernel would not say: it answers EPERM
// both for the initial namespace and for a parent or owner outside the
// caller's reach (nsview inside a container, reading the host's procfs).
// Where /proc shows a parent or owner anyway, it is taken, and the
// hierarchy is marked partial.
func (idx *Index) fillOutOfReach(ns *Namespace) {
	hasParent := ns.Type == PID || ns.Type == User
	unknown := ns.Owner == 0 || (hasParent && ns.Parent == 0)
	if !unknown || ns.Leader() == nil {
		return
	}
	guess := &Namespace{Type: ns.Type, Inode: ns.Inode, Procs: ns.Procs}
	idx.resolveFromProcesses(guess)
	if ns.Parent == 0 && guess.Parent != 0 {
		ns.Parent, idx.Partial = guess.Parent, true
	}
	if ns.Owner == 0 && guess.Owner != 0 && guess.Owner != ns.Inode {
		ns.Owner, idx.Partial = guess.Owner, true
	}
}

// related runs an ioctl that returns the fd of a related namespace of type
// t and returns its inode, adding it to the index (resolved in turn) if it
// is new. EPERM, which the kernel returns for the initial namespace and for
// one outside the caller's reach, gives 0 and no error.
func (idx *Index) related(fd int, request uint, t Type) (uint64, error) {
	relatedFD, err := unix.IoctlRetInt(fd, request)
	if errors.Is(err, unix.EPERM) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer unix.Close(relatedFD)
	var st unix.Stat_t
	if err := unix.Fstat(relatedFD, &st); err != nil {
		return 0, err
	}
	if idx.Lookup(t, st.Ino) == nil {
		if err := idx.resolveFromFile(idx.namespace(t, st.Ino), relatedFD); err != nil {
			return 0, err
		}
	}
	return st.Ino, nil
}

// resolveFromProcesses guesses ns's parent and owner from /proc alone: the
// parent is the namespace of the same type held by the nearest ancestor
// process outside ns; the owner is the leader's user namespace (for a user
// namespace, its parent).
func (idx *Index) resolveFromProcesses(ns *Namespace) {
	leader := ns.Leader()
	if ns.Type == PID || ns.Type == User {
		ns.Parent = idx.ancestorNamespace(leader, ns)
	}
	if ns.Type == User {
		ns.Owner = ns.Parent
	} else {
		ns.Owner = leader.NS[User]
	}
}

// ancestorNamespace follows p's parents up to the first process that is not
// in ns and returns its namespace of ns's type; 0 if there is none.
func (idx *Index) ancestorNamespace(p *Process, ns *Namespace) uint64 {
	for range len(idx.Processes) {
		parent := idx.Processes[p.PPID]
		if parent == nil || parent == p {
			return 0
		}
		if inode := parent.NS[ns.Type]; inode != ns.Inode {
			return inode
		}
		p = parent
	}
	return 0
}

// setLevel computes the nesting depth of pid and user namespaces from
// their parents; other types keep -1.
func (idx *Index) setLevel(ns *Namespace) int {
	if ns.Type != PID && ns.Type != User {
		return -1
	}
	if ns.Level >= 0 {
		return ns.Level
	}
	ns.Level = 0 // guards against a cycle in a corrupt fixture
	if parent := idx.Lookup(ns.Type, ns.Parent); parent != nil && ns.Parent != 0 {
		ns.Level = idx.setLevel(parent) + 1
	}
	return ns.Level
}
