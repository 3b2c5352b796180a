package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clipperhouse/displaywidth"

	"github.com/nsview/nsview/internal/fixture"
	"github.com/nsview/nsview/internal/kerneltest"
	"github.com/nsview/nsview/internal/ptytest"
)

// TestWideCommandFitsTerminal gives a process a command line of CJK
// characters, each two cells wide, and checks on an 80-column
// pseudo-terminal that no line of any view is wider than the terminal.
func TestWideCommandFitsTerminal(t *testing.T) {
	root := filepath.Join(fixture.TempDir(t), "proc")
	if err := fixture.Generate(root, 30); err != nil {
		t.Fatal(err)
	}
	wide := strings.Repeat("名前空間", 30) + "\x00--flag\x00"
	if err := os.WriteFile(filepath.Join(root, "2", "cmdline"), []byte(wide), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{nil, {"-o", "command,ns,type"}, {"--tree"}, {"-namespace", "4026540000"}, {"-t", "user", "--tree"}} {
		screen := runOnTerminal(t, 80, append([]string{"--proc", root}, args...)...)
		if !strings.Contains(screen, "名前") {
			t.Fatalf("nsview %v: the wide command line is not shown:\n%s", args, screen)
		}
		for _, line := range strings.Split(screen, "\n") {
			if w := displaywidth.String(line); w > 80 {
				t.Errorf("nsview %v: a line is %d cells wide on an 80-column terminal:\n%s", args, w, line)
			}
		}
	}
}

// runOnTerminal runs nsview with its standard output on a pseudo-terminal
// of the given width and returns what the terminal received, with the
// terminal's CR LF line ends made LF.
func runOnTerminal(t *testing.T, columns int, args ...string) string {
	t.Helper()
	master, tty := ptytest.Open(t, columns)
	var screen bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(&screen, master) // ends with EIO once the terminal side is closed
	}()
	var stderr strings.Builder
	code := runCLI(append([]string{"nsview", "--color=never"}, args...), environment{stdout: tty, stderr: &stderr})
	tty.Close()
	<-done
	if code != 0 {
		t.Fatalf("nsview %v: exit %d: %s", args, code, stderr.String())
	}
	return strings.ReplaceAll(screen.String(), "\r\n", "\n")
}

// TestSameNamespacesInEveryFormat checks, on the live host and through the
// procfs of a container, that the default table, a table of other
// columns and the JSON of one command list the same namespaces.
func TestSameNamespacesInEveryFormat(t *testing.T) {
	if os.Geteuid() != 0 {
		kerneltest.Require(t, "not root")
	}
	inside := startContainer(t)
	containerProc := fmt.Sprintf("/proc/%d/root/proc", inside)
	for _, view := range [][]string{
		nil,
		{"-t", "pid"},
		{"-t", "user"},
		{"-t", "net,uts"},
		{"-pid", fmt.Sprint(inside)},
		{"--proc", containerProc},
		{"--proc", containerProc, "-t", "pid"},
	} {
		t.Run(strings.Join(view, " "), func(t *testing.T) {
			// Other processes on the host come and go between the runs:
			// retry until the formats agree.
			var diff string
			for range 5 {
				if diff = formatsDiffer(t, view); diff == "" {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
			t.Error(diff)
		})
	}
}

// formatsDiffer runs the view in several formats and says how the lists
// of namespaces they print differ; "" when they are the same.
func formatsDiffer(t *testing.T, view []string) string {
	formats := map[string]func() []string{
		"default table": func() []string { return tableNamespaces(nsview(t, append(view, "-n")...)) },
		"-o ns,type,pns": func() []string {
			return tableNamespaces(nsview(t, append(view, "-n", "-o", "ns,type,pns")...))
		},
		"--json": func() []string { return jsonNamespaces(t, nsview(t, append(view, "--json")...)) },
		"--json -o ns,type": func() []string {
			return jsonNamespaces(t, nsview(t, append(view, "--json", "-o", "ns,type")...))
		},
	}
	lists := map[string][]string{}
	for name, list := range formats {
		lists[name] = list()
	}
	want := lists["default table"]
	if len(want) == 0 {
		t.Fatalf("nsview %v listed no namespace", view)
	}
	for _, name := range slices.Sorted(maps.Keys(lists)) {
		if !slices.Equal(lists[name], want) {
			return fmt.Sprintf("nsview %v: %s lists %v\nthe default table lists %v", view, name, lists[name], want)
		}
	}
	return ""
}

// tableNamespaces reads "NS TYPE ..." rows without headings.
func tableNamespaces(out string) []string {
	var list []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			list = append(list, f[0]+" "+f[1])
		}
	}
	return list
}

func jsonNamespaces(t *testing.T, out string) []string {
	var doc struct {
		Namespaces []struct {
			NS   uint64 `json:"ns"`
			Type string `json:"type"`
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	var list []string
	for _, ns := range doc.Namespaces {
		list = append(list, fmt.Sprintf("%d %s", ns.NS, ns.Type))
	}
	return list
}

// startContainer starts `sleep` as PID 1 of new PID, mount, network and
// UTS namespaces with its own /proc, as a container runtime would, and
// returns its host PID. It is killed when the test ends.
func startContainer(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "--net", "--uts", "--kill-child", "sleep", "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		kerneltest.Require(t, err.Error())
	}
	t.Cleanup(func() {
		cmd.Process.Kill() // --kill-child ends the sleep with it
		cmd.Wait()
	})
	children := fmt.Sprintf("/proc/%d/task/%d/children", cmd.Process.Pid, cmd.Process.Pid)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var pid int
		if data, err := os.ReadFile(children); err == nil && len(data) > 0 {
			if _, err := fmt.Sscan(string(data), &pid); err == nil {
				waitForCommand(t, pid, "sleep 1000")
				return pid
			}
		}
	}
	t.Fatal("unshare started no process in time")
	return 0
}
