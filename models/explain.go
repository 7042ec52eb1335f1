package models

import (
	"fmt"
	"reflect"

	"github.com/mcp-refcache/taskschema/internal/jsonread"
)

// explainValue lists the violations of a value of schema id that the
// generated check refused: the Go values without a JSON form, else what the
// generated reader finds wrong with its encoding by the generated writer.
func explainValue(id schemaID, rv reflect.Value) error {
	name := id.String()
	if vs := goValueViolations(reflect.Indirect(rv), ""); len(vs) > 0 {
		return newValidationError(name, vs)
	}
	data := appendModel(new(jsonread.Extent), nil, rv.Interface())
	var r jsonread.Reader
	r.Reset(data, jsonread.Limits{})
	rep := report{}
	target := reflect.New(schemaTable[id].goType).Interface()
	if r.Begin() && readModel(&r, id, target, &rep) {
		return fmt.Errorf("%w: the generated check refuses a %s value that the schema accepts", ErrValidatorFailed, name)
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("taskschema: encode %s: %w", name, err)
	}
	if len(rep.vs) == 0 {
		return fmt.Errorf("%w: the generated reader refuses the encoding of a %s value without saying why", ErrValidatorFailed, name)
	}
	return newValidationError(name, rep.vs)
}
