package kerneltest

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Cgroups makes cgroups for a test below a top cgroup of its own, the
// same path in every hierarchy it places processes in, and removes them,
// deepest first, when the test that made it ends: after the processes in
// them, which end first.
type Cgroups struct {
	hierarchies []string
	top         string
	made        []string
}

// NewCgroups finds the hierarchies as bench/population.sh does:
// /sys/fs/cgroup when it is cgroup2, else each hierarchy below it but
// memory and cpuset (which may limit the machine, or want cpus and mems
// set first). It calls Require when there is none.
func NewCgroups(t testing.TB) *Cgroups {
	t.Helper()
	cg := &Cgroups{hierarchies: cgroupHierarchies(t), top: fmt.Sprintf("/nsview-test-%d", os.Getpid())}
	t.Cleanup(func() { cg.remove(t) })
	return cg
}

func cgroupHierarchies(t testing.TB) []string {
	t.Helper()
	var fs unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &fs); err != nil {
		Require(t, "no /sys/fs/cgroup: "+err.Error())
	}
	if fs.Type == unix.CGROUP2_SUPER_MAGIC {
		return []string{"/sys/fs/cgroup"}
	}
	entries, _ := os.ReadDir("/sys/fs/cgroup")
	var hierarchies []string
	for _, e := range entries {
		dir := filepath.Join("/sys/fs/cgroup", e.Name())
		if !e.IsDir() || e.Name() == "memory" || e.Name() == "cpuset" {
			continue
		}
		if unix.Statfs(dir, &fs) == nil && (fs.Type == unix.CGROUP_SUPER_MAGIC || fs.Type == unix.CGROUP2_SUPER_MAGIC) {
			hierarchies = append(hierarchies, dir)
		}
	}
	if len(hierarchies) == 0 {
		Require(t, "no cgroup hierarchy mounted")
	}
	return hierarchies
}

// Path is the cgroup path, as /proc/PID/cgroup shows it, of rel below the
// test's top cgroup.
func (cg *Cgroups) Path(rel string) string { return path.Join(cg.top, rel) }

// Move puts pid in the cgroup Path(rel) of every hierarchy, making the
// cgroups it lacks.
func (cg *Cgroups) Move(t testing.TB, pid int, rel string) {
	t.Helper()
	for _, h := range cg.hierarchies {
		dir := h
		for _, part := range strings.Split(strings.Trim(cg.Path(rel), "/"), "/") {
			dir += "/" + part
			if err := os.Mkdir(dir, 0o755); err == nil {
				cg.made = append(cg.made, dir)
			} else if !os.IsExist(err) {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(dir+"/cgroup.procs", []byte(fmt.Sprint(pid)), 0o644); err != nil {
			t.Fatalf("moving %d to %s: %v", pid, dir, err)
		}
	}
}

// remove removes the cgroups made, deepest first, once their killed
// processes are gone.
func (cg *Cgroups) remove(t testing.TB) {
	for i := len(cg.made) - 1; i >= 0; i-- {
		for tries := 0; ; tries++ {
			err := os.Remove(cg.made[i])
			if err == nil || os.IsNotExist(err) {
				break
			}
			if tries == 100 {
				t.Errorf("cannot remove cgroup %s: %v", cg.made[i], err)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
