package main

import (
	"fmt"
	"slices"
	"strings"
)

// The methods in this file give the templates the Go expressions they
// write, so that the templates stay free of branching on kinds.

// IsInt reports whether the property is an integer.
func (p *prop) IsInt() bool { return p.Kind == kindInt }

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

// HasOmitEmpty reports whether a property is left out when empty.
func (s *schemaModel) HasOmitEmpty() bool {
	return slices.ContainsFunc(s.Props, func(p *prop) bool { return p.Options != "" })
}

// RequiredBit is the bit of a required property in the reader's seen mask.
func (s *schemaModel) RequiredBit(p *prop) int {
	return slices.Index(s.Required, p.Name)
}

// ReadCall is the call that reads a property's value into target, a
// pointer expression.
func (s *schemaModel) ReadCall(p *prop, target string) string {
	switch p.Kind {
	case kindString:
		return fmt.Sprintf("readString(r, %s)", target)
	case kindDateTime:
		return fmt.Sprintf("readDateTime(r, %s, %s)", target, p.varName("Pattern"))
	case kindInt:
		return fmt.Sprintf("readInt(r, %s, %s)", target, p.bounds("intBounds{}"))
	case kindFloat:
		return fmt.Sprintf("readFloat(r, %s, %s)", target, p.bounds("floatBounds{}"))
	case kindBool:
		if p.Const != nil {
			return fmt.Sprintf("readBoolConst(r, %s, %t)", target, *p.Const)
		}
		return fmt.Sprintf("readBool(r, %s)", target)
	case kindRef:
		return fmt.Sprintf("read%s(r, %s, nil)", p.Ref.Title, target)
	case kindStringMap:
		return fmt.Sprintf("readStringMap(r, %s)", target)
	case kindAny:
		return fmt.Sprintf("readRaw(r, %s)", target)
	}
	return fmt.Sprintf("readArray(r, %s, read%s)", target, p.Ref.Title)
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
		return fmt.Sprintf("validDateTime(%s, %s)", val, p.varName("Pattern"))
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
		switch {
		case p.Ref.IsEnum():
		case p.Nullable:
			val = val[1:] // the pointer itself
		default:
			val = "&" + val
		}
		return fmt.Sprintf("check%s(%s)", p.Ref.Title, val)
	case kindStringMap:
		return fmt.Sprintf("validStringMap(%s)", val)
	case kindAny:
		return fmt.Sprintf("validRaw(%s)", val)
	}
	return fmt.Sprintf("checkArray(%s, check%s)", val, p.Ref.Title)
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
		switch {
		case p.Ref.IsEnum():
		case p.Nullable:
			val = val[1:] // the pointer itself
		default:
			val = "&" + val
		}
		return fmt.Sprintf("append%s(b, %s)", p.Ref.Title, val)
	case kindStringMap:
		return fmt.Sprintf("appendStringMap(b, %s)", val)
	case kindAny:
		return fmt.Sprintf("appendRaw(b, %s)", val)
	}
	return fmt.Sprintf("appendArray(b, %s, append%s)", val, p.Ref.Title)
}

// unboundedDepth is the Depth of a schema whose values can nest without
// bound (a value of any type inside): more than any limit's ceiling, so
// that the writer always reads such an encoding back against the limits.
const unboundedDepth = 1<<31 - 1

// Depth is the deepest nesting of objects and arrays that a value of s
// can have; an object is depth 1.
func (m *model) Depth(s *schemaModel) int {
	if s.IsEnum() {
		return 0
	}
	deepest := 0
	for _, p := range s.Props {
		d := 0
		switch {
		case p.Kind == kindRef: // loadModel refuses cycles
			d = m.Depth(p.Ref)
		case p.Kind == kindArrayOfRef:
			d = 1 + m.Depth(p.Ref)
		case p.Kind == kindStringMap:
			d = 1
		case p.Kind == kindAny:
			return unboundedDepth
		}
		if d == unboundedDepth {
			return unboundedDepth
		}
		deepest = max(deepest, d)
	}
	return 1 + deepest
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
