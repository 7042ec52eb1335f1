package models

// The Go types in types_gen.go, the readers, checks, writers, defaults and
// encoding/json methods in model_gen.go, and the test table in
// plain_gen_test.go are generated from the schema files in ../schema by the
// program in ../gen, which runs go-jsonschema (pinned in ../gen/go.mod) for
// the struct declarations. The same run rewrites the field tables of
// ../docs/MODELS.md and the bundle ../schema/taskschema.bundle.json. Never edit
// the generated files by hand.
//
//go:generate go -C ../gen run . -schemas ../schema -models ../models -doc ../docs/MODELS.md
