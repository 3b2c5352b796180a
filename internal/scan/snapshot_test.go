package scan

import (
	"errors"
	"testing"
)

// TestRebuild checks that a rebuilt index files processes under their
// namespaces, sorts them as a scan does, and names users only from what
// was recorded: UID 0 is "alice" there, and an unnamed UID its number,
// whatever this machine's user database says.
func TestRebuild(t *testing.T) {
	procs := []*Process{
		{PID: 7, PPID: 1, UID: 0, NS: [NumTypes]uint64{PID: 100, Net: 200}},
		{PID: 1, UID: 4242, NS: [NumTypes]uint64{PID: 100}},
	}
	namespaces := []*Namespace{{Type: User, Inode: 300, OwnerUID: 65534, Level: 0},
		{Type: PID, Inode: 100, Level: 0, OwnerUID: -1, Initial: true, Procs: []*Process{{PID: 99}}}}
	idx, err := Rebuild(Recorded{Root: "/proc", Processes: procs, Namespaces: namespaces,
		Users: map[uint32]string{0: "alice"}, Skipped: Skipped{Denied: 2}, Reused: 3, Host: "h"})
	if err != nil {
		t.Fatal(err)
	}
	pidNS := idx.Lookup(PID, 100)
	if pidNS == nil || len(pidNS.Procs) != 2 || pidNS.Leader().PID != 1 || !idx.IsInitial(pidNS) {
		t.Errorf("pid:[100] = %+v; want members 1 and 7 (the recorded Procs dropped), initial", pidNS)
	}
	if net := idx.Lookup(Net, 200); net == nil || net.Level != -1 || net.OwnerUID != -1 {
		t.Errorf("net:[200], named only by a process = %+v; want it with its hierarchy unknown", net)
	}
	if got := []*Namespace{idx.Namespaces[0], idx.Namespaces[2]}; got[0].Inode != 100 || got[1].Inode != 300 {
		t.Errorf("namespaces not sorted by inode: %v", idx.Namespaces)
	}
	for uid, want := range map[uint32]string{0: "alice", 4242: "4242", 65534: "65534"} {
		if got := idx.UserName(uid); got != want {
			t.Errorf("UserName(%d) = %q, want %q", uid, got, want)
		}
	}
	if idx.Skipped.Denied != 2 || idx.Reused != 3 || idx.Host != "h" {
		t.Errorf("skipped = %+v, reused %d, host %q; want the recorded ones", idx.Skipped, idx.Reused, idx.Host)
	}
	if _, err := Rebuild(Recorded{Processes: []*Process{{PID: 1}, {PID: 1}}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a PID twice: %v, want ErrInvalid", err)
	}
}
