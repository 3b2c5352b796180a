// Package render prints a filtered namespace index: as lsns's table
// (table.go), as a tree of PID namespaces and processes or of user
// namespaces and what they own, or as JSON with lsns's keys.
//
// One table of column descriptors per view (columns.go) drives the table
// headings, -o, --list-columns and the JSON keys. Every string a process
// controls goes through Escape before it reaches a terminal, and through
// EscapeFormatRunes in JSON, so no process can write control characters
// or reorder text on the user's screen. Output is written only once all of
// it is known.
package render
