package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mcp-refcache/taskschema/internal/jsonread"
)

// The one-verdict invariant, checked by TestOneVerdict on the seed files and
// by the fuzz targets in fuzz_test.go on anything the fuzzer makes:
//   - Unmarshal succeeds exactly when the oracle (the v6 validator, compiled
//     here from the schema files on disk, applied to the payload as v6's own
//     parser reads it) accepts the payload;
//   - then every field holds exactly the value of its key in the payload, or
//     the schema default when the key is absent;
//   - Marshal of that value succeeds, and decodes to the same value.

// oracle compiles the schema files from ../schema, independently of the
// package's registry.
func oracle(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, stem := range SchemaNames() {
		f, err := os.Open(filepath.Join("..", "schema", stem+".schema.json"))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		id := doc.(map[string]any)["$id"].(string)
		if err := c.AddResource(id, doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile("https://mcp-refcache.github.io/taskschema/schema/v1/" + name + ".schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// oracleVerdict returns the payload as the oracle parsed it and whether the
// oracle accepts it. The payload rules come first, as documented: a payload
// beyond DefaultLimits, invalid UTF-8, malformed JSON, a duplicate key or a
// lone surrogate is refused before any validator sees it (the reader that
// enforces them is checked against encoding/json by its own fuzz target).
// Then the payload as v6's own parser reads it goes to the validator; a
// validator panic counts as a rejection.
// The doc is nil when a payload rule refused the payload.
func oracleVerdict(s *jsonschema.Schema, data []byte) (doc any, valid bool) {
	return oracleVerdictWithin(s, data, DefaultLimits())
}

// oracleVerdictWithin is oracleVerdict with the payload rules read under
// the given limits.
func oracleVerdictWithin(s *jsonschema.Schema, data []byte, limits Limits) (doc any, valid bool) {
	if len(data) > limits.MaxBytes || !utf8.Valid(data) {
		return nil, false
	}
	var r jsonread.Reader
	r.Reset(data, limits.reader())
	if r.Begin(); r.ReadAny() == nil && r.Err() != nil || !r.Finish() {
		return nil, false
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, false
	}
	defer func() {
		if recover() != nil {
			valid = false
		}
	}()
	return doc, s.Validate(doc) == nil
}

// fastVerdict runs the generated reader alone, without the validator that
// Unmarshal falls back to, and returns the value it decoded.
func fastVerdict[T any](data []byte) (T, bool) {
	var v T
	limits := DefaultLimits()
	if len(data) > limits.MaxBytes || !utf8.Valid(data) {
		return v, false
	}
	var r jsonread.Reader
	r.Reset(data, limits.reader())
	id, known := targetSchema(&v)
	ok := known && r.Begin() && readModel(&r, id, &v, &report{})
	return v, ok
}

// checkVerdict checks the one-verdict invariant for one payload.
func checkVerdict[T any](t *testing.T, s *jsonschema.Schema, name string, data []byte) {
	t.Helper()
	doc, valid := oracleVerdict(s, data)
	fast, fastOK := fastVerdict[T](data)
	if fastOK != valid {
		t.Fatalf("%s: oracle valid=%v, generated reader valid=%v\npayload: %q", name, valid, fastOK, data)
	}
	var got T
	err := Unmarshal(data, &got)
	if valid != (err == nil) {
		t.Fatalf("%s: oracle valid=%v, Unmarshal error=%v\npayload: %q", name, valid, err, data)
	}
	if err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) && !errors.Is(err, ErrValidatorFailed) {
			t.Fatalf("%s: rejection is neither a *ValidationError nor ErrValidatorFailed: %v", name, err)
		}
		if doc != nil && ve != nil {
			// A payload that is JSON within the limits but that the schema
			// rejects: the violations the generated readers wrote must be
			// exactly those the validator finds on the whole payload,
			// pointer, keyword and message.
			reg, _ := loadRegistry()
			var whole *ValidationError
			if errors.As(validateDoc(reg, mustSchemaNamed(t, name), doc), &whole) && len(whole.Violations) <= DefaultLimits().MaxViolations &&
				!sameViolations(ve.Violations, whole.Violations) {
				t.Fatalf("%s: violations differ\ngenerated: %v\nvalidator: %v\npayload: %q", name, ve.Violations, whole.Violations, data)
			}
		}
		if !reflect.ValueOf(got).IsZero() {
			t.Fatalf("%s: target changed on error: %+v", name, got)
		}
		return
	}
	reg, rerr := loadRegistry()
	if rerr != nil {
		t.Fatal(rerr)
	}
	matchesDoc(t, reg, reflect.ValueOf(got), doc, "")
	if !sameValue(reflect.ValueOf(got), reflect.ValueOf(fast)) {
		t.Fatalf("%s: Unmarshal and the generated reader decode differently\nUnmarshal: %+v\nreader:    %+v", name, got, fast)
	}
	if !checkModel(got) {
		t.Fatalf("%s: the generated check refuses a value decoded from a valid payload: %+v", name, got)
	}
	out, err := Marshal(got)
	if err != nil {
		t.Fatalf("%s: Marshal of a decoded value failed: %v\npayload: %q\nvalue: %+v", name, err, data, got)
	}
	if _, ok := oracleVerdict(s, out); !ok {
		t.Fatalf("%s: the oracle rejects Marshal's output %s", name, out)
	}
	var again T
	if err := Unmarshal(out, &again); err != nil {
		t.Fatalf("%s: Unmarshal(Marshal(v)): %v\noutput: %s", name, err, out)
	}
	if !sameValue(reflect.ValueOf(got), reflect.ValueOf(again)) {
		t.Fatalf("%s: round trip changed the value\nbefore: %+v\nafter:  %+v\noutput: %s", name, got, again, out)
	}
}

// sameViolations compares two lists by instance path, keyword and message.
func sameViolations(a, b []Violation) bool {
	return slices.Equal(a, b)
}

// matchesDoc asserts that v holds exactly what the payload doc says, with
// schema defaults for absent keys.
func matchesDoc(t *testing.T, reg *registry, v reflect.Value, doc any, path string) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s: "+format, append([]any{pathOrRoot(path)}, args...)...)
	}
	if v.Type() == timeType {
		s, _ := doc.(string)
		want, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
		if err != nil {
			fail("oracle accepted date-time %q that time.Parse refuses: %v", s, err)
		}
		got := v.Interface().(time.Time)
		_, gotOff := got.Zone()
		_, wantOff := want.Zone()
		if !got.Equal(want) || gotOff != wantOff {
			fail("time %v, payload %q", got, s)
		}
		return
	}
	if v.Type() == rawMessageType {
		// Any JSON value: nil for null, else bytes that the oracle's
		// decoder reads as the same value as the payload's.
		raw := v.Interface().(json.RawMessage)
		if doc == nil {
			if raw != nil {
				fail("want nil for null, got %s", raw)
			}
			return
		}
		got, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil || !reflect.DeepEqual(got, doc) {
			fail("%s (%v), payload %v", raw, err, doc)
		}
		return
	}
	switch v.Kind() {
	case reflect.Map:
		obj, isObj := doc.(map[string]any)
		if v.IsNil() != (doc == nil) || (doc != nil && (!isObj || len(obj) != v.Len())) {
			fail("map %v, payload %v", v, doc)
		}
		for key, val := range obj {
			got := v.MapIndex(reflect.ValueOf(key))
			if !got.IsValid() {
				fail("no key %q, payload %v", key, doc)
			}
			matchesDoc(t, reg, got, val, path+"/"+key)
		}
	case reflect.Pointer:
		if doc == nil {
			if !v.IsNil() {
				fail("want nil for null, got %v", v.Elem())
			}
			return
		}
		if v.IsNil() {
			fail("nil, payload %v", doc)
		}
		matchesDoc(t, reg, v.Elem(), doc, path)
	case reflect.String:
		if s, _ := doc.(string); v.String() != s {
			fail("%q, payload %q", v.String(), s)
		}
	case reflect.Bool:
		if b, _ := doc.(bool); v.Bool() != b {
			fail("%v, payload %v", v.Bool(), b)
		}
	case reflect.Int, reflect.Int64:
		n, _ := doc.(json.Number)
		r, ok := new(big.Rat).SetString(string(n))
		if !ok || r.Cmp(new(big.Rat).SetInt64(v.Int())) != 0 {
			fail("%d, payload %s", v.Int(), n)
		}
	case reflect.Float64:
		n, _ := doc.(json.Number)
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || f != v.Float() {
			fail("%v, payload %s (%v)", v.Float(), n, err)
		}
	case reflect.Slice:
		items, _ := doc.([]any)
		if v.Len() != len(items) {
			fail("%d items, payload %d", v.Len(), len(items))
		}
		for i := range items {
			matchesDoc(t, reg, v.Index(i), items[i], path+"/"+strconv.Itoa(i))
		}
	case reflect.Struct:
		obj, _ := doc.(map[string]any)
		id, _ := schemaOf(v.Type())
		defaults := schemaDefaults(t, id.String())
		for i := range v.NumField() {
			key := jsonName(v.Type().Field(i))
			val, ok := obj[key]
			if !ok {
				if val, ok = defaults[key]; !ok {
					if !v.Field(i).IsZero() {
						fail("absent key %q without default, field %v", key, v.Field(i))
					}
					continue
				}
			}
			matchesDoc(t, reg, v.Field(i), val, path+"/"+key)
		}
	default:
		fail("unexpected kind %s", v.Kind())
	}
}

// sameValue compares two decoded values; times are equal when they are the
// same instant with the same offset.
func sameValue(a, b reflect.Value) bool {
	if a.Type() == rawMessageType {
		// The same JSON value: Marshal writes a json.RawMessage without
		// insignificant space, and null reads back as nil.
		return bytes.Equal(compactRaw(a.Interface().(json.RawMessage)), compactRaw(b.Interface().(json.RawMessage)))
	}
	if a.Type() == timeType {
		ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
		_, oa := ta.Zone()
		_, ob := tb.Zone()
		return ta.Equal(tb) && oa == ob
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			if bv := b.MapIndex(k); !bv.IsValid() || !sameValue(a.MapIndex(k), bv) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}

// compactRaw returns raw without insignificant space, and nil for null.
func compactRaw(raw json.RawMessage) []byte {
	var buf bytes.Buffer
	if raw == nil || json.Compact(&buf, raw) != nil || buf.String() == "null" {
		return nil
	}
	return buf.Bytes()
}

// seedFiles returns the payloads in testdata/seeds/<name>/ and in the shared
// corpus ../tests/<name>/{valid,invalid}/.
func seedFiles(t testing.TB, name string) map[string][]byte {
	t.Helper()
	seeds := map[string][]byte{}
	for _, pattern := range []string{
		filepath.Join("testdata", "seeds", name, "*.json"),
		filepath.Join("..", "tests", name, "valid", "*.json"),
		filepath.Join("..", "tests", name, "invalid", "*.json"),
	} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			seeds[f] = data
		}
	}
	return seeds
}

func TestOneVerdict(t *testing.T) {
	t.Run("task_status", func(t *testing.T) { runVerdict[TaskStatus](t, "task_status") })
	t.Run("task_progress", func(t *testing.T) { runVerdict[TaskProgress](t, "task_progress") })
	t.Run("retry_info", func(t *testing.T) { runVerdict[RetryInfo](t, "retry_info") })
	t.Run("task_info", func(t *testing.T) { runVerdict[TaskInfo](t, "task_info") })
	t.Run("async_task_response", func(t *testing.T) { runVerdict[AsyncTaskResponse](t, "async_task_response") })
	t.Run("response_format", func(t *testing.T) { runVerdict[ResponseFormat](t, "response_format") })
	t.Run("expected_schema", func(t *testing.T) { runVerdict[ExpectedSchema](t, "expected_schema") })
	t.Run("minimal_task_response", func(t *testing.T) { runVerdict[MinimalTaskResponse](t, "minimal_task_response") })
	t.Run("standard_task_response", func(t *testing.T) { runVerdict[StandardTaskResponse](t, "standard_task_response") })
	t.Run("full_task_response", func(t *testing.T) { runVerdict[FullTaskResponse](t, "full_task_response") })
	t.Run("async_task_page", func(t *testing.T) { runVerdict[AsyncTaskPage](t, "async_task_page") })
	t.Run("mcp_task_status", func(t *testing.T) { runVerdict[MCPTaskStatus](t, "mcp_task_status") })
	t.Run("mcp_task", func(t *testing.T) { runVerdict[MCPTask](t, "mcp_task") })
	t.Run("mcp_create_task_result", func(t *testing.T) { runVerdict[MCPCreateTaskResult](t, "mcp_create_task_result") })
	t.Run("mcp_list_tasks_result", func(t *testing.T) { runVerdict[MCPListTasksResult](t, "mcp_list_tasks_result") })
	t.Run("mcp_ext_task_status", func(t *testing.T) { runVerdict[MCPExtTaskStatus](t, "mcp_ext_task_status") })
	t.Run("mcp_ext_result_type_task", func(t *testing.T) { runVerdict[MCPExtResultTypeTask](t, "mcp_ext_result_type_task") })
	t.Run("mcp_ext_result_type_complete", func(t *testing.T) { runVerdict[MCPExtResultTypeComplete](t, "mcp_ext_result_type_complete") })
	t.Run("mcp_ext_task_error", func(t *testing.T) { runVerdict[MCPExtTaskError](t, "mcp_ext_task_error") })
	t.Run("mcp_ext_tool_result", func(t *testing.T) { runVerdict[MCPExtToolResult](t, "mcp_ext_tool_result") })
	t.Run("mcp_ext_create_task_result", func(t *testing.T) { runVerdict[MCPExtCreateTaskResult](t, "mcp_ext_create_task_result") })
	t.Run("mcp_ext_detailed_task", func(t *testing.T) { runVerdict[MCPExtDetailedTask](t, "mcp_ext_detailed_task") })
	t.Run("mcp_ext_ack_result", func(t *testing.T) { runVerdict[MCPExtAckResult](t, "mcp_ext_ack_result") })
	t.Run("task_input", func(t *testing.T) { runVerdict[TaskInput](t, "task_input") })
	if n := len(SchemaNames()); n != 24 {
		t.Errorf("TestOneVerdict runs 24 schemas; models has %d: add the new ones", n)
	}
}

func runVerdict[T any](t *testing.T, name string) {
	s := oracle(t, name)
	seeds := seedFiles(t, name)
	if len(seeds) < 5 {
		t.Fatalf("only %d seed payloads for %s", len(seeds), name)
	}
	for file, data := range seeds {
		t.Run(filepath.ToSlash(file), func(t *testing.T) {
			checkVerdict[T](t, s, name, data)
		})
	}
}

func mustSchemaNamed(t *testing.T, name string) schemaID {
	t.Helper()
	id, ok := schemaNamed(name)
	if !ok {
		t.Fatalf("no schema %q", name)
	}
	return id
}

// schemaDefaults reads the defaults of a schema's properties from its file,
// decoded as a payload would be (numbers as json.Number), independently of
// the defaults that gen writes into the readers.
func schemaDefaults(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := SchemaJSON(name)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Properties map[string]map[string]any `json:"properties"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	defaults := map[string]any{}
	for key, p := range doc.Properties {
		if def, ok := p["default"]; ok {
			defaults[key] = def
		}
	}
	return defaults
}
