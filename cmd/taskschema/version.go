package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// readBuildInfo is debug.ReadBuildInfo, replaced by tests.
var readBuildInfo = debug.ReadBuildInfo

// runVersion implements "taskschema version" and "taskschema --version": it
// prints the module path and version of the binary, from its build
// information. A binary built by "go install ...@v1.2.3" prints v1.2.3; one
// built in a checkout prints the version the go command derived from the
// version control information, or "(devel)".
func runVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "taskschema version: takes no arguments")
		fmt.Fprint(stderr, mainUsage())
		return exitUsage
	}
	out := &errWriter{w: stdout}
	fmt.Fprintln(out, versionLine())
	return out.finish("taskschema version", exitOK, stderr)
}

// versionLine returns "taskschema VERSION (MODULE, GOVERSION)".
func versionLine() string {
	info, ok := readBuildInfo()
	if !ok {
		return "taskschema (unknown version: no build information)"
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	path := info.Main.Path
	if path == "" {
		path = "github.com/mcp-refcache/taskschema"
	}
	return fmt.Sprintf("taskschema %s (%s, %s)", version, path, info.GoVersion)
}
