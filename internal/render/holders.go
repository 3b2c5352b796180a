package render

import (
	"fmt"
	"strconv"

	"github.com/nsview/nsview/internal/scan"
)

// holderRow is one thing that keeps a namespace alive, as the member view
// lists them for a namespace without processes.
type holderRow struct {
	kind  string // a holder name, as in the HOLDERS column
	where string // a path to it, or the namespaces it is a parent or owner of
}

// holderColumns are the columns of that list.
var holderColumns = []Column[holderRow]{
	{Name: "HOLDER", Type: "string", Help: "what keeps the namespace alive",
		Value: func(r holderRow) any { return r.kind }},
	{Name: "WHERE", Type: "string", Help: "the bind mount, thread, open file or socket; the namespaces it is a parent or owner of",
		Value: func(r holderRow) any { return r.where }},
}

// holderRows lists what holds ns, a row per bind mount, thread, open file
// and socket, and one for its children and one for what it owns.
func holderRows(idx *scan.Index, ns *scan.Namespace) []holderRow {
	var rows []holderRow
	for _, m := range ns.Mounts {
		rows = append(rows, holderRow{"bind-mount", mountText(idx, m)})
	}
	for _, th := range ns.Threads {
		rows = append(rows, holderRow{"thread", idx.Root + "/" + strconv.Itoa(th.PID) + "/task/" + strconv.Itoa(th.TID)})
	}
	for _, fd := range ns.FDs {
		rows = append(rows, holderRow{"fd", fd})
	}
	for _, sock := range ns.Sockets {
		rows = append(rows, holderRow{"socket", sock})
	}
	var children, owned []string
	for _, other := range idx.Namespaces {
		switch {
		case other.Type == ns.Type && other.Parent == ns.Inode && other != ns:
			children = append(children, other.Key().String())
		case ns.Type == scan.User && other.Owner == ns.Inode && other.Type != scan.User:
			owned = append(owned, other.Key().String())
		}
	}
	if len(children) > 0 {
		rows = append(rows, holderRow{"parent", "of " + joinCapped(children)})
	}
	if len(owned) > 0 {
		rows = append(rows, holderRow{"owner", "of " + joinCapped(owned)})
	}
	return rows
}

// joinCapped joins the first few names, saying how many more there are.
func joinCapped(names []string) string {
	const most = 4
	if len(names) <= most {
		return fmt.Sprint(names)
	}
	return fmt.Sprintf("%v and %d more", names[:most], len(names)-most)
}

// mountText is a bind mount as "PATH (mnt:[INODE])", with the mount
// namespace it is in when known.
func mountText(idx *scan.Index, m scan.Mount) string {
	if m.MntNS == 0 {
		return idx.MountPath(m)
	}
	return fmt.Sprintf("%s (%s)", idx.MountPath(m), scan.Key{Type: scan.Mnt, Inode: m.MntNS})
}
