package agent

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/nsview/nsview/internal/scan"
)

// gather collects the agent's metrics through a pedantic registry, which
// also checks them against what Describe announced, and returns each
// sample's value by name and label value ("nsview_namespaces/net").
func gather(t *testing.T, a *Agent) map[string]float64 {
	t.Helper()
	registry := prometheus.NewPedanticRegistry()
	registry.MustRegister(NewCollector(a))
	families, err := registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += "/" + l.GetValue()
			}
			values[key] = sampleValue(f.GetType(), m)
		}
	}
	return values
}

func sampleValue(kind dto.MetricType, m *dto.Metric) float64 {
	if kind == dto.MetricType_COUNTER {
		return m.GetCounter().GetValue()
	}
	return m.GetGauge().GetValue()
}

// TestMetricsMatchFixture compares the metrics with what the fixture's
// files say, read here with readlink: the distinct inodes of each type and
// the number of process directories.
func TestMetricsMatchFixture(t *testing.T) {
	s := newGatedScan(t)
	got := gather(t, New(s.scan, time.Hour))
	inodes, pids := fixtureTruth(t, s.opts.Root)
	for _, typ := range scan.AllTypes {
		name := typ.String()
		withProcs := got["nsview_namespaces/"+name] - got["nsview_namespaces_without_processes/"+name]
		if withProcs != float64(len(inodes[name])) {
			t.Errorf("%s: %v namespaces with processes, the fixture's links name %d", name, withProcs, len(inodes[name]))
		}
	}
	var seen float64
	for _, state := range []string{stateRead, stateDenied, stateGone, stateError} {
		v, ok := got["nsview_processes/"+state]
		if !ok {
			t.Errorf("no nsview_processes{state=%q}", state)
		}
		seen += v
	}
	if seen != float64(pids) {
		t.Errorf("nsview_processes adds up to %v, the fixture has %d process directories", seen, pids)
	}
	if got["nsview_scans_total"] != 1 || got["nsview_scan_success"] != 1 {
		t.Errorf("nsview_scans_total %v, nsview_scan_success %v; want 1, 1", got["nsview_scans_total"], got["nsview_scan_success"])
	}
}

// fixtureTruth reads the fixture procfs at root: the distinct link
// targets of each namespace type, and how many process directories it has.
func fixtureTruth(t *testing.T, root string) (map[string]map[string]bool, int) {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	inodes, pids := map[string]map[string]bool{}, 0
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		pids++
		links, _ := os.ReadDir(filepath.Join(root, e.Name(), "ns"))
		for _, l := range links {
			target, err := os.Readlink(filepath.Join(root, e.Name(), "ns", l.Name()))
			if err != nil || !strings.HasPrefix(target, l.Name()+":[") {
				continue
			}
			if inodes[l.Name()] == nil {
				inodes[l.Name()] = map[string]bool{}
			}
			inodes[l.Name()][target] = true
		}
	}
	return inodes, pids
}

// TestMetricsLint runs client_golang's linter (promtool's rules) over the
// metrics of a successful and a failed scan.
func TestMetricsLint(t *testing.T) {
	s := newGatedScan(t)
	failing := newGatedScan(t)
	failing.err = os.ErrPermission
	for name, a := range map[string]*Agent{"scan": New(s.scan, time.Hour), "failed scan": New(failing.scan, time.Hour)} {
		problems, err := testutil.CollectAndLint(NewCollector(a))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("%s: %s: %s", name, p.Metric, p.Text)
		}
	}
}

// TestContainerHostNamespaces checks nsview_container_host_namespaces on
// the fixture's pod container (PIDs 301 and 302): 1 for each type whose
// link is the same as kthreadd's (a kernel thread, always in the host's
// initial namespaces), read here with readlink, else 0.
func TestContainerHostNamespaces(t *testing.T) {
	s := newGatedScan(t)
	got := gather(t, New(s.scan, time.Hour))
	for _, typ := range scan.AllTypes {
		name := typ.String()
		container, err1 := os.Readlink(filepath.Join(s.opts.Root, "301", "ns", name))
		host, err2 := os.Readlink(filepath.Join(s.opts.Root, "2", "ns", name))
		if err1 != nil || err2 != nil {
			continue
		}
		want := 0.0
		if container == host {
			want = 1
		}
		// Labels come sorted by name: container, pod, pod_namespace, runtime, type.
		key := "nsview_container_host_namespaces/nginx/web-0/shop/containerd/" + name
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("%s = %v (reported: %v), want %v", key, v, ok, want)
		}
	}
}
