module github.com/mcp-refcache/taskschema/tests

go 1.25

require (
	github.com/mcp-refcache/taskschema v0.1.0
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
)

require golang.org/x/text v0.14.0 // indirect
