package scan

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrMalformed is wrapped by every error about kernel text that does not
// have the expected shape.
var ErrMalformed = errors.New("malformed")

// Stat holds the fields of /proc/PID/stat that nsview uses.
type Stat struct {
	PID   int
	Comm  string // the name between the parentheses, unescaped and raw
	State byte   // R, S, D, Z, ...
	PPID  int
}

// ParseStat parses the contents of /proc/PID/stat. The command name sits
// between the first '(' and the last ')' and may itself contain spaces,
// parentheses and newlines.
func ParseStat(data []byte) (Stat, error) {
	st, _, err := parseStat(data)
	return st, err
}

// startTimeField is how many fields after the command name's ')' the start
// time comes: it is field 22 of the line, the name field 2.
const startTimeField = 22 - 2

// parseStat is ParseStat that also returns the process's start time (field
// 22, in clock ticks since boot), which together with the PID identifies a
// process: a PID reused by a later process has a later start time. It is 0
// when the line ends before field 22, as no kernel's line does. It reads
// the fields in place, without allocating, for the scan's hot path.
func parseStat(data []byte) (Stat, uint64, error) {
	open := bytes.IndexByte(data, '(')
	closing := bytes.LastIndexByte(data, ')')
	if open < 0 || closing < open {
		return Stat{}, 0, fmt.Errorf("stat: no (comm): %w", ErrMalformed)
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(data[:open])))
	if err != nil || pid <= 0 {
		return Stat{}, 0, fmt.Errorf("stat: bad pid %q: %w", data[:open], ErrMalformed)
	}
	state, rest, ok := nextField(data[closing+1:])
	if !ok || len(state) != 1 {
		return Stat{}, 0, fmt.Errorf("stat: no state after comm: %w", ErrMalformed)
	}
	ppidField, rest, _ := nextField(rest)
	ppid, err := strconv.Atoi(string(ppidField))
	if err != nil || ppid < 0 {
		return Stat{}, 0, fmt.Errorf("stat: bad ppid %q: %w", ppidField, ErrMalformed)
	}
	start, err := startTime(rest)
	if err != nil {
		return Stat{}, 0, err
	}
	return Stat{PID: pid, Comm: string(data[open+1 : closing]), State: state[0], PPID: ppid}, start, nil
}

// startTime parses the start time from the fields that follow the PPID
// (field 5 onwards); 0 if there are too few.
func startTime(fields []byte) (uint64, error) {
	var field []byte
	for range startTimeField - 2 {
		if field, fields, _ = nextField(fields); len(field) == 0 {
			return 0, nil
		}
	}
	start, err := strconv.ParseUint(string(field), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stat: bad start time %q: %w", field, ErrMalformed)
	}
	return start, nil
}

// nextField returns the first space-separated field of data and the rest,
// without splitting (and allocating) the whole line as bytes.Fields would.
func nextField(data []byte) (field, rest []byte, ok bool) {
	data = bytes.TrimLeft(data, " \n")
	end := bytes.IndexAny(data, " \n")
	if end < 0 {
		end = len(data)
	}
	return data[:end], data[end:], end > 0
}

// ParseNSLink parses the target of a /proc/PID/ns/TYPE link, such as
// "net:[4026531840]", and returns the type name and the inode.
func ParseNSLink(target string) (string, uint64, error) {
	name, inode, err := parseNSLink([]byte(target))
	return string(name), inode, err
}

// parseNSLink is ParseNSLink without allocating, for the scan's hot path.
func parseNSLink(target []byte) ([]byte, uint64, error) {
	name, rest, ok := bytes.Cut(target, []byte(":["))
	digits, closed := bytes.CutSuffix(rest, []byte("]"))
	if !ok || len(name) == 0 || !closed || len(digits) == 0 || len(digits) > 20 {
		return nil, 0, fmt.Errorf("ns link %q: %w", target, ErrMalformed)
	}
	var inode uint64
	for _, d := range digits {
		next := inode*10 + uint64(d-'0')
		if d < '0' || d > '9' || next/10 != inode {
			return nil, 0, fmt.Errorf("ns link %q: bad inode: %w", target, ErrMalformed)
		}
		inode = next
	}
	if inode == 0 {
		return nil, 0, fmt.Errorf("ns link %q: bad inode: %w", target, ErrMalformed)
	}
	return name, inode, nil
}

// ParseNSpid returns the PIDs listed on the NSpid line of /proc/PID/status,
// outermost (host) first. It returns nil when the line is absent, as on
// kernels older than 4.1.
func ParseNSpid(status []byte) ([]int, error) {
	for len(status) > 0 {
		var line []byte
		line, status, _ = bytes.Cut(status, []byte{'\n'})
		value, found := bytes.CutPrefix(line, []byte("NSpid:"))
		if !found {
			continue
		}
		fields := bytes.Fields(value)
		if len(fields) == 0 {
			return nil, fmt.Errorf("status: empty NSpid: %w", ErrMalformed)
		}
		pids := make([]int, len(fields))
		for i, f := range fields {
			pid, err := strconv.Atoi(string(f))
			if err != nil || pid <= 0 {
				return nil, fmt.Errorf("status: bad NSpid %q: %w", f, ErrMalformed)
			}
			pids[i] = pid
		}
		return pids, nil
	}
	return nil, nil
}

// ParseCgroup returns the cgroup path of a process from /proc/PID/cgroup:
// the unified (v2) hierarchy's path when there is one, otherwise the path of
// the first v1 hierarchy listed. It returns "" when no line has a path.
func ParseCgroup(data []byte) string {
	first := ""
	for _, line := range strings.Split(string(data), "\n") {
		if path, unified := strings.CutPrefix(line, "0::"); unified {
			return path
		}
		if fields := strings.SplitN(line, ":", 3); len(fields) == 3 && first == "" {
			first = fields[2]
		}
	}
	return first
}

// ParseCmdline turns the NUL-separated /proc/PID/cmdline into one string
// with the arguments separated by spaces. Trailing NULs are dropped.
func ParseCmdline(data []byte) string {
	data = bytes.TrimRight(data, "\x00")
	return string(bytes.ReplaceAll(data, []byte{0}, []byte{' '}))
}
