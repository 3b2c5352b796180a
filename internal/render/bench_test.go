package render

import (
	"io"
	"testing"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/fixture"
	"github.com/nsview/nsview/internal/scan"
)

// benchView scans a generated procfs of 2,000 processes for a view of
// kind k, selects and describes what it shows, and returns a function
// that prints it, as the CLI does.
func benchView(b *testing.B, k filter.Kind, opts Options) func() error {
	root := fixture.TempDir(b)
	if err := fixture.Generate(root, 2000); err != nil {
		b.Fatal(err)
	}
	v, err := NewView(k, opts)
	if err != nil {
		b.Fatal(err)
	}
	_, spec := filter.KindOf(treeMode(k), filter.NoInode, filter.Spec{})
	idx, err := scan.Scan(scan.OptionsFor(root, spec.Types, 0, v.Needs()))
	if err != nil {
		b.Fatal(err)
	}
	sel, err := filter.Select(idx, spec, k)
	if err != nil {
		b.Fatal(err)
	}
	idx.Describe(sel.Described(), v.Needs().Details())
	return func() error { return v.Write(io.Discard, sel) }
}

func benchmarkView(b *testing.B, k filter.Kind, opts Options) {
	write := benchView(b, k, opts)
	for b.Loop() {
		if err := write(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTable(b *testing.B) { benchmarkView(b, filter.Namespaces, Options{Width: 4096}) }
func BenchmarkJSON(b *testing.B)  { benchmarkView(b, filter.Namespaces, Options{JSON: true}) }
func BenchmarkTree(b *testing.B)  { benchmarkView(b, filter.PIDTree, Options{Width: 4096}) }
func BenchmarkTreeJSON(b *testing.B) {
	benchmarkView(b, filter.PIDTree, Options{JSON: true})
}

// treeMode is the --tree mode that gives a view of kind k.
func treeMode(k filter.Kind) filter.TreeMode {
	if k.Tree() {
		return filter.TreeDefault
	}
	return filter.TreeNone
}
