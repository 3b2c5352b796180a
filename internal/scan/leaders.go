package scan

import "sync"

// Reading what a namespace row shows of its leader, with the process.
//
// A namespace table shows, of each namespace's lowest-PID process (its
// leader), the PPID, name and command line, and of the other processes
// nothing but that they are there. Which process leads is known only once
// every process has been read; reading the leaders' files afterwards
// (Describe) would open each again and read its stat a second time, to
// check that the PID still belongs to the process the scan saw. With
// Options.LeaderCmdlines and LeaderStats the scan reads cmdline and stat
// only for the processes that may be leaders, while it has each open.

// lowestPIDs is the lowest PID in each namespace among the processes the
// workers of a scan have read so far.
type lowestPIDs struct {
	mu  sync.Mutex
	pid map[Key]int
}

func newLowestPIDs() *lowestPIDs { return &lowestPIDs{pid: make(map[Key]int)} }

// below reports whether pid is lower than any recorded in one of the
// namespaces ns, or none is recorded there yet.
func (l *lowestPIDs) below(pid int, ns [NumTypes]uint64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for t, inode := range ns {
		if least, ok := l.pid[Key{Type(t), inode}]; inode != 0 && (!ok || pid < least) {
			return true
		}
	}
	return false
}

// record records pid in each of the namespaces ns where it is the lowest.
func (l *lowestPIDs) record(pid int, ns [NumTypes]uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for t, inode := range ns {
		k := Key{Type(t), inode}
		if least, ok := l.pid[k]; inode != 0 && (!ok || pid < least) {
			l.pid[k] = pid
		}
	}
}

// readCmdline reads p's command line through its directory fd, for a
// process that may be a leader. One that cannot be read is left to
// Describe.
func (r *procReader) readCmdline(dirfd int, p *Process) {
	if data, err := r.readFileAt(dirfd, "cmdline"); err == nil {
		p.Cmdline, p.cmdlineRead = ParseCmdline(data), true
	}
}

// mayLead reports whether p may be the leader of one of its namespaces:
// whether its PID is below those of all the processes read so far in one
// of them. Every leader is, when it is read. A worker reads PIDs in
// ascending order, so a process in the same namespaces as one the worker
// read or ruled out before it leads none.
func (r *procReader) mayLead(p *Process) bool {
	if p.NS == r.lastNS {
		return false
	}
	if r.lowest.below(p.PID, p.NS) {
		return true
	}
	r.lastNS = p.NS
	return false
}

// readLeader records p, which may lead a namespace, as read. It is called
// once nothing can fail: a process that vanished before its stat was read
// must not hide the leader, the next-lowest PID.
func (r *procReader) readLeader(p *Process) {
	r.lastNS = p.NS
	r.lowest.record(p.PID, p.NS)
}
