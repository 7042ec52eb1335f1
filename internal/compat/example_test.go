package compat_test

import (
	"fmt"

	"github.com/mcp-refcache/taskschema/internal/compat"
	"github.com/mcp-refcache/taskschema/internal/schemadiff"
)

// Check lets a breaking change through when the changelog's first section
// records it.
func ExampleCheck() {
	base, _ := compat.ParseVersion("v1.4.0")
	changes := []schemadiff.Change{{
		File: "task_status.schema.json", Pointer: "/enum", Rule: "enum-value-added", Impact: schemadiff.Consumers,
	}}
	cl, err := compat.ParseChangelog([]byte("## Unreleased\n\n" +
		"- `task_status.schema.json#/enum` enum-value-added: the new status paused.\n"))
	if err != nil {
		panic(err)
	}
	fmt.Println(compat.Check(base, changes, cl).Reason)

	cl, _ = compat.ParseChangelog([]byte("## Unreleased\n"))
	v := compat.Check(base, changes, cl)
	fmt.Println(v.OK, compat.RecordLine(v.Unrecorded[0]))
	// Output:
	// 1 breaking schema change since v1.4.0, each recorded as intended in the changelog
	// false - `task_status.schema.json#/enum` enum-value-added: WHY
}
