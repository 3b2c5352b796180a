package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// object is a JSON object whose keys keep the order they were added in, so
// that keys appear in column order as in lsns's JSON.
type object []field

type field struct {
	key   string
	value any
}

// MarshalJSON implements json.Marshaler.
func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := encode(&buf, f.key); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := encode(&buf, f.value); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// encode appends v as compact JSON. Strings that are not valid UTF-8 get
// U+FFFD for each bad byte, so the document is always valid UTF-8.
func encode(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	return nil
}

// rowObject makes the JSON object of one row from its columns.
func rowObject[R any](cols []Column[R], r R) object {
	o := make(object, 0, len(cols)+1)
	for _, c := range cols {
		v := c.Value(r)
		if list, ok := v.([]int); ok && list == nil {
			v = []int{}
		}
		o = append(o, field{c.Key(), v})
	}
	return o
}

// writeDocument writes {"namespaces": list} as indented JSON.
func writeDocument(w io.Writer, list []object) error {
	if list == nil {
		list = []object{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(object{{"namespaces", list}}); err != nil {
		return err
	}
	_, err := w.Write(escapeFormatRunes(buf.Bytes()))
	return err
}

// escapeFormatRunes rewrites, in encoded JSON, the runes that encoding/json
// leaves raw but that reorder or hide text on a terminal (C1 controls,
// bidirectional overrides and other format characters) as \uXXXX escapes.
// They can only occur inside strings, which decode to the same text.
func escapeFormatRunes(doc []byte) []byte {
	if isPlain(string(doc)) || !bytes.ContainsFunc(doc, unsafeRune) {
		return doc
	}
	out := make([]byte, 0, len(doc)+64)
	for _, r := range string(doc) {
		if !unsafeRune(r) {
			out = utf8.AppendRune(out, r)
			continue
		}
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
	}
	return out
}

// NamespaceJSON writes the namespaces as {"namespaces":[...]}, one object
// per row with a key per column. When procCols is not nil, each object also
// has "processes": the row's members with a key per process column.
func NamespaceJSON(w io.Writer, rows []NSRow, cols []Column[NSRow], procCols []Column[ProcRow]) error {
	list := make([]object, len(rows))
	for i, r := range rows {
		list[i] = rowObject(cols, r)
		if procCols != nil {
			procs := make([]object, len(r.Members))
			for j, p := range r.Members {
				procs[j] = rowObject(procCols, ProcRow{r.Index, p})
			}
			list[i] = append(list[i], field{"processes", procs})
		}
	}
	return writeDocument(w, list)
}
