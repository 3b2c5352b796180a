package agent

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/fixture"
	"github.com/nsview/nsview/internal/scan"
	"github.com/nsview/nsview/internal/testutil"
)

// gatedScan is a scan function over the fixture procfs that counts its
// calls and, when gate is not nil, waits for it to close before returning.
type gatedScan struct {
	calls atomic.Int64
	gate  chan struct{}
	opts  scan.Options
	err   error // returned instead of scanning when set
}

func newGatedScan(t *testing.T) *gatedScan {
	t.Helper()
	root, owners := fixture.Proc(t)
	return &gatedScan{opts: scan.Options{Root: root, Owners: owners, Hierarchy: true, Containers: true}}
}

func (s *gatedScan) scan() (*scan.Index, error) {
	s.calls.Add(1)
	if s.gate != nil {
		<-s.gate
	}
	if s.err != nil {
		return nil, s.err
	}
	return scan.Scan(s.opts)
}

// TestConcurrentScrapesShareOneScan sends 50 scrapes while the first scan
// is held up: all of them must get that one scan's result.
func TestConcurrentScrapesShareOneScan(t *testing.T) {
	testutil.CheckLeaks(t)
	s := newGatedScan(t)
	s.gate = make(chan struct{})
	a := New(s.scan, time.Hour)
	var entered atomic.Int64
	handler := NewHandler(a)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered.Add(1)
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	const scrapes = 50
	type response struct {
		status int
		body   string
		err    error
	}
	responses := make(chan response, scrapes)
	var wg sync.WaitGroup
	for range scrapes {
		wg.Go(func() {
			resp, err := srv.Client().Get(srv.URL + "/metrics")
			if err != nil {
				responses <- response{err: err}
				return
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			responses <- response{resp.StatusCode, string(body), err}
		})
	}
	waitFor(t, "all scrapes to reach the handler", func() bool { return entered.Load() == scrapes })
	close(s.gate)
	wg.Wait()
	close(responses)
	for r := range responses {
		if r.err != nil || r.status != http.StatusOK || !strings.Contains(r.body, "\nnsview_scans_total 1\n") {
			t.Fatalf("scrape: status %d, error %v, body:\n%s", r.status, r.err, r.body)
		}
	}
	if n := s.calls.Load(); n != 1 {
		t.Errorf("%d concurrent scrapes caused %d scans, want 1", scrapes, n)
	}
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline; the deadline is a safety net, not an assertion about speed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestScanReusedWithinInterval: scans in a row within the interval read
// procfs once; once the interval has passed, the next one scans again.
func TestScanReusedWithinInterval(t *testing.T) {
	s := newGatedScan(t)
	a := New(s.scan, time.Hour)
	first := a.Scan()
	for range 10 {
		if r := a.Scan(); r.Index != first.Index || r.Err != nil {
			t.Fatalf("scan within the interval: got %+v, want the first scan %+v", r, first)
		}
	}
	if n := s.calls.Load(); n != 1 || a.Scans() != 1 {
		t.Fatalf("11 scans within the interval read procfs %d times (Scans %d), want 1", n, a.Scans())
	}

	short := New(s.scan, time.Millisecond)
	before := short.Scan()
	waitFor(t, "a fresh scan after the interval", func() bool { return short.Scan().Finished.After(before.Finished) })
	if short.Scans() < 2 {
		t.Errorf("Scans() = %d after a rescan, want at least 2", short.Scans())
	}
}

// TestFailedScanIsReused: a failing procfs is not read in a loop either,
// /healthz reports the failure and /metrics says so with nsview_scan_success.
func TestFailedScanIsReused(t *testing.T) {
	testutil.CheckLeaks(t)
	s := newGatedScan(t)
	s.err = errors.New("cannot read procfs root: permission denied")
	a := New(s.scan, time.Hour)
	srv := httptest.NewServer(NewHandler(a))
	t.Cleanup(srv.Close)

	status, body := testutil.Fetch(t, srv.Client(), srv.URL+"/metrics", "", "")
	if status != http.StatusOK || !strings.Contains(body, "\nnsview_scan_success 0\n") || strings.Contains(body, "nsview_namespaces{") {
		t.Errorf("/metrics after a failed scan: status %d, body:\n%s", status, body)
	}
	testutil.Fetch(t, srv.Client(), srv.URL+"/metrics", "", "")
	if n := s.calls.Load(); n != 1 {
		t.Errorf("2 scrapes of a failing procfs scanned %d times, want 1", n)
	}
	status, body = testutil.Fetch(t, srv.Client(), srv.URL+"/healthz", "", "")
	if status != http.StatusServiceUnavailable || body != "last scan failed: "+s.err.Error()+"\n" {
		t.Errorf("/healthz after a failed scan: %d %q", status, body)
	}
}

// TestHealthzNeverScans: probes cost nothing.
func TestHealthzNeverScans(t *testing.T) {
	testutil.CheckLeaks(t)
	s := newGatedScan(t)
	a := New(s.scan, time.Hour)
	srv := httptest.NewServer(NewHandler(a))
	t.Cleanup(srv.Close)
	for range 3 {
		if status, body := testutil.Fetch(t, srv.Client(), srv.URL+"/healthz", "", ""); status != http.StatusOK || body != "ok\n" {
			t.Fatalf("/healthz: %d %q", status, body)
		}
	}
	if n := s.calls.Load(); n != 0 {
		t.Errorf("/healthz scanned %d times", n)
	}
}

// TestRoutes: only GET (and HEAD) of the two endpoints are served.
func TestRoutes(t *testing.T) {
	testutil.CheckLeaks(t)
	srv := httptest.NewServer(NewHandler(New(newGatedScan(t).scan, time.Hour)))
	t.Cleanup(srv.Close)
	cases := []struct {
		method, path string
		want         int
	}{
		{"GET", "/metrics", http.StatusOK},
		{"HEAD", "/healthz", http.StatusOK},
		{"POST", "/metrics", http.StatusMethodNotAllowed},
		{"GET", "/", http.StatusNotFound},
		{"GET", "/snapshot", http.StatusNotFound},
	}
	for _, c := range cases {
		req, err := http.NewRequest(c.method, srv.URL+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, resp.StatusCode, c.want)
		}
	}
}

// TestPanickingScanReleasesWaiters: a scan function that panics must not
// leave later readers waiting forever.
func TestPanickingScanReleasesWaiters(t *testing.T) {
	a := New(func() (*scan.Index, error) { panic("broken scan") }, time.Hour)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the scan's panic did not reach its caller")
			}
		}()
		a.Scan()
	}()
	if r := a.Scan(); !errors.Is(r.Err, errPanicked) {
		t.Errorf("scan after a panic: %+v, want errPanicked", r)
	}
}
