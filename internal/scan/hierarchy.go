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
func (idx *Index) resolveHierarchy(types []Type, workers int) {
	// Those without processes are ancestors, resolved when found, or
	// held-only ones, resolved by resolveHeldOnly.
	for _, ns := range idx.resolveFromKernel(idx.namespacesOf(types, true), workers) {
		idx.Partial = true
		idx.resolveFromProcesses(ns)
	}
	for _, ns := range idx.Namespaces {
		idx.setLevel(ns)
	}
}

// namespacesOf returns the namespaces of the given types (nil: all) that
// processes are in (withProcs) or that none is in.
func (idx *Index) namespacesOf(types []Type, withProcs bool) []*Namespace {
	var list []*Namespace
	for _, ns := range idx.Namespaces {
		if (len(ns.Procs) > 0) == withProcs && (types == nil || slices.Contains(types, ns.Type)) {
			list = append(list, ns)
		}
	}
	return list
}

// kinship is what the kernel says of one namespace: its owner, its parent
// (pid and user namespaces) and its creator's UID (user namespaces); err
// is set when the namespace could not be opened or an ioctl failed, and
// then the fields hold what was learned before.
type kinship struct {
	key           Key
	owner, parent uint64
	ownerUID      int64
	err           error
}

// resolveFromKernel resolves nss from their files (see openNamespace) and
// returns those the kernel could not resolve. The system calls, about ten
// a namespace, run on workers (see parallel) and only read the index; the
// answers, with the relatives they found that the index lacks, are
// recorded afterwards, one at a time.
func (idx *Index) resolveFromKernel(nss []*Namespace, workers int) []*Namespace {
	answers := make([][]kinship, len(nss))
	parallel(len(nss), workers, func() func(int) {
		a := &kinAsker{idx: idx, asked: make(map[Key]bool)}
		return func(i int) { answers[i] = a.askAbout(nss[i]) }
	})
	var failed []*Namespace
	recorded := make(map[Key]bool) // relatives recorded: true from a full answer
	for i, ns := range nss {
		if err := idx.record(answers[i], recorded); err != nil {
			failed = append(failed, ns)
		}
	}
	if !allFull(recorded) {
		idx.Partial = true // a relative the kernel did not fully answer for
	}
	return failed
}

// allFull reports whether every relative in recorded (see record) was
// recorded from a full answer.
func allFull(recorded map[Key]bool) bool {
	for _, full := range recorded {
		if !full {
			return false
		}
	}
	return true
}

// A kinAsker asks the kernel about namespaces for one worker of
// resolveFromKernel. It collects the answers about one namespace and about
// the relatives found with it, and remembers the relatives it has asked
// about, so that each is asked about once.
type kinAsker struct {
	idx     *Index
	asked   map[Key]bool
	answers []kinship
}

// askAbout opens ns and returns the answers about it and its new
// relatives; the first is ns's.
func (a *kinAsker) askAbout(ns *Namespace) []kinship {
	a.answers = nil
	fd, err := a.idx.openNamespace(ns)
	if err != nil {
		return []kinship{{key: ns.Key(), ownerUID: -1, err: err}}
	}
	defer unix.Close(fd)
	a.ask(ns.Type, ns.Inode, fd)
	return a.answers
}

// ask asks the kernel about the namespace (t, inode) open as fd, and, in
// turn, about each relative it names that neither the index nor a.asked
// holds, while that relative's fd is open. It appends the namespace's
// answer to a.answers, then its relatives'. A relative's failure stays in
// its own answer: the namespace still knows the relative's inode.
func (a *kinAsker) ask(t Type, inode uint64, fd int) {
	i := len(a.answers)
	a.answers = append(a.answers, kinship{key: Key{t, inode}, ownerUID: -1})
	owner, err := a.relative(fd, unix.NS_GET_USERNS, User)
	ownerUID := int64(-1)
	if err == nil && t == User {
		if uid, err := unix.IoctlGetUint32(fd, unix.NS_GET_OWNER_UID); err == nil {
			ownerUID = int64(uid)
		}
	}
	var parent uint64
	if err == nil && (t == PID || t == User) {
		parent, err = a.relative(fd, unix.NS_GET_PARENT, t)
	}
	a.answers[i].owner, a.answers[i].parent, a.answers[i].ownerUID, a.answers[i].err = owner, parent, ownerUID, err
}

// relative runs an ioctl that returns the fd of a related namespace of
// type t and returns its inode, asking about it (ask) if it is new. EPERM,
// which the kernel returns for the initial namespace and for one outside
// the caller's reach, gives 0 and no error.
func (a *kinAsker) relative(fd int, request uint, t Type) (uint64, error) {
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
	key := Key{t, st.Ino}
	if a.idx.byKey[key] == nil && !a.asked[key] {
		a.asked[key] = true
		a.ask(t, st.Ino, relatedFD)
	}
	return st.Ino, nil
}

// record files the kernel's answers about one namespace and the relatives
// found with it (kinAsker.askAbout), adding the relatives the index lacks,
// and returns the error of the namespace's own answer. Several workers may
// have asked about one relative: recorded says which relatives are filed
// already, and whether from a full answer, which no other replaces.
func (idx *Index) record(answers []kinship, recorded map[Key]bool) error {
	for i, a := range answers {
		if i > 0 {
			if full, seen := recorded[a.key]; seen && (full || a.err != nil) {
				continue
			}
			recorded[a.key] = a.err == nil
		}
		ns := idx.namespace(a.key.Type, a.key.Inode)
		ns.Owner, ns.Parent, ns.OwnerUID = a.owner, a.parent, a.ownerUID
		idx.fillOutOfReach(ns)
	}
	return answers[0].err
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
// in ns and returns its namespace of ns's type; 0 if there is none. A
// parent whose stat was not read (Options.LeaderStats) has PPID 0, which
// ends the walk. The walk passes a parent only when it is in ns, with a
// higher PID than the leader p, its child: once PIDs wrapped around.
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
