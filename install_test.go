package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// installed are the files `make install PREFIX=/usr` puts under DESTDIR.
var installed = map[string]os.FileMode{
	"usr/bin/nsview":                                  0o755,
	"usr/share/man/man1/nsview.1":                     0o644,
	"usr/share/bash-completion/completions/nsview":    0o644,
	"usr/share/zsh/site-functions/_nsview":            0o644,
	"usr/share/fish/vendor_completions.d/nsview.fish": 0o644,
}

// TestInstall runs `make install` into a DESTDIR, checks what it laid out,
// and drives each shell's completion with the installed files.
func TestInstall(t *testing.T) {
	makePath := requireTool(t, "make")
	dest := t.TempDir()
	// go test puts its own go first in PATH, for make's $(GO).
	cmd := exec.Command(makePath, "-s", "install", "DESTDIR="+dest, "PREFIX=/usr")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	var got []string
	filepath.WalkDir(dest, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dest, path)
			got = append(got, rel)
		}
		return err
	})
	for rel, mode := range installed {
		info, err := os.Stat(filepath.Join(dest, rel))
		if err != nil {
			t.Errorf("make install did not install %s: %v", rel, err)
		} else if info.Mode().Perm() != mode {
			t.Errorf("%s has mode %v, want %v", rel, info.Mode().Perm(), mode)
		}
	}
	if len(got) != len(installed) {
		t.Errorf("make install laid out %d files, want %d: %v", len(got), len(installed), got)
	}
	t.Setenv("PATH", filepath.Join(dest, "usr/bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Run("bash", func(t *testing.T) {
		testBashCompletion(t, filepath.Join(dest, "usr/share/bash-completion/completions/nsview"))
	})
	t.Run("zsh", func(t *testing.T) { testZshCompletion(t, filepath.Join(dest, "usr/share/zsh/site-functions/_nsview")) })
	t.Run("fish", func(t *testing.T) {
		testFishCompletion(t, filepath.Join(dest, "usr/share/fish/vendor_completions.d/nsview.fish"))
	})
}

// kernelTypes is the ground truth for -t: the namespace types of this
// kernel, as /proc/self/ns lists them.
func kernelTypes(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/ns")
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), "_for_children") {
			types = append(types, e.Name())
		}
	}
	return types
}

// lsnsColumns is the ground truth for -o: the columns lsns --help lists,
// in lower case; nil without lsns.
func lsnsColumns(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("lsns", "--help").Output()
	if err != nil {
		return nil
	}
	_, list, _ := strings.Cut(string(out), "Available output columns:")
	var cols []string
	for _, line := range strings.Split(list, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == strings.ToUpper(f[0]) {
			cols = append(cols, strings.ToLower(f[0]))
		}
	}
	return cols
}

// sleeper starts a process whose PID completion must offer; it is killed
// when the test ends.
func sleeper(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("sleep", "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd.Process.Pid
}

// bashComplete completes the last of words (COMP_WORDS, the command
// first) as bash does with the script, and returns COMPREPLY.
func bashComplete(t *testing.T, bash, script string, words ...string) []string {
	t.Helper()
	cmd := exec.Command(bash, "--norc", "-c", `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _nsview; printf '%s\n' "${COMPREPLY[@]}"`,
		"bash", script)
	cmd.Args = append(cmd.Args, words...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("bash completion of %q: %v: %s", words, err, stderr.String())
	}
	return strings.Fields(string(out))
}

func testBashCompletion(t *testing.T, script string) {
	bash := requireTool(t, "bash")
	if got, want := bashComplete(t, bash, script, "nsview", "-t", ""), kernelTypes(t); !sameSet(got, want) {
		t.Errorf("-t completes to %q, the kernel's types are %q", got, want)
	}
	if got := bashComplete(t, bash, script, "nsview", "-t", "net,u"); !sameSet(got, []string{"net,user", "net,uts"}) {
		t.Errorf("-t net,u completes to %q", got)
	}
	columns := bashComplete(t, bash, script, "nsview", "-o", "")
	for _, c := range append(lsnsColumns(t), "level", "ouid", "container", "pod") {
		if !slices.Contains(columns, c) {
			t.Errorf("-o does not offer lsns's column %s: %q", c, columns)
		}
	}
	if got := bashComplete(t, bash, script, "nsview", "-o", "+pn"); !sameSet(got, []string{"+pns"}) {
		t.Errorf("-o +pn completes to %q, want +pns", got)
	}
	pid := sleeper(t)
	pids := bashComplete(t, bash, script, "nsview", "-p", "")
	if !slices.Contains(pids, fmt.Sprint(pid)) || !slices.Contains(pids, fmt.Sprint(os.Getpid())) {
		t.Errorf("-p does not offer PID %d (sleep) and %d (the test): %d candidates", pid, os.Getpid(), len(pids))
	}
	for _, p := range bashComplete(t, bash, script, "nsview", "--pid", fmt.Sprint(pid)) {
		if !strings.HasPrefix(p, fmt.Sprint(pid)) {
			t.Errorf("--pid %d offers %s", pid, p)
		}
	}
	// bash splits --color=al at the "=": only the value is replaced.
	if got := bashComplete(t, bash, script, "nsview", "--color", "=", "al"); !sameSet(got, []string{"always"}) {
		t.Errorf("--color=al completes to %q, want always", got)
	}
	if got := bashComplete(t, bash, script, "nsview", "--names"); !sameSet(got, []string{"--namespace"}) {
		t.Errorf("--names completes to %q, want --namespace", got)
	}
}

func testZshCompletion(t *testing.T, script string) {
	zsh := requireTool(t, "zsh")
	if out, err := exec.Command(zsh, "-n", script).CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("zsh -n %s: %v\n%s", script, err, out)
	}
	if got, want := zshComplete(t, zsh, script, "nsview", "-t", ""), kernelTypes(t); !sameSet(got, want) {
		t.Errorf("zsh completes -t to %q, the kernel's types are %q", got, want)
	}
	if got := zshComplete(t, zsh, script, "nsview", "-o", "ns,ty"); !sameSet(got, []string{"ns,type"}) {
		t.Errorf("zsh completes -o ns,ty to %q, want ns,type", got)
	}
}

// zshComplete runs the zsh completion function as compinit would load it,
// with words (the command first; the last is under the cursor), and
// returns the words it hands to _describe. zsh's completion system needs a
// terminal, so _describe and _files are stand-ins that print what they
// are given.
func zshComplete(t *testing.T, zsh, script string, words ...string) []string {
	t.Helper()
	cmd := exec.Command(zsh, "-f", "-c", `_describe() { print -rl -- ${(P)${@[-1]}} }; _files() { print _files }
		fpath=($1 $fpath); shift; words=("$@"); CURRENT=$#; autoload -Uz _nsview; _nsview`, "zsh", filepath.Dir(script))
	cmd.Args = append(cmd.Args, words...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("zsh completion of %q: %v: %s", words, err, stderr.String())
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		word, _, _ := strings.Cut(line, ":")
		got = append(got, word)
	}
	return got
}

func testFishCompletion(t *testing.T, script string) {
	fish := requireTool(t, "fish")
	if out, err := exec.Command(fish, "-n", script).CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("fish -n %s: %v\n%s", script, err, out)
	}
	// complete -C prints what fish offers for a command line, a candidate
	// a line with its description after a tab.
	out, err := exec.Command(fish, "--no-config", "-c", `source $argv[1]; complete -C "nsview -t "`, script).Output()
	if err != nil {
		t.Fatalf("fish complete -C: %v", err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		word, _, _ := strings.Cut(line, "\t")
		got = append(got, word)
	}
	if want := kernelTypes(t); !sameSet(got, want) {
		t.Errorf("fish completes -t to %q, the kernel's types are %q", got, want)
	}
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(a, b)
}
