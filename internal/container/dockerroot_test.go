package container

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDockerdRoots(t *testing.T) {
	for _, c := range []struct {
		args         string
		root, config string
	}{
		{"/usr/bin/dockerd -H fd://", "", ""},
		{"dockerd --data-root /srv/docker", "/srv/docker", ""},
		{"dockerd --data-root=/srv/docker --config-file=/etc/d.json", "/srv/docker", "/etc/d.json"},
		{"dockerd -g /old --config-file /etc/d.json", "/old", "/etc/d.json"},
		{"dockerd --graph=/old --data-root", "/old", ""}, // a flag without its value at the end
	} {
		root, config := DockerdRoots(strings.Fields(c.args))
		if root != c.root || config != c.config {
			t.Errorf("DockerdRoots(%q) = %q, %q; want %q, %q", c.args, root, config, c.root, c.config)
		}
	}
}

// FuzzDockerdRoots checks that what DockerdRoots returns is taken from the
// command line: an argument, or what follows "=" in one.
func FuzzDockerdRoots(f *testing.F) {
	f.Add("dockerd\x00--data-root=/srv\x00--config-file\x00/c.json")
	f.Fuzz(func(t *testing.T, cmdline string) {
		args := strings.Split(cmdline, "\x00")
		root, config := DockerdRoots(args)
		for _, v := range []string{root, config} {
			if v != "" && !strings.Contains(cmdline, v) {
				t.Fatalf("DockerdRoots(%q) returned %q, not in the command line", args, v)
			}
		}
	})
}

// TestResolverDockerDataRoot names a Docker container whose daemon keeps
// its data elsewhere, as dockerd --data-root (or daemon.json) says: the
// resolver finds the root from the daemon's command line, in the host's
// /proc or as SetDockerDaemons gives it. Once given, /proc is not searched.
func TestResolverDockerDataRoot(t *testing.T) {
	id := strings.Repeat("ab", 32)
	dockerd := "/usr/bin/dockerd\x00--data-root\x00/srv/docker\x00"
	for name, tt := range map[string]struct {
		files   map[string]string
		daemons []string // given to SetDockerDaemons unless nil
		want    string
	}{
		"--data-root": {
			files: map[string]string{"proc/77/comm": "dockerd\n", "proc/77/cmdline": dockerd},
			want:  "web",
		},
		"daemon.json": {
			files: map[string]string{"etc/docker/daemon.json": `{"data-root": "/srv/docker"}`},
			want:  "web",
		},
		"given --data-root": {
			files:   map[string]string{},
			daemons: []string{"/usr/bin/dockerd\x00-H\x00fd://\x00", dockerd},
			want:    "web",
		},
		"given no daemon": {
			files:   map[string]string{"proc/77/comm": "dockerd\n", "proc/77/cmdline": dockerd},
			daemons: []string{},
			want:    "",
		},
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			cfg, _ := json.Marshal(map[string]any{"ID": id, "Name": "/web", "Config": map[string]any{}})
			tt.files["srv/docker/containers/"+id+"/config.v2.json"] = string(cfg)
			tt.files["proc/1/comm"] = "init\n"
			for file, text := range tt.files {
				path := filepath.Join(root, file)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := NewResolver(os.DirFS(root))
			if tt.daemons != nil {
				cmdlines := make([][]byte, len(tt.daemons))
				for i, d := range tt.daemons {
					cmdlines[i] = []byte(d)
				}
				r.SetDockerDaemons(func() [][]byte { return cmdlines })
			}
			c, ok := r.ForCgroup("/docker/" + id)
			if !ok || c.Runtime != RuntimeDocker || c.Name != tt.want {
				t.Errorf("ForCgroup = %+v, %v; want docker container named %q", c, ok, tt.want)
			}
		})
	}
}
