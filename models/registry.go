package models

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/mcp-refcache/taskschema/schema"
)

// registry holds the compiled schemas. It is built once, from the embedded
// files, and shared read-only by all callers.
type registry struct {
	// compiled holds each schema, indexed by schemaID.
	compiled []*jsonschema.Schema
	// properties holds the compiled schema of each property, indexed by
	// propertyID, which explains a rejected value on its own.
	properties []*jsonschema.Schema
	// enumMessages holds the message of each enum violation, by the URL of
	// the schema that holds the enum: it lists the schema's values, not the
	// payload's, so it is worded once here.
	enumMessages map[string]string
}

var loadRegistry = sync.OnceValues(buildRegistry)

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

// url returns the $id of the schema.
func (id schemaID) url() string { return schema.BaseURL + schema.FileName(schemaTable[id].name) }

// String returns the schema's stem.
func (id schemaID) String() string { return schemaTable[id].name }

// refuseLoader is the compiler's only loader: every schema it needs is added
// as a resource from the embedded files, so any other URL is refused.
type refuseLoader struct{}

func (refuseLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("taskschema: refusing to load %q: only the embedded schemas are used", url)
}

func buildRegistry() (*registry, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(refuseLoader{})
	reg := &registry{
		compiled:     make([]*jsonschema.Schema, len(schemaTable)),
		properties:   make([]*jsonschema.Schema, len(propertyTable)),
		enumMessages: map[string]string{},
	}
	for id := range schemaTable {
		id := schemaID(id)
		data, err := schema.FS.ReadFile(schema.FileName(id.String()))
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("taskschema: schema %s: %w", id, err)
		}
		if err := c.AddResource(id.url(), doc); err != nil {
			return nil, fmt.Errorf("taskschema: schema %s: %w", id, err)
		}
	}
	for id := range schemaTable {
		id := schemaID(id)
		sch, err := c.Compile(id.url())
		if err != nil {
			return nil, fmt.Errorf("taskschema: compile schema %s: %w", id, err)
		}
		reg.compiled[id] = sch
		if schemaTable[id].isEnum {
			if err := reg.wordEnum(id); err != nil {
				return nil, err
			}
		}
	}
	for id, p := range propertyTable {
		if id == int(propertyNone) {
			continue
		}
		sub, err := c.Compile(p.schema.url() + "#/properties/" + p.name)
		if err != nil {
			return nil, fmt.Errorf("taskschema: compile schema %s, property %s: %w", p.schema, p.name, err)
		}
		reg.properties[id] = sub
	}
	return reg, nil
}

// wordEnum words the violation of the enum schema id once, from the
// validator's verdict on "", which gen refuses as an enum value.
func (reg *registry) wordEnum(id schemaID) error {
	err := reg.compiled[id].Validate("")
	ve, ok := err.(*jsonschema.ValidationError)
	for ok && len(ve.Causes) == 1 {
		ve = ve.Causes[0]
	}
	if !ok {
		return fmt.Errorf("taskschema: schema %s: no verdict on the empty string: %v", id, err)
	}
	k, isEnum := ve.ErrorKind.(*kind.Enum)
	if !isEnum {
		return fmt.Errorf("taskschema: schema %s: want an enum violation, got %v", id, ve)
	}
	reg.enumMessages[ve.SchemaURL] = strings.TrimPrefix(k.LocalizedString(englishPrinter), "enum: ")
	return nil
}

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
