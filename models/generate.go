package models

// The Go types in types_gen.go are generated from the schema files in
// ../schema by the program in ../gen, which runs go-jsonschema (pinned in
// ../gen/go.mod) and post-processes its output. The same run rewrites the
// field tables of ../README.md. Never edit types_gen.go by hand.
//
//go:generate go -C ../gen run . -schemas ../schema -types ../models/types_gen.go -checks ../models/checks_gen.go -readme ../README.md
