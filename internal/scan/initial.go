package scan

// initialInodes are the inodes the kernel gives its initial namespaces
// (include/uapi/linux/nsfs.h). Those of ipc, uts, user, pid, cgroup and
// time are fixed since each type exists; those of net and mnt since Linux
// 6.18 (before, they were allocated like any other, from 0xF0000000 up,
// so they never take these numbers).
var initialInodes = [NumTypes]uint64{
	IPC: 0xEFFFFFFF, UTS: 0xEFFFFFFE, User: 0xEFFFFFFD, PID: 0xEFFFFFFC,
	Cgroup: 0xEFFFFFFB, Time: 0xEFFFFFFA, Net: 0xEFFFFFF9, Mnt: 0xEFFFFFF8,
}

// markInitial sets Initial on the host's initial namespace of each type:
// the one with the kernel's fixed inode, or else the one kernel threads
// are in (they all live in the initial namespaces, whatever PID 1 does).
// Neither needs PID 1, which even root may be refused. Through a procfs
// that shows no kernel thread (a container's), the initial mount and
// network namespaces of kernels before 6.18 stay unknown.
func (idx *Index) markInitial() {
	var initial [NumTypes]uint64
	for _, p := range idx.Processes {
		if p.Kernel {
			for t, inode := range p.NS {
				if inode != 0 {
					initial[t] = inode
				}
			}
		}
	}
	for _, t := range AllTypes {
		if idx.Lookup(t, initialInodes[t]) != nil {
			initial[t] = initialInodes[t]
		}
		if ns := idx.Lookup(t, initial[t]); ns != nil {
			ns.Initial = true
		}
	}
}

// IsInitial reports whether ns is the host's initial namespace of its
// type (see Namespace.Initial).
func (idx *Index) IsInitial(ns *Namespace) bool { return ns.Initial }
