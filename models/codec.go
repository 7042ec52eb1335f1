package models

// This file holds the public entry points that read and write payloads:
// Unmarshal, ValidateJSON, Marshal and Validate.

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"unicode/utf8"

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
	limits = limits.effective()
	if len(data) > limits.MaxBytes {
		return newValidationError(name, []Violation{{Keyword: KeywordLimit,
			Message: fmt.Sprintf("payload is %d bytes, more than MaxBytes (%d)", len(data), limits.MaxBytes)}})
	}
	if !utf8.Valid(data) {
		return newValidationError(name, []Violation{{Keyword: KeywordJSON, Message: invalidUTF8Message(data)}})
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

// invalidUTF8Message names the first byte of data that is not valid UTF-8,
// in hex, and its offset.
func invalidUTF8Message(data []byte) string {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return fmt.Sprintf("payload is not valid UTF-8: byte 0x%02X (at byte %d)", data[i], i)
		}
		i += size
	}
	return "payload is not valid UTF-8"
}
