package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nsview/nsview/internal/render"
	"github.com/nsview/nsview/internal/scan"
)

// everything is every need a view may have: a snapshot must serve them all.
const everything = scan.NeedMembers | scan.NeedStat | scan.NeedHierarchy | scan.NeedNetNSID | scan.NeedContainers |
	scan.NeedCmdline | scan.NeedCgroup | scan.NeedNSpid

// ScanOptions are the options of a scan of root for a snapshot: all of
// what any view reads.
func ScanOptions(root string) scan.Options {
	return scan.OptionsFor(root, nil, 0, everything)
}

// Take scans with opts (see ScanOptions) and describes every process.
func Take(opts scan.Options) (*scan.Index, error) {
	idx, err := scan.Scan(opts)
	if err != nil {
		return nil, err
	}
	procs := make([]*scan.Process, 0, len(idx.Processes))
	for _, p := range idx.Processes {
		procs = append(procs, p)
	}
	idx.Describe(procs, everything.Details())
	return idx, nil
}

// LocalMeta is this machine's Meta now: its host name (or host, when not
// empty) and kernel release.
func LocalMeta(host string) (Meta, error) {
	if host == "" {
		var err error
		if host, err = os.Hostname(); err != nil {
			return Meta{}, fmt.Errorf("host name: %w", err)
		}
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return Meta{}, fmt.Errorf("kernel release: %w", err)
	}
	return Meta{Host: host, Time: time.Now().UTC().Truncate(time.Second), Kernel: unix.ByteSliceToString(uts.Release[:])}, nil
}

// Write writes doc as JSON with a line for each namespace and process,
// so that line tools (grep, diff) work on it. Runes that could reorder or
// hide text on a terminal are escaped (as \uXXXX, which decodes to the
// same text), so that printing a snapshot is as safe as printing nsview's
// --json.
func Write(w io.Writer, doc *Document) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc.Header); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - len("}\n"))
	buf.WriteString(",\n\"namespaces\": [")
	if err := writeLines(&buf, enc, doc.Namespaces); err != nil {
		return err
	}
	buf.WriteString("],\n\"processes\": [")
	if err := writeLines(&buf, enc, doc.Processes); err != nil {
		return err
	}
	buf.WriteString("]}\n")
	_, err := w.Write(render.EscapeFormatRunes(buf.Bytes()))
	return err
}

// writeLines encodes each item on a line of its own, separated by commas.
func writeLines[T any](buf *bytes.Buffer, enc *json.Encoder, items []T) error {
	for i, item := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
		if err := enc.Encode(item); err != nil {
			return err
		}
		buf.Truncate(buf.Len() - 1) // the encoder's newline
	}
	if len(items) > 0 {
		buf.WriteByte('\n')
	}
	return nil
}
