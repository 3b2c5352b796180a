package scan

import (
	"strconv"
)

// Details says which per-process files Describe reads.
type Details struct {
	Cmdline bool // /proc/PID/cmdline, for Process.Cmdline
	Cgroup  bool // /proc/PID/cgroup, for Process.Cgroup
	NSpid   bool // /proc/PID/status, for Process.NSpid
}

// Describe reads the details of the given processes, for those that a view
// is about to print. A process listed more than once is read once. A
// process in a PID namespace at level 0 (known from the hierarchy) has one
// PID only, so its status is not read. A process that has exited since the
// scan keeps its name from stat and a one-level NSpid.
func (idx *Index) Describe(procs []*Process, want Details) {
	if want == (Details{}) {
		return
	}
	todo := make([]*Process, 0, len(procs))
	queued := make(map[*Process]bool, len(procs))
	for _, p := range procs {
		if !p.described && !queued[p] {
			queued[p] = true
			todo = append(todo, p)
		}
	}
	parallel(len(todo), 0, func() func(int) {
		r := newProcReader(idx.Root)
		return func(i int) { idx.describe(r, todo[i], want) }
	})
}

func (idx *Index) describe(r *procReader, p *Process, want Details) {
	dir := idx.Root + "/" + strconv.Itoa(p.PID) + "/"
	if want.Cmdline {
		if data, err := r.readFile(dir + "cmdline"); err == nil {
			p.Cmdline = ParseCmdline(data)
		}
	}
	if want.Cgroup {
		if data, err := r.readFile(dir + "cgroup"); err == nil {
			p.Cgroup = ParseCgroup(data)
		}
	}
	if want.NSpid && !idx.initialPIDNamespace(p) {
		if data, err := r.readFile(dir + "status"); err == nil {
			p.NSpid, _ = ParseNSpid(data)
		}
	}
	if len(p.NSpid) == 0 {
		p.NSpid = []int{p.PID}
	}
	p.described = true
}

// initialPIDNamespace reports whether p is known to be in a PID namespace
// without a parent, where its NSpid is its PID alone.
func (idx *Index) initialPIDNamespace(p *Process) bool {
	ns := idx.Lookup(PID, p.NS[PID])
	return ns != nil && ns.Level == 0
}
