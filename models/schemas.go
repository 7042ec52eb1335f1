package models

import (
	"fmt"
	"reflect"

	"github.com/mcp-refcache/taskschema/schema"
)

// The schemas by name and by Go type. No schema is compiled at run time:
// the readers, checks and messages are generated from the files (see
// model_gen.go); the v6 validator compiles them only in the tests, as the
// oracle.

// SchemaNames returns the stems of the embedded schema files, such as
// "task_info", in dependency order.
func SchemaNames() []string {
	names := make([]string, len(schemaTable))
	for i, s := range schemaTable {
		names[i] = s.name
	}
	return names
}

// schemaNamed returns the schema with the given stem.
func schemaNamed(name string) (schemaID, bool) {
	for id, s := range schemaTable {
		if s.name == name {
			return schemaID(id), true
		}
	}
	return 0, false
}

// String returns the schema's stem.
func (id schemaID) String() string { return schemaTable[id].name }

// SchemaJSON returns the bytes of the embedded schema with the given stem,
// such as "task_info", exactly as they are in the schema directory.
func SchemaJSON(name string) ([]byte, error) {
	if _, ok := schemaNamed(name); !ok {
		return nil, fmt.Errorf("taskschema: unknown schema %q (known: %v)", name, SchemaNames())
	}
	return schema.FS.ReadFile(schema.FileName(name))
}

// schemaOf returns the schema of a model type or a pointer to one.
func schemaOf(t reflect.Type) (schemaID, bool) {
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for id, s := range schemaTable {
		if s.goType == t {
			return schemaID(id), true
		}
	}
	return 0, false
}
