package scan

import (
	"maps"
	"slices"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
)

// BenchmarkScan scans a generated procfs of 2,000 processes in about 600
// namespaces: the per-process cost of the scan on fixture files.
func BenchmarkScan(b *testing.B) {
	root := fixture.TempDir(b)
	if err := fixture.Generate(root, 2000); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Scan(Options{Root: root}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDescribe reads cmdline, cgroup and status of 2,000 processes,
// after checking with stat that each is the process the scan read.
func BenchmarkDescribe(b *testing.B) {
	idx, procs := scanGenerated(b, 2000)
	for b.Loop() {
		idx.Describe(procs, Details{Cmdline: true, Cgroup: true, NSpid: true})
	}
}

// BenchmarkFile files the 10,000 processes of a generated procfs, read
// once, under their namespaces, in PID order as Scan does.
func BenchmarkFile(b *testing.B) {
	idx, procs := scanGenerated(b, 10000)
	for b.Loop() {
		filed := newIndex(idx.Root)
		for _, p := range procs {
			filed.addProcess(p)
		}
	}
}

// scanGenerated scans a generated procfs of n processes and returns the
// index and its processes in PID order.
func scanGenerated(b *testing.B, n int) (*Index, []*Process) {
	b.Helper()
	root := fixture.TempDir(b)
	if err := fixture.Generate(root, n); err != nil {
		b.Fatal(err)
	}
	idx, err := Scan(Options{Root: root})
	if err != nil {
		b.Fatal(err)
	}
	pids := slices.Sorted(maps.Keys(idx.Processes))
	procs := make([]*Process, len(pids))
	for i, pid := range pids {
		procs[i] = idx.Processes[pid]
	}
	return idx, procs
}
