package models

import (
	"bytes"
	"fmt"
	"reflect"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mcp-refcache/taskschema/schema"
)

// registry holds the compiled schemas and, for each object schema, the
// defaults of its properties. It is built once, from the embedded files, and
// shared read-only by all callers.
type registry struct {
	compiled map[string]*jsonschema.Schema
	// properties maps "schema/property" to the compiled schema of that
	// property, which explains a rejected value on its own.
	properties map[string]*jsonschema.Schema
	// defaults maps a schema name to its properties' default values, decoded
	// with json.Number as a payload would be.
	defaults map[string]map[string]any
	// propertyNames lists each schema's properties.
	propertyNames map[string][]string
}

// modelSchemas maps each model type to the stem of its schema file.
var modelSchemas = map[reflect.Type]string{
	reflect.TypeFor[TaskStatus]():        "task_status",
	reflect.TypeFor[TaskProgress]():      "task_progress",
	reflect.TypeFor[RetryInfo]():         "retry_info",
	reflect.TypeFor[TaskInfo]():          "task_info",
	reflect.TypeFor[AsyncTaskResponse](): "async_task_response",
}

var loadRegistry = sync.OnceValues(buildRegistry)

// SchemaNames returns the stems of the embedded schema files, such as
// "task_info", in dependency order.
func SchemaNames() []string {
	return append([]string(nil), schema.Names...)
}

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
		compiled:   map[string]*jsonschema.Schema{},
		properties: map[string]*jsonschema.Schema{},
		defaults:   map[string]map[string]any{},

		propertyNames: map[string][]string{},
	}
	for _, name := range schema.Names {
		data, err := schema.FS.ReadFile(schema.FileName(name))
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("taskschema: schema %s: %w", name, err)
		}
		if err := c.AddResource(schema.BaseURL+schema.FileName(name), doc); err != nil {
			return nil, fmt.Errorf("taskschema: schema %s: %w", name, err)
		}
		reg.defaults[name] = propertyDefaults(doc)
		reg.propertyNames[name] = propertyNames(doc)
	}
	for _, name := range schema.Names {
		sch, err := c.Compile(schema.BaseURL + schema.FileName(name))
		if err != nil {
			return nil, fmt.Errorf("taskschema: compile schema %s: %w", name, err)
		}
		reg.compiled[name] = sch
		for _, prop := range reg.propertyNames[name] {
			sub, err := c.Compile(schema.BaseURL + schema.FileName(name) + "#/properties/" + prop)
			if err != nil {
				return nil, fmt.Errorf("taskschema: compile schema %s, property %s: %w", name, prop, err)
			}
			reg.properties[name+"/"+prop] = sub
		}
	}
	return reg, nil
}

// propertyDefaults returns the "default" of every property that has one.
func propertyDefaults(doc any) map[string]any {
	defaults := map[string]any{}
	root, _ := doc.(map[string]any)
	props, _ := root["properties"].(map[string]any)
	for name, p := range props {
		if kw, ok := p.(map[string]any); ok {
			if def, ok := kw["default"]; ok {
				defaults[name] = def
			}
		}
	}
	return defaults
}

// propertyNames returns the names of a schema's properties.
func propertyNames(doc any) []string {
	root, _ := doc.(map[string]any)
	props, _ := root["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	return names
}

// SchemaJSON returns the bytes of the embedded schema with the given stem,
// such as "task_info", exactly as they are in the schema directory.
func SchemaJSON(name string) ([]byte, error) {
	for _, n := range schema.Names {
		if n == name {
			return schema.FS.ReadFile(schema.FileName(name))
		}
	}
	return nil, fmt.Errorf("taskschema: unknown schema %q (known: %v)", name, schema.Names)
}

// schemaNameOf returns the schema stem for the type of v, which may be a
// model value or a pointer to one.
func schemaNameOf(t reflect.Type) (string, bool) {
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name, ok := modelSchemas[t]
	return name, ok
}
