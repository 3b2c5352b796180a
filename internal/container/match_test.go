package container

import "testing"

func TestMatchesContainer(t *testing.T) {
	c := Container{Runtime: RuntimeDocker, ID: id1, Name: "happy_turing"}
	for q, want := range map[string]bool{
		"": false, "4f797c": true, id1: true, id1 + "0": false, "happy_turing": true,
		"happy": false, "/happy_turing": false, "797c": false,
	} {
		if got := c.MatchesContainer(q); got != want {
			t.Errorf("MatchesContainer(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestMatchesPod(t *testing.T) {
	c := Container{ID: id1, Pod: &Pod{Name: "web-0", Namespace: "prod", UID: uid}}
	for q, want := range map[string]bool{
		"": false, "web-0": true, "prod/web-0": true, "dev/web-0": false, "prod/": false,
		"/web-0": false, uid: true, "web": false,
	} {
		if got := c.MatchesPod(q); got != want {
			t.Errorf("MatchesPod(%q) = %v, want %v", q, got, want)
		}
	}
	if (Container{ID: id1}).MatchesPod("web-0") {
		t.Error("a container outside any pod matched a pod")
	}
}

func TestShortID(t *testing.T) {
	for id, want := range map[string]string{id1: id1[:12], "mybox": "mybox", "": ""} {
		if got := (Container{ID: id}).ShortID(); got != want {
			t.Errorf("ShortID(%q) = %q, want %q", id, got, want)
		}
	}
}
