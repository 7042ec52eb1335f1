package models_test

// The benchmark suite of docs/PERFORMANCE.md (make bench). For every model
// and for the valid and the invalid payload of ../testdata/bench/ each:
//
//	BenchmarkDecode/<stem>/<valid|invalid>/json       encoding/json into the struct (the floor)
//	BenchmarkDecode/<stem>/<valid|invalid>/Unmarshal  models.Unmarshal
//	BenchmarkDecode/<stem>/<valid|invalid>/v6         jsonschema.UnmarshalJSON + Validate (generic validation only)
//	BenchmarkEncode/<stem>/valid/Marshal              models.Marshal of the decoded valid value
//	BenchmarkEncode/<stem>/valid/jsonMarshal          json.Marshal of the same value
//	BenchmarkCompileSchemas/v6                        compiling all the schema files from scratch
//
// bench/ratios.go turns the output into the ratios that issue 3 targets.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/schema"
)

// benchDir holds the payload files shared with the cross-language
// comparison (bench/compare.sh).
const benchDir = "../testdata/bench"

// benchPayload is one payload file and, for an invalid one, the violations
// it must give.
type benchPayload struct {
	kind string // "valid" or "invalid"
	data []byte
	want []string // "<instancePath> <keyword>", sorted; nil when valid
}

// loadPayloads reads the valid and the invalid payload of a schema stem.
func loadPayloads(b *testing.B, stem string) []benchPayload {
	b.Helper()
	manifest, err := loadManifest()
	if err != nil {
		b.Fatal(err)
	}
	want, ok := manifest[stem]
	if !ok {
		b.Fatalf("%s/expected_invalid.json has no entry for %s", benchDir, stem)
	}
	var out []benchPayload
	for _, kind := range []string{"valid", "invalid"} {
		data, err := os.ReadFile(filepath.Join(benchDir, stem+"."+kind+".json"))
		if err != nil {
			b.Fatal(err)
		}
		p := benchPayload{kind: kind, data: data}
		if kind == "invalid" {
			p.want = want
		}
		out = append(out, p)
	}
	return out
}

// loadManifest reads expected_invalid.json: for each stem, the violations
// of its invalid payload as sorted "<instancePath> <keyword>" strings.
var loadManifest = sync.OnceValues(func() (map[string][]string, error) {
	data, err := os.ReadFile(filepath.Join(benchDir, "expected_invalid.json"))
	if err != nil {
		return nil, err
	}
	var m map[string]struct {
		Violations []struct {
			InstancePath string `json:"instancePath"`
			Keyword      string `json:"keyword"`
		} `json:"violations"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s/expected_invalid.json: %w", benchDir, err)
	}
	out := map[string][]string{}
	for stem, e := range m {
		var vs []string
		for _, v := range e.Violations {
			vs = append(vs, v.InstancePath+" "+v.Keyword)
		}
		slices.Sort(vs)
		out[stem] = vs
	}
	return out, nil
})

// checkViolations fails unless err is a *models.ValidationError with
// exactly the wanted violations.
func checkViolations(b *testing.B, err error, want []string) {
	b.Helper()
	var verr *models.ValidationError
	if !errors.As(err, &verr) {
		b.Fatalf("Unmarshal: got %v, want a *models.ValidationError with %q", err, want)
	}
	var got []string
	for _, v := range verr.Violations {
		got = append(got, v.InstancePath+" "+v.Keyword)
	}
	slices.Sort(got)
	got = slices.Compact(got)
	if !slices.Equal(got, want) {
		b.Fatalf("Unmarshal reported %q, want exactly %q:\n%v", got, want, err)
	}
}

// benchRefuseLoader refuses every URL, like the loader of models/registry.go:
// all schemas are added as resources.
type benchRefuseLoader struct{}

func (benchRefuseLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("refusing to load %q", url)
}

// compileSchemas compiles every schema file as models/registry.go does:
// draft 2020-12, format asserted, every file added as a resource under its
// $id, nothing loaded from elsewhere.
func compileSchemas() (map[string]*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(benchRefuseLoader{})
	for _, name := range models.SchemaNames() {
		data, err := schema.FS.ReadFile(schema.FileName(name))
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		if err := c.AddResource(schema.BaseURL+schema.FileName(name), doc); err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
	}
	compiled := map[string]*jsonschema.Schema{}
	for _, name := range models.SchemaNames() {
		sch, err := c.Compile(schema.BaseURL + schema.FileName(name))
		if err != nil {
			return nil, fmt.Errorf("compile schema %s: %w", name, err)
		}
		compiled[name] = sch
	}
	return compiled, nil
}

var benchSchemas = sync.OnceValues(compileSchemas)

// validateV6 is generic validation with the v6 validator: decode into any
// (numbers as json.Number), then apply the compiled schema.
func validateV6(sch *jsonschema.Schema, data []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(doc)
}

// benchDecode runs the decode benchmarks of one model type.
func benchDecode(b *testing.B, c modelCase) {
	schemas, err := benchSchemas()
	if err != nil {
		b.Fatal(err)
	}
	sch := schemas[c.name]
	for _, p := range loadPayloads(b, c.name) {
		valid := p.kind == "valid"
		b.Run(p.kind, func(b *testing.B) {
			b.Run("json", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					// The plain mirror type: encoding/json alone, with no
					// check. The invalid payloads can give an error here too
					// (42.5 into an int); the floor is the cost of the call.
					_ = json.Unmarshal(p.data, c.plain())
				}
			})
			b.Run("Unmarshal", func(b *testing.B) {
				err := models.Unmarshal(p.data, c.model())
				if valid && err != nil {
					b.Fatalf("Unmarshal of the valid payload: %v", err)
				}
				if !valid {
					checkViolations(b, err, p.want)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := models.Unmarshal(p.data, c.model()); (err == nil) != valid {
						b.Fatalf("Unmarshal: %v", err)
					}
				}
			})
			b.Run("v6", func(b *testing.B) {
				err := validateV6(sch, p.data)
				var verr *jsonschema.ValidationError
				if valid && err != nil {
					b.Fatalf("v6 rejects the valid payload: %v", err)
				}
				if !valid && !errors.As(err, &verr) {
					b.Fatalf("v6: got %v, want a *jsonschema.ValidationError", err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := validateV6(sch, p.data); (err == nil) != valid {
						b.Fatalf("v6: %v", err)
					}
				}
			})
		})
	}
}

// benchEncode runs the encode benchmarks of one model type on the decoded
// valid payload: models.Marshal against json.Marshal of the same values in
// the plain mirror type.
func benchEncode(b *testing.B, c modelCase) {
	data := loadPayloads(b, c.name)[0].data
	v, plain := c.model(), c.plain()
	if err := models.Unmarshal(data, v); err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(data, plain); err != nil {
		b.Fatal(err)
	}
	out, err := models.Marshal(v)
	if err != nil {
		b.Fatalf("Marshal: %v", err)
	}
	if err := models.Unmarshal(out, c.model()); err != nil {
		b.Fatalf("Unmarshal of Marshal's output %s: %v", out, err)
	}
	b.Run("valid", func(b *testing.B) {
		b.Run("Marshal", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := models.Marshal(v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("jsonMarshal", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := json.Marshal(plain); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

func BenchmarkDecode(b *testing.B) {
	for _, c := range modelCases {
		b.Run(c.name, func(b *testing.B) { benchDecode(b, c) })
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, c := range modelCases {
		b.Run(c.name, func(b *testing.B) { benchEncode(b, c) })
	}
}

// BenchmarkCompileSchemas is the start-up cost: reading and compiling all
// the schema files from scratch, as models does once, on first use.
func BenchmarkCompileSchemas(b *testing.B) {
	b.Run("v6", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := compileSchemas(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestBenchPayloads checks the payload files without timing anything, so
// that `go test` catches a payload that no longer means what its name says.
func TestBenchPayloads(t *testing.T) {
	manifest, err := loadManifest()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := benchSchemas()
	if err != nil {
		t.Fatal(err)
	}
	for _, stem := range models.SchemaNames() {
		for _, kind := range []string{"valid", "invalid"} {
			data, err := os.ReadFile(filepath.Join(benchDir, stem+"."+kind+".json"))
			if err != nil {
				t.Fatal(err)
			}
			err = models.ValidateJSON(stem, data)
			v6err := validateV6(schemas[stem], data)
			if kind == "valid" {
				if err != nil || v6err != nil {
					t.Errorf("%s.valid.json: ValidateJSON %v, v6 %v", stem, err, v6err)
				}
				continue
			}
			var verr *models.ValidationError
			if !errors.As(err, &verr) || v6err == nil {
				t.Errorf("%s.invalid.json: ValidateJSON %v, v6 %v", stem, err, v6err)
				continue
			}
			var got []string
			for _, v := range verr.Violations {
				got = append(got, v.InstancePath+" "+v.Keyword)
			}
			slices.Sort(got)
			if want := manifest[stem]; !slices.Equal(slices.Compact(got), want) {
				t.Errorf("%s.invalid.json: got %s, want %s", stem, strings.Join(got, ", "), strings.Join(want, ", "))
			}
		}
	}
}
