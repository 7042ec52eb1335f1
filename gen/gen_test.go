package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerateMatchesCommitted regenerates the types and the README tables
// into a temporary directory and compares them with the committed files, so
// that `go test` alone catches a schema edited without `make generate`.
func TestGenerateMatchesCommitted(t *testing.T) {
	dir := t.TempDir()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), readme, 0o644); err != nil {
		t.Fatal(err)
	}
	types := filepath.Join(dir, "types_gen.go")
	checks := filepath.Join(dir, "checks_gen.go")
	if err := run("../schema", types, checks, filepath.Join(dir, "README.md")); err != nil {
		t.Fatal(err)
	}
	for got, want := range map[string]string{types: "../models/types_gen.go", checks: "../models/checks_gen.go", filepath.Join(dir, "README.md"): "../README.md"} {
		g, _ := os.ReadFile(got)
		w, _ := os.ReadFile(want)
		if string(g) != string(w) {
			t.Errorf("%s is out of date: run make generate", want)
		}
	}
	src, _ := os.ReadFile(types)
	for _, bad := range []string{"interface{}", "_0 ", "SchemaJson", "omitzero", "*int `json:\"current,omitempty"} {
		if strings.Contains(string(src), bad) {
			t.Errorf("generated code contains %q", bad)
		}
	}
}

func TestSeriousWarnings(t *testing.T) {
	got := seriousWarnings([]string{
		`Multiple types map to the name "TaskProgress"; declaring duplicate as "TaskProgress_1" instead`,
		"Property x has multiple types; will be represented as interface{} with no validation",
	})
	if len(got) != 1 || !strings.Contains(got[0], "interface{}") {
		t.Fatalf("got %q", got)
	}
}

func TestReplaceTableNeedsMarkers(t *testing.T) {
	if _, err := replaceTable([]byte("# no markers\n"), nil); err == nil {
		t.Fatal("want an error for a README without markers")
	}
}

func TestCheckNames(t *testing.T) {
	dir := t.TempDir()
	for _, n := range names {
		os.WriteFile(filepath.Join(dir, n+".schema.json"), []byte("{}"), 0o644)
	}
	if err := checkNames(dir); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "extra.schema.json"), []byte("{}"), 0o644)
	if err := checkNames(dir); err == nil {
		t.Fatal("want an error for a schema gen does not know")
	}
}
