package scan

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"testing"
)

// The start time's tests live here, beside parse_test.go's of the rest of
// stat.

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
		if _, start, err := parseStat([]byte(tc.in)); err != nil || start != tc.start {
			t.Errorf("parseStat(%q) = %d, %v; want start time %d", tc.in, start, err, tc.start)
		}
	}
	for _, bad := range []string{
		"7 (x) S 1 7 7 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 1 0 -42 0",
		"7 (x) S 1 7 7 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 1 0 4x 0",
		"7 (x) S 1 7 7 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 1 0 18446744073709551616",
	} {
		if _, _, err := parseStat([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("parseStat(%q): err = %v, want ErrMalformed", bad, err)
		}
	}
}

// statLine writes a stat line as the kernel does, with the given fields
// and zeros elsewhere.
func statLine(pid int, comm string, state byte, ppid int, start uint64) []byte {
	return fmt.Appendf(nil, "%d (%s) %c %d 0 0 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %d 1000 10\n",
		pid, comm, state, ppid, start)
}

// FuzzParseStatStartTime checks the start time two ways: a line written by
// statLine parses back to the fields it was written with, whatever the
// name; and whenever parseStat accepts any input, the start time is the
// 20th space-separated field after the last ')' (0 if there is none).
func FuzzParseStatStartTime(f *testing.F) {
	f.Add([]byte("1 (systemd) S 0 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 42 1000 10 0\n"), "sleep", uint64(42))
	f.Add([]byte("42 (x) (y\nz) Z 3 0 0"), "x) (y\nz", uint64(1<<64-1))
	f.Fuzz(func(t *testing.T, data []byte, comm string, start uint64) {
		line := statLine(12, comm, 'S', 3, start)
		if st, got, err := parseStat(line); err != nil || got != start || st.Comm != comm || st.PPID != 3 {
			t.Errorf("parseStat(%q) = %+v, %d, %v; want comm %q, start time %d", line, st, got, err, comm, start)
		}
		_, got, err := parseStat(data)
		if err != nil {
			return
		}
		fields := bytes.FieldsFunc(data[bytes.LastIndexByte(data, ')')+1:], func(r rune) bool { return r == ' ' || r == '\n' })
		want := uint64(0)
		if len(fields) >= startTimeField {
			want, err = strconv.ParseUint(string(fields[startTimeField-1]), 10, 64)
		}
		if err != nil || got != want {
			t.Errorf("parseStat(%q): start time %d, want %d (%v)", data, got, want, err)
		}
	})
}
