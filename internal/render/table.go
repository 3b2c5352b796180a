package render

import (
	"bytes"
	"io"

	"github.com/clipperhouse/displaywidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// tableOptions control how a table looks.
type tableOptions struct {
	NoHeadings bool
	Palette    Palette
	// Width cuts any cell longer than this many characters, with an
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

// cellTexts formats every cell, escaped, and cuts them to fit width: the
// last column to the room the others leave on the line (at least 16
// cells), the others to the whole width. Widths are counted in terminal
// cells, so that a wide (CJK) character counts twice.
func cellTexts[R any](cols []Column[R], rows []R, width int) [][]string {
	cells := make([][]string, len(rows))
	widths := make([]int, len(cols))
	for j, c := range cols {
		widths[j] = len(c.Name)
	}
	for i, r := range rows {
		cells[i] = make([]string, len(cols))
		for j, c := range cols {
			text := Truncate(cellText(c.Value(r)), width)
			cells[i][j] = text
			widths[j] = max(widths[j], displaywidth.String(text))
		}
	}
	if width <= 0 {
		return cells
	}
	room := width
	for _, w := range widths[:len(cols)-1] {
		room -= w + 1
	}
	last := len(cols) - 1
	for i := range cells {
		cells[i][last] = Truncate(cells[i][last], max(room, 16))
	}
	return cells
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
