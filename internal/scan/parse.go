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
	st, err := parseStat(data)
	return st.Stat, err
}

// procStat is Stat with the fields of /proc/PID/stat that only the scan
// uses.
type procStat struct {
	Stat
	Flags   uint64 // the kernel's PF_* flags of the process
	Threads int    // how many threads it has (num_threads)
	// StartTime is when the process started, in clock ticks since boot,
	// which together with the PID identifies a process: a PID reused by a
	// later process has a later start time.
	StartTime uint64
}

// pfKThread is PF_KTHREAD, the flag of kernel threads in procStat.Flags.
const pfKThread = 0x00200000

// The fields of /proc/PID/stat that parseStat reads after the PPID,
// numbered as in proc(5): the PID is field 1, the command name field 2.
const (
	flagsField     = 9
	threadsField   = 20
	startTimeField = 22
)

// parseStat is ParseStat that also returns the fields only the scan uses,
// all read in one walk over the line. Fields missing at the end of the
// line (no kernel's line ends that early) are 0. Flags and threads that
// are not numbers are 0 too, so a process whose threads are unknown is
// read as having one; a start time that is not a number is an error. It
// reads the fields in place, allocating only the name, for the scan's hot
// path.
func parseStat(data []byte) (procStat, error) {
	open := bytes.IndexByte(data, '(')
	closing := bytes.LastIndexByte(data, ')')
	if open < 0 || closing < open {
		return procStat{}, fmt.Errorf("stat: no (comm): %w", ErrMalformed)
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(data[:open])))
	if err != nil || pid <= 0 {
		return procStat{}, fmt.Errorf("stat: bad pid %q: %w", data[:open], ErrMalformed)
	}
	state, rest, ok := nextField(data[closing+1:])
	if !ok || len(state) != 1 {
		return procStat{}, fmt.Errorf("stat: no state after comm: %w", ErrMalformed)
	}
	ppidField, rest, _ := nextField(rest)
	ppid, err := strconv.Atoi(string(ppidField))
	if err != nil || ppid < 0 {
		return procStat{}, fmt.Errorf("stat: bad ppid %q: %w", ppidField, ErrMalformed)
	}
	st := procStat{Stat: Stat{PID: pid, Comm: string(data[open+1 : closing]), State: state[0], PPID: ppid}}
	if err := st.parseLaterFields(rest); err != nil {
		return procStat{}, err
	}
	return st, nil
}

// parseLaterFields sets the fields of st that follow the PPID, from
// fields, the rest of the line after it (field 5 onwards).
func (st *procStat) parseLaterFields(fields []byte) error {
	var field []byte
	for n := 5; n <= startTimeField; n++ {
		if field, fields, _ = nextField(fields); len(field) == 0 {
			return nil
		}
		switch n {
		case flagsField:
			st.Flags, _ = strconv.ParseUint(string(field), 10, 64)
		case threadsField:
			st.Threads, _ = strconv.Atoi(string(field))
		case startTimeField:
			start, err := strconv.ParseUint(string(field), 10, 64)
			if err != nil {
				return fmt.Errorf("stat: bad start time %q: %w", field, ErrMalformed)
			}
			st.StartTime = start
		}
	}
	return nil
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
// "net:[4026531840]", and returns the type name and the inode. It accepts
// only the form the kernel writes (see FormatNSLink): a type of lowercase
// letters and '_', and a positive decimal inode without leading zeros.
func ParseNSLink(target string) (string, uint64, error) {
	name, inode, err := parseNSLink([]byte(target))
	return string(name), inode, err
}

// FormatNSLink is the inverse of ParseNSLink: the link target the kernel
// writes for a namespace of type name and the given inode.
func FormatNSLink(name string, inode uint64) string {
	return name + ":[" + strconv.FormatUint(inode, 10) + "]"
}

// parseNSLink is ParseNSLink without allocating, for the scan's hot path.
func parseNSLink(target []byte) ([]byte, uint64, error) {
	name, rest, ok := bytes.Cut(target, []byte(":["))
	digits, closed := bytes.CutSuffix(rest, []byte("]"))
	if !ok || !closed || !isNSTypeName(name) {
		return nil, 0, fmt.Errorf("ns link %q: %w", target, ErrMalformed)
	}
	inode, ok := parseInode(digits)
	if !ok {
		return nil, 0, fmt.Errorf("ns link %q: bad inode: %w", target, ErrMalformed)
	}
	return name, inode, nil
}

// isNSTypeName reports whether name could be a namespace type as the
// kernel names them ("net", "pid_for_children").
func isNSTypeName(name []byte) bool {
	for _, c := range name {
		if (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return len(name) > 0
}

// parseInode parses a positive decimal uint64 written without sign or
// leading zeros, as the kernel prints inode numbers.
func parseInode(digits []byte) (uint64, bool) {
	if len(digits) == 0 || len(digits) > 20 || digits[0] == '0' {
		return 0, false
	}
	var inode uint64
	for _, d := range digits {
		next := inode*10 + uint64(d-'0')
		if d < '0' || d > '9' || next/10 != inode {
			return 0, false
		}
		inode = next
	}
	return inode, true
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

// CgroupLine is one line of /proc/PID/cgroup: a cgroup v1 hierarchy
// ("4:cpu,cpuacct:/docker/abc") or the unified v2 one ("0::/user.slice").
type CgroupLine struct {
	ID          int      // hierarchy ID; 0 for the unified hierarchy
	Controllers []string // "cpu", "name=systemd", ...; nil for the unified hierarchy
	Path        string   // the cgroup's path, which may contain ':'
}

// Unified reports whether l is the cgroup v2 (unified) hierarchy's line.
func (l CgroupLine) Unified() bool {
	return l.ID == 0 && len(l.Controllers) == 0
}

// Format writes l as the kernel does, without the newline.
func (l CgroupLine) Format() string {
	return strconv.Itoa(l.ID) + ":" + strings.Join(l.Controllers, ",") + ":" + l.Path
}

// FormatCgroupLines is the inverse of ParseCgroupLines: the contents of
// /proc/PID/cgroup with the given lines, each ending in a newline.
func FormatCgroupLines(lines []CgroupLine) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Format())
		b.WriteByte('\n')
	}
	return b.String()
}

// ParseCgroupLines parses /proc/PID/cgroup: one line per hierarchy, in the
// kernel's order. The last newline may be missing. It fails on the first
// line that is not ID:CONTROLLERS:PATH, with a decimal ID, controllers
// separated by ',' and a non-empty path.
func ParseCgroupLines(data []byte) ([]CgroupLine, error) {
	if len(data) == 0 {
		return nil, nil
	}
	rows := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	lines := make([]CgroupLine, 0, len(rows))
	for i, row := range rows {
		l, ok := parseCgroupLine(row)
		if !ok {
			return nil, fmt.Errorf("cgroup line %d %q: %w", i+1, row, ErrMalformed)
		}
		lines = append(lines, l)
	}
	return lines, nil
}

// parseCgroupLine parses one line of /proc/PID/cgroup, without its newline.
func parseCgroupLine(row string) (CgroupLine, bool) {
	id, rest, ok1 := strings.Cut(row, ":")
	controllers, path, ok2 := strings.Cut(rest, ":")
	n, ok3 := parseHierarchyID(id)
	if !ok1 || !ok2 || !ok3 || path == "" {
		return CgroupLine{}, false
	}
	l := CgroupLine{ID: n, Path: path}
	if controllers == "" {
		return l, true
	}
	l.Controllers = strings.Split(controllers, ",")
	for _, c := range l.Controllers {
		if c == "" {
			return CgroupLine{}, false
		}
	}
	return l, true
}

// parseHierarchyID parses a cgroup hierarchy ID: "0" or a positive decimal
// without sign or leading zeros.
func parseHierarchyID(s string) (int, bool) {
	if s == "0" {
		return 0, true
	}
	if s == "" || s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// ParseCgroup returns the cgroup path of a process from /proc/PID/cgroup:
// the unified (v2) hierarchy's path when there is one, otherwise the path of
// the first v1 hierarchy listed. Malformed lines are skipped; it returns ""
// when no line has a path.
func ParseCgroup(data []byte) string {
	first := ""
	for _, row := range strings.Split(string(data), "\n") {
		l, ok := parseCgroupLine(row)
		switch {
		case !ok:
		case l.Unified():
			return l.Path
		case first == "":
			first = l.Path
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
