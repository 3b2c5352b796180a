package scan

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/nsview/nsview/internal/container"
)

// newContainerResolver returns the resolver that names containers from the
// runtimes' files on the host whose processes the scan reads, reached
// through hostRoot (ROOT/1/root, or kthreadd's root; see Index.hostRoot).
// Without a way to the host's files, containers are still recognised from
// their cgroups, unnamed, and the error says why.
func newContainerResolver(hostRoot func() (string, error)) (*container.Resolver, error) {
	host, err := hostRoot()
	if err != nil {
		return container.NewResolver(emptyFS{}), err
	}
	return container.NewResolver(os.DirFS(host)), nil
}

// emptyFS is a file system without files.
type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// cgroupFiles groups the processes a scan read by the content of their
// cgroup file. The scan's workers share it: the processes of one container,
// and most of the host's, have the same file, which is kept once, and a
// repeat costs a map lookup that does not allocate.
type cgroupFiles struct {
	mu     sync.Mutex
	byData map[string]*[]*Process
}

func newCgroupFiles() *cgroupFiles {
	return &cgroupFiles{byData: make(map[string]*[]*Process)}
}

// add files p under the content of its cgroup file.
func (f *cgroupFiles) add(data []byte, p *Process) {
	f.mu.Lock()
	defer f.mu.Unlock()
	procs := f.byData[string(data)]
	if procs == nil {
		procs = new([]*Process)
		f.byData[string(data)] = procs
	}
	*procs = append(*procs, p)
}

// needsContainer says whether the scan must read p's cgroup file.
// Namespace attribution leaves the host's initial namespaces alone, so it
// needs no process that is in those alone: no kernel thread (which before
// Linux 6.4 may sit in a container's cgroup, as vhost workers did), and no
// process whose namespaces all have the kernel's fixed initial inodes
// (which network and mount namespaces have since Linux 6.18 only). A
// kernel thread whose stat was not read (Options.LeaderStats) is not known
// as one; before 6.18 its cgroup file is read for nothing.
func (r *procReader) needsContainer(p *Process) bool {
	if r.cgroups == nil {
		return false
	}
	if !r.namespacesOnly {
		return true
	}
	if p.Kernel {
		return false
	}
	for t, inode := range p.NS {
		if inode != 0 && inode != initialInodes[t] {
			return true
		}
	}
	return false
}

// readCgroup reads the process's cgroup file through its directory fd
// during the scan, so that it is the file of the process the scan saw.
// Naming a container takes the runtimes' files, so that waits until every
// process is read (resolveContainers): here the process is only filed
// under the content of its cgroup file.
func (r *procReader) readCgroup(dirfd int, p *Process) {
	data, err := r.readFileAt(dirfd, "cgroup")
	if err != nil {
		return // gone or denied: its namespaces say enough
	}
	r.cgroups.add(data, p)
}

// resolveContainers sets the container of every process filed in files,
// resolving each distinct cgroup file once. A scan of every process (all
// set) has seen each running dockerd, whose command line may name another
// data root: the resolver is told, so that it need not look through /proc
// again.
func (idx *Index) resolveContainers(resolver *container.Resolver, files *cgroupFiles, all bool) {
	if all {
		resolver.SetDockerDaemons(idx.dockerdCmdlines)
	}
	// In a fixed order, so that the problems the resolver reports are.
	for _, data := range slices.Sorted(maps.Keys(files.byData)) {
		var c *container.Container
		if found, ok := resolver.ForCgroupFile([]byte(data)); ok {
			c = &found
		}
		for _, p := range *files.byData[data] {
			p.Container = c
		}
	}
}

// dockerdCmdlines returns the command lines of the processes named
// dockerd, in PID order: those whose stat the scan read, and those whose
// comm, which anyone may read, says dockerd: the processes the scan could
// not read, and those it read without their stat (Options.LeaderStats),
// whose comm files are read here, in parallel. Of the latter, only those
// with more than one thread can be dockerd, a Go program: the Go runtime
// starts a thread of its own before the program's main function runs.
func (idx *Index) dockerdCmdlines() [][]byte {
	var pids, unnamed []int
	for pid, p := range idx.Processes {
		switch {
		case p.statless:
			if p.threads > 1 {
				unnamed = append(unnamed, pid)
			}
		case p.Comm == "dockerd":
			pids = append(pids, pid)
		}
	}
	for pid := range idx.Unreadable {
		unnamed = append(unnamed, pid)
	}
	dockerd := make([]bool, len(unnamed))
	parallel(len(unnamed), 0, func() func(int) {
		r := newProcReader(idx.Root)
		return func(i int) {
			comm, err := r.readFileAt(unix.AT_FDCWD, idx.procFile(unnamed[i], "comm"))
			dockerd[i] = err == nil && string(comm) == "dockerd\n"
		}
	})
	for i, pid := range unnamed {
		if dockerd[i] {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	var cmdlines [][]byte
	for _, pid := range pids {
		if cmdline, err := os.ReadFile(idx.procFile(pid, "cmdline")); err == nil {
			cmdlines = append(cmdlines, cmdline)
		}
	}
	return cmdlines
}

// procFile is the path of a file in process pid's directory.
func (idx *Index) procFile(pid int, name string) string {
	return filepath.Join(idx.Root, strconv.Itoa(pid), name)
}

// attributeNamespaces sets Container on every namespace whose processes
// all run in one container, and Pod on those whose processes all belong to
// one Kubernetes pod (a pod's shared network, IPC and UTS namespaces). The
// host's initial namespaces are left alone: they hold the host's own
// processes.
func (idx *Index) attributeNamespaces() {
	for _, ns := range idx.Namespaces {
		if len(ns.Procs) == 0 || idx.IsInitial(ns) {
			continue
		}
		ns.Container, ns.Pod = sharedContainer(ns.Procs)
	}
}

// sharedContainer returns the container all procs run in and the pod they
// all belong to; nil where they differ or one runs in none.
func sharedContainer(procs []*Process) (*container.Container, *container.Pod) {
	first := procs[0].Container
	if first == nil {
		return nil, nil
	}
	sameContainer, samePod := true, first.Pod != nil
	for _, p := range procs[1:] {
		c := p.Container
		if c == nil {
			return nil, nil
		}
		sameContainer = sameContainer && c.Runtime == first.Runtime && c.ID == first.ID
		samePod = samePod && c.Pod != nil && c.Pod.UID == first.Pod.UID
	}
	var shared *container.Container
	if sameContainer {
		shared = first
	}
	if samePod {
		return shared, first.Pod
	}
	return shared, nil
}

// containerProblem is how the index reports that containers could not be
// named: the host's files were out of reach or unreadable.
func containerProblem(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%d runtime state files could not be read (first: %w)", len(errs), errs[0])
}
