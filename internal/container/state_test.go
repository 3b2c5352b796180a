package container

import (
	"reflect"
	"sort"
	"testing"
)

// TestParseRuncState reads a state.json as runc 1.1.5 wrote it on a hybrid
// cgroup host (this machine), cut to the fields nsview reads.
func TestParseRuncState(t *testing.T) {
	data := []byte(`{"id":"nsview-probe","init_process_pid":8474,
	"config":{"labels":["io.kubernetes.cri.container-name=probe","bundle=/tmp/nsview-container-runc"],
	  "cgroups":{"path":"","name":"nsview-probe"}},
	"cgroup_paths":{"":"/sys/fs/cgroup/unified/nsview-probe","cpu":"/sys/fs/cgroup/cpu/nsview-probe",
	  "memory":"/sys/fs/cgroup/memory/process_api/811eaff861c4462dbb66e8ec1cdd1f19/nsview-probe",
	  "name=systemd":"/sys/fs/cgroup/systemd/nsview-probe","bogus":"/elsewhere/x","pids":"/sys/fs/cgroup/pids"}}`)
	st, err := parseRuncState(data)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(st.Cgroups)
	want := runtimeState{
		ID: "nsview-probe", Bundle: "/tmp/nsview-container-runc",
		Annotations: map[string]string{criContainerName: "probe"},
		Cgroups: []string{"/nsview-probe", "/nsview-probe", "/nsview-probe",
			"/process_api/811eaff861c4462dbb66e8ec1cdd1f19/nsview-probe", "/unified/nsview-probe"},
	}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("parseRuncState =\n%+v\nwant\n%+v", st, want)
	}
	if _, err := parseRuncState([]byte(`{"id": 3}`)); err == nil {
		t.Error("parseRuncState took a number for an ID")
	}
}

func TestParseDockerConfig(t *testing.T) {
	cfg, err := parseDockerConfig([]byte(`{"ID":"x","Name":"/happy_turing","Config":{"Labels":{"a":"b"}}}`))
	if err != nil || cfg.Name != "happy_turing" || cfg.Labels["a"] != "b" {
		t.Errorf("parseDockerConfig = %+v, %v", cfg, err)
	}
}
