package render

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/clipperhouse/displaywidth"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/scan"
)

// glyphs draw a tree's branches.
type glyphs struct{ branch, last, pipe, space string }

var (
	unicodeGlyphs = glyphs{"├─ ", "└─ ", "│  ", "   "}
	asciiGlyphs   = glyphs{"|- ", "`- ", "|  ", "   "}
)

// UTF8Locale reports whether the environment's locale (LC_ALL, LC_CTYPE,
// LANG, in that order) uses UTF-8, as box-drawing glyphs need.
func UTF8Locale() bool {
	for _, name := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := os.Getenv(name); v != "" {
			v = strings.ToLower(v)
			return strings.Contains(v, "utf-8") || strings.Contains(v, "utf8")
		}
	}
	return false
}

// textTree prints the tree model as text, a line per node: namespaces as
// "pid:[4026532300] level 1, 2 processes", processes as "402 [2 1] sleep
// infinity" (the PID, its PIDs in nested namespaces, the command). In
// process trees a nested namespace hangs under the process that created
// it; in the ownership tree each namespace line ends with its lowest PID
// and that process's command.
type textTree struct {
	idx     *scan.Index
	palette Palette
	glyphs  glyphs
	width   int  // cut lines to this many cells; 0: no limit
	leaders bool // end namespace lines with the lowest PID and its command
	out     *bufio.Writer
}

// line is one line of the text tree. The head is coloured and never cut;
// the tail (a command line, escaped) is cut to the room left on the line.
type line struct {
	head      string
	headWidth int // display width of head without colours
	tail      string
}

func (t *textTree) write(w io.Writer, roots []*treeNode) error {
	t.out = bufio.NewWriterSize(w, 64<<10)
	for _, r := range roots {
		t.namespace(r, "", "")
	}
	return t.out.Flush()
}

// namespace draws a namespace node: its processes, each with the
// namespaces it created, then the child namespaces whose creator is not
// drawn here.
func (t *textTree) namespace(n *treeNode, prefix, childPrefix string) {
	t.print(prefix, t.namespaceLine(n.ns))
	here := map[*scan.Process]bool{}
	collectProcesses(n.procs, here)
	created := map[*scan.Process][]*treeNode{}
	var items []func(prefix, childPrefix string)
	for _, p := range n.procs {
		items = append(items, func(prefix, childPrefix string) { t.process(p, created, prefix, childPrefix) })
	}
	for _, c := range n.children {
		if here[c.creator] {
			created[c.creator] = append(created[c.creator], c)
			continue
		}
		items = append(items, func(prefix, childPrefix string) { t.namespace(c, prefix, childPrefix) })
	}
	t.items(items, childPrefix)
}

// collectProcesses adds the processes of the nodes and their descendants
// to set.
func collectProcesses(nodes []*treeNode, set map[*scan.Process]bool) {
	for _, n := range nodes {
		set[n.proc] = true
		collectProcesses(n.children, set)
	}
}

// process draws a process node, its children, then the namespaces it
// created.
func (t *textTree) process(n *treeNode, created map[*scan.Process][]*treeNode, prefix, childPrefix string) {
	t.print(prefix, t.processLine(n.proc))
	var items []func(prefix, childPrefix string)
	for _, c := range n.children {
		items = append(items, func(prefix, childPrefix string) { t.process(c, created, prefix, childPrefix) })
	}
	for _, ns := range created[n.proc] {
		items = append(items, func(prefix, childPrefix string) { t.namespace(ns, prefix, childPrefix) })
	}
	t.items(items, childPrefix)
}

// items draws the children of a line, with branches.
func (t *textTree) items(items []func(prefix, childPrefix string), childPrefix string) {
	for i, draw := range items {
		if i == len(items)-1 {
			draw(childPrefix+t.glyphs.last, childPrefix+t.glyphs.space)
		} else {
			draw(childPrefix+t.glyphs.branch, childPrefix+t.glyphs.pipe)
		}
	}
}

func (t *textTree) print(prefix string, l line) {
	t.out.WriteString(prefix)
	t.out.WriteString(l.head)
	if l.tail != "" {
		room := 0 // no limit
		if t.width > 0 {
			room = max(t.width-displaywidth.String(prefix)-l.headWidth-1, 8)
		}
		t.out.WriteByte(' ')
		t.out.WriteString(Truncate(l.tail, room))
	}
	t.out.WriteByte('\n')
}

// namespaceLine is "pid:[4026532300] level 1, owner root, 2 processes".
func (t *textTree) namespaceLine(ns *scan.Namespace) line {
	plain := ns.Key().String()
	text := t.palette.Type(ns.Type.String(), ns.Type.String()) + ":[" +
		t.palette.Namespace(t.idx.IsInitial(ns), fmt.Sprint(ns.Inode)) + "]"
	var facts []string
	if ns.Level >= 0 {
		facts = append(facts, fmt.Sprintf("level %d", ns.Level))
	}
	if ns.OwnerUID >= 0 {
		facts = append(facts, fmt.Sprintf("owner %s", t.idx.UserName(uint32(ns.OwnerUID))))
	}
	facts = append(facts, Plural(len(ns.Procs), "process", "processes"))
	detail := " " + strings.Join(facts, ", ")
	l := line{head: text + detail, headWidth: displaywidth.String(plain + detail)}
	if p := ns.Leader(); t.leaders && p != nil {
		l.tail = fmt.Sprintf("(%d) %s", p.PID, Escape(p.Command()))
	}
	return l
}

// processLine is "402 [2 1] sleep infinity": the PID, in brackets its PIDs
// in the nested namespaces, then the command. The first process of a
// container is labelled with it: "301 [1] (container nginx) nginx: ...".
func (t *textTree) processLine(p *scan.Process) line {
	plain := fmt.Sprint(p.PID)
	if len(p.NSpid) > 1 {
		plain += " " + fmt.Sprint(p.NSpid[1:])
	}
	if c := p.Container; c != nil {
		if parent := t.idx.Processes[p.PPID]; parent == nil || parent.Container == nil || parent.Container.ID != c.ID {
			plain += " (container " + Escape(c.Label()) + ")"
		}
	}
	return line{head: t.palette.Process(plain), headWidth: displaywidth.String(plain), tail: Escape(p.Command())}
}

// Plural is "1 ONE" or "N MANY".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// treeObjects turns the tree model into JSON objects: each namespace with
// the view's columns and "children" (the namespaces below it) and, in
// process trees, "processes" (nested by parentage, each with
// "children").
func treeObjects(roots []*treeNode, sel *filter.Selection, nsCols []Column[NSRow], procCols []Column[ProcRow]) []object {
	var namespace, process func(n *treeNode) object
	namespace = func(n *treeNode) object {
		o := rowObject(nsCols, NSRow{Index: sel.Index, Match: filter.Match{Namespace: n.ns, Members: n.ns.Procs}})
		kids := make([]object, len(n.children))
		for i, c := range n.children {
			kids[i] = namespace(c)
		}
		o = append(o, field{"children", kids})
		if sel.Kind.ProcessRows() {
			procs := make([]object, len(n.procs))
			for i, p := range n.procs {
				procs[i] = process(p)
			}
			o = append(o, field{"processes", procs})
		}
		return o
	}
	process = func(n *treeNode) object {
		kids := make([]object, len(n.children))
		for i, c := range n.children {
			kids[i] = process(c)
		}
		return append(rowObject(procCols, ProcRow{Index: sel.Index, Process: n.proc}), field{"children", kids})
	}
	list := make([]object, len(roots))
	for i, r := range roots {
		list[i] = namespace(r)
	}
	return list
}
