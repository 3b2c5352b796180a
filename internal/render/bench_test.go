package render

import (
	"io"
	"testing"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/fixture"
	"github.com/nsview/nsview/internal/scan"
)

// benchView scans a generated procfs of 2,000 processes, describes them
// all, and returns a function that draws the view opts asks for.
func benchView(b *testing.B, opts ViewOptions) func() error {
	root := fixture.TempDir(b)
	if err := fixture.Generate(root, 2000); err != nil {
		b.Fatal(err)
	}
	idx, err := scan.Scan(scan.Options{Root: root, Hierarchy: true})
	if err != nil {
		b.Fatal(err)
	}
	matches, err := filter.Apply(idx, filter.Spec{})
	if err != nil {
		b.Fatal(err)
	}
	v, err := NewView(io.Discard, opts)
	if err != nil {
		b.Fatal(err)
	}
	idx.Describe(v.ProcessesShown(idx, matches), v.Details())
	return func() error { return v.Write(idx, matches) }
}

func benchmarkView(b *testing.B, opts ViewOptions) {
	write := benchView(b, opts)
	for b.Loop() {
		if err := write(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTable(b *testing.B) { benchmarkView(b, ViewOptions{Width: 4096}) }
func BenchmarkJSON(b *testing.B)  { benchmarkView(b, ViewOptions{JSON: true}) }
func BenchmarkTree(b *testing.B)  { benchmarkView(b, ViewOptions{Tree: true, Width: 4096}) }
func BenchmarkTreeJSON(b *testing.B) {
	benchmarkView(b, ViewOptions{Tree: true, JSON: true})
}
