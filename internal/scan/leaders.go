package scan

import "sync"

// Reading each namespace's leader's command line with the process.
//
// A namespace table prints the command line of each namespace's lowest-PID
// process, its leader. Which process that is, is known only once every
// process has been read; reading the command lines afterwards (Describe)
// has to open each leader again and read its stat a second time, to check
// that the PID still belongs to the process the scan saw. With
// Options.LeaderCmdlines the scan reads them instead while it has each
// process open, for every process that may be a leader.

// lowestPIDs is the lowest PID read so far in each namespace, shared by
// the workers of a scan.
type lowestPIDs struct {
	mu  sync.Mutex
	pid map[Key]int
}

func newLowestPIDs() *lowestPIDs { return &lowestPIDs{pid: make(map[Key]int)} }

// lower records pid in each of the namespaces ns where no lower PID was
// read yet, and reports whether it was recorded in any: whether it may be
// the leader of one. A namespace's leader is recorded whenever it is read,
// so it is always among them.
func (l *lowestPIDs) lower(pid int, ns [NumTypes]uint64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lower := false
	for t, inode := range ns {
		k := Key{Type(t), inode}
		if least, ok := l.pid[k]; inode != 0 && (!ok || pid < least) {
			l.pid[k] = pid
			lower = true
		}
	}
	return lower
}

// readLeaderCmdline reads p's command line through its directory fd if p
// may be a leader. One that cannot be read is left to Describe.
func (r *procReader) readLeaderCmdline(dirfd int, p *Process) {
	if r.lowest == nil || !r.mayLead(p) {
		return
	}
	if data, err := r.readFileAt(dirfd, "cmdline"); err == nil {
		p.Cmdline, p.cmdlineRead = ParseCmdline(data), true
	}
}

// mayLead reports whether p may be the leader of one of its namespaces,
// and records its PID where it is the lowest so far. A worker reads PIDs
// in ascending order, so a process in the same namespaces as the one the
// worker read before it leads none: that one was recorded with a lower PID.
func (r *procReader) mayLead(p *Process) bool {
	if p.NS == r.lastNS {
		return false
	}
	r.lastNS = p.NS
	return r.lowest.lower(p.PID, p.NS)
}
