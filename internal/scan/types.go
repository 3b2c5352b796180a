package scan

import (
	"fmt"
	"strings"
)

// Type is a namespace type, named as in /proc/PID/ns: "cgroup", "ipc",
// "mnt", "net", "pid", "time", "user" or "uts".
type Type uint8

// The namespace types, in the order nsview sorts them.
const (
	Cgroup Type = iota
	IPC
	Mnt
	Net
	PID
	Time
	User
	UTS
	// NumTypes is the number of namespace types.
	NumTypes int = iota
)

var typeNames = [NumTypes]string{"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"}

// AllTypes lists every namespace type in sort order.
var AllTypes = [NumTypes]Type{Cgroup, IPC, Mnt, Net, PID, Time, User, UTS}

// String returns the type's name as it appears in /proc/PID/ns.
func (t Type) String() string {
	if int(t) < NumTypes {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// ParseType returns the Type named s (case-insensitive). The error names the
// valid types.
func ParseType(s string) (Type, error) {
	for i, name := range typeNames {
		if strings.EqualFold(s, name) {
			return Type(i), nil
		}
	}
	return 0, fmt.Errorf("unknown namespace type %q (valid: %s)", s, strings.Join(typeNames[:], ", "))
}
