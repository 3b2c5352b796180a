package deploy

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"sigs.k8s.io/yaml"
)

// The plain Prometheus rules, their promtool unit tests, and the
// PrometheusRule that carries the same groups.
const (
	rulesFile      = "prometheus/nsview-rules.yml"
	rulesTestFile  = "prometheus/nsview-rules-test.yml"
	prometheusRule = "prometheusrule.yaml"
)

// wantAlerts are the alerts the rules must have, at least.
var wantAlerts = []string{
	"NsviewNetworkNamespacesLeaking", "NsviewNetworkNamespacesWithoutProcesses",
	"NsviewContainerSharesHostNamespace", "NsviewScanFailing", "NsviewAgentDown",
}

// readPrometheusRule decodes prometheusrule.yaml strictly into the
// prometheus-operator's type.
func readPrometheusRule(t *testing.T) *monitoringv1.PrometheusRule {
	t.Helper()
	data, err := os.ReadFile(prometheusRule)
	if err != nil {
		t.Fatal(err)
	}
	var rule monitoringv1.PrometheusRule
	if err := decodeStrict(data, &rule); err != nil {
		t.Fatalf("%s: %v", prometheusRule, err)
	}
	if rule.APIVersion != "monitoring.coreos.com/v1" || rule.Kind != "PrometheusRule" {
		t.Fatalf("%s is a %s %s", prometheusRule, rule.APIVersion, rule.Kind)
	}
	return &rule
}

// readRulesFile decodes the plain rules file strictly: its one key,
// groups, is the PrometheusRule's spec.
func readRulesFile(t *testing.T) *monitoringv1.PrometheusRuleSpec {
	t.Helper()
	data, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var spec monitoringv1.PrometheusRuleSpec
	if err := decodeStrict(data, &spec); err != nil {
		t.Fatalf("%s: %v", rulesFile, err)
	}
	return &spec
}

func TestPrometheusRuleMatchesRulesFile(t *testing.T) {
	rule, plain := readPrometheusRule(t), readRulesFile(t)
	if rule.Namespace != readManifest(t).namespace.Name {
		t.Errorf("%s is in namespace %q, not the agent's", prometheusRule, rule.Namespace)
	}
	if !reflect.DeepEqual(rule.Spec, *plain) {
		t.Errorf("the groups of %s and %s differ: promtool checks only the latter", prometheusRule, rulesFile)
	}
}

func TestPrometheusRuleAlerts(t *testing.T) {
	var names []string
	for _, g := range readPrometheusRule(t).Spec.Groups {
		for _, r := range g.Rules {
			names = append(names, r.Alert)
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("alert %s: want a severity label, a summary and a description", r.Alert)
			}
		}
	}
	for _, want := range wantAlerts {
		if !slices.Contains(names, want) {
			t.Errorf("no alert %s among %v", want, names)
		}
	}
}

func TestRulesPromtool(t *testing.T) {
	requireTools(t, "promtool")
	// The PrometheusRule's groups, written out as a rules file, so that
	// promtool checks what the operator would load, not only the copy.
	spec, err := yaml.Marshal(readPrometheusRule(t).Spec)
	if err != nil {
		t.Fatal(err)
	}
	fromCRD := filepath.Join(t.TempDir(), "prometheusrule-groups.yml")
	if err := os.WriteFile(fromCRD, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{rulesFile, fromCRD} {
		if out, err := run("promtool", "check", "rules", file); err != nil {
			t.Errorf("promtool check rules %s: %v\n%s", file, err, out)
		}
	}
	if out, err := run("promtool", "test", "rules", rulesTestFile); err != nil {
		t.Errorf("promtool test rules: %v\n%s", err, out)
	}
}
