package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nsview/nsview/internal/fixture"
	"github.com/nsview/nsview/internal/render"
	"github.com/nsview/nsview/internal/scan"
	"github.com/nsview/nsview/internal/snapshot"
)

// runArgs runs nsview with args (a subcommand and its flags) and returns
// stdout, stderr and the exit status.
func runArgs(owners map[int]uint32, args ...string) (string, string, int) {
	var stdout, stderr bytes.Buffer
	code := runCLI(append([]string{"nsview"}, args...), environment{stdout: &stdout, stderr: &stderr, owners: owners})
	return stdout.String(), stderr.String(), code
}

// takeSnapshot runs `nsview snapshot` on the fixture procfs ./proc (the
// test's directory is its parent) and returns the document.
func takeSnapshot(t *testing.T, owners map[int]uint32, args ...string) string {
	t.Helper()
	stdout, stderr, code := runArgs(owners, append([]string{"snapshot", "--proc", "proc", "--host", "fixture"}, args...)...)
	if code != 0 {
		t.Fatalf("nsview snapshot: exit %d, stderr %q", code, stderr)
	}
	return stdout
}

// writeFile writes data to NAME in a temporary directory and returns its
// path.
func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadOne loads a single snapshot file.
func loadOne(t *testing.T, path string) *scan.Index {
	t.Helper()
	hosts, err := snapshot.Load(context.Background(), []string{path})
	if err != nil {
		t.Fatal(err)
	}
	return hosts[0].Index
}

// roundTripViews are views of the fixture proc, as command lines.
var roundTripViews = [][]string{
	nil,
	{"-t", "pid"},
	{"-namespace", "4026532300"},
	{"-namespace", "4026531836", "-o", "pid,ppid,uid,user,name,nspid,cgroup,command,container"},
	{"-pid", "302"},
	{"-c", "nginx"},
	{"--tree"},
	{"--tree", "-t", "user"},
	{"--tree", "-pid", "402"},
	{"--tree", "-namespace", "4026531836"},
	{"--json"},
	{"--tree", "--json"},
	{"-P"},
	{"-namespace", "4026599999"},
	{"-Q", "NPROCS > 1 && TYPE == 'net'"},
	{"--output-all"},
}

// deepViews are views of the fixture proc-deep: ten nested PID
// namespaces, a process with 30 children, names with control characters.
var deepViews = [][]string{
	{"--tree"},
	{"--tree", "--json"},
	{"--tree", "-pid", "207"},
	{"-t", "pid", "-o", "ns,nprocs,pid,command,pns,level"},
}

// TestSnapshotRoundTrip checks that every view of a snapshot equals the
// view of the live scan of the same (fixture) procfs: the snapshot keeps
// everything the views show.
func TestSnapshotRoundTrip(t *testing.T) {
	t.Setenv("LC_ALL", "C.UTF-8")
	for tree, views := range map[string][][]string{"proc": roundTripViews, "proc-deep": deepViews} {
		t.Run(tree, func(t *testing.T) { testRoundTrip(t, tree, views) })
	}
}

func testRoundTrip(t *testing.T, tree string, views [][]string) {
	root, owners := fixture.Tree(t, tree)
	t.Chdir(filepath.Dir(root))
	stdout, stderr, code := runArgs(owners, "snapshot", "--proc", tree)
	if code != 0 {
		t.Fatalf("nsview snapshot: exit %d, stderr %q", code, stderr)
	}
	file := writeFile(t, "snap.json", stdout)
	for _, args := range views {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			wantOut, wantErr, code := runOn(t, root, owners, args...)
			if code != 0 {
				t.Fatalf("live nsview %v: exit %d, stderr %q", args, code, wantErr)
			}
			gotOut, gotErr, code := runArgs(nil, append([]string{"--input", file}, args...)...)
			if code != 0 {
				t.Fatalf("nsview --input %v: exit %d, stderr %q", args, code, gotErr)
			}
			if gotOut != wantOut {
				t.Errorf("stdout from the snapshot:\n%s\nlive:\n%s", gotOut, wantOut)
			}
			if gotErr != wantErr {
				t.Errorf("stderr from the snapshot: %q, live: %q", gotErr, wantErr)
			}
		})
	}
}

// volatile matches what differs between runs of nsview snapshot on the
// fixture: the time and the kernel of the machine.
var volatile = regexp.MustCompile(`"time":"[^"]*","kernel":"[^"]*"`)

// TestSnapshotGolden keeps the fixture's snapshot in
// testdata/snapshot/fixture.json, the schema by example; with
// --no-commands every "command" is null.
func TestSnapshotGolden(t *testing.T) {
	root, owners := fixture.Proc(t)
	t.Chdir(filepath.Dir(root))
	for name, args := range map[string][]string{"fixture": nil, "fixture-no-commands": {"--no-commands"}} {
		t.Run(name, func(t *testing.T) {
			doc := volatile.ReplaceAllString(takeSnapshot(t, owners, args...), `"time":"TIME","kernel":"KERNEL"`)
			if !json.Valid([]byte(doc)) {
				t.Errorf("not valid JSON:\n%s", doc)
			}
			compareGolden(t, filepath.Join(fixture.Testdata(), "snapshot", name+".json"), doc)
		})
	}
}

func TestSnapshotUsageError(t *testing.T) {
	_, stderr, code := runArgs(nil, "snapshot", "extra")
	if code != exitUsage || strings.Count(stderr, "\n") != 1 {
		t.Errorf("nsview snapshot extra: exit %d, stderr %q; want exit 2 and one line", code, stderr)
	}
}

// hostileDocument is a snapshot whose every process-controlled text tries
// to drive the terminal: escape sequences, a bell, bidi overrides, C1
// controls, invalid UTF-8 and newlines.
func hostileDocument() *snapshot.Document {
	evil := "evil\x1b]0;pwned\x07\x1b[2J\u202eesrever\u2066\u009b31m\xff\nline2"
	cmd, level := evil+" --password hunter2", 0
	doc := &snapshot.Document{Header: snapshot.Header{Version: snapshot.Version, Host: "host\x1b[31m", Root: "/proc\x1b[2J"}}
	doc.Namespaces = []snapshot.Namespace{
		{Type: "pid", Inode: 4026531836, Level: &level, NSFS: []string{"/run/netns/" + evil}},
		{Type: "net", Inode: 4026531840, NSFS: []string{"/run/netns/" + evil}},
	}
	for pid := 1; pid <= 2; pid++ {
		p := snapshot.Process{PID: pid, PPID: pid - 1, UID: 0, User: "root\x1b[1m", Name: evil, Cgroup: "/" + evil,
			Command: &cmd, NSpid: []int{pid}, NS: map[string]uint64{"pid": 4026531836, "net": 4026531840}}
		// the exact bytes, as the writer records invalid UTF-8
		p.NameBytes, p.CmdBytes, p.CgBytes = []byte(evil), []byte(cmd), []byte("/"+evil)
		doc.Processes = append(doc.Processes, p)
	}
	return doc
}

// hasControls reports whether output holds what a terminal obeys rather
// than prints: controls other than newline, format characters (bidi
// overrides) or invalid UTF-8.
func hasControls(output string) bool {
	return !utf8.ValidString(output) || strings.ContainsFunc(output, func(r rune) bool {
		return (r < 0x20 && r != '\n') || (r >= 0x7f && r < 0xa0) || unicode.Is(unicode.Cf, r)
	})
}

// TestSnapshotHostile loads a snapshot full of escape sequences and checks
// that tables, trees, member lists and diffs escape them and that JSON
// stays valid and keeps the text.
func TestSnapshotHostile(t *testing.T) {
	var buf bytes.Buffer
	if err := snapshot.Write(&buf, hostileDocument()); err != nil {
		t.Fatal(err)
	}
	if hasControls(buf.String()) {
		t.Errorf("the snapshot file itself holds terminal controls:\n%q", buf.String())
	}
	path := writeFile(t, "hostile.json", buf.String())
	idx := loadOne(t, path)
	if got := idx.Processes[1].Comm; got != hostileDocument().Processes[0].Name {
		t.Errorf("name read back as %q", got)
	}
	for _, args := range [][]string{
		{"--output-all"},
		{"-namespace", "4026531836", "-o", "pid,user,name,cgroup,command"},
		{"--tree"},
		{"--tree", "-t", "net"},
	} {
		stdout, stderr, _ := runArgs(nil, append([]string{"--input", path}, args...)...)
		if hasControls(stdout+stderr) || !strings.Contains(stdout, `\x1b`) {
			t.Errorf("nsview --input %v is not escaped:\n%q\n%q", args, stdout, stderr)
		}
	}
	for _, args := range [][]string{{"--json"}, {"--tree", "--json"}} {
		stdout, _, _ := runArgs(nil, append([]string{"--input", path}, args...)...)
		if !json.Valid([]byte(stdout)) || hasControls(stdout) || !strings.Contains(stdout, `\u001b`) {
			t.Errorf("nsview --input %v: JSON invalid or not escaped:\n%q", args, stdout)
		}
	}
	empty := writeFile(t, "empty.json", `{"version":1,"host":"other"}`)
	stdout, stderr, code := runArgs(nil, "diff", empty, path)
	if code != 0 || hasControls(stdout+stderr) || !strings.Contains(stdout, `evil\x1b]0;pwned\x07`) {
		t.Errorf("nsview diff: exit %d, output not escaped:\n%q\n%q", code, stdout, stderr)
	}
}

// TestLoadErrors feeds Load what is not a snapshot it may read and checks
// for a one-line error naming the source and the fault; nsview diff then
// exits 1 with that line.
func TestLoadErrors(t *testing.T) {
	root, owners := fixture.Proc(t)
	t.Chdir(filepath.Dir(root))
	good := takeSnapshot(t, owners)
	doc := func(namespaces, processes string) string {
		return `{"version":1,"namespaces":[` + namespaces + `],"processes":[` + processes + `]}`
	}
	proc := func(pid, ppid int, ns string) string {
		return fmt.Sprintf(`{"pid":%d,"ppid":%d,"name":"x","ns":{%s}}`, pid, ppid, ns)
	}
	cases := []struct{ name, data, want string }{
		{"truncated", good[:len(good)/2], "truncated snapshot"},
		{"empty", "", "truncated snapshot"},
		{"not-json", "PID NS\n1 2\n", "malformed snapshot"},
		{"trailing", `{"version":1} {}`, "malformed snapshot"},
		{"wrong-type", `{"version":1,"processes":"many"}`, "malformed snapshot"},
		{"no-version", `{"namespaces":[]}`, `not an nsview snapshot`},
		{"newer", `{"version":2,"namespaces":"a new shape"}`, "version 2, this nsview reads up to 1; upgrade nsview"},
		{"version-zero", `{"version":0}`, "unknown snapshot version 0"},
		{"negative-pid", doc("", proc(-1, 0, `"pid":1`)), "PID -1"},
		{"zero-pid", doc("", proc(0, 0, `"pid":1`)), "PID 0"},
		{"duplicate-pid", doc("", proc(5, 0, `"pid":1`)+","+proc(5, 0, `"pid":1`)), "process 5 listed twice"},
		{"inode-zero", doc(`{"type":"net","inode":0}`, ""), "inode 0"},
		{"process-inode-zero", doc("", proc(5, 0, `"net":0`)), "inode 0"},
		{"unknown-type", doc(`{"type":"bogus","inode":7}`, ""), `unknown namespace type "bogus"`},
		{"process-unknown-type", doc("", proc(5, 0, `"bogus":7`)), `unknown namespace type "bogus"`},
		{"duplicate-namespace", doc(`{"type":"net","inode":7},{"type":"NET","inode":7}`, ""), "net:[7] listed twice"},
		{"parent-cycle", doc(`{"type":"pid","inode":7,"parent":8},{"type":"pid","inode":8,"parent":7}`, ""), "is its own ancestor"},
		{"self-parent", doc(`{"type":"user","inode":7,"parent":7}`, ""), "user:[7] is its own ancestor"},
		{"owner-cycle", doc(`{"type":"user","inode":7,"owner":8},{"type":"user","inode":8,"owner":7}`, ""), "is its own ancestor"},
		{"bad-level", doc(`{"type":"pid","inode":7,"level":-2}`, ""), "out of range"},
		{"bad-state", doc("", `{"pid":5,"state":"SS","ns":{}}`), "not one ASCII letter"},
		{"negative-count", `{"version":1,"skipped":{"denied":-1}}`, "negative count"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.name+".json", tc.data)
			_, err := snapshot.Load(context.Background(), []string{path})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), path+": ") ||
				strings.Contains(err.Error(), "\n") {
				t.Fatalf("Load = %v; want one line naming %s and %q", err, path, tc.want)
			}
			stdout, stderr, code := runArgs(nil, "diff", path, path)
			if code != exitRuntime || stdout != "" || stderr != "nsview: "+render.Escape(err.Error())+"\n" {
				t.Errorf("nsview diff: exit %d, stdout %q, stderr %q; want exit 1 and the error", code, stdout, stderr)
			}
		})
	}
}

// TestLoadLimits checks the size limit, a missing file, standard input and
// that each host comes once.
func TestLoadLimits(t *testing.T) {
	small := `{"version":1,"host":"a"}`
	path := writeFile(t, "a.json", small)
	if _, err := (snapshot.Loader{MaxBytes: 10}).Load(context.Background(), []string{path}); err == nil ||
		!strings.Contains(err.Error(), "snapshot too large: more than 10 bytes") {
		t.Errorf("10-byte limit: %v", err)
	}
	if _, err := snapshot.Load(context.Background(), []string{path + ".missing"}); err == nil ||
		err.Error() != path+".missing: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	if _, err := snapshot.Load(context.Background(), []string{path, path}); err == nil ||
		!strings.Contains(err.Error(), `both snapshots of host "a"`) {
		t.Errorf("the same host twice: %v", err)
	}
	if _, err := snapshot.Load(context.Background(), []string{"-", "-"}); err == nil ||
		!strings.Contains(err.Error(), "standard input (-) given twice") {
		t.Errorf("stdin twice: %v", err)
	}
	hosts, err := (snapshot.Loader{Stdin: strings.NewReader(`{"version":1,"host":"b"}`)}).Load(context.Background(), []string{path, "-"})
	if err != nil || len(hosts) != 2 || hosts[0].Host != "a" || hosts[1].Host != "b" || hosts[1].Source != "-" {
		t.Errorf("a file and stdin: %v, %v", hosts, err)
	}
}

// TestLoadSeveralHosts loads snapshots of two hosts whose namespaces have
// the same inodes (every host's initial namespaces do): each stays in its
// own index, with its own processes.
func TestLoadSeveralHosts(t *testing.T) {
	root, owners := fixture.Proc(t)
	t.Chdir(filepath.Dir(root))
	a := writeFile(t, "a.json", takeSnapshot(t, owners, "--host", "a"))
	b := writeFile(t, "b.json", takeSnapshot(t, owners, "--host", "b"))
	hosts, err := snapshot.Load(context.Background(), []string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) != 2 || hosts[0].Host != "a" || hosts[1].Host != "b" || hosts[0].Index.Host != "a" || hosts[1].Index.Host != "b" {
		t.Fatalf("hosts = %+v", hosts)
	}
	nsA, nsB := hosts[0].Index.Lookup(scan.PID, 4026531836), hosts[1].Index.Lookup(scan.PID, 4026531836)
	if nsA == nil || nsB == nil || nsA == nsB || nsA.Procs[0] == nsB.Procs[0] || len(nsA.Procs) != 10 || len(nsB.Procs) != 10 {
		t.Errorf("the initial PID namespaces of a and b are not separate: %v %v", nsA, nsB)
	}
}

// TestLoadHTTP reads a snapshot from a loopback HTTP server, and fails
// with one line on a status other than 200 and on a body over the limit.
func TestLoadHTTP(t *testing.T) {
	root, owners := fixture.Proc(t)
	t.Chdir(filepath.Dir(root))
	doc := takeSnapshot(t, owners)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/snapshot" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, doc)
	}))
	t.Cleanup(server.Close)
	hosts, err := snapshot.Load(context.Background(), []string{server.URL + "/snapshot"})
	if err != nil {
		t.Fatal(err)
	}
	if ns := hosts[0].Index.Lookup(scan.PID, 4026532300); ns == nil || len(ns.Procs) != 2 || hosts[0].Host != "fixture" {
		t.Errorf("loaded over HTTP: %+v", hosts[0])
	}
	_, err = snapshot.Load(context.Background(), []string{server.URL + "/nothing"})
	if err == nil || err.Error() != server.URL+"/nothing: HTTP status 404 Not Found" {
		t.Errorf("404: %v", err)
	}
	_, err = (snapshot.Loader{MaxBytes: 100}).Load(context.Background(), []string{server.URL + "/snapshot"})
	if err == nil || !strings.Contains(err.Error(), "snapshot too large") {
		t.Errorf("over the limit: %v", err)
	}
	stdout, stderr, code := runArgs(nil, "diff", server.URL+"/snapshot", writeFile(t, "same.json", doc))
	if code != 0 || stdout != "" || stderr != "" {
		t.Errorf("nsview diff URL FILE of the same snapshot: exit %d, %q, %q", code, stdout, stderr)
	}
}

// TestKernelSnapshotDiff snapshots the host before and after a sandbox in
// new PID, network and UTS namespaces exits, and checks both against the
// kernel: the snapshot holds the sandbox's namespaces (inodes from stat)
// with its two processes, their NSpid as /proc/PID/status says, and the
// diff reports the network namespace removed and the PID namespace removed
// or changed (its killed init stays, a zombie with a pid link, until the
// test's cleanup reaps it). Other tests' processes come and go meanwhile,
// so only the sandbox's lines are checked.
func TestKernelSnapshotDiff(t *testing.T) {
	sb := startSandbox(t, syscall.CLONE_NEWPID|syscall.CLONE_NEWNET|syscall.CLONE_NEWUTS)
	netns, pidns := nsInode(t, sb.Init, "net"), nsInode(t, sb.Init, "pid")
	stdout, stderr, code := runArgs(nil, "snapshot")
	if code != 0 {
		t.Fatalf("nsview snapshot: exit %d, %s", code, stderr)
	}
	before := writeFile(t, "before.json", stdout)
	idx := loadOne(t, before)
	ns := idx.Lookup(scan.Net, netns)
	if ns == nil || len(ns.Procs) != 2 || ns.Procs[0].PID != sb.Init || ns.Procs[1].PID != sb.Child {
		t.Fatalf("net:[%d] in the snapshot = %+v; want processes %d and %d", netns, ns, sb.Init, sb.Child)
	}
	if pns := idx.Lookup(scan.PID, pidns); pns == nil || pns.Level != 1 || pns.Parent != nsInode(t, os.Getpid(), "pid") {
		t.Errorf("pid:[%d] in the snapshot = %+v; want level 1 under this test's PID namespace", pidns, pns)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", sb.Child))
	if err != nil {
		t.Fatal(err)
	}
	wantNSpid := fmt.Sprintf("NSpid:\t%d\t2\n", sb.Child)
	if got := idx.Processes[sb.Child]; !strings.Contains(string(status), wantNSpid) ||
		fmt.Sprint(got.NSpid) != fmt.Sprintf("[%d 2]", sb.Child) || got.Cmdline != "sleep 1000" {
		t.Errorf("process %d in the snapshot: NSpid %v, command %q; status says %q", sb.Child, got.NSpid, got.Cmdline, status)
	}

	syscall.Kill(sb.Init, syscall.SIGKILL) // ends the PID namespace, the child too
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", sb.Child)); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d still runs", sb.Child)
		}
	}
	stdout, stderr, code = runArgs(nil, "snapshot")
	if code != 0 {
		t.Fatalf("nsview snapshot: exit %d, %s", code, stderr)
	}
	after := writeFile(t, "after.json", stdout)
	diff, stderr, code := runArgs(nil, "diff", before, after)
	want := fmt.Sprintf("- net:[%d] 2 processes (%d) sleep 1001", netns, sb.Init)
	if code != 0 || stderr != "" || !containsLine(diff, want) || !strings.Contains(diff, fmt.Sprintf(" pid:[%d] ", pidns)) {
		t.Errorf("nsview diff: exit %d, stderr %q, want the line %q in:\n%s", code, stderr, want, diff)
	}
}

// TestInputSeveralHosts views snapshots of two hosts (the fixtures proc
// and proc-deep, named alpha and beta) as one: rows gain HOST, JSON a
// "host" key; a PID one host lacks leaves that host out, and one that none
// has is an error.
func TestInputSeveralHosts(t *testing.T) {
	root, owners := fixture.Proc(t)
	deep, deepOwners := fixture.Tree(t, "proc-deep")
	t.Chdir(filepath.Dir(root))
	alphaDoc, _, code := runArgs(owners, "snapshot", "--proc", "proc", "--host", "alpha")
	betaDoc, _, code2 := runArgs(deepOwners, "snapshot", "--proc", deep, "--host", "beta")
	if code != 0 || code2 != 0 {
		t.Fatalf("nsview snapshot: exit %d, %d", code, code2)
	}
	alpha, beta := writeFile(t, "alpha.json", alphaDoc), writeFile(t, "beta.json", betaDoc)
	both := []string{"--input", alpha, "--input", beta}

	stdout, stderr, code := runArgs(nil, append(both, "-t", "pid")...)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || !strings.HasPrefix(lines[0], "HOST ") || !strings.Contains(stdout, "\nalpha ") || !strings.Contains(stdout, "\nbeta ") {
		t.Errorf("two hosts, -t pid: exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	stdout, _, code = runArgs(nil, append(both, "--json", "-t", "pid")...)
	var doc struct{ Namespaces []map[string]any }
	if err := json.Unmarshal([]byte(stdout), &doc); code != 0 || err != nil {
		t.Fatalf("--json: exit %d, %v", code, err)
	}
	hosts := map[any]int{}
	for _, ns := range doc.Namespaces {
		hosts[ns["host"]]++
	}
	if len(hosts) != 2 || hosts["alpha"] == 0 || hosts["beta"] == 0 {
		t.Errorf("--json hosts: %v; want alpha and beta", hosts)
	}
	if stdout, _, code = runArgs(nil, append(both, "-pid", "302", "-n", "-o", "host,ns")...); code != 0 || strings.Contains(stdout, "beta") || !strings.Contains(stdout, "alpha") {
		t.Errorf("-pid 302 (alpha's only): exit %d, stdout:\n%s", code, stdout)
	}
	if _, stderr, code = runArgs(nil, append(both, "-pid", "999")...); code != exitRuntime || strings.Count(stderr, "\n") != 1 {
		t.Errorf("-pid 999 (no host's): exit %d, stderr %q; want exit 1, one line", code, stderr)
	}
	if _, stderr, code = runArgs(nil, append(both, "--dot")...); code != exitUsage {
		t.Errorf("--dot of two hosts: exit %d, stderr %q; want exit 2", code, stderr)
	}
	if stdout, _, _ = runArgs(nil, "--input", alpha, "--json"); strings.Contains(stdout, `"host"`) {
		t.Error("one snapshot's --json has a host key; only several hosts' should")
	}
}
