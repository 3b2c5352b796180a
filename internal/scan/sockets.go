package scan

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// errForeignProcfs is why sockets cannot be asked for their namespaces
// through a procfs that is not nsview's own.
var errForeignProcfs = errors.New("not the procfs of nsview's PID namespace, so its PIDs cannot be opened for their sockets")

// socketsReachable says why the sockets of the scanned processes cannot
// be inspected, or nil: pidfd_open(2) takes PIDs of nsview's own PID
// namespace, so ROOT must be its procfs, whose ROOT/self is nsview. self
// is what ROOT/self links to, or err why it could not be read.
func socketsReachable(self string, err error) error {
	if err != nil {
		return fmt.Errorf("%w: %w", errForeignProcfs, err)
	}
	if self != strconv.Itoa(os.Getpid()) {
		return errForeignProcfs
	}
	return nil
}

// socketInspector finds the network namespaces of one process's sockets:
// it duplicates each socket with pidfd_getfd(2) (Linux 5.6; ptrace rights
// over the process) and asks it with the SIOCGSKNS ioctl (CAP_NET_ADMIN
// over the namespace). Its first error, other than the process or fd
// vanishing, is kept in err and ends the inspection.
type socketInspector struct {
	pidfd int
	err   error
}

func openSocketInspector(pid int) *socketInspector {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		fd = -1
		if !errors.Is(classify(err), ErrGone) {
			err = fmt.Errorf("pidfd_open: %w", err)
		} else {
			err = nil
		}
	}
	return &socketInspector{pidfd: fd, err: err}
}

func (s *socketInspector) close() {
	if s != nil && s.pidfd >= 0 {
		unix.Close(s.pidfd)
	}
}

// hold returns the hold of the socket open as fd name of p (its link
// named socket inode sock), if it was created in a network namespace other
// than p's.
func (s *socketInspector) hold(p *Process, name string, sock uint64, path string) (fdHold, bool) {
	if s.pidfd < 0 || s.err != nil {
		return fdHold{}, false
	}
	fdnum, err := strconv.Atoi(name)
	if err != nil {
		return fdHold{}, false
	}
	nsfd, inode, err := socketNetNS(s.pidfd, fdnum, sock)
	if err != nil {
		if !errors.Is(err, ErrGone) {
			s.err = fmt.Errorf("fd %d: %w", fdnum, err)
		}
		return fdHold{}, false
	}
	if inode == p.NS[Net] {
		unix.Close(nsfd)
		return fdHold{}, false
	}
	return fdHold{Key{Net, inode}, path, HeldBySocket, nsfd}, true
}

// socketNetNS duplicates fd fdnum of the process open as pidfd, checks
// that it is still the socket with inode sock, and returns an open fd of
// its network namespace and that namespace's inode.
func socketNetNS(pidfd, fdnum int, sock uint64) (int, uint64, error) {
	dup, err := unix.PidfdGetfd(pidfd, fdnum, 0)
	if errors.Is(err, unix.EBADF) || errors.Is(err, unix.ESRCH) {
		return -1, 0, procError{ErrGone, err} // closed or exited meanwhile
	}
	if err != nil {
		return -1, 0, fmt.Errorf("pidfd_getfd: %w", err)
	}
	defer unix.Close(dup)
	var st unix.Stat_t
	if err := unix.Fstat(dup, &st); err != nil {
		return -1, 0, err
	}
	if st.Ino != sock {
		return -1, 0, procError{ErrGone, errors.New("the fd was reused")}
	}
	nsfd, err := unix.IoctlRetInt(dup, unix.SIOCGSKNS)
	if err != nil {
		return -1, 0, fmt.Errorf("ioctl SIOCGSKNS: %w", err)
	}
	if err := unix.Fstat(nsfd, &st); err != nil {
		unix.Close(nsfd)
		return -1, 0, err
	}
	return nsfd, st.Ino, nil
}
