package agent

import (
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewHandler serves a's endpoints:
//
//	GET /metrics  the agent's metrics and the process_* metrics of nsview
//	              itself, in the format the scraper negotiates
//	GET /healthz  200 "ok", or 503 when the last scan failed; never scans
//
// The metrics live in a registry of their own, not the global one, so
// nothing else in the binary can add series. The process collector is
// there because an agent on every node must show what it costs (CPU,
// memory, open files); the Go runtime collector is left out: dozens of
// series per node that answer no question about namespaces.
func NewHandler(a *Agent) http.Handler {
	registry := prometheus.NewRegistry()
	registry.MustRegister(NewCollector(a), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", a.serveHealth)
	return mux
}

// serveHealth answers /healthz from the last scan, without scanning, so
// that probes cost nothing however often they come.
func (a *Agent) serveHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r, ok := a.Last(); ok && r.Err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "last scan failed: %v\n", r.Err)
		return
	}
	fmt.Fprintln(w, "ok")
}
