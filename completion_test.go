package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
)

// TestCompletion asks nsview for completions as the shell scripts do, on
// the fixture procfs, and checks the words it offers.
func TestCompletion(t *testing.T) {
	root, owners := fixture.Proc(t)
	t.Chdir(filepath.Dir(root))
	for _, tc := range []struct {
		args []string // after nsview --proc proc; the last is the word under the cursor
		want []string
	}{
		{[]string{"-Jt", "p"}, []string{"pid"}},
		{[]string{"-type", "ne"}, []string{"net"}},
		{[]string{"-Jtp", "se"}, []string{"serve"}}, // -t took "p": no value pending
		{[]string{"-JT", "se"}, []string{"serve"}},  // -T takes no separate word
		{[]string{"--type=u"}, []string{"--type=user", "--type=uts"}},
		{[]string{"-t", "net,pid,"}, []string{"net,pid,cgroup", "net,pid,ipc", "net,pid,mnt", "net,pid,time", "net,pid,user", "net,pid,uts"}},
		{[]string{"-o", "ns,TY"}, []string{"ns,type"}},
		{[]string{"-p", "40"}, []string{"400", "401", "402"}},
		{[]string{"--task", "30"}, []string{"300", "301", "302"}},
		{[]string{"-c", ""}, []string{"nginx"}},
		{[]string{"--pod", ""}, []string{"shop/web-0"}},
		{[]string{"--namespace", "40265324"}, []string{"4026532400", "4026532401", "4026532402", "4026532403", "4026532404", "4026532405", "4026532406", "4026532407"}},
		{[]string{"--tree=p"}, []string{"--tree=process", "--tree=parent"}},
		{[]string{"--as"}, []string{"--ascii"}},
		{[]string{"-V"}, []string{"-V"}},
		{[]string{"--proc", "d"}, nil}, // a directory: the shell's own completion
		{[]string{"se"}, []string{"serve"}},
		{[]string{"serve", "--li"}, []string{"--listen"}},
		{[]string{"--", "-"}, nil},
	} {
		stdout, stderr, code := runOn(t, root, owners, append(tc.args, completionFlag)...)
		var got []string
		for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
			if word, _, _ := strings.Cut(line, "\t"); word != "" {
				got = append(got, word)
			}
		}
		if code != 0 || stderr != "" || !sameSet(got, tc.want) {
			t.Errorf("completing %q: exit %d, stderr %q, got %q, want %q", tc.args, code, stderr, got, tc.want)
		}
	}
}
