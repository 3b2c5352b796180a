// Package scan reads a procfs tree (normally /proc) into an Index: every
// readable process, and every namespace with the processes that live in it.
//
// All reading of procfs and every namespace system call happen here. The procfs
// root is a parameter, so the same code reads /proc, a host's /proc mounted
// elsewhere, or a fixture tree under testdata/. Processes that vanish, are
// zombies or deny access are skipped and counted, never fatal.
//
// Namespace inodes come from readlink on /proc/PID/ns/TYPE ("net:[4026531840]")
// rather than stat: one system call either way, and the same code path then
// reads fixture trees, whose links are dangling symlinks. The hierarchy
// (parents, owners) comes from ioctl_ns(2) on the namespace files, with a
// fallback to what the processes in /proc show.
//
// A PID read early in a scan may belong to another process by the time it is
// used again. Whatever is reopened by PID is checked first: a namespace file
// by its inode (else the next member's is used), a process's files by its
// start time, read through the one directory fd that the later reads use
// too (else its details stay unknown and Index.Reused counts it).
//
// A namespace lives as long as something holds it, and processes are only
// one kind of holder (holders.go). Every scan also reads the threads of
// multi-threaded processes (threads.go) and the mount table of each mount
// namespace once (bindmounts.go); a deep scan (Options.Deep) also reads
// every process's open files (fds.go) and asks its sockets for their
// network namespaces (sockets.go). Namespaces found that way have no
// processes; Index.Path names a file that opens them. initial.go tells the
// host's initial namespaces without needing PID 1.
package scan
