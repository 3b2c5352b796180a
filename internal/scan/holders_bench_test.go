package scan

import (
	"fmt"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
)

// BenchmarkScanThreads is BenchmarkScan where every tenth process has
// four threads, one of them in a network namespace of its own: the cost
// of reading task/ for multi-threaded processes.
func BenchmarkScanThreads(b *testing.B) {
	root := fixture.TempDir(b)
	if err := fixture.Generate(root, 2000); err != nil {
		b.Fatal(err)
	}
	for pid := 10; pid <= 2000; pid += 10 {
		for i, ns := range []map[string]uint64{nil, nil, {"net": uint64(4026560000 + pid)}} {
			if err := fixture.AddThread(root, pid, 100000+10*pid+i, ns); err != nil {
				b.Fatal(err)
			}
		}
	}
	benchmarkScan(b, Options{Root: root})
}

// BenchmarkScanDeep is a deep scan of BenchmarkScan's processes, each with
// four open files (a path, a pipe, a socket, and for every tenth a network
// namespace): the cost of reading every process's fds.
func BenchmarkScanDeep(b *testing.B) {
	root := fixture.TempDir(b)
	if err := fixture.Generate(root, 2000); err != nil {
		b.Fatal(err)
	}
	for pid := 1; pid <= 2000; pid++ {
		targets := []string{"/dev/null", fmt.Sprintf("pipe:[%d]", pid), fmt.Sprintf("socket:[%d]", pid), "/var/log/x"}
		if pid%10 == 0 {
			targets[3] = fmt.Sprintf("net:[%d]", 4026570000+pid)
		}
		for fd, target := range targets {
			if err := fixture.AddFD(root, pid, fd, target); err != nil {
				b.Fatal(err)
			}
		}
	}
	benchmarkScan(b, Options{Root: root, Deep: true})
}

func benchmarkScan(b *testing.B, opts Options) {
	for b.Loop() {
		if _, err := Scan(opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanLive scans this machine's /proc, by default and deep: what
// the holders cost on a real host (needs root to read every process).
func BenchmarkScanLive(b *testing.B) {
	for _, c := range []struct {
		name string
		opts Options
	}{{"default", Options{}}, {"deep", Options{Deep: true}}} {
		b.Run(c.name, func(b *testing.B) { benchmarkScan(b, c.opts) })
	}
}
