package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	gojson "github.com/goccy/go-json"

	"github.com/mcp-refcache/taskschema/models"
)

// A binding ties a schema stem to its model type and to the plain struct
// the peers decode into.
type binding struct {
	stem         string
	model, plain reflect.Type
	// call returns a function that decodes a payload with unmarshal into a
	// fresh value of the model type (plain false) or of the plain type.
	call func(unmarshal func([]byte, any) error, plain bool) func([]byte) error
}

func bind[M, P any](stem string) binding {
	return binding{
		stem:  stem,
		model: reflect.TypeFor[M](),
		plain: reflect.TypeFor[P](),
		call: func(unmarshal func([]byte, any) error, plain bool) func([]byte) error {
			if plain {
				return func(data []byte) error {
					var v P
					return unmarshal(data, &v)
				}
			}
			return func(data []byte) error {
				var v M
				return unmarshal(data, &v)
			}
		},
	}
}

// bindings lists one binding per model type.
var bindings = []binding{
	bind[models.TaskStatus, plainTaskStatus]("task_status"),
	bind[models.TaskProgress, plainTaskProgress]("task_progress"),
	bind[models.RetryInfo, plainRetryInfo]("retry_info"),
	bind[models.TaskInfo, plainTaskInfo]("task_info"),
	bind[models.AsyncTaskResponse, plainAsyncTaskResponse]("async_task_response"),
	bind[models.ResponseFormat, plainResponseFormat]("response_format"),
	bind[models.ExpectedSchema, plainExpectedSchema]("expected_schema"),
	bind[models.MinimalTaskResponse, plainMinimalTaskResponse]("minimal_task_response"),
	bind[models.StandardTaskResponse, plainStandardTaskResponse]("standard_task_response"),
	bind[models.FullTaskResponse, plainFullTaskResponse]("full_task_response"),
	bind[models.AsyncTaskPage, plainAsyncTaskPage]("async_task_page"),
	bind[models.MCPTaskStatus, plainMCPTaskStatus]("mcp_task_status"),
	bind[models.MCPTask, plainMCPTask]("mcp_task"),
	bind[models.MCPCreateTaskResult, plainMCPCreateTaskResult]("mcp_create_task_result"),
	bind[models.MCPListTasksResult, plainMCPListTasksResult]("mcp_list_tasks_result"),
}

// orderedBindings returns the bindings in the order of models.SchemaNames,
// and an error unless there is exactly one for each schema.
func orderedBindings() ([]binding, error) {
	names := models.SchemaNames()
	var out []binding
	for _, name := range names {
		i := slices.IndexFunc(bindings, func(b binding) bool { return b.stem == name })
		if i < 0 {
			return nil, fmt.Errorf("no binding for schema %s: add its model type and plain struct to bench/peers", name)
		}
		out = append(out, bindings[i])
	}
	if len(out) != len(bindings) {
		return nil, fmt.Errorf("bench/peers binds %d types, models has %d schemas %v", len(bindings), len(names), names)
	}
	for _, b := range out {
		if err := sameShape(b.stem, b.model, b.plain); err != nil {
			return nil, fmt.Errorf("the plain struct of %s no longer matches its model type: %w", b.stem, err)
		}
	}
	return out, nil
}

// A decoder is one implementation under test.
type decoder struct {
	name  string // the runtime name in the output
	about string // what it is, with its version
	// module is the module path whose version is appended to about, if any.
	module    string
	unmarshal func([]byte, any) error
	// plain is false only for models.Unmarshal, which fills the model types.
	plain bool
}

// base is the reference every ratio divides by: the library itself.
const base = "go"

// group names the build: "" normally, "jsonv2" under GOEXPERIMENT=jsonv2,
// where encoding/json (v1) is implemented on top of encoding/json/v2, so its
// numbers are not those of the default build.
var group = ""

// skipped lists the decoders this build leaves out, and why.
var skipped []result

// only, when set, limits the run to the decoders it names.
var only []string

// decoders lists the implementations, models.Unmarshal first. Files with
// build constraints add sonic (amd64, arm64) and encoding/json/v2
// (GOEXPERIMENT=jsonv2).
var decoders = []decoder{
	{name: base, about: "models.Unmarshal (validating)", unmarshal: models.Unmarshal},
	{name: "json", about: "encoding/json (v1) Unmarshal", unmarshal: json.Unmarshal, plain: true},
	{name: "goccy", about: "github.com/goccy/go-json Unmarshal", module: "github.com/goccy/go-json", unmarshal: gojson.Unmarshal, plain: true},
}
