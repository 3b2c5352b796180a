package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/fixture"
	"github.com/nsview/nsview/internal/render"
	"github.com/nsview/nsview/internal/scan"
)

// fixtureDocument is the snapshot of the fixture procfs, encoded.
func fixtureDocument(t testing.TB, opts Options) []byte {
	t.Helper()
	root, owners := fixture.Proc(t)
	scanOpts := ScanOptions(root)
	scanOpts.Owners = owners
	idx, err := Take(scanOpts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, FromIndex(idx, Meta{Host: "fixture"}, opts)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// load decodes and rebuilds data, as Load does with a source's bytes.
func load(data []byte) (*Document, *scan.Index, error) {
	doc, err := Decode(data)
	if err != nil {
		return nil, nil, err
	}
	idx, err := doc.Index()
	return doc, idx, err
}

// FuzzLoad checks that whatever Load accepts renders in every view, as
// valid JSON in the JSON views, and re-encodes to a document that Load
// accepts and that rebuilds the same namespaces and processes.
func FuzzLoad(f *testing.F) {
	f.Add(fixtureDocument(f, Options{Commands: true}))
	f.Add(fixtureDocument(f, Options{}))
	f.Add([]byte(`{"version":1,"namespaces":[{"type":"pid","inode":7,"parent":8},{"type":"pid","inode":8}],` +
		`"processes":[{"pid":1,"ppid":2,"name":"a\u202e","ns":{"pid":7}},{"pid":2,"ppid":1,"name":"b","name_bytes":"/w==","ns":{"pid":8,"net":9}}]}`))
	f.Add([]byte(`{"version":1,"namespaces":[{"type":"user","inode":5,"owner_uid":1000,"owner_user":"u\u001b"}],"processes":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, idx, err := load(data)
		if err != nil {
			return
		}
		renderAll(t, idx)
		var again bytes.Buffer
		if err := Write(&again, FromIndex(idx, Meta{Host: doc.Host, Time: doc.Time, Kernel: doc.Kernel}, Options{Commands: true})); err != nil {
			t.Fatal(err)
		}
		_, idx2, err := load(again.Bytes())
		if err != nil {
			t.Fatalf("Load accepted %q but not its re-encoding %q: %v", data, again.Bytes(), err)
		}
		if a, b := describe(idx), describe(idx2); a != b {
			t.Fatalf("the re-encoding rebuilds another index:\n%s\nwant:\n%s", b, a)
		}
	})
}

// renderAll renders idx in the views of each kind and checks the JSON.
func renderAll(t *testing.T, idx *scan.Index) {
	for _, tree := range []filter.TreeMode{filter.TreeNone, filter.TreeDefault} {
		for _, types := range [][]scan.Type{nil, {scan.User}, {scan.Net}} {
			for _, asJSON := range []bool{false, true} {
				kind, spec := filter.KindOf(tree, filter.NoInode, filter.Spec{Types: types})
				view, err := render.NewView(kind, render.Options{JSON: asJSON})
				if err != nil {
					t.Fatal(err)
				}
				sel, err := filter.Select(idx, spec, kind)
				if err != nil {
					continue // no namespace of these types
				}
				var out bytes.Buffer
				if err := view.Write(&out, sel); err != nil {
					t.Fatal(err)
				}
				if asJSON && !json.Valid(out.Bytes()) {
					t.Fatalf("invalid JSON view: %s", out.Bytes())
				}
			}
		}
	}
	render.Warnings(io.Discard, idx, true, true)
}

// describe prints what idx holds, in a canonical order, for comparison.
func describe(idx *scan.Index) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "host %q root %q skipped %+v partial %v reused %d\n", idx.Host, idx.Root, idx.Skipped, idx.Partial, idx.Reused)
	for _, ns := range idx.Namespaces {
		pids := make([]int, len(ns.Procs))
		for i, p := range ns.Procs {
			pids[i] = p.PID
		}
		netnsid := "nil"
		if ns.NetNSID != nil {
			netnsid = fmt.Sprint(*ns.NetNSID)
		}
		fmt.Fprintf(&b, "%s:[%d] parent %d owner %d ouid %d %q level %d nsfs %q netnsid %s pids %v\n", ns.Type, ns.Inode,
			ns.Parent, ns.Owner, ns.OwnerUID, ownerName(idx, ns), ns.Level, ns.NSFS, netnsid, pids)
	}
	pids := make([]int, 0, len(idx.Processes))
	for pid := range idx.Processes {
		pids = append(pids, pid)
	}
	slices.Sort(pids)
	for _, pid := range pids {
		p := idx.Processes[pid]
		fmt.Fprintf(&b, "%d ppid %d uid %d %q %q %c %d %q %q nspid %v ns %v\n", p.PID, p.PPID, p.UID, idx.UserName(p.UID),
			p.Comm, p.State, p.StartTime, p.Cmdline, p.Cgroup, p.NSpid, p.NS)
	}
	return b.String()
}

func ownerName(idx *scan.Index, ns *scan.Namespace) string {
	if ns.OwnerUID < 0 {
		return ""
	}
	return idx.UserName(uint32(ns.OwnerUID))
}

// TestFixtureRoundTrip is FuzzLoad's property on the fixture's snapshot,
// with and without command lines.
func TestFixtureRoundTrip(t *testing.T) {
	for _, opts := range []Options{{Commands: true}, {}} {
		doc := fixtureDocument(t, opts)
		_, idx, err := load(doc)
		if err != nil {
			t.Fatal(err)
		}
		var again bytes.Buffer
		if err := Write(&again, FromIndex(idx, Meta{Host: "fixture"}, opts)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Bytes(), doc) {
			t.Errorf("Commands %v: writing the loaded snapshot gives another document", opts.Commands)
		}
		if p := idx.Processes[201]; p.Comm != "evil\x1b]0;pwned\x07" || (opts.Commands != (p.Cmdline != "")) {
			t.Errorf("Commands %v: process 201 read back as %q %q", opts.Commands, p.Comm, p.Cmdline)
		}
	}
}
