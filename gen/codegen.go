package main

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// The methods in this file give the templates the Go expressions they
// write, so that the templates stay free of branching on kinds.

// IsInt reports whether the property is an integer.
func (p *prop) IsInt() bool { return p.Kind == kindInt }

// IsRef reports whether the property is a reference to another schema.
func (p *prop) IsRef() bool { return p.Kind == kindRef }

// IsArray reports whether the property is an array.
func (p *prop) IsArray() bool { return p.Kind == kindArrayOfRef }

// varName is the name of the generated variable that holds a property's
// bounds ("Bounds") or pattern ("Pattern").
func (p *prop) varName(suffix string) string {
	return lowerFirst(p.Owner.Title) + p.Field + suffix
}

// HasDefaults reports whether any property has a default other than Go's
// zero value.
func (s *schemaModel) HasDefaults() bool {
	return slices.ContainsFunc(s.Props, func(p *prop) bool { return defaultValue(p) != "" })
}

// NullScalars lists the nullable properties that are not references: their
// values live in one block, allocated once per object (read<Title>'s vals).
func (s *schemaModel) NullScalars() []*prop {
	var out []*prop
	for _, p := range s.Props {
		if p.IsPointer() && p.Kind != kindRef {
			out = append(out, p)
		}
	}
	return out
}

// NilVals is what a call of read<Title> passes for vals when it has no
// block at hand: ", nil" when the reader takes one, else "".
func (s *schemaModel) NilVals() string {
	if len(s.NullScalars()) > 0 {
		return ", nil"
	}
	return ""
}

// HasOmitEmpty reports whether a property is left out when empty.
func (s *schemaModel) HasOmitEmpty() bool {
	return slices.ContainsFunc(s.Props, func(p *prop) bool { return p.Options != "" })
}

// RequiredBit is the bit of a required property in the reader's seen mask.
func (s *schemaModel) RequiredBit(p *prop) int {
	return slices.Index(s.Required, p.Name)
}

// FirstName is the name of the schema's first property, the key a reader
// expects first; "" when it has none.
func (s *schemaModel) FirstName() string {
	if len(s.Props) == 0 {
		return ""
	}
	return s.Props[0].Name
}

// NextName is the name of the property after p in the schema's order, the
// key a reader expects after p's; "" after the last.
func (s *schemaModel) NextName(p *prop) string {
	for i, q := range s.Props {
		if q == p && i+1 < len(s.Props) {
			return s.Props[i+1].Name
		}
	}
	return ""
}

// ReadCall is the call that reads a property's value into target, a
// pointer expression, noting what is wrong in rep.
func (s *schemaModel) ReadCall(p *prop, target string) string {
	want := strconv.Quote(p.Want())
	switch p.Kind {
	case kindString:
		return fmt.Sprintf("readString(r, %s, %s, rep)", target, want)
	case kindDateTime:
		return fmt.Sprintf("readDateTime(r, %s, %s, %s, rep)", target, p.varName("Pattern"), want)
	case kindInt:
		return fmt.Sprintf("readInt(r, %s, %s, %s, rep)", target, p.bounds("intBounds{}"), want)
	case kindFloat:
		return fmt.Sprintf("readFloat(r, %s, %s, %s, rep)", target, p.bounds("floatBounds{}"), want)
	case kindBool:
		if p.Const != nil {
			return fmt.Sprintf("readBoolConst(r, %s, %t, %s, rep)", target, *p.Const, want)
		}
		return fmt.Sprintf("readBool(r, %s, %s, rep)", target, want)
	case kindRef:
		return fmt.Sprintf("read%s(r, %s%s, rep)", p.Ref.Title, target, p.Ref.NilVals())
	case kindStringMap:
		return fmt.Sprintf("readStringMap(r, %s, %s, rep)", target, want)
	case kindAny:
		return fmt.Sprintf("readRaw(r, %s, rep)", target)
	}
	return fmt.Sprintf("read%sArray(r, %s, rep)", p.Ref.Title, target)
}

// jsonTypeOrder is the order in which the validator lists the types a value
// should have had.
var jsonTypeOrder = []string{"null", "boolean", "number", "integer", "string", "array", "object"}

// JSONType is the JSON type of a value of the schema: "object" or, for a
// string enum, "string".
func (s *schemaModel) JSONType() string {
	if s.IsEnum() {
		return "string"
	}
	return "object"
}

// JSONKind is the jsonread.Kind of a value of the schema.
func (s *schemaModel) JSONKind() string {
	if s.IsEnum() {
		return "jsonread.String"
	}
	return "jsonread.Object"
}

// Want is what a violation of the property's type says was wanted, as the
// validator words it: the types of a type array in its fixed order ("null or
// integer"), the branches of the nullable reference in the schema's order
// ("object or null").
func (p *prop) Want() string {
	var typ string
	switch p.Kind {
	case kindString, kindDateTime:
		typ = "string"
	case kindInt:
		typ = "integer"
	case kindFloat:
		typ = "number"
	case kindBool:
		typ = "boolean"
	case kindRef:
		if p.Nullable {
			return p.Ref.JSONType() + " or null"
		}
		return p.Ref.JSONType()
	case kindArrayOfRef:
		typ = "array"
	case kindStringMap:
		typ = "object"
	case kindAny:
		return "" // any value has its type
	}
	if !p.Nullable {
		return typ
	}
	var types []string
	for _, t := range jsonTypeOrder {
		if t == typ || t == "null" {
			types = append(types, t)
		}
	}
	return strings.Join(types, " or ")
}

// EnumMessage is the message of a value that is none of the enum's values,
// as the validator words it.
func (s *schemaModel) EnumMessage() string {
	var quoted []string
	for _, v := range s.Enum {
		quoted = append(quoted, validatorQuote(v))
	}
	if len(quoted) == 1 {
		return "value must be " + quoted[0]
	}
	return "value must be one of " + strings.Join(quoted, ", ")
}

// validatorQuote quotes a string as the validator's messages do.
func validatorQuote(s string) string {
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q, `\"`, `"`)
	q = strings.ReplaceAll(q, `'`, `\'`)
	return "'" + q[1:len(q)-1] + "'"
}

// MinWords and MaxWords write a bound as the messages do: an integer in
// full up to 40 digits, else the shortest decimal or exponent form.
func (p *prop) MinWords() string { return boundWords(p.Min) }

// MaxWords writes the maximum as the messages do.
func (p *prop) MaxWords() string { return boundWords(p.Max) }

func boundWords(n json.Number) string {
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		return string(n)
	}
	if r.IsInt() && len(r.Num().String()) <= 40 {
		return r.Num().String()
	}
	return new(big.Float).SetPrec(128).SetRat(r).Text('g', -1)
}

func (p *prop) bounds(none string) string {
	if p.HasMin() || p.HasMax() {
		return p.varName("Bounds")
	}
	return none
}

// Checks lists the conditions that check<Title> joins with &&: one per
// property whose Go value can break the schema (a bool cannot, nor an
// unbounded integer).
func (s *schemaModel) Checks() []string {
	var out []string
	for _, p := range s.Props {
		val := "v." + p.Field
		if p.IsPointer() {
			val = "*" + val
		}
		cond := checkExpr(p, val)
		if cond == "" {
			continue
		}
		if p.IsPointer() {
			cond = fmt.Sprintf("(v.%s == nil || %s)", p.Field, cond)
		}
		out = append(out, cond)
	}
	return out
}

// checkExpr is the condition that the value val of p satisfies its schema,
// or "" when every Go value does.
func checkExpr(p *prop, val string) string {
	switch p.Kind {
	case kindString:
		return fmt.Sprintf("validString(%s)", val)
	case kindDateTime:
		return fmt.Sprintf("validDateTime(%s)", val)
	case kindInt:
		if p.HasMin() || p.HasMax() {
			return fmt.Sprintf("%s.contains(%s)", p.varName("Bounds"), val)
		}
		return ""
	case kindFloat:
		return fmt.Sprintf("%s.contains(%s)", p.bounds("(floatBounds{})"), val)
	case kindBool:
		switch {
		case p.Const == nil:
			return ""
		case *p.Const:
			return val
		}
		return "!" + val
	case kindRef:
		return fmt.Sprintf("check%s(%s)", p.Ref.Title, refArg(p, val))
	case kindStringMap:
		return fmt.Sprintf("validStringMap(%s)", val)
	case kindAny:
		return fmt.Sprintf("validRaw(%s)", val)
	}
	return fmt.Sprintf("checkArray(%s, check%s)", val, p.Ref.Title)
}

// refArg is the argument that passes the value val of p, a $ref, to the
// generated check or writer of its schema: an enum by value, an object by
// pointer (the field's own pointer when it is nullable).
func refArg(p *prop, val string) string {
	switch {
	case p.Ref.IsEnum():
		return val
	case p.Nullable:
		return val[1:] // the pointer itself
	}
	return "&" + val
}

// AppendCall is the expression that appends the value val of p to b.
func (s *schemaModel) AppendCall(p *prop, val string) string {
	switch p.Kind {
	case kindString:
		return fmt.Sprintf("appendString(b, %s)", val)
	case kindDateTime:
		return fmt.Sprintf("appendDateTime(b, %s)", val)
	case kindInt:
		return fmt.Sprintf("strconv.AppendInt(b, %s, 10)", val)
	case kindFloat:
		return fmt.Sprintf("appendFloat(b, %s)", val)
	case kindBool:
		return fmt.Sprintf("strconv.AppendBool(b, %s)", val)
	case kindRef:
		if p.Ref.IsEnum() {
			return fmt.Sprintf("append%s(b, %s)", p.Ref.Title, refArg(p, val))
		}
		return fmt.Sprintf("append%s(x, b, %s)", p.Ref.Title, refArg(p, val))
	case kindStringMap:
		return fmt.Sprintf("appendStringMap(b, %s)", val)
	case kindAny:
		return fmt.Sprintf("appendRaw(x, b, %s)", val)
	}
	return fmt.Sprintf("appendArray(x, b, %s, append%s)", val, p.Ref.Title)
}

// Depth is the deepest nesting of objects and arrays that a value of s
// can have, an object being depth 1, not counting what a value of any type
// (a json.RawMessage) holds: the writer measures that as it writes it.
func (m *model) Depth(s *schemaModel) int {
	if s.IsEnum() {
		return 0
	}
	deepest := 0
	for _, p := range s.Props {
		switch p.Kind {
		case kindRef: // loadModel refuses cycles
			deepest = max(deepest, m.Depth(p.Ref))
		case kindArrayOfRef:
			deepest = max(deepest, 1+m.Depth(p.Ref))
		case kindStringMap:
			deepest = max(deepest, 1)
		}
	}
	return 1 + deepest
}

// RawDepth is the deepest nesting of objects and arrays around a value of
// any type (a json.RawMessage) in a value of s, 0 when s has none: a value
// of any type that holds Extent.Depth levels itself makes a payload
// RawDepth+Extent.Depth deep.
func (m *model) RawDepth(s *schemaModel) int {
	deepest := 0
	for _, p := range s.Props {
		switch p.Kind {
		case kindAny:
			deepest = max(deepest, 1)
		case kindRef:
			if d := m.RawDepth(p.Ref); d > 0 {
				deepest = max(deepest, 1+d)
			}
		case kindArrayOfRef:
			if d := m.RawDepth(p.Ref); d > 0 {
				deepest = max(deepest, 2+d)
			}
		}
	}
	return deepest
}

// UsesRaw reports whether a property holds any JSON value (a
// json.RawMessage).
func (m *model) UsesRaw() bool {
	return slices.ContainsFunc(m.Props(), func(p *prop) bool { return p.Kind == kindAny })
}

// IsItems reports whether s is the item schema of an array property.
func (m *model) IsItems(s *schemaModel) bool {
	return slices.ContainsFunc(m.Props(), func(p *prop) bool { return p.Kind == kindArrayOfRef && p.Ref == s })
}

// UsesTime reports whether a property is a date-time.
func (m *model) UsesTime() bool {
	return slices.ContainsFunc(m.Props(), func(p *prop) bool { return p.Kind == kindDateTime })
}

// UsesStrconv reports whether a writer formats an integer or a boolean.
func (m *model) UsesStrconv() bool {
	return slices.ContainsFunc(m.Props(), func(p *prop) bool { return p.Kind == kindInt || p.Kind == kindBool })
}

// PlainType is the type of p's field in the plain mirror of its struct.
func (m *model) PlainType(p *prop) string {
	if p.Kind == kindRef || p.Kind == kindArrayOfRef {
		return strings.Replace(p.GoType, p.Ref.Title, "plain"+p.Ref.Title, 1)
	}
	return p.GoType
}
