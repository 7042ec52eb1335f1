package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"unicode/utf8"
)

// Unmarshal validates data against the schema of v's type and, only if the
// schema accepts it, decodes it into v, which must be a non-nil pointer to
// one of the model types (*TaskStatus, *TaskProgress, *RetryInfo, *TaskInfo or
// *AsyncTaskResponse).
//
// A payload the schema rejects, or one beyond [DefaultLimits], gives a
// *ValidationError and leaves v unchanged. On success v holds exactly the validated values: absent keys
// take the schema's defaults, keys match fields only when spelled exactly as
// in the schema, and unknown keys are ignored.
func Unmarshal(data []byte, v any) error {
	return unmarshal(DefaultLimits(), data, v)
}

func unmarshal(limits Limits, data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("%w: Unmarshal needs a non-nil pointer to a model type, got %T", ErrUnsupportedType, v)
	}
	name, ok := schemaNameOf(rv.Type())
	if !ok {
		return fmt.Errorf("%w: %T", ErrUnsupportedType, v)
	}
	reg, err := loadRegistry()
	if err != nil {
		return err
	}
	if msg := limits.check(data); msg != "" {
		return newValidationError(name, []Violation{{Keyword: KeywordLimit, Message: msg}})
	}
	doc, err := parsePayload(data)
	if err != nil {
		return newValidationError(name, []Violation{{Keyword: KeywordJSON, Message: err.Error()}})
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

// Marshal encodes v, a model value or a pointer to one, as JSON, and returns
// the payload only if its schema accepts it; otherwise it returns a
// *ValidationError. Fields are written in the schema's order.
func Marshal(v any) ([]byte, error) {
	data, _, err := encodeAndValidate(v)
	return data, err
}

// Validate reports whether v, a model value or a pointer to one, satisfies
// its schema: it returns nil or a *ValidationError, exactly as Marshal would.
func Validate(v any) error {
	_, _, err := encodeAndValidate(v)
	return err
}

func encodeAndValidate(v any) ([]byte, string, error) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || (rv.Kind() == reflect.Pointer && rv.IsNil()) {
		return nil, "", fmt.Errorf("%w: nil %T", ErrUnsupportedType, v)
	}
	name, ok := schemaNameOf(rv.Type())
	if !ok {
		return nil, "", fmt.Errorf("%w: %T", ErrUnsupportedType, v)
	}
	reg, err := loadRegistry()
	if err != nil {
		return nil, name, err
	}
	if vs := goValueViolations(reflect.Indirect(rv), ""); len(vs) > 0 {
		return nil, name, newValidationError(name, vs)
	}
	data, err := json.Marshal(v)
	if err != nil {
		// goValueViolations catches every value encoding/json refuses for
		// these types; this is a guard, not an expected path.
		return nil, name, fmt.Errorf("taskschema: encode %s: %w", name, err)
	}
	doc, err := parsePayload(data)
	if err != nil {
		return nil, name, fmt.Errorf("taskschema: encode %s: %w", name, err)
	}
	if err := validateDoc(reg, name, doc); err != nil {
		return nil, name, err
	}
	return data, name, nil
}

// parsePayload decodes exactly one JSON value, keeping numbers as
// json.Number so that the validator sees them as written.
func parsePayload(data []byte) (any, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("payload is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("payload is empty")
		}
		return nil, fmt.Errorf("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("data after the JSON value at byte %d", dec.InputOffset())
	}
	return doc, nil
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
