package scan

import (
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
	root := fixture.TempDir(b)
	if err := fixture.Generate(root, 2000); err != nil {
		b.Fatal(err)
	}
	idx, err := Scan(Options{Root: root})
	if err != nil {
		b.Fatal(err)
	}
	procs := make([]*Process, 0, len(idx.Processes))
	for _, p := range idx.Processes {
		procs = append(procs, p)
	}
	for b.Loop() {
		idx.Describe(procs, Details{Cmdline: true, Cgroup: true, NSpid: true})
	}
}

// BenchmarkFile files the 10,000 processes of a generated procfs, read
// once, under their namespaces, in PID order as Scan does.
func BenchmarkFile(b *testing.B) {
	root := fixture.TempDir(b)
	if err := fixture.Generate(root, 10000); err != nil {
		b.Fatal(err)
	}
	idx, err := Scan(Options{Root: root})
	if err != nil {
		b.Fatal(err)
	}
	procs := make([]*Process, 0, len(idx.Processes))
	for pid := range 10001 {
		if p := idx.Processes[pid]; p != nil {
			procs = append(procs, p)
		}
	}
	for b.Loop() {
		filed := newIndex(root)
		for _, p := range procs {
			filed.addProcess(p)
		}
	}
}
