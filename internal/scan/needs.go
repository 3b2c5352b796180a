package scan

import "slices"

// Need is a set of things a view reads beyond each namespace's type and
// inode. Each column and each view kind states its needs; the scan options
// and the process details to read are derived from their union, so nothing
// else has to know what a column reads.
type Need uint16

// The needs a view may have.
const (
	// NeedMembers reads every process, for member counts, lowest PIDs and
	// member lists (which also need NeedStat). Without it, a view of one
	// PID reads that process alone.
	NeedMembers Need = 1 << iota
	// NeedStat reads every process's stat, for its PPID, name, state and
	// start time. Without it a scan of every process reads stat only for
	// those that may be the lowest PID of a namespace, which are all that
	// a namespace row shows (Options.LeaderStats).
	NeedStat
	// NeedHierarchy resolves the parents and owners of namespaces of every
	// shown type. PID and user namespaces always have theirs resolved, so
	// that their ancestors are listed whatever the columns.
	NeedHierarchy
	NeedNetNSID // network namespace IDs, for Namespace.NetNSID
	NeedCmdline // Process.Cmdline
	// NeedLeaderCmdline is Process.Cmdline of each namespace's lowest-PID
	// process only, which the scan reads while it reads the process.
	NeedLeaderCmdline
	NeedCgroup // Process.Cgroup
	NeedNSpid  // Process.NSpid
	// NeedContainers reads each process's cgroup during the scan to tell
	// which container it runs in, and which container and pod each
	// namespace belongs to.
	NeedContainers
	// NeedNamespaceContainers tells which container and pod each namespace
	// belongs to, and not each process: a process in none but the host's
	// initial namespaces, which are never attributed, is not read for it.
	NeedNamespaceContainers
)

// Details is the part of n that Index.Describe reads.
func (n Need) Details() Details {
	// Describe reads the leaders' command lines that the scan could not.
	return Details{Cmdline: n&(NeedCmdline|NeedLeaderCmdline) != 0, Cgroup: n&NeedCgroup != 0, NSpid: n&NeedNSpid != 0}
}

// OptionsFor returns the options of a scan of root for a view that shows
// namespaces of the given types (nil: all) and needs n. A view of one PID
// (pid nonzero) that needs no members reads that process alone.
func OptionsFor(root string, types []Type, pid int, n Need) Options {
	opts := Options{Root: root, NetNSID: n&NeedNetNSID != 0, Hierarchy: true,
		HierarchyTypes: []Type{PID, User}, Containers: n&(NeedContainers|NeedNamespaceContainers) != 0,
		NamespaceContainersOnly: n&NeedContainers == 0, LeaderCmdlines: n&NeedLeaderCmdline != 0,
		LeaderStats: n&NeedStat == 0}
	if n&NeedHierarchy != 0 {
		opts.HierarchyTypes = nil // all types
		if types != nil {
			opts.HierarchyTypes = append(slices.Clone(types), PID, User)
		}
	}
	if pid != 0 && n&NeedMembers == 0 {
		opts.OnlyPID = pid
	}
	return opts
}
