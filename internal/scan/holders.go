package scan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Holders is a set of the kinds of things that keep a namespace alive. A
// namespace lives as long as one of them holds it.
type Holders uint8

// The kinds of holders, in the order Names lists them.
const (
	HeldByProcess   Holders = 1 << iota // a process lives in it
	HeldByThread                        // a thread lives in it, though its process does not
	HeldByBindMount                     // its file is bind-mounted (nsfs), as `ip netns add` does
	HeldByFD                            // a process holds its file open (Options.Deep)
	HeldBySocket                        // a socket was created in it by a process now outside it (Options.Deep)
	HeldAsParent                        // it is the parent of another pid or user namespace (Options.Hierarchy)
	HeldAsOwner                         // it is a user namespace that owns others (Options.Hierarchy)
)

var holderNames = [...]string{"process", "thread", "bind-mount", "fd", "socket", "parent", "owner"}

// Has reports whether h holds any of kinds.
func (h Holders) Has(kinds Holders) bool { return h&kinds != 0 }

// Names lists the kinds in h, in the order of the constants: "process",
// "thread", "bind-mount", "fd", "socket", "parent", "owner".
func (h Holders) Names() []string {
	var names []string
	for i, name := range holderNames {
		if h&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return names
}

// ParseHolders is the set Names lists; an unknown name is an error.
func ParseHolders(names []string) (Holders, error) {
	var h Holders
	for _, name := range names {
		i := slices.Index(holderNames[:], name)
		if i < 0 {
			return 0, fmt.Errorf("unknown holder %q (valid: %s)", name, strings.Join(holderNames[:], ", "))
		}
		h |= 1 << i
	}
	return h, nil
}

// String joins Names with commas; "" for no holder.
func (h Holders) String() string { return strings.Join(h.Names(), ",") }

// A Miss is something holder discovery could not read, so that a namespace
// it holds may be missing. Processes that exit meanwhile are no misses:
// what they held is gone with them.
type Miss struct {
	Holder Holders // the kind of holder that was looked for
	Path   string  // what could not be read, e.g. /proc/42/fd
	Err    error
}

func (m Miss) Error() string { return m.Path + ": " + m.Err.Error() }

// findHolders finds the namespaces that processes do not hold, and what
// holds every namespace: threads and bind mounts always, open files and
// sockets with opts.Deep. Where the hierarchy is wanted, the namespaces
// found this way are resolved here, before resolveHierarchy adds the
// ancestors, which hold no process either. It leaves the fds of the
// namespaces only sockets hold parked for the NETNSIDs; the caller closes
// them (closeParked).
func (idx *Index) findHolders(opts Options) {
	idx.addThreads()
	idx.findMounts(opts.Workers)
	if opts.Deep {
		idx.findFDs(opts.Workers)
	}
	if opts.Hierarchy {
		idx.resolveHeldOnly(opts.HierarchyTypes, opts.Workers)
	}
	sortMisses(idx.Misses)
}

// hold files a holder of kind under the namespace (t, inode), adding the
// namespace if it is new.
func (idx *Index) hold(t Type, inode uint64, kind Holders) *Namespace {
	ns := idx.namespace(t, inode)
	ns.Holders |= kind
	return ns
}

// markKin marks the parents and owners of the hierarchy as holders; it
// does nothing when the hierarchy was not resolved.
func (idx *Index) markKin() {
	for _, ns := range idx.Namespaces {
		if parent := idx.Lookup(ns.Type, ns.Parent); parent != nil && ns.Parent != 0 {
			parent.Holders |= HeldAsParent
		}
		if owner := idx.Lookup(User, ns.Owner); owner != nil && ns.Owner != 0 {
			owner.Holders |= HeldAsOwner
		}
	}
}

// Path returns a path that opens ns (for nsenter, or setns(2) after
// open(2)), or "" when none is known: the file under its lowest-PID
// member's /proc entry; else a bind mount (nsview's own mount namespace
// first); else a thread's file; else an open fd. A namespace held only by
// sockets or as a parent or owner has no path.
func (idx *Index) Path(ns *Namespace) string {
	switch {
	case len(ns.Procs) > 0:
		return idx.Root + "/" + strconv.Itoa(ns.Procs[0].PID) + "/ns/" + ns.Type.String()
	case len(ns.Mounts) > 0:
		return idx.MountPath(ns.Mounts[0])
	case len(ns.Threads) > 0:
		th := ns.Threads[0]
		return idx.Root + "/" + strconv.Itoa(th.PID) + "/task/" + strconv.Itoa(th.TID) + "/ns/" + ns.Type.String()
	case len(ns.FDs) > 0:
		return ns.FDs[0]
	}
	return ""
}

// resolveHeldOnly resolves the hierarchy of the namespaces no process is
// in, through a file that opens them (Path) or a socket's parked fd; with
// types, only those of these types. What cannot be opened leaves the
// hierarchy partial. resolveHierarchy then skips them, as ancestors.
func (idx *Index) resolveHeldOnly(types []Type, workers int) {
	if len(idx.resolveFromKernel(idx.namespacesOf(types, false), workers)) > 0 {
		idx.Partial = true
	}
}

// openHeld opens a namespace without processes. One that only sockets
// hold is opened by duplicating its parked fd (addFDHold) while Scan runs.
// Else its path is first opened with O_PATH, which has no side effects
// whatever the file is, and only reopened for reading once it is known to
// be the namespace's nsfs file: a PID or mount point may have been reused,
// and a procfs tree that is not the kernel's may name any file.
func (idx *Index) openHeld(ns *Namespace) (int, error) {
	if parked, ok := idx.parked[ns.Key()]; ok {
		return unix.FcntlInt(uintptr(parked), unix.F_DUPFD_CLOEXEC, 0)
	}
	path := idx.Path(ns)
	if path == "" {
		return -1, fmt.Errorf("%s namespace %d: no file opens it", ns.Type, ns.Inode)
	}
	pathfd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	defer unix.Close(pathfd)
	var fs unix.Statfs_t
	var st unix.Stat_t
	if unix.Fstatfs(pathfd, &fs) != nil || fs.Type != unix.NSFS_MAGIC || unix.Fstat(pathfd, &st) != nil || st.Ino != ns.Inode {
		return -1, fmt.Errorf("%s: not %s namespace %d (any more)", path, ns.Type, ns.Inode)
	}
	return unix.Open("/proc/self/fd/"+strconv.Itoa(pathfd), unix.O_RDONLY|unix.O_CLOEXEC, 0)
}
