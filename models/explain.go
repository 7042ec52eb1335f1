package models

import (
	"fmt"
	"reflect"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mcp-refcache/taskschema/internal/jsonpointer"
	"github.com/mcp-refcache/taskschema/internal/jsonread"
)

// This file explains rejected values: once the generated reader or check
// has refused a payload or a Go value, the v6 validator says why, working on
// just the values that were refused.

// violationList collects violations up to a maximum (0: no maximum).
type violationList struct {
	vs   []Violation
	max  int
	more bool // some were left out
}

// add appends found, each with prefix put before its instance path, while
// there is room.
func (l *violationList) add(found []Violation, prefix string) {
	for _, v := range found {
		if l.full() {
			l.more = true
			return
		}
		v.InstancePath = prefix + v.InstancePath
		l.vs = append(l.vs, v)
	}
}

func (l *violationList) full() bool { return l.max > 0 && len(l.vs) >= l.max }

// explain asks the validator why each value in rep was rejected, listing at
// most limits.MaxViolations violations (in the order of the payload), and
// reports whether it left any out. The items of a rejected array are
// explained one by one, and only those the generated reader rejects, so that
// the validator's work stops with the list.
func explain(reg *registry, limits Limits, data []byte, rep *report) ([]Violation, bool, error) {
	list := &violationList{max: limits.MaxViolations}
	for _, p := range rep.absent {
		list.add([]Violation{missingProperty(nil, p)}, "")
	}
	for _, f := range rep.failures {
		span := data[f.start:f.end]
		if p := propertyTable[f.property]; p.array && isArray(span) {
			if err := explainItems(reg, span, p.items, f.pointer, list); err != nil {
				return nil, false, err
			}
			continue
		}
		sch := reg.compiled[f.schema]
		if f.property != propertyNone {
			sch = reg.properties[f.property]
		}
		found, err := validateSpan(sch, f.schema.String(), span)
		if err != nil {
			return nil, false, err
		}
		list.add(found, f.pointer)
	}
	return list.vs, list.more, nil
}

// explainItems explains each item of an array that the generated reader
// for the item schema rejects, until the list is full.
func explainItems(reg *registry, span []byte, item schemaID, pointer string, list *violationList) error {
	var r jsonread.Reader
	r.Reset(span, jsonread.Limits{})
	r.ReadArray()
	for i := 0; r.NextItem(); i++ {
		m := r.Mark()
		if readItem(&r, item) {
			continue
		}
		if list.full() {
			list.more = true
			return nil
		}
		r.Recover(m)
		found, err := validateSpan(reg.compiled[item], item.String(), span[m.Offset():r.Offset()])
		if err != nil {
			return err
		}
		list.add(found, jsonpointer.Index(pointer, i))
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("taskschema: re-read %s: %w", pathOrRoot(pointer), err)
	}
	return nil
}

// validateSpan validates the JSON value in span with the validator.
func validateSpan(sch *jsonschema.Schema, name string, span []byte) ([]Violation, error) {
	var r jsonread.Reader
	r.Reset(span, jsonread.Limits{})
	doc := r.ReadAny()
	if !r.Finish() {
		return nil, fmt.Errorf("taskschema: re-read a rejected value: %w", r.Err())
	}
	return validateWith(sch, name, doc)
}

func isArray(span []byte) bool { return len(span) > 0 && span[0] == '[' }

// explainValue lists the violations of a value of schema id that the
// generated check refused: the Go values without a JSON form, else the
// validator's verdict on its encoding by the generated writer.
func explainValue(id schemaID, rv reflect.Value) error {
	name := id.String()
	if vs := goValueViolations(reflect.Indirect(rv), ""); len(vs) > 0 {
		return newValidationError(name, vs)
	}
	data := appendModel(nil, rv.Interface())
	var r jsonread.Reader
	r.Reset(data, jsonread.Limits{})
	r.Begin()
	doc := r.ReadAny()
	if !r.Finish() {
		return fmt.Errorf("taskschema: encode %s: %w", name, r.Err())
	}
	reg, err := loadRegistry()
	if err != nil {
		return err
	}
	if err := validateDoc(reg, id, doc); err != nil {
		return err
	}
	return fmt.Errorf("%w: the generated check refuses a %s value that the schema accepts", ErrValidatorFailed, name)
}
