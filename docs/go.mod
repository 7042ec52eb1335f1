module github.com/mcp-refcache/taskschema/docs

go 1.25
