package snapshot

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/nsview/nsview/internal/container"
	"github.com/nsview/nsview/internal/scan"
)

// Version is the schema version this package writes and the newest it
// reads (see the package documentation).
const Version = 1

// Document is a snapshot as it is encoded; see the package documentation
// for its keys.
type Document struct {
	Header
	Namespaces []Namespace `json:"namespaces"`
	Processes  []Process   `json:"processes"`
}

// Header is a Document's keys other than its lists, which Write writes
// first.
type Header struct {
	Version int       `json:"version"`
	Host    string    `json:"host"`
	Time    time.Time `json:"time"`
	Kernel  string    `json:"kernel"`
	Root    string    `json:"root"`
	Skipped Skipped   `json:"skipped"`
	Partial bool      `json:"partial_hierarchy"`
	// Reused counts the processes whose PID another process had taken by
	// the time their details were read: their details are unknown.
	Reused int `json:"reused"`
}

// Namespace is one namespace in a Document.
type Namespace struct {
	Type      string   `json:"type"`
	Inode     uint64   `json:"inode"`
	Parent    *uint64  `json:"parent"`
	Owner     *uint64  `json:"owner"`
	OwnerUID  *int64   `json:"owner_uid"`
	OwnerUser string   `json:"owner_user,omitempty"`
	Level     *int     `json:"level"`
	NSFS      []string `json:"nsfs"`
	NetNSID   *int     `json:"netnsid"`
	PIDs      []int    `json:"pids"`
	// What keeps it alive, and where (added in version 1 after its first
	// release: older documents lack them, which reads as unknown).
	Initial bool     `json:"initial"`
	Holders []string `json:"holders,omitempty"`
	Mounts  []Mount  `json:"mounts,omitempty"`
	Threads []Thread `json:"threads,omitempty"`
	FDs     []string `json:"fds,omitempty"`
	Sockets []string `json:"sockets,omitempty"`
}

// Mount is a bind mount of a namespace's file: its mount point, the mount
// namespace it is in, and the process whose root reaches it (0: nsview's
// own mount namespace).
type Mount struct {
	Path  string `json:"path"`
	MntNS uint64 `json:"mntns"`
	PID   int    `json:"pid"`
}

// Thread is a thread in a namespace its process is not in.
type Thread struct {
	PID int `json:"pid"`
	TID int `json:"tid"`
}

// Container is the container a process runs in.
type Container struct {
	Runtime string `json:"runtime"`
	ID      string `json:"id"`
	Name    string `json:"name,omitempty"`
	Sandbox bool   `json:"sandbox,omitempty"`
	Pod     *Pod   `json:"pod,omitempty"`
}

// Pod is the Kubernetes pod of a container.
type Pod struct {
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	UID       string `json:"uid,omitempty"`
}

// Process is one process in a Document.
type Process struct {
	PID       int               `json:"pid"`
	PPID      int               `json:"ppid"`
	UID       uint32            `json:"uid"`
	User      string            `json:"user"`
	Name      string            `json:"name"`
	NameBytes []byte            `json:"name_bytes,omitempty"`
	State     string            `json:"state"`
	StartTime uint64            `json:"start_time"`
	Command   *string           `json:"command"`
	CmdBytes  []byte            `json:"command_bytes,omitempty"`
	Cgroup    string            `json:"cgroup"`
	CgBytes   []byte            `json:"cgroup_bytes,omitempty"`
	NSpid     []int             `json:"nspid"`
	NS        map[string]uint64 `json:"ns"`
	// Container is null when the process runs in none.
	Container *Container `json:"container"`
}

// Skipped counts the processes the scan could not read, by reason.
type Skipped struct {
	Denied int `json:"denied"`
	Gone   int `json:"gone"`
	Broken int `json:"broken"`
}

// Meta is what a Document says about where and when it was taken.
type Meta struct {
	Host   string
	Time   time.Time
	Kernel string
}

// Options say what a Document leaves out.
type Options struct {
	// Commands includes command lines, which can carry secrets (passwords
	// in arguments); without it "command" is null.
	Commands bool
}

// FromIndex records idx, whose processes are described, as a Document.
func FromIndex(idx *scan.Index, meta Meta, opts Options) *Document {
	doc := &Document{Header: Header{Version: Version, Host: meta.Host, Time: meta.Time, Kernel: meta.Kernel,
		Root: idx.Root, Skipped: Skipped(idx.Skipped), Partial: idx.Partial, Reused: idx.Reused},
		Namespaces: make([]Namespace, len(idx.Namespaces)), Processes: make([]Process, 0, len(idx.Processes))}
	for i, ns := range idx.Namespaces {
		doc.Namespaces[i] = namespaceDoc(idx, ns)
	}
	for _, p := range idx.Processes {
		doc.Processes = append(doc.Processes, processDoc(idx, p, opts))
	}
	slices.SortFunc(doc.Processes, func(a, b Process) int { return a.PID - b.PID })
	return doc
}

func namespaceDoc(idx *scan.Index, ns *scan.Namespace) Namespace {
	d := Namespace{Type: ns.Type.String(), Inode: ns.Inode, Parent: nonzero(ns.Parent), Owner: nonzero(ns.Owner),
		NSFS: slices.Clone(ns.NSFS), NetNSID: ns.NetNSID, PIDs: make([]int, len(ns.Procs))}
	if d.NSFS == nil {
		d.NSFS = []string{}
	}
	if ns.OwnerUID >= 0 {
		d.OwnerUID, d.OwnerUser = &ns.OwnerUID, idx.UserName(uint32(ns.OwnerUID))
	}
	if ns.Level >= 0 {
		d.Level = &ns.Level
	}
	for i, p := range ns.Procs {
		d.PIDs[i] = p.PID
	}
	d.Initial, d.Holders, d.FDs, d.Sockets = ns.Initial, ns.Holders.Names(), ns.FDs, ns.Sockets
	for _, m := range ns.Mounts {
		d.Mounts = append(d.Mounts, Mount{Path: m.Path, MntNS: m.MntNS, PID: m.PID})
	}
	for _, th := range ns.Threads {
		d.Threads = append(d.Threads, Thread{PID: th.PID, TID: th.TID})
	}
	return d
}

func processDoc(idx *scan.Index, p *scan.Process, opts Options) Process {
	d := Process{PID: p.PID, PPID: p.PPID, UID: p.UID, User: idx.UserName(p.UID),
		StartTime: p.StartTime, NSpid: p.NSpid, NS: map[string]uint64{}}
	if p.State > 0 && p.State < utf8.RuneSelf {
		d.State = string(rune(p.State))
	}
	d.Name, d.NameBytes = text(p.Comm)
	d.Cgroup, d.CgBytes = text(p.Cgroup)
	if opts.Commands {
		var cmd string
		cmd, d.CmdBytes = text(p.Cmdline)
		d.Command = &cmd
	}
	for _, t := range scan.AllTypes {
		if p.NS[t] != 0 {
			d.NS[t.String()] = p.NS[t]
		}
	}
	if c := p.Container; c != nil {
		d.Container = &Container{Runtime: string(c.Runtime), ID: c.ID, Name: c.Name, Sandbox: c.Sandbox}
		if c.Pod != nil {
			d.Container.Pod = &Pod{Name: c.Pod.Name, Namespace: c.Pod.Namespace, UID: c.Pod.UID}
		}
	}
	return d
}

// text returns s as JSON can carry it and, when that is not exactly s
// (invalid UTF-8), s's bytes.
func text(s string) (string, []byte) {
	if utf8.ValidString(s) {
		return s, nil
	}
	return string([]rune(s)), []byte(s)
}

func nonzero(n uint64) *uint64 {
	if n == 0 {
		return nil
	}
	return &n
}

// Recorded converts the document for scan.Rebuild. Its errors name the
// item at fault.
func (d *Document) Recorded() (scan.Recorded, error) {
	r := scan.Recorded{Host: d.Host, Root: d.Root, Skipped: scan.Skipped(d.Skipped), Partial: d.Partial, Reused: d.Reused,
		Namespaces: make([]*scan.Namespace, len(d.Namespaces)), Processes: make([]*scan.Process, len(d.Processes)),
		Users: map[uint32]string{}}
	for i, n := range d.Namespaces {
		ns, err := n.namespace()
		if err != nil {
			return r, err
		}
		r.Namespaces[i] = ns
		if ns.OwnerUID >= 0 && n.OwnerUser != "" {
			r.Users[uint32(ns.OwnerUID)] = n.OwnerUser
		}
	}
	for i, p := range d.Processes {
		proc, err := p.process()
		if err != nil {
			return r, err
		}
		r.Processes[i] = proc
		if p.User != "" {
			r.Users[p.UID] = p.User
		}
	}
	return r, nil
}

func (n Namespace) namespace() (*scan.Namespace, error) {
	t, err := scan.ParseType(n.Type)
	if err != nil {
		return nil, fmt.Errorf("namespace %d: %w", n.Inode, err)
	}
	ns := &scan.Namespace{Type: t, Inode: n.Inode, OwnerUID: -1, Level: -1, NSFS: n.NSFS, NetNSID: n.NetNSID,
		Initial: n.Initial, FDs: n.FDs, Sockets: n.Sockets}
	if ns.Holders, err = scan.ParseHolders(n.Holders); err != nil {
		return nil, fmt.Errorf("namespace %s: %w", ns.Key(), err)
	}
	for _, m := range n.Mounts {
		ns.Mounts = append(ns.Mounts, scan.Mount{Path: m.Path, MntNS: m.MntNS, PID: m.PID})
	}
	for _, th := range n.Threads {
		ns.Threads = append(ns.Threads, scan.Thread{PID: th.PID, TID: th.TID})
	}
	if n.Parent != nil {
		ns.Parent = *n.Parent
	}
	if n.Owner != nil {
		ns.Owner = *n.Owner
	}
	if n.OwnerUID != nil {
		ns.OwnerUID = *n.OwnerUID
	}
	if n.Level != nil {
		ns.Level = *n.Level
	}
	return ns, nil
}

func (p Process) process() (*scan.Process, error) {
	proc := &scan.Process{PID: p.PID, PPID: p.PPID, UID: p.UID, Comm: exact(p.Name, p.NameBytes),
		StartTime: p.StartTime, Cgroup: exact(p.Cgroup, p.CgBytes), NSpid: p.NSpid}
	if len(p.State) > 1 || (p.State != "" && p.State[0] >= utf8.RuneSelf) {
		return nil, fmt.Errorf("process %d: state %q is not one ASCII letter", p.PID, p.State)
	}
	if p.State != "" {
		proc.State = p.State[0]
	}
	if p.Command != nil {
		proc.Cmdline = exact(*p.Command, p.CmdBytes)
	}
	if c := p.Container; c != nil {
		proc.Container = &container.Container{Runtime: container.Runtime(c.Runtime), ID: c.ID, Name: c.Name, Sandbox: c.Sandbox}
		if c.Pod != nil {
			proc.Container.Pod = &container.Pod{Name: c.Pod.Name, Namespace: c.Pod.Namespace, UID: c.Pod.UID}
		}
	}
	for name, inode := range p.NS {
		t, err := scan.ParseType(name)
		if err != nil {
			return nil, fmt.Errorf("process %d: %w", p.PID, err)
		}
		if inode == 0 {
			return nil, fmt.Errorf("process %d: %s namespace with inode 0", p.PID, t)
		}
		proc.NS[t] = inode
	}
	return proc, nil
}

// exact is the text that s and, when set, its exact bytes record.
func exact(s string, b []byte) string {
	if b != nil {
		return string(b)
	}
	return s
}
