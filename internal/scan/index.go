package scan

import (
	"sort"
	"sync"

	"github.com/nsview/nsview/internal/container"
)

// Process is one process as read from /proc/PID. The fields below the blank
// line are filled in only by Index.Describe, for the processes that a view
// prints; until then they are zero.
type Process struct {
	PID   int
	PPID  int
	UID   uint32 // owner of /proc/PID, as lsns reports it
	Comm  string // name from /proc/PID/stat, raw: may hold any byte
	State byte   // state letter from /proc/PID/stat
	// StartTime is when the process started, in clock ticks since boot
	// (field 22 of /proc/PID/stat). With the PID it identifies the process:
	// one that later gets the same PID has a later start time.
	StartTime uint64
	// NS holds the inode of each of the process's namespaces, indexed by
	// Type; 0 where the link could not be read (e.g. no time namespace).
	NS     [NumTypes]uint64
	Kernel bool // a kernel thread (PF_KTHREAD)
	// Threads are its threads whose namespaces differ from NS.
	Threads    []Thread
	threadsErr error // why some threads could not be read
	// Container is the container the process runs in; nil when it runs in
	// none or the scan did not ask (Options.Containers).
	Container *container.Container

	Cmdline string // arguments joined by spaces; "" for kernel threads
	Cgroup  string // cgroup path (v2, else first v1 hierarchy)
	NSpid   []int  // PID at every PID-namespace level, host first
	// DetailsErr says why Describe could not read the fields above, which
	// then stay unknown: the process exited since the scan (ErrGone) or its
	// PID now belongs to another process (ErrReused). Nil once read.
	DetailsErr error
	// cmdlineRead says that the scan read Cmdline with the rest
	// (Options.LeaderCmdlines), so that Describe leaves it.
	cmdlineRead bool
	// statless says that the scan did not read its stat
	// (Options.LeaderStats): PPID, Comm, State and StartTime are unknown.
	statless bool
	threads  int // how many threads it had when the scan read it
}

// Command is what nsview shows as a process's command: its command line,
// or its name when the command line is empty (kernel threads, zombies, or
// before Describe).
func (p *Process) Command() string {
	if p.Cmdline != "" {
		return p.Cmdline
	}
	return p.Comm
}

// Namespace is one namespace and the processes that live in it.
type Namespace struct {
	Type  Type
	Inode uint64
	// Procs are the member processes, sorted by PID. It is empty for a
	// namespace that something else holds (see Holders): an ancestor found
	// through the hierarchy, a bind mount, a thread, an fd or a socket.
	Procs []*Process

	// The hierarchy fields are set only when the scan asked for them.
	Parent   uint64 // parent namespace (pid and user types); 0 if none or unknown
	Owner    uint64 // owning user namespace; 0 if unknown
	OwnerUID int64  // creator's UID for user namespaces; -1 if unknown or not a user namespace
	Level    int    // nesting depth for pid and user namespaces, 0 = initial; -1 if unknown

	// Set only when the scan asked for containers: the container all the
	// namespace's processes run in, and the pod they all belong to.
	Container *container.Container
	Pod       *container.Pod

	// NSFS lists a path that opens each bind mount of the namespace's file
	// (see Index.MountPath), e.g. /run/netns/NAME.
	NSFS    []string
	NetNSID *int // network namespace ID (NetNSIDUnassigned if none); nil if unknown (set only when asked for)

	// What keeps the namespace alive (see holders.go).
	Holders Holders
	Initial bool     // the host's initial namespace of its type (see initial.go)
	Threads []Thread // threads in it whose processes are not, by PID and TID
	Mounts  []Mount  // bind mounts of its file, in every mount namespace read
	FDs     []string // open files of it, as ROOT/PID/fd/N (Options.Deep)
	Sockets []string // sockets created in it, as ROOT/PID/fd/N, by processes now outside it (Options.Deep)
}

// Leader is the member with the lowest PID, the process lsns shows for a
// namespace, or nil for a namespace without processes.
func (n *Namespace) Leader() *Process {
	if len(n.Procs) == 0 {
		return nil
	}
	return n.Procs[0]
}

// Key returns the key that identifies n in an Index.
func (n *Namespace) Key() Key { return Key{n.Type, n.Inode} }

// Key identifies a namespace in an Index.
type Key struct {
	Type  Type
	Inode uint64
}

// String names the namespace as its /proc/PID/ns link does, TYPE:[INODE]
// ("net:[4026531840]"), as nsview labels namespaces in views and errors.
func (k Key) String() string { return FormatNSLink(k.Type.String(), k.Inode) }

// Skipped counts the processes a scan could not read, by reason.
type Skipped struct {
	Denied int // permission denied to the ns links
	Gone   int // exited during the scan, or a zombie without ns links
	Broken int // unexpected errors or malformed files
}

// Total is the number of skipped processes.
func (s Skipped) Total() int { return s.Denied + s.Gone + s.Broken }

// Index is the result of a scan: processes by PID and namespaces in the
// order nsview shows them (by inode, then type).
type Index struct {
	Root       string
	Host       string // the host of a snapshot, in an Index that Rebuild made; "" for a scan
	Namespaces []*Namespace
	Processes  map[int]*Process
	Skipped    Skipped
	// Unreadable says for each skipped PID why it was skipped.
	Unreadable map[int]error
	// ContainerErr says why containers could not be named (the runtimes'
	// files were out of reach or unreadable); they are then known only by
	// what their cgroups say.
	ContainerErr error
	// Partial is set when the namespace hierarchy was asked for and some
	// parent or owner could not be determined.
	Partial bool
	// Reused counts the processes that Describe found replaced: their PID
	// belonged to another process by then, so their details are unknown
	// (see Process.DetailsErr).
	Reused int
	// Misses lists what holder discovery could not read, by path.
	Misses []Miss

	byKey  map[Key]*Namespace
	filed  [NumTypes]*Namespace // where addProcess filed the last process
	users  *userCache
	parked map[Key]int // fds of namespaces only sockets hold, from addFDHold to closeParked
	// hostRoot is container.HostRoot of Root, looked up when first asked
	// for and then kept: the container resolver and the user names both
	// read the host's files through it.
	hostRoot func() (string, error)
}

// Lookup returns the namespace of type t with the given inode, or nil.
func (idx *Index) Lookup(t Type, inode uint64) *Namespace {
	return idx.byKey[Key{t, inode}]
}

// UserName returns the login name for uid from the host's /etc/passwd
// (see users.go), or the number itself when it has no entry (as lsns does).
func (idx *Index) UserName(uid uint32) string {
	return idx.users.name(uid)
}

// addProcess files p under each of its namespaces. Processes filed in PID
// order are mostly in the namespaces of the one before, which are then
// not looked up again.
func (idx *Index) addProcess(p *Process) {
	idx.Processes[p.PID] = p
	for t, inode := range p.NS {
		if inode == 0 {
			continue
		}
		ns := idx.filed[t]
		if ns == nil || ns.Inode != inode {
			ns = idx.hold(Type(t), inode, HeldByProcess)
			idx.filed[t] = ns
		}
		ns.Procs = append(ns.Procs, p)
	}
}

// namespace returns the namespace for (t, inode), adding it if new.
func (idx *Index) namespace(t Type, inode uint64) *Namespace {
	k := Key{t, inode}
	if ns, ok := idx.byKey[k]; ok {
		return ns
	}
	ns := &Namespace{Type: t, Inode: inode, OwnerUID: -1, Level: -1}
	idx.byKey[k] = ns
	idx.Namespaces = append(idx.Namespaces, ns)
	return ns
}

// sortNamespaces orders namespaces by inode, then type.
func (idx *Index) sortNamespaces() {
	sort.Slice(idx.Namespaces, func(i, j int) bool {
		a, b := idx.Namespaces[i], idx.Namespaces[j]
		if a.Inode != b.Inode {
			return a.Inode < b.Inode
		}
		return a.Type < b.Type
	})
}

// sortMembers orders each namespace's members by PID, so that Leader is
// the lowest.
func (idx *Index) sortMembers() {
	for _, ns := range idx.Namespaces {
		sort.Slice(ns.Procs, func(i, j int) bool { return ns.Procs[i].PID < ns.Procs[j].PID })
	}
}

func newIndex(root string) *Index {
	hostRoot := sync.OnceValues(func() (string, error) { return container.HostRoot(root) })
	return &Index{
		Root:       root,
		Processes:  make(map[int]*Process),
		Unreadable: make(map[int]error),
		byKey:      make(map[Key]*Namespace),
		users:      newUserCache(hostRoot),
		hostRoot:   hostRoot,
	}
}
