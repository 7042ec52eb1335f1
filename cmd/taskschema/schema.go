package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/mcp-refcache/taskschema/models"
)

// schemaUsage returns the usage text of the schema command.
func schemaUsage() string {
	return `Usage: taskschema schema [NAME]

Write the embedded schema file NAME byte for byte, exactly as in the schema
directory, or with no NAME list the schema names, one per line.

` + schemaNameHelp() + `

Flags:
  -h, --help  print this text

Exit status: 0 written; 2 a usage error, such as an unknown NAME.
`
}

// runSchema implements "taskschema schema".
func runSchema(args []string, stdout, stderr io.Writer) int {
	const prefix = "taskschema schema"
	fs := newFlagSet("schema")
	names, err := parseArgs(fs, args)
	if err == nil && len(names) > 1 {
		err = errors.New("at most one NAME")
	}
	if err == nil && len(names) == 1 {
		stem, ok := resolveSchemaName(names[0])
		if !ok {
			err = fmt.Errorf("unknown schema %q (known: %s)", names[0], schemaNameList())
		}
		names[0] = stem
	}
	if err != nil {
		return usageError(err, "schema", schemaUsage(), stdout, stderr)
	}

	out := &errWriter{w: stdout}
	if len(names) == 0 {
		for _, n := range models.SchemaNames() {
			fmt.Fprintln(out, n)
		}
		return out.finish(prefix, exitOK, stderr)
	}
	data, err := models.SchemaJSON(names[0])
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return exitUsage
	}
	_, _ = out.Write(data)
	return out.finish(prefix, exitOK, stderr)
}
