package scan

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParsePasswd(t *testing.T) {
	got := ParsePasswd([]byte("root:x:0:0:root:/root:/bin/bash\n# comment\nbad line\n" +
		"daemon:x:1:1::/:/usr/sbin/nologin\n:x:5:5::/:\nnoid:x:abc:0::/:\ntoor:x:0:0::/:\nnobody:x:65534:65534::/:"))
	want := map[uint32]string{0: "root", 1: "daemon", 65534: "nobody"}
	if !maps.Equal(got, want) {
		t.Errorf("ParsePasswd = %v, want %v", got, want)
	}
}

// FuzzParsePasswd checks a round trip: a user written as a passwd line,
// between lines that do not name its UID, parses back to its name.
func FuzzParsePasswd(f *testing.F) {
	f.Add("alice", uint32(1000), "junk:line")
	f.Fuzz(func(t *testing.T, name string, uid uint32, noise string) {
		if name == "" || strings.ContainsAny(name, ":\n") {
			return
		}
		noise = strings.ReplaceAll(noise, "\n", " ")
		if _, entry := ParsePasswd([]byte(noise))[uid]; entry {
			return // the first entry of a UID wins
		}
		data := fmt.Sprintf("%s\n%s:x:%d:%d::/:/bin/sh\n%s\n", noise, name, uid, uid, noise)
		if got := ParsePasswd([]byte(data)); got[uid] != name {
			t.Fatalf("ParsePasswd(%q)[%d] = %q, want %q", data, uid, got[uid], name)
		}
	})
}

// TestUserNamesFromHostRoot names users from ROOT/1/root/etc/passwd, the
// host's, not from the user database nsview itself sees.
func TestUserNamesFromHostRoot(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "1", "root", "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	passwd := "hostonly:x:4242:4242::/:/bin/sh\n"
	if err := os.WriteFile(filepath.Join(root, "1", "root", "etc", "passwd"), []byte(passwd), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newIndex(root).users
	for uid, want := range map[uint32]string{4242: "hostonly", 4294967294: "4294967294"} {
		if got := c.name(uid); got != want {
			t.Errorf("name(%d) = %q, want %q", uid, got, want)
		}
	}
	if names := slices.Sorted(maps.Keys(c.names)); len(names) != 2 {
		t.Errorf("cached %v", names)
	}
}
