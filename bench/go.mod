module github.com/mcp-refcache/taskschema/bench

go 1.25
