package scan

import (
	"fmt"
	"io/fs"
	"os"

	"github.com/nsview/nsview/internal/container"
)

// newContainerResolver returns the resolver that names containers from the
// runtimes' files on the host whose processes root shows, reached through
// ROOT/1/root (or kthreadd's root). Without a way to the host's files,
// containers are still recognised from their cgroups, unnamed, and the
// error says why.
func newContainerResolver(root string) (*container.Resolver, error) {
	host, err := container.HostRoot(root)
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

// readContainer sets p.Container from the process's cgroup file, read
// through its directory fd during the scan, so that the container is the
// one of the process the scan saw. The processes of one container, and
// most of the host's, have the same cgroup file: each worker remembers
// what it made of each file, so a repeat costs a map lookup that does not
// allocate, and they share one Container.
func (r *procReader) readContainer(dirfd int, p *Process) {
	data, err := r.readFileAt(dirfd, "cgroup")
	if err != nil {
		return // gone or denied: its namespaces say enough
	}
	if c, seen := r.byCgroup[string(data)]; seen {
		p.Container = c
		return
	}
	if c, ok := r.containers.ForCgroupFile(data); ok {
		p.Container = &c
	}
	if r.byCgroup == nil {
		r.byCgroup = make(map[string]*container.Container)
	}
	r.byCgroup[string(data)] = p.Container
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
