// Package schema embeds the JSON Schema files that define the taskschema
// contract, so that Go code and the command-line tool use exactly the bytes
// that non-Go clients read from this directory.
package schema

import "embed"

// FS holds every *.schema.json file of this directory. The list of schemas,
// their order and their Go types are generated into package models (see
// models.SchemaNames); adding a file here and running go generate adds a
// model.
//
//go:embed *.schema.json
var FS embed.FS

// BaseURL is the URL under which every schema's $id is published. A schema
// named by its stem, such as "task_info", has the $id
// BaseURL + "task_info.schema.json".
const BaseURL = "https://mcp-refcache.github.io/taskschema/schema/v1/"

// FileName returns the file name of the schema with the given stem.
func FileName(name string) string { return name + ".schema.json" }
