package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClientsExact holds the generated client types to the schema model:
// enums as unions and Enums, nullable as "| null" and Optional, bounds as
// doc comments and ge/le, required members without "?" or a default.
func TestClientsExact(t *testing.T) {
	m, err := loadModel("../schema")
	if err != nil {
		t.Fatal(err)
	}
	ts := string(renderTypeScript(m))
	py := string(renderPython(m))
	for _, want := range []string{
		`export type TaskStatus = "pending" | "processing" | "complete" | "failed" | "cancelled";`,
		"  completed_at?: number | null;",
		"  ref_id: string;",
		"  retry_history?: RetryInfo[];",
		"  progress?: TaskProgress | null;",
		"  is_async: true;",
		"   * @maximum 253402300799",
		"  ttl: number | null;",
	} {
		if !strings.Contains(ts, want) {
			t.Errorf("types.gen.ts lacks %q", want)
		}
	}
	for _, want := range []string{
		`    PENDING = "pending"`,
		`    completed_at: Optional[float] = Field(default=None, ge=0, le=253402300799, description=`,
		`    ref_id: str = Field(description=`,
		`    retry_count: Integer = Field(default=0, ge=0, le=9007199254740991, description=`,
		`    status: TaskStatus = Field(default=TaskStatus.PENDING, description=`,
		`    retry_history: List[RetryInfo] = Field(default_factory=list, description=`,
		`    is_async: Literal[True] = Field(description=`,
		`    started_at: DateTime = Field(description=`,
		`    ttl: Optional[Integer] = Field(ge=0, le=9007199254740991, description=`,
	} {
		if !strings.Contains(py, want) {
			t.Errorf("models.py lacks %q", want)
		}
	}
}

// TestWriteClients writes the client files into a fresh directory: the
// generated files and a copy of every schema file in each package.
func TestWriteClients(t *testing.T) {
	dir := t.TempDir()
	if err := writeClients("../schema", "../schema/"+bundleFileName, dir); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../schema/*.json")
	for _, f := range files {
		want, _ := os.ReadFile(f)
		for _, d := range []string{tsSchemaDir, pySchemaDir} {
			got, err := os.ReadFile(filepath.Join(dir, d, filepath.Base(f)))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s/%s is not a copy of %s (%v)", d, filepath.Base(f), f, err)
			}
		}
	}
	for _, f := range []string{tsTypesFile, tsParsersFile, pyModelsFile} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || !bytes.Contains(data, []byte("DO NOT EDIT")) {
			t.Errorf("%s: %v", f, err)
		}
	}
}
