package query

import "testing"

// benchFilter reads three columns and runs a regular expression on a row
// of netRow: (TYPE == "pid" || NPROCS > 1) && COMMAND =~ ....
const benchFilter = `TYPE == "pid" || NPROCS > 1 && COMMAND =~ "^(sleep|bash)( |$)"`

// BenchmarkMatch measures evaluating benchFilter for one row.
func BenchmarkMatch(b *testing.B) {
	f, err := Parse(benchFilter, lsnsColumns)
	if err != nil {
		b.Fatal(err)
	}
	row := lookup(netRow)
	for b.Loop() {
		if ok, err := f.Match(row); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkParse measures parsing benchFilter, which happens once a run.
func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(benchFilter, lsnsColumns); err != nil {
			b.Fatal(err)
		}
	}
}
