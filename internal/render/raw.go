package render

import (
	"bufio"
	"io"
	"strings"
)

// writeRaw prints rows in libsmartcols's raw format (lsns -r): a line per
// row, cells separated by one space, no alignment, no colour, nothing cut
// to the terminal, and each cell escaped by RawEscape so that `read` and
// awk split lines into exactly the columns. An empty cell is empty: two
// separators in a row.
func writeRaw[R any](w io.Writer, cols []Column[R], rows []R, noHeadings bool) error {
	out := bufio.NewWriter(w)
	cells := make([]string, len(cols))
	if !noHeadings {
		for j, c := range cols {
			cells[j] = RawEscape(c.Name)
		}
		writeRawLine(out, cells)
	}
	for _, r := range rows {
		for j, c := range cols {
			cells[j] = RawEscape(valueText(c.Value(r)))
		}
		writeRawLine(out, cells)
	}
	return out.Flush()
}

func writeRawLine(out *bufio.Writer, cells []string) {
	out.WriteString(strings.Join(cells, " "))
	out.WriteByte('\n')
}

// RawEscape escapes a cell for the raw format as libsmartcols does
// (fputs_nonblank): each byte that is a blank (space, tab), a backslash, a
// control character or not printable ASCII (every byte of a multibyte
// UTF-8 character too) becomes \xNN with lower-case hex digits; the rest
// is kept.
func RawEscape(s string) string {
	if !needsRawEscape(s) {
		return s
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; rawUnsafe(c) {
			b.WriteString(`\x`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func needsRawEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if rawUnsafe(s[i]) {
			return true
		}
	}
	return false
}

// rawUnsafe reports whether libsmartcols's raw format escapes byte c:
// it is not a graphic ASCII character, or it is a backslash.
func rawUnsafe(c byte) bool { return c <= ' ' || c >= 0x7f || c == '\\' }
