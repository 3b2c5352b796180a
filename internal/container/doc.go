// Package container tells which container, and which Kubernetes pod, a
// process belongs to, from what the kernel and the container runtimes leave
// on the host: the process's cgroup path and the runtimes' state files. It
// talks to no engine socket.
//
// Identification is in two steps. FromCgroup (pure, no I/O) recognises the
// cgroup names the engines and kubelet give their containers and yields a
// runtime, an ID and a pod UID. A Resolver then reads, through an injectable
// host root (an fs.FS), the files that carry names: runc and crun state,
// OCI bundles' config.json annotations, Docker's config.v2.json and
// containers/storage's containers.json. It also finds containers whose cgroup
// path says nothing (plain runc, crun, ctr with its own namespaces) by the
// cgroup paths recorded in their runtime state.
//
// Files a Resolver reads, relative to the host root (each at most once):
//
//	run/runc/ID/state.json                       runc (also podman, CRI-O with runc)
//	run/containerd/runc/NAMESPACE/ID/state.json  containerd's runc shim
//	run/docker/runtime-runc/moby/ID/state.json   Docker's runc
//	run/crun/ID/status                           crun (also podman, CRI-O with crun);
//	                                             in the roots above when crun stands in for runc
//	BUNDLE/config.json                           only when the state has no annotations
//	var/lib/docker/containers/ID/config.v2.json  Docker's name and labels
//	var/lib/containers/storage/*-containers/containers.json  podman's and CRI-O's names
//
// The directories run/containerd/runc, var/lib/containers/storage and each
// state root are listed once.
package container
