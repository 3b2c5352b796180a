package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/kerneltest"
)

// TestLsnsParity runs a matrix of lsns option sets through the installed
// lsns (util-linux 2.38.1 here) and through nsview on the live host, and
// checks that both print the same rows, blanks aside. lsns nests rows in
// a tree (in COMMAND, or "children" in JSON) where nsview prints them flat,
// so rows are compared as sorted sets with the tree glyphs removed. Rows
// lsns 2.38 cannot list (namespaces without processes, NPROCS 0) are left
// out of nsview's, and where nsview has columns lsns lacks only the
// common ones are compared. Processes start and exit while the two run
// (other tests share the machine), so each case is retried until both
// agree.
func TestLsnsParity(t *testing.T) {
	sb := startSandbox(t, containerFlags)
	if _, err := exec.LookPath("lsns"); err != nil {
		kerneltest.Require(t, "lsns is not installed")
	}
	bin := buildBinary(t) // a process of its own, as lsns is: both count themselves
	pidns := strconv.FormatUint(nsInode(t, sb.Init, "pid"), 10)
	child := strconv.Itoa(sb.Child)
	cases := []struct {
		args   []string
		format string   // table, raw or json
		cols   []string // the columns of a raw output without headings
	}{
		{nil, "table", nil},
		{[]string{"-t", "net"}, "table", nil},
		{[]string{"-t", "pid", "-o", "NS,TYPE,NPROCS"}, "table", nil},
		{[]string{"-o", "+PPID"}, "table", nil},
		{[]string{"-l"}, "table", nil},
		{[]string{"-u"}, "table", nil},
		{[]string{"-W"}, "table", nil},
		{[]string{"-p", child}, "table", nil},
		{[]string{"-p", child, "-t", "net"}, "table", nil},
		{[]string{"--task", child, "-t", "pid", "-l"}, "table", nil},
		{[]string{pidns}, "table", nil},
		{[]string{pidns, "-l"}, "table", nil},
		{[]string{"-r"}, "raw", nil},
		{[]string{"-nr"}, "raw", []string{"NS", "TYPE", "NPROCS", "PID", "USER", "COMMAND"}},
		{[]string{"-n", "-r", "-o", "NS,TYPE"}, "raw", []string{"NS", "TYPE"}},
		{[]string{"--output-all", "-r"}, "raw", nil},
		{[]string{"-r", "-t", "net"}, "raw", nil},
		{[]string{"-r", pidns}, "raw", nil},
		{[]string{"-J"}, "json", nil},
		{[]string{"-Jn"}, "json", nil},
		{[]string{"-Jt", "net"}, "json", nil},
		{[]string{"-J", "-l", "--output-all"}, "json", nil},
		{[]string{"-J", pidns}, "json", nil},
	}
	for _, tc := range cases {
		t.Run(strings.Join(append([]string{"lsns"}, tc.args...), " "), func(t *testing.T) {
			var want, got []string
			var failed error
			for attempt := 0; attempt < 30; attempt++ {
				empty := emptyNamespaces(t)
				ours, err := exec.Command(bin, tc.args...).Output()
				if err != nil {
					t.Fatalf("nsview %v: %v", tc.args, err)
				}
				// lsns 2.38 fails when a process exits mid-scan: try again.
				theirs, err := exec.Command("lsns", tc.args...).Output()
				if failed = err; err != nil {
					continue
				}
				lsnsRows := parityRows(t, string(theirs), tc.format, tc.cols, nil)
				keys := commonKeys(lsnsRows)
				want, got = rowKeys(lsnsRows, keys), rowKeys(parityRows(t, string(ours), tc.format, tc.cols, empty), keys)
				if len(want) > 0 && slices.Equal(want, got) {
					return
				}
			}
			if failed != nil {
				t.Fatalf("lsns %v failed 30 times, last: %v", tc.args, failed)
			}
			t.Errorf("rows differ after 30 attempts (- lsns only, + nsview only):\n%s", rowDiff(want, got))
		})
	}
}

// withoutOwnColumns cuts from nsview's table lines the columns it adds
// after lsns's (INITIAL, CONTAINER, POD), at the heading's offset of the
// first of them.
func withoutOwnColumns(lines []string) []string {
	cut := -1
	for _, name := range []string{" INITIAL", " CONTAINER", " POD"} {
		if i := strings.Index(lines[0], name); i >= 0 && (cut < 0 || i < cut) {
			cut = i
		}
	}
	if cut < 0 {
		return lines
	}
	out := make([]string, len(lines))
	for i, line := range lines {
		runes := []rune(line)
		out[i] = string(runes[:min(cut, len(runes))])
	}
	return out
}

// emptyNamespaces are the inodes of the namespaces nsview lists without
// processes, which lsns 2.38 does not list.
func emptyNamespaces(t *testing.T) map[string]bool {
	empty := map[string]bool{}
	for _, line := range strings.Split(nsview(t, "-nr", "-o", "NS,NPROCS"), "\n") {
		if ns, n, ok := strings.Cut(line, " "); ok && n == "0" {
			empty[ns] = true
		}
	}
	return empty
}

// parityRows turns an output into rows: table lines with blanks collapsed
// and tree glyphs removed (key "line"); raw and JSON rows by column.
// Rows whose NS is in skip are left out.
func parityRows(t *testing.T, out, format string, cols []string, skip map[string]bool) []map[string]string {
	t.Helper()
	var rows []map[string]string
	switch format {
	case "table":
		lines := strings.Split(out, "\n")
		if skip != nil {
			lines = withoutOwnColumns(lines)
		}
		for _, line := range lines {
			fields := strings.Fields(strings.Map(dropTreeGlyph, line))
			if len(fields) > 0 && !skip[fields[0]] {
				rows = append(rows, map[string]string{"line": strings.Join(fields, " ")})
			}
		}
	case "raw":
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if cols == nil {
			cols, lines = strings.Split(lines[0], " "), lines[1:]
		}
		for _, line := range lines {
			cells := strings.Split(line, " ")
			row := map[string]string{}
			for i, c := range cols {
				if i < len(cells) {
					row[strings.ToLower(c)] = stripRawTree(cells[i])
				}
			}
			if !skip[row["ns"]] {
				rows = append(rows, row)
			}
		}
	case "json":
		var doc struct{ Namespaces []map[string]any }
		dec := json.NewDecoder(strings.NewReader(out))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("bad JSON %v in\n%s", err, out)
		}
		for _, o := range flattenChildren(doc.Namespaces) {
			row := map[string]string{}
			for k, v := range o {
				row[k] = fmt.Sprint(v)
			}
			if !skip[row["ns"]] {
				rows = append(rows, row)
			}
		}
	}
	return rows
}

// commonKeys are the columns lsns printed, sorted: nsview's others (LEVEL,
// OUID, and every column in its JSON) are not compared.
func commonKeys(rows []map[string]string) []string {
	var keys []string
	if len(rows) > 0 {
		for k := range rows[0] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// rowKeys writes each row's cells of keys as one sorted line per row.
func rowKeys(rows []map[string]string, keys []string) []string {
	lines := make([]string, len(rows))
	for i, row := range rows {
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "%s=%s ", k, row[k])
		}
		lines[i] = b.String()
	}
	slices.Sort(lines)
	return lines
}

// flattenChildren lists the objects of a JSON tree, each without its
// "children".
func flattenChildren(list []map[string]any) []map[string]any {
	var flat []map[string]any
	for _, o := range list {
		children, _ := o["children"].([]any)
		delete(o, "children")
		flat = append(flat, o)
		for _, c := range children {
			if m, ok := c.(map[string]any); ok {
				flat = append(flat, flattenChildren([]map[string]any{m})...)
			}
		}
	}
	return flat
}

// rawTreePrefixes are the tree glyphs (├ └ │ ─) and indent of a raw cell.
var rawTreePrefixes = []string{`\xe2\x94\x9c`, `\xe2\x94\x94`, `\xe2\x94\x82`, `\xe2\x94\x80`, `\x20`}

// stripRawTree removes the tree lsns draws at the start of a raw cell.
func stripRawTree(cell string) string {
	for {
		trimmed := cell
		for _, p := range rawTreePrefixes {
			trimmed = strings.TrimPrefix(trimmed, p)
		}
		if trimmed == cell {
			return cell
		}
		cell = trimmed
	}
}

// dropTreeGlyph blanks the glyphs libsmartcols draws trees with.
func dropTreeGlyph(r rune) rune {
	if strings.ContainsRune("├└│─", r) {
		return ' '
	}
	return r
}

// rowDiff lists the rows only one side has.
func rowDiff(want, got []string) string {
	var b bytes.Buffer
	for _, w := range want {
		if !slices.Contains(got, w) {
			fmt.Fprintf(&b, "- %s\n", w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			fmt.Fprintf(&b, "+ %s\n", g)
		}
	}
	return b.String()
}
