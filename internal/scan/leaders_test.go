package scan

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
)

// TestLeaderCmdlinesReadWithProcess scans a generated procfs in which each
// process has a command line of its own, with one and with several
// workers. Every namespace's leader must have had its command line read by
// the scan, and keep it when Describe runs after the files changed; with
// one worker, the leaders alone are read.
func TestLeaderCmdlinesReadWithProcess(t *testing.T) {
	const n = 300
	root := fixture.TempDir(t)
	if err := fixture.Generate(root, n); err != nil {
		t.Fatal(err)
	}
	writeCmdlines := func(word string) {
		for pid := 1; pid <= n; pid++ {
			cmdline := fmt.Sprintf("%s\x00%d\x00", word, pid)
			if err := os.WriteFile(filepath.Join(root, fmt.Sprint(pid), "cmdline"), []byte(cmdline), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, workers := range []int{1, 2, 7} {
		writeCmdlines("scanned")
		idx, err := Scan(Options{Root: root, Workers: workers, LeaderCmdlines: true})
		if err != nil {
			t.Fatal(err)
		}
		leaders := map[*Process]bool{}
		for _, ns := range idx.Namespaces {
			if p := ns.Leader(); p != nil {
				leaders[p] = true
			}
		}
		if len(leaders) < n/10 {
			t.Fatalf("%d workers: %d leaders, want one per group of ten at least", workers, len(leaders))
		}
		writeCmdlines("described")
		var all []*Process
		for _, p := range idx.Processes {
			all = append(all, p)
		}
		idx.Describe(all, Details{Cmdline: true})
		read := 0
		for _, p := range idx.Processes {
			scanned, described := fmt.Sprint("scanned ", p.PID), fmt.Sprint("described ", p.PID)
			switch {
			case leaders[p] && p.Cmdline != scanned:
				t.Errorf("%d workers: leader %d has %q, want %q read by the scan", workers, p.PID, p.Cmdline, scanned)
			case p.Cmdline != scanned && p.Cmdline != described:
				t.Errorf("%d workers: process %d has %q, want %q or %q", workers, p.PID, p.Cmdline, scanned, described)
			case p.DetailsErr != nil:
				t.Errorf("%d workers: process %d: %v", workers, p.PID, p.DetailsErr)
			}
			if p.Cmdline == scanned {
				read++
			}
		}
		if workers == 1 && read != len(leaders) {
			t.Errorf("one worker read %d command lines during the scan, want the %d leaders' alone", read, len(leaders))
		}
	}
}

// TestMayLeadKeepsEveryLeader deals random processes to workers as
// parallel does, each worker taking its share in ascending PID order, and
// runs the workers in random interleavings: every namespace's lowest PID
// must be picked, whatever the order.
func TestMayLeadKeepsEveryLeader(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		procs := randomProcesses(rng, 1+rng.IntN(60))
		lowest := map[Key]int{}
		for _, p := range procs { // in ascending PID order
			for t, inode := range p.NS {
				if _, ok := lowest[Key{Type(t), inode}]; !ok {
					lowest[Key{Type(t), inode}] = p.PID
				}
			}
		}
		shared := newLowestPIDs()
		queues := make([][]*Process, 1+rng.IntN(4))
		for _, p := range procs {
			w := rng.IntN(len(queues))
			queues[w] = append(queues[w], p)
		}
		readers := make([]*procReader, len(queues))
		for w := range readers {
			readers[w] = &procReader{lowest: shared}
		}
		picked := map[int]bool{}
		for {
			var ready []int
			for w, q := range queues {
				if len(q) > 0 {
					ready = append(ready, w)
				}
			}
			if len(ready) == 0 {
				break
			}
			w := ready[rng.IntN(len(ready))]
			p := queues[w][0]
			queues[w] = queues[w][1:]
			if readers[w].mayLead(p) {
				picked[p.PID] = true
			}
		}
		for k, pid := range lowest {
			if !picked[pid] {
				t.Fatalf("trial %d: PID %d leads %s but was not picked", trial, pid, k)
			}
		}
	}
}

// randomProcesses returns n processes in ascending PID order, each in one
// of a few namespaces of each type, so that many share some.
func randomProcesses(rng *rand.Rand, n int) []*Process {
	var procs []*Process
	pid := 0
	for range n {
		pid += 1 + rng.IntN(3)
		p := &Process{PID: pid}
		for t := range p.NS {
			p.NS[t] = uint64(1 + rng.IntN(3))
		}
		if rng.IntN(2) == 0 && len(procs) > 0 {
			p.NS = procs[len(procs)-1].NS // like the one before, as most are
		}
		procs = append(procs, p)
	}
	return procs
}
