package schemadiff

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// ruleCase is one case of testdata/rules.json: a hand-made pair of schema
// sets and the changes expected between them.
type ruleCase struct {
	Comment string                     `json:"comment"`
	Old     map[string]json.RawMessage `json:"old"`
	New     map[string]json.RawMessage `json:"new"`
	// Want lists the expected changes, each as "FILE#POINTER RULE IMPACT";
	// a message is only required to be a sentence.
	Want []string `json:"want"`
}

// wantChange is one expected change.
type wantChange struct{ Ref, Rule, Impact string }

// wants reads the expected changes of c.
func (c ruleCase) wants(t *testing.T) []wantChange {
	t.Helper()
	var out []wantChange
	for _, w := range c.Want {
		f := strings.Fields(w)
		if len(f) != 3 {
			t.Fatalf("want %q: not FILE#POINTER RULE IMPACT", w)
		}
		out = append(out, wantChange{f[0], f[1], f[2]})
	}
	return out
}

// loadCases reads every case of testdata/rules.json, by name.
func loadCases(t *testing.T) map[string]ruleCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "rules.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Comment string              `json:"comment"`
		Cases   map[string]ruleCase `json:"cases"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		t.Fatalf("testdata/rules.json: %v", err)
	}
	for name, c := range file.Cases {
		if len(c.Old) == 0 || len(c.New) == 0 {
			t.Fatalf("case %s: old and new must each hold a schema file", name)
		}
	}
	if len(file.Cases) < 50 {
		t.Fatalf("only %d cases", len(file.Cases))
	}
	return file.Cases
}

func toFiles(m map[string]json.RawMessage) map[string][]byte {
	files := make(map[string][]byte, len(m))
	for name, raw := range m {
		files[name] = raw
	}
	return files
}

// TestRules runs each hand-made pair of testdata/rules.json and compares the
// changes found, with their rule and impact, with the expected ones. A case
// whose name starts with a rule (before the first ".") must expect that
// rule; the others test how the comparison walks the schemas.
func TestRules(t *testing.T) {
	cases := loadCases(t)
	rules := make(map[string]bool)
	for _, c := range cases {
		for _, w := range c.wants(t) {
			rules[w.Rule] = true
		}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			old, err := Load(toFiles(c.Old))
			if err != nil {
				t.Fatal(err)
			}
			cur, err := Load(toFiles(c.New))
			if err != nil {
				t.Fatal(err)
			}
			changes := Diff(old, cur)
			var got []wantChange
			for _, ch := range changes {
				got = append(got, wantChange{ch.Ref(), ch.Rule, ch.Impact.Name()})
				if len(ch.Message) < 20 || strings.Contains(ch.Message, "%!") {
					t.Errorf("%s %s: message %q is not a sentence", ch.Ref(), ch.Rule, ch.Message)
				}
			}
			want := c.wants(t)
			less := func(a, b wantChange) int {
				return strings.Compare(a.Ref+" "+a.Rule+" "+a.Impact, b.Ref+" "+b.Rule+" "+b.Impact)
			}
			slices.SortFunc(got, less)
			slices.SortFunc(want, less)
			if !slices.Equal(got, want) {
				t.Errorf("%s\ngot  %v\nwant %v\nmessages:", c.Comment, got, want)
				for _, ch := range changes {
					t.Logf("  %s: %s: %s: %s", ch.Ref(), ch.Rule, ch.Impact, ch.Message)
				}
			}
			if Summary(changes) != summaryOf(want) {
				t.Errorf("Summary = %v, want %v", Summary(changes), summaryOf(want))
			}
			rule, _, _ := strings.Cut(name, ".")
			if rules[rule] && !slices.ContainsFunc(want, func(w wantChange) bool { return w.Rule == rule }) {
				t.Errorf("case %s does not expect its own rule %s", name, rule)
			}
		})
	}
}

func summaryOf(want []wantChange) Impact {
	var i Impact
	for _, w := range want {
		i |= map[string]Impact{"compatible": Compatible, "producers": Producers, "consumers": Consumers, "both": Both}[w.Impact]
	}
	return i
}

// TestReversed checks the symmetry of the rules on every case that
// expects one change of one-sided impact: swapping old and new must give
// the other side. The one exception is documented: a property added to an
// open object is compatible, while its removal breaks consumers.
func TestReversed(t *testing.T) {
	checked := 0
	for name, c := range loadCases(t) {
		if name == "property-removed.open" {
			continue
		}
		w := c.wants(t)
		if len(w) != 1 || (w[0].Impact != "producers" && w[0].Impact != "consumers") {
			continue
		}
		old, err1 := Load(toFiles(c.New))
		cur, err2 := Load(toFiles(c.Old))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		got := Summary(Diff(old, cur))
		want := map[string]Impact{"producers": Consumers, "consumers": Producers}[w[0].Impact]
		if got != want {
			t.Errorf("%s reversed: impact %v, want %v", name, got, want)
		}
		checked++
	}
	if checked < 30 {
		t.Errorf("only %d one-sided cases reversed", checked)
	}
}

// TestRulesDocumented checks that docs/SCHEMA-EVOLUTION.md's rule tables
// list exactly the rules the cases of testdata/rules exercise: every rule
// is documented and tested. The docs live in their own module, out of
// this module's zip, so the test is skipped where they are absent.
func TestRulesDocumented(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "SCHEMA-EVOLUTION.md"))
	if os.IsNotExist(err) {
		t.Skip("docs/SCHEMA-EVOLUTION.md is not here (module cache)")
	}
	if err != nil {
		t.Fatal(err)
	}
	documented := make(map[string]bool)
	cell := regexp.MustCompile("`([A-Za-z-]+)`")
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		first, _, _ := strings.Cut(line[1:], "|")
		for _, m := range cell.FindAllStringSubmatch(first, -1) {
			documented[m[1]] = true
		}
	}
	tested := make(map[string]bool)
	for _, c := range loadCases(t) {
		for _, w := range c.wants(t) {
			tested[w.Rule] = true
		}
	}
	for r := range tested {
		if !documented[r] {
			t.Errorf("rule %s is tested but not in a table of docs/SCHEMA-EVOLUTION.md", r)
		}
	}
	for r := range documented {
		if !tested[r] {
			t.Errorf("rule %s is documented but no case of testdata/rules.json expects it", r)
		}
	}
}

// TestRealSchemas diffs the schema directory with itself, and with a copy
// where one enum value is added, through LoadDir.
func TestRealSchemas(t *testing.T) {
	dir := filepath.Join("..", "..", "schema")
	a, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := Diff(a, b); len(got) != 0 {
		t.Fatalf("schema/ against itself: %v", got)
	}
	if slices.Contains(a.Files(), "taskschema.bundle.json") || !slices.Contains(a.Files(), "task_status.schema.json") {
		t.Fatalf("files = %v: want the *.schema.json files only", a.Files())
	}

	tmp := t.TempDir()
	for _, name := range a.Files() {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "task_status.schema.json" {
			data = bytes.Replace(data, []byte(`"cancelled"`), []byte(`"cancelled",
    "paused"`), 1)
		}
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := LoadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	got := Diff(a, c)
	if len(got) != 1 || got[0].Ref() != "task_status.schema.json#/enum" || got[0].Rule != "enum-value-added" || got[0].Impact != Consumers {
		t.Fatalf("adding the status paused: %v", got)
	}
}

// TestLoadErrors checks that a file that is not a schema is refused with
// its name.
func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		files map[string][]byte
		want  string
	}{
		{map[string][]byte{"a.schema.json": []byte(`{"type":`)}, "a.schema.json: not valid JSON"},
		{map[string][]byte{"a.schema.json": []byte(`{} {}`)}, "a.schema.json: not valid JSON: more than one value"},
		{map[string][]byte{"a.schema.json": []byte(`"string"`)}, "a.schema.json: a schema must be a JSON object or a boolean"},
		{map[string][]byte{"../a.schema.json": []byte(`{}`)}, "must not contain a path separator"},
	} {
		_, err := Load(tc.files)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%q) = %v, want an error containing %q", tc.files, err, tc.want)
		}
	}
	if _, err := LoadDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.schema.json file") {
		t.Errorf("LoadDir(empty) = %v", err)
	}
}

func TestImpactText(t *testing.T) {
	for i, want := range map[Impact][2]string{
		Compatible: {"compatible", "compatible"},
		Producers:  {"producers", "breaking for producers"},
		Consumers:  {"consumers", "breaking for consumers"},
		Both:       {"both", "breaking for both"},
	} {
		if i.Name() != want[0] || i.String() != want[1] {
			t.Errorf("%d: %q %q, want %q", i, i.Name(), i.String(), want)
		}
		if b, _ := i.MarshalText(); string(b) != want[0] {
			t.Errorf("%d: MarshalText %q", i, b)
		}
	}
}
