package filter

import (
	"errors"
	"fmt"
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
	// Persistent keeps only namespaces no process is in (lsns -P): those
	// held by a bind mount or an open file, and ancestors of others.
	Persistent bool
	// Where is the -Q/--filter expression; nil keeps every namespace.
	Where Expression
}

// Expression is a parsed -Q/--filter expression (lsns 2.41+): it decides
// per namespace, after the other criteria, whether to keep it.
type Expression interface {
	Keep(idx *scan.Index, m Match) bool
}

// Match is one namespace that passed the filter, with the member processes
// that passed it: all of them, or only Spec.PID when one was given.
type Match struct {
	*scan.Namespace
	Members []*scan.Process
}

// Apply returns the matches of idx under s, in index order. It fails with
// ErrNotFound when s names a PID or an inode that is not in the index, or
// when the criteria together match nothing.
func Apply(idx *scan.Index, s Spec) ([]Match, error) {
	var proc *scan.Process
	if s.PID != 0 {
		err, skipped := idx.Unreadable[s.PID]
		if skipped && !errors.Is(err, scan.ErrNoProcess) {
			return nil, fmt.Errorf("cannot read the namespaces of PID %d: %w", s.PID, err)
		}
		if proc = idx.Processes[s.PID]; proc == nil {
			return nil, notFound(fmt.Sprintf("no process with PID %d", s.PID))
		}
	}
	var matches []Match
	for _, ns := range idx.Namespaces {
		if !s.keeps(ns, proc) {
			continue
		}
		members := ns.Procs
		if proc != nil {
			members = []*scan.Process{proc}
		}
		m := Match{Namespace: ns, Members: members}
		if s.Where != nil && !s.Where.Keep(idx, m) {
			continue
		}
		matches = append(matches, m)
	}
	if len(matches) == 0 && (s.Inode != 0 || proc != nil) {
		return nil, notFound(s.describe())
	}
	return matches, nil
}

func (s Spec) keeps(ns *scan.Namespace, proc *scan.Process) bool {
	if len(s.Types) > 0 && !slices.Contains(s.Types, ns.Type) {
		return false
	}
	if s.Inode != 0 && ns.Inode != s.Inode {
		return false
	}
	if s.Persistent && len(ns.Procs) > 0 {
		return false
	}
	return proc == nil || proc.NS[ns.Type] == ns.Inode
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
