package models

import (
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/mcp-refcache/taskschema/internal/jsonpointer"
)

// goValueViolations finds the values in v that have no JSON form, which
// encoding/json would refuse without naming the field: NaN and infinite
// floats, and times that RFC 3339 cannot write exactly.
func goValueViolations(v reflect.Value, path string) []Violation {
	if v.Type() == timeType {
		if msg := dateTimeViolation(v.Interface().(time.Time)); msg != "" {
			return []Violation{{InstancePath: path, Keyword: KeywordGoValue, Message: msg}}
		}
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			return []Violation{{InstancePath: path, Keyword: KeywordGoValue, Message: "string is not valid UTF-8, which encoding/json would replace"}}
		}
	case reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return []Violation{{InstancePath: path, Keyword: KeywordGoValue, Message: strconv.FormatFloat(f, 'g', -1, 64) + " is not a JSON number"}}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			return goValueViolations(v.Elem(), path)
		}
	case reflect.Slice:
		var vs []Violation
		for i := range v.Len() {
			vs = append(vs, goValueViolations(v.Index(i), jsonpointer.Index(path, i))...)
		}
		return vs
	case reflect.Struct:
		var vs []Violation
		for i := range v.NumField() {
			vs = append(vs, goValueViolations(v.Field(i), jsonpointer.Key(path, jsonName(v.Type().Field(i))))...)
		}
		return vs
	}
	return nil
}
