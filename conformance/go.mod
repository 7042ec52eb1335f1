// This go.mod keeps the conformance runners (Python and Node, no Go
// code) out of the root module's zip; nothing imports it.
module github.com/mcp-refcache/taskschema/conformance

go 1.25
