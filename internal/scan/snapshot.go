package scan

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Recorded is what a snapshot recorded of a scan (see package snapshot):
// enough to rebuild its Index without the procfs it came from.
type Recorded struct {
	Host string // the host it was taken on, for Index.Host
	Root string // the procfs root the scan read, for PATH
	// Processes are the processes with their details; NS says which
	// namespaces each belongs to.
	Processes []*Process
	// Namespaces carry what the scan knew of each namespace; their Procs
	// are ignored and rebuilt from Processes. A namespace that a process
	// names but that is not listed here is added with its hierarchy
	// unknown.
	Namespaces []*Namespace
	Skipped    Skipped
	Partial    bool
	Reused     int // see Index.Reused
	// Users names UIDs (of processes and of user namespace creators). A UID
	// it lacks is shown as its number: the names on the host that recorded
	// it are not those of the host that reads it.
	Users map[uint32]string
}

// ErrInvalid is wrapped by the errors of Rebuild: the recorded data (a
// snapshot) holds what no scan produces.
var ErrInvalid = errors.New("invalid snapshot")

// Rebuild returns the Index that r records. The Index is complete: its
// processes are described already, and Describe must not be called on it
// (it would read the local procfs). It fails, naming the item, on what no
// scan produces: a PID below 1, a namespace of an unknown type or inode 0,
// a PID or namespace listed twice, and namespaces whose parents or owners
// form a cycle. Process parent cycles are accepted: a scan across PID reuse
// can see them, and the views draw them.
func Rebuild(r Recorded) (*Index, error) {
	if s := r.Skipped; s.Denied < 0 || s.Gone < 0 || s.Broken < 0 || r.Reused < 0 {
		return nil, fmt.Errorf("%w: negative count of skipped or reused processes", ErrInvalid)
	}
	idx := newIndex(r.Root)
	idx.Host, idx.Skipped, idx.Partial, idx.Reused = r.Host, r.Skipped, r.Partial, r.Reused
	for _, ns := range r.Namespaces {
		if err := idx.addRecordedNamespace(ns); err != nil {
			return nil, err
		}
	}
	for _, p := range r.Processes {
		if err := idx.addRecordedProcess(p); err != nil {
			return nil, err
		}
	}
	if err := idx.checkAcyclic(); err != nil {
		return nil, err
	}
	idx.nameUsers(r.Users)
	idx.sortMembers()
	idx.attributeNamespaces()
	idx.sortNamespaces()
	return idx, nil
}

// addRecordedNamespace files ns under its key, with no members yet.
func (idx *Index) addRecordedNamespace(ns *Namespace) error {
	k := ns.Key()
	switch {
	case int(ns.Type) >= NumTypes:
		return fmt.Errorf("%w: namespace %d: unknown type %s", ErrInvalid, ns.Inode, ns.Type)
	case ns.Inode == 0:
		return fmt.Errorf("%w: %s namespace with inode 0", ErrInvalid, ns.Type)
	case idx.byKey[k] != nil:
		return fmt.Errorf("%w: namespace %s listed twice", ErrInvalid, k)
	case ns.Level < -1 || ns.OwnerUID < -1 || ns.OwnerUID > math.MaxUint32:
		return fmt.Errorf("%w: namespace %s: level %d or owner UID %d out of range", ErrInvalid, k, ns.Level, ns.OwnerUID)
	}
	ns.Procs = nil
	idx.byKey[k] = ns
	idx.Namespaces = append(idx.Namespaces, ns)
	return nil
}

// addRecordedProcess files p under its PID and namespaces.
func (idx *Index) addRecordedProcess(p *Process) error {
	switch {
	case p.PID < 1:
		return fmt.Errorf("%w: process with PID %d (PIDs start at 1)", ErrInvalid, p.PID)
	case p.PPID < 0:
		return fmt.Errorf("%w: process %d: negative parent PID %d", ErrInvalid, p.PID, p.PPID)
	case idx.Processes[p.PID] != nil:
		return fmt.Errorf("%w: process %d listed twice", ErrInvalid, p.PID)
	}
	idx.addProcess(p)
	return nil
}

// checkAcyclic fails when following parents (or, from user namespaces,
// owners) from some namespace comes back to it: the views would nest it
// inside itself.
func (idx *Index) checkAcyclic() error {
	done := make(map[*Namespace]bool, len(idx.Namespaces))
	for _, ns := range idx.Namespaces {
		onPath := map[*Namespace]bool{}
		for n := ns; n != nil && !done[n]; n = idx.up(n) {
			if onPath[n] {
				return fmt.Errorf("%w: namespace %s is its own ancestor", ErrInvalid, n.Key())
			}
			onPath[n] = true
		}
		for n := range onPath {
			done[n] = true
		}
	}
	return nil
}

// up is the namespace above ns: its parent, or for a user namespace
// without one its owner.
func (idx *Index) up(ns *Namespace) *Namespace {
	if ns.Parent != 0 {
		return idx.Lookup(ns.Type, ns.Parent)
	}
	if ns.Type == User && ns.Owner != 0 {
		return idx.Lookup(User, ns.Owner)
	}
	return nil
}

// nameUsers fills the user name cache for every UID in idx, from names or
// else with the number, so that UserName never asks the local user
// database about another host's UIDs.
func (idx *Index) nameUsers(names map[uint32]string) {
	set := func(uid uint32) {
		name, ok := names[uid]
		if !ok {
			name = strconv.FormatUint(uint64(uid), 10)
		}
		idx.users.names[uid] = name
	}
	for _, p := range idx.Processes {
		set(p.UID)
	}
	for _, ns := range idx.Namespaces {
		if ns.OwnerUID >= 0 {
			set(uint32(ns.OwnerUID))
		}
	}
}
