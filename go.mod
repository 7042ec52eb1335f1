module github.com/mcp-refcache/taskschema

go 1.25

require (
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	golang.org/x/text v0.14.0
)
