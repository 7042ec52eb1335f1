package models

// This file holds the public entry points that read and write payloads:
// Unmarshal, ValidateJSON, Marshal and Validate.

import (
	"fmt"
	"reflect"
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
	if v, ok := NewValue(name); ok {
		return unmarshal(limits, data, v)
	}
	return fmt.Errorf("%w: unknown schema %q (known: %v)", ErrUnsupportedType, name, SchemaNames())
}

// unmarshal reads data in one pass with the reader and the readers generated
// from the schemas (model_gen.go), which also word every violation they
// find. Should they reject the payload without a violation (a bug, which
// the differential fuzz targets exist to rule out), the error wraps
// ErrValidatorFailed, as Validate's does.
func unmarshal(limits Limits, data []byte, v any) error {
	id, ok := targetSchema(v)
	if !ok {
		if rv := reflect.ValueOf(v); rv.Kind() != reflect.Pointer || rv.IsNil() {
			return fmt.Errorf("%w: Unmarshal needs a non-nil pointer to a model type, got %T", ErrUnsupportedType, v)
		}
		return fmt.Errorf("%w: %T", ErrUnsupportedType, v)
	}
	name := id.String()
	if limits != DefaultLimits() { // the defaults are within the ceilings
		limits = limits.effective()
	}
	if len(data) > limits.MaxBytes {
		return newValidationError(name, []Violation{{Keyword: KeywordLimit,
			Message: fmt.Sprintf("payload is %d bytes, more than MaxBytes (%d)", len(data), limits.MaxBytes)}})
	}
	// The reader lives on this call's stack: nothing to pool, and nothing
	// for the garbage collector to follow.
	var r jsonread.Reader
	r.Reset(data, limits.reader())
	rep := report{max: limits.MaxViolations}
	if r.Begin() && readModel(&r, id, v, &rep) {
		return nil
	}
	if err := r.Err(); err != nil {
		// The reader checks UTF-8 in strings as it goes, and stops at the
		// first error of any kind: a payload that is not valid UTF-8
		// anywhere is refused as such, whatever the reader met first.
		if !utf8.Valid(data) {
			return newValidationError(name, []Violation{{Keyword: KeywordJSON, Message: invalidUTF8Message(data)}})
		}
		return readError(name, err)
	}
	return rejection(limits, name, &rep)
}

// rejection is Unmarshal's error for a payload in which the generated
// readers found the violations in rep, or, should they have found none,
// an error wrapping ErrValidatorFailed.
func rejection(limits Limits, name string, rep *report) error {
	if len(rep.vs) == 0 {
		return fmt.Errorf("%w: the generated reader refuses a %s payload without saying why", ErrValidatorFailed, name)
	}
	ve := rep.validationError(name)
	if rep.more() {
		ve.Violations = append(ve.Violations, Violation{Keyword: KeywordLimit,
			Message: fmt.Sprintf("more than MaxViolations (%d) violations; the rest are not listed", limits.MaxViolations)})
	}
	return ve
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
// the payload only if its schema accepts it and [Unmarshal] would read it
// back: a value its schema rejects, or whose encoding is beyond
// [DefaultLimits] (such as more than MaxBytes), gives a *ValidationError
// (the keyword [KeywordLimit] for a limit). Fields are written in the
// schema's order, by a writer generated from the schemas; unlike
// encoding/json, it does not escape <, > and &, so that the payload is no
// longer than it needs to be.
func Marshal(v any) ([]byte, error) {
	return marshal(DefaultLimits(), v)
}

// Marshal is [Marshal] with these limits: it refuses an encoding that
// [Limits.Unmarshal] with the same limits would refuse.
func (l Limits) Marshal(v any) ([]byte, error) {
	return marshal(l, v)
}

func marshal(l Limits, v any) ([]byte, error) {
	id, err := validate(v)
	if err != nil {
		return nil, err
	}
	return encode(l, id, func(x *jsonread.Extent, b []byte) []byte { return appendModel(x, b, v) })
}

// Validate reports whether v, a model value or a pointer to one, satisfies
// its schema: it returns nil or a *ValidationError. Marshal refuses what
// Validate refuses, and also an encoding beyond its limits.
func Validate(v any) error {
	_, err := validate(v)
	return err
}

func validate(v any) (schemaID, error) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || (rv.Kind() == reflect.Pointer && rv.IsNil()) {
		return 0, fmt.Errorf("%w: nil %T", ErrUnsupportedType, v)
	}
	id, ok := schemaOf(rv.Type())
	if !ok {
		return 0, fmt.Errorf("%w: %T", ErrUnsupportedType, v)
	}
	if checkModel(v) {
		return id, nil
	}
	return id, explainValue(id, rv)
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
