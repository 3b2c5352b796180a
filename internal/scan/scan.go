package scan

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/nsview/nsview/internal/container"
)

// DefaultRoot is where procfs is normally mounted.
const DefaultRoot = "/proc"

// Options say what a scan reads.
type Options struct {
	// Root is the procfs mount to read; DefaultRoot when empty.
	Root string
	// OnlyPID, when nonzero, reads that one process instead of all of them:
	// enough for views that need no member counts.
	OnlyPID int
	// Hierarchy resolves each namespace's parent and owner (see hierarchy.go);
	// HierarchyTypes limits that to namespaces of these types (nil: all).
	Hierarchy      bool
	HierarchyTypes []Type
	// NetNSID asks the kernel for network namespace IDs (see netns.go).
	NetNSID bool
	// Deep also finds the namespaces that only open files and sockets
	// hold: a readdir per process and a readlink per fd (fds.go), and
	// three system calls per socket (sockets.go).
	Deep bool
	// Workers is how many processes are read at once; 0 picks a default.
	Workers int
	// LeaderCmdlines reads the command line of each namespace's
	// lowest-PID process while the scan has it open (see leaders.go), so
	// that Describe need not open it again.
	LeaderCmdlines bool
	// LeaderStats reads stat only for the processes that may be the
	// lowest PID of a namespace (see leaders.go), and for PID 2, which on
	// a host is kthreadd, a kernel thread (markInitial). The others get no
	// PPID, Comm, State or StartTime, and Describe cannot read them; their
	// thread counts come from their task directories.
	LeaderStats bool
	// Containers tells which container and pod each process and namespace
	// belongs to (see containers.go). With NamespaceContainersOnly, only
	// the namespaces' are needed: a process in none but the host's initial
	// namespaces is left without its container.
	Containers              bool
	NamespaceContainersOnly bool
	// Owners, when not nil, gives the UID of each process it lists instead
	// of the owner of its /proc entry. Fixture trees state their owners this
	// way, since only root may chown.
	Owners map[int]uint32
}

// Errors that say why a process could not be read; they are wrapped, so
// test them with errors.Is.
var (
	ErrGone   = errors.New("process exited or is a zombie")
	ErrDenied = errors.New("permission denied")
	// ErrNoProcess is wrapped, beside ErrGone, when /proc/PID itself is
	// absent: no such process (any more), as opposed to a zombie.
	ErrNoProcess = errors.New("no such process")
	// ErrReused says that a PID read earlier in the scan belongs to
	// another process by now: the first one exited and a later one got its
	// PID.
	ErrReused = errors.New("PID reused by another process")
)

// errNoLinks is why a process whose directory exists has no namespaces.
var errNoLinks = errors.New("it has no namespace links (a zombie, or exiting)")

// Scan reads every process under opts.Root into an Index. Processes that
// cannot be read are counted in Index.Skipped, with the reason in
// Index.Unreadable. It fails only when the root itself cannot be listed or
// (reading all processes) holds no readable one at all, which means it is
// not a procfs mount nsview can use.
func Scan(opts Options) (*Index, error) {
	root := opts.Root
	if root == "" {
		root = DefaultRoot
	}
	pids, err := listPIDs(root, opts.OnlyPID)
	if err != nil {
		return nil, err
	}
	idx := newIndex(root)
	var containers *container.Resolver
	if opts.Containers {
		containers, idx.ContainerErr = newContainerResolver(idx.hostRoot)
	}
	var cgroups *cgroupFiles
	if containers != nil {
		cgroups = newCgroupFiles()
	}
	var lowest *lowestPIDs
	if opts.LeaderCmdlines || opts.LeaderStats {
		lowest = newLowestPIDs()
	}
	procs, errs := readProcesses(pids, opts.Workers, func() *procReader {
		r := newProcReader(root)
		r.owners, r.cgroups, r.namespacesOnly = opts.Owners, cgroups, opts.NamespaceContainersOnly
		r.lowest, r.leaderCmdlines, r.leaderStats = lowest, opts.LeaderCmdlines, opts.LeaderStats
		return r
	})
	// Filed in ascending PID order (listPIDs), each namespace's members
	// are in PID order: Leader is the lowest, as the hierarchy's fallback
	// and the views want.
	for i, p := range procs {
		if p != nil {
			idx.addProcess(p)
			continue
		}
		idx.Unreadable[pids[i]] = errs[i]
		switch {
		case errors.Is(errs[i], ErrGone):
			idx.Skipped.Gone++
		case errors.Is(errs[i], ErrDenied):
			idx.Skipped.Denied++
		default:
			idx.Skipped.Broken++
		}
	}
	if opts.OnlyPID == 0 && len(idx.Processes) == 0 {
		return nil, fmt.Errorf("%s: no readable process found (is it a procfs mount?)", root)
	}
	// Naming containers reads the runtimes' files and sets only
	// Process.Container, which nothing else here reads: it runs beside
	// discovery and the hierarchy, which read the processes and touch only
	// namespaces.
	named := make(chan struct{})
	go func() {
		defer close(named)
		if containers != nil {
			idx.resolveContainers(containers, cgroups, opts.OnlyPID == 0)
		}
	}()
	// findHolders parks the fds of namespaces only sockets hold; the
	// hierarchy and the NETNSIDs open those namespaces through them.
	defer idx.closeParked()
	idx.findHolders(opts)
	if opts.Hierarchy {
		idx.resolveHierarchy(opts.HierarchyTypes, opts.Workers)
	}
	if opts.NetNSID {
		idx.readNetNSIDs()
	}
	idx.markKin()
	idx.markInitial()
	<-named
	if containers != nil {
		idx.attributeNamespaces()
		if idx.ContainerErr == nil {
			idx.ContainerErr = containerProblem(containers.Problems())
		}
	}
	idx.sortNamespaces() // after the hierarchy added ancestors
	return idx, nil
}

// listPIDs returns the numeric entries of root in ascending order, or just
// only when nonzero.
func listPIDs(root string, only int) ([]int, error) {
	dir, err := os.Open(root)
	if err != nil {
		return nil, fmt.Errorf("cannot read procfs root: %w", err)
	}
	defer dir.Close()
	if only != 0 {
		return []int{only}, nil
	}
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("cannot read procfs root: %w", err)
	}
	pids := make([]int, 0, len(names))
	for _, name := range names {
		if pid, err := strconv.Atoi(name); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids) // procfs lists them so; a fixture directory need not
	return pids, nil
}

// readProcesses reads the given processes in parallel, each worker with a
// reader from newReader. For each index either the process or the error
// that prevented reading it is set. Each worker takes its processes in the
// order of pids.
func readProcesses(pids []int, workers int, newReader func() *procReader) ([]*Process, []error) {
	procs := make([]*Process, len(pids))
	errs := make([]error, len(pids))
	parallel(len(pids), workers, func() func(int) {
		r := newReader()
		return func(i int) { procs[i], errs[i] = r.read(pids[i]) }
	})
	return procs, errs
}

// parallel calls the functions made by newWorker for every i in [0, n),
// spread over a bounded number of goroutines, each of which takes its i in
// ascending order; each goroutine makes its own function, so it may hold
// per-worker buffers.
func parallel(n, workers int, newWorker func() func(int)) {
	if workers <= 0 {
		workers = 2 * runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	next := make(chan int, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work := newWorker()
			for i := range next {
				work(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// procReader reads processes with the fewest system calls: one directory
// fd per process, fstat for the owner, one readlinkat per namespace type,
// and one read of stat (with Options.LeaderStats, an fstatat of task
// instead for most).
type procReader struct {
	root    string
	buf     []byte
	owners  map[int]uint32 // see Options.Owners
	cgroups *cgroupFiles   // where to file each process's cgroup; nil: not read
	// namespacesOnly skips the cgroup file of processes that only belong
	// to the host's initial namespaces (Options.NamespaceContainersOnly).
	namespacesOnly bool
	// lowest, shared by the readers of a scan, picks the processes that
	// may lead a namespace, for Options.LeaderCmdlines and LeaderStats.
	lowest                      *lowestPIDs
	lastNS                      [NumTypes]uint64 // the namespaces of the last process read for lowest
	leaderCmdlines, leaderStats bool
}

func newProcReader(root string) *procReader {
	return &procReader{root: root, buf: make([]byte, 4096)}
}

var nsLinkNames = func() (names [NumTypes]string) {
	for _, t := range AllTypes {
		names[t] = "ns/" + t.String()
	}
	return names
}()

func (r *procReader) read(pid int) (*Process, error) {
	dirfd, err := r.openProcess(strconv.Itoa(pid))
	if err != nil {
		return nil, err
	}
	defer unix.Close(dirfd)
	var st unix.Stat_t
	if err := unix.Fstat(dirfd, &st); err != nil {
		return nil, classify(err)
	}
	p := &Process{PID: pid, UID: st.Uid}
	if uid, ok := r.owners[pid]; ok {
		p.UID = uid
	}
	if err := r.readNamespaces(dirfd, p); err != nil {
		return nil, err
	}
	leads := r.lowest != nil && r.mayLead(p)
	if err := r.readStat(dirfd, p, leads || !r.leaderStats || pid == kthreaddPID); err != nil {
		return nil, err
	}
	if leads {
		r.readLeader(p) // nothing below fails
	}
	if r.needsContainer(p) {
		r.readCgroup(dirfd, p)
	}
	if leads && r.leaderCmdlines {
		r.readCmdline(dirfd, p)
	}
	r.readThreads(dirfd, p)
	return p, nil
}

// kthreaddPID is the PID of kthreadd, the parent of kernel threads, in the
// host's PID namespace.
const kthreaddPID = 2

// readStat fills p's fields from its stat file if wanted, p.threads
// among them. Unwanted, stat is not read, p.statless is set, and the
// number of threads comes from the link count of the task directory, two
// and one per thread: a system call that costs the kernel less than
// formatting stat. When that link count cannot be read, it says 2, so that
// readThreads tries the directory and tells why it failed.
func (r *procReader) readStat(dirfd int, p *Process, wanted bool) error {
	if !wanted {
		p.statless, p.threads = true, 2
		var st unix.Stat_t
		// A fixture's file system may not count subdirectories.
		if err := unix.Fstatat(dirfd, "task", &st, 0); err == nil && st.Nlink >= 2 {
			p.threads = int(st.Nlink) - 2
		}
		return nil
	}
	data, err := r.readFileAt(dirfd, "stat")
	if err != nil {
		return classify(err)
	}
	stat, err := parseStat(data)
	if err != nil {
		return err
	}
	p.PPID, p.Comm, p.State, p.StartTime = stat.PPID, stat.Comm, stat.State, stat.StartTime
	p.Kernel, p.threads = stat.Flags&pfKThread != 0, stat.Threads
	return nil
}

// openProcess opens the directory ROOT/PROC of a process, where PROC is
// its PID or "self". Files opened relative to it belong to the process it
// was opened for, even after that process exits and another one gets its
// PID: procfs then fails the open (ENOENT) or the read (ESRCH) rather than
// answer for the newcomer.
func (r *procReader) openProcess(proc string) (int, error) {
	dirfd, err := unix.Open(r.root+"/"+proc, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		return -1, procError{ErrGone, fmt.Errorf("%w: %w", ErrNoProcess, err)}
	}
	if err != nil {
		return -1, classify(err)
	}
	return dirfd, nil
}

// readNamespaces fills p.NS. A link that does not exist (a type the kernel
// lacks) stays 0; a process with no readable link at all is gone.
func (r *procReader) readNamespaces(dirfd int, p *Process) error {
	found := 0
	for _, t := range AllTypes {
		inode, err := r.readNSLink(dirfd, t)
		if errors.Is(err, unix.ENOENT) {
			continue
		}
		if err != nil {
			return classify(err)
		}
		p.NS[t] = inode
		found++
	}
	if found == 0 {
		return procError{ErrGone, errNoLinks}
	}
	return nil
}

// readNSLink returns the inode that the link ns/TYPE of type t names,
// under dirfd, the directory of a process or a thread. A link that is not
// TYPE:[INODE] of type t is ErrMalformed. The error of readlink(2) is
// returned as it is, for the caller to decide what an absent link means.
func (r *procReader) readNSLink(dirfd int, t Type) (uint64, error) {
	n, err := unix.Readlinkat(dirfd, nsLinkNames[t], r.buf)
	if err != nil {
		return 0, err
	}
	name, inode, err := parseNSLink(r.buf[:n])
	if err != nil {
		return 0, err
	}
	if string(name) != t.String() {
		return 0, fmt.Errorf("%s link names %q: %w", t, name, ErrMalformed)
	}
	return inode, nil
}

// readFileAt reads a procfs file of one record (stat, status, cgroup,
// cmdline) relative to dirfd into r.buf, growing it when the file is
// larger.
func (r *procReader) readFileAt(dirfd int, name string) ([]byte, error) {
	return r.readAt(dirfd, name, false)
}

// readTableAt is readFileAt for a procfs file of many records, such as
// mountinfo, which procfs hands out a page at a time.
func (r *procReader) readTableAt(dirfd int, name string) ([]byte, error) {
	return r.readAt(dirfd, name, true)
}

func (r *procReader) readAt(dirfd int, name string, records bool) ([]byte, error) {
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	return r.readAll(fd, records)
}

// readAll reads fd to its end into r.buf. procfs hands out a file of one
// record whole, as far as the buffer allows, so there a read that leaves
// room in the buffer was the last one: that saves the read that would
// return 0. A file of many records (records set) comes a page at a time,
// so it is read until a read returns 0.
func (r *procReader) readAll(fd int, records bool) ([]byte, error) {
	total := 0
	for {
		if total == len(r.buf) {
			r.buf = append(r.buf, make([]byte, len(r.buf))...)
		}
		n, err := unix.Read(fd, r.buf[total:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		total += n
		if n == 0 || (!records && total < len(r.buf)) {
			return r.buf[:total], nil
		}
	}
}

// classify marks a system-call error as ErrGone or ErrDenied when it means
// one of those; its message stays the system call's.
func classify(err error) error {
	switch {
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ESRCH):
		return procError{ErrGone, err}
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return procError{ErrDenied, err}
	}
	return err
}

// procError is a system-call error with the reason nsview files it under.
type procError struct{ reason, err error }

func (e procError) Error() string   { return e.err.Error() }
func (e procError) Unwrap() []error { return []error{e.reason, e.err} }
