package scan

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseStat(t *testing.T) {
	cases := []struct {
		in   string
		want Stat
	}{
		{"1 (systemd) S 0 1 1 0 -1\n", Stat{1, "systemd", 'S', 0}},
		{"42 (a) (b) R 7 42", Stat{42, "a) (b", 'R', 7}},
		{"42 (x) (y\nz) Z 3 0 0", Stat{42, "x) (y\nz", 'Z', 3}},
		{"7 (with spaces ) ) S 1 2", Stat{7, "with spaces ) ", 'S', 1}},
		{"8 () S 1", Stat{8, "", 'S', 1}},
		{"9 (((( D 2", Stat{}}, // no ')' at all
	}
	for _, tc := range cases {
		got, err := ParseStat([]byte(tc.in))
		if tc.want.PID == 0 {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseStat(%q) = %+v, %v; want ErrMalformed", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseStat(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "(x) S 1", "1 (x)", "1 (x) S", "1 (x) S -1", "1 (x) SS 1", "-3 (x) S 1", "a (x) S 1"} {
		if _, err := ParseStat([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseStat(%q): err = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestParseNSLink(t *testing.T) {
	name, inode, err := ParseNSLink("net:[4026531840]")
	if err != nil || name != "net" || inode != 4026531840 {
		t.Errorf("ParseNSLink = %q, %d, %v", name, inode, err)
	}
	if _, inode, err := ParseNSLink("mnt:[18446744073709551615]"); err != nil || inode != 1<<64-1 {
		t.Errorf("ParseNSLink(max uint64) = %d, %v", inode, err)
	}
	for _, bad := range []string{"", "net", "net:[]", "net:[x]", ":[5]", "net:[0]", "net:[5", "net:[-5]", "net:[99999999999999999999]", "net:[18446744073709551616]", "net:[1 2]", "net:[+5]"} {
		if _, _, err := ParseNSLink(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseNSLink(%q): err = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestParseNSpid(t *testing.T) {
	status := "Name:\tsleep\nPid:\t13512\nNSpid:\t13512\t11\t1\nNSpgid:\t1\n"
	got, err := ParseNSpid([]byte(status))
	if err != nil || !slices.Equal(got, []int{13512, 11, 1}) {
		t.Errorf("ParseNSpid = %v, %v", got, err)
	}
	if got, err := ParseNSpid([]byte("Name:\tx\nPid:\t5\n")); got != nil || err != nil {
		t.Errorf("no NSpid line: got %v, %v; want nil, nil", got, err)
	}
	for _, bad := range []string{"NSpid:\n", "NSpid:\t1\tx\n", "NSpid:\t0\n"} {
		if _, err := ParseNSpid([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseNSpid(%q): err = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestParseCgroup(t *testing.T) {
	cases := map[string]string{
		"0::/user.slice/user-1000.slice/session-2.scope\n":        "/user.slice/user-1000.slice/session-2.scope",
		"12:pids:/docker/abc\n1:name=systemd:/docker/abc\n0::/\n": "/",
		"12:cpu,cpuacct:/kubepods/x\n":                            "/kubepods/x",
		"":                                                        "",
		"garbage":                                                 "",
	}
	for in, want := range cases {
		if got := ParseCgroup([]byte(in)); got != want {
			t.Errorf("ParseCgroup(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseCmdline(t *testing.T) {
	cases := map[string]string{
		"":                       "",
		"sleep\x00infinity\x00":  "sleep infinity",
		"nginx: worker process":  "nginx: worker process",
		"a\x00\x00b\x00\x00\x00": "a  b",
		"\x00":                   "",
		"x\x1b[2J\x00y\x00":      "x\x1b[2J y",
	}
	for in, want := range cases {
		if got := ParseCmdline([]byte(in)); got != want {
			t.Errorf("ParseCmdline(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseStat checks that ParseStat never panics, and that whenever it
// accepts input the name is exactly what lies between the first '(' and
// the last ')'.
func FuzzParseStat(f *testing.F) {
	f.Add([]byte("1 (systemd) S 0 1 1 0 -1 4194560\n"))
	f.Add([]byte("42 (x) (y\nz) Z 3 0 0"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseStat(data)
		if err != nil {
			return
		}
		open, closing := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
		if st.Comm != string(data[open+1:closing]) || st.PID <= 0 || st.PPID < 0 {
			t.Errorf("ParseStat(%q) = %+v", data, st)
		}
	})
}

// FuzzParseNSLink checks that an accepted link target round-trips.
func FuzzParseNSLink(f *testing.F) {
	f.Add("net:[4026531840]")
	f.Add("pid_for_children:[4026531836]")
	f.Fuzz(func(t *testing.T, s string) {
		name, inode, err := ParseNSLink(s)
		if err != nil {
			return
		}
		if inode == 0 || name == "" || !strings.HasPrefix(s, name+":[") {
			t.Errorf("ParseNSLink(%q) = %q, %d", s, name, inode)
		}
	})
}

// FuzzParseNSpid checks that every PID returned is positive.
func FuzzParseNSpid(f *testing.F) {
	f.Add([]byte("Name:\tsleep\nNSpid:\t13512\t11\t1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pids, err := ParseNSpid(data)
		if err == nil && slices.ContainsFunc(pids, func(p int) bool { return p <= 0 }) {
			t.Errorf("ParseNSpid(%q) = %v", data, pids)
		}
	})
}

// FuzzParseCgroup checks that the path returned is part of the input.
func FuzzParseCgroup(f *testing.F) {
	f.Add([]byte("12:pids:/docker/abc\n0::/\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if got := ParseCgroup(data); !bytes.Contains(data, []byte(got)) {
			t.Errorf("ParseCgroup(%q) = %q", data, got)
		}
	})
}

// FuzzParseCmdline checks that no NUL survives and valid UTF-8 stays so.
func FuzzParseCmdline(f *testing.F) {
	f.Add([]byte("sleep\x00infinity\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := ParseCmdline(data)
		if strings.ContainsRune(got, 0) || (utf8.Valid(data) && !utf8.ValidString(got)) {
			t.Errorf("ParseCmdline(%q) = %q", data, got)
		}
	})
}

func TestParseNSFSMounts(t *testing.T) {
	info := "22 1 0:21 / / rw - ext4 /dev/vda rw\n" +
		"65 22 0:4 net:[4026532249] /run/netns/a\\040b rw shared:2 - nsfs nsfs rw\n" +
		"66 22 0:4 / /run/x rw - nsfs nsfs rw\n" +
		"67 22 0:4 mnt:[5] /tab\\011here\\ rw - nsfs nsfs rw\n"
	got := ParseNSFSMounts([]byte(info))
	want := []NSFSMount{{"net", 4026532249, "/run/netns/a b", 2, 0}, {"mnt", 5, "/tab\there\\", 0, 0}}
	if !slices.Equal(got, want) {
		t.Errorf("ParseNSFSMounts = %+v, want %+v", got, want)
	}
}

// FuzzParseNSFSMounts checks that every mount found names a namespace.
func FuzzParseNSFSMounts(f *testing.F) {
	f.Add([]byte("65 22 0:4 net:[4026532249] /run/netns/a\\040b rw shared:2 - nsfs nsfs rw\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range ParseNSFSMounts(data) {
			if m.Inode == 0 || m.Type == "" {
				t.Errorf("ParseNSFSMounts(%q) found %+v", data, m)
			}
		}
	})
}
