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
	for _, name := range SchemaNames() {
		if reg.compiled[name] == nil {
			t.Errorf("schema %s not compiled", name)
		}
		for _, p := range reg.propertyNames[name] {
			if reg.properties[name+"/"+p] == nil {
				t.Errorf("property %s/%s not compiled", name, p)
			}
		}
	}
	if len(reg.properties) != 4+3+9+9 {
		t.Errorf("%d property schemas compiled, want 25", len(reg.properties))
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
