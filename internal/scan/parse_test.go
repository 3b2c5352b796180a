package scan

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
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
	for _, bad := range []string{"", "net", "net:[]", "net:[x]", ":[5]", "net:[0]", "net:[5", "net:[-5]",
		"net:[99999999999999999999]", "net:[18446744073709551616]", "net:[1 2]", "net:[+5]",
		"net:[007]", "net:[05]", "net:[5]x", "net:[5]\n", "net:[5]]", "Net:[5]", "net :[5]", "n\x00t:[5]", "net:[[5]"} {
		if _, _, err := ParseNSLink(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseNSLink(%q): err = %v, want ErrMalformed", bad, err)
		}
	}
}

// TestKeyString checks that a namespace is labelled as its link reads:
// "net:[4026531840]", which ParseNSLink reads back, for every type.
func TestKeyString(t *testing.T) {
	if got := (Key{Net, 4026531840}).String(); got != "net:[4026531840]" {
		t.Errorf("Key.String = %q", got)
	}
	for _, typ := range AllTypes {
		k := Key{typ, 1<<64 - 1}
		if name, inode, err := ParseNSLink(k.String()); err != nil || name != typ.String() || inode != k.Inode {
			t.Errorf("ParseNSLink(%q) = %q, %d, %v; want %v", k.String(), name, inode, err, k)
		}
	}
}

// TestParseNSLinkAllocs keeps the scan's hot path free of allocations.
func TestParseNSLinkAllocs(t *testing.T) {
	target := []byte("pid_for_children:[4026531836]")
	if n := testing.AllocsPerRun(100, func() { parseNSLink(target) }); n != 0 {
		t.Errorf("parseNSLink allocates %v times per call", n)
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
		"0::/a:b:c\n":                                             "/a:b:c",
		"x:y\n3:cpu:/first\n2:pids:/second\n":                     "/first",
		"":                                                        "",
		"garbage":                                                 "",
	}
	for in, want := range cases {
		if got := ParseCgroup([]byte(in)); got != want {
			t.Errorf("ParseCgroup(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseCgroupLines(t *testing.T) {
	in := "12:cpu,cpuacct:/kubepods/x\n1:name=systemd:/docker/a:b\n0::/\n"
	want := []CgroupLine{
		{12, []string{"cpu", "cpuacct"}, "/kubepods/x"},
		{1, []string{"name=systemd"}, "/docker/a:b"},
		{0, nil, "/"},
	}
	got, err := ParseCgroupLines([]byte(in))
	if err != nil || !slices.EqualFunc(got, want, equalCgroupLine) {
		t.Errorf("ParseCgroupLines(%q) = %+v, %v; want %+v", in, got, err, want)
	}
	if FormatCgroupLines(got) != in {
		t.Errorf("FormatCgroupLines(%+v) = %q, want %q", got, FormatCgroupLines(got), in)
	}
	if lines, err := ParseCgroupLines(nil); lines != nil || err != nil {
		t.Errorf("ParseCgroupLines(empty) = %v, %v", lines, err)
	}
	for _, bad := range []string{"\n", "0::/\n\n", "garbage\n", "0:/\n", "-1::/\n", "+1::/\n", "01::/\n",
		"1:cpu,:/x\n", "1:,cpu:/x\n", "1:cpu:\n", "99999999999999999999::/\n", "0::/\nx"} {
		if _, err := ParseCgroupLines([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseCgroupLines(%q): err = %v, want ErrMalformed", bad, err)
		}
	}
}

func equalCgroupLine(a, b CgroupLine) bool {
	return a.ID == b.ID && slices.Equal(a.Controllers, b.Controllers) && a.Path == b.Path
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

// FuzzParseNSLink checks that ParseNSLink accepts exactly the kernel's
// form: an accepted target is FormatNSLink of what was parsed, and
// formatting then parsing a valid type and inode gives them back.
func FuzzParseNSLink(f *testing.F) {
	f.Add("net:[4026531840]", "pid", uint64(4026531836))
	f.Add("pid_for_children:[4026531836]", "time_for_children", uint64(1))
	f.Add("net:[007]", "user", uint64(1<<64-1))
	f.Fuzz(func(t *testing.T, s, typ string, inode uint64) {
		if name, n, err := ParseNSLink(s); err == nil && FormatNSLink(name, n) != s {
			t.Errorf("ParseNSLink(%q) = %q, %d, which formats as %q", s, name, n, FormatNSLink(name, n))
		}
		if !isNSTypeName([]byte(typ)) || inode == 0 {
			return
		}
		link := FormatNSLink(typ, inode)
		if name, n, err := ParseNSLink(link); err != nil || name != typ || n != inode {
			t.Errorf("ParseNSLink(%q) = %q, %d, %v; want %q, %d", link, name, n, err, typ, inode)
		}
	})
}

// FuzzParseNSpid checks that every PID returned is positive, and that
// the PIDs, written back as the kernel writes an NSpid line, parse the same.
func FuzzParseNSpid(f *testing.F) {
	f.Add([]byte("Name:\tsleep\nNSpid:\t13512\t11\t1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pids, err := ParseNSpid(data)
		if err != nil || pids == nil {
			return
		}
		if slices.ContainsFunc(pids, func(p int) bool { return p <= 0 }) {
			t.Errorf("ParseNSpid(%q) = %v", data, pids)
		}
		line := "NSpid:"
		for _, p := range pids {
			line += "\t" + strconv.Itoa(p)
		}
		if again, err := ParseNSpid([]byte(line + "\n")); err != nil || !slices.Equal(again, pids) {
			t.Errorf("ParseNSpid(%q) = %v, but %q parses as %v, %v", data, pids, line, again, err)
		}
	})
}

// FuzzParseCgroup checks that accepted /proc/PID/cgroup text formats
// back to itself, and that ParseCgroup picks the unified hierarchy's path,
// else the first one, whenever ParseCgroupLines accepts the text.
func FuzzParseCgroup(f *testing.F) {
	f.Add([]byte("12:pids:/docker/abc\n0::/\n"))
	f.Add([]byte("4:cpu,cpuacct:/a:b\n1:name=systemd:/x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := ParseCgroup(data)
		if !bytes.Contains(data, []byte(got)) {
			t.Errorf("ParseCgroup(%q) = %q, not part of the input", data, got)
		}
		lines, err := ParseCgroupLines(data)
		if err != nil {
			return
		}
		text := string(data)
		if text != "" && !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		if FormatCgroupLines(lines) != text {
			t.Errorf("ParseCgroupLines(%q) = %+v, which formats as %q", data, lines, FormatCgroupLines(lines))
		}
		if want := pickCgroupPath(lines); got != want {
			t.Errorf("ParseCgroup(%q) = %q, want %q from %+v", data, got, want, lines)
		}
	})
}

// pickCgroupPath is what ParseCgroup should return for lines.
func pickCgroupPath(lines []CgroupLine) string {
	if i := slices.IndexFunc(lines, CgroupLine.Unified); i >= 0 {
		return lines[i].Path
	}
	if len(lines) > 0 {
		return lines[0].Path
	}
	return ""
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

// FuzzParseNSFSMounts checks that every mount found names a namespace
// whose link target (type:[inode]) is a field of the input (fields are
// separated by blanks, as the parser reads them).
func FuzzParseNSFSMounts(f *testing.F) {
	f.Add([]byte("65 22 0:4 net:[4026532249] /run/netns/a\\040b rw shared:2 - nsfs nsfs rw\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range ParseNSFSMounts(data) {
			if !slices.Contains(strings.Fields(string(data)), FormatNSLink(m.Type, m.Inode)) {
				t.Errorf("ParseNSFSMounts(%q) found %+v, whose link is not a field of the input", data, m)
			}
		}
	})
}
