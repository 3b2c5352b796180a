// Package deploy holds no code: it is the home of nsview's deployment
// files (Containerfile, daemonset.yaml, prometheusrule.yaml and the
// Prometheus rules under prometheus/) and of the tests that check them
// against the real Kubernetes and prometheus-operator types, promtool, and
// the image built and run with podman on this host.
//
// It is a Go module of its own, so that nsview's module does not depend on
// k8s.io/api. `make test` runs its tests; see docs/fleet.md.
package deploy
