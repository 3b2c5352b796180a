package scan

import (
	"os"
	"strconv"
)

// Describe reads the command line, cgroup and NSpid of each given process,
// for the processes that a view is about to print. A process that has
// exited since the scan keeps its name from stat and a one-level NSpid.
// A process may be listed more than once; it is read once.
func (idx *Index) Describe(procs []*Process) {
	todo := make([]*Process, 0, len(procs))
	queued := make(map[*Process]bool, len(procs))
	for _, p := range procs {
		if !p.Described && !queued[p] {
			queued[p] = true
			todo = append(todo, p)
		}
	}
	parallel(len(todo), 0, func() func(int) {
		return func(i int) { idx.describe(todo[i]) }
	})
}

func (idx *Index) describe(p *Process) {
	dir := idx.Root + "/" + strconv.Itoa(p.PID) + "/"
	if data, err := os.ReadFile(dir + "cmdline"); err == nil {
		p.Cmdline = ParseCmdline(data)
	}
	if data, err := os.ReadFile(dir + "cgroup"); err == nil {
		p.Cgroup = ParseCgroup(data)
	}
	if data, err := os.ReadFile(dir + "status"); err == nil {
		p.NSpid, _ = ParseNSpid(data)
	}
	if len(p.NSpid) == 0 {
		p.NSpid = []int{p.PID}
	}
	p.Described = true
}
