// Command gen generates package models from the JSON Schema files in
// schema/: it reads the directory once into one model (see loadModel), and
// writes from it
//
//   - the Go types (models/types_gen.go), whose structs come from
//     github.com/atombender/go-jsonschema (pinned in this module's go.mod),
//     run as a library with a file-only loader and post-processed (see
//     postProcess for each step and why);
//   - the readers, checks, writers, default constructors, encoding/json
//     methods and the table of schema names and Go types
//     (models/model_gen.go);
//   - the plain mirror types that the tests and benchmarks of models compare
//     with (models/plain_gen_test.go);
//   - the field tables of docs/MODELS.md;
//   - the single-file bundle schema/taskschema.bundle.json for non-Go
//     clients;
//   - the generated files of the client packages in clients/ (see
//     writeClients): the TypeScript types, the pydantic models, and a copy
//     of the schema files in each.
//
// The Go files are rendered from the text/template files in templates/.
//
// It is run by `go generate ./...` from models/generate.go; run by hand:
//
//	go -C gen run . -schemas ../schema -models ../models -doc ../docs/MODELS.md
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	schemaDir := flag.String("schemas", "../schema", "directory of the *.schema.json files")
	modelsDir := flag.String("models", "../models", "directory of package models, where the Go files are written")
	doc := flag.String("doc", "../docs/MODELS.md", "Markdown file whose field tables to rewrite")
	bundleOut := flag.String("bundle", "../schema/"+bundleFileName, "file to write the single-file bundle of all schemas to")
	clients := flag.String("clients", "../clients", "directory of the client packages, whose generated files are written (empty: none)")
	flag.Parse()
	err := run(*schemaDir, *modelsDir, *doc, *bundleOut)
	if err == nil && *clients != "" {
		err = writeClients(*schemaDir, *bundleOut, *clients)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// outputs are the Go files written into the models directory, by template.
var outputs = map[string]string{
	"types.go.tmpl": "types_gen.go",
	"model.go.tmpl": "model_gen.go",
	"plain.go.tmpl": "plain_gen_test.go",
}

func run(schemaDir, modelsDir, doc, bundleOut string) error {
	m, err := loadModel(schemaDir)
	if err != nil {
		return err
	}
	src, err := runGenerator(schemaDir, m)
	if err != nil {
		return err
	}
	if err := postProcess(src, m); err != nil {
		return err
	}
	for tmpl, file := range outputs {
		out, err := render(tmpl, m)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(modelsDir, file), out, 0o644); err != nil {
			return err
		}
	}
	text, err := os.ReadFile(doc)
	if err != nil {
		return err
	}
	text, err = replaceTable(text, m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(doc, text, 0o644); err != nil {
		return err
	}
	return writeBundle(m.Files(), bundleOut)
}
