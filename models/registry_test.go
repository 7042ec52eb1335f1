package models

import (
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
	if len(propertyTable) != 1+4+3+9+9 {
		t.Errorf("%d property schemas, want 25", len(propertyTable)-1)
	}
	if len(reg.enumMessages) != 1 {
		t.Errorf("%d enum messages, want 1 (task_status)", len(reg.enumMessages))
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
