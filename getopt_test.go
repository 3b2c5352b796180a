package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestGetoptArgs checks that command lines are read as lsns's getopt_long
// reads them.
func TestGetoptArgs(t *testing.T) {
	for in, want := range map[string]string{
		"-Jn":                        "-J -n",
		"-nr":                        "-n -r",
		"-Jt net":                    "-J -t net",
		"-Jt":                        "-J -t",
		"-tnet":                      "-t net",
		"-Jtnet,uts":                 "-J -t net,uts",
		"-p1234":                     "-p 1234",
		"-pid 1234":                  "-pid 1234",
		"--task=1 -namespace 42":     "--task=1 -namespace 42",
		"-T":                         "-T",
		"-Towner":                    "-T=owner",
		"-nT=parent":                 "-n -T=parent",
		"--tree=process":             "--tree=process",
		"--tree process":             "--tree -- process",
		"4026531836 -J":              "-J -- 4026531836",
		"4026531836 -- -J":           "-- 4026531836 -J",
		"-o +PPID,uid -r":            "-o +PPID,uid -r",
		"-Jx":                        "-Jx",
		"--bogus -t":                 "--bogus -t",
		"-":                          "-- -",
		"-Q TYPE=='net' -J":          "-Q TYPE=='net' -J",
		"-V":                         "-V",
		"-h":                         "-h",
		"-nh":                        "-n -h",
		"--output-all -no-headings":  "--output-all -no-headings",
		"serve --listen 127.0.0.1:0": "serve --listen 127.0.0.1:0",
		"--proc /p serve -h":         "--proc /p serve -h",
	} {
		args := append([]string{"nsview"}, strings.Fields(in)...)
		got := getoptArgs(newFlags(), []*cli.Command{{Name: "serve"}}, args)
		if !slices.Equal(got[1:], strings.Fields(want)) {
			t.Errorf("%s: got %q, want %q", in, strings.Join(got[1:], " "), want)
		}
	}
}

// TestVersion checks -V and --version: "nsview VERSION", the stamped
// version when there is one.
func TestVersion(t *testing.T) {
	for _, stamp := range []string{"", "v1.2.3-4-gabcdef-dirty"} {
		stampedVersion = stamp
		want := "nsview " + stamp + "\n"
		if stamp == "" {
			want = "nsview devel\n" // a test binary has no module version
		}
		for _, flag := range []string{"-V", "--version"} {
			var stdout, stderr bytes.Buffer
			code := runCLI([]string{"nsview", flag}, environment{stdout: &stdout, stderr: &stderr})
			if code != 0 || stdout.String() != want || stderr.Len() != 0 {
				t.Errorf("%s with stamp %q: exit %d, stdout %q, stderr %q", flag, stamp, code, stdout.String(), stderr.String())
			}
		}
	}
	stampedVersion = ""
}
