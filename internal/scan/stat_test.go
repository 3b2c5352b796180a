package scan

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// The tests of the fields only the scan uses live here, beside
// parse_test.go's of the exported ones.

func TestParseStatStartTime(t *testing.T) {
	cases := []struct {
		in    string
		start uint64
	}{
		{"1 (systemd) S 0 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 42 1000 10 0\n", 42},
		{"7 (a) (b\n) R 1 7 7 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 1 0 18446744073709551615 0", 1<<64 - 1},
		{"7 (x) S 1 7 7 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 1 0", 0}, // ends before field 22
		{"7 (x) S 1", 0},
	}
	for _, tc := range cases {
		if st, err := parseStat([]byte(tc.in)); err != nil || st.StartTime != tc.start {
			t.Errorf("parseStat(%q) = %d, %v; want start time %d", tc.in, st.StartTime, err, tc.start)
		}
	}
	for _, bad := range []string{
		"7 (x) S 1 7 7 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 1 0 -42 0",
		"7 (x) S 1 7 7 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 1 0 4x 0",
		"7 (x) S 1 7 7 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 1 0 18446744073709551616",
	} {
		if _, err := parseStat([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("parseStat(%q): err = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestParseStatFlagsAndThreads(t *testing.T) {
	cases := []struct {
		stat    string
		flags   uint64
		threads int
	}{
		{"2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 25 0 0", 2129984, 1},
		{"42 (a) b) (c) S 1 42 42 0 -1 4194560 9 0 0 0 1 2 0 0 20 0 17 0 99", 4194560, 17},
		{"7 (short) S 1 2", 0, 0},
		{"7 (bad) S 1 7 7 0 -1 x 9 0 0 0 1 2 0 0 20 0 many 0 99", 0, 0},
	}
	for _, c := range cases {
		if st, err := parseStat([]byte(c.stat)); err != nil || st.Flags != c.flags || st.Threads != c.threads {
			t.Errorf("parseStat(%q) = flags %d, threads %d, %v; want %d, %d", c.stat, st.Flags, st.Threads, err, c.flags, c.threads)
		}
	}
	stat := []byte(cases[1].stat)
	if n := testing.AllocsPerRun(100, func() { parseStat(stat) }); n > 1 {
		t.Errorf("parseStat allocates %v times; only the name should", n)
	}
}

// formatStat writes a stat line as the kernel does, with the fields of
// st and zeros elsewhere.
func formatStat(st procStat) []byte {
	return fmt.Appendf(nil, "%d (%s) %c %d 0 0 0 -1 %d 0 0 0 0 0 0 0 0 20 0 %d 0 %d 1000 10\n",
		st.PID, st.Comm, st.State, st.PPID, st.Flags, st.Threads, st.StartTime)
}

// statLine is formatStat of a process of one thread that is no kernel
// thread.
func statLine(pid int, comm string, state byte, ppid int, start uint64) []byte {
	return formatStat(procStat{Stat: Stat{pid, comm, state, ppid}, Flags: 4194560, Threads: 1, StartTime: start})
}

// FuzzParseStatFields checks the fields after the PPID two ways: a line
// written by formatStat parses back to the fields it was written with,
// whatever the name; and whenever parseStat accepts any input, its flags,
// threads and start time are the 7th, 18th and 20th space-separated field
// after the last ')', parsed on their own (0 where there is none, and
// flags and threads 0 where they are not numbers).
func FuzzParseStatFields(f *testing.F) {
	f.Add([]byte("1 (systemd) S 0 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 42 1000 10 0\n"), "sleep", uint64(2129984), 4, uint64(42))
	f.Add([]byte("42 (x) (y\nz) Z 3 0 0"), "x) (y\nz", uint64(0), 1, uint64(1<<64-1))
	f.Add([]byte("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 25 0 0"), "", uint64(1<<64-1), -1, uint64(0))
	f.Add([]byte("42 (a) b) S 1 42 42 0 -1 4194560 9 0 0 0 1 2 0 0 20 0 17 0 99\n"), "a) b", uint64(1), 17, uint64(99))
	f.Add([]byte("7 (x) S\n1  2"), "x", uint64(4194560), 0, uint64(1))
	f.Fuzz(func(t *testing.T, data []byte, comm string, flags uint64, threads int, start uint64) {
		want := procStat{Stat: Stat{12, comm, 'S', 3}, Flags: flags, Threads: threads, StartTime: start}
		line := formatStat(want)
		if got, err := parseStat(line); err != nil || got != want {
			t.Errorf("parseStat(%q) = %+v, %v; want %+v", line, got, err, want)
		}
		st, err := parseStat(data)
		if err != nil {
			return
		}
		fields := strings.FieldsFunc(string(data[bytes.LastIndexByte(data, ')')+1:]), func(r rune) bool { return r == ' ' || r == '\n' })
		field := func(n int) string { // field n of the line, "" past its end
			if i := n - 3; i < len(fields) {
				return fields[i]
			}
			return ""
		}
		wantFlags, _ := strconv.ParseUint(field(flagsField), 10, 64)
		wantThreads, _ := strconv.Atoi(field(threadsField))
		wantStart := uint64(0)
		if s := field(startTimeField); s != "" {
			wantStart, err = strconv.ParseUint(s, 10, 64)
		}
		if err != nil || st.Flags != wantFlags || st.Threads != wantThreads || st.StartTime != wantStart {
			t.Errorf("parseStat(%q) = flags %d, threads %d, start time %d; want %d, %d, %d (%v)",
				data, st.Flags, st.Threads, st.StartTime, wantFlags, wantThreads, wantStart, err)
		}
	})
}
