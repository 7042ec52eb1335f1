package models

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mcp-refcache/taskschema/internal/jsonread"
)

// Unmarshal validates data against the schema of v's type and, only if the
// schema accepts it, decodes it into v, which must be a non-nil pointer to
// one of the model types (*TaskStatus, *TaskProgress, *RetryInfo, *TaskInfo or
// *AsyncTaskResponse).
//
// A payload the schema rejects, or one beyond [DefaultLimits], gives a
// *ValidationError and leaves v unchanged. On success v holds exactly the
// validated values: absent keys take the schema's defaults, keys match fields
// only when spelled exactly as in the schema, and unknown keys are ignored.
func Unmarshal(data []byte, v any) error {
	return unmarshal(DefaultLimits(), data, v)
}

// ValidateJSON reports whether data is a valid payload for the schema with
// the given stem, such as "task_info" (see [SchemaNames]). Its verdict is
// exactly that of Unmarshal into the schema's model type: nil, a
// *ValidationError, or another error for an unknown name.
func ValidateJSON(name string, data []byte) error {
	return validateJSON(DefaultLimits(), name, data)
}

func validateJSON(limits Limits, name string, data []byte) error {
	for t, n := range modelSchemas {
		if n == name {
			return unmarshal(limits, data, reflect.New(t).Interface())
		}
	}
	return fmt.Errorf("%w: unknown schema %q (known: %v)", ErrUnsupportedType, name, SchemaNames())
}

var readers = sync.Pool{New: func() any { return new(jsonread.Reader) }}

// unmarshal reads data in one pass with the reader and the readers generated
// from the schemas (checks_gen.go). Only when that pass finds values the
// schema rejects does the v6 validator run, on just those values, to say
// why. Should it find nothing wrong (the two disagree, which the
// differential fuzz targets exist to rule out), the whole payload goes to
// the validator, whose verdict stands.
func unmarshal(limits Limits, data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("%w: Unmarshal needs a non-nil pointer to a model type, got %T", ErrUnsupportedType, v)
	}
	name, ok := schemaNameOf(rv.Type())
	if !ok {
		return fmt.Errorf("%w: %T", ErrUnsupportedType, v)
	}
	if limits.MaxBytes > 0 && len(data) > limits.MaxBytes {
		return newValidationError(name, []Violation{{Keyword: KeywordLimit,
			Message: fmt.Sprintf("payload is %d bytes, more than MaxBytes (%d)", len(data), limits.MaxBytes)}})
	}
	if !utf8.Valid(data) {
		return newValidationError(name, []Violation{{Keyword: KeywordJSON, Message: "payload is not valid UTF-8"}})
	}
	r := readers.Get().(*jsonread.Reader)
	defer func() {
		r.Reset(nil, jsonread.Limits{}) // let go of the payload
		readers.Put(r)
	}()
	r.Reset(data, limits.reader())
	var rep report
	if r.Begin() && readModel(r, v, &rep) {
		return nil
	}
	if err := r.Err(); err != nil {
		return readError(name, err)
	}
	reg, err := loadRegistry()
	if err != nil {
		return err
	}
	if vs, more, err := explain(reg, limits, data, &rep); err != nil || len(vs) > 0 {
		if err != nil {
			return err
		}
		ve := newValidationError(name, vs)
		if more {
			ve.Violations = append(ve.Violations, Violation{Keyword: KeywordLimit,
				Message: fmt.Sprintf("more than MaxViolations (%d) violations; the rest are not listed", limits.MaxViolations)})
		}
		return ve
	}
	return unmarshalSlow(reg, limits, name, data, rv)
}

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
		if item, ok := arrayItems[f.schema+"/"+f.property]; ok && isArray(span) {
			if err := explainItems(reg, span, item, f.pointer, list); err != nil {
				return nil, false, err
			}
			continue
		}
		sch := reg.compiled[f.schema]
		if f.property != "" {
			sch = reg.properties[f.schema+"/"+f.property]
		}
		found, err := validateSpan(sch, f.schema, span)
		if err != nil {
			return nil, false, err
		}
		list.add(found, f.pointer)
	}
	return list.vs, list.more, nil
}

// explainItems explains each item of an array that the generated reader
// for the item schema rejects, until the list is full.
func explainItems(reg *registry, span []byte, item, pointer string, list *violationList) error {
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
		found, err := validateSpan(reg.compiled[item], item, span[m.Offset():r.Offset()])
		if err != nil {
			return err
		}
		list.add(found, pointer+"/"+strconv.Itoa(i))
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

// unmarshalSlow validates the whole payload with the v6 validator and
// decodes the tree it validated.
func unmarshalSlow(reg *registry, limits Limits, name string, data []byte, rv reflect.Value) error {
	var r jsonread.Reader
	r.Reset(data, limits.reader())
	r.Begin()
	doc := r.ReadAny()
	if !r.Finish() {
		return readError(name, r.Err())
	}
	if err := validateDoc(reg, name, doc); err != nil {
		return err
	}
	decoded := reflect.New(rv.Type().Elem())
	if err := decodeInto(reg, decoded.Elem(), doc, ""); err != nil {
		return err
	}
	rv.Elem().Set(decoded.Elem())
	return nil
}

// readError turns the reader's error into a violation.
func readError(name string, err *jsonread.Error) *ValidationError {
	keyword, path := KeywordJSON, ""
	switch err.Kind {
	case jsonread.Limit:
		keyword = KeywordLimit
	case jsonread.DuplicateKey, jsonread.LoneSurrogate:
		path = err.Pointer
	}
	return newValidationError(name, []Violation{{InstancePath: path, Keyword: keyword, Message: err.Error()}})
}

// Marshal encodes v, a model value or a pointer to one, as JSON, and returns
// the payload only if its schema accepts it; otherwise it returns a
// *ValidationError. Fields are written in the schema's order.
func Marshal(v any) ([]byte, error) {
	if err := Validate(v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// Validate reports whether v, a model value or a pointer to one, satisfies
// its schema: it returns nil or a *ValidationError, exactly as Marshal would.
func Validate(v any) error {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || (rv.Kind() == reflect.Pointer && rv.IsNil()) {
		return fmt.Errorf("%w: nil %T", ErrUnsupportedType, v)
	}
	name, ok := schemaNameOf(rv.Type())
	if !ok {
		return fmt.Errorf("%w: %T", ErrUnsupportedType, v)
	}
	if checkModel(v) {
		return nil
	}
	return explainValue(name, rv)
}

// explainValue lists the violations of a value that the generated check
// refused: the Go values without a JSON form, else the validator's verdict on
// its encoding.
func explainValue(name string, rv reflect.Value) error {
	if vs := goValueViolations(reflect.Indirect(rv), ""); len(vs) > 0 {
		return newValidationError(name, vs)
	}
	data, err := json.Marshal(rv.Interface())
	if err != nil {
		return fmt.Errorf("taskschema: encode %s: %w", name, err)
	}
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
	if err := validateDoc(reg, name, doc); err != nil {
		return err
	}
	return fmt.Errorf("%w: the generated check refuses a %s value that the schema accepts", ErrValidatorFailed, name)
}
