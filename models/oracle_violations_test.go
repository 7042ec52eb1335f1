package models

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/mcp-refcache/taskschema/internal/jsonpointer"
)

var englishPrinter = message.NewPrinter(language.English)

// validateDoc applies the compiled schema id to a decoded payload (numbers
// as json.Number). It returns nil, a *ValidationError, or an error wrapping
// ErrValidatorFailed when the validator panicked.
func validateDoc(reg *registry, id schemaID, doc any) error {
	vs, err := validateWith(reg.compiled[id], id.String(), doc)
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		return nil
	}
	return newValidationError(id.String(), vs)
}

// validateWith applies a compiled schema to a decoded value and returns its
// violations, with instance paths relative to the value. A panic inside the
// validator becomes an error wrapping ErrValidatorFailed.
func validateWith(sch *jsonschema.Schema, name string, doc any) (vs []Violation, err error) {
	defer func() {
		if r := recover(); r != nil {
			vs, err = nil, fmt.Errorf("%w on %s: %v", ErrValidatorFailed, name, r)
		}
	}()
	verr := sch.Validate(doc)
	if verr == nil {
		return nil, nil
	}
	ve, ok := verr.(*jsonschema.ValidationError)
	if !ok {
		return nil, fmt.Errorf("%w on %s: %v", ErrValidatorFailed, name, verr)
	}
	return violationsOf(ve, doc), nil
}

// violationsOf flattens the validator's tree of errors into its leaves.
// doc is the value that was validated, for the numbers as written.
func violationsOf(e *jsonschema.ValidationError, doc any) []Violation {
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		vs := make([]Violation, 0, len(k.Missing))
		for _, m := range k.Missing {
			vs = append(vs, missingProperty(e.InstanceLocation, m))
		}
		return vs
	case *kind.AnyOf, *kind.OneOf:
		if len(e.Causes) > 0 {
			return branchViolations(e, doc)
		}
	}
	if len(e.Causes) == 0 {
		return []Violation{leaf(e, doc)}
	}
	var vs []Violation
	for _, c := range e.Causes {
		vs = append(vs, violationsOf(c, doc)...)
	}
	return vs
}

// missingProperty is the violation of a required property name absent from
// the object at the reference tokens object: reported at the property's own
// pointer, so that it says which field.
func missingProperty(object []string, name string) Violation {
	return Violation{
		InstancePath: jsonpointer.Join(append(slices.Clone(object), name)),
		Keyword:      KeywordRequired,
		Message:      fmt.Sprintf("missing required property %q", name),
	}
}

// branchViolations reports why no branch of an anyOf or oneOf matched. A
// branch that failed only because the value has another type (the null branch
// of a nullable field, when the value is an object) says nothing useful when
// another branch failed deeper, so it is left out; when every branch failed on
// the type alone, one "type" violation lists the types that were wanted.
func branchViolations(e *jsonschema.ValidationError, doc any) []Violation {
	var deep []Violation
	var wanted []string
	here := jsonpointer.Join(e.InstanceLocation)
	for _, c := range e.Causes {
		if t, ok := typeKindOf(c); ok && jsonpointer.Join(c.InstanceLocation) == here {
			wanted = append(wanted, t.Want...)
			continue
		}
		deep = append(deep, violationsOf(c, doc)...)
	}
	if len(deep) > 0 {
		return deep
	}
	got := ""
	if t, ok := typeKindOf(e.Causes[0]); ok {
		got = t.Got
	}
	return []Violation{{
		InstancePath: here,
		Keyword:      KeywordType,
		Message:      fmt.Sprintf("got %s, want %s", got, strings.Join(wanted, " or ")),
	}}
}

// typeKindOf finds the single type error below e, through $ref wrappers,
// and checks that it is at e's own instance location.
func typeKindOf(e *jsonschema.ValidationError) (*kind.Type, bool) {
	at := len(e.InstanceLocation)
	for {
		if t, ok := e.ErrorKind.(*kind.Type); ok {
			return t, len(e.InstanceLocation) == at
		}
		if len(e.Causes) != 1 {
			return nil, false
		}
		e = e.Causes[0]
	}
}

// leaf is the violation of one error of the validator, on the value at its
// instance location in doc.
func leaf(e *jsonschema.ValidationError, doc any) Violation {
	keyword := ""
	if path := e.ErrorKind.KeywordPath(); len(path) > 0 {
		keyword = path[len(path)-1]
	}
	return Violation{
		InstancePath: jsonpointer.Join(e.InstanceLocation),
		Keyword:      keyword,
		Message:      leafMessage(e, keyword, numberAt(doc, e.InstanceLocation)),
	}
}

// leafMessage words a violation. A number that breaks a bound is quoted as
// the payload wrote it (got, when it is not ""), and the bound exactly (the
// validator rounds them to float64, so 2^53+1 and its bound 2^53-1 would print
// alike); other messages are the validator's, without its "keyword: " prefix.
func leafMessage(e *jsonschema.ValidationError, keyword, got string) string {
	switch k := e.ErrorKind.(type) {
	case *kind.Minimum:
		return fmt.Sprintf("must be at least %s, got %s", ratString(k.Want), cmp.Or(got, ratString(k.Got)))
	case *kind.Maximum:
		return fmt.Sprintf("must be at most %s, got %s", ratString(k.Want), cmp.Or(got, ratString(k.Got)))
	case *kind.Type:
		return fmt.Sprintf("got %s, want %s", k.Got, strings.Join(k.Want, " or "))
	case *kind.Enum:
		// The message lists the schema's values and not the payload's, and
		// the validator formats it slowly: the registry words it once.
		if reg, err := loadRegistry(); err == nil {
			if m, ok := reg.enumMessages[e.SchemaURL]; ok {
				return m
			}
		}
	}
	return strings.TrimPrefix(e.ErrorKind.LocalizedString(englishPrinter), keyword+": ")
}

// ratString writes an exact number briefly: integers in full up to 40
// digits, anything else in the shortest decimal or exponent form.
func ratString(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() && len(r.Num().String()) <= 40 {
		return r.Num().String()
	}
	return new(big.Float).SetPrec(128).SetRat(r).Text('g', -1)
}

// numberAt returns the number at the reference tokens path in doc, as
// written in the payload, or "" when there is no number there.
func numberAt(doc any, path []string) string {
	for _, tok := range path {
		switch d := doc.(type) {
		case map[string]any:
			doc = d[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(d) {
				return ""
			}
			doc = d[i]
		default:
			return ""
		}
	}
	n, _ := doc.(json.Number)
	return string(n)
}
