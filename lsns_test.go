package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/kerneltest"
)

// lsnsJSON runs `lsns -J -l --output-all` with args and decodes its
// output. lsns 2.38 prints nothing when a process exits while it reads
// /proc, so a run that does not print a JSON document is retried. NPROCS
// does not count lsns itself, as a process of the host does not see it.
func lsnsJSON(t *testing.T, args ...string) map[uint64]jsonNS {
	t.Helper()
	if _, err := exec.LookPath("lsns"); err != nil {
		kerneltest.Require(t, "lsns is not installed")
	}
	var failure string
	for range 10 {
		var stderr bytes.Buffer
		cmd := exec.Command("lsns", append([]string{"-J", "-l", "--output-all"}, args...)...)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			failure = fmt.Sprintf("%v: %s", err, stderr.String())
			continue
		}
		namespaces, err := parseNamespaces(out)
		if err == nil {
			uncountLsns(t, namespaces)
			return namespaces
		}
		failure = fmt.Sprintf("%v: %q", err, out)
	}
	t.Fatalf("lsns %v printed no namespaces in 10 runs; the last: %s", args, failure)
	return nil
}

// uncountLsns takes lsns itself out of the NPROCS of the namespaces it
// ran in: those its parent, this test, gives its children.
func uncountLsns(t *testing.T, namespaces map[uint64]jsonNS) {
	t.Helper()
	for _, link := range []string{"cgroup", "ipc", "mnt", "net", "pid_for_children", "time_for_children", "user", "uts"} {
		var st syscall.Stat_t
		if err := syscall.Stat("/proc/self/ns/"+link, &st); err != nil {
			continue // a kernel without this namespace type
		}
		if ns, ok := namespaces[st.Ino]; ok {
			ns.NProcs--
			namespaces[st.Ino] = ns
		}
	}
}

// hostColumns are the lsns columns the whole-host comparison checks, with
// their values in a jsonNS.
var hostColumns = []struct {
	name  string
	value func(jsonNS) any
}{
	{"TYPE", func(n jsonNS) any { return n.Type }},
	{"NPROCS", func(n jsonNS) any { return n.NProcs }},
	{"PID", func(n jsonNS) any { return n.PID }},
	{"PPID", func(n jsonNS) any { return n.PPID }},
	{"COMMAND", func(n jsonNS) any { return n.Command }},
	{"UID", func(n jsonNS) any { return n.UID }},
	{"USER", func(n jsonNS) any { return n.User }},
	{"PNS", func(n jsonNS) any { return n.PNS }},
	{"ONS", func(n jsonNS) any { return n.ONS }},
}

// diffHosts describes how nsview's namespaces differ from lsns's, one line
// a namespace missing on either side or a column that differs; nil when
// they agree.
func diffHosts(ours, lsns map[uint64]jsonNS) []string {
	inodes := make([]uint64, 0, len(lsns))
	for inode := range lsns {
		inodes = append(inodes, inode)
	}
	for inode := range ours {
		if _, ok := lsns[inode]; !ok {
			inodes = append(inodes, inode)
		}
	}
	slices.Sort(inodes)
	var diff []string
	for _, inode := range inodes {
		got, inOurs := ours[inode]
		want, inLsns := lsns[inode]
		switch {
		case !inOurs:
			diff = append(diff, fmt.Sprintf("NS %d %s: only lsns lists it: %+v", inode, want.Type, want))
		case !inLsns && got.NProcs == 0:
			// lsns 2.38 lists no namespace without processes; those nsview
			// finds held by bind mounts, threads or as ancestors are tested
			// on their own (holders_test.go, internal/scan).
		case !inLsns:
			diff = append(diff, fmt.Sprintf("NS %d %s: only nsview lists it: %+v", inode, got.Type, got))
		default:
			for _, c := range hostColumns {
				if g, w := c.value(got), c.value(want); g != w {
					diff = append(diff, fmt.Sprintf("NS %d %s: %s nsview %q, lsns %q", inode, want.Type, c.name, fmt.Sprint(g), fmt.Sprint(w)))
				}
			}
		}
	}
	return diff
}

// TestKernelHostAgainstLsns compares every namespace of the host, not only
// the test's, with lsns on every column both print. Other processes come
// and go between the two scans, so nsview and lsns run back to back, again
// and again, until one pair agrees; the test fails with the last pair's
// differences. A sandbox with its own user namespace makes sure that the
// host has owned and nested namespaces to compare.
func TestKernelHostAgainstLsns(t *testing.T) {
	sb := startSandbox(t, containerFlags|syscall.CLONE_NEWUSER)
	const attempts = 15
	var diff []string
	for attempt := 1; attempt <= attempts; attempt++ {
		ours := nsviewJSON(t)
		lsns := lsnsJSON(t)
		if diff = diffHosts(ours, lsns); len(diff) == 0 {
			for _, typ := range append(containerTypes, "user") {
				if inode := nsInode(t, sb.Init, typ); ours[inode].NS != inode {
					t.Errorf("neither nsview nor lsns lists the sandbox's %s namespace %d", typ, inode)
				}
			}
			t.Logf("nsview and lsns agree on %d namespaces (attempt %d)", len(ours), attempt)
			return
		}
		t.Logf("attempt %d: %d differences, the first: %s", attempt, len(diff), diff[0])
		time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
	}
	t.Errorf("nsview and lsns disagree in %d back-to-back scans; the last differs in:\n%s", attempts, strings.Join(diff, "\n"))
}
