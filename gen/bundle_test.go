package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateBundle = flag.Bool("update-bundle", false, "rewrite ../schema/"+bundleFileName+" instead of comparing it")

// TestBundleMatchesCommitted rebuilds the bundle from ../schema and compares
// it with the committed file, so that `go test` alone catches a schema edited
// without `make generate`. (Its verdicts are compared with the separate files'
// on the whole corpus by tests/conformance_test.go.)
func TestBundleMatchesCommitted(t *testing.T) {
	committed := filepath.Join("..", "schema", bundleFileName)
	if *updateBundle {
		if err := writeBundle(schemaFiles(t), committed); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), bundleFileName)
	if err := writeBundle(schemaFiles(t), out); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	want, err := os.ReadFile(committed)
	if err != nil {
		t.Fatalf("%v: run make generate", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date: run make generate", committed)
	}
}

// TestBundleShape checks what docs/CLIENTS.md promises about the bundle.
func TestBundleShape(t *testing.T) {
	data, err := buildBundle(schemaFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Schema string                    `json:"$schema"`
		ID     string                    `json:"$id"`
		Defs   map[string]map[string]any `json:"$defs"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	if b.Schema != bundleDraft2020 {
		t.Errorf("$schema = %q", b.Schema)
	}
	if want := "https://mcp-refcache.github.io/taskschema/schema/v1/taskschema.bundle.json"; b.ID != want {
		t.Errorf("$id = %q, want %q", b.ID, want)
	}
	if strings.HasSuffix(bundleFileName, ".schema.json") {
		t.Errorf("%s must not end with .schema.json: package schema would embed it", bundleFileName)
	}
	for _, title := range []string{"TaskStatus", "TaskProgress", "RetryInfo", "TaskInfo", "AsyncTaskResponse"} {
		def, ok := b.Defs[title]
		if !ok {
			t.Errorf("no $defs/%s", title)
			continue
		}
		if _, ok := def["$id"]; ok {
			t.Errorf("$defs/%s keeps its $id", title)
		}
		if _, ok := def["$schema"]; ok {
			t.Errorf("$defs/%s keeps its $schema", title)
		}
	}
	if len(b.Defs) != len(schemaFiles(t)) {
		t.Errorf("%d $defs for %d schemas", len(b.Defs), len(schemaFiles(t)))
	}
	for _, want := range []string{`"$ref": "#/$defs/TaskStatus"`, `"$ref": "#/$defs/TaskProgress"`, `"$ref": "#/$defs/RetryInfo"`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("bundle lacks %s", want)
		}
	}
	if bytes.Contains(data, []byte(".schema.json\"")) && bytes.Contains(data, []byte(`"$ref": "task_`)) {
		t.Error("bundle still refers to a separate schema file")
	}
	// Numbers keep their text, and key order follows the source files.
	if !bytes.Contains(data, []byte(`"maximum": 9007199254740991`)) {
		t.Error("bundle lost the text of a number")
	}
	info := string(data[bytes.Index(data, []byte(`"TaskInfo": {`)):])
	if strings.Index(info, `"ref_id"`) > strings.Index(info, `"started_at"`) {
		t.Error("bundle does not keep the property order of the source file")
	}
}

// schemaFiles returns the files of ../schema in the model's order.
func schemaFiles(t *testing.T) []schemaFile {
	t.Helper()
	m, err := loadModel("../schema")
	if err != nil {
		t.Fatal(err)
	}
	return m.Files()
}

func readFiles(t *testing.T, dir string, names ...string) []schemaFile {
	t.Helper()
	var files []schemaFile
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n+".schema.json"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, schemaFile{n, data})
	}
	return files
}

func writeSchemas(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name+".schema.json"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const testBase = "https://example.com/s/v1/"

func testSchema(name, title, body string) string {
	s := `{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "` + testBase + name + `.schema.json", "title": "` + title + `"`
	if body != "" {
		s += ", " + body
	}
	return s + "}"
}

func TestBundleRewritesOnlySchemaRefs(t *testing.T) {
	dir := writeSchemas(t, map[string]string{
		"a": testSchema("a", "A", `"type": "string", "enum": ["x"]`),
		"b": testSchema("b", "B", `"properties": {
			"$ref": {"$ref": "a.schema.json"},
			"abs": {"$ref": "`+testBase+`a.schema.json"},
			"list": {"items": {"anyOf": [{"$ref": "./a.schema.json"}, {"type": "null"}]}},
			"data": {"default": {"$ref": "a.schema.json"}, "const": {"$ref": "a.schema.json"}}
		}`),
	})
	data, err := buildBundle(readFiles(t, dir, "a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		ID   string `json:"$id"`
		Defs struct {
			B struct {
				Properties map[string]map[string]any `json:"properties"`
			} `json:"B"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	if b.ID != testBase+bundleFileName {
		t.Errorf("$id = %q", b.ID)
	}
	props := b.Defs.B.Properties
	for _, p := range []string{"$ref", "abs"} {
		if got := props[p]["$ref"]; got != "#/$defs/A" {
			t.Errorf("properties/%s/$ref = %v, want #/$defs/A", p, got)
		}
	}
	items := props["list"]["items"].(map[string]any)["anyOf"].([]any)[0].(map[string]any)
	if items["$ref"] != "#/$defs/A" {
		t.Errorf("items/anyOf/0/$ref = %v", items["$ref"])
	}
	for _, kw := range []string{"default", "const"} {
		if got := props["data"][kw].(map[string]any)["$ref"]; got != "a.schema.json" {
			t.Errorf("%s is data, but its $ref became %v", kw, got)
		}
	}
}

func TestBundleRefuses(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"ref_with_fragment":  {"a": testSchema("a", "A", `"$ref": "b.schema.json#/properties/x"`), "b": testSchema("b", "B", "")},
		"ref_to_other_file":  {"a": testSchema("a", "A", `"$ref": "c.schema.json"`), "b": testSchema("b", "B", "")},
		"nested_id":          {"a": testSchema("a", "A", `"properties": {"x": {"$id": "x.json"}}`), "b": testSchema("b", "B", "")},
		"own_defs":           {"a": testSchema("a", "A", `"$defs": {"x": {}}`), "b": testSchema("b", "B", "")},
		"anchor":             {"a": testSchema("a", "A", `"$anchor": "x"`), "b": testSchema("b", "B", "")},
		"same_title":         {"a": testSchema("a", "A", ""), "b": testSchema("b", "A", "")},
		"title_with_slash":   {"a": testSchema("a", "A/B", ""), "b": testSchema("b", "B", "")},
		"other_draft":        {"a": strings.Replace(testSchema("a", "A", ""), "2020-12", "2019-09", 1), "b": testSchema("b", "B", "")},
		"id_not_file_name":   {"a": strings.Replace(testSchema("a", "A", ""), "a.schema.json", "z.schema.json", 1), "b": testSchema("b", "B", "")},
		"other_base":         {"a": testSchema("a", "A", ""), "b": strings.Replace(testSchema("b", "B", ""), "/v1/", "/v2/", 1)},
		"duplicate_key":      {"a": testSchema("a", "A", `"type": "string", "type": "integer"`), "b": testSchema("b", "B", "")},
		"trailing_data":      {"a": testSchema("a", "A", "") + "{}", "b": testSchema("b", "B", "")},
		"schema_not_object":  {"a": testSchema("a", "A", `"not": 1`), "b": testSchema("b", "B", "")},
		"properties_not_map": {"a": testSchema("a", "A", `"properties": []`), "b": testSchema("b", "B", "")},
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeSchemas(t, files)
			if _, err := buildBundle(readFiles(t, dir, "a", "b")); err == nil {
				t.Error("want an error")
			} else {
				t.Log(err)
			}
		})
	}
}
