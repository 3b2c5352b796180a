// Package snapshot writes a scan to one JSON document and reads such
// documents back into an Index that any view renders, on another machine
// or later: `nsview snapshot`, `nsview diff`, and the views' --input.
//
// # The document
//
//	{
//	  "version": 1,
//	  "host": "node1", "time": "2026-11-23T21:40:00Z", "kernel": "6.8.0-45-generic",
//	  "root": "/proc",
//	  "namespaces": [
//	    {"type": "pid", "inode": 4026532300, "parent": 4026531836, "owner": 4026531837,
//	     "owner_uid": null, "level": 1, "nsfs": [], "netnsid": null, "pids": [301, 302]}
//	  ],
//	  "processes": [
//	    {"pid": 301, "ppid": 300, "uid": 0, "user": "root", "name": "sleep", "state": "S",
//	     "start_time": 4242, "command": "sleep 1000", "cgroup": "/system.slice/x.service",
//	     "nspid": [301, 1], "ns": {"pid": 4026532300, "net": 4026531840}, "container": null}
//	  ],
//	  "skipped": {"denied": 0, "gone": 1, "broken": 0},
//	  "partial_hierarchy": false, "reused": 0
//	}
//
// A namespace's "pids" repeat, for readers such as jq, what the processes'
// "ns" say; Load rebuilds the members from "ns". Unknown values are null: a parent, owner, owner_uid, level or netnsid the
// scan could not tell. A netnsid of -1 is "unassigned". "command" is null
// when the writer left command lines out (Options.Commands), since they can
// carry secrets; readers then show the name. Text that is not valid UTF-8
// (a process controls its name and arguments) cannot be a JSON string: the
// string then holds it with U+FFFD for the bad bytes, and a sibling key
// ("name_bytes", "command_bytes", "cgroup_bytes") holds the exact bytes in
// base64. Everything a process controls is untrusted: readers escape it as
// they escape live text, and Load validates what it rebuilds.
//
// # Versions
//
// "version" is an integer that changes only when a reader of the previous
// version would misread a document: a key removed, or one whose meaning or
// type changes. Adding a key keeps the version: readers ignore keys they do
// not know, and a key a document lacks reads as unknown (null, empty). So
// new namespace facts (holders, mounts, containers) are added as new keys.
// A reader accepts documents of its own version and older ones it knows,
// and rejects a newer version with an error that says to upgrade, rather
// than show a document it may misread.
package snapshot
