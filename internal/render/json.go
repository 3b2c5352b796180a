package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/scan"
)

// object is a JSON object whose keys keep the order they were added in, so
// that keys appear in column order as in lsns's JSON.
type object []field

type field struct {
	key   string
	value any // a scalar, []int, object or []object
}

// rowObject makes the JSON object of one row from its columns.
func rowObject[R any](cols []Column[R], r R) object {
	o := make(object, 0, len(cols)+2)
	for _, c := range cols {
		o = append(o, field{c.Key(), c.Value(r)})
	}
	return o
}

// rowObjects makes the JSON objects of rows.
func rowObjects[R any](cols []Column[R], rows []R) []object {
	list := make([]object, len(rows))
	for i, r := range rows {
		list[i] = rowObject(cols, r)
	}
	return list
}

// writeDocument writes {"namespaces": list} as indented JSON straight to
// w, without building the document in memory first (its objects are: all
// is known before anything is written).
func writeDocument(w io.Writer, list []object) error {
	jw := &jsonWriter{out: bufio.NewWriterSize(w, 64<<10)}
	jw.value(object{{"namespaces", list}}, "")
	jw.out.WriteByte('\n')
	if jw.err != nil {
		return jw.err
	}
	return jw.out.Flush()
}

// jsonWriter writes indented JSON; the first error sticks.
type jsonWriter struct {
	out     *bufio.Writer
	scratch bytes.Buffer
	err     error
}

func (jw *jsonWriter) value(v any, indent string) {
	inner := indent + "  "
	switch v := v.(type) {
	case object:
		jw.out.WriteByte('{')
		for i, f := range v {
			jw.separator(i, inner)
			jw.scalar(f.key)
			jw.out.WriteString(": ")
			jw.value(f.value, inner)
		}
		jw.close('}', len(v), indent)
	case cellObject:
		jw.value(v.json, indent)
	case []object:
		jw.out.WriteByte('[')
		for i, o := range v {
			jw.separator(i, inner)
			jw.value(o, inner)
		}
		jw.close(']', len(v), indent)
	case []int:
		jw.out.WriteByte('[')
		for i, n := range v {
			if i > 0 {
				jw.out.WriteString(", ")
			}
			fmt.Fprint(jw.out, n)
		}
		jw.out.WriteByte(']')
	default:
		jw.scalar(v)
	}
}

func (jw *jsonWriter) separator(i int, indent string) {
	if i > 0 {
		jw.out.WriteByte(',')
	}
	jw.out.WriteString("\n" + indent)
}

func (jw *jsonWriter) close(bracket byte, n int, indent string) {
	if n > 0 {
		jw.out.WriteString("\n" + indent)
	}
	jw.out.WriteByte(bracket)
}

// scalar writes a number, string, bool or null. Strings that are not valid
// UTF-8 get U+FFFD for each bad byte, so the document is always valid
// UTF-8, and format characters are escaped (see EscapeFormatRunes).
func (jw *jsonWriter) scalar(v any) {
	jw.scratch.Reset()
	enc := json.NewEncoder(&jw.scratch)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil && jw.err == nil {
		jw.err = err
	}
	jw.out.Write(EscapeFormatRunes(bytes.TrimSuffix(jw.scratch.Bytes(), []byte("\n"))))
}

// EscapeFormatRunes rewrites, in encoded JSON, the runes that encoding/json
// leaves raw but that reorder or hide text on a terminal (C1 controls,
// bidirectional overrides and other format characters) as \uXXXX escapes.
// They can only occur inside strings, which decode to the same text.
func EscapeFormatRunes(doc []byte) []byte {
	if isPlain(string(doc)) || !bytes.ContainsFunc(doc, unsafeRune) {
		return doc
	}
	var out strings.Builder
	for _, r := range string(doc) {
		if !unsafeRune(r) {
			out.WriteRune(r)
			continue
		}
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			fmt.Fprintf(&out, `\u%04x\u%04x`, r1, r2)
		} else {
			fmt.Fprintf(&out, `\u%04x`, r)
		}
	}
	return []byte(out.String())
}

// namespaceJSON writes the namespaces as {"namespaces":[...]}, one object
// per row with a key per column. When procCols is not nil, each object also
// has "processes": the row's members with a key per process column.
func namespaceJSON(w io.Writer, rows []NSRow, cols []Column[NSRow], procCols []Column[ProcRow]) error {
	list := make([]object, len(rows))
	for i, r := range rows {
		list[i] = namespaceObject(r, cols, procCols)
	}
	return writeDocument(w, list)
}

// namespaceObject is the object of one row in namespaceJSON.
func namespaceObject(r NSRow, cols []Column[NSRow], procCols []Column[ProcRow]) object {
	o := rowObject(cols, r)
	if procCols == nil {
		return o
	}
	procs := make([]object, len(r.Members))
	for j, p := range r.Members {
		procs[j] = rowObject(procCols, ProcRow{Index: r.Index, Process: p})
	}
	return append(o, field{"processes", procs})
}

// NamespaceObject returns, on one line, the object that the view's JSON
// prints for the match m of idx: the namespace in nsview --watch's events.
func (v *View) NamespaceObject(idx *scan.Index, m filter.Match) ([]byte, error) {
	var indented, line bytes.Buffer
	jw := &jsonWriter{out: bufio.NewWriter(&indented)}
	jw.value(namespaceObject(NSRow{Index: idx, Match: m}, v.nsCols, v.procCols), "")
	if jw.err != nil {
		return nil, jw.err
	}
	if err := jw.out.Flush(); err != nil {
		return nil, err
	}
	if err := json.Compact(&line, indented.Bytes()); err != nil {
		return nil, fmt.Errorf("nsview's own JSON: %w", err)
	}
	return line.Bytes(), nil
}
