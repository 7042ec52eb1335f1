package schemadiff_test

import (
	"fmt"

	"github.com/mcp-refcache/taskschema/internal/schemadiff"
)

// Diff classifies each change between two versions of a schema set: here
// a status value renamed and a bound loosened.
func ExampleDiff() {
	old, err := schemadiff.Load(map[string][]byte{
		"job.schema.json": []byte(`{"type": "object", "required": ["state"], "properties": {
			"state": {"enum": ["queued", "done"]},
			"tries": {"type": "integer", "minimum": 0, "maximum": 3}}}`),
	})
	if err != nil {
		panic(err)
	}
	cur, err := schemadiff.Load(map[string][]byte{
		"job.schema.json": []byte(`{"type": "object", "required": ["state"], "properties": {
			"state": {"enum": ["waiting", "done"]},
			"tries": {"type": "integer", "minimum": 0, "maximum": 10}}}`),
	})
	if err != nil {
		panic(err)
	}
	changes := schemadiff.Diff(old, cur)
	for _, c := range changes {
		fmt.Printf("%s %s: %v\n", c.Ref(), c.Rule, c.Impact)
	}
	fmt.Println("overall:", schemadiff.Summary(changes))
	// Output:
	// job.schema.json#/properties/state/enum enum-value-added: breaking for consumers
	// job.schema.json#/properties/state/enum enum-value-removed: breaking for producers
	// job.schema.json#/properties/tries/maximum maximum-raised: breaking for consumers
	// overall: breaking for both
}
