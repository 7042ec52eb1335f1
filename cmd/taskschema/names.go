package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/schema"
)

// resolveSchemaName returns the stem of the schema that arg names: its stem
// ("task_info"), its title ("TaskInfo") or its file name
// ("task_info.schema.json"), each spelled exactly.
func resolveSchemaName(arg string) (string, bool) {
	for _, name := range models.SchemaNames() {
		if arg == name || arg == schema.FileName(name) || arg == schemaTitle(name) {
			return name, true
		}
	}
	return "", false
}

// schemaTitle returns the "title" of the embedded schema name, or "".
func schemaTitle(name string) string {
	data, err := models.SchemaJSON(name)
	if err != nil {
		return ""
	}
	var doc struct {
		Title string `json:"title"`
	}
	if json.Unmarshal(data, &doc) != nil {
		return ""
	}
	return doc.Title
}

// schemaNameHelp says how a schema may be named, for the usage texts, and
// lists each schema's stem and title.
func schemaNameHelp() string {
	var b strings.Builder
	b.WriteString("NAME names a schema by its stem, its title or its file name, such as\n")
	b.WriteString("task_info, TaskInfo or task_info.schema.json. The schemas (stem, title):\n")
	width := 0
	for _, name := range models.SchemaNames() {
		width = max(width, len(name))
	}
	for _, name := range models.SchemaNames() {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, name, schemaTitle(name))
	}
	return strings.TrimSuffix(b.String(), "\n")
}
