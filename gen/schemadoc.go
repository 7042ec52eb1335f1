package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// schemaDoc is the part of one schema file that the generator reads itself:
// the property order (which encoding/json would lose) and the keywords that the
// README table shows.
type schemaDoc struct {
	Name        string // file stem, such as "task_info"
	Title       string
	Description string
	Required    []string
	Enum        []string
	Properties  []property // in the order of the file
	Keywords    []string   // the schema's own keywords
}

// property is one entry of a schema's "properties", with its keywords decoded
// with json.Number so that bounds print as written.
type property struct {
	Name     string
	Keywords map[string]any
}

func (p property) has(keyword string) bool {
	_, ok := p.Keywords[keyword]
	return ok
}

// readSchemas reads every named schema from dir, in the order given.
func readSchemas(dir string, names []string) ([]schemaDoc, error) {
	docs := make([]schemaDoc, 0, len(names))
	for _, name := range names {
		doc, err := readSchema(filepath.Join(dir, name+".schema.json"))
		if err != nil {
			return nil, err
		}
		doc.Name = name
		docs = append(docs, doc)
	}
	return docs, nil
}

func readSchema(path string) (schemaDoc, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return schemaDoc{}, err
	}
	var doc struct {
		Title       string          `json:"title"`
		Description string          `json:"description"`
		Required    []string        `json:"required"`
		Enum        []string        `json:"enum"`
		Properties  json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return schemaDoc{}, fmt.Errorf("%s: %w", path, err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return schemaDoc{}, fmt.Errorf("%s: %w", path, err)
	}
	var keywords []string
	for k := range all {
		keywords = append(keywords, k)
	}
	props, err := orderedProperties(doc.Properties)
	if err != nil {
		return schemaDoc{}, fmt.Errorf("%s: properties: %w", path, err)
	}
	return schemaDoc{
		Title:       doc.Title,
		Description: doc.Description,
		Required:    doc.Required,
		Enum:        doc.Enum,
		Properties:  props,
		Keywords:    keywords,
	}, nil
}

// orderedProperties decodes a "properties" object keeping its key order.
func orderedProperties(raw json.RawMessage) ([]property, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	var props []property
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
		props = append(props, property{Name: name, Keywords: keywords})
	}
	return props, nil
}
