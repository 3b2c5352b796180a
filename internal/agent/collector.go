package agent

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nsview/nsview/internal/scan"
)

// The states of nsview_processes. Denied and gone processes are normal
// (run as root; processes exit); "error" counts those nsview failed to read
// for any other reason (malformed files, I/O errors), which deserve a look.
const (
	stateRead   = "read"
	stateDenied = "denied"
	stateGone   = "gone"
	stateError  = "error"
)

// The metrics, each described once: name, HELP text and label names.
var (
	namespacesDesc = prometheus.NewDesc("nsview_namespaces",
		"Namespaces found by the last scan, by type.", []string{"type"}, nil)
	orphansDesc = prometheus.NewDesc("nsview_namespaces_without_processes",
		"Namespaces found by the last scan that hold no process (kept alive by a child namespace, a bind mount or an open file), by type.",
		[]string{"type"}, nil)
	processesDesc = prometheus.NewDesc("nsview_processes",
		`Processes seen by the last scan, by state: read, denied (no permission), gone (exited or zombie during the scan), error (unreadable for another reason).`,
		[]string{"state"}, nil)
	durationDesc = prometheus.NewDesc("nsview_scan_duration_seconds",
		"How long the last scan of procfs took.", nil, nil)
	successDesc = prometheus.NewDesc("nsview_scan_success",
		"1 if the last scan of procfs succeeded, 0 if it failed (the namespace and process metrics are then absent).", nil, nil)
	scansDesc = prometheus.NewDesc("nsview_scans_total",
		"Scans of procfs started, failed ones included.", nil, nil)
	hostSharedDesc = prometheus.NewDesc("nsview_container_host_namespaces",
		"1 when the container's processes are in the host's initial namespace of the type (they share it with the host), else 0.",
		[]string{"runtime", "pod_namespace", "pod", "container", "type"}, nil)
)

// Collector is the prometheus.Collector of an Agent: each collection asks
// the agent for its latest scan (see Agent.Scan) and reports it.
type Collector struct {
	agent *Agent
}

// NewCollector returns the collector of a's metrics.
func NewCollector(a *Agent) *Collector {
	return &Collector{agent: a}
}

// Describe sends the descriptors of every metric the collector reports.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{namespacesDesc, orphansDesc, processesDesc, durationDesc, successDesc, scansDesc, hostSharedDesc} {
		ch <- d
	}
}

// Collect reports the agent's latest scan, scanning if it is too old.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	r := c.agent.Scan()
	ch <- prometheus.MustNewConstMetric(scansDesc, prometheus.CounterValue, float64(c.agent.Scans()))
	ch <- prometheus.MustNewConstMetric(durationDesc, prometheus.GaugeValue, r.Duration.Seconds())
	if r.Err != nil {
		ch <- prometheus.MustNewConstMetric(successDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(successDesc, prometheus.GaugeValue, 1)
	collectNamespaces(ch, r.Index)
	collectProcesses(ch, r.Index)
	collectContainers(ch, r.Index)
}

// collectContainers reports, for each container and namespace type,
// whether the container shares the host's namespace: the namespaces of its
// first process (the lowest PID) are the ones looked at.
func collectContainers(ch chan<- prometheus.Metric, idx *scan.Index) {
	first := map[string]*scan.Process{} // by runtime and container ID
	for _, p := range idx.Processes {
		if c := p.Container; c != nil {
			key := string(c.Runtime) + "/" + c.ID
			if q := first[key]; q == nil || p.PID < q.PID {
				first[key] = p
			}
		}
	}
	for _, p := range first {
		c := p.Container
		podNamespace, pod, name := "", "", c.Label()
		if c.Pod != nil {
			podNamespace, pod = c.Pod.Namespace, c.Pod.Name
		}
		for _, t := range scan.AllTypes {
			ns := idx.Lookup(t, p.NS[t])
			if ns == nil {
				continue // a type the kernel lacks
			}
			shared := 0.0
			if ns.Initial {
				shared = 1
			}
			ch <- prometheus.MustNewConstMetric(hostSharedDesc, prometheus.GaugeValue, shared,
				string(c.Runtime), podNamespace, pod, name, t.String())
		}
	}
}

// collectNamespaces reports the namespaces of every type, zero included,
// so that each series exists from the first scrape on.
func collectNamespaces(ch chan<- prometheus.Metric, idx *scan.Index) {
	var all, orphans [scan.NumTypes]int
	for _, ns := range idx.Namespaces {
		all[ns.Type]++
		if len(ns.Procs) == 0 {
			orphans[ns.Type]++
		}
	}
	for _, t := range scan.AllTypes {
		ch <- prometheus.MustNewConstMetric(namespacesDesc, prometheus.GaugeValue, float64(all[t]), t.String())
		ch <- prometheus.MustNewConstMetric(orphansDesc, prometheus.GaugeValue, float64(orphans[t]), t.String())
	}
}

// collectProcesses reports the processes read and those skipped, by why.
func collectProcesses(ch chan<- prometheus.Metric, idx *scan.Index) {
	for state, n := range map[string]int{
		stateRead:   len(idx.Processes),
		stateDenied: idx.Skipped.Denied,
		stateGone:   idx.Skipped.Gone,
		stateError:  idx.Skipped.Broken,
	} {
		ch <- prometheus.MustNewConstMetric(processesDesc, prometheus.GaugeValue, float64(n), state)
	}
}
