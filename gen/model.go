package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/token"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The model is the one reading of schema/ that every output comes from: the
// Go types (through go-jsonschema), the readers, checks and writers, the
// default constructors, the table of schema names and Go types, the field
// tables of docs/MODELS.md and the bundle. loadModel reads each file once.
//
// It supports exactly the keywords the schemas use and fails on any other,
// so that a new keyword can never be silently left unchecked.

// Keywords the generator understands, on a schema and on a property.
var (
	schemaKeywords   = []string{"$schema", "$id", "$comment", "title", "description", "type", "enum", "required", "properties"}
	propertyKeywords = []string{"$comment", "description", "type", "$ref", "anyOf", "default", "minimum", "maximum", "format", "pattern", "items", "const", "additionalProperties"}
)

// rfc3339Pattern is the one pattern a date-time may have: RFC 3339's
// grammar without second 60 and the year 0000, which models.parseRFC3339
// decides together with the "date-time" format.
const rfc3339Pattern = `^(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-5][0-9](?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$`

// model is every schema of the directory, dependencies first.
type model struct {
	Schemas []*schemaModel
}

// schemaModel is one schema file.
type schemaModel struct {
	Name        string // file stem, such as "task_info"
	Data        []byte // the file as it is
	Title       string // the Go type's name
	Description string
	Keywords    []string // the schema's own keywords
	Required    []string
	Enum        []string // the values of a string enum
	Props       []*prop  // in the order of the file
	GoDoc       string   // the type's doc comment from go-jsonschema
	// NullableTarget is set when a nullable property refers to the schema.
	NullableTarget bool
}

// prop is one property of an object schema.
type prop struct {
	Name        string
	Keywords    map[string]any // decoded with json.Number, so bounds print as written
	Description string
	Kind        propKind
	Nullable    bool
	Ref         *schemaModel // the referenced schema, for kindRef and the items of kindArrayOfRef
	Required    bool
	Default     any
	HasDefault  bool
	Min, Max    json.Number
	Pattern     string
	Const       *bool // the only value of a boolean with "const"

	// Filled in from go-jsonschema's output by postProcess.
	Field   string // the Go field name
	GoType  string // the Go field type, such as "*int64"
	Options string // extra json tag options
	GoDoc   string
	Owner   *schemaModel // the schema the property belongs to
}

type propKind int

const (
	kindString propKind = iota
	kindDateTime
	kindInt
	kindFloat
	kindBool
	kindRef
	kindArrayOfRef
	kindStringMap // an object of strings: {"type": "object", "additionalProperties": {"type": "string"}}
	kindAny       // any JSON value: no "type", "$ref" or "anyOf"
)

// IsEnum reports whether the schema is a string enum.
func (s *schemaModel) IsEnum() bool { return len(s.Enum) > 0 }

// IsPointer reports whether the Go field is a pointer that is nil for null.
// A nullable string map or value of any type is nil for null itself.
func (p *prop) IsPointer() bool {
	return p.Nullable && p.Kind != kindStringMap && p.Kind != kindAny
}

// HasMin and HasMax report whether the property has the bound.
func (p *prop) HasMin() bool { return p.Min != "" }

// HasMax reports whether the property has a maximum.
func (p *prop) HasMax() bool { return p.Max != "" }

func (p *prop) has(keyword string) bool {
	_, ok := p.Keywords[keyword]
	return ok
}

// loadModel reads every *.schema.json file of dir.
func loadModel(dir string) (*model, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.schema.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s holds no *.schema.json files", dir)
	}
	byFile := map[string]*schemaModel{}
	var all []*schemaModel
	for _, f := range files { // Glob sorts by name
		s, err := readSchema(f)
		if err != nil {
			return nil, err
		}
		s.Name = strings.TrimSuffix(filepath.Base(f), ".schema.json")
		byFile[filepath.Base(f)] = s
		all = append(all, s)
	}
	titles := map[string]string{}
	for _, s := range all {
		if other, ok := titles[s.Title]; ok {
			return nil, fmt.Errorf("%s and %s have the same title %q", other, s.Name, s.Title)
		}
		titles[s.Title] = s.Name
		if err := checkSchemaKeywords(s); err != nil {
			return nil, err
		}
		for _, p := range s.Props {
			p.Owner = s
			if err := classifyProp(s, p, byFile); err != nil {
				return nil, fmt.Errorf("%s.%s: %w", s.Name, p.Name, err)
			}
		}
	}
	for _, s := range all {
		for _, p := range s.Props {
			if p.Kind == kindRef && p.Nullable {
				p.Ref.NullableTarget = true
			}
		}
	}
	ordered, err := dependencyOrder(all)
	if err != nil {
		return nil, err
	}
	return &model{Schemas: ordered}, nil
}

// dependencyOrder puts every schema after the schemas it refers to, and
// otherwise keeps the order of the file names. Schemas that refer to each
// other are an error: the readers and the Depth of the table assume none.
func dependencyOrder(all []*schemaModel) ([]*schemaModel, error) {
	var out []*schemaModel
	done := map[*schemaModel]bool{}
	for len(out) < len(all) {
		progress := false
		for _, s := range all {
			if done[s] || slices.ContainsFunc(s.Props, func(p *prop) bool { return p.Ref != nil && !done[p.Ref] }) {
				continue
			}
			done[s] = true
			out = append(out, s)
			progress = true
			break
		}
		if !progress {
			var left []string
			for _, s := range all {
				if !done[s] {
					left = append(left, s.Name)
				}
			}
			return nil, fmt.Errorf("the schemas %v refer to each other; gen supports no cycles", left)
		}
	}
	return out, nil
}

// Names returns the schema stems in the model's order.
func (m *model) Names() []string {
	var names []string
	for _, s := range m.Schemas {
		names = append(names, s.Name)
	}
	return names
}

// Props returns every property of every object schema, in the model's order.
func (m *model) Props() []*prop {
	var out []*prop
	for _, s := range m.Schemas {
		out = append(out, s.Props...)
	}
	return out
}

func readSchema(path string) (*schemaModel, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Title       string          `json:"title"`
		Description string          `json:"description"`
		Required    []string        `json:"required"`
		Enum        []string        `json:"enum"`
		Properties  json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var keywords []string
	for k := range all {
		keywords = append(keywords, k)
	}
	slices.Sort(keywords)
	props, err := orderedProperties(doc.Properties)
	if err != nil {
		return nil, fmt.Errorf("%s: properties: %w", path, err)
	}
	s := &schemaModel{
		Data:        data,
		Title:       doc.Title,
		Description: doc.Description,
		Required:    doc.Required,
		Enum:        doc.Enum,
		Props:       props,
		Keywords:    keywords,
	}
	if s.Title == "" {
		return nil, fmt.Errorf("%s: a title is needed: it names the Go type", path)
	}
	if len(s.Enum) == 0 && len(s.Props) == 0 {
		return nil, fmt.Errorf("%s: neither a string enum nor an object with properties", path)
	}
	return s, nil
}

// orderedProperties decodes a "properties" object keeping its key order.
func orderedProperties(raw json.RawMessage) ([]*prop, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	var props []*prop
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		var keywords map[string]any
		if err := dec.Decode(&keywords); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		props = append(props, &prop{Name: name, Keywords: keywords})
	}
	return props, nil
}

func checkSchemaKeywords(s *schemaModel) error {
	for _, k := range s.Keywords {
		if !slices.Contains(schemaKeywords, k) {
			return fmt.Errorf("%s: keyword %q is not supported by the generator", s.Name, k)
		}
	}
	for _, v := range s.Enum {
		if !token.IsIdentifier(enumConstName(s.Title, v)) {
			return fmt.Errorf("%s: enum value %q gives no Go constant name", s.Name, v)
		}
	}
	if len(s.Props) > 64 {
		return fmt.Errorf("%s: more than 64 properties", s.Name)
	}
	return nil
}

// classifyProp reads the keywords of one property.
func classifyProp(s *schemaModel, p *prop, byFile map[string]*schemaModel) error {
	for k := range p.Keywords {
		if !slices.Contains(propertyKeywords, k) {
			return fmt.Errorf("keyword %q is not supported by the generator", k)
		}
	}
	p.Required = slices.Contains(s.Required, p.Name)
	p.Description, _ = p.Keywords["description"].(string)
	p.Default, p.HasDefault = p.Keywords["default"]
	p.Min, _ = p.Keywords["minimum"].(json.Number)
	p.Max, _ = p.Keywords["maximum"].(json.Number)
	p.Pattern, _ = p.Keywords["pattern"].(string)
	kind, err := classify(p, byFile)
	if err != nil {
		return err
	}
	p.Kind = kind
	if (p.HasMin() || p.HasMax()) && p.Kind != kindInt && p.Kind != kindFloat {
		return fmt.Errorf("bounds on a non-number")
	}
	if p.Pattern != "" && p.Kind != kindDateTime {
		return fmt.Errorf("pattern is supported on date-times only")
	}
	if p.has("additionalProperties") && p.Kind != kindStringMap {
		return fmt.Errorf("additionalProperties is supported on objects of strings only")
	}
	if c, ok := p.Keywords["const"]; ok {
		b, isBool := c.(bool)
		if p.Kind != kindBool || !isBool || p.Nullable {
			return fmt.Errorf("const is supported on non-nullable booleans only")
		}
		p.Const = &b
	}
	for _, b := range []json.Number{p.Min, p.Max} {
		switch {
		case b == "":
		case p.Kind == kindFloat && !exactFloat(string(b)):
			return fmt.Errorf("bound %s is not exactly a float64", b)
		case p.Kind == kindInt:
			// The Go type is int64: a bound it cannot hold is refused here
			// rather than wrapped at run time.
			if _, err := strconv.ParseInt(string(b), 10, 64); err != nil {
				return fmt.Errorf("bound %s is not an integer that an int64 holds", b)
			}
		}
	}
	if !p.Required && !p.HasDefault {
		return fmt.Errorf("optional property %q of %s has no default: add \"default\": %s to it (a value of its type), or list %q in the schema's \"required\"",
			p.Name, s.Name+".schema.json", defaultHint(p), p.Name)
	}
	if p.HasDefault && p.Default != nil {
		if err := checkDefault(p); err != nil {
			return err
		}
	}
	return nil
}

// defaultHint is an example default for an optional property that has none,
// for the generator's error: null where null is allowed, otherwise the zero
// value of its type.
func defaultHint(p *prop) string {
	switch {
	case p.Nullable:
		return "null"
	case p.Kind == kindInt || p.Kind == kindFloat:
		return "0"
	case p.Kind == kindBool:
		return "false"
	case p.Kind == kindArrayOfRef:
		return "[]"
	case p.Kind == kindRef && len(p.Ref.Enum) > 0:
		return strconv.Quote(p.Ref.Enum[0])
	case p.Kind == kindRef || p.Kind == kindStringMap:
		return "{...}"
	}
	return `""`
}

// checkDefault makes sure the generator can write the default as a Go value.
func checkDefault(p *prop) error {
	switch d := p.Default.(type) {
	case []any:
		if len(d) == 0 && p.Kind == kindArrayOfRef {
			return nil
		}
	case string:
		if p.Kind == kindString || (p.Kind == kindRef && p.Ref.IsEnum() && slices.Contains(p.Ref.Enum, d)) {
			return nil
		}
	case bool:
		if p.Kind == kindBool && (p.Const == nil || *p.Const == d) {
			return nil
		}
	case json.Number:
		if p.Kind == kindFloat || p.Kind == kindInt {
			return nil
		}
	}
	return fmt.Errorf("default %v is not supported for this property", p.Default)
}

func classify(p *prop, byFile map[string]*schemaModel) (propKind, error) {
	kw := p.Keywords
	if ref, ok := kw["$ref"].(string); ok {
		p.Ref = byFile[ref]
		if p.Ref == nil {
			return 0, fmt.Errorf("unknown $ref %q", ref)
		}
		return kindRef, nil
	}
	if branches, ok := kw["anyOf"].([]any); ok {
		// Only the nullable reference: anyOf [{"$ref": ...}, {"type": "null"}].
		if len(branches) == 2 {
			a, _ := branches[0].(map[string]any)
			b, _ := branches[1].(map[string]any)
			if ref, ok := a["$ref"].(string); ok && len(a) == 1 && len(b) == 1 && b["type"] == "null" && byFile[ref] != nil {
				p.Ref, p.Nullable = byFile[ref], true
				return kindRef, nil
			}
		}
		return 0, fmt.Errorf("only anyOf [{$ref}, {type: null}] is supported")
	}
	if _, typed := kw["type"]; !typed {
		// Any JSON value, null included: only a description, a $comment
		// and a default of null may come with it.
		for k := range kw {
			if k != "description" && k != "$comment" && k != "default" {
				return 0, fmt.Errorf("keyword %q on a property without a type", k)
			}
		}
		if p.HasDefault && p.Default != nil {
			return 0, fmt.Errorf("a value of any type supports only the default null")
		}
		p.Nullable = true
		return kindAny, nil
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
		p.Nullable = true
	}
	f, hasFormat := kw["format"].(string)
	if hasFormat && (typ != "string" || f != "date-time") {
		return 0, fmt.Errorf("only format date-time on strings is supported")
	}
	switch typ {
	case "string":
		if hasFormat {
			if p.Pattern != rfc3339Pattern {
				// The reader decides the pattern and the format in one
				// pass with a fixed-position parser (models.parseRFC3339)
				// written for exactly this pattern.
				return 0, fmt.Errorf("a date-time needs exactly the pattern that restates RFC 3339 (%s)", rfc3339Pattern)
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
	case "object":
		values, _ := kw["additionalProperties"].(map[string]any)
		if len(values) != 1 || values["type"] != "string" {
			return 0, fmt.Errorf(`only objects with "additionalProperties": {"type": "string"} are supported`)
		}
		return kindStringMap, nil
	case "array":
		items, _ := kw["items"].(map[string]any)
		ref, _ := items["$ref"].(string)
		if len(items) != 1 || byFile[ref] == nil || p.Nullable {
			return 0, fmt.Errorf("only non-nullable arrays of a $ref are supported")
		}
		p.Ref = byFile[ref]
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
