package scan

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

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
	conn, err := dialRoute()
	if err != nil {
		return
	}
	defer unix.Close(conn.sock)
	for _, ns := range idx.Namespaces {
		if ns.Type != Net {
			continue
		}
		fd, err := idx.openNamespace(ns)
		if err != nil {
			continue
		}
		if id, err := conn.netNSID(fd); err == nil {
			ns.NetNSID = &id
		}
		unix.Close(fd)
	}
}

// routeConn is an rtnetlink socket bound to its own port, with the
// sequence number of its last request and a buffer for replies.
//
// It is written here rather than taken from vishvananda/netlink or
// mdlayher/netlink: one request type and its answer take about 130 lines,
// tested without a socket (netns_test.go), against a module and its
// dependencies of which nsview would use one call.
type routeConn struct {
	sock int
	port uint32
	seq  uint32
	buf  []byte
}

// dialRoute opens and binds an rtnetlink socket; the caller closes sock.
func dialRoute() (*routeConn, error) {
	sock, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("rtnetlink socket: %w", err)
	}
	if err := unix.Bind(sock, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(sock)
		return nil, fmt.Errorf("rtnetlink bind: %w", err)
	}
	addr, err := unix.Getsockname(sock)
	local, ok := addr.(*unix.SockaddrNetlink)
	if err != nil || !ok {
		unix.Close(sock)
		return nil, fmt.Errorf("rtnetlink socket has no port: %v", err)
	}
	return &routeConn{sock: sock, port: local.Pid, buf: make([]byte, 8192)}, nil
}

// netNSID asks for the ID of the network namespace open as nsFD. The
// kernel handles an rtnetlink request inside sendto, so the answer is
// queued when it returns and is read without waiting: no answer is an
// error, never a hang. Datagrams not from the kernel are ignored, and
// answers to earlier requests skipped by their sequence number.
func (c *routeConn) netNSID(nsFD int) (int, error) {
	c.seq++
	kernel := &unix.SockaddrNetlink{Family: unix.AF_NETLINK}
	if err := unix.Sendto(c.sock, nsidRequest(c.seq, c.port, nsFD), 0, kernel); err != nil {
		return 0, fmt.Errorf("RTM_GETNSID: %w", err)
	}
	for {
		n, from, err := unix.Recvfrom(c.sock, c.buf, unix.MSG_DONTWAIT)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("RTM_GETNSID: no answer: %w", err)
		}
		if sender, ok := from.(*unix.SockaddrNetlink); !ok || sender.Pid != 0 {
			continue
		}
		if id, err := parseNSIDReply(c.buf[:n], c.seq); !errors.Is(err, errNotYet) {
			return id, err
		}
	}
}

// nsidRequest is an RTM_GETNSID message asking about the network namespace
// open as nsFD: a netlink header, struct rtgenmsg (padded to 4 bytes) and
// a NETNSA_FD attribute.
func nsidRequest(seq, port uint32, nsFD int) []byte {
	const size = unix.SizeofNlMsghdr + 4 + unix.SizeofRtAttr + 4
	req := make([]byte, size)
	ne := binary.NativeEndian
	ne.PutUint32(req[0:], size)
	ne.PutUint16(req[4:], unix.RTM_GETNSID)
	ne.PutUint16(req[6:], unix.NLM_F_REQUEST)
	ne.PutUint32(req[8:], seq)
	ne.PutUint32(req[12:], port)
	req[unix.SizeofNlMsghdr] = unix.AF_UNSPEC
	attr := req[unix.SizeofNlMsghdr+4:]
	ne.PutUint16(attr[0:], unix.SizeofRtAttr+4)
	ne.PutUint16(attr[2:], unix.NETNSA_FD)
	ne.PutUint32(attr[4:], uint32(nsFD))
	return req
}

var (
	// errNotYet says that a datagram held no answer to the request.
	errNotYet = errors.New("no answer to this request in the datagram")
	// errNoNSID is an answer without an ID.
	errNoNSID = errors.New("the answer holds no NETNSA_NSID")
)

// parseNSIDReply finds the answer to request seq in one datagram of
// rtnetlink messages: the NETNSA_NSID of an RTM_NEWNSID message, or the
// errno of an NLMSG_ERROR. Messages with another sequence number are
// skipped; parts of a multi-part answer without the ID are passed over up
// to NLMSG_DONE. errNotYet means the datagram did not answer.
func parseNSIDReply(datagram []byte, seq uint32) (int, error) {
	for len(datagram) > 0 {
		hdr, payload, rest, err := nextMessage(datagram)
		if err != nil {
			return 0, err
		}
		datagram = rest
		if hdr.Seq != seq {
			continue
		}
		switch hdr.Type {
		case unix.NLMSG_ERROR:
			return 0, netlinkError(payload)
		case unix.NLMSG_DONE:
			return 0, errNoNSID
		case unix.RTM_NEWNSID:
			id, err := nsidAttribute(payload)
			if errors.Is(err, errNoNSID) && hdr.Flags&unix.NLM_F_MULTI != 0 {
				continue
			}
			return id, err
		}
	}
	return 0, errNotYet
}

// nextMessage splits the first netlink message off b: its header, its
// payload and the messages after it.
func nextMessage(b []byte) (hdr unix.NlMsghdr, payload, rest []byte, err error) {
	if len(b) < unix.SizeofNlMsghdr {
		return hdr, nil, nil, fmt.Errorf("netlink: %d bytes left, too few for a header: %w", len(b), ErrMalformed)
	}
	ne := binary.NativeEndian
	hdr = unix.NlMsghdr{Len: ne.Uint32(b[0:]), Type: ne.Uint16(b[4:]), Flags: ne.Uint16(b[6:]),
		Seq: ne.Uint32(b[8:]), Pid: ne.Uint32(b[12:])}
	if hdr.Len < unix.SizeofNlMsghdr || uint64(hdr.Len) > uint64(len(b)) {
		return hdr, nil, nil, fmt.Errorf("netlink: message of %d bytes in %d: %w", hdr.Len, len(b), ErrMalformed)
	}
	next := min(int(hdr.Len+3)&^3, len(b))
	return hdr, b[unix.SizeofNlMsghdr:hdr.Len], b[next:], nil
}

// netlinkError is the error an NLMSG_ERROR payload reports.
func netlinkError(payload []byte) error {
	if len(payload) < 4 {
		return fmt.Errorf("netlink: NLMSG_ERROR of %d bytes: %w", len(payload), ErrMalformed)
	}
	code := int64(int32(binary.NativeEndian.Uint32(payload)))
	if code >= 0 {
		return errNoNSID // an acknowledgement
	}
	return fmt.Errorf("RTM_GETNSID: %w", unix.Errno(-code))
}

// nsidAttribute finds NETNSA_NSID in an RTM_NEWNSID payload: struct
// rtgenmsg (padded to 4 bytes), then attributes.
func nsidAttribute(payload []byte) (int, error) {
	if len(payload) < 4 {
		return 0, fmt.Errorf("netlink: RTM_NEWNSID of %d bytes: %w", len(payload), ErrMalformed)
	}
	ne := binary.NativeEndian
	for attrs := payload[4:]; len(attrs) > 0; {
		if len(attrs) < unix.SizeofRtAttr {
			return 0, fmt.Errorf("netlink: %d bytes left, too few for an attribute: %w", len(attrs), ErrMalformed)
		}
		length, typ := int(ne.Uint16(attrs[0:])), ne.Uint16(attrs[2:])
		if length < unix.SizeofRtAttr || length > len(attrs) {
			return 0, fmt.Errorf("netlink: attribute of %d bytes in %d: %w", length, len(attrs), ErrMalformed)
		}
		if typ == unix.NETNSA_NSID {
			if length != unix.SizeofRtAttr+4 {
				return 0, fmt.Errorf("netlink: NETNSA_NSID of %d bytes: %w", length, ErrMalformed)
			}
			return int(int32(ne.Uint32(attrs[4:]))), nil
		}
		attrs = attrs[min((length+3)&^3, len(attrs)):]
	}
	return 0, errNoNSID
}
