package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/render"
	"github.com/nsview/nsview/internal/scan"
	"github.com/nsview/nsview/internal/snapshot"
)

// minInterval is the shortest --interval: each interval is a whole scan.
const minInterval = 100 * time.Millisecond

// checkWatch refuses the flags that --watch (or --interval) cannot go with.
func checkWatch(c *cli.Context, cfg config) error {
	switch {
	case !cfg.watch && c.IsSet("interval"):
		return errors.New("--interval needs --watch")
	case !cfg.watch:
		return nil
	case cfg.interval < minInterval:
		return fmt.Errorf("--interval %v: the shortest is %v", cfg.interval, minInterval)
	case len(cfg.inputs) > 0:
		return errors.New("--watch scans procfs: it does not go with --input")
	case cfg.dot:
		return errors.New("--watch does not go with --dot")
	case cfg.render.JSON && cfg.kind != filter.Namespaces:
		return errors.New("--watch --json prints events of the namespace list only (no trees, no process lists)")
	}
	return nil
}

// refuseWatchOfCommand makes --watch before a command (nsview --watch
// snapshot) a usage error: the commands do not watch.
func refuseWatchOfCommand(c *cli.Context) error {
	if c.Bool("watch") && c.Args().Present() && c.App.Command(c.Args().First()) != nil {
		return usageError{fmt.Errorf("--watch does not go with nsview %s", c.Args().First())}
	}
	return nil
}

// frame is one scan of a watch: its selection and, by key, its matches.
type frame struct {
	sel     *filter.Selection
	matches map[scan.Key]filter.Match
	rows    map[scan.Key]string // the table row drawn for each match
}

// event is one change between two frames, in the selection's terms: a
// namespace that entered it is added even if the index had it before.
type event struct {
	kind  byte // snapshot.Added, Removed or Changed
	frame *frame
	match filter.Match
}

// watcher scans every interval and prints what changed since the last
// scan (JSON Lines) or the view with its changes marked (terminal).
type watcher struct {
	cfg   config
	env   environment
	view  *render.View
	needs scan.Need
}

// watch runs nsview --watch until SIGINT or SIGTERM, or until standard
// output is a closed pipe (noticed at the next write or the next
// interval, whichever comes first); all three end it with success.
func watch(cfg config, env environment) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGPIPE)
	defer stop()
	events := cfg.render.JSON || !render.IsTerminal(outFile(env.stdout))
	if events && cfg.kind != filter.Namespaces {
		return usageError{errors.New("--watch through a pipe prints events of the namespace list only (no trees, no process lists)")}
	}
	opts := cfg.render
	opts.JSON = events
	if !events && cfg.kind == filter.Namespaces && opts.Width > 2 {
		opts.Width -= 2 // for the marks
	}
	view, err := render.NewView(cfg.kind, opts)
	if err != nil {
		return usageError{err}
	}
	w := &watcher{cfg: cfg, env: env, view: view, needs: scanNeeds(cfg, view)}
	if events {
		err = w.loop(ctx, w.printEvents(bufio.NewWriter(env.stdout)))
	} else {
		err = w.loop(ctx, w.drawFrames(env.stdout))
		restoreTerminal(env.stdout)
	}
	if errors.Is(err, syscall.EPIPE) {
		return nil
	}
	return err
}

// loop scans once per interval and hands each frame, with the frame
// before it (nil at first), to show.
func (w *watcher) loop(ctx context.Context, show func(prev, cur *frame) error) error {
	ticker := time.NewTicker(w.cfg.interval)
	defer ticker.Stop()
	var prev *frame
	for {
		cur, err := w.scan()
		if err != nil {
			return err
		}
		if err := show(prev, cur); err != nil {
			return err
		}
		prev = cur
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
		if readerGone(w.env.stdout) {
			return nil
		}
	}
}

// readerGone reports whether out is a pipe whose reading end has been
// closed (poll(2) says POLLERR), or a stream socket whose peer has closed
// it (POLLHUP), so that the next write would fail: poll tells without
// writing. Without it, a watch with no news would notice only at its next
// event, and `nsview --watch | head` would keep its shell waiting until
// some namespace came or went. Other outputs (terminals, files) are left
// to fail at a write as they would.
func readerGone(out io.Writer) bool {
	f := outFile(out)
	if f == nil {
		return false
	}
	conn, err := f.SyscallConn()
	if err != nil {
		return false
	}
	gone := false
	conn.Control(func(fd uintptr) {
		var st unix.Stat_t
		if unix.Fstat(int(fd), &st) != nil {
			return
		}
		var closed int16
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFIFO:
			closed = unix.POLLERR
		case unix.S_IFSOCK:
			closed = unix.POLLHUP
		default:
			return
		}
		fds := []unix.PollFd{{Fd: int32(fd)}}
		n, err := unix.Poll(fds, 0)
		gone = err == nil && n > 0 && fds[0].Revents&closed != 0
	})
	return gone
}

// scan makes one frame: scan, select, describe, as nsview without --watch.
// A selection that matches nothing (yet) is an empty frame.
func (w *watcher) scan() (*frame, error) {
	idx, err := scanProcfs(w.cfg, w.env, w.needs)
	if err != nil {
		return nil, err
	}
	sel, err := filter.Select(idx, w.cfg.spec, w.cfg.kind)
	if errors.Is(err, filter.ErrNotFound) {
		sel, err = &filter.Selection{Index: idx, Kind: w.cfg.kind}, nil
	}
	if err != nil {
		return nil, err
	}
	idx.Describe(sel.Described(), w.needs.Details())
	f := &frame{sel: sel, matches: make(map[scan.Key]filter.Match, len(sel.Matches)), rows: map[scan.Key]string{}}
	for _, m := range sel.Matches {
		f.matches[m.Namespace.Key()] = m
	}
	return f, nil
}

// events are the changes from prev to cur (snapshot.Diff's), in the terms
// of the selections: every match of the first frame is added, and a
// namespace that enters or leaves the selection is added or removed.
func events(prev, cur *frame) []event {
	if prev == nil {
		list := make([]event, len(cur.sel.Matches))
		for i, m := range cur.sel.Matches {
			list[i] = event{snapshot.Added, cur, m}
		}
		return list
	}
	var list []event
	for _, c := range snapshot.Diff(prev.sel.Index, cur.sel.Index) {
		k := c.Namespace.Key()
		before, wasIn := prev.matches[k]
		after, isIn := cur.matches[k]
		switch {
		case isIn && (c.Kind == snapshot.Added || !wasIn):
			list = append(list, event{snapshot.Added, cur, after})
		case wasIn && (c.Kind == snapshot.Removed || !isIn):
			list = append(list, event{snapshot.Removed, prev, before})
		case wasIn && isIn:
			list = append(list, event{snapshot.Changed, cur, after})
		}
	}
	return list
}

var eventNames = map[byte]string{snapshot.Added: "added", snapshot.Removed: "removed", snapshot.Changed: "changed"}

// printEvents returns a show function that writes one JSON line per event,
// {"time", "event", "namespace"}, and flushes them once per frame.
func (w *watcher) printEvents(out *bufio.Writer) func(prev, cur *frame) error {
	return func(prev, cur *frame) error {
		now, _ := json.Marshal(time.Now().UTC().Format(time.RFC3339))
		for _, e := range events(prev, cur) {
			object, err := w.view.NamespaceObject(e.frame.sel.Index, e.match)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "{\"time\":%s,\"event\":%q,\"namespace\":%s}\n", now, eventNames[e.kind], object)
		}
		return out.Flush()
	}
}

// Terminal control sequences (ECMA-48 and DEC private modes).
const (
	hideCursor = "\x1b[?25l"
	showCursor = "\x1b[?25h"
	home       = "\x1b[H"
	clearLine  = "\x1b[K" // to the end of the line
	clearBelow = "\x1b[J" // to the end of the screen
)

// drawFrames returns a show function that redraws the view in place on
// the terminal out. The cursor is hidden until the watch ends.
func (w *watcher) drawFrames(out io.Writer) func(prev, cur *frame) error {
	io.WriteString(out, hideCursor+"\x1b[2J")
	return func(prev, cur *frame) error {
		var text bytes.Buffer
		if err := w.view.Write(&text, cur.sel); err != nil {
			return err
		}
		lines := strings.Split(strings.TrimSuffix(text.String(), "\n"), "\n")
		if w.cfg.kind == filter.Namespaces {
			lines = w.markRows(lines, prev, cur)
		}
		_, err := io.WriteString(out, home+strings.Join(lines, clearLine+"\n")+clearLine+"\n"+clearBelow)
		return err
	}
}

// restoreTerminal shows the cursor again, below the last frame.
func restoreTerminal(out io.Writer) {
	io.WriteString(out, showCursor)
}

// markRows marks the rows of a namespace table: "+ " for a namespace that
// appeared since the last frame, and the rows of those that vanished
// again, from the last frame, after "- ". It keeps each row in cur for
// the next frame. A table whose lines are not one per row is unmarked.
func (w *watcher) markRows(lines []string, prev, cur *frame) []string {
	heading := 1
	if w.cfg.render.NoHeadings {
		heading = 0
	}
	if len(lines) != heading+len(cur.sel.Matches) {
		return lines
	}
	marked := make([]string, 0, len(lines))
	if heading == 1 {
		marked = append(marked, "  "+lines[0])
	}
	added, removed := map[scan.Key]bool{}, []string(nil)
	if prev != nil {
		for _, e := range events(prev, cur) {
			switch k := e.match.Namespace.Key(); e.kind {
			case snapshot.Added:
				added[k] = true
			case snapshot.Removed:
				if row, ok := prev.rows[k]; ok {
					removed = append(removed, "- "+row)
				}
			}
		}
	}
	for i, m := range cur.sel.Matches {
		k, row := m.Namespace.Key(), lines[heading+i]
		cur.rows[k] = row
		if added[k] {
			marked = append(marked, "+ "+row)
		} else {
			marked = append(marked, "  "+row)
		}
	}
	return append(marked, removed...)
}
