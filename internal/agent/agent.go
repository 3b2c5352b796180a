package agent

import (
	"errors"
	"sync"
	"time"

	"github.com/nsview/nsview/internal/scan"
)

// ScanFunc reads the namespaces of the node; serve passes a closure over
// scan.Scan with its options.
type ScanFunc func() (*scan.Index, error)

// Result is one scan: what it found or why it failed, and what it cost.
type Result struct {
	Index    *scan.Index // nil when Err is set
	Err      error
	Finished time.Time
	Duration time.Duration
}

// Agent shares scans between its readers and rate-limits them.
type Agent struct {
	scan     ScanFunc
	interval time.Duration

	mu      sync.Mutex
	last    *Result // the latest finished scan; nil before the first
	running *call   // the scan in progress; nil when none runs
	scans   uint64  // scans started, failed ones included
}

// call is one scan in progress: its result is set before done is closed.
type call struct {
	done   chan struct{}
	result Result
}

// errPanicked is the result of a scan whose function panicked: readers
// waiting for it get this instead of waiting forever.
var errPanicked = errors.New("scan panicked")

// New returns an Agent that scans with scanFn, at most once per interval:
// a reader within interval of the end of the last scan gets its result.
// The interval counts from the end, so that scans slower than the interval
// still leave it idle in between.
func New(scanFn ScanFunc, interval time.Duration) *Agent {
	return &Agent{scan: scanFn, interval: interval}
}

// Scan returns the latest scan, scanning first when the last one is older
// than the interval (or there is none). Callers that arrive during a scan
// wait for it and share its result. A failed scan is reused like a
// successful one, so a broken procfs is not read in a loop either.
func (a *Agent) Scan() Result {
	a.mu.Lock()
	if a.last != nil && time.Since(a.last.Finished) < a.interval {
		r := *a.last
		a.mu.Unlock()
		return r
	}
	if c := a.running; c != nil {
		a.mu.Unlock()
		<-c.done
		return c.result
	}
	c := &call{done: make(chan struct{}), result: Result{Err: errPanicked, Finished: time.Now()}}
	a.running = c
	a.scans++
	a.mu.Unlock()
	defer a.finish(c)
	c.result = a.run()
	return c.result
}

// finish records c as the latest scan and wakes its waiters.
func (a *Agent) finish(c *call) {
	a.mu.Lock()
	a.last, a.running = &c.result, nil
	a.mu.Unlock()
	close(c.done)
}

// run calls the scan function once and times it.
func (a *Agent) run() Result {
	start := time.Now()
	idx, err := a.scan()
	end := time.Now()
	if err != nil {
		idx = nil
	}
	return Result{Index: idx, Err: err, Finished: end, Duration: end.Sub(start)}
}

// Last returns the latest finished scan without scanning, and false when
// none has finished yet.
func (a *Agent) Last() (Result, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.last == nil {
		return Result{}, false
	}
	return *a.last, true
}

// Scans returns how many scans the agent has started.
func (a *Agent) Scans() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.scans
}
