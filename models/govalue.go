package models

import (
	"cmp"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/mcp-refcache/taskschema/internal/jsonpointer"
)

// goValueViolations finds the values in v that have no JSON form, which
// encoding/json would refuse without naming the field: NaN and infinite
// floats, times that RFC 3339 cannot write exactly, strings and map keys
// that are not UTF-8, and a json.RawMessage that is not one JSON value
// keeping the payload rules.
func goValueViolations(v reflect.Value, path string) []Violation {
	if v.Type() == rawMessageType {
		if raw := v.Interface().(json.RawMessage); !validRaw(raw) {
			return []Violation{{InstancePath: path, Keyword: KeywordGoValue, Message: "json.RawMessage is not one JSON value without duplicate keys or lone surrogates, within the limits' ceilings"}}
		}
		return nil
	}
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
	case reflect.Map:
		var vs []Violation
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
		for _, k := range keys {
			p := jsonpointer.Key(path, k.String())
			if !utf8.ValidString(k.String()) {
				vs = append(vs, Violation{InstancePath: p, Keyword: KeywordGoValue, Message: "key is not valid UTF-8, which encoding/json would replace"})
			}
			vs = append(vs, goValueViolations(v.MapIndex(k), p)...)
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

var rawMessageType = reflect.TypeFor[json.RawMessage]()
