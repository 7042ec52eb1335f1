package models

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/mcp-refcache/taskschema/internal/jsonpointer"
)

var timeType = reflect.TypeFor[time.Time]()

// decodeInto stores a validated payload (numbers as json.Number) in dst. It
// matches object keys to fields by their exact json tag, fills absent keys
// with the schema's defaults, and converts numbers exactly: an integer field
// takes any integer-valued number such as 2.0 or 1e2. Because the payload was
// validated first, a mismatch here means the schema and the Go types disagree;
// it is reported as an error, never papered over.
func decodeInto(reg *registry, dst reflect.Value, v any, path string) error {
	if dst.Type() == timeType {
		s, ok := v.(string)
		if !ok {
			return decodeMismatch(path, "a date-time string", v)
		}
		t, err := parseDateTime(s)
		if err != nil {
			return fmt.Errorf("taskschema: decode %s: %w", pathOrRoot(path), err)
		}
		dst.Set(reflect.ValueOf(t))
		return nil
	}
	switch dst.Kind() {
	case reflect.Pointer:
		if v == nil {
			dst.SetZero()
			return nil
		}
		elem := reflect.New(dst.Type().Elem())
		if err := decodeInto(reg, elem.Elem(), v, path); err != nil {
			return err
		}
		dst.Set(elem)
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return decodeMismatch(path, "a string", v)
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return decodeMismatch(path, "a boolean", v)
		}
		dst.SetBool(b)
	case reflect.Int:
		n, ok := v.(json.Number)
		if !ok {
			return decodeMismatch(path, "an integer", v)
		}
		i, err := parseInteger(n)
		if err != nil {
			return fmt.Errorf("taskschema: decode %s: %w", pathOrRoot(path), err)
		}
		dst.SetInt(i)
	case reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			return decodeMismatch(path, "a number", v)
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsInf(f, 0) {
			return fmt.Errorf("taskschema: decode %s: number %s does not fit a float64", pathOrRoot(path), n)
		}
		dst.SetFloat(f)
	case reflect.Slice:
		items, ok := v.([]any)
		if !ok {
			return decodeMismatch(path, "an array", v)
		}
		s := reflect.MakeSlice(dst.Type(), len(items), len(items))
		for i, item := range items {
			if err := decodeInto(reg, s.Index(i), item, jsonpointer.Index(path, i)); err != nil {
				return err
			}
		}
		dst.Set(s)
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return decodeMismatch(path, "an object", v)
		}
		return decodeStruct(reg, dst, obj, path)
	default:
		return fmt.Errorf("taskschema: decode %s: unsupported Go type %s", pathOrRoot(path), dst.Type())
	}
	return nil
}

func decodeStruct(reg *registry, dst reflect.Value, obj map[string]any, path string) error {
	name, ok := schemaNameOf(dst.Type())
	if !ok {
		return fmt.Errorf("taskschema: decode %s: no schema for Go type %s", pathOrRoot(path), dst.Type())
	}
	defaults := reg.defaults[name]
	t := dst.Type()
	for i := range t.NumField() {
		key := jsonName(t.Field(i))
		v, present := obj[key]
		if !present {
			if v, present = defaults[key]; !present {
				continue // a required key the validator saw, or an optional one without a default
			}
		}
		if err := decodeInto(reg, dst.Field(i), v, jsonpointer.Key(path, key)); err != nil {
			return err
		}
	}
	return nil
}

// jsonName returns the key of a struct field from its json tag.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// parseInteger converts an integer-valued JSON number, written in any form
// JSON allows (2, 2.0, 1e2, 200e-2, -0, 0e999999), to an int64. It works on
// the decimal digits, so no exponent, however large, costs more than the
// length of the number.
func parseInteger(n json.Number) (int64, error) {
	s := string(n)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mantissa, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	intPart, fracPart, _ := strings.Cut(mantissa, ".")
	digits := strings.TrimLeft(intPart+fracPart, "0")
	if digits == "" {
		return 0, nil // zero, whatever the exponent
	}
	// The value is digits × 10^exp.
	exp := -len(fracPart)
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	digits = trimmed
	if hasExp {
		e, err := strconv.Atoi(expText)
		if err != nil { // beyond int: the number is huge or tiny
			if strings.HasPrefix(expText, "-") {
				return 0, fmt.Errorf("number %s is not an integer", n)
			}
			return 0, fmt.Errorf("integer %s does not fit an int64", n)
		}
		exp += e
	}
	if exp < 0 {
		return 0, fmt.Errorf("number %s is not an integer", n)
	}
	if len(digits)+exp > 19 {
		return 0, fmt.Errorf("integer %s does not fit an int64", n)
	}
	text := digits + strings.Repeat("0", exp)
	if neg {
		text = "-" + text
	}
	i, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("integer %s does not fit an int64", n)
	}
	return i, nil
}

func decodeMismatch(path, want string, got any) error {
	return fmt.Errorf("taskschema: decode %s: want %s, got %T (the schema and the Go types disagree)", pathOrRoot(path), want, got)
}

func pathOrRoot(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}
