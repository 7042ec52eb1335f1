package models

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"time"
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
			if err := decodeInto(reg, s.Index(i), item, path+"/"+strconv.Itoa(i)); err != nil {
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
		if err := decodeInto(reg, dst.Field(i), v, path+"/"+escapeToken(key)); err != nil {
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
// JSON allows (2, 2.0, 1e2, 200e-2, -0), to an int64.
func parseInteger(n json.Number) (int64, error) {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i, nil
	}
	if exponentTooLarge(string(n)) {
		return 0, fmt.Errorf("integer %s is out of range", n)
	}
	r, ok := new(big.Rat).SetString(string(n))
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return 0, fmt.Errorf("number %s is not an integer that fits an int64", n)
	}
	return r.Num().Int64(), nil
}

// exponentTooLarge reports whether a number's decimal exponent is so large
// that big.Rat would build a huge value; no such number can be an int64.
func exponentTooLarge(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return false
	}
	exp, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
	return err != nil || exp > 400 || exp < -400
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

func escapeToken(t string) string {
	return pointer([]string{t})[1:]
}
