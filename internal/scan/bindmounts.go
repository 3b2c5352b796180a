package scan

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Mount is a bind mount of a namespace's file (nsfs), as `ip netns add`,
// `unshare --net=FILE`, CNI plugins and container engines make. It keeps
// the namespace alive with no process in it.
type Mount struct {
	Path  string // mount point, as the process PID sees it
	MntNS uint64 // the mount namespace it is mounted in; 0 if unknown
	// PID is the process whose mountinfo listed the mount: the mount point
	// opens through ROOT/PID/root. 0 for ROOT/self, nsview's own view,
	// where the mount point opens as it is.
	PID int

	peer, master uint64 // propagation groups, see NSFSMount
}

// MountPath returns a path that opens the namespace mounted at m: the
// mount point itself in nsview's own mount namespace, else the mount
// point under ROOT/PID/root, which leads into m's mount namespace.
func (idx *Index) MountPath(m Mount) string {
	if m.PID == 0 {
		return m.Path
	}
	return idx.Root + "/" + strconv.Itoa(m.PID) + "/root" + m.Path
}

// mountTable is the nsfs mounts of one mount namespace.
type mountTable struct {
	path   string // the mountinfo file read
	pid    int    // the process it belongs to; 0 for ROOT/self
	mntNS  uint64 // 0 if unknown: an exiting process, a fixture without the link
	mounts []NSFSMount
	err    error
}

// maxMountReaders is how many members of a mount namespace are tried in
// turn when one cannot be read (it exited, or its PID was reused).
const maxMountReaders = 3

// findMounts reads the mount table of every mount namespace a process is
// in, once each: ROOT/self/mountinfo for nsview's own (as lsns reads it),
// and a member's ROOT/PID/mountinfo for every other, no setns(2) needed.
// Every namespace bind-mounted in one of them is filed as held by the
// mount, and its NSFS lists a path that opens each mount.
func (idx *Index) findMounts(workers int) {
	self := idx.readMountTable(newProcReader(idx.Root), "self", 0)
	var others []*Namespace
	for _, ns := range idx.Namespaces {
		if ns.Type == Mnt && len(ns.Procs) > 0 && ns.Inode != self.mntNS {
			others = append(others, ns)
		}
	}
	tables := make([]mountTable, len(others))
	parallel(len(others), workers, func() func(int) {
		r := newProcReader(idx.Root)
		return func(i int) { tables[i] = idx.readMountNamespace(r, others[i]) }
	})
	for _, table := range append([]mountTable{self}, tables...) {
		idx.addMounts(table)
	}
	for _, ns := range idx.Namespaces {
		ns.Mounts = distinctMounts(ns.Mounts)
		for _, m := range ns.Mounts {
			if path := idx.MountPath(m); !slices.Contains(ns.NSFS, path) {
				ns.NSFS = append(ns.NSFS, path)
			}
		}
	}
}

// readMountNamespace reads the mount table of ns through its members,
// lowest PID first, trying the next when one has exited.
func (idx *Index) readMountNamespace(r *procReader, ns *Namespace) mountTable {
	var table mountTable
	for _, p := range ns.Procs[:min(len(ns.Procs), maxMountReaders)] {
		table = idx.readMountTable(r, strconv.Itoa(p.PID), ns.Inode)
		if !errors.Is(table.err, ErrGone) {
			break
		}
	}
	return table
}

// readMountTable reads the nsfs mounts in ROOT/PROC/mountinfo and the
// mount namespace they belong to. With want nonzero, a process no longer
// in that namespace (its PID reused) counts as gone.
func (idx *Index) readMountTable(r *procReader, proc string, want uint64) mountTable {
	table := mountTable{path: idx.Root + "/" + proc + "/mountinfo"}
	table.pid, _ = strconv.Atoi(proc)
	dirfd, err := r.openProcess(proc)
	if err != nil {
		table.err = err
		return table
	}
	defer unix.Close(dirfd)
	data, err := r.readTableAt(dirfd, "mountinfo")
	if err != nil {
		table.err = classify(err)
		return table
	}
	if bytes.Contains(data, []byte(" - nsfs ")) {
		table.mounts = ParseNSFSMounts(data)
	}
	table.mntNS, _ = r.readNSLink(dirfd, Mnt)
	if want != 0 && table.mntNS != want {
		table.err = procError{ErrGone, fmt.Errorf("the process left mount namespace %d", want)}
	}
	return table
}

// addMounts files the mounts of a table under their namespaces; a table
// that could not be read is a miss, unless its process exited.
func (idx *Index) addMounts(table mountTable) {
	if table.err != nil {
		if !errors.Is(table.err, ErrGone) {
			idx.Misses = append(idx.Misses, Miss{HeldByBindMount, table.path, table.err})
		}
		return
	}
	for _, m := range table.mounts {
		t, err := ParseType(m.Type)
		if err != nil {
			continue
		}
		ns := idx.hold(t, m.Inode, HeldByBindMount)
		ns.Mounts = append(ns.Mounts, Mount{Path: m.MountPoint, MntNS: table.mntNS, PID: table.pid, peer: m.Peer, master: m.Master})
	}
}

// propagationGroups returns N of the shared:N and master:N among the
// optional fields of a mountinfo line; 0 for those absent.
func propagationGroups(optional []string) (peer, master uint64) {
	for _, f := range optional {
		if n, ok := strings.CutPrefix(f, "shared:"); ok {
			peer, _ = strconv.ParseUint(n, 10, 64)
		} else if n, ok := strings.CutPrefix(f, "master:"); ok {
			master, _ = strconv.ParseUint(n, 10, 64)
		}
	}
	return peer, master
}

// distinctMounts drops the copies that mount propagation made of a bind
// mount in other mount namespaces: peers (the same shared:N) and slaves
// (master:N) of one another, chained through any number of mount
// namespaces, are one mount that appears and goes away everywhere at
// once. Of each such set, the mounts in the first mount namespace listed
// are kept (nsview's own comes first), all of them, as lsns lists them. A
// private copy (`unshare -m` makes them by default) holds the namespace
// on its own, so it is kept.
func distinctMounts(mounts []Mount) []Mount {
	if len(mounts) < 2 {
		return mounts
	}
	groups := make(unionFind)
	for _, m := range mounts {
		if m.peer != 0 && m.master != 0 {
			groups.join(m.peer, m.master)
		}
	}
	first := make(map[uint64]Mount) // by the root of each set
	distinct := mounts[:0]
	for _, m := range mounts {
		if group := max(m.peer, m.master); group != 0 { // the one set, if not both
			root := groups.root(group)
			f, seen := first[root]
			if !seen {
				first[root] = m
			} else if f.MntNS != m.MntNS || f.PID != m.PID {
				continue
			}
		}
		distinct = append(distinct, m)
	}
	return distinct
}

// unionFind maps each propagation group to another in its set; a set's
// root maps to nothing.
type unionFind map[uint64]uint64

func (u unionFind) root(g uint64) uint64 {
	for {
		next, ok := u[g]
		if !ok {
			return g
		}
		g = next
	}
}

func (u unionFind) join(a, b uint64) {
	if ra, rb := u.root(a), u.root(b); ra != rb {
		u[ra] = rb
	}
}
