package mcptasks

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/mcp-refcache/taskschema/models"
)

// SchemaDefs returns the schemas of schema/ as one $defs object keyed by
// title, each without $id and $schema and with every file reference
// ("task_status.schema.json") rewritten to "#/$defs/<Title>". A tool's
// output schema can then embed them self-contained; the TypeScript client
// compiles every tool's schema in one ajv instance, so nested $ids would
// collide (see docs/MCP-DESIGN.md).
func SchemaDefs() (map[string]any, error) {
	docs := map[string]map[string]any{}
	titles := map[string]string{} // file name -> title
	for _, name := range models.SchemaNames() {
		raw, err := models.SchemaJSON(name)
		if err != nil {
			return nil, err
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		title, _ := doc["title"].(string)
		if title == "" {
			return nil, fmt.Errorf("%s: no title", name)
		}
		delete(doc, "$id")
		delete(doc, "$schema")
		docs[title] = doc
		titles[name+".schema.json"] = title
	}
	var rewrite func(v any) error
	rewrite = func(v any) error {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok && !strings.HasPrefix(ref, "#") {
				title, ok := titles[ref]
				if !ok {
					return fmt.Errorf("unknown $ref %q", ref)
				}
				v["$ref"] = "#/$defs/" + title
			}
			for _, x := range v {
				if err := rewrite(x); err != nil {
					return err
				}
			}
		case []any:
			for _, x := range v {
				if err := rewrite(x); err != nil {
					return err
				}
			}
		}
		return nil
	}
	defs := map[string]any{}
	for title, doc := range docs {
		if err := rewrite(doc); err != nil {
			return nil, err
		}
		defs[title] = doc
	}
	return defs, nil
}

// defsFor returns the definitions root needs: root and every definition it
// reaches through "#/$defs/..." references. The TypeScript client compiles
// each tool's output schema on every tools/list, so smaller is cheaper.
func defsFor(all map[string]any, root string) map[string]any {
	out := map[string]any{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if name, ok := strings.CutPrefix(ref, "#/$defs/"); ok {
					if _, seen := out[name]; !seen && all[name] != nil {
						out[name] = all[name]
						walk(all[name])
					}
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(map[string]any{"$ref": "#/$defs/" + root})
	return out
}

// schemaDefs is SchemaDefs, computed once. Callers must not change it.
var schemaDefs = sync.OnceValues(SchemaDefs)

// FallbackOutputSchema is the output schema of a tool with the timeout
// fallback: the tool's own result or an AsyncTaskResponse, self-contained
// (the definitions it needs under $defs, built from schema/). anyOf, not
// oneOf: neither branch forbids extra members, so an AsyncTaskResponse can
// match both and oneOf would reject it.
func FallbackOutputSchema(result map[string]any) (map[string]any, error) {
	defs, err := schemaDefs()
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"type":  "object",
		"$defs": defsFor(defs, "AsyncTaskResponse"),
		"anyOf": []any{result, map[string]any{"$ref": "#/$defs/AsyncTaskResponse"}},
	}, nil
}

// AsyncOutputSchema is the output schema of get_task_status and
// cancel_task: an AsyncTaskResponse.
func AsyncOutputSchema() (map[string]any, error) {
	defs, err := schemaDefs()
	if err != nil {
		return nil, err
	}
	return map[string]any{"type": "object", "$defs": defsFor(defs, "AsyncTaskResponse"), "$ref": "#/$defs/AsyncTaskResponse"}, nil
}

// ListOutputSchema is the output schema of list_tasks: an AsyncTaskPage
// (schema/async_task_page.schema.json), a page of AsyncTaskResponses and
// the cursor of the next page.
func ListOutputSchema() (map[string]any, error) {
	defs, err := schemaDefs()
	if err != nil {
		return nil, err
	}
	return map[string]any{"type": "object", "$defs": defsFor(defs, "AsyncTaskPage"), "$ref": "#/$defs/AsyncTaskPage"}, nil
}
