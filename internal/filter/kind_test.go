package filter

import (
	"slices"
	"testing"

	"github.com/nsview/nsview/internal/scan"
)

// TestKindOf checks how --tree modes, -t and the two ways to name a
// namespace decide the view kind.
func TestKindOf(t *testing.T) {
	user, net := []scan.Type{scan.User}, []scan.Type{scan.Net}
	for _, tc := range []struct {
		name      string
		tree      TreeMode
		inode     InodeForm
		types     []scan.Type
		want      Kind
		wantTypes []scan.Type
	}{
		{"table", TreeNone, NoInode, nil, Namespaces, nil},
		{"bare inode", TreeNone, InodeArgument, nil, Processes, nil},
		{"-namespace", TreeNone, InodeOption, nil, Members, nil},
		{"--tree", TreeDefault, NoInode, nil, PIDTree, []scan.Type{scan.PID}},
		{"--tree -t user", TreeDefault, NoInode, user, OwnerTree, nil},
		{"--tree -t net", TreeDefault, NoInode, net, OwnerTree, net},
		{"--tree=process -t net", TreeProcess, NoInode, net, PIDTree, []scan.Type{scan.PID}},
		{"--tree=parent", TreeParent, NoInode, nil, PIDTree, []scan.Type{scan.PID}},
		{"--tree=owner", TreeOwner, NoInode, nil, OwnerTree, nil},
		{"--tree=owner -t user", TreeOwner, NoInode, user, OwnerTree, nil},
		{"--tree=process INODE", TreeProcess, InodeArgument, nil, MemberTree, nil},
	} {
		k, s := KindOf(tc.tree, tc.inode, Spec{Types: tc.types})
		if k != tc.want || !slices.Equal(s.Types, tc.wantTypes) {
			t.Errorf("%s: got kind %d types %v, want %d %v", tc.name, k, s.Types, tc.want, tc.wantTypes)
		}
	}
}

// TestParseTreeMode checks lsns's tree mode names and the error.
func TestParseTreeMode(t *testing.T) {
	for name, want := range map[string]TreeMode{"process": TreeProcess, "parent": TreeParent, "owner": TreeOwner} {
		if got, err := ParseTreeMode(name); got != want || err != nil || got.String() != name {
			t.Errorf("ParseTreeMode(%q) = %v, %v", name, got, err)
		}
	}
	if _, err := ParseTreeMode("pid"); err == nil {
		t.Error("ParseTreeMode(pid): no error")
	}
}

// TestPersistent checks -P: only namespaces without processes.
func TestPersistent(t *testing.T) {
	idx := &scan.Index{Namespaces: []*scan.Namespace{
		{Type: scan.PID, Inode: 1, Procs: []*scan.Process{{PID: 1}}},
		{Type: scan.PID, Inode: 2},
	}}
	got, err := Apply(idx, Spec{Persistent: true})
	if err != nil || len(got) != 1 || got[0].Inode != 2 {
		t.Errorf("Apply(-P) = %v, %v; want only inode 2", got, err)
	}
}
