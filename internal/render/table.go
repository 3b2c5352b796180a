package render

import (
	"bytes"
	"io"
	"slices"

	"github.com/clipperhouse/displaywidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
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
// columns, numbers right-aligned, no trailing blanks.
func writeTable[R any](w io.Writer, cols []Column[R], rows []R, opts tableOptions) error {
	aligns := make([]tw.Align, len(cols))
	header := make([]string, len(cols))
	padding := make([]tw.Padding, len(cols))
	for i, c := range cols {
		aligns[i] = tw.AlignLeft
		if c.right() {
			aligns[i] = tw.AlignRight
		}
		header[i] = opts.Palette.Header(c.Name)
		padding[i] = tw.Padding{Right: " ", Overwrite: true}
	}
	padding[len(cols)-1] = tw.PaddingNone
	cell := tw.CellConfig{
		Formatting: tw.CellFormatting{AutoFormat: tw.Off, AutoWrap: tw.WrapNone},
		Alignment:  tw.CellAlignment{PerColumn: aligns},
		Padding:    tw.CellPadding{Global: tw.Padding{Right: " ", Overwrite: true}, PerColumn: padding},
	}
	var buf bytes.Buffer
	table := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off, ShowHeader: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off, ShowTop: tw.Off, ShowBottom: tw.Off},
			},
		})),
		tablewriter.WithConfig(tablewriter.Config{Header: cell, Row: cell}),
		tablewriter.WithTrimSpace(tw.Off),
	)
	if !opts.NoHeadings {
		table.Header(header)
	}
	cells := cellTexts(cols, rows, opts.Width)
	for i, r := range rows {
		line := cells[i]
		for j, c := range cols {
			if c.Style != nil {
				line[j] = c.Style(opts.Palette, r, line[j])
			}
		}
		if err := table.Append(line); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	return writeTrimmed(w, buf.Bytes())
}

// cellTexts formats every cell, escaped, and cuts cells so that a line
// fits width (see fitWidths). Widths are counted in terminal cells, so
// that a wide (CJK) character counts twice.
func cellTexts[R any](cols []Column[R], rows []R, width int) [][]string {
	cells := make([][]string, len(rows))
	widths := make([]int, len(cols))
	for j, c := range cols {
		widths[j] = len(c.Name)
	}
	for i, r := range rows {
		cells[i] = make([]string, len(cols))
		for j, c := range cols {
			text := cellText(c.Value(r))
			cells[i][j] = text
			widths[j] = max(widths[j], displaywidth.String(text))
		}
	}
	if width <= 0 {
		return cells
	}
	fitted := fitWidths(slices.Clone(widths), width)
	for j := range cols {
		if fitted[j] == widths[j] {
			continue
		}
		for i := range cells {
			cells[i][j] = Truncate(cells[i][j], fitted[j])
		}
	}
	return cells
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

// writeTrimmed writes text with the blanks at the end of each line removed.
func writeTrimmed(w io.Writer, text []byte) error {
	var out bytes.Buffer
	for line := range bytes.Lines(text) {
		out.Write(bytes.TrimRight(line, " \n"))
		out.WriteByte('\n')
	}
	_, err := w.Write(out.Bytes())
	return err
}
