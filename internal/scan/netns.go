package scan

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// NSFSMount is a namespace file bind-mounted at MountPoint.
type NSFSMount struct {
	Type       string
	Inode      uint64
	MountPoint string
	// Peer is the mount's propagation peer group (shared:N) and Master the
	// one it receives mounts from (master:N); 0 if none.
	Peer, Master uint64
}

// ParseNSFSMounts returns the nsfs mounts listed in a mountinfo file:
// lines whose file-system type (after " - ") is nsfs and whose root field
// names a namespace, like "net:[4026532249]". Mount points are unescaped
// (the kernel writes space, tab, newline and backslash as \ooo).
func ParseNSFSMounts(mountinfo []byte) []NSFSMount {
	var mounts []NSFSMount
	lines := bufio.NewScanner(bytes.NewReader(mountinfo))
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		fields, rest, ok := strings.Cut(lines.Text(), " - ")
		if !ok || !strings.HasPrefix(rest, "nsfs ") {
			continue
		}
		f := strings.Fields(fields)
		if len(f) < 5 {
			continue
		}
		name, inode, err := ParseNSLink(f[3])
		if err != nil {
			continue
		}
		m := NSFSMount{Type: name, Inode: inode, MountPoint: unescapeOctal(f[4])}
		m.Peer, m.Master = propagationGroups(f[min(6, len(f)):])
		mounts = append(mounts, m)
	}
	return mounts
}

// unescapeOctal undoes the kernel's \ooo escapes in mountinfo paths.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// NetNSIDUnassigned is the NetNSID of a network namespace that has no ID
// in the caller's network namespace.
const NetNSIDUnassigned = -1

// readNetNSIDs asks the kernel (RTM_GETNSID over rtnetlink) for the ID of
// each network namespace as seen from nsview's own; NetNSID stays nil where
// it cannot be asked.
func (idx *Index) readNetNSIDs() {
	sock, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return
	}
	defer unix.Close(sock)
	for _, ns := range idx.Namespaces {
		if ns.Type != Net || len(ns.Procs) == 0 {
			continue
		}
		fd, err := unix.Open(idx.nsPath(ns), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		if id, err := netNSID(sock, fd); err == nil {
			ns.NetNSID = &id
		}
		unix.Close(fd)
	}
}

// netNSID sends one RTM_GETNSID request for the namespace open as nsFD.
func netNSID(sock, nsFD int) (int, error) {
	const size = unix.SizeofNlMsghdr + 4 + unix.SizeofRtAttr + 4
	req := make([]byte, size)
	ne := binary.NativeEndian
	ne.PutUint32(req[0:], size)
	ne.PutUint16(req[4:], unix.RTM_GETNSID)
	ne.PutUint16(req[6:], unix.NLM_F_REQUEST)
	req[unix.SizeofNlMsghdr] = unix.AF_UNSPEC // struct rtgenmsg, padded to 4
	attr := req[unix.SizeofNlMsghdr+4:]
	ne.PutUint16(attr[0:], unix.SizeofRtAttr+4)
	ne.PutUint16(attr[2:], unix.NETNSA_FD)
	ne.PutUint32(attr[4:], uint32(nsFD))
	if err := unix.Sendto(sock, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return 0, err
	}
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(sock, buf, 0)
	if err != nil {
		return 0, err
	}
	return parseNSIDReply(buf[:n])
}

// parseNSIDReply finds NETNSA_NSID in an RTM_NEWNSID reply.
func parseNSIDReply(reply []byte) (int, error) {
	msgs, err := syscall.ParseNetlinkMessage(reply)
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWNSID || len(m.Data) < 4 {
			continue
		}
		for attrs := m.Data[4:]; len(attrs) >= unix.SizeofRtAttr; {
			length := int(binary.NativeEndian.Uint16(attrs[0:]))
			if length < unix.SizeofRtAttr || length > len(attrs) {
				break
			}
			if binary.NativeEndian.Uint16(attrs[2:]) == unix.NETNSA_NSID && length >= unix.SizeofRtAttr+4 {
				return int(int32(binary.NativeEndian.Uint32(attrs[4:]))), nil
			}
			attrs = attrs[min((length+3)&^3, len(attrs)):]
		}
	}
	return 0, errors.New("no NETNSA_NSID in the reply")
}
