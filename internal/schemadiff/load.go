package schemadiff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Suffix is the suffix of the file names a Set holds.
const Suffix = ".schema.json"

// Set is one version of the schema files: each file decoded, by its name.
type Set struct {
	docs map[string]any
	// ids maps each file's $id, when it has one, to the file's name.
	ids map[string]string
}

// Files returns the names of the set's files, sorted.
func (s *Set) Files() []string {
	names := make([]string, 0, len(s.docs))
	for n := range s.docs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LoadDir reads every *.schema.json file directly in dir (not in its
// subdirectories). Other files, such as a bundle, are left out.
func LoadDir(dir string) (*Set, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte)
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), Suffix) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		files[e.Name()] = data
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no *%s file", dir, Suffix)
	}
	return Load(files)
}

// Load decodes files, a map from file name to content. Each file must hold
// one JSON value, an object or a boolean; numbers are kept exactly as
// written.
func Load(files map[string][]byte) (*Set, error) {
	s := &Set{docs: make(map[string]any, len(files)), ids: make(map[string]string)}
	for name, data := range files {
		if strings.ContainsAny(name, `/\`) {
			return nil, fmt.Errorf("%s: a schema file name must not contain a path separator", name)
		}
		v, err := decode(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		switch doc := v.(type) {
		case bool:
		case map[string]any:
			if id, ok := doc["$id"].(string); ok {
				s.ids[stripFragment(id)] = name
			}
		default:
			return nil, fmt.Errorf("%s: a schema must be a JSON object or a boolean", name)
		}
		s.docs[name] = v
	}
	return s, nil
}

// decode reads one JSON value, with numbers as json.Number.
func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("not valid JSON: more than one value")
	}
	return v, nil
}

func stripFragment(u string) string {
	u, _, _ = strings.Cut(u, "#")
	return u
}
