package scan

import (
	"errors"
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"
)

// Details says which per-process files Describe reads.
type Details struct {
	Cmdline bool // /proc/PID/cmdline, for Process.Cmdline
	Cgroup  bool // /proc/PID/cgroup, for Process.Cgroup
	NSpid   bool // /proc/PID/status, for Process.NSpid
}

// Describe reads the details of the given processes, for those that a view
// is about to print; a process listed more than once is read once. Each
// call reads them anew, so a caller describes its processes once; only a
// command line that the scan read already (Options.LeaderCmdlines) is kept.
//
// The details are read only from the process the scan saw: Describe checks
// its start time first and reads the files through the same directory fd.
// A process that has exited since the scan, or whose PID now belongs to
// another process, keeps its name from stat (Command falls back to it), no
// cgroup and a one-level NSpid; Process.DetailsErr says why, and
// Index.Reused counts the reused PIDs. A process in a PID namespace at
// level 0 (known from the hierarchy) has one PID only, so its status is not
// read.
func (idx *Index) Describe(procs []*Process, want Details) {
	if want == (Details{}) {
		return
	}
	todo := distinct(procs)
	parallel(len(todo), 0, func() func(int) {
		r := newProcReader(idx.Root)
		return func(i int) { todo[i].DetailsErr = idx.describe(r, todo[i], want) }
	})
	for _, p := range todo {
		if errors.Is(p.DetailsErr, ErrReused) {
			idx.Reused++
		}
	}
}

// distinct returns procs without repeats, in their first order.
func distinct(procs []*Process) []*Process {
	seen := make(map[*Process]bool, len(procs))
	todo := make([]*Process, 0, len(procs))
	for _, p := range procs {
		if !seen[p] {
			seen[p] = true
			todo = append(todo, p)
		}
	}
	return todo
}

// describe reads the details of p that want names and that p can have; see
// Describe. A command line the scan read stays.
func (idx *Index) describe(r *procReader, p *Process, want Details) error {
	if p.cmdlineRead {
		want.Cmdline = false
	} else {
		p.Cmdline = ""
	}
	p.Cgroup, p.NSpid = "", nil
	want.NSpid = want.NSpid && !idx.initialPIDNamespace(p)
	err := r.readSame(p, want)
	if len(p.NSpid) == 0 {
		p.NSpid = []int{p.PID}
	}
	return err
}

// errStatless is why Describe reads nothing of a process whose stat the
// scan did not read (Options.LeaderStats): without its start time, it
// cannot tell the process from a later one with its PID.
var errStatless = errors.New("the scan did not read its stat, so its identity cannot be checked")

// readSame reads the details of p that want names, if p's /proc directory
// still belongs to it.
func (r *procReader) readSame(p *Process, want Details) error {
	if want == (Details{}) {
		return nil
	}
	if p.statless {
		return fmt.Errorf("process %d: %w", p.PID, errStatless)
	}
	dirfd, err := r.openSame(p)
	if err != nil {
		return err
	}
	defer unix.Close(dirfd)
	return r.readDetails(dirfd, p, want)
}

// readDetails reads the files want names through p's directory fd. It
// returns the first error, about a file left unknown.
func (r *procReader) readDetails(dirfd int, p *Process, want Details) error {
	var failed error // the first file that could not be read
	read := func(name string) ([]byte, bool) {
		data, err := r.readFileAt(dirfd, name)
		if err != nil && failed == nil {
			failed = fmt.Errorf("process %d: %s: %w", p.PID, name, classify(err))
		}
		return data, err == nil
	}
	if want.Cmdline {
		if data, ok := read("cmdline"); ok {
			p.Cmdline = ParseCmdline(data)
		}
	}
	if want.Cgroup {
		if data, ok := read("cgroup"); ok {
			p.Cgroup = ParseCgroup(data)
		}
	}
	if want.NSpid {
		if data, ok := read("status"); ok {
			if nspid, err := ParseNSpid(data); err == nil && len(nspid) > 0 {
				p.NSpid = nspid
			}
		}
	}
	return failed
}

// openSame opens p's /proc directory if it still belongs to p, the process
// the scan read: one whose start time is p's.
func (r *procReader) openSame(p *Process) (int, error) {
	dirfd, err := r.openProcess(strconv.Itoa(p.PID))
	if err != nil {
		return -1, fmt.Errorf("process %d: %w", p.PID, err)
	}
	data, err := r.readFileAt(dirfd, "stat")
	if err != nil {
		unix.Close(dirfd)
		return -1, fmt.Errorf("process %d: %w", p.PID, classify(err))
	}
	stat, err := parseStat(data)
	if err == nil && stat.StartTime != p.StartTime {
		err = fmt.Errorf("%w: it started at tick %d, the scanned one at %d", ErrReused, stat.StartTime, p.StartTime)
	}
	if err != nil {
		unix.Close(dirfd)
		return -1, fmt.Errorf("process %d: %w", p.PID, err)
	}
	return dirfd, nil
}

// initialPIDNamespace reports whether p is known to be in a PID namespace
// without a parent, where its NSpid is its PID alone.
func (idx *Index) initialPIDNamespace(p *Process) bool {
	ns := idx.Lookup(PID, p.NS[PID])
	return ns != nil && ns.Level == 0
}
