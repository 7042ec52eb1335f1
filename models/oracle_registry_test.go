package models

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/mcp-refcache/taskschema/schema"
)

// registry holds the schemas compiled by the v6 validator, the oracle that
// the generated readers and checks are held to. It is built once, from the
// embedded files, for the tests.
type registry struct {
	// compiled holds each schema, indexed by schemaID.
	compiled []*jsonschema.Schema
	// enumMessages holds the message of each enum violation, by the URL of
	// the schema that holds the enum: it lists the schema's values, not the
	// payload's, so it is worded once here.
	enumMessages map[string]string
}

var loadRegistry = sync.OnceValues(buildRegistry)

// url returns the $id of the schema.
func (id schemaID) url() string { return schema.BaseURL + schema.FileName(schemaTable[id].name) }

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
