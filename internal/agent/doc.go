// Package agent is the node agent behind `nsview serve`: it scans procfs
// on demand, at most once per interval, and serves what it found to
// Prometheus.
//
// An Agent holds the latest scan. Every reader (a /metrics scrape today; a
// /snapshot endpoint once the snapshot format exists, through Agent.Scan)
// asks the Agent for it: a scan younger than the interval is reused, and
// readers that arrive while a scan runs wait for that scan instead of
// starting their own. However often and however many clients ask, the
// agent scans at most once per interval, so a scraper cannot make it
// burn CPU.
//
// The Collector turns a scan into Prometheus metrics; Handler serves them
// with /healthz. The scan function is a parameter, so tests count and
// shape scans without a procfs.
package agent
