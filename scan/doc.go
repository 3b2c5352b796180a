// Package scan reads a procfs tree (normally /proc) into an Index: every
// readable process, and every namespace with the processes that live in it.
//
// All file-system and system-call work of nsview happens here. The procfs
// root is a parameter, so the same code reads /proc, a host's /proc mounted
// elsewhere, or a fixture tree under testdata/. Processes that vanish, are
// zombies or deny access are skipped and counted, never fatal.
package scan
