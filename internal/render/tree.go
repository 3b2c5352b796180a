package render

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/scan"
)

// treeNode is one line of a tree and the lines below it. The head is
// coloured and never cut; the tail (a command line, escaped) is cut to fit
// the width left on the line.
type treeNode struct {
	head     string
	headLen  int // visible width of head
	tail     string
	children []*treeNode
}

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

// writeTree draws the nodes with their branches, streaming them to w
// through a buffer (the nodes are complete before the first line goes out).
func writeTree(w io.Writer, roots []*treeNode, g glyphs, width int) error {
	buf := bufio.NewWriterSize(w, 64<<10)
	var draw func(n *treeNode, prefix, childPrefix string)
	draw = func(n *treeNode, prefix, childPrefix string) {
		buf.WriteString(prefix)
		buf.WriteString(n.head)
		if n.tail != "" {
			room := 0 // no limit
			if width > 0 {
				room = max(width-utf8.RuneCountInString(prefix)-n.headLen-1, 8)
			}
			buf.WriteByte(' ')
			buf.WriteString(Truncate(n.tail, room))
		}
		buf.WriteByte('\n')
		for i, c := range n.children {
			if i == len(n.children)-1 {
				draw(c, childPrefix+g.last, childPrefix+g.space)
			} else {
				draw(c, childPrefix+g.branch, childPrefix+g.pipe)
			}
		}
	}
	for _, r := range roots {
		draw(r, "", "")
	}
	return buf.Flush()
}

// treeBuilder turns a filtered index into the PID tree or the ownership
// tree. It knows which namespaces and processes to show: the matches, and
// around them the ancestors that give them context.
type treeBuilder struct {
	idx      *scan.Index
	palette  Palette
	nsCols   []Column[NSRow]   // keys of namespace objects in JSON
	procCols []Column[ProcRow] // keys of process objects in JSON
	showNS   map[*scan.Namespace]bool
	showProc map[*scan.Process]bool
	children map[int][]*scan.Process // shown processes by parent PID
}

// newTreeBuilder selects what to show: the matched namespaces and members,
// their ancestor namespaces (parents, and owners when owners is set), and,
// when ancestors is set, each member's chain of parent processes.
func newTreeBuilder(idx *scan.Index, matches []filter.Match, p Palette, owners, ancestors bool) *treeBuilder {
	b := &treeBuilder{idx: idx, palette: p, showNS: map[*scan.Namespace]bool{},
		showProc: map[*scan.Process]bool{}, children: map[int][]*scan.Process{}}
	for _, m := range matches {
		b.showWithAncestors(m.Namespace, owners)
		for _, p := range m.Members {
			b.showProc[p] = true
			for q := idx.Processes[p.PPID]; ancestors && q != nil && !b.showProc[q]; q = idx.Processes[q.PPID] {
				b.showProc[q] = true
			}
		}
	}
	for p := range b.showProc {
		if ancestors {
			b.showWithAncestors(idx.Lookup(scan.PID, p.NS[scan.PID]), false)
		}
		b.children[p.PPID] = append(b.children[p.PPID], p)
	}
	for _, kids := range b.children {
		slices.SortFunc(kids, func(a, b *scan.Process) int { return a.PID - b.PID })
	}
	return b
}

// showWithAncestors marks ns, its parents and, with owners, the user
// namespaces that own any of them.
func (b *treeBuilder) showWithAncestors(ns *scan.Namespace, owners bool) {
	for ns != nil && !b.showNS[ns] {
		b.showNS[ns] = true
		if owners && ns.Type != scan.User {
			b.showWithAncestors(b.idx.Lookup(scan.User, ns.Owner), true)
		}
		ns = b.idx.Lookup(ns.Type, ns.Parent)
	}
}

// shownNamespaces lists the shown namespaces of type t in index order.
func (b *treeBuilder) shownNamespaces(t scan.Type) []*scan.Namespace {
	var list []*scan.Namespace
	for _, ns := range b.idx.Namespaces {
		if ns.Type == t && b.showNS[ns] {
			list = append(list, ns)
		}
	}
	return list
}

// topLevel reports whether ns has no shown parent of its own type.
func (b *treeBuilder) topLevel(ns *scan.Namespace) bool {
	parent := b.idx.Lookup(ns.Type, ns.Parent)
	return parent == nil || !b.showNS[parent]
}

// nsHead is a namespace's line: "pid:[4026532300] level 1, 2 processes".
func (b *treeBuilder) nsHead(ns *scan.Namespace) (string, int) {
	plain := fmt.Sprintf("%s:[%d]", ns.Type, ns.Inode)
	text := b.palette.Type(ns.Type.String(), ns.Type.String()) + ":[" +
		b.palette.Namespace(b.idx.IsInitial(ns), fmt.Sprint(ns.Inode)) + "]"
	var facts []string
	if ns.Level >= 0 {
		facts = append(facts, fmt.Sprintf("level %d", ns.Level))
	}
	if ns.OwnerUID >= 0 {
		facts = append(facts, fmt.Sprintf("owner %s", b.idx.UserName(uint32(ns.OwnerUID))))
	}
	facts = append(facts, plural(len(ns.Procs), "process", "processes"))
	detail := " " + strings.Join(facts, ", ")
	return text + detail, utf8.RuneCountInString(plain + detail)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// procNode is a process's line: "402 [2 1] sleep infinity", the host PID
// and in brackets its PIDs in the nested namespaces, then the command.
func (b *treeBuilder) procNode(p *scan.Process) *treeNode {
	plain := fmt.Sprint(p.PID)
	if len(p.NSpid) > 1 {
		plain += " " + fmt.Sprint(p.NSpid[1:])
	}
	return &treeNode{head: b.palette.Process(plain), headLen: utf8.RuneCountInString(plain), tail: Escape(p.Command())}
}
