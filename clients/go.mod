// This go.mod keeps the client packages (TypeScript and Python, no Go code)
// out of the root module's zip; nothing imports it.
module github.com/mcp-refcache/taskschema/clients

go 1.25
