package enginetest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// DefaultRuncRoot is runc's own state root when it runs as root.
const DefaultRuncRoot = "/run/runc"

// RuncOpts says how to run a plain runc container. Zero values choose
// defaults.
type RuncOpts struct {
	ID          string            // container ID; default a fresh Name("nsview-runc")
	Root        string            // runc --root; default DefaultRuncRoot
	Bundle      string            // bundle directory; default a test temp dir
	Args        []string          // the command; default sleep 1000
	CgroupsPath string            // linux.cgroupsPath; default none (runc puts it at /<ID>)
	Annotations map[string]string // OCI annotations written to config.json
	Join        map[string]string // namespace type ("network", "ipc", ...) to join, by path
}

// Runc runs a container from a Busybox root filesystem with `runc run -d`
// and deletes it by ID (runc delete -f) when the test ends.
func Runc(t testing.TB, opts RuncOpts) *Container {
	t.Helper()
	requireTools(t, "runc")
	opts = opts.withDefaults(t)
	if err := writeSpec(opts, Busybox(t)); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(opts.Bundle, "init.pid")
	_, err := run("runc", "--root", opts.Root, "run", "-d", "--pid-file", pidFile, "--bundle", opts.Bundle, opts.ID)
	if err != nil {
		Require(t, err.Error())
	}
	t.Cleanup(func() { cleanupRun(t, "runc", "--root", opts.Root, "delete", "-f", opts.ID) })
	pid, err := readPIDFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	c := &Container{Engine: "runc", ID: opts.ID, Name: opts.ID, InitPID: pid, Bundle: opts.Bundle, RuncRoot: opts.Root}
	waitExec(t, c)
	return c
}

func (opts RuncOpts) withDefaults(t testing.TB) RuncOpts {
	if opts.ID == "" {
		opts.ID = Name("nsview-runc")
	}
	if opts.Root == "" {
		opts.Root = DefaultRuncRoot
	}
	if opts.Bundle == "" {
		opts.Bundle = t.TempDir()
	}
	if len(opts.Args) == 0 {
		opts.Args = []string{"sleep", "1000"}
	}
	return opts
}

// writeSpec writes the bundle's config.json: runc's default spec with
// the command, a read-only rootfs, the cgroup, annotations and namespaces
// to join.
func writeSpec(opts RuncOpts, rootfs string) error {
	if err := os.MkdirAll(opts.Bundle, 0o700); err != nil {
		return err
	}
	if _, err := run("runc", "spec", "--bundle", opts.Bundle); err != nil {
		return err
	}
	path := filepath.Join(opts.Bundle, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec ociSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	spec.edit(opts, rootfs)
	if data, err = json.MarshalIndent(spec, "", "\t"); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// ociSpec is a config.json as loose JSON, so that the fields runc spec
// wrote and this package does not know survive the edit.
type ociSpec map[string]any

func (s ociSpec) edit(opts RuncOpts, rootfs string) {
	process := s.object("process")
	process["args"] = opts.Args
	process["terminal"] = false
	s["root"] = map[string]any{"path": rootfs, "readonly": true}
	if len(opts.Annotations) > 0 {
		s["annotations"] = opts.Annotations
	}
	linux := s.object("linux")
	if opts.CgroupsPath != "" {
		linux["cgroupsPath"] = opts.CgroupsPath
	}
	namespaces, _ := linux["namespaces"].([]any)
	for _, ns := range namespaces {
		ns, _ := ns.(map[string]any)
		if path, ok := opts.Join[fmt.Sprint(ns["type"])]; ok && ns != nil {
			ns["path"] = path
		}
	}
}

// object returns the JSON object under key, creating it when missing.
func (s ociSpec) object(key string) map[string]any {
	obj, ok := s[key].(map[string]any)
	if !ok {
		obj = map[string]any{}
		s[key] = obj
	}
	return obj
}
