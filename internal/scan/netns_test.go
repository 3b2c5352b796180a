package scan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// The test's own netlink encoder, for the replies parseNSIDReply reads.

// message is one netlink message with its header and payload, padded to 4
// bytes.
func message(typ, flags uint16, seq uint32, payload []byte) []byte {
	ne := binary.NativeEndian
	m := make([]byte, unix.SizeofNlMsghdr, unix.SizeofNlMsghdr+len(payload)+3)
	ne.PutUint32(m[0:], uint32(unix.SizeofNlMsghdr+len(payload)))
	ne.PutUint16(m[4:], typ)
	ne.PutUint16(m[6:], flags)
	ne.PutUint32(m[8:], seq)
	ne.PutUint32(m[12:], 4242) // the port, which nsview does not check
	m = append(m, payload...)
	return append(m, make([]byte, (4-len(m)%4)%4)...)
}

// attribute is one rtnetlink attribute.
func attribute(typ uint16, value []byte) []byte {
	a := binary.NativeEndian.AppendUint16(nil, uint16(unix.SizeofRtAttr+len(value)))
	a = binary.NativeEndian.AppendUint16(a, typ)
	a = append(a, value...)
	return append(a, make([]byte, (4-len(a)%4)%4)...)
}

// nsidAttr is a NETNSA_NSID attribute holding id.
func nsidAttr(id int32) []byte {
	return attribute(unix.NETNSA_NSID, binary.NativeEndian.AppendUint32(nil, uint32(id)))
}

// newNSID is an RTM_NEWNSID message: rtgenmsg, then the attributes.
func newNSID(seq uint32, flags uint16, attrs ...[]byte) []byte {
	return message(unix.RTM_NEWNSID, flags, seq, append([]byte{unix.AF_UNSPEC, 0, 0, 0}, bytes.Join(attrs, nil)...))
}

// nlError is an NLMSG_ERROR message with the given error code (-errno,
// or 0 for an acknowledgement) and the header of the request.
func nlError(seq uint32, code int32) []byte {
	payload := binary.NativeEndian.AppendUint32(nil, uint32(code))
	payload = append(payload, nsidRequest(seq, 4242, 3)[:unix.SizeofNlMsghdr]...)
	return message(unix.NLMSG_ERROR, 0, seq, payload)
}

func TestParseNSIDReply(t *testing.T) {
	const seq = 7
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	other := attribute(unix.NETNSA_PID, []byte{1, 0, 0, 0})
	cases := []struct {
		name  string
		reply []byte
		id    int
		err   error // nil: id is the answer
	}{
		{"answer", newNSID(seq, 0, nsidAttr(5)), 5, nil},
		{"unassigned", newNSID(seq, 0, nsidAttr(-1)), NetNSIDUnassigned, nil},
		{"after another attribute", newNSID(seq, 0, other, nsidAttr(9)), 9, nil},
		{"stale answer first", cat(newNSID(seq-1, 0, nsidAttr(1)), newNSID(seq, 0, nsidAttr(2))), 2, nil},
		{"only a stale answer", newNSID(seq-1, 0, nsidAttr(1)), 0, errNotYet},
		{"stale error first", cat(nlError(seq+1, -int32(unix.EPERM)), newNSID(seq, 0, nsidAttr(3))), 3, nil},
		{"error", nlError(seq, -int32(unix.EINVAL)), 0, unix.EINVAL},
		{"acknowledgement", nlError(seq, 0), 0, errNoNSID},
		{"no ID", newNSID(seq, 0, other), 0, errNoNSID},
		{"multi-part, ID in the second part", cat(newNSID(seq, unix.NLM_F_MULTI, other), newNSID(seq, unix.NLM_F_MULTI, nsidAttr(4))), 4, nil},
		{"multi-part, first part only", newNSID(seq, unix.NLM_F_MULTI, other), 0, errNotYet},
		{"multi-part without ID", cat(newNSID(seq, unix.NLM_F_MULTI, other), message(unix.NLMSG_DONE, unix.NLM_F_MULTI, seq, []byte{0, 0, 0, 0})), 0, errNoNSID},
		{"noop first", cat(message(unix.NLMSG_NOOP, 0, seq, nil), newNSID(seq, 0, nsidAttr(6))), 6, nil},
		{"empty", nil, 0, errNotYet},
		{"short header", newNSID(seq, 0, nsidAttr(5))[:12], 0, ErrMalformed},
		{"truncated message", newNSID(seq, 0, nsidAttr(5))[:24], 0, ErrMalformed},
		{"length below the header", cat([]byte{4, 0, 0, 0}, newNSID(seq, 0, nsidAttr(5))[4:]), 0, ErrMalformed},
		{"short error", message(unix.NLMSG_ERROR, 0, seq, []byte{1, 2}), 0, ErrMalformed},
		{"no rtgenmsg", message(unix.RTM_NEWNSID, 0, seq, []byte{0, 0}), 0, ErrMalformed},
		{"short ID", newNSID(seq, 0, attribute(unix.NETNSA_NSID, []byte{5, 0})), 0, ErrMalformed},
		{"attribute overruns", message(unix.RTM_NEWNSID, 0, seq, []byte{0, 0, 0, 0, 64, 0, 1, 0, 5, 0, 0, 0}), 0, ErrMalformed},
	}
	for _, tc := range cases {
		id, err := parseNSIDReply(tc.reply, seq)
		if tc.err == nil && (err != nil || id != tc.id) || tc.err != nil && !errors.Is(err, tc.err) {
			t.Errorf("%s: parseNSIDReply = %d, %v; want %d, %v", tc.name, id, err, tc.id, tc.err)
		}
	}
}

// FuzzParseNSIDReply checks two properties. A reply built by the encoder
// above, after a stale answer with another sequence number, parses to its
// ID for its own sequence number and to no value for any other. And
// whatever the input, an ID is returned only if the input holds an
// RTM_NEWNSID message with the request's sequence number that contains a
// NETNSA_NSID attribute with that ID.
func FuzzParseNSIDReply(f *testing.F) {
	f.Add(newNSID(7, 0, nsidAttr(5)), uint32(7), int32(5))
	f.Add(bytes.Join([][]byte{newNSID(6, 0, nsidAttr(1)), newNSID(7, 0, nsidAttr(2))}, nil), uint32(7), int32(-1))
	f.Add(nlError(7, -int32(unix.EINVAL)), uint32(1), int32(0))
	f.Add(newNSID(7, unix.NLM_F_MULTI, attribute(unix.NETNSA_PID, []byte{1, 0, 0, 0})), uint32(7), int32(3))
	f.Fuzz(func(t *testing.T, data []byte, seq uint32, id int32) {
		reply := append(newNSID(seq+1, 0, nsidAttr(id+1)), newNSID(seq, 0, nsidAttr(id))...)
		if got, err := parseNSIDReply(reply, seq); err != nil || got != int(id) {
			t.Errorf("encoded reply seq %d id %d parsed to %d, %v", seq, id, got, err)
		}
		if got, err := parseNSIDReply(reply, seq+2); err == nil {
			t.Errorf("encoded reply seq %d parsed to %d for seq %d", seq, got, seq+2)
		}
		got, err := parseNSIDReply(data, seq)
		if err == nil && !holdsNSID(data, seq, int32(got)) {
			t.Errorf("parseNSIDReply(%q, %d) = %d without such an answer in it", data, seq, got)
		}
	})
}

// holdsNSID reports whether data has, at a 4-byte boundary, a whole
// RTM_NEWNSID message with sequence number seq holding NETNSA_NSID id.
func holdsNSID(data []byte, seq uint32, id int32) bool {
	ne := binary.NativeEndian
	for at := 0; at+unix.SizeofNlMsghdr <= len(data); at += 4 {
		m := data[at:]
		length := int(ne.Uint32(m))
		if ne.Uint16(m[4:]) == unix.RTM_NEWNSID && ne.Uint32(m[8:]) == seq &&
			length <= len(m) && bytes.Contains(m[unix.SizeofNlMsghdr:max(length, unix.SizeofNlMsghdr)], nsidAttr(id)) {
			return true
		}
	}
	return false
}
