package models

import (
	"errors"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The compiler behind the registry serves only the embedded files: a schema
// that refers to any other URL fails to compile instead of being fetched.
func TestRegistryRefusesOtherURLs(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.UseLoader(refuseLoader{})
	doc := map[string]any{"$ref": "https://example.com/elsewhere.schema.json"}
	if err := c.AddResource("https://mcp-refcache.github.io/taskschema/schema/v1/probe.json", doc); err != nil {
		t.Fatal(err)
	}
	_, err := c.Compile("https://mcp-refcache.github.io/taskschema/schema/v1/probe.json")
	if err == nil || !strings.Contains(err.Error(), "elsewhere") {
		t.Fatalf("compiling a schema with a remote $ref: got %v, want a refusal", err)
	}
}

// Every schema compiles from the embedded files.
func TestRegistryCompilesEverySchema(t *testing.T) {
	reg, err := buildRegistry()
	if err != nil {
		t.Fatal(err)
	}
	for id, s := range schemaTable {
		if reg.compiled[id] == nil {
			t.Errorf("schema %s not compiled", s.name)
		}
	}
	if len(reg.enumMessages) != 6 {
		t.Errorf("%d enum messages, want 6 (task_status, mcp_task_status, response_format, mcp_ext_task_status, mcp_ext_result_type_task, mcp_ext_result_type_complete)", len(reg.enumMessages))
	}
}

// BenchmarkBuildRegistry is the start-up cost: compiling every embedded
// schema, once per process (only the tests' oracle needs it since the
// generated readers word the violations).
func BenchmarkBuildRegistry(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := buildRegistry(); err != nil {
			b.Fatal(err)
		}
	}
}

// When the generated reader rejects a payload without noting a violation
// (the fuzz targets exist to rule it out), Unmarshal reports
// ErrValidatorFailed, as Validate does, rather than a verdict of either.
func TestRejectionWithoutViolations(t *testing.T) {
	rep := &report{}
	if err := rejection(DefaultLimits(), "task_info", rep); !errors.Is(err, ErrValidatorFailed) {
		t.Fatalf("got %v, want ErrValidatorFailed", err)
	}
	rep.vs = append(rep.vs, Violation{InstancePath: "/ref_id", Keyword: KeywordType, Message: "got number, want string"})
	var ve *ValidationError
	if err := rejection(DefaultLimits(), "task_info", rep); !errors.As(err, &ve) || len(ve.Violations) != 1 {
		t.Fatalf("a rejection with a violation: got %v, want a *ValidationError with it", err)
	}
}
