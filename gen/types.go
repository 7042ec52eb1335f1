package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/atombender/go-jsonschema/pkg/generator"
	"github.com/atombender/go-jsonschema/pkg/schemas"
)

// generatorConfig is the go-jsonschema configuration. Each setting avoids one
// of the generator's traps:
//   - OnlyModels: no generated UnmarshalJSON, which would turn null or a
//     missing key into the default and skip bounds on nullable fields; the
//     methods of the model types come from taskschema/gen instead.
//   - DisableOmitEmpty, DisableOmitZero: 0 and false are kept in the tags
//     (the generated writer writes every field anyway).
//   - StructNameFromTitle: types are named by the schema titles (TaskInfo, not
//     TaskInfoSchemaJson); the nullable references (anyOf with null) then
//     point at the one TaskProgress type.
//   - MinSizedInts stays off: it can lose an upper bound; postProcess makes
//     every integer an int64 instead (see wideInts).
//   - Loader: files only, so a $ref is never fetched over HTTP.
func generatorConfig(warnings *[]string) generator.Config {
	return generator.Config{
		DefaultPackageName:  "models",
		DefaultOutputName:   "types_gen.go",
		Capitalizations:     []string{"ID"},
		StructNameFromTitle: true,
		Tags:                []string{"json"},
		OnlyModels:          true,
		DisableOmitEmpty:    true,
		DisableOmitZero:     true,
		Loader:              schemas.NewCachedLoader(schemas.NewFileLoader(nil, nil), map[string]*schemas.Schema{}),
		Warner:              func(msg string) { *warnings = append(*warnings, msg) },
	}
}

// runGenerator runs go-jsonschema on the schema files and returns its one
// output file. Any warning is an error: a warning means a field fell back to
// interface{} or lost a check.
func runGenerator(dir string, m *model) ([]byte, error) {
	var warnings []string
	g, err := generator.New(generatorConfig(&warnings))
	if err != nil {
		return nil, err
	}
	for _, s := range m.Schemas {
		if err := g.DoFile(filepath.Join(dir, s.Name+".schema.json")); err != nil {
			return nil, fmt.Errorf("go-jsonschema: %s: %w", s.Name, err)
		}
	}
	sources, err := g.Sources()
	if err != nil {
		return nil, fmt.Errorf("go-jsonschema: %w", err)
	}
	if serious := seriousWarnings(warnings); len(serious) > 0 {
		return nil, fmt.Errorf("go-jsonschema warned: %s", strings.Join(serious, "; "))
	}
	if len(sources) != 1 {
		return nil, fmt.Errorf("go-jsonschema wrote %d files, want 1", len(sources))
	}
	for _, src := range sources {
		return src, nil
	}
	return nil, nil
}

// seriousWarnings drops the one expected warning: with StructNameFromTitle,
// each nullable reference to TaskProgress (anyOf with null) declares the title
// again, and the generator renames the copy "TaskProgress_1". postProcess
// keeps only the types named by the schema titles, so the copy never reaches
// models; the compiler would reject a field that still referred to it.
func seriousWarnings(warnings []string) []string {
	var serious []string
	for _, w := range warnings {
		if !strings.HasPrefix(w, "Multiple types map to the name") {
			serious = append(serious, w)
		}
	}
	return serious
}

// goOutput is what postProcess reads from go-jsonschema's output.
type goOutput struct {
	fset     *token.FileSet
	pointers map[string]string // named pointer type -> its pointer type
	maps     map[string]string // named map type -> its map type
	structs  map[string]*ast.TypeSpec
	docs     map[string]string   // type name -> doc comment
	consts   map[string][]string // type name -> the constants of that type
}

// goField is one field of a generated struct, as go-jsonschema wrote it.
type goField struct {
	Name, Type, JSON, Doc string
}

// postProcess takes from go-jsonschema's output what its options cannot
// change, one step each (each tested on gen/testdata/gojsonschema.go.txt,
// a recorded output, so that an upgrade shows which step broke):
//   - parseOutput: the struct types named by the schema titles; the copies
//     (TaskProgress_1) and the aliases left by anyOf (TaskInfoProgress_0) are
//     left out;
//   - enumConstants: go-jsonschema writes an enum's constants in the
//     alphabet's order, without the schema's description or doc comments,
//     so the enum is written from the model, under the constant names
//     go-jsonschema gives them (checked here);
//   - structFields: a nullable primitive comes out as a named pointer type
//     (type TaskProgressCurrent *int); the field gets the plain *int;
//   - wideInts: int becomes int64, so that a bound of 2^53-1 holds on 32-bit
//     platforms too;
//   - attachFields: the fields are matched to the schema's properties and
//     follow their order (not the alphabet); an array whose default is []
//     gets ",omitempty".
//
// It fills in the Go side of every property of m.
func postProcess(src []byte, m *model) error {
	out, err := parseOutput(src)
	if err != nil {
		return err
	}
	for _, s := range m.Schemas {
		if s.IsEnum() {
			if err := enumConstants(out, s); err != nil {
				return err
			}
			continue
		}
		ts, ok := out.structs[s.Title]
		if !ok {
			return fmt.Errorf("go-jsonschema wrote no struct %s for %s", s.Title, s.Name)
		}
		fields, err := structFields(out, ts)
		if err != nil {
			return err
		}
		for i := range fields {
			fields[i].Type = wideInts(fields[i].Type)
		}
		s.GoDoc = out.docs[s.Title]
		if err := attachFields(s, fields); err != nil {
			return err
		}
	}
	return nil
}

// parseOutput parses go-jsonschema's output.
func parseOutput(src []byte) (*goOutput, error) {
	out := &goOutput{fset: token.NewFileSet(), pointers: map[string]string{}, maps: map[string]string{}, structs: map[string]*ast.TypeSpec{},
		docs: map[string]string{}, consts: map[string][]string{}}
	file, err := parser.ParseFile(out.fset, "types_gen.go", src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("parse go-jsonschema's output: %w", err)
	}
	for _, decl := range file.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if ok && gd.Tok == token.CONST {
			for _, spec := range gd.Specs {
				if vs, ok := spec.(*ast.ValueSpec); ok && vs.Type != nil {
					typ := exprString(out.fset, vs.Type)
					for _, n := range vs.Names {
						out.consts[typ] = append(out.consts[typ], n.Name)
					}
				}
			}
		}
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			out.docs[ts.Name.Name] = gd.Doc.Text()
			switch t := ts.Type.(type) {
			case *ast.StarExpr:
				if !ts.Assign.IsValid() {
					out.pointers[ts.Name.Name] = exprString(out.fset, t)
				}
			case *ast.MapType:
				out.maps[ts.Name.Name] = exprString(out.fset, t)
			case *ast.StructType:
				out.structs[ts.Name.Name] = ts
			}
		}
	}
	return out, nil
}

// enumConstants checks that go-jsonschema declares the enum s with exactly
// the constants that the model writes.
func enumConstants(out *goOutput, s *schemaModel) error {
	var want []string
	for _, v := range s.Enum {
		want = append(want, enumConstName(s.Title, v))
	}
	got := slices.Sorted(slices.Values(out.consts[s.Title]))
	if !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		return fmt.Errorf("%s: go-jsonschema declares the constants %v, the model %v", s.Title, got, want)
	}
	return nil
}

// structFields lists the fields of a struct, with named pointer types
// replaced by the pointers they name, and a pointer to a named map type (a
// nullable object of strings) by the map: nil is null.
func structFields(out *goOutput, ts *ast.TypeSpec) ([]goField, error) {
	var fields []goField
	name := ts.Name.Name
	for _, f := range ts.Type.(*ast.StructType).Fields.List {
		if len(f.Names) != 1 || f.Tag == nil {
			return nil, fmt.Errorf("%s: unexpected field shape", name)
		}
		typ := exprString(out.fset, f.Type)
		if ptr, ok := out.pointers[typ]; ok {
			typ = ptr
		}
		if m, ok := out.maps[strings.TrimPrefix(typ, "*")]; ok {
			typ = m
		}
		tag, err := strconv.Unquote(f.Tag.Value)
		if err != nil {
			return nil, err
		}
		jsonName, opts, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
		if opts != "" {
			return nil, fmt.Errorf("%s.%s: unexpected json options %q", name, jsonName, opts)
		}
		fields = append(fields, goField{Name: f.Names[0].Name, Type: typ, JSON: jsonName, Doc: f.Doc.Text()})
	}
	return fields, nil
}

// wideInts turns int into int64, in a plain, pointer or slice type.
func wideInts(typ string) string {
	base := strings.TrimLeft(typ, "*[]")
	if base == "int" {
		return typ[:len(typ)-len(base)] + "int64"
	}
	return typ
}

// attachFields matches the fields to the schema's properties.
func attachFields(s *schemaModel, fields []goField) error {
	if len(fields) != len(s.Props) {
		return fmt.Errorf("%s: %d fields for %d properties", s.Title, len(fields), len(s.Props))
	}
	for _, p := range s.Props {
		i := slices.IndexFunc(fields, func(f goField) bool { return f.JSON == p.Name })
		if i < 0 {
			return fmt.Errorf("%s: no field for property %q", s.Title, p.Name)
		}
		f := fields[i]
		if f.Type == "interface{}" && p.Kind == kindAny {
			// go-jsonschema has no type for any JSON value; the model
			// keeps its exact bytes in a json.RawMessage.
			f.Type = goType(p)
		}
		if want := goType(p); f.Type != want {
			return fmt.Errorf("%s.%s: go-jsonschema wrote %s, the model wants %s", s.Title, f.Name, f.Type, want)
		}
		p.Field, p.GoType, p.GoDoc = f.Name, f.Type, f.Doc
		if def, ok := p.Default.([]any); ok && len(def) == 0 && p.Kind == kindArrayOfRef {
			p.Options = ",omitempty"
		}
	}
	return nil
}

// goType is the Go type the model gives a property: what go-jsonschema
// must have written, after wideInts.
func goType(p *prop) string {
	t := valueType(p)
	switch {
	case p.Kind == kindArrayOfRef:
		return "[]" + t
	case p.IsPointer():
		return "*" + t
	}
	return t
}

// valueType is the Go type of a property's value, without the pointer of a
// nullable property or the slice of an array.
func valueType(p *prop) string {
	switch p.Kind {
	case kindString:
		return "string"
	case kindDateTime:
		return "time.Time"
	case kindInt:
		return "int64"
	case kindFloat:
		return "float64"
	case kindBool:
		return "bool"
	case kindStringMap:
		return "map[string]string"
	case kindAny:
		return "json.RawMessage"
	}
	return p.Ref.Title
}

func exprString(fset *token.FileSet, e ast.Expr) string {
	var b bytes.Buffer
	_ = format.Node(&b, fset, e)
	return b.String()
}

// enumConstName names the constant of an enum value: TaskStatus + "pending"
// gives TaskStatusPending.
func enumConstName(title, value string) string {
	if value == "" {
		return ""
	}
	// As go-jsonschema does: each part between underscores starts with a
	// capital ("input_required" -> InputRequired).
	name := title
	for part := range strings.SplitSeq(value, "_") {
		if part != "" {
			name += strings.ToUpper(part[:1]) + part[1:]
		}
	}
	return name
}
