package main

import "runtime/debug"

// stampedVersion is set at build time by the Makefile:
// -ldflags "-X main.stampedVersion=$(git describe --tags --always --dirty)".
var stampedVersion string

// version is the version -V prints: the stamped one, else the module's
// version for a `go install nsview@vX` build, else "devel".
func version() string {
	if stampedVersion != "" {
		return stampedVersion
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
