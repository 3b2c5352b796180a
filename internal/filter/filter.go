package filter

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/nsview/nsview/internal/scan"
)

// ErrNotFound is wrapped by the errors for a PID or inode that matches
// nothing.
var ErrNotFound = errors.New("no match")

// notFound is an error that says in words what was not found and
// matches ErrNotFound.
type notFound string

func (e notFound) Error() string        { return string(e) }
func (e notFound) Is(target error) bool { return target == ErrNotFound }

// Spec says what to keep. Zero values keep everything.
type Spec struct {
	Types []scan.Type // keep namespaces of these types
	Inode uint64      // keep only the namespace with this inode
	PID   int         // keep only the namespaces of this process
	// Container (an ID prefix or a name) and Pod ([NAMESPACE/]NAME or UID)
	// keep only the namespaces of the processes in that container or pod.
	Container, Pod string
	// Persistent keeps only namespaces no process is in (lsns -P): those
	// held by a bind mount or an open file, and ancestors of others.
	Persistent bool
	// Where is the -Q/--filter expression; nil keeps every namespace.
	Where Expression
}

// Expression is a parsed -Q/--filter expression (lsns 2.41+): it decides
// per namespace, after the other criteria, whether to keep it. Its error
// says why it could not (a comparison of text with a number).
type Expression interface {
	Keep(idx *scan.Index, m Match) (bool, error)
}

// Match is one namespace that passed the filter, with the member processes
// that passed it: all of them, or those that Spec.PID, Spec.Container and
// Spec.Pod name.
type Match struct {
	*scan.Namespace
	Members []*scan.Process
}

// Apply returns the matches of idx under s, in index order. It fails with
// ErrNotFound when s names a PID, container, pod or inode that is not in
// the index, or when the criteria together match nothing.
func Apply(idx *scan.Index, s Spec) ([]Match, error) {
	procs, err := s.processes(idx)
	if err != nil {
		return nil, err
	}
	var matches []Match
	for _, ns := range idx.Namespaces {
		if !s.keeps(ns) {
			continue
		}
		members := ns.Procs
		if procs != nil {
			if members = inNamespace(procs, ns); len(members) == 0 {
				continue
			}
		}
		m := Match{Namespace: ns, Members: members}
		if s.Where != nil {
			keep, err := s.Where.Keep(idx, m)
			if err != nil {
				return nil, fmt.Errorf("failed to apply the filter to %s: %w", ns.Key(), err)
			}
			if !keep {
				continue
			}
		}
		matches = append(matches, m)
	}
	if len(matches) == 0 && (s.Inode != 0 || procs != nil) {
		return nil, notFound(s.describe())
	}
	return matches, nil
}

// processes returns the processes that s names by PID, container or pod,
// sorted by PID; nil when s names none.
func (s Spec) processes(idx *scan.Index) ([]*scan.Process, error) {
	if s.PID == 0 && s.Container == "" && s.Pod == "" {
		return nil, nil
	}
	var procs []*scan.Process
	if s.PID != 0 {
		err, skipped := idx.Unreadable[s.PID]
		if skipped && !errors.Is(err, scan.ErrNoProcess) {
			return nil, fmt.Errorf("cannot read the namespaces of PID %d: %w", s.PID, err)
		}
		p := idx.Processes[s.PID]
		if p == nil {
			return nil, notFound(fmt.Sprintf("no process with PID %d", s.PID))
		}
		procs = []*scan.Process{p}
	} else {
		procs = slices.SortedFunc(maps.Values(idx.Processes), func(a, b *scan.Process) int { return a.PID - b.PID })
	}
	if s.Container != "" {
		procs = slices.DeleteFunc(procs, func(p *scan.Process) bool {
			return p.Container == nil || !p.Container.MatchesContainer(s.Container)
		})
		if len(procs) == 0 {
			return nil, notFound(fmt.Sprintf("no process in a container with ID prefix or name %q", s.Container))
		}
	}
	if s.Pod != "" {
		procs = slices.DeleteFunc(procs, func(p *scan.Process) bool {
			return p.Container == nil || !p.Container.MatchesPod(s.Pod)
		})
		if len(procs) == 0 {
			return nil, notFound(fmt.Sprintf("no process in a pod named %q", s.Pod))
		}
	}
	return procs, nil
}

// inNamespace returns the processes of procs that live in ns.
func inNamespace(procs []*scan.Process, ns *scan.Namespace) []*scan.Process {
	var in []*scan.Process
	for _, p := range procs {
		if p.NS[ns.Type] == ns.Inode {
			in = append(in, p)
		}
	}
	return in
}

func (s Spec) keeps(ns *scan.Namespace) bool {
	if len(s.Types) > 0 && !slices.Contains(s.Types, ns.Type) {
		return false
	}
	if s.Persistent && len(ns.Procs) > 0 {
		return false
	}
	return s.Inode == 0 || ns.Inode == s.Inode
}

// describe says in words what s looked for, for a not-found error.
func (s Spec) describe() string {
	var parts []string
	if s.Inode != 0 {
		parts = append(parts, fmt.Sprintf("no namespace with inode %d", s.Inode))
	} else {
		parts = append(parts, "no namespace")
	}
	if len(s.Types) > 0 {
		names := make([]string, len(s.Types))
		for i, t := range s.Types {
			names[i] = t.String()
		}
		parts = append(parts, "of type "+strings.Join(names, ","))
	}
	if s.PID != 0 {
		parts = append(parts, fmt.Sprintf("that holds PID %d", s.PID))
	}
	if s.Container != "" {
		parts = append(parts, fmt.Sprintf("of container %q", s.Container))
	}
	if s.Pod != "" {
		parts = append(parts, fmt.Sprintf("of pod %q", s.Pod))
	}
	if s.Persistent {
		parts = append(parts, "without processes")
	}
	return strings.Join(parts, " ")
}

// ParseTypes turns the values of -t (each may be a comma-separated list)
// into types, without duplicates. The error names the valid types.
func ParseTypes(values []string) ([]scan.Type, error) {
	var types []scan.Type
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			t, err := scan.ParseType(strings.TrimSpace(name))
			if err != nil {
				return nil, err
			}
			if !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
	}
	return types, nil
}

// ParseInode parses a namespace inode as given on the command line.
func ParseInode(s string) (uint64, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("invalid namespace inode %q: want a positive decimal number such as 4026531836", s)
	}
	return n, nil
}

// ParsePID parses a PID as given on the command line.
func ParsePID(s string) (int, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid PID %q: want a positive decimal number below 2^31", s)
	}
	return int(n), nil
}
