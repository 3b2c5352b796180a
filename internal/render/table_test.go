package render

import (
	"bytes"
	"strings"
	"testing"
)

// tableColumns are two columns over rows of strings: a left-aligned NAME
// and a right-aligned (integer) N.
var tableColumns = []Column[[2]string]{
	{Name: "NAME", Type: "string", Value: func(r [2]string) any { return r[0] }},
	{Name: "N", Type: "integer", Value: func(r [2]string) any { return r[1] }},
}

// TestWriteTableLayout checks the layout rules on tables whose expected
// text is written out by hand: columns as wide as their widest cell (and
// heading, when shown), one space apart, numbers right-aligned, no blanks
// at the end of a line, and a cut column as wide as what was left of its
// cells.
func TestWriteTableLayout(t *testing.T) {
	for _, tt := range []struct {
		name string
		rows [][2]string
		opts tableOptions
		want string
	}{
		{
			name: "headings",
			rows: [][2]string{{"net", "1"}, {"mnt", "12"}},
			want: "NAME  N\n" +
				"net   1\n" +
				"mnt  12\n",
		},
		{
			name: "no headings: the cells alone set the widths",
			rows: [][2]string{{"net", "1"}, {"mnt", "12"}},
			opts: tableOptions{NoHeadings: true},
			want: "net  1\n" +
				"mnt 12\n",
		},
		{
			name: "trailing blanks of a cell's own text go too",
			rows: [][2]string{{"a  ", "3"}},
			opts: tableOptions{NoHeadings: true},
			want: "a   3\n",
		},
		{
			// Cut to 16 cells, the wide characters leave 15: 7 of them
			// and the ellipsis.
			name: "a column cut short by a wide character",
			rows: [][2]string{{strings.Repeat("日", 12), "1"}},
			opts: tableOptions{Width: 18},
			want: "NAME            N\n" +
				"日日日日日日日… 1\n",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := writeTable(&out, tableColumns, tt.rows, tt.opts); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got\n%q\nwant\n%q", out.String(), tt.want)
			}
		})
	}
}
