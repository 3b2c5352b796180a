// Package enginetest starts real container engines for tests: plain runc,
// podman, docker (its own dockerd per test), containerd tasks through ctr,
// and Kubernetes-shaped runc containers with the annotations and cgroups
// containerd's CRI plugin leaves behind. Each helper returns the
// container's ID and init PID as the engine reports them, and registers a
// t.Cleanup that removes the container by its ID (and stops any daemon it
// started), so tests can compare nsview's findings against ground truth.
//
// Images come from the host's static busybox (Debian's busybox-static);
// no registry is needed. Helpers skip when they are not root or an engine
// is missing or will not start, and fail instead when NSVIEW_REQUIRE_NS=1.
package enginetest
