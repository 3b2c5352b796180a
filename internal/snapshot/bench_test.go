package snapshot

import (
	"bytes"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
)

// generatedDocument is the snapshot of a generated procfs of 2,000
// processes in about 600 namespaces, encoded.
func generatedDocument(b *testing.B) []byte {
	root := fixture.TempDir(b)
	if err := fixture.Generate(root, 2000); err != nil {
		b.Fatal(err)
	}
	idx, err := Take(ScanOptions(root))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, FromIndex(idx, Meta{Host: "bench"}, Options{Commands: true})); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkLoad decodes and rebuilds the snapshot of 2,000 processes: the
// cost --input adds in place of a scan.
func BenchmarkLoad(b *testing.B) {
	data := generatedDocument(b)
	for b.Loop() {
		if _, _, err := load(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "doc-bytes")
}

// BenchmarkWrite encodes the snapshot of 2,000 processes.
func BenchmarkWrite(b *testing.B) {
	_, idx, err := load(generatedDocument(b))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := Write(&bytes.Buffer{}, FromIndex(idx, Meta{Host: "bench"}, Options{Commands: true})); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTake scans and describes a generated procfs of 2,000
// processes with everything on: the cost of nsview snapshot before it
// writes.
func BenchmarkTake(b *testing.B) {
	root := fixture.TempDir(b)
	if err := fixture.Generate(root, 2000); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Take(ScanOptions(root)); err != nil {
			b.Fatal(err)
		}
	}
}
