package schemadiff

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
)

// canon returns v (a value decoded by decode) as compact JSON with sorted
// member names and numbers in one spelling (1.0 and 1e0 are 1), so that two
// values are equal as JSON exactly when their canon strings are.
func canon(v any) string {
	var b strings.Builder
	writeCanon(&b, v)
	return b.String()
}

func writeCanon(b *strings.Builder, v any) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(k))
			b.WriteByte(':')
			writeCanon(b, v[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanon(b, e)
		}
		b.WriteByte(']')
	case json.Number:
		if r, ok := rat(v); ok {
			b.WriteString(r.RatString())
		} else {
			b.WriteString(string(v))
		}
	default:
		data, _ := json.Marshal(v) // string, bool or nil: cannot fail
		b.Write(data)
	}
}

// equal reports whether a and b are the same JSON value.
func equal(a, b any) bool { return canon(a) == canon(b) }

// show returns v as short JSON text for a message: at most 80 bytes.
func show(v any) string {
	s := canon(v)
	if n, ok := v.(json.Number); ok {
		s = string(n)
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// rat reads a JSON number exactly. Numbers with an exponent of more than
// four digits are refused rather than expanded.
func rat(n json.Number) (*big.Rat, bool) {
	s := string(n)
	if i := strings.IndexAny(s, "eE"); i >= 0 && len(strings.TrimLeft(s[i+1:], "+-")) > 4 {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// number reads the keyword kw of m as a number. present is false when m
// has no kw; err is set when it has one that is not a number.
func number(m map[string]any, kw string) (r *big.Rat, present bool, err error) {
	v, ok := m[kw]
	if !ok {
		return nil, false, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return nil, true, fmt.Errorf("%s is %s, not a number", kw, show(v))
	}
	r, ok = rat(n)
	if !ok {
		return nil, true, fmt.Errorf("%s is %s, which cannot be read exactly", kw, n)
	}
	return r, true, nil
}

// stringList reads the keyword kw of m as an array of strings.
func stringList(m map[string]any, kw string) ([]string, error) {
	v, ok := m[kw]
	if !ok {
		return nil, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s is %s, not an array", kw, show(v))
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("%s has %s, not a string", kw, show(e))
		}
		out[i] = s
	}
	return out, nil
}

// lookup finds the value at the JSON Pointer ptr (already URI-decoded) in
// doc.
func lookup(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) || (len(tok) > 1 && tok[0] == '0') {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// target is where a $ref leads: a file of the set and a pointer in it.
type target struct {
	file, pointer string
	schema        any
}

// resolve finds the schema that ref, written in the file base, refers to.
// It knows references by file name ("task_status.schema.json"), by $id
// (relative or absolute) and with a JSON Pointer fragment
// ("#/$defs/Name"); an anchor fragment is not supported.
func (s *Set) resolve(base, ref string) (target, error) {
	u, frag, _ := strings.Cut(ref, "#")
	file := base
	if u != "" {
		var ok bool
		file, ok = s.fileOf(base, u)
		if !ok {
			return target{}, fmt.Errorf("$ref %q: no schema file has that name or $id", ref)
		}
	}
	ptr, err := url.PathUnescape(frag)
	if err != nil {
		return target{}, fmt.Errorf("$ref %q: %v", ref, err)
	}
	if ptr != "" && !strings.HasPrefix(ptr, "/") {
		return target{}, fmt.Errorf("$ref %q: anchors are not supported, only JSON Pointer fragments", ref)
	}
	v, ok := lookup(s.docs[file], ptr)
	if !ok {
		return target{}, fmt.Errorf("$ref %q: %s has nothing at %q", ref, file, ptr)
	}
	return target{file: file, pointer: ptr, schema: v}, nil
}

// fileOf finds the file that the URI reference u, written in base, names.
func (s *Set) fileOf(base, u string) (string, bool) {
	ref, err := url.Parse(u)
	if err != nil {
		return "", false
	}
	if doc, ok := s.docs[base].(map[string]any); ok {
		if id, ok := doc["$id"].(string); ok {
			if b, err := url.Parse(id); err == nil {
				if f, ok := s.ids[stripFragment(b.ResolveReference(ref).String())]; ok {
					return f, true
				}
			}
		}
	}
	if f, ok := s.ids[stripFragment(u)]; ok {
		return f, true
	}
	if ref.Scheme == "" && ref.Host == "" {
		if _, ok := s.docs[path.Base(ref.Path)]; ok && !strings.Contains(strings.TrimPrefix(ref.Path, "./"), "/") {
			return path.Base(ref.Path), true
		}
	}
	return "", false
}
