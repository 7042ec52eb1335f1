package main

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/mcp-refcache/taskschema/examples"
	"github.com/mcp-refcache/taskschema/models"
)

// examplesUsage returns the usage text of the examples command.
func examplesUsage() string {
	return `Usage: taskschema examples

Validate the sample payloads built into this program (the files of the
repository's examples/ directory), each against the schema named by the
start of its file name, exactly as validate does, and print the verdicts.
The files under examples/invalid/ are meant to be invalid: their verdict
lists every violation and is followed by "(invalid on purpose)".

Exit status: 0 when every verdict is the intended one, 1 otherwise.
`
}

// runExamples implements "taskschema examples" on the embedded payloads.
func runExamples(args []string, stdout, stderr io.Writer) int {
	const prefix = "taskschema examples"
	if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprint(stdout, examplesUsage())
		return exitOK
	}
	if len(args) > 0 {
		fmt.Fprintf(stderr, "%s: takes no arguments\n", prefix)
		fmt.Fprint(stderr, examplesUsage())
		return exitUsage
	}
	return checkExamples(examples.Payloads, prefix, stdout, stderr)
}

// checkExamples validates every *.json file of fsys as runExamples says.
func checkExamples(fsys fs.FS, prefix string, stdout, stderr io.Writer) int {
	out := &errWriter{w: stdout}
	code := exitOK
	n := 0
	err := fs.WalkDir(fsys, ".", func(file string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(file) != ".json" {
			return err
		}
		n++
		name, ok := exampleSchema(path.Base(file))
		if !ok {
			fmt.Fprintf(stderr, "%s: %s: no schema name starts its file name\n", prefix, file)
			code = exitInvalid
			return nil
		}
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return err
		}
		res, err := verdict(name, "examples/"+file+" ("+name+")", data)
		if err != nil {
			return err
		}
		writeText(out, res)
		wantValid := !strings.HasPrefix(file, "invalid/")
		if !wantValid && !res.Valid {
			fmt.Fprintln(out, "  (invalid on purpose)")
		}
		if res.Valid != wantValid {
			code = exitInvalid
		}
		return nil
	})
	if err == nil && n == 0 {
		err = fmt.Errorf("no sample payloads")
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return exitUsage
	}
	return out.finish(prefix, code, stderr)
}

// exampleSchema returns the schema of a sample payload: the longest schema
// name that its base name starts with, followed by "." or "_".
func exampleSchema(base string) (string, bool) {
	best := ""
	for _, name := range models.SchemaNames() {
		rest, ok := strings.CutPrefix(base, name)
		if ok && (strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "_")) && len(name) > len(best) {
			best = name
		}
	}
	return best, best != ""
}
