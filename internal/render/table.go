package render

import (
	"bytes"
	"io"
	"slices"

	"github.com/clipperhouse/displaywidth"
)

// tableOptions control how a table looks.
type tableOptions struct {
	NoHeadings bool
	Raw        bool // see writeRaw
	Palette    Palette
	// Width is the terminal width (cells) lines are cut to fit, with an
	// ellipsis; 0 means no limit.
	Width int
}

// writeTable draws rows in lsns's style: no borders, one space between
// columns, numbers right-aligned, no trailing blanks. It writes nothing
// until every line is ready.
//
// The lines are laid out here rather than by tablewriter: cellTexts has
// already measured and cut every cell, and all that is left is padding,
// for which tablewriter v1.1.5 took 18 times as long and 17 times the
// memory (BenchmarkTable: 10.1 ms and 5.1 MB against 0.55 ms and 0.3 MB).
func writeTable[R any](w io.Writer, cols []Column[R], rows []R, opts tableOptions) error {
	headings := make([]cell, len(cols))
	right := make([]bool, len(cols))
	for j, c := range cols {
		headings[j] = cell{c.Name, displaywidth.String(c.Name)}
		right[j] = c.right()
	}
	cells, widths := cellTexts(cols, rows, headings, opts.Width)
	if !opts.NoHeadings {
		for j, h := range headings {
			widths[j] = max(widths[j], h.width)
		}
	}
	var out bytes.Buffer
	lineWidth := len(cols)
	for _, w := range widths {
		lineWidth += w
	}
	out.Grow((len(rows) + 1) * lineWidth)
	styled := make([]string, len(cols))
	if !opts.NoHeadings {
		for j, h := range headings {
			styled[j] = opts.Palette.Header(h.text)
		}
		writeLine(&out, styled, headings, widths, right)
	}
	for i, r := range rows {
		for j, c := range cols {
			styled[j] = cells[i][j].text
			if c.Style != nil {
				styled[j] = c.Style(opts.Palette, r, cells[i][j].text)
			}
		}
		writeLine(&out, styled, cells[i], widths, right)
	}
	_, err := w.Write(out.Bytes())
	return err
}

// cell is the text of a table cell, escaped and cut to fit, and its width
// in terminal cells.
type cell struct {
	text  string
	width int
}

// writeLine appends one line of a table: each cell padded to its column's
// width (by plain's widths, those of the cells' text without colour), one
// space between columns and none at the end of the line.
func writeLine(out *bytes.Buffer, styled []string, plain []cell, widths []int, right []bool) {
	start := out.Len()
	last := len(styled) - 1
	for j, text := range styled {
		pad := widths[j] - plain[j].width
		if right[j] {
			writeBlanks(out, pad)
		}
		out.WriteString(text)
		if j < last {
			if !right[j] {
				writeBlanks(out, pad)
			}
			out.WriteByte(' ')
		}
	}
	trimmed := bytes.TrimRight(out.Bytes()[start:], " ")
	out.Truncate(start + len(trimmed))
	out.WriteByte('\n')
}

// blanks is what writeBlanks copies from.
const blanks = "                                                                "

// writeBlanks appends n spaces.
func writeBlanks(out *bytes.Buffer, n int) {
	for n > 0 {
		k := min(n, len(blanks))
		out.WriteString(blanks[:k])
		n -= k
	}
}

// cellTexts formats every cell, escaped, and cuts cells so that a line
// fits width (see fitWidths; the headings count there, so that they fit
// too). Widths are counted in terminal cells, so that a wide (CJK)
// character counts twice. It returns the cells and the width of each
// column's widest cell as cut, which may fall one short of the width it
// was cut to where a wide character did not fit.
func cellTexts[R any](cols []Column[R], rows []R, headings []cell, width int) ([][]cell, []int) {
	cells := make([][]cell, len(rows))
	widths := make([]int, len(cols))
	for i, r := range rows {
		cells[i] = make([]cell, len(cols))
		for j, c := range cols {
			text := Escape(valueText(c.Value(r)))
			cells[i][j] = cell{text, displaywidth.String(text)}
			widths[j] = max(widths[j], cells[i][j].width)
		}
	}
	if width <= 0 {
		return cells, widths
	}
	withHeadings := make([]int, len(cols))
	for j, h := range headings {
		withHeadings[j] = max(widths[j], h.width)
	}
	fitted := fitWidths(slices.Clone(withHeadings), width)
	for j := range cols {
		if fitted[j] == withHeadings[j] {
			continue
		}
		widths[j] = 0
		for i := range cells {
			text := Truncate(cells[i][j].text, fitted[j])
			cells[i][j] = cell{text, displaywidth.String(text)}
			widths[j] = max(widths[j], cells[i][j].width)
		}
	}
	return cells, widths
}

// minCutWidth is the narrowest that fitWidths cuts a column to.
const minCutWidth = 16

// fitWidths narrows columns until a line of them, one space apart, fits
// width: always the widest column, down to the next widest (one cell at a
// time while several are widest) or to what fits, but never below
// minCutWidth. A line of many narrow columns may so stay wider than width.
func fitWidths(widths []int, width int) []int {
	for {
		total := len(widths) - 1
		widest, next := 0, 0
		for j, w := range widths {
			total += w
			if w > widths[widest] {
				widest = j
			}
		}
		for j, w := range widths {
			if j != widest {
				next = max(next, w)
			}
		}
		over := total - width
		if over <= 0 || widths[widest] <= minCutWidth {
			return widths
		}
		cut := max(widths[widest]-over, next, minCutWidth)
		if cut == widths[widest] { // tied with another widest column
			cut--
		}
		widths[widest] = cut
	}
}
