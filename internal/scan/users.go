package scan

import (
	"bytes"
	"os"
	"os/user"
	"strconv"
	"sync"
)

// userCache names users from the user database of the host whose
// processes are scanned: ROOT/1/root/etc/passwd (or kthreadd's root), so
// that nsview in a container, reading the host's procfs, names users as
// the host does even when its own image has no /etc/passwd. Where the
// host's file cannot be read, it asks the user database nsview sees.
type userCache struct {
	mu       sync.Mutex
	hostRoot func() (string, error) // see Index.hostRoot
	passwd   map[uint32]string      // the host's /etc/passwd; nil until read
	names    map[uint32]string      // every answer given
}

func newUserCache(hostRoot func() (string, error)) *userCache {
	return &userCache{hostRoot: hostRoot, names: make(map[uint32]string)}
}

func (c *userCache) name(uid uint32) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if name, ok := c.names[uid]; ok {
		return name
	}
	if c.passwd == nil {
		c.passwd = c.readHostPasswd()
	}
	name, ok := c.passwd[uid]
	if !ok {
		name = strconv.FormatUint(uint64(uid), 10)
		if u, err := user.LookupId(name); err == nil {
			name = u.Username
		}
	}
	c.names[uid] = name
	return name
}

// readHostPasswd reads the host's /etc/passwd; empty when it cannot.
func (c *userCache) readHostPasswd() map[uint32]string {
	host, err := c.hostRoot()
	if err != nil {
		return map[uint32]string{}
	}
	data, err := os.ReadFile(host + "/etc/passwd")
	if err != nil {
		return map[uint32]string{}
	}
	return ParsePasswd(data)
}

// ParsePasswd returns the user names of a passwd(5) file by UID, the first
// name for a UID listed twice. Lines that are not NAME:PASSWORD:UID:...
// with a decimal UID are skipped.
func ParsePasswd(data []byte) map[uint32]string {
	names := make(map[uint32]string)
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		fields := bytes.SplitN(line, []byte{':'}, 4)
		if len(fields) < 4 || len(fields[0]) == 0 {
			continue
		}
		uid, err := strconv.ParseUint(string(fields[2]), 10, 32)
		if err != nil {
			continue
		}
		if _, dup := names[uint32(uid)]; !dup {
			names[uint32(uid)] = string(fields[0])
		}
	}
	return names
}
