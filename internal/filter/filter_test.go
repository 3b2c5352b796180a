package filter

import (
	"errors"
	"slices"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
	"github.com/nsview/nsview/internal/scan"
)

func TestParseTypes(t *testing.T) {
	got, err := ParseTypes([]string{"net,PID", "net", " uts "})
	if err != nil || !slices.Equal(got, []scan.Type{scan.Net, scan.PID, scan.UTS}) {
		t.Errorf("ParseTypes = %v, %v", got, err)
	}
	for _, bad := range [][]string{{"bogus"}, {"net,"}, {""}} {
		if _, err := ParseTypes(bad); err == nil {
			t.Errorf("ParseTypes(%q) accepted", bad)
		}
	}
}

func TestParseNumbers(t *testing.T) {
	for _, bad := range []string{"", "0", "-1", "abc", "1e3", "99999999999999999999"} {
		if _, err := ParseInode(bad); err == nil {
			t.Errorf("ParseInode(%q) accepted", bad)
		}
		if _, err := ParsePID(bad); err == nil {
			t.Errorf("ParsePID(%q) accepted", bad)
		}
	}
	if _, err := ParsePID("4294967296"); err == nil {
		t.Error("ParsePID accepted a PID beyond int32")
	}
	if n, err := ParseInode("4026531836"); n != 4026531836 || err != nil {
		t.Errorf("ParseInode = %d, %v", n, err)
	}
}

func TestApply(t *testing.T) {
	root, owners := fixture.Proc(t)
	idx, err := scan.Scan(scan.Options{Root: root, Owners: owners})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		spec    Spec
		inodes  []uint64
		members int // members of the first match
	}{
		{Spec{Types: []scan.Type{scan.PID}}, []uint64{4026531836, 4026532300, 4026532401, 4026532407}, 10},
		{Spec{Inode: 4026532300}, []uint64{4026532300}, 2},
		{Spec{PID: 402, Types: []scan.Type{scan.PID, scan.User}}, []uint64{4026532400, 4026532407}, 1},
		{Spec{PID: 302, Inode: 4026532301}, []uint64{4026532301}, 1},
	}
	for _, c := range cases {
		matches, err := Apply(idx, c.spec)
		if err != nil || len(matches) == 0 {
			t.Errorf("Apply(%+v): %v, no matches", c.spec, err)
			continue
		}
		var inodes []uint64
		for _, m := range matches {
			inodes = append(inodes, m.Inode)
		}
		if !slices.Equal(inodes, c.inodes) || len(matches[0].Members) != c.members {
			t.Errorf("Apply(%+v) = %v (%d members); want %v with %d", c.spec, inodes, len(matches[0].Members), c.inodes, c.members)
		}
	}
	for _, spec := range []Spec{{PID: 999}, {Inode: 1}, {PID: 302, Inode: 4026531840}, {Inode: 4026532300, Types: []scan.Type{scan.Net}}} {
		if _, err := Apply(idx, spec); !errors.Is(err, ErrNotFound) {
			t.Errorf("Apply(%+v): err = %v, want ErrNotFound", spec, err)
		}
	}
}
