package scan

import (
	"errors"
	"fmt"
	"sort"
	"strconv"

	"golang.org/x/sys/unix"
)

// Thread is a thread whose namespaces are not all its process's: one that
// called setns(2) or unshare(2) for itself, as a Go program does on a
// locked OS thread. /proc/PID/ns shows only the thread-group leader's.
type Thread struct {
	PID, TID int
	NS       [NumTypes]uint64 // as Process.NS
}

// readThreads sets p.Threads to those of its threads whose namespaces
// differ from p's. Only a process with more than one thread (p.threads)
// costs anything. What cannot be read is kept in p.threadsErr.
func (r *procReader) readThreads(dirfd int, p *Process) {
	if p.threads <= 1 {
		return
	}
	if err := r.readTasks(dirfd, p); err != nil && !errors.Is(err, ErrGone) {
		p.threadsErr = err
	}
}

// readTasks lists ROOT/PID/task and reads each thread but the leader. A
// thread that exits meanwhile is skipped.
func (r *procReader) readTasks(dirfd int, p *Process) error {
	taskfd, err := unix.Openat(dirfd, "task", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return classify(err)
	}
	defer unix.Close(taskfd)
	tids, err := readDirNames(taskfd, r.buf)
	if err != nil {
		return classify(err)
	}
	var failed error
	for _, name := range tids {
		tid, err := strconv.Atoi(name)
		if err != nil || tid == p.PID {
			continue
		}
		th := Thread{PID: p.PID, TID: tid}
		if err := r.readThreadNamespaces(taskfd, name, p, &th); err != nil {
			if !errors.Is(err, ErrGone) {
				failed = fmt.Errorf("thread %d: %w", tid, err)
			}
			continue
		}
		if th.NS != p.NS {
			p.Threads = append(p.Threads, th)
		}
	}
	return failed
}

// threadTypes are the namespace types a thread can have apart from its
// process: setns(2) and unshare(2) refuse user and time namespaces to a
// multi-threaded process, and a task's pid namespace never changes.
var threadTypes = [...]Type{Cgroup, IPC, Mnt, Net, UTS}

// readThreadNamespaces fills th.NS from task/TID/ns: the links of
// threadTypes, and the process's inodes for the other types.
func (r *procReader) readThreadNamespaces(taskfd int, tid string, p *Process, th *Thread) error {
	fd, err := unix.Openat(taskfd, tid, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return classify(err)
	}
	defer unix.Close(fd)
	th.NS = p.NS
	for _, t := range threadTypes {
		if p.NS[t] == 0 {
			continue // the kernel lacks the type, or the link was unreadable
		}
		inode, err := r.readNSLink(fd, t)
		if err != nil {
			return classify(err) // ENOENT: the thread exited
		}
		th.NS[t] = inode
	}
	return nil
}

// readDirNames lists the directory open as fd, using buf for getdents.
func readDirNames(fd int, buf []byte) ([]string, error) {
	var names []string
	for {
		n, err := unix.ReadDirent(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
}

// addThreads files the threads that differ from their processes under
// their namespaces, and the threads that could not be read as misses.
func (idx *Index) addThreads() {
	for _, p := range idx.Processes {
		if p.threadsErr != nil {
			idx.Misses = append(idx.Misses, Miss{HeldByThread, idx.Root + "/" + strconv.Itoa(p.PID) + "/task", p.threadsErr})
		}
		for _, th := range p.Threads {
			for t, inode := range th.NS {
				if inode != 0 && inode != p.NS[t] {
					ns := idx.hold(Type(t), inode, HeldByThread)
					ns.Threads = append(ns.Threads, th)
				}
			}
		}
	}
	for _, ns := range idx.Namespaces {
		if len(ns.Threads) < 2 {
			continue // sort.Slice would allocate for nothing
		}
		sort.Slice(ns.Threads, func(i, j int) bool {
			a, b := ns.Threads[i], ns.Threads[j]
			return a.PID < b.PID || (a.PID == b.PID && a.TID < b.TID)
		})
	}
}

// sortMisses orders misses by path, since processes are read in any order.
func sortMisses(misses []Miss) {
	sort.Slice(misses, func(i, j int) bool { return misses[i].Path < misses[j].Path })
}
