package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/nsview/nsview/internal/render"
	"github.com/nsview/nsview/internal/snapshot"
)

const snapshotDescription = `nsview snapshot scans /proc (or --proc) with everything any view shows
(hierarchy, nsfs mounts, network namespace IDs, command lines, cgroups,
NSpid) and writes it to stdout as one JSON document: the host, time and
kernel, every namespace, every readable process, and the skipped counts.
Views read it back later or elsewhere, and nsview diff compares two.

Command lines can carry secrets (passwords in arguments): the snapshot
holds them unless --no-commands is given, so treat it like the output of ps.

EXAMPLES:
   nsview snapshot > before.json
   nsview snapshot --host web1 --no-commands | gzip > web1.json.gz
   nsview diff before.json after.json

It exits 1 when the procfs cannot be read, 2 on a usage error.`

var snapshotFlags = []cli.Flag{
	&cli.StringFlag{Name: "host", Usage: "record the host as `NAME` (default: this machine's host name)"},
	&cli.BoolFlag{Name: "no-commands", Usage: "leave command lines out (they can carry secrets); views then show process names"},
	procFlag(),
}

// snapshotCommand is `nsview snapshot`, running in env.
func snapshotCommand(env environment) *cli.Command {
	return &cli.Command{
		Name:        "snapshot",
		Usage:       "write every namespace and process as one JSON document",
		UsageText:   "nsview snapshot [--host NAME] [--no-commands] [--proc DIR] > FILE",
		Description: snapshotDescription,
		Flags:       snapshotFlags,
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{fmt.Errorf("%w (see nsview snapshot --help)", err)}
		},
		Action: func(c *cli.Context) error {
			return runSnapshot(c, env)
		},
	}
}

// runSnapshot is snapshot's Action: scan, describe, write, then say on
// stderr what could not be read, as the views do.
func runSnapshot(c *cli.Context, env environment) error {
	if c.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q (nsview snapshot takes none; redirect stdout to a file)", c.Args().First())}
	}
	opts := snapshot.ScanOptions(c.String("proc"))
	opts.Owners = env.owners
	idx, err := snapshot.Take(opts)
	if err != nil {
		return err
	}
	meta, err := snapshot.LocalMeta(c.String("host"))
	if err != nil {
		return err
	}
	doc := snapshot.FromIndex(idx, meta, snapshot.Options{Commands: !c.Bool("no-commands")})
	if err := snapshot.Write(env.stdout, doc); err != nil {
		return err
	}
	render.Warnings(env.stderr, idx, true, os.Geteuid() == 0)
	return nil
}
