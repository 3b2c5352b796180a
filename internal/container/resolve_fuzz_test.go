package container

import (
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzResolverState gives a Resolver an arbitrary state.json, bundle
// config.json and Docker config.v2.json. Whatever they hold, it finds the
// container by its own cgroup path and its directory name, keeps control
// characters out of names, and blames only files it was given.
func FuzzResolverState(f *testing.F) {
	f.Add([]byte(`{"id":"c1","config":{"labels":["bundle=/b","io.container.manager=libpod"]},"cgroup_paths":{"":"/sys/fs/cgroup/c1"}}`),
		[]byte(`{"annotations":{"io.kubernetes.cri.container-type":"container","io.kubernetes.cri.container-name":"x\x1b[31m"}}`),
		[]byte(`{"Name":"/n","Config":{"Labels":{"io.kubernetes.pod.name":"p"}}}`))
	f.Add([]byte(`{"config":{"labels":["bundle=../../etc"]}}`), []byte(`[]`), []byte(`null`))
	f.Add([]byte(`{"config":{"labels":["io.kubernetes.pod.name=p","io.kubernetes.pod.uid=\u0000"]}}`), []byte(`{`), []byte(`{"Name":7}`))
	f.Fuzz(func(t *testing.T, state, bundle, docker []byte) {
		host := fstest.MapFS{
			"run/runc/c1/state.json": {Data: state},
			"b/config.json":          {Data: bundle},
			"run/docker/runtime-runc/moby/" + id1 + "/state.json":  {Data: state},
			"var/lib/docker/containers/" + id1 + "/config.v2.json": {Data: docker},
		}
		r := NewResolver(host)
		for _, cgroup := range []string{"/system.slice/runc-c1.scope", "/docker/" + id1} {
			c, ok := r.ForCgroup(cgroup)
			if !ok || (c.ID != "c1" && c.ID != id1) {
				t.Fatalf("ForCgroup(%q) = %+v, %v", cgroup, c, ok)
			}
			for _, s := range []string{c.Name, podField(c, 0), podField(c, 1), podField(c, 2)} {
				if s != "" && !validName(s) {
					t.Fatalf("ForCgroup(%q) = %+v: %q is not a name", cgroup, c, s)
				}
			}
		}
		for _, err := range r.Problems() {
			msg := err.Error()
			if !strings.Contains(msg, "state.json") && !strings.Contains(msg, "config.json") && !strings.Contains(msg, "config.v2.json") {
				t.Fatalf("problem about a file not given: %v", err)
			}
		}
	})
}

func podField(c Container, i int) string {
	if c.Pod == nil {
		return ""
	}
	return [...]string{c.Pod.Name, c.Pod.Namespace, c.Pod.UID}[i]
}
