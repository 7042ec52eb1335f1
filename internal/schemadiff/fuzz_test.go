package schemadiff

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDiff compares two arbitrary schemas, seeded with the real schema
// files and the rule cases: Diff must not panic, must find no change
// between a schema and itself, and must give every change a rule and a
// message.
func FuzzDiff(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "schema", "*.schema.json"))
	for i, p := range paths {
		a, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		b, err := os.ReadFile(paths[(i+1)%len(paths)])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(a, b)
	}
	f.Add([]byte(`{"oneOf":[{"not":{"enum":[1,"a"]}}],"$ref":"#/$defs/x","$defs":{"x":{"$ref":"#"}}}`),
		[]byte(`{"oneOf":[{"not":{"enum":[1.0]}},true],"$ref":"#/$defs/y","$defs":{"y":{"$ref":"#/$defs/y"}}}`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		old, err1 := Load(map[string][]byte{"a.schema.json": a, "b.schema.json": b})
		cur, err2 := Load(map[string][]byte{"a.schema.json": b, "b.schema.json": a})
		if err1 != nil || err2 != nil {
			return
		}
		if same := Diff(old, old); len(same) != 0 {
			t.Fatalf("a schema against itself: %v", same)
		}
		for _, c := range Diff(old, cur) {
			if c.Rule == "" || c.Message == "" || c.File == "" || c.Impact > Both {
				t.Fatalf("change without a rule or message: %+v", c)
			}
		}
	})
}
