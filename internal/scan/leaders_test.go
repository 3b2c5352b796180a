package scan

import (
	"errors"
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
		leaders := leadersOf(idx)
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
// runs the workers in random interleavings; some processes vanish between
// mayLead and their stat. The lowest PID of each namespace among the
// processes read must be picked, whatever the order.
func TestMayLeadKeepsEveryLeader(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		procs := randomProcesses(rng, 1+rng.IntN(60))
		vanished := map[*Process]bool{}
		lowest := map[Key]int{}
		for _, p := range procs { // in ascending PID order
			if rng.IntN(5) == 0 {
				vanished[p] = true
				continue
			}
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
			if readers[w].mayLead(p) && !vanished[p] {
				readers[w].readLeader(p)
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

// leadersOf is the set of idx's namespace leaders: the lowest PID of each.
func leadersOf(idx *Index) map[*Process]bool {
	leaders := map[*Process]bool{}
	for _, ns := range idx.Namespaces {
		if p := ns.Leader(); p != nil {
			leaders[p] = true
		}
	}
	return leaders
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

// TestLeaderStats scans a generated procfs with Options.LeaderStats, with
// one and with several workers, against a scan that reads every stat.
// Every namespace's leader, and PID 2, must have the stat fields the full
// scan gives them; a process that leads nothing has none, cannot be
// described, and still has its threads found from its task directory.
func TestLeaderStats(t *testing.T) {
	const n = 300
	root := fixture.TempDir(t)
	must(t, fixture.Generate(root, n))
	// Process 5 leads nothing: 2 leads its group's namespaces.
	must(t, fixture.AddThread(root, 5, 1005, map[string]uint64{"net": 4026533001}))
	must(t, fixture.AddThread(root, 5, 1006, nil))
	full, err := Scan(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2, 7} {
		idx, err := Scan(Options{Root: root, Workers: workers, LeaderStats: true})
		if err != nil {
			t.Fatal(err)
		}
		leaders := leadersOf(idx)
		leaders[idx.Processes[2]] = true
		statful := 0
		for pid, p := range idx.Processes {
			want := full.Processes[pid]
			switch {
			case !p.statless:
				statful++
				if p.PPID != want.PPID || p.Comm != want.Comm || p.State != want.State || p.StartTime != want.StartTime {
					t.Errorf("%d workers: process %d read as %+v, want %+v", workers, pid, p, want)
				}
			case leaders[p]:
				t.Errorf("%d workers: process %d leads a namespace, but its stat was not read", workers, pid)
			case p.PPID != 0 || p.Comm != "" || p.StartTime != 0:
				t.Errorf("%d workers: process %d has stat fields %+v without its stat", workers, pid, p)
			}
		}
		if workers == 1 && statful != len(leaders) {
			t.Errorf("one worker read %d stat files, want the %d of the leaders and PID 2 alone", statful, len(leaders))
		}
		if ns := idx.Lookup(Net, 4026533001); ns == nil || ns.Holders != HeldByThread || len(ns.Threads) != 1 || ns.Threads[0].TID != 1005 {
			t.Errorf("%d workers: the net namespace only thread 5/1005 is in: %+v", workers, ns)
		}
		p := idx.Processes[5]
		idx.Describe([]*Process{p}, Details{Cmdline: true})
		if !errors.Is(p.DetailsErr, errStatless) || p.Cmdline != "" {
			t.Errorf("%d workers: described process 5 without its stat: %q, %v; want nothing, errStatless", workers, p.Cmdline, p.DetailsErr)
		}
	}
}

// TestLeaderAfterVanished removes the stat of process 2, which leads its
// group's namespaces, as if it exited after its namespace links were read:
// process 3, the next in them, must then lead them with its stat and
// command line read.
func TestLeaderAfterVanished(t *testing.T) {
	root := fixture.TempDir(t)
	must(t, fixture.Generate(root, 30))
	must(t, os.Remove(filepath.Join(root, "2", "stat")))
	for _, workers := range []int{1, 2, 7} {
		idx, err := Scan(Options{Root: root, Workers: workers, LeaderStats: true, LeaderCmdlines: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, read := idx.Processes[2]; read || !errors.Is(idx.Unreadable[2], ErrGone) {
			t.Fatalf("%d workers: process 2 without stat: read %v, error %v", workers, read, idx.Unreadable[2])
		}
		p := idx.Lookup(Net, 4026540000).Leader()
		if p.PID != 3 || p.statless || p.Comm != "sleep" || p.Cmdline != "sleep 1000000" {
			t.Errorf("%d workers: group 0's net namespace led by %+v, want process 3 read whole", workers, p)
		}
	}
}
