package models

import (
	"bytes"
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

// Every schema and every property schema compiles from the embedded files.
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
	for id, p := range propertyTable {
		if id != int(propertyNone) && reg.properties[id] == nil {
			t.Errorf("property %s/%s not compiled", p.schema, p.name)
		}
	}
	// TaskProgress, RetryInfo, TaskInfo, AsyncTaskResponse, AsyncTaskPage,
	// MCPTask, MCPCreateTaskResult, MCPListTasksResult, ExpectedSchema and
	// the minimal, standard and full views.
	if want := 4 + 3 + 9 + 9 + 2 + 7 + 1 + 2 + 4 + 4 + 7 + 12; len(propertyTable)-1 != want {
		t.Errorf("%d property schemas, want %d", len(propertyTable)-1, want)
	}
	if len(reg.enumMessages) != 3 {
		t.Errorf("%d enum messages, want 3 (task_status, mcp_task_status, response_format)", len(reg.enumMessages))
	}
}

// BenchmarkBuildRegistry is the start-up cost: compiling every embedded
// schema and property schema, once per process.
func BenchmarkBuildRegistry(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := buildRegistry(); err != nil {
			b.Fatal(err)
		}
	}
}

// When the generated reader rejects a value that the validator accepts (the
// fuzz targets exist to rule it out), Unmarshal reports ErrValidatorFailed,
// as Validate does, rather than a verdict of either.
func TestRejectionWithoutViolations(t *testing.T) {
	data := []byte(`{"ref_id":"r","started_at":1}`)
	start := bytes.Index(data, []byte(`"r"`))
	rep := &report{failures: []failure{{schema: schemaTaskInfo, property: propertyTaskInfoRefID,
		pointer: "/ref_id", start: start, end: start + 3}}}
	err := rejection(DefaultLimits(), "task_info", data, rep)
	if !errors.Is(err, ErrValidatorFailed) {
		t.Fatalf("got %v, want ErrValidatorFailed", err)
	}
	// ref_id's schema given the number 1 (a string is wanted).
	rep.failures[0].start, rep.failures[0].end = bytes.Index(data, []byte("1}")), len(data)-1
	var ve *ValidationError
	if err := rejection(DefaultLimits(), "task_info", data, rep); !errors.As(err, &ve) {
		t.Fatalf("a rejected value that is wrong: got %v, want a *ValidationError", err)
	}
}
