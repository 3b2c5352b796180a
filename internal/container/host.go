package container

import (
	"bytes"
	"fmt"
	"os"
)

// HostRoot returns a directory through which the host's files can be read,
// given the procfs that shows the host's processes (/proc, or /host/proc in
// a DaemonSet pod): PROC/1/root, or when PID 1's is refused (even to root,
// under some security modules) the root of kthreadd, PID 2, a kernel thread
// whose root is the host's /.
func HostRoot(procRoot string) (string, error) {
	var errs []error
	for _, pid := range []string{"1", "2"} {
		dir := procRoot + "/" + pid + "/root"
		if pid == "2" && !isKthreadd(procRoot+"/2/stat") {
			errs = append(errs, fmt.Errorf("%s/2 is not kthreadd", procRoot))
			continue
		}
		f, err := os.Open(dir + "/")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		f.Close()
		return dir, nil
	}
	return "", fmt.Errorf("no way to the host's files through %s: %v", procRoot, errs)
}

func isKthreadd(statFile string) bool {
	data, err := os.ReadFile(statFile)
	return err == nil && bytes.HasPrefix(data, []byte("2 (kthreadd) "))
}
