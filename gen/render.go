package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"go/format"
	"strconv"
	"strings"
	"text/template"
)

// The generated Go files are rendered from the text/template files in
// templates/, with the model as their data.

//go:embed templates/*.tmpl
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"comment":      comment,
	"article":      article,
	"quote":        strconv.Quote,
	"lowerFirst":   lowerFirst,
	"enumConst":    enumConstName,
	"valueType":    valueType,
	"defaultValue": defaultValue,
	"keyLiteral":   keyLiteral,
	"join":         strings.Join,
	"add":          func(a, b int) int { return a + b },
}).ParseFS(templateFS, "templates/*.tmpl"))

// render executes the named template on data and formats the result.
func render(name string, data any) ([]byte, error) {
	var out bytes.Buffer
	if err := templates.ExecuteTemplate(&out, name, data); err != nil {
		return nil, err
	}
	formatted, err := format.Source(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format %s: %w\n%s", name, err, out.Bytes())
	}
	return formatted, nil
}

// comment writes text as a // comment wrapped at about 80 columns, each
// line starting with indent.
func comment(indent, text string) string {
	var b strings.Builder
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(indent)+3+len(line)+1+len(word) > 80 {
			fmt.Fprintf(&b, "%s// %s\n", indent, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		fmt.Fprintf(&b, "%s// %s\n", indent, line)
	}
	return b.String()
}

// article puts "a" or "an" before a word, by its first letter.
func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOUaeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// defaultValue is the Go expression of a property's default, or "" when
// the default is Go's zero value (null, 0, false, "") or there is none.
func defaultValue(p *prop) string {
	if !p.HasDefault {
		return ""
	}
	switch d := p.Default.(type) {
	case []any:
		return "[]" + p.Ref.Title + "{}"
	case string:
		if p.Kind == kindRef {
			return enumConstName(p.Ref.Title, d)
		}
		if d != "" {
			return strconv.Quote(d)
		}
	case bool:
		if d {
			return "true"
		}
	case json.Number:
		if f, err := strconv.ParseFloat(string(d), 64); err == nil && f != 0 {
			return string(d)
		}
	}
	return ""
}

// keyLiteral is the Go string literal of the JSON text that comes before a
// property's value: its key and colon, after a comma unless it is first.
func keyLiteral(p *prop, first bool) string {
	key, _ := json.Marshal(p.Name)
	text := string(key) + ":"
	if first {
		text = "{" + text
	} else {
		text = "," + text
	}
	if strconv.CanBackquote(text) {
		return "`" + text + "`"
	}
	return strconv.Quote(text)
}
