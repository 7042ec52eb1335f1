package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// recorded is go-jsonschema's output for ../schema, as recorded in
// testdata. TestRecordedOutputIsCurrent fails when an upgrade of
// go-jsonschema changes it; the tests of each post-processing step run on
// it, so that they show which step the change broke.
func recorded(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile("testdata/gojsonschema.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func schemaModelOf(t *testing.T) *model {
	t.Helper()
	m, err := loadModel("../schema")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestGenerateMatchesCommitted regenerates every output into a temporary
// directory and compares it with the committed file, so that `go test`
// alone catches a schema edited without `make generate`.
func TestGenerateMatchesCommitted(t *testing.T) {
	dir := t.TempDir()
	doc, err := os.ReadFile("../docs/MODELS.md")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "MODELS.md"), doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run("../schema", dir, filepath.Join(dir, "MODELS.md"), filepath.Join(dir, bundleFileName)); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"MODELS.md": "../docs/MODELS.md", bundleFileName: "../schema/" + bundleFileName}
	for _, file := range outputs {
		want[file] = "../models/" + file
	}
	for got, committed := range want {
		g, _ := os.ReadFile(filepath.Join(dir, got))
		w, _ := os.ReadFile(committed)
		if !bytes.Equal(g, w) {
			t.Errorf("%s is out of date: run make generate", committed)
		}
	}
	src, _ := os.ReadFile(filepath.Join(dir, "types_gen.go"))
	for _, bad := range []string{"interface{}", "_0 ", "_1", "SchemaJson", "omitzero", " int ", "*int "} {
		if strings.Contains(string(src), bad) {
			t.Errorf("types_gen.go contains %q", bad)
		}
	}
	code, _ := os.ReadFile(filepath.Join(dir, "model_gen.go"))
	for _, bad := range []string{"!true", "a AsyncTaskResponse", "is the status"} {
		if strings.Contains(string(code), bad) {
			t.Errorf("model_gen.go contains %q", bad)
		}
	}
}

func TestRecordedOutputIsCurrent(t *testing.T) {
	src, err := runGenerator("../schema", schemaModelOf(t))
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("TASKSCHEMA_RECORD") == "1" {
		if err := os.WriteFile("testdata/gojsonschema.go.txt", src, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(src, recorded(t)) {
		t.Error("go-jsonschema's output differs from testdata/gojsonschema.go.txt: check each step of postProcess against the new output, then record it (TASKSCHEMA_RECORD=1 go test -run TestRecordedOutputIsCurrent)")
	}
}

func TestParseOutput(t *testing.T) {
	out, err := parseOutput(recorded(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"TaskInfo", "AsyncTaskResponse", "TaskProgress", "RetryInfo"} {
		if out.structs[name] == nil {
			t.Errorf("no struct %s", name)
		}
	}
	if got := out.pointers["TaskProgressCurrent"]; got != "*int" {
		t.Errorf("TaskProgressCurrent names %q, want *int", got)
	}
	if _, ok := out.pointers["TaskInfoProgress_0"]; ok {
		t.Error("the alias TaskInfoProgress_0 counts as a named pointer type")
	}
	if !strings.Contains(out.docs["TaskInfo"], "asynchronous task") {
		t.Errorf("TaskInfo's doc = %q", out.docs["TaskInfo"])
	}
}

func TestEnumConstants(t *testing.T) {
	out, err := parseOutput(recorded(t))
	if err != nil {
		t.Fatal(err)
	}
	var status *schemaModel
	for _, s := range schemaModelOf(t).Schemas {
		if s.IsEnum() {
			status = s
		}
	}
	if err := enumConstants(out, status); err != nil {
		t.Fatal(err)
	}
	status.Enum = append(status.Enum, "paused")
	if err := enumConstants(out, status); err == nil {
		t.Error("a value go-jsonschema did not declare went unnoticed")
	}
}

func TestStructFields(t *testing.T) {
	out, err := parseOutput(recorded(t))
	if err != nil {
		t.Fatal(err)
	}
	fields, err := structFields(out, out.structs["TaskProgress"])
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, f := range fields {
		types[f.JSON] = f.Type
	}
	want := map[string]string{"current": "*int", "total": "*int", "message": "*string", "percentage": "*float64"}
	for k, v := range want {
		if types[k] != v {
			t.Errorf("%s: %q, want %q", k, types[k], v)
		}
	}
}

func TestWideInts(t *testing.T) {
	for in, want := range map[string]string{"int": "int64", "*int": "*int64", "[]int": "[]int64", "int64": "int64", "*TaskProgress": "*TaskProgress", "interval": "interval"} {
		if got := wideInts(in); got != want {
			t.Errorf("wideInts(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAttachFields(t *testing.T) {
	m := schemaModelOf(t)
	out, err := parseOutput(recorded(t))
	if err != nil {
		t.Fatal(err)
	}
	var info *schemaModel
	for _, s := range m.Schemas {
		if s.Title == "TaskInfo" {
			info = s
		}
	}
	fields, err := structFields(out, out.structs["TaskInfo"])
	if err != nil {
		t.Fatal(err)
	}
	// go-jsonschema sorts the fields by name; the types must be widened
	// first, or attachFields refuses them.
	if err := attachFields(info, fields); err == nil || !strings.Contains(err.Error(), "int64") {
		t.Errorf("attachFields took an int field: %v", err)
	}
	for i := range fields {
		fields[i].Type = wideInts(fields[i].Type)
	}
	if err := attachFields(info, fields); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, p := range info.Props {
		order = append(order, p.Field)
		if (p.Options != "") != (p.Name == "retry_history") {
			t.Errorf("%s: options %q", p.Name, p.Options)
		}
	}
	if want := []string{"RefID", "Status", "Progress", "StartedAt", "CompletedAt", "Error", "RetryCount", "MaxRetries", "RetryHistory"}; !slices.Equal(order, want) {
		t.Errorf("field order %v, want the schema's %v", order, want)
	}
	if err := attachFields(info, fields[1:]); err == nil {
		t.Error("attachFields took a struct with a field missing")
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
	if _, err := replaceTable([]byte("# no markers\n"), &model{}); err == nil {
		t.Fatal("want an error for a document without markers")
	}
}

// TestModelOrder: every schema comes after the schemas it refers to.
func TestModelOrder(t *testing.T) {
	m := schemaModelOf(t)
	seen := map[*schemaModel]bool{}
	for _, s := range m.Schemas {
		for _, p := range s.Props {
			if p.Ref != nil && !seen[p.Ref] {
				t.Errorf("%s comes before %s, which it refers to", s.Name, p.Ref.Name)
			}
		}
		seen[s] = true
	}
	files, _ := filepath.Glob("../schema/*.schema.json")
	if len(m.Schemas) != len(files) {
		t.Errorf("%d schemas for %d files", len(m.Schemas), len(files))
	}
}

// TestNewSchemaFile is what adding a schema takes: a file in the directory
// and a run of the generator.
func TestNewSchemaFile(t *testing.T) {
	dir := t.TempDir()
	files, _ := filepath.Glob("../schema/*.schema.json")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "task_note.schema.json"), []byte(`{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://mcp-refcache.github.io/taskschema/schema/v1/task_note.schema.json",
  "title": "TaskNote",
  "description": "A note on a task.",
  "type": "object",
  "required": ["task"],
  "properties": {
    "task": {"description": "The task.", "$ref": "task_info.schema.json"},
    "weight": {"description": "A weight.", "type": "integer", "minimum": 1, "maximum": 10, "default": 5}
  }
}`), 0o644)
	m, err := loadModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	if last := m.Schemas[len(m.Schemas)-1]; last.Name != "task_note" {
		t.Errorf("the new schema comes at %s, want after task_info", last.Name)
	}
	src, err := runGenerator(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := postProcess(src, m); err != nil {
		t.Fatal(err)
	}
	code, err := render("model.go.tmpl", m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"func readTaskNote(", "Weight: 5,", `rep.missing(r, "task")`, `maxWords: "10"`, "func (v TaskNote) MarshalJSON()"} {
		if !strings.Contains(string(code), want) {
			t.Errorf("the generated code has no %q", want)
		}
	}
}

func TestLoadModelRefuses(t *testing.T) {
	for name, body := range map[string]string{
		"unknown_keyword": `"type": "object", "properties": {"a": {"description": "d", "type": "string", "maxLength": 3}}`,
		"int_bound":       `"type": "object", "properties": {"a": {"description": "d", "type": "integer", "maximum": 1e20}}`,
		"float_bound":     `"type": "object", "properties": {"a": {"description": "d", "type": "number", "maximum": 0.1}}`,
		"enum_value":      `"type": "string", "enum": ["in-progress"]`,
		"bad_default":     `"type": "object", "properties": {"a": {"description": "d", "type": "integer", "default": "x"}}`,
		"self_reference":  `"type": "object", "properties": {"a": {"description": "d", "$ref": "a.schema.json"}}`,
		"other_pattern":   `"type": "object", "properties": {"a": {"description": "d", "type": "string", "format": "date-time", "pattern": "^[0-9]{4}-"}}`,
		"const_string":    `"type": "object", "properties": {"a": {"description": "d", "type": "string", "const": "x"}}`,
		"const_nullable":  `"type": "object", "properties": {"a": {"description": "d", "type": ["boolean", "null"], "const": true}}`,
		"const_not_bool":  `"type": "object", "properties": {"a": {"description": "d", "type": "boolean", "const": 1}}`,
		"const_default":   `"type": "object", "properties": {"a": {"description": "d", "type": "boolean", "const": true, "default": false}}`,
		"map_of_numbers":  `"type": "object", "properties": {"a": {"description": "d", "type": "object", "additionalProperties": {"type": "number"}}}`,
		"string_map_kw":   `"type": "object", "properties": {"a": {"description": "d", "type": "string", "additionalProperties": {"type": "string"}}}`,
		"object_no_map":   `"type": "object", "properties": {"a": {"description": "d", "type": "object"}}`,
		"any_with_bound":  `"type": "object", "properties": {"a": {"description": "d", "minimum": 1}}`,
		"any_default":     `"type": "object", "properties": {"a": {"description": "d", "default": 1}}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			// "a" is required, so that no case is refused only for lacking
			// a default (TestOptionalWithoutDefault has that one).
			os.WriteFile(filepath.Join(dir, "a.schema.json"), []byte(testSchema("a", "A", body+`, "required": ["a"]`)), 0o644)
			if _, err := loadModel(dir); err == nil {
				t.Error("want an error")
			} else if strings.Contains(err.Error(), "has no default") {
				t.Errorf("refused for the missing default, not for the case: %v", err)
			} else {
				t.Log(err)
			}
		})
	}
}

// TestOptionalWithoutDefault: an optional property without a default is
// refused with an error that names the schema and the property and says
// what to add, with a default of the property's type.
func TestOptionalWithoutDefault(t *testing.T) {
	for name, c := range map[string]struct{ prop, hint string }{
		"integer":  {`{"description": "d", "type": "integer", "minimum": 0, "maximum": 9}`, `"default": 0`},
		"nullable": {`{"description": "d", "type": ["string", "null"]}`, `"default": null`},
		"boolean":  {`{"description": "d", "type": "boolean"}`, `"default": false`},
		"string":   {`{"description": "d", "type": "string"}`, `"default": ""`},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			body := `"description": "d", "type": "object", "properties": {"retries": ` + c.prop + `}`
			os.WriteFile(filepath.Join(dir, "a.schema.json"), []byte(testSchema("a", "A", body)), 0o644)
			_, err := loadModel(dir)
			if err == nil {
				t.Fatal("want an error for an optional property without a default")
			}
			for _, want := range []string{`"retries"`, "a.schema.json", "has no default", "add " + c.hint, `or list "retries" in the schema's "required"`} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error %q does not say %q", err, want)
				}
			}
			// With the default the same schema loads.
			withDefault := strings.Replace(body, `{"retries": {`, `{"retries": {`+c.hint+`, `, 1)
			os.WriteFile(filepath.Join(dir, "a.schema.json"), []byte(testSchema("a", "A", withDefault)), 0o644)
			if _, err := loadModel(dir); err != nil {
				t.Errorf("with %s: %v", c.hint, err)
			}
		})
	}
}

func TestArticle(t *testing.T) {
	for in, want := range map[string]string{"AsyncTaskResponse": "an AsyncTaskResponse", "TaskInfo": "a TaskInfo", "RetryInfo": "a RetryInfo"} {
		if got := article(in); got != want {
			t.Errorf("article(%q) = %q", in, got)
		}
	}
}

// The violations' words come from the model as the validator writes them:
// the wanted types in its order, the enum's values quoted, the bounds in
// full.
func TestViolationWords(t *testing.T) {
	m, err := loadModel("../schema")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"task_progress.current":          "null or integer",
		"task_progress.percentage":       "null or number",
		"task_info.progress":             "object or null",
		"task_info.status":               "string",
		"task_info.retry_history":        "array",
		"task_info.error":                "null or string",
		"async_task_response.can_retry":  "boolean",
		"async_task_response.started_at": "string",
		"retry_info.attempt":             "integer",
	}
	for _, p := range m.Props() {
		if w, ok := want[p.Owner.Name+"."+p.Name]; ok {
			if got := p.Want(); got != w {
				t.Errorf("%s.%s: Want() = %q, want %q", p.Owner.Name, p.Name, got, w)
			}
			delete(want, p.Owner.Name+"."+p.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("properties not found: %v", want)
	}
	for _, s := range m.Schemas {
		if s.Name == "task_status" {
			if got, w := s.EnumMessage(), "value must be one of 'pending', 'processing', 'complete', 'failed', 'cancelled'"; got != w {
				t.Errorf("EnumMessage() = %q, want %q", got, w)
			}
		}
	}
	for in, w := range map[string]string{"0": "0", "100": "100", "1e2": "100", "0.5": "0.5", "9007199254740991": "9007199254740991", "-2.5e-3": "-0.0025"} {
		if got := boundWords(json.Number(in)); got != w {
			t.Errorf("boundWords(%s) = %q, want %q", in, got, w)
		}
	}
	if got, w := validatorQuote(`it's "x"`+"\n"), `'it\'s "x"\n'`; got != w {
		t.Errorf("validatorQuote = %s, want %s", got, w)
	}
}

// The kinds that the views need: a boolean const, an object of strings and
// any JSON value. Each gets its Go type from go-jsonschema's output through
// postProcess and its own read, check and write calls.
func TestViewKinds(t *testing.T) {
	m := schemaModelOf(t)
	src, err := runGenerator("../schema", m)
	if err != nil {
		t.Fatal(err)
	}
	if err := postProcess(src, m); err != nil {
		t.Fatal(err)
	}
	props := map[string]*prop{}
	for _, p := range m.Props() {
		props[p.Owner.Name+"."+p.Name] = p
	}
	for key, want := range map[string][4]string{
		"expected_schema.fields":         {"map[string]string", `readStringMap(r, &v.Fields, "null or object", rep)`, "validStringMap(v.Fields)", "appendStringMap(b, v.Fields)"},
		"expected_schema.example":        {"json.RawMessage", "readRaw(r, &v.Example, rep)", "validRaw(v.Example)", "appendRaw(x, b, v.Example)"},
		"minimal_task_response.is_async": {"bool", `readBoolConst(r, &v.IsAsync, true, "boolean", rep)`, "v.IsAsync", "strconv.AppendBool(b, v.IsAsync)"},
		"full_task_response.is_complete": {"bool", `readBoolConst(r, &v.IsComplete, false, "boolean", rep)`, "!v.IsComplete", "strconv.AppendBool(b, v.IsComplete)"},
		"standard_task_response.message": {"*string", `readString(r, v.Message, "null or string", rep)`, "validString(*v.Message)", "appendString(b, *v.Message)"},
	} {
		p := props[key]
		if p == nil {
			t.Fatalf("no property %s", key)
		}
		val := "v." + p.Field
		if p.IsPointer() {
			val = "*" + val
		}
		target := "&v." + p.Field
		if p.IsPointer() {
			target = "v." + p.Field
		}
		got := [4]string{p.GoType, p.Owner.ReadCall(p, target), checkExpr(p, val), p.Owner.AppendCall(p, val)}
		if got != want {
			t.Errorf("%s: got %q, want %q", key, got, want)
		}
	}
	// Depth leaves out what a json.RawMessage holds; RawDepth is how deep
	// one sits: expected_schema.example in the top object, and inside
	// full_task_response's expected_schema one level further.
	for name, want := range map[string][2]int{"expected_schema": {2, 1}, "full_task_response": {3, 2},
		"minimal_task_response": {1, 0}, "standard_task_response": {2, 0}, "task_status": {0, 0}} {
		found := false
		for _, s := range m.Schemas {
			if s.Name != name {
				continue
			}
			found = true
			if got := [2]int{m.Depth(s), m.RawDepth(s)}; got != want {
				t.Errorf("Depth, RawDepth(%s) = %v, want %v", name, got, want)
			}
		}
		if !found {
			t.Errorf("no schema %s", name)
		}
	}
	// A json.RawMessage in the items of an array sits one level deeper
	// than in a referenced object; a string map adds to Depth only.
	leaf := &schemaModel{Title: "Leaf", Props: []*prop{{Kind: kindAny}, {Kind: kindStringMap}}}
	list := &schemaModel{Title: "List", Props: []*prop{{Kind: kindArrayOfRef, Ref: leaf}, {Kind: kindRef, Ref: leaf}}}
	top := &schemaModel{Title: "Top", Props: []*prop{{Kind: kindRef, Ref: list}, {Kind: kindAny}}}
	for _, tt := range []struct {
		s           *schemaModel
		depth, raws int
	}{{leaf, 2, 1}, {list, 4, 3}, {top, 5, 4}} {
		if got := [2]int{m.Depth(tt.s), m.RawDepth(tt.s)}; got != [2]int{tt.depth, tt.raws} {
			t.Errorf("Depth, RawDepth(%s) = %v, want %v", tt.s.Title, got, [2]int{tt.depth, tt.raws})
		}
	}
	// go-jsonschema writes interface{} for any value: accepted for a
	// property of any type only.
	if err := attachFields(&schemaModel{Title: "T", Props: []*prop{{Name: "a", Kind: kindString}}},
		[]goField{{Name: "A", Type: "interface{}", JSON: "a"}}); err == nil {
		t.Error("attachFields took interface{} for a string")
	}
}
