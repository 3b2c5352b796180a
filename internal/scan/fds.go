package scan

import (
	"errors"
	"os"
	"sort"
	"strconv"

	"golang.org/x/sys/unix"
)

// fdHold is a namespace that one open file of a process holds.
type fdHold struct {
	key  Key
	path string  // ROOT/PID/fd/N
	kind Holders // HeldByFD or HeldBySocket
	nsfd int     // for a socket, an open fd of its network namespace; else -1
}

// fdScan is what reading one process's open files found.
type fdScan struct {
	holds  []fdHold
	misses []Miss
}

// findFDs reads every process's open files (ROOT/PID/fd, a readdir and a
// readlink per fd) and files each namespace file among them as held by an
// fd. Each socket is asked for its network namespace (see sockets.go);
// one created in a namespace its process has left holds that namespace.
// nsview's own fds are skipped: the namespaces it opens while it scans
// are its own doing.
func (idx *Index) findFDs(workers int) {
	self, selfErr := os.Readlink(idx.Root + "/self")
	procs := make([]*Process, 0, len(idx.Processes))
	for _, p := range idx.Processes {
		if strconv.Itoa(p.PID) != self {
			procs = append(procs, p)
		}
	}
	sort.Slice(procs, func(i, j int) bool { return procs[i].PID < procs[j].PID })
	sockets := socketsReachable(self, selfErr)
	if sockets != nil {
		idx.Misses = append(idx.Misses, Miss{HeldBySocket, idx.Root, sockets})
	}
	scans := make([]fdScan, len(procs))
	parallel(len(procs), workers, func() func(int) {
		r := newProcReader(idx.Root)
		return func(i int) { scans[i] = idx.readFDs(r, procs[i], sockets == nil) }
	})
	for _, s := range scans {
		idx.Misses = append(idx.Misses, s.misses...)
		for _, h := range s.holds {
			idx.addFDHold(h)
		}
	}
}

// addFDHold files h under its namespace. A socket's namespace fd is kept
// (parked) while the namespace has no path, for the hierarchy and the
// NETNSID to open it (openHeld); else it is closed here. The index owns
// the parked fds until closeParked.
func (idx *Index) addFDHold(h fdHold) {
	ns := idx.hold(h.key.Type, h.key.Inode, h.kind)
	if h.kind == HeldByFD {
		ns.FDs = append(ns.FDs, h.path)
		return
	}
	ns.Sockets = append(ns.Sockets, h.path)
	if _, parked := idx.parked[h.key]; parked || idx.Path(ns) != "" {
		unix.Close(h.nsfd)
		return
	}
	if idx.parked == nil {
		idx.parked = make(map[Key]int)
	}
	idx.parked[h.key] = h.nsfd
}

// closeParked closes the fds addFDHold parked. Scan calls it when it
// returns, once the hierarchy and the NETNSIDs, which open namespaces
// through them, have been read; from then on openHeld has only paths.
func (idx *Index) closeParked() {
	for _, fd := range idx.parked {
		unix.Close(fd)
	}
	idx.parked = nil
}

// readFDs reads the open files of p. With sockets, each socket is asked
// for its network namespace.
func (idx *Index) readFDs(r *procReader, p *Process, sockets bool) fdScan {
	var s fdScan
	dir := idx.Root + "/" + strconv.Itoa(p.PID) + "/fd"
	dirfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err == nil {
		defer unix.Close(dirfd)
		var names []string
		if names, err = readDirNames(dirfd, r.buf); err == nil {
			s = idx.readFDLinks(r, p, dir, dirfd, names, sockets)
		}
	}
	if err != nil && !errors.Is(classify(err), ErrGone) {
		s.misses = append(s.misses, Miss{HeldByFD, dir, classify(err)})
	}
	return s
}

// readFDLinks reads the link of each fd in names, under dir (open as
// dirfd), and notes the namespaces among them.
func (idx *Index) readFDLinks(r *procReader, p *Process, dir string, dirfd int, names []string, sockets bool) fdScan {
	var s fdScan
	var inspector *socketInspector // opened at the first socket
	defer func() { inspector.close() }()
	for _, name := range names {
		n, err := unix.Readlinkat(dirfd, name, r.buf)
		if err != nil {
			continue // closed meanwhile
		}
		kind, inode, err := parseNSLink(r.buf[:n])
		if err != nil {
			continue // not TYPE:[INODE]: a path, or an anon_inode
		}
		path := dir + "/" + name
		if t, ok := typeNamed(kind); ok {
			s.holds = append(s.holds, fdHold{Key{t, inode}, path, HeldByFD, -1})
			continue
		}
		if !sockets || string(kind) != "socket" {
			continue
		}
		if inspector == nil {
			inspector = openSocketInspector(p.PID)
		}
		if h, ok := inspector.hold(p, name, inode, path); ok {
			s.holds = append(s.holds, h)
		}
	}
	if inspector != nil && inspector.err != nil {
		s.misses = append(s.misses, Miss{HeldBySocket, dir, inspector.err})
	}
	return s
}

// typeNamed returns the namespace type called name, without allocating.
func typeNamed(name []byte) (Type, bool) {
	for _, t := range AllTypes {
		if string(name) == typeNames[t] {
			return t, true
		}
	}
	return 0, false
}
