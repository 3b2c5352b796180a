// Package filter narrows a scan.Index to the namespaces and processes a
// user asked for: by namespace type, by namespace inode and by PID. The
// criteria compose: each one given must hold. It also parses those
// criteria as the command line gives them.
package filter
