package enginetest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// podmanUlimits keep podman from raising rlimits: the sandbox lacks
// CAP_SYS_RESOURCE, and raising them fails.
var podmanUlimits = []string{"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"}

// Podman imports a Busybox image and runs `sleep 1000` in a podman
// container called name, without a network (--network none: it still
// gets its own network namespace, but podman sets up no bridge or
// firewall rules). When the test ends the container is removed by ID and
// the image tag with it.
func Podman(t testing.TB, name string) *Container {
	t.Helper()
	requireTools(t, "podman", "conmon", "runc")
	image := Name("localhost/nsview-busybox:t")
	if _, err := run("podman", "import", BusyboxTar(t), image); err != nil {
		Require(t, err.Error())
	}
	t.Cleanup(func() { cleanupRun(t, "podman", "rmi", image) })
	args := append([]string{"run", "-d", "--name", name, "--network", "none"}, podmanUlimits...)
	id, err := run("podman", append(args, image, "sleep", "1000")...)
	if err != nil {
		Require(t, err.Error())
	}
	t.Cleanup(func() { cleanupRun(t, "podman", "rm", "-f", "-t", "0", id) })
	c := &Container{Engine: "podman", ID: id, Name: name, RuncRoot: DefaultRuncRoot}
	if err := podmanInspect(c); err != nil {
		t.Fatal(err)
	}
	waitExec(t, c)
	return c
}

// podmanInspect fills in the PIDs and the bundle of c from podman inspect.
func podmanInspect(c *Container) error {
	out, err := run("podman", "inspect", "--format", "{{.State.Pid}} {{.State.ConmonPid}} {{.StaticDir}}", c.ID)
	if err != nil {
		return err
	}
	fields := strings.Fields(out)
	if len(fields) != 3 {
		return fmt.Errorf("podman inspect %s: want PID, conmon PID and static dir, got %q", c.ID, out)
	}
	if c.InitPID, err = strconv.Atoi(fields[0]); err != nil {
		return fmt.Errorf("podman inspect %s: %w", c.ID, err)
	}
	if c.MonitorPID, err = strconv.Atoi(fields[1]); err != nil {
		return fmt.Errorf("podman inspect %s: %w", c.ID, err)
	}
	c.Bundle = fields[2]
	return nil
}
