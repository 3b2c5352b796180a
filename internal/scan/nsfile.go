package scan

import (
	"errors"
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"
)

// errMoved says that a member's namespace file names another namespace than
// the scan saw: the member has moved (setns, unshare), or it has exited and
// its PID belongs to another process.
var errMoved = errors.New("the member is not in it any more")

// openNamespace opens the file of ns under the /proc entry of one of its
// members, the leader first, and returns the fd once fstat shows that it is
// ns: a member that exited after the scan, its PID since taken by a process
// in another namespace, is passed over for the next. It stops at the first
// error that is not about a vanished member, such as EACCES. A namespace
// without members is opened through what holds it (see openHeld).
func (idx *Index) openNamespace(ns *Namespace) (int, error) {
	if len(ns.Procs) == 0 {
		return idx.openHeld(ns)
	}
	name := "/ns/" + ns.Type.String()
	var err error
	for _, p := range ns.Procs {
		var fd int
		fd, err = unix.Open(idx.Root+"/"+strconv.Itoa(p.PID)+name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == nil {
			if err = checkInode(fd, ns.Inode); err == nil {
				return fd, nil
			}
			unix.Close(fd)
		}
		if !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ESRCH) && !errors.Is(err, errMoved) {
			break
		}
	}
	return -1, fmt.Errorf("%s namespace %d: %w", ns.Type, ns.Inode, err)
}

// checkInode makes sure that the namespace file open as fd is the one with
// the given inode.
func checkInode(fd int, inode uint64) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Ino != inode {
		return fmt.Errorf("%w: its file is namespace %d now", errMoved, st.Ino)
	}
	return nil
}
