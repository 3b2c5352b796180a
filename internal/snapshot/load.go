package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/nsview/nsview/internal/scan"
)

// Limits of a Loader that sets none. A snapshot takes about 400 bytes a
// process (BenchmarkLoad): 64 MiB is some 150,000 processes, and decoding
// it takes a few hundred MiB of memory, which a hostile server may ask for
// but no more.
const (
	DefaultMaxBytes = 64 << 20
	DefaultTimeout  = 30 * time.Second
)

// Stdin is the source that names standard input.
const Stdin = "-"

// Host is one snapshot read back: where and when it was taken, and its
// scan rebuilt.
type Host struct {
	Source string // the file, "-" or URL it came from
	Meta
	// Index renders like a live scan's, but its processes are described
	// already: do not call Describe on it.
	Index *scan.Index
}

// Loader reads snapshots. Its zero value uses the defaults.
type Loader struct {
	MaxBytes int64         // largest document read; 0: DefaultMaxBytes
	Timeout  time.Duration // for each URL, from request to last byte; 0: DefaultTimeout
	Stdin    io.Reader     // what "-" reads; nil: os.Stdin
}

// Load reads the snapshots at sources (see Loader.Load) with the default
// limits.
func Load(ctx context.Context, sources []string) ([]*Host, error) {
	return Loader{}.Load(ctx, sources)
}

// Load reads each source, a file, "-" for standard input or an http(s)
// URL, and returns its snapshot, in order. Each host may appear once:
// namespaces of different hosts with the same inode are different
// namespaces, and rows of several hosts are told apart by host. The error,
// one line, names the source and what is wrong: unreadable, too large,
// truncated or malformed JSON, a newer version, or data no scan produces.
func (l Loader) Load(ctx context.Context, sources []string) ([]*Host, error) {
	if len(sources) == 0 {
		return nil, errors.New("no snapshot given")
	}
	if i := slices.Index(sources, Stdin); i >= 0 && slices.Contains(sources[i+1:], Stdin) {
		return nil, errors.New("standard input (-) given twice")
	}
	hosts := make([]*Host, 0, len(sources))
	seen := map[string]string{} // host -> source
	for _, src := range sources {
		h, err := l.LoadOne(ctx, src)
		if err != nil {
			return nil, err
		}
		if prev, ok := seen[h.Host]; ok {
			return nil, fmt.Errorf("%s and %s are both snapshots of host %q: give one snapshot per host (nsview diff compares two)", prev, src, h.Host)
		}
		seen[h.Host] = src
		hosts = append(hosts, h)
	}
	return hosts, nil
}

// LoadOne reads the snapshot at one source; see Load.
func (l Loader) LoadOne(ctx context.Context, source string) (*Host, error) {
	data, err := l.read(ctx, source)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	doc, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	idx, err := doc.Index()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return &Host{Source: source, Meta: Meta{Host: doc.Host, Time: doc.Time, Kernel: doc.Kernel}, Index: idx}, nil
}

// errTooLarge is wrapped when a document exceeds Loader.MaxBytes.
var errTooLarge = errors.New("snapshot too large")

// read returns the bytes of source, at most MaxBytes.
func (l Loader) read(ctx context.Context, source string) ([]byte, error) {
	switch {
	case source == Stdin:
		in := l.Stdin
		if in == nil {
			in = os.Stdin
		}
		return l.readLimited(in)
	case strings.HasPrefix(source, "http://"), strings.HasPrefix(source, "https://"):
		return l.get(ctx, source)
	}
	f, err := os.Open(source)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	return l.readLimited(f)
}

// unwrapPath drops the path from an *os.PathError: the caller names it.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// get fetches a URL within the timeout.
func (l Loader) get(ctx context.Context, addr string) ([]byte, error) {
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the caller names the URL
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %s", resp.Status)
	}
	if resp.ContentLength > l.maxBytes() {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", errTooLarge, resp.ContentLength, l.maxBytes())
	}
	return l.readLimited(resp.Body)
}

func (l Loader) maxBytes() int64 {
	if l.MaxBytes > 0 {
		return l.MaxBytes
	}
	return DefaultMaxBytes
}

// readLimited reads r to its end, failing beyond MaxBytes.
func (l Loader) readLimited(r io.Reader) ([]byte, error) {
	limit := l.maxBytes()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", errTooLarge, limit)
	}
	return data, nil
}

// ErrNewer is wrapped when a document has a version newer than Version.
var ErrNewer = errors.New("snapshot is newer than this nsview")

// Decode parses a document. A newer document is rejected as newer, even
// when its keys no longer fit this version's types, rather than as
// malformed. Unknown keys are ignored (see the package documentation).
func Decode(data []byte) (*Document, error) {
	doc := &Document{}
	err := json.Unmarshal(data, doc)
	if err != nil {
		var probe struct{ Version int }
		if json.Unmarshal(data, &probe) != nil || probe.Version <= Version {
			return nil, malformed(err)
		}
		doc.Version = probe.Version
	}
	if err := checkVersion(data, doc.Version); err != nil {
		return nil, err
	}
	return doc, nil
}

// checkVersion accepts the versions this package reads.
func checkVersion(data []byte, version int) error {
	switch {
	case version > Version:
		return fmt.Errorf("%w: version %d, this nsview reads up to %d; upgrade nsview", ErrNewer, version, Version)
	case version >= 1:
		return nil
	case !bytes.Contains(data, []byte(`"version"`)):
		return errors.New("not an nsview snapshot (it has no \"version\")")
	}
	return fmt.Errorf("unknown snapshot version %d", version)
}

// malformed says what is wrong with a document that is not the JSON it
// should be.
func malformed(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected end of JSON input") {
		return fmt.Errorf("truncated snapshot: %w", err)
	}
	return fmt.Errorf("malformed snapshot: %w", err)
}

// Index rebuilds the scan that d records; the error names the item that
// no scan produces.
func (d *Document) Index() (*scan.Index, error) {
	r, err := d.Recorded()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", scan.ErrInvalid, err)
	}
	return scan.Rebuild(r)
}
