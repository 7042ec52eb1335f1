// Command gen generates the Go types of package models from the JSON Schema
// files in schema/, the readers and checks of the fast path
// (models/checks_gen.go), the field tables of README.md, and the single-file
// bundle schema/taskschema.bundle.json for non-Go clients. It runs
// github.com/atombender/go-jsonschema (pinned in this module's go.mod) as a
// library with a file-only loader, then post-processes its output; see
// postProcess for each step and why.
//
// It is run by `go generate ./...` from models/generate.go; run by hand:
//
//	go -C gen run . -schemas ../schema -types ../models/types_gen.go -checks ../models/checks_gen.go -readme ../README.md
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// names lists the schema stems in the order the types and tables are written.
var names = []string{"task_status", "task_progress", "retry_info", "task_info", "async_task_response"}

func main() {
	schemaDir := flag.String("schemas", "../schema", "directory of the *.schema.json files")
	typesOut := flag.String("types", "../models/types_gen.go", "Go file to write the types to")
	checksOut := flag.String("checks", "../models/checks_gen.go", "Go file to write the readers and checks to")
	readme := flag.String("readme", "../README.md", "README whose field tables to rewrite")
	bundleOut := flag.String("bundle", "../schema/"+bundleFileName, "file to write the single-file bundle of all schemas to")
	flag.Parse()
	if err := run(*schemaDir, *typesOut, *checksOut, *readme); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := writeBundle(*schemaDir, names, *bundleOut); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(schemaDir, typesOut, checksOut, readme string) error {
	if err := checkNames(schemaDir); err != nil {
		return err
	}
	docs, err := readSchemas(schemaDir, names)
	if err != nil {
		return err
	}
	src, err := runGenerator(schemaDir, docs)
	if err != nil {
		return err
	}
	types, structs, err := postProcess(src, docs)
	if err != nil {
		return err
	}
	if err := os.WriteFile(typesOut, types, 0o644); err != nil {
		return err
	}
	checks, err := writeChecks(docs, structs)
	if err != nil {
		return err
	}
	if err := os.WriteFile(checksOut, checks, 0o644); err != nil {
		return err
	}
	text, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	text, err = replaceTable(text, docs)
	if err != nil {
		return err
	}
	return os.WriteFile(readme, text, 0o644)
}

// checkNames fails when the schema directory holds other files than names
// lists, so that a new schema cannot be left out of the generated code.
func checkNames(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.schema.json"))
	if err != nil {
		return err
	}
	var found []string
	for _, f := range files {
		found = append(found, strings.TrimSuffix(filepath.Base(f), ".schema.json"))
	}
	want := slices.Sorted(slices.Values(names))
	if !slices.Equal(found, want) {
		return fmt.Errorf("%s holds schemas %v, but gen knows %v: update names in gen/main.go", dir, found, want)
	}
	return nil
}
