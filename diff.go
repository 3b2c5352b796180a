package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/nsview/nsview/internal/render"
	"github.com/nsview/nsview/internal/snapshot"
)

const diffDescription = `nsview diff compares two snapshots (nsview snapshot) and prints, one line
each, the namespaces that were added (+), removed (-) or changed (~: their
number of processes), with their lowest PID and its command:

   + net:[4026532999] 2 processes (1234) sleep 1000
   - pid:[4026532407] 1 process (402) sh
   ~ pid:[4026532300] 3 processes (301) sleep 1000 (nprocs 2 -> 3)

OLD and NEW are files, - (standard input) or http(s) URLs. Namespaces are
the same when their type and inode are. It prints nothing when nothing
changed. --json prints a list of {"change": "added"|"removed"|"changed",
"namespace": the object nsview --json prints, "before"/"after": the facts
that changed}, [] when nothing did.

It exits 0 when it compared the snapshots (changed or not), 1 when one
cannot be read or is not a valid snapshot, 2 on a usage error.`

// diffCommand is `nsview diff`, running in env.
func diffCommand(env environment) *cli.Command {
	return &cli.Command{
		Name:        "diff",
		Usage:       "compare two snapshots: namespaces added, removed or changed",
		UsageText:   "nsview diff [--json] OLD NEW",
		Description: diffDescription,
		Flags:       []cli.Flag{&cli.BoolFlag{Name: "json", Aliases: []string{"J"}, Usage: "print the changes as a JSON list"}},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{fmt.Errorf("%w (see nsview diff --help)", err)}
		},
		Action: func(c *cli.Context) error {
			return runDiff(c, env)
		},
	}
}

// runDiff is diff's Action.
func runDiff(c *cli.Context, env environment) error {
	if c.NArg() != 2 {
		return usageError{fmt.Errorf("nsview diff takes two snapshots, OLD and NEW, not %d", c.NArg())}
	}
	hosts := make([]*snapshot.Host, 2)
	for i, src := range c.Args().Slice() {
		var err error
		if hosts[i], err = (snapshot.Loader{}).LoadOne(c.Context, src); err != nil {
			return err
		}
	}
	if hosts[0].Host != hosts[1].Host {
		fmt.Fprintf(env.stderr, "nsview: comparing snapshots of different hosts (%s, %s): the same inode there is not the same namespace\n",
			render.Escape(hosts[0].Host), render.Escape(hosts[1].Host))
	}
	changes := snapshot.Diff(hosts[0].Index, hosts[1].Index)
	if c.Bool("json") {
		return snapshot.WriteDiffJSON(env.stdout, changes)
	}
	return snapshot.WriteDiffText(env.stdout, changes)
}
