// Command taskschema checks JSON payloads against the taskschema contract and
// prints the embedded JSON Schema files.
//
// Usage:
//
//	taskschema validate --type NAME [--json] FILE...
//	taskschema examples
//	taskschema schema [NAME]
//	taskschema diff [--json] OLD_DIR NEW_DIR
//	taskschema compat [--repo DIR] [--schema DIR] [--changelog FILE] [--base TAG] [--next VERSION]
//	taskschema version
//	taskschema tasks [-redis ADDR] list|get|cancel ...
//	taskschema help [COMMAND]
//
// NAME names a schema by the stem of its file (task_status, task_progress,
// retry_info, task_info or async_task_response), by its title (TaskStatus,
// TaskProgress, RetryInfo, TaskInfo or AsyncTaskResponse) or by its file name
// (task_info.schema.json).
//
// # validate
//
// validate checks each FILE against the schema NAME, with exactly the verdict
// of models.ValidateJSON (and so of models.Unmarshal). A FILE of "-" reads
// standard input, at most once. Flags may come before or after the files; "--"
// ends the flags, so that a file whose name starts with "-" can be given.
//
// It writes one entry per file, in the order given. A valid file gives one
// line, an invalid file one line followed by one indented line per violation:
//
//	examples/task_info.json: valid
//	examples/invalid/task_info_bad.json: invalid
//	  /progress/percentage: maximum: must be at most 100, got 150
//	  /retry_count: minimum: must be at least 0, got -1
//
// Each violation reads "POINTER: KEYWORD: MESSAGE", where POINTER is the JSON
// Pointer (RFC 6901) of the offending value, "(root)" for the whole payload,
// and KEYWORD is the schema keyword that failed, or "json" for a payload that
// is not a single well-formed JSON value.
//
// With --json it writes one JSON object per file per line instead:
//
//	{"file":"a.json","valid":false,"violations":[{"instancePath":"/retry_count","keyword":"minimum","message":"must be at least 0, got -1"}]}
//
// where instancePath is "" for the whole payload and violations is [] (never
// null) for a valid file. Standard input is reported as the file "-".
//
// A file that cannot be read is reported on standard error, and the other
// files are still checked. Without --json it has no entry on standard
// output; with --json it has one, so that a consumer sees every input:
//
//	{"file":"nope.json","valid":false,"error":"open nope.json: no such file or directory","violations":[]}
//
// The same holds when the validator gives no verdict on a file.
//
// # examples
//
// examples validates the sample payloads built into the program (the files
// of the repository's examples/ directory, package examples), each against
// the schema whose name starts its file name, and prints the verdicts as
// validate does. The files under invalid/ are meant to be invalid; the
// status is 0 when every verdict is the intended one. It needs no files, so
// it works from any directory:
//
//	examples/task_info.json (task_info): valid
//	examples/invalid/task_info_bad.json (task_info): invalid
//	  /progress/percentage: maximum: must be at most 100, got 150
//	  /retry_count: minimum: must be at least 0, got -1
//	  (invalid on purpose)
//
// # schema
//
// schema NAME writes the embedded schema file NAME byte for byte, as in the
// schema directory. With no NAME it lists the names, one per line.
//
// # diff
//
// diff compares the *.schema.json files of two directories and writes one
// line per change, "FILE#POINTER: RULE: IMPACT: MESSAGE", then a summary.
// IMPACT says whom the change can break: producers (fewer payloads are
// valid), consumers (more payloads are valid), both, or nobody
// ("compatible"). With --json it writes one JSON object per change per line
// instead. The rules are in docs/SCHEMA-EVOLUTION.md.
//
// # compat
//
// compat runs diff between the schema directory at the last release tag
// vX.Y.Z and the working tree, and fails on a breaking change unless the
// changelog's first section names the next major version or records the
// change as intended. It is what "make compat" runs.
//
// # tasks
//
// tasks runs taskschema-tasks, found on PATH, with the rest of the command
// line: the operator's list, get and cancel of the tasks a Redis store
// keeps. That command lives in the module
// github.com/mcp-refcache/taskschema/tasks/redisstore, because this module
// does not depend on go-redis; install it with
//
//	go install github.com/mcp-refcache/taskschema/tasks/redisstore/cmd/taskschema-tasks@latest
//
// # version
//
// version (or --version) prints the module version of the binary, from its
// build information: the tag for a binary built by "go install ...@v1.2.3".
//
// # Exit status
//
//   - 0: every file is valid (validate), or the schema was written (schema);
//   - 1: some file is invalid, and every file could be read (validate); some
//     change is breaking (diff), and not excused by the changelog (compat);
//   - 2: a usage error (unknown command, flag or schema name, no --type, no
//     FILE) or an I/O error, such as an unreadable file. 2 wins over 1.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mcp-refcache/taskschema/models"
)

// Exit statuses of the command.
const (
	// exitOK means every file is valid, or the requested output was written.
	exitOK = 0
	// exitInvalid means some payload does not satisfy its schema.
	exitInvalid = 1
	// exitUsage means a usage error or an I/O error.
	exitUsage = 2
)

// main runs the command with the process's arguments and streams and exits
// with its status.
func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line args (without the program name) and returns
// the exit status. It reads standard input only from stdin and writes only to
// stdout and stderr, so that tests can call it directly.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "taskschema: no command given")
		fmt.Fprint(stderr, mainUsage())
		return exitUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "validate":
		return runValidate(rest, stdin, stdout, stderr)
	case "schema":
		return runSchema(rest, stdout, stderr)
	case "examples":
		return runExamples(rest, stdout, stderr)
	case "diff":
		return runDiff(rest, stdout, stderr)
	case "compat":
		return runCompat(rest, stdout, stderr)
	case "tasks":
		return runTasks(rest, stdin, stdout, stderr)
	case "version", "--version", "-version":
		return runVersion(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		return runHelp(cmd, rest, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "taskschema: unknown command %q\n", cmd)
		fmt.Fprint(stderr, mainUsage())
		return exitUsage
	}
}

// runHelp prints the usage of the whole command, or, for "help COMMAND", of
// one command, to stdout.
func runHelp(cmd string, args []string, stdout, stderr io.Writer) int {
	if cmd != "help" || len(args) == 0 {
		fmt.Fprint(stdout, mainUsage())
		return exitOK
	}
	if len(args) > 1 {
		fmt.Fprintln(stderr, "taskschema help: at most one COMMAND")
		fmt.Fprint(stderr, mainUsage())
		return exitUsage
	}
	switch args[0] {
	case "validate":
		fmt.Fprint(stdout, validateUsage())
	case "schema":
		fmt.Fprint(stdout, schemaUsage())
	case "examples":
		fmt.Fprint(stdout, examplesUsage())
	case "diff":
		fmt.Fprint(stdout, diffUsage())
	case "compat":
		fmt.Fprint(stdout, compatUsage())
	default:
		fmt.Fprintf(stderr, "taskschema help: unknown command %q\n", args[0])
		fmt.Fprint(stderr, mainUsage())
		return exitUsage
	}
	return exitOK
}

// mainUsage returns the usage text of the whole command.
func mainUsage() string {
	return `Usage:
  taskschema validate --type NAME [--json] FILE...
  taskschema examples
  taskschema schema [NAME]
  taskschema diff [--json] OLD_DIR NEW_DIR
  taskschema compat [--repo DIR] [--schema DIR] [--changelog FILE] [--base TAG] [--next VERSION]
  taskschema version
  taskschema tasks [-redis ADDR] list|get|cancel ...
  taskschema help [COMMAND]

Commands:
  validate  check JSON payloads (FILE, or - for standard input) against a schema
  examples  validate the built-in sample payloads (needs no files)
  schema    print an embedded schema, or list the schema names
  diff      classify the changes between two schema directories
  compat    diff the schemas against the last release tag; apply the release policy
  version   print the version of this program (also --version)
  tasks     list, get or cancel the tasks in Redis (runs taskschema-tasks)
  help      print this text, or the usage of COMMAND

` + schemaNameHelp() + `

Exit status: 0 all valid (or no breaking change), 1 some payload invalid (or
some change breaking), 2 usage or I/O error.
Run 'taskschema COMMAND -h' for the details of a command.
`
}

// schemaNameList returns the schema names separated by commas.
func schemaNameList() string {
	return strings.Join(models.SchemaNames(), ", ")
}

// errWriter remembers the first error of the writes to w and drops every
// write after it, so that a command can report a failed standard output once,
// at the end.
type errWriter struct {
	w   io.Writer
	err error
}

// Write writes p to the underlying writer unless an earlier write failed.
func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}

// finish turns a failed standard output into an I/O error: it reports it on
// stderr and returns exitUsage, and otherwise returns code.
func (e *errWriter) finish(prefix string, code int, stderr io.Writer) int {
	if e.err != nil {
		fmt.Fprintf(stderr, "%s: write standard output: %v\n", prefix, e.err)
		return exitUsage
	}
	return code
}
