package scan

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
)

var allDetails = Details{Cmdline: true, Cgroup: true, NSpid: true}

// TestDescribeReusedPID replaces process 402 of a fixture between Scan and
// Describe by one with the same PID and a later start time: its details
// must stay unknown, not be the newcomer's, and the reuse be counted.
func TestDescribeReusedPID(t *testing.T) {
	root, owners := fixture.Proc(t)
	idx, err := Scan(Options{Root: root, Owners: owners})
	if err != nil {
		t.Fatal(err)
	}
	p := idx.Processes[402]
	if p.StartTime != 42 {
		t.Fatalf("process 402 started at %d, want 42 from its stat", p.StartTime)
	}
	newcomer := map[string]string{
		"stat":    string(statLine(402, "evil", 'S', 1, 9000)),
		"cmdline": "evil\x00",
		"cgroup":  "0::/evil\n",
		"status":  "Name:\tevil\nNSpid:\t402\t7\n",
	}
	for name, text := range newcomer {
		if err := os.WriteFile(filepath.Join(root, "402", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	idx.Describe([]*Process{p, idx.Processes[401]}, allDetails)
	if p.Cmdline != "" || p.Command() != "sleep" || p.Cgroup != "" || !slices.Equal(p.NSpid, []int{402}) {
		t.Errorf("reused PID 402 described as %+v; want its details unknown", p)
	}
	if !errors.Is(p.DetailsErr, ErrReused) || idx.Reused != 1 {
		t.Errorf("DetailsErr = %v, Reused = %d; want ErrReused, 1", p.DetailsErr, idx.Reused)
	}
	if q := idx.Processes[401]; q.DetailsErr != nil || q.Cmdline != "sh" {
		t.Errorf("process 401 beside it = %+v, want it read", q)
	}
}

// TestDescribeGone removes a process between Scan and Describe.
func TestDescribeGone(t *testing.T) {
	root, owners := fixture.Proc(t)
	idx, err := Scan(Options{Root: root, Owners: owners})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(root, "402")); err != nil {
		t.Fatal(err)
	}
	p := idx.Processes[402]
	idx.Describe([]*Process{p}, allDetails)
	if !errors.Is(p.DetailsErr, ErrGone) || idx.Reused != 0 || p.Command() != "sleep" || !slices.Equal(p.NSpid, []int{402}) {
		t.Errorf("vanished 402: %+v, Reused %d; want ErrGone, its name, one PID", p, idx.Reused)
	}
}

// TestDescribeTwice checks that Describe keeps no state between calls:
// the second call reads the files again, and reads what the first did not.
func TestDescribeTwice(t *testing.T) {
	root, owners := fixture.Proc(t)
	idx, err := Scan(Options{Root: root, Owners: owners})
	if err != nil {
		t.Fatal(err)
	}
	p := idx.Processes[402]
	idx.Describe([]*Process{p}, Details{Cmdline: true})
	if p.Cmdline != "sleep infinity" || p.Cgroup != "" {
		t.Fatalf("first Describe: %+v", p)
	}
	if err := os.WriteFile(filepath.Join(root, "402", "cmdline"), []byte("sleep\x00forever\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	idx.Describe([]*Process{p}, allDetails)
	if p.Cmdline != "sleep forever" || p.Cgroup != "/user.slice/user-424242.slice" || len(p.NSpid) != 3 {
		t.Errorf("second Describe: %+v, want everything read anew", p)
	}
}
