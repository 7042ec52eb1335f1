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
//     runtime validator decides what is valid, and models decodes itself.
//   - DisableOmitEmpty, DisableOmitZero: 0 and false are marshalled instead of
//     dropped (and then read back as the defaults 3 and true).
//   - StructNameFromTitle: types are named by the schema titles (TaskInfo, not
//     TaskInfoSchemaJson); the nullable references (anyOf with null) then
//     point at the one TaskProgress type.
//   - MinSizedInts stays off: it can lose an upper bound.
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
func runGenerator(dir string, docs []schemaDoc) ([]byte, error) {
	var warnings []string
	g, err := generator.New(generatorConfig(&warnings))
	if err != nil {
		return nil, err
	}
	for _, doc := range docs {
		if err := g.DoFile(filepath.Join(dir, doc.Name+".schema.json")); err != nil {
			return nil, fmt.Errorf("go-jsonschema: %s: %w", doc.Name, err)
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
// writes only the types named by the schema titles, so the copy never reaches
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

// goStruct is one struct type of the generator's output.
type goStruct struct {
	Name   string
	Doc    string
	Fields []goField
}

type goField struct {
	Name    string
	Type    string
	JSON    string // the json tag's name
	Options string // extra json tag options, such as ",omitempty"
	Doc     string
}

// postProcess rewrites go-jsonschema's output into the types the models
// package exposes:
//   - a nullable primitive comes out as a named pointer type
//     (type TaskProgressCurrent *int); the field gets the plain *int instead;
//   - the aliases left behind by anyOf (type TaskInfoProgress_0 = TaskProgress)
//     are dropped;
//   - fields follow the schema's property order, not the alphabet, so that
//     encoding/json writes them in that order;
//   - an array whose schema default is [] gets ",omitempty": leaving an empty
//     array out is lossless, because the decoder fills in the default;
//   - the status enum and its constants get doc comments.
func postProcess(src []byte, docs []schemaDoc) ([]byte, map[string]goStruct, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "types_gen.go", src, parser.ParseComments)
	if err != nil {
		return nil, nil, fmt.Errorf("parse generated code: %w", err)
	}
	pointers := map[string]string{} // named pointer type -> its pointer type
	structs := map[string]*ast.TypeSpec{}
	docsOf := map[string]string{}
	for _, decl := range file.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			docsOf[ts.Name.Name] = gd.Doc.Text()
			switch t := ts.Type.(type) {
			case *ast.StarExpr:
				if !ts.Assign.IsValid() {
					pointers[ts.Name.Name] = exprString(fset, t)
				}
			case *ast.StructType:
				structs[ts.Name.Name] = ts
			}
		}
	}

	done := map[string]goStruct{}
	var out bytes.Buffer
	out.WriteString("// Code generated by github.com/atombender/go-jsonschema and taskschema/gen from schema/*.schema.json; DO NOT EDIT.\n\n")
	out.WriteString("package models\n\n")
	if bytes.Contains(src, []byte("time.Time")) {
		out.WriteString("import \"time\"\n\n")
	}
	for _, doc := range docs {
		switch {
		case len(doc.Enum) > 0:
			writeEnum(&out, doc)
		case len(doc.Properties) > 0:
			ts, ok := structs[doc.Title]
			if !ok {
				return nil, nil, fmt.Errorf("no struct %s generated for %s", doc.Title, doc.Name)
			}
			st, err := readStruct(fset, ts, docsOf[doc.Title], pointers)
			if err != nil {
				return nil, nil, err
			}
			if err := orderFields(&st, doc); err != nil {
				return nil, nil, err
			}
			writeStruct(&out, st)
			done[doc.Title] = st
		default:
			return nil, nil, fmt.Errorf("%s: neither an enum nor an object with properties", doc.Name)
		}
	}
	formatted, err := format.Source(out.Bytes())
	if err != nil {
		return nil, nil, fmt.Errorf("format post-processed code: %w\n%s", err, out.Bytes())
	}
	return formatted, done, nil
}

func readStruct(fset *token.FileSet, ts *ast.TypeSpec, doc string, pointers map[string]string) (goStruct, error) {
	st := goStruct{Name: ts.Name.Name, Doc: doc}
	for _, f := range ts.Type.(*ast.StructType).Fields.List {
		if len(f.Names) != 1 || f.Tag == nil {
			return goStruct{}, fmt.Errorf("%s: unexpected field shape", st.Name)
		}
		typ := exprString(fset, f.Type)
		if ptr, ok := pointers[typ]; ok {
			typ = ptr
		}
		if strings.Contains(typ, "interface") || typ == "any" {
			return goStruct{}, fmt.Errorf("%s.%s: generated as %s", st.Name, f.Names[0].Name, typ)
		}
		tag, err := strconv.Unquote(f.Tag.Value)
		if err != nil {
			return goStruct{}, err
		}
		jsonTag := reflect.StructTag(tag).Get("json")
		name, opts, _ := strings.Cut(jsonTag, ",")
		if opts != "" {
			return goStruct{}, fmt.Errorf("%s.%s: unexpected json options %q", st.Name, name, opts)
		}
		st.Fields = append(st.Fields, goField{Name: f.Names[0].Name, Type: typ, JSON: name, Doc: f.Doc.Text()})
	}
	return st, nil
}

// orderFields puts the fields in the schema's property order and adds
// ",omitempty" to arrays whose default is the empty array.
func orderFields(st *goStruct, doc schemaDoc) error {
	if len(st.Fields) != len(doc.Properties) {
		return fmt.Errorf("%s: %d fields for %d properties", st.Name, len(st.Fields), len(doc.Properties))
	}
	ordered := make([]goField, 0, len(st.Fields))
	for _, p := range doc.Properties {
		i := slices.IndexFunc(st.Fields, func(f goField) bool { return f.JSON == p.Name })
		if i < 0 {
			return fmt.Errorf("%s: no field for property %q", st.Name, p.Name)
		}
		f := st.Fields[i]
		if def, ok := p.Keywords["default"].([]any); ok && len(def) == 0 && strings.HasPrefix(f.Type, "[]") {
			f.Options = ",omitempty"
		}
		ordered = append(ordered, f)
	}
	st.Fields = ordered
	return nil
}

func writeStruct(out *bytes.Buffer, st goStruct) {
	writeComment(out, "", st.Doc)
	fmt.Fprintf(out, "type %s struct {\n", st.Name)
	for i, f := range st.Fields {
		if i > 0 {
			out.WriteString("\n")
		}
		writeComment(out, "\t", f.Doc)
		fmt.Fprintf(out, "\t%s %s `json:\"%s%s\"`\n", f.Name, f.Type, f.JSON, f.Options)
	}
	out.WriteString("}\n\n")
}

func writeEnum(out *bytes.Buffer, doc schemaDoc) {
	writeComment(out, "", doc.Description)
	fmt.Fprintf(out, "type %s string\n\n", doc.Title)
	fmt.Fprintf(out, "// The values of %s, in the schema's order.\nconst (\n", doc.Title)
	for _, v := range doc.Enum {
		name := enumConstName(doc.Title, v)
		fmt.Fprintf(out, "\t// %s is the status %q.\n\t%s %s = %q\n", name, v, name, doc.Title, v)
	}
	out.WriteString(")\n\n")
}

// writeComment writes text as a // comment, wrapped at about 80 columns.
func writeComment(out *bytes.Buffer, indent, text string) {
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(indent)+3+len(line)+1+len(word) > 80 {
			fmt.Fprintf(out, "%s// %s\n", indent, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		fmt.Fprintf(out, "%s// %s\n", indent, line)
	}
}

func exprString(fset *token.FileSet, e ast.Expr) string {
	var b bytes.Buffer
	_ = format.Node(&b, fset, e)
	return b.String()
}

// enumConstName names the constant of an enum value: TaskStatus + "pending"
// gives TaskStatusPending.
func enumConstName(title, value string) string {
	return title + strings.ToUpper(value[:1]) + value[1:]
}
