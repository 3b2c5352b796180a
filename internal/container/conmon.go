package container

import (
	"path"
	"strings"
)

// ConmonName reads a container's ID and name from the command line of
// conmon, the monitor podman and CRI-O start as the parent of a container's
// first process: "-c ID" or "--cid ID", "-n NAME" or "--name NAME" (GLib
// options, so "--cid=ID" too), as podman's libpod/oci_conmon_linux.go
// passes them. It is for containers no file on the host names, such as
// rootless podman's, whose containers.json is in the user's home.
func ConmonName(cmdline []string) (id, name string, ok bool) {
	if len(cmdline) == 0 || path.Base(cmdline[0]) != "conmon" {
		return "", "", false
	}
	for i := 1; i < len(cmdline); i++ {
		flag, value, inline := strings.Cut(cmdline[i], "=")
		if !inline && i+1 < len(cmdline) {
			value = cmdline[i+1]
		}
		switch flag {
		case "-c", "--cid":
			id = value
		case "-n", "--name":
			name = value
		default:
			continue
		}
		if !inline {
			i++
		}
	}
	return id, name, id != "" && validName(name)
}
