package models

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/mcp-refcache/taskschema/internal/jsonread"
)

// The helpers in this file read, check and write the values of the property
// kinds that fastpath.go and write.go leave out: a boolean with "const", an
// object of strings (a map[string]string, nil for null) and any JSON value
// (a json.RawMessage, nil for null).

// readBoolConst reads a boolean that must equal want (the schema's const);
// typ is the property's JSON type, for a violation.
func readBoolConst(r *jsonread.Reader, dst *bool, want bool, typ string, rep *report) bool {
	if !readBool(r, dst, typ, rep) {
		return false
	}
	if *dst != want {
		if rep.listed() {
			rep.addJoined(r, "const", "value must be ", strconv.FormatBool(want))
		}
		return false
	}
	return true
}

// readStringMap reads null (dst becomes nil) or an object whose values are
// all strings, noting each value that is not a string. Duplicate keys are
// refused by the reader; typ is the property's JSON type.
func readStringMap(r *jsonread.Reader, dst *map[string]string, typ string, rep *report) bool {
	switch r.Peek() {
	case jsonread.Null:
		r.ReadNull()
		*dst = nil
		return !r.Failed()
	case jsonread.Object:
	default:
		return rep.wrongType(r, typ)
	}
	if !r.ReadObject() {
		return false
	}
	n := rep.n
	m := map[string]string{}
	for key, more := r.NextKey(); more; key, more = r.NextKey() {
		var v string
		k := string(key)
		if readString(r, &v, "string", rep) {
			m[k] = v
		}
	}
	if r.Failed() || rep.n != n {
		return false
	}
	*dst = m
	return true
}

// validStringMap reports whether every key and value of m has a JSON form
// that reads back as itself.
func validStringMap(m map[string]string) bool {
	for k, v := range m {
		if !validString(k) || !validString(v) {
			return false
		}
	}
	return true
}

// appendStringMap appends null for a nil map, else the object with its keys
// in byte order, so that the encoding does not depend on the map's order.
func appendStringMap(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

// readRaw reads any JSON value, checking it as the reader checks every
// payload (duplicate keys, surrogates, the limits), into dst: null as nil,
// anything else as a compact copy of its bytes. Whatever is wrong with the
// value is the reader's error, so rep (the generated readers pass it to
// every reader of a property) is not used.
func readRaw(r *jsonread.Reader, dst *json.RawMessage, _ *report) bool {
	m := r.Mark()
	if r.Peek() == jsonread.Null {
		r.ReadNull()
		*dst = nil
		return !r.Failed()
	}
	r.Skip()
	if r.Failed() {
		return false
	}
	raw := r.Raw(m)
	var extent jsonread.Extent // the reader has checked the limits already
	*dst = jsonread.AppendCompact(make([]byte, 0, len(raw)), raw, &extent)
	return true
}

// validRaw reports whether raw is nil (null) or one JSON value that keeps
// the payload rules (valid UTF-8, no duplicate keys, no lone surrogates)
// within the ceilings of the limits. The writer then compacts it and
// measures it against the caller's limits, where it sits in the encoding
// (see encoded), so Marshal writes nothing that Unmarshal refuses.
func validRaw(raw json.RawMessage) bool {
	if raw == nil {
		return true
	}
	if !utf8.Valid(raw) { // the reader leaves UTF-8 to its caller
		return false
	}
	var r jsonread.Reader
	r.Reset(raw, LimitCeilings().reader())
	r.Begin()
	r.Skip()
	return r.Finish()
}

// appendRaw appends null for nil, else raw without insignificant space,
// and widens x to cover raw; validRaw accepted raw.
func appendRaw(x *jsonread.Extent, b []byte, raw json.RawMessage) []byte {
	if raw == nil {
		return append(b, "null"...)
	}
	return jsonread.AppendCompact(b, raw, x)
}
