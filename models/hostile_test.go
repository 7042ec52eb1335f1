package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The hostile corpus, testdata/hostile/: payloads from a network peer that
// does not play fair. cases.json maps each case to its expected outcome:
//
//	"name.json": {              a payload file of that name in testdata/hostile/
//	  "schema": "task_info",    the schema stem; the payload is Unmarshalled into its model type
//	  "valid": false,
//	  "keyword": "limit",       Keyword of the first violation ("" when valid)
//	  "pointer": "",            InstancePath of the first violation; null: not checked
//	  "limit": "MaxDepth",      for keyword "limit": the limit the message must name
//	  "maxAllocBytes": 65536,   bound on the bytes one Unmarshal allocates (the input not counted)
//	  "decoded": {"/retry_count": "0"},  for a valid case: JSON Pointer -> the JSON that Marshal
//	                            writes there for the decoded value
//	  "limits": {},             the Limits to apply (optional; default: DefaultLimits()),
//	                            as JSON with the field names: {} is Limits{}
//	  "note": "..."             why the case is there (optional)
//	}
//
// A case too big to commit has no file; its name has no ".json" and its
// payload is built from a recipe, a list of parts written one after the other:
//
//	"recipe": [{"text": "{\"x\":"}, {"text": "[", "times": 100000}, ...]
//
// "times" defaults to 1, and "{i}" in a text is replaced by the number of the
// repetition (0, 1, ...), which makes distinct keys. No file is over 64 KiB.
//
// The bounds are about four times what the current reader allocates, and at
// least 64 KiB: 64 KiB for anything a limit refuses or any small payload,
// more only for big accepted payloads and for payloads with many violations
// (each violation costs about 1 KiB).

// hostileDir is the directory of the hostile corpus.
var hostileDir = filepath.Join("testdata", "hostile")

// hostileCase is one entry of cases.json.
type hostileCase struct {
	Schema        string              `json:"schema"`
	Valid         bool                `json:"valid"`
	Keyword       string              `json:"keyword"`
	Pointer       *string             `json:"pointer"`
	Limit         string              `json:"limit"`
	MaxAllocBytes uint64              `json:"maxAllocBytes"`
	Decoded       map[string]string   `json:"decoded"`
	Note          string              `json:"note"`
	Recipe        []hostileRecipePart `json:"recipe"`
	Limits        *Limits             `json:"limits"`
}

// limits returns the limits the case applies.
func (c hostileCase) limits() Limits {
	if c.Limits == nil {
		return DefaultLimits()
	}
	return *c.Limits
}

// hostileRecipePart is a text written times times.
type hostileRecipePart struct {
	Text  string `json:"text"`
	Times *int   `json:"times"`
}

// limitNames are the names a limit violation's message may give.
var limitNames = []string{"MaxBytes", "MaxDepth", "MaxNumberLength", "MaxExponent"}

// loadHostileCases reads and checks cases.json.
func loadHostileCases(t *testing.T) map[string]hostileCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(hostileDir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var cases map[string]hostileCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	for name, c := range cases {
		switch {
		case !slices.Contains(SchemaNames(), c.Schema):
			t.Errorf("%s: unknown schema %q", name, c.Schema)
		case c.Valid && (c.Keyword != "" || c.Pointer != nil || c.Limit != ""):
			t.Errorf("%s: a valid case has no keyword, pointer or limit", name)
		case !c.Valid && c.Keyword == "":
			t.Errorf("%s: an invalid case needs a keyword", name)
		case (c.Keyword == KeywordLimit) != (c.Limit != ""):
			t.Errorf("%s: a limit is given exactly for keyword %q", name, KeywordLimit)
		case c.Limit != "" && !slices.Contains(limitNames, c.Limit):
			t.Errorf("%s: unknown limit %q", name, c.Limit)
		case !c.Valid && len(c.Decoded) > 0:
			t.Errorf("%s: decoded is for valid cases", name)
		case c.MaxAllocBytes == 0:
			t.Errorf("%s: no maxAllocBytes", name)
		case (c.Recipe == nil) != strings.HasSuffix(name, ".json"):
			t.Errorf("%s: a file case is named *.json and a recipe case is not", name)
		}
		for _, p := range c.Recipe {
			if p.Times != nil && *p.Times < 1 {
				t.Errorf("%s: recipe part %q: times %d", name, p.Text, *p.Times)
			}
		}
	}
	return cases
}

// payload returns the bytes of the case name.
func (c hostileCase) payload(t *testing.T, name string) []byte {
	t.Helper()
	if c.Recipe == nil {
		data, err := os.ReadFile(filepath.Join(hostileDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	var b bytes.Buffer
	for _, p := range c.Recipe {
		times := 1
		if p.Times != nil {
			times = *p.Times
		}
		if !strings.Contains(p.Text, "{i}") {
			b.WriteString(strings.Repeat(p.Text, times))
			continue
		}
		for i := range times {
			b.WriteString(strings.ReplaceAll(p.Text, "{i}", strconv.Itoa(i)))
		}
	}
	return b.Bytes()
}

// TestHostileCorpusFiles checks that cases.json and the directory agree:
// every file is a case, every file case has its file, no file is over 64 KiB,
// and every pending case exists.
func TestHostileCorpusFiles(t *testing.T) {
	cases := loadHostileCases(t)
	entries, err := os.ReadDir(hostileDir)
	if err != nil {
		t.Fatal(err)
	}
	onDisk := map[string]bool{}
	for _, e := range entries {
		if e.Name() == "cases.json" {
			continue
		}
		onDisk[e.Name()] = true
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() > 64<<10 {
			t.Errorf("%s is %d bytes; build payloads over 64 KiB from a recipe", e.Name(), info.Size())
		}
		if _, ok := cases[e.Name()]; !ok {
			t.Errorf("%s is not in cases.json", e.Name())
		}
	}
	for name, c := range cases {
		if c.Recipe == nil && !onDisk[name] {
			t.Errorf("%s: no such file in %s", name, hostileDir)
		}
		if c.Recipe != nil && onDisk[name] {
			t.Errorf("%s: a recipe case has a file too", name)
		}
	}
	if len(cases) < 100 {
		t.Errorf("only %d cases", len(cases))
	}
}

// TestHostileCorpus runs every case through Unmarshal into the model type of
// its schema and checks: no panic; the verdict, keyword, pointer and limit of
// cases.json; the same verdict from ValidateJSON; a target left unchanged on
// error; for a valid case, the decoded values and a Marshal round trip; and
// the bytes that one Unmarshal allocates, measured with runtime.MemStats.
func TestHostileCorpus(t *testing.T) {
	cases := loadHostileCases(t)
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		c := cases[name]
		t.Run(name, func(t *testing.T) {
			runHostileCase(t, name, c)
		})
	}
}

func runHostileCase(t *testing.T, name string, c hostileCase) {
	data := c.payload(t, name)
	typ := hostileModelType(t, c.Schema)
	target := reflect.New(typ)
	limits := c.limits()
	err := callNoPanic(t, "Unmarshal", func() error { return limits.Unmarshal(data, target.Interface()) })

	// ValidateJSON gives the same verdict, to the violation.
	err2 := callNoPanic(t, "ValidateJSON", func() error { return limits.ValidateJSON(c.Schema, data) })
	if fmt.Sprint(err) != fmt.Sprint(err2) {
		t.Errorf("Unmarshal and ValidateJSON disagree:\nUnmarshal:    %v\nValidateJSON: %v", err, err2)
	}

	if c.Valid {
		if err != nil {
			t.Fatalf("want valid, got %v", truncateErr(err))
		}
		checkHostileDecoded(t, c, target.Elem())
	} else {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("want a *ValidationError (%s), got %v", c.Keyword, truncateErr(err))
		}
		if !target.Elem().IsZero() {
			t.Errorf("the target changed on error: %+v", target.Elem())
		}
		first := ve.Violations[0]
		if first.Keyword != c.Keyword {
			t.Errorf("first violation %q, want keyword %q", first, c.Keyword)
		}
		if c.Pointer != nil && first.InstancePath != *c.Pointer {
			t.Errorf("first violation %q, want pointer %q", first, *c.Pointer)
		}
		if c.Limit != "" {
			if len(ve.Violations) != 1 || !strings.Contains(first.Message, c.Limit) {
				t.Errorf("violations %v, want one that names %s", truncateErr(ve), c.Limit)
			}
		}
	}

	allocated := bytesAllocatedBy(3, func() {
		_ = limits.Unmarshal(data, reflect.New(typ).Interface())
	})
	if allocated > c.MaxAllocBytes {
		t.Errorf("one Unmarshal of %d bytes allocated %d bytes, more than maxAllocBytes %d", len(data), allocated, c.MaxAllocBytes)
	}
	t.Logf("input %d bytes, allocated %d bytes (bound %d)", len(data), allocated, c.MaxAllocBytes)
}

// checkHostileDecoded checks a decoded value v: Marshal accepts it, writes
// the expected JSON at the pointers of c.Decoded, and Unmarshal of its output
// gives v again.
func checkHostileDecoded(t *testing.T, c hostileCase, v reflect.Value) {
	t.Helper()
	out, err := Marshal(v.Interface())
	if err != nil {
		t.Fatalf("Marshal of the decoded value: %v", truncateErr(err))
	}
	again := reflect.New(v.Type())
	if err := Unmarshal(out, again.Interface()); err != nil {
		t.Fatalf("Unmarshal(Marshal(v)): %v", truncateErr(err))
	}
	if !sameValue(v, again.Elem()) {
		t.Errorf("the round trip changed the value")
	}
	if len(c.Decoded) == 0 {
		return
	}
	doc := hostileParse(t, out)
	for ptr, wantText := range c.Decoded {
		got, ok := resolvePointer(doc, ptr)
		if !ok {
			t.Errorf("%s: not in Marshal's output %.200s", ptr, out)
			continue
		}
		if want := hostileParse(t, []byte(wantText)); !reflect.DeepEqual(got, want) {
			gotText, _ := json.Marshal(got)
			t.Errorf("%s: decoded to %s, want %s", ptr, gotText, wantText)
		}
	}
}

// hostileParse decodes trusted JSON (numbers as json.Number).
func hostileParse(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%q: %v", data, err)
	}
	return v
}

// resolvePointer finds the value at a JSON Pointer in a decoded document.
func resolvePointer(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	for _, tok := range strings.Split(ptr, "/")[1:] {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch d := doc.(type) {
		case map[string]any:
			v, ok := d[tok]
			if !ok {
				return nil, false
			}
			doc = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(d) {
				return nil, false
			}
			doc = d[i]
		default:
			return nil, false
		}
	}
	return doc, true
}

// hostileModelType returns the model type of a schema stem.
func hostileModelType(t *testing.T, schemaName string) reflect.Type {
	t.Helper()
	if id, ok := schemaNamed(schemaName); ok {
		return schemaTable[id].goType
	}
	t.Fatalf("no model type for schema %q", schemaName)
	return nil
}

// callNoPanic calls f and fails the test, with the stack, if it panics.
func callNoPanic(t *testing.T, what string, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s panicked: %v\n%s", what, r, debug.Stack())
		}
	}()
	return f()
}

// truncateErr shortens the text of an error with many violations.
func truncateErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	s := err.Error()
	if len(s) > 500 {
		s = s[:500] + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return s
}

// bytesAllocatedBy returns the fewest bytes that f allocated on the heap in
// runs calls (background allocations can only add to a measurement). The
// tests of this package do not run in parallel.
func bytesAllocatedBy(runs int, f func()) uint64 {
	best := uint64(math.MaxUint64)
	for range runs {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		best = min(best, after.TotalAlloc-before.TotalAlloc)
	}
	return best
}

// everyTypeValues are the values that TestHostileEveryTypeAtEveryField puts
// at every field: one of each JSON type, and both kinds of number.
var everyTypeValues = []string{"null", "true", "false", "0", "1.5", `"s"`, "[]", "{}"}

// TestHostileEveryTypeAtEveryField puts each of everyTypeValues at every
// field of task_info and async_task_response (and of their nested progress
// and retry_history items, and at an unknown key) and checks the verdict
// against the values the schema accepts there, the one-verdict invariant
// (checkVerdict, with the v6 validator as the oracle), that ValidateJSON
// agrees, and that every violation is at the field or below it.
func TestHostileEveryTypeAtEveryField(t *testing.T) {
	const (
		ti    = `{"ref_id":"r","started_at":1,`
		ar    = `{"ref_id":"r","status":"pending","started_at":"2024-01-01T00:00:00Z",`
		item  = `{"attempt":1,"error":"e","timestamp":1,`
		all   = "null true false 0 1.5 \"s\" [] {}"
		nullS = `null "s"`
	)
	// Each template has one %s where the value goes; accepts lists the
	// values (as in everyTypeValues) that make the payload valid.
	fields := []struct {
		schema, pointer, template, accepts string
	}{
		{"task_info", "", `%s`, ""},
		{"task_info", "/ref_id", `{"ref_id":%s,"started_at":1}`, `"s"`},
		{"task_info", "/status", ti + `"status":%s}`, ""},
		{"task_info", "/progress", ti + `"progress":%s}`, "null {}"},
		{"task_info", "/progress/current", ti + `"progress":{"current":%s}}`, "null 0"},
		{"task_info", "/progress/total", ti + `"progress":{"total":%s}}`, "null 0"},
		{"task_info", "/progress/message", ti + `"progress":{"message":%s}}`, nullS},
		{"task_info", "/progress/percentage", ti + `"progress":{"percentage":%s}}`, "null 0 1.5"},
		{"task_info", "/progress/x", ti + `"progress":{"x":%s}}`, all},
		{"task_info", "/started_at", `{"ref_id":"r","started_at":%s}`, "0 1.5"},
		{"task_info", "/completed_at", ti + `"completed_at":%s}`, "null 0 1.5"},
		{"task_info", "/error", ti + `"error":%s}`, nullS},
		{"task_info", "/retry_count", ti + `"retry_count":%s}`, "0"},
		{"task_info", "/max_retries", ti + `"max_retries":%s}`, "0"},
		{"task_info", "/retry_history", ti + `"retry_history":%s}`, "[]"},
		{"task_info", "/retry_history/0", ti + `"retry_history":[%s]}`, ""},
		{"task_info", "/retry_history/0/attempt", ti + `"retry_history":[{"attempt":%s,"error":"e","timestamp":1}]}`, ""},
		{"task_info", "/retry_history/0/error", ti + `"retry_history":[{"attempt":1,"error":%s,"timestamp":1}]}`, `"s"`},
		{"task_info", "/retry_history/0/timestamp", ti + `"retry_history":[{"attempt":1,"error":"e","timestamp":%s}]}`, "0 1.5"},
		{"task_info", "/retry_history/0/x", ti + `"retry_history":[` + item + `"x":%s}]}`, all},
		{"task_info", "/x", ti + `"x":%s}`, all},
		{"async_task_response", "", `%s`, ""},
		{"async_task_response", "/ref_id", `{"ref_id":%s,"status":"pending","started_at":"2024-01-01T00:00:00Z"}`, `"s"`},
		{"async_task_response", "/status", `{"ref_id":"r","status":%s,"started_at":"2024-01-01T00:00:00Z"}`, ""},
		{"async_task_response", "/progress", ar + `"progress":%s}`, "null {}"},
		{"async_task_response", "/progress/current", ar + `"progress":{"current":%s}}`, "null 0"},
		{"async_task_response", "/progress/total", ar + `"progress":{"total":%s}}`, "null 0"},
		{"async_task_response", "/progress/message", ar + `"progress":{"message":%s}}`, nullS},
		{"async_task_response", "/progress/percentage", ar + `"progress":{"percentage":%s}}`, "null 0 1.5"},
		{"async_task_response", "/started_at", `{"ref_id":"r","status":"pending","started_at":%s}`, ""},
		{"async_task_response", "/eta_seconds", ar + `"eta_seconds":%s}`, "null 0 1.5"},
		{"async_task_response", "/error", ar + `"error":%s}`, nullS},
		{"async_task_response", "/message", ar + `"message":%s}`, nullS},
		{"async_task_response", "/retry_count", ar + `"retry_count":%s}`, "0"},
		{"async_task_response", "/can_retry", ar + `"can_retry":%s}`, "true false"},
		{"async_task_response", "/x", ar + `"x":%s}`, all},
		{"task_status", "", `%s`, ""},
	}
	oracles := map[string]*jsonschema.Schema{}
	for _, f := range fields {
		s, ok := oracles[f.schema]
		if !ok {
			s = oracle(t, f.schema)
			oracles[f.schema] = s
		}
		accepts := strings.Fields(f.accepts)
		for _, value := range everyTypeValues {
			payload := []byte(fmt.Sprintf(f.template, value))
			t.Run(f.schema+f.pointer+"="+value, func(t *testing.T) {
				callNoPanic(t, "checkVerdict", func() error {
					checkVerdictFor(t, s, f.schema, payload)
					return nil
				})
				err := callNoPanic(t, "ValidateJSON", func() error { return ValidateJSON(f.schema, payload) })
				if want := slices.Contains(accepts, value); (err == nil) != want {
					t.Fatalf("%s: valid = %v, want %v (%v)", payload, err == nil, want, err)
				}
				var ve *ValidationError
				if err != nil && !errors.As(err, &ve) {
					t.Fatalf("%s: not a *ValidationError: %v", payload, err)
				}
				if ve == nil {
					return
				}
				for _, v := range ve.Violations {
					if f.pointer != "" && v.InstancePath != f.pointer && !strings.HasPrefix(v.InstancePath, f.pointer+"/") {
						t.Errorf("%s: violation %q is not at %s", payload, v, f.pointer)
					}
				}
			})
		}
	}
}

// checkVerdictFor runs checkVerdict with the model type of the schema.
func checkVerdictFor(t *testing.T, s *jsonschema.Schema, name string, data []byte) {
	t.Helper()
	switch name {
	case "task_status":
		checkVerdict[TaskStatus](t, s, name, data)
	case "task_progress":
		checkVerdict[TaskProgress](t, s, name, data)
	case "retry_info":
		checkVerdict[RetryInfo](t, s, name, data)
	case "task_info":
		checkVerdict[TaskInfo](t, s, name, data)
	case "async_task_response":
		checkVerdict[AsyncTaskResponse](t, s, name, data)
	default:
		t.Fatalf("unknown schema %q", name)
	}
}
