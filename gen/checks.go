package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// The checks generator writes models/checks_gen.go: for every schema, a
// reader that decodes a payload straight into the Go type while checking
// each keyword, and a check of a Go value against the same keywords. The
// runtime validator stays the oracle (the differential fuzz targets compare
// the two); these are the fast path.
//
// It supports exactly the keywords the schemas use and fails on any other,
// so a new keyword can never be silently left unchecked.

// Keywords the generator understands, on a schema and on a property.
var (
	schemaKeywords   = []string{"$schema", "$id", "$comment", "title", "description", "type", "enum", "required", "properties"}
	propertyKeywords = []string{"$comment", "description", "type", "$ref", "anyOf", "default", "minimum", "maximum", "format", "pattern", "items"}
)

type propKind int

const (
	kindString propKind = iota
	kindDateTime
	kindInt
	kindFloat
	kindBool
	kindRef
	kindArrayOfRef
)

// propSpec is what the generated code needs to know about one property.
type propSpec struct {
	Name, Field string
	Kind        propKind
	Nullable    bool
	Ref         string // title of the referenced schema
	Required    bool
	Default     any
	HasDefault  bool
	Min, Max    json.Number
	HasMin      bool
	HasMax      bool
	Pattern     string
	RefIsEnum   bool // Ref names a string enum, checked by value
}

// specs classifies the properties of one object schema.
func specs(doc schemaDoc, st goStruct, titles map[string]string) ([]propSpec, error) {
	var out []propSpec
	for i, p := range doc.Properties {
		for k := range p.Keywords {
			if !slices.Contains(propertyKeywords, k) {
				return nil, fmt.Errorf("%s.%s: keyword %q is not supported by the checks generator", doc.Name, p.Name, k)
			}
		}
		s := propSpec{Name: p.Name, Field: st.Fields[i].Name, Required: slices.Contains(doc.Required, p.Name)}
		if st.Fields[i].JSON != p.Name {
			return nil, fmt.Errorf("%s.%s: field order differs from the schema", doc.Name, p.Name)
		}
		s.Default, s.HasDefault = p.Keywords["default"]
		s.Min, s.HasMin = p.Keywords["minimum"].(json.Number)
		s.Max, s.HasMax = p.Keywords["maximum"].(json.Number)
		s.Pattern, _ = p.Keywords["pattern"].(string)
		typ, err := classify(p.Keywords, titles, &s)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", doc.Name, p.Name, err)
		}
		s.Kind = typ
		if (s.HasMin || s.HasMax) && s.Kind != kindInt && s.Kind != kindFloat {
			return nil, fmt.Errorf("%s.%s: bounds on a non-number", doc.Name, p.Name)
		}
		if s.Pattern != "" && s.Kind != kindDateTime {
			return nil, fmt.Errorf("%s.%s: pattern is supported on date-times only", doc.Name, p.Name)
		}
		if s.Kind == kindFloat {
			for _, b := range []json.Number{s.Min, s.Max} {
				if b != "" && !exactFloat(string(b)) {
					return nil, fmt.Errorf("%s.%s: bound %s is not exactly a float64", doc.Name, p.Name, b)
				}
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func classify(kw map[string]any, titles map[string]string, s *propSpec) (propKind, error) {
	if ref, ok := kw["$ref"].(string); ok {
		s.Ref = titles[ref]
		if s.Ref == "" {
			return 0, fmt.Errorf("unknown $ref %q", ref)
		}
		return kindRef, nil
	}
	if branches, ok := kw["anyOf"].([]any); ok {
		// Only the nullable reference: anyOf [{"$ref": ...}, {"type": "null"}].
		if len(branches) == 2 {
			a, _ := branches[0].(map[string]any)
			b, _ := branches[1].(map[string]any)
			if ref, ok := a["$ref"].(string); ok && len(a) == 1 && len(b) == 1 && b["type"] == "null" && titles[ref] != "" {
				s.Ref, s.Nullable = titles[ref], true
				return kindRef, nil
			}
		}
		return 0, fmt.Errorf("only anyOf [{$ref}, {type: null}] is supported")
	}
	var typ string
	switch t := kw["type"].(type) {
	case string:
		typ = t
	case []any:
		if len(t) != 2 || t[1] != "null" {
			return 0, fmt.Errorf("only [T, \"null\"] type arrays are supported")
		}
		typ, _ = t[0].(string)
		s.Nullable = true
	}
	f, hasFormat := kw["format"].(string)
	if hasFormat && (typ != "string" || f != "date-time") {
		return 0, fmt.Errorf("only format date-time on strings is supported")
	}
	switch typ {
	case "string":
		if hasFormat {
			if s.Pattern == "" {
				return 0, fmt.Errorf("a date-time needs the pattern that restates RFC 3339")
			}
			return kindDateTime, nil
		}
		return kindString, nil
	case "integer":
		return kindInt, nil
	case "number":
		return kindFloat, nil
	case "boolean":
		return kindBool, nil
	case "array":
		items, _ := kw["items"].(map[string]any)
		ref, _ := items["$ref"].(string)
		if len(items) != 1 || titles[ref] == "" || s.Nullable {
			return 0, fmt.Errorf("only non-nullable arrays of a $ref are supported")
		}
		s.Ref = titles[ref]
		return kindArrayOfRef, nil
	}
	return 0, fmt.Errorf("type %v is not supported", kw["type"])
}

// exactFloat reports whether the decimal text is exactly a float64.
func exactFloat(text string) bool {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return false
	}
	a, _ := new(big.Rat).SetString(text)
	b := new(big.Rat).SetFloat64(f)
	return b != nil && a.Cmp(b) == 0
}

// writeChecks renders checks_gen.go.
func writeChecks(docs []schemaDoc, structs map[string]goStruct) ([]byte, error) {
	titles := map[string]string{}
	enums := map[string]bool{}
	for _, d := range docs {
		titles[d.Name+".schema.json"] = d.Title
		enums[d.Title] = len(d.Enum) > 0
	}
	var vars, funcs bytes.Buffer
	for _, d := range docs {
		if err := checkSchemaKeywords(d); err != nil {
			return nil, err
		}
		if len(d.Enum) > 0 {
			writeEnumChecks(&funcs, d)
			continue
		}
		props, err := specs(d, structs[d.Title], titles)
		if err != nil {
			return nil, err
		}
		for i := range props {
			props[i].RefIsEnum = enums[props[i].Ref]
		}
		if len(props) > 64 {
			return nil, fmt.Errorf("%s: more than 64 properties", d.Name)
		}
		writeVars(&vars, d, props)
		writeReader(&funcs, d, props)
		writeCheck(&funcs, d, props)
	}
	var out bytes.Buffer
	out.WriteString("// Code generated by taskschema/gen from schema/*.schema.json; DO NOT EDIT.\n\n")
	out.WriteString("package models\n\nimport (\n\t\"regexp\"\n\n\t\"github.com/mcp-refcache/taskschema/internal/jsonread\"\n)\n\n")
	out.WriteString("// The bounds and patterns of the schemas.\nvar (\n")
	out.Write(vars.Bytes())
	out.WriteString(")\n\n")
	writeDispatch(&out, docs)
	writeItems(&out, docs, structs, titles)
	out.Write(funcs.Bytes())
	formatted, err := format.Source(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format checks: %w\n%s", err, out.Bytes())
	}
	return formatted, nil
}

func checkSchemaKeywords(d schemaDoc) error {
	for _, k := range d.Keywords {
		if !slices.Contains(schemaKeywords, k) {
			return fmt.Errorf("%s: keyword %q is not supported by the checks generator", d.Name, k)
		}
	}
	return nil
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

func varName(d schemaDoc, p propSpec, suffix string) string {
	return lowerFirst(d.Title) + p.Field + suffix
}

func writeVars(w *bytes.Buffer, d schemaDoc, props []propSpec) {
	for _, p := range props {
		switch {
		case p.Kind == kindInt && (p.HasMin || p.HasMax):
			fmt.Fprintf(w, "\t%s = intBounds{hasMin: %v, min: %s, hasMax: %v, max: %s}\n",
				varName(d, p, "Bounds"), p.HasMin, orZero(p.Min), p.HasMax, orZero(p.Max))
		case p.Kind == kindFloat && (p.HasMin || p.HasMax):
			fmt.Fprintf(w, "\t%s = floatBounds{hasMin: %v, min: %s, minText: %q, hasMax: %v, max: %s, maxText: %q}\n",
				varName(d, p, "Bounds"), p.HasMin, orZero(p.Min), string(p.Min), p.HasMax, orZero(p.Max), string(p.Max))
		}
		if p.Pattern != "" {
			fmt.Fprintf(w, "\t%s = regexp.MustCompile(%s)\n", varName(d, p, "Pattern"), strconv.Quote(p.Pattern))
		}
	}
}

func orZero(n json.Number) string {
	if n == "" {
		return "0"
	}
	return string(n)
}

func writeDispatch(w *bytes.Buffer, docs []schemaDoc) {
	w.WriteString(`// readModel reads a whole payload into v, a pointer to a model type, and
// reports whether it satisfies the schema. v is set only on success; the
// values the schema rejects are in rep.
func readModel(r *jsonread.Reader, v any, rep *report) bool {
	switch v := v.(type) {
`)
	for _, d := range docs {
		fmt.Fprintf(w, "\tcase *%s:\n\t\tvar x %s\n\t\tif ok := read%s(r, &x, rep); r.Finish() && ok {\n\t\t\t*v = x\n\t\t\treturn true\n\t\t}\n", d.Title, d.Title, d.Title)
	}
	w.WriteString("\t}\n\treturn false\n}\n\n")
	w.WriteString(`// checkModel reports whether v, a model value or a pointer to one, satisfies
// its schema.
func checkModel(v any) bool {
	switch v := v.(type) {
`)
	for _, d := range docs {
		arg := "&v"
		if len(d.Enum) > 0 {
			arg = "v"
		}
		fmt.Fprintf(w, "\tcase %s:\n\t\treturn check%s(%s)\n", d.Title, d.Title, arg)
		deref := "v"
		if len(d.Enum) > 0 {
			deref = "*v"
		}
		fmt.Fprintf(w, "\tcase *%s:\n\t\treturn v != nil && check%s(%s)\n", d.Title, d.Title, deref)
	}
	w.WriteString("\t}\n\treturn false\n}\n\n")
}

// writeItems writes arrayItems, which names the item schema of every array
// property, and readItem, which runs the generated reader for an item
// schema: explain uses them to explain a rejected array item by item.
func writeItems(w *bytes.Buffer, docs []schemaDoc, structs map[string]goStruct, titles map[string]string) {
	w.WriteString("// arrayItems maps each array property (\"schema/property\") to its item schema.\nvar arrayItems = map[string]string{\n")
	items := map[string]string{}
	for _, d := range docs {
		if len(d.Enum) > 0 {
			continue
		}
		props, _ := specs(d, structs[d.Title], titles)
		for _, p := range props {
			if p.Kind == kindArrayOfRef {
				for _, d2 := range docs {
					if d2.Title == p.Ref {
						fmt.Fprintf(w, "\t%q: %q,\n", d.Name+"/"+p.Name, d2.Name)
						items[d2.Name] = d2.Title
					}
				}
			}
		}
	}
	w.WriteString("}\n\n// readItem reads one item of an array whose items follow the named schema.\nfunc readItem(r *jsonread.Reader, schema string) bool {\n\tswitch schema {\n")
	for _, d := range docs {
		if title, ok := items[d.Name]; ok {
			fmt.Fprintf(w, "\tcase %q:\n\t\tvar x %s\n\t\treturn read%s(r, &x, nil)\n", d.Name, title, title)
		}
	}
	w.WriteString("\t}\n\treturn false\n}\n\n")
}

func writeEnumChecks(w *bytes.Buffer, d schemaDoc) {
	var cases []string
	for _, v := range d.Enum {
		cases = append(cases, strconv.Quote(v))
	}
	fmt.Fprintf(w, "// read%s reads one of the values of %s. At the top level (rep not\n// nil) it reports a value the schema rejects to rep.\n", d.Title, d.Title)
	fmt.Fprintf(w, "func read%s(r *jsonread.Reader, v *%s, rep *report) bool {\n\tm := r.Mark()\n\tif r.Peek() == jsonread.String {\n", d.Title, d.Title)
	w.WriteString("\t\tswitch string(r.ReadStringBytes()) {\n")
	for _, v := range d.Enum {
		fmt.Fprintf(w, "\t\tcase %q:\n\t\t\t*v = %s\n\t\t\treturn true\n", v, enumConstName(d.Title, v))
	}
	fmt.Fprintf(w, "\t\t}\n\t}\n\trep.add(r, m, %q, \"\")\n\treturn false\n}\n\n", d.Name)
	fmt.Fprintf(w, "// check%s reports whether v is one of the values of %s.\n", d.Title, d.Title)
	fmt.Fprintf(w, "func check%s(v %s) bool {\n\tswitch v {\n\tcase %s:\n\t\treturn true\n\t}\n\treturn false\n}\n\n", d.Title, d.Title, strings.Join(cases, ", "))
}

func writeReader(w *bytes.Buffer, d schemaDoc, props []propSpec) {
	fmt.Fprintf(w, "// read%s reads a %s object, key by key, checking each value. Nested\n", d.Title, d.Title)
	w.WriteString("// (rep nil), it stops at the first value its schema rejects; at the top\n// level it reports each such value to rep and reads on.\n")
	fmt.Fprintf(w, "func read%s(r *jsonread.Reader, v *%s, rep *report) bool {\n", d.Title, d.Title)
	fmt.Fprintf(w, "\tif m := r.Mark(); r.Peek() != jsonread.Object || !r.ReadObject() {\n\t\trep.add(r, m, %q, \"\")\n\t\treturn false\n\t}\n", d.Name)
	w.WriteString("\tvar seen uint64\n\tfor key, more := r.NextKey(); more; key, more = r.NextKey() {\n\t\tm := r.Mark()\n\t\tswitch string(key) {\n")
	for i, p := range props {
		fmt.Fprintf(w, "\t\tcase %q:\n\t\t\tseen |= 1 << %d\n", p.Name, i)
		field := "v." + p.Field
		target := "&" + field
		if p.Nullable {
			fmt.Fprintf(w, "\t\t\tif r.Peek() == jsonread.Null {\n\t\t\t\tr.ReadNull()\n\t\t\t\t%s = nil\n\t\t\t\tcontinue\n\t\t\t}\n", field)
			fmt.Fprintf(w, "\t\t\t%s = new(%s)\n", field, goValueType(p))
			target = field
		}
		fmt.Fprintf(w, "\t\t\tif !%s && !rep.add(r, m, %q, %q) {\n\t\t\t\treturn false\n\t\t\t}\n", readCall(d, p, target), d.Name, p.Name)
	}
	w.WriteString("\t\tdefault:\n\t\t\tr.Skip()\n\t\t}\n\t}\n\tif r.Failed() {\n\t\treturn false\n\t}\n")
	for i, p := range props {
		switch {
		case p.Required:
			fmt.Fprintf(w, "\tif seen&(1<<%d) == 0 && !rep.missing(%q) {\n\t\treturn false\n\t}\n", i, p.Name)
		case p.HasDefault && p.Default != nil:
			fmt.Fprintf(w, "\tif seen&(1<<%d) == 0 {\n\t\tv.%s = %s\n\t}\n", i, p.Field, defaultLiteral(p))
		}
	}
	w.WriteString("\treturn rep.empty()\n}\n\n")
}

func goValueType(p propSpec) string {
	switch p.Kind {
	case kindString:
		return "string"
	case kindInt:
		return "int"
	case kindFloat:
		return "float64"
	case kindBool:
		return "bool"
	case kindDateTime:
		return "time.Time"
	case kindRef:
		return p.Ref
	}
	return "?"
}

func readCall(d schemaDoc, p propSpec, target string) string {
	switch p.Kind {
	case kindString:
		return fmt.Sprintf("readString(r, %s)", target)
	case kindDateTime:
		return fmt.Sprintf("readDateTime(r, %s, %s)", target, varName(d, p, "Pattern"))
	case kindInt:
		return fmt.Sprintf("readInt(r, %s, %s)", target, boundsOrNone(d, p, "intBounds{}"))
	case kindFloat:
		return fmt.Sprintf("readFloat(r, %s, %s)", target, boundsOrNone(d, p, "floatBounds{}"))
	case kindBool:
		return fmt.Sprintf("readBool(r, %s)", target)
	case kindRef:
		return fmt.Sprintf("read%s(r, %s, nil)", p.Ref, target)
	case kindArrayOfRef:
		return fmt.Sprintf("readArray(r, %s, read%s)", target, p.Ref)
	}
	return "false"
}

func boundsOrNone(d schemaDoc, p propSpec, none string) string {
	if p.HasMin || p.HasMax {
		return varName(d, p, "Bounds")
	}
	return none
}

func defaultLiteral(p propSpec) string {
	switch def := p.Default.(type) {
	case []any:
		return "[]" + p.Ref + "{}"
	case string:
		return strconv.Quote(def)
	case bool:
		return strconv.FormatBool(def)
	case json.Number:
		return string(def)
	}
	return fmt.Sprintf("%#v", p.Default)
}

func writeCheck(w *bytes.Buffer, d schemaDoc, props []propSpec) {
	fmt.Fprintf(w, "// check%s reports whether v satisfies the %s schema.\n", d.Title, d.Title)
	fmt.Fprintf(w, "func check%s(v *%s) bool {\n", d.Title, d.Title)
	for _, p := range props {
		val := "v." + p.Field
		cond := checkExpr(d, p, val)
		if p.Nullable {
			cond = fmt.Sprintf("(%s == nil || %s)", val, checkExpr(d, p, "*"+val))
		}
		fmt.Fprintf(w, "\tif !%s {\n\t\treturn false\n\t}\n", cond)
	}
	w.WriteString("\treturn true\n}\n\n")
}

func checkExpr(d schemaDoc, p propSpec, val string) string {
	switch p.Kind {
	case kindString:
		return fmt.Sprintf("validString(%s)", val)
	case kindDateTime:
		return fmt.Sprintf("validDateTime(%s, %s)", val, varName(d, p, "Pattern"))
	case kindInt:
		if p.HasMin || p.HasMax {
			return fmt.Sprintf("%s.contains(int64(%s))", varName(d, p, "Bounds"), val)
		}
		return "true"
	case kindFloat:
		return fmt.Sprintf("%s.contains(%s)", boundsOrNone(d, p, "(floatBounds{})"), val)
	case kindBool:
		return "true"
	case kindRef:
		switch {
		case p.Nullable && strings.HasPrefix(val, "*"):
			val = val[1:] // the pointer itself
		case !p.RefIsEnum:
			val = "&" + val
		}
		return fmt.Sprintf("check%s(%s)", p.Ref, val)
	case kindArrayOfRef:
		return fmt.Sprintf("checkArray(%s, check%s)", val, p.Ref)
	}
	return "false"
}
