// Package tests runs the shared, language-neutral fixture corpus in this
// directory (see README.md) through models.Unmarshal and through the
// taskschema command.
package tests

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/mcp-refcache/taskschema/models"
)

// corpusModels lists every schema stem with a constructor of a pointer to its
// model type, in the order of models.SchemaNames.
var corpusModels = func() []corpusModel {
	var out []corpusModel
	for _, stem := range models.SchemaNames() {
		out = append(out, corpusModel{stem: stem, target: func() any {
			v, _ := models.NewValue(stem)
			return v
		}})
	}
	return out
}()

type corpusModel struct {
	stem   string
	target func() any
}

const manifestName = "expected_invalid.json"

// violation is one (instancePath, keyword) pair, as the manifest and the
// command write it.
type violation struct {
	InstancePath string `json:"instancePath"`
	Keyword      string `json:"keyword"`
}

func (v violation) String() string {
	p := v.InstancePath
	if p == "" {
		p = "(root)"
	}
	return p + " " + v.Keyword
}

type manifestEntry struct {
	Description string      `json:"description"`
	Violations  []violation `json:"violations"`
}

// fixture is one payload file of the corpus.
type fixture struct {
	name string // file name, such as "retry_count_minus_1_below_minimum.json"
	path string
	data []byte
}

// caseName is the subtest name of a fixture: its file name without ".json".
func (f fixture) caseName() string { return strings.TrimSuffix(f.name, ".json") }

type stemCorpus struct {
	valid    []fixture
	invalid  []fixture
	manifest map[string]manifestEntry
}

// loadFixtures reads every file of dir, sorted by name.
func loadFixtures(dir string) ([]fixture, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var fs []fixture
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			return nil, fmt.Errorf("%s: a fixture directory may hold only *.json files", path)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		fs = append(fs, fixture{name: e.Name(), path: path, data: data})
	}
	return fs, nil
}

// loadManifest reads a manifest strictly: one JSON object, no unknown fields,
// no key twice.
func loadManifest(path string) (map[string]manifestEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if dups := duplicateTopLevelKeys(data); len(dups) > 0 {
		return nil, fmt.Errorf("%s: keys appear more than once: %v", path, dups)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m map[string]manifestEntry
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: data after the manifest object", path)
	}
	return m, nil
}

// duplicateTopLevelKeys returns the keys of a JSON object that appear more
// than once (encoding/json would silently keep the last).
func duplicateTopLevelKeys(data []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	seen := map[string]bool{}
	var dups []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return dups
		}
		key, _ := tok.(string)
		if seen[key] {
			dups = append(dups, key)
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return dups
		}
	}
	return dups
}

// loadCorpus reads the whole corpus once; every test shares it read-only.
var loadCorpus = sync.OnceValues(func() (map[string]*stemCorpus, error) {
	corpus := map[string]*stemCorpus{}
	var errs []error
	for _, m := range corpusModels {
		c := &stemCorpus{}
		var err error
		if c.valid, err = loadFixtures(filepath.Join(m.stem, "valid")); err != nil {
			errs = append(errs, err)
		}
		if c.invalid, err = loadFixtures(filepath.Join(m.stem, "invalid")); err != nil {
			errs = append(errs, err)
		}
		if c.manifest, err = loadManifest(filepath.Join(m.stem, manifestName)); err != nil {
			errs = append(errs, err)
		}
		corpus[m.stem] = c
	}
	return corpus, errors.Join(errs...)
})

func mustLoadCorpus(t *testing.T) map[string]*stemCorpus {
	t.Helper()
	corpus, err := loadCorpus()
	if err != nil {
		t.Fatalf("load the corpus: %v", err)
	}
	return corpus
}

// pairsOf returns the sorted, de-duplicated (instancePath, keyword) pairs.
func pairsOf(vs []violation) []violation {
	out := slices.Clone(vs)
	slices.SortFunc(out, func(a, b violation) int {
		if c := strings.Compare(a.InstancePath, b.InstancePath); c != 0 {
			return c
		}
		return strings.Compare(a.Keyword, b.Keyword)
	})
	return slices.Compact(out)
}

// diffPairs describes how got differs from want, or returns "".
func diffPairs(got, want []violation) string {
	got, want = pairsOf(got), pairsOf(want)
	if slices.Equal(got, want) {
		return ""
	}
	var missing, extra []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w.String())
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g.String())
		}
	}
	return fmt.Sprintf("violations differ from the manifest:\n  missing:    %v\n  unexpected: %v\n  got:  %v\n  want: %v", missing, extra, got, want)
}

func violationsOf(ve *models.ValidationError) []violation {
	vs := make([]violation, 0, len(ve.Violations))
	for _, v := range ve.Violations {
		vs = append(vs, violation{InstancePath: v.InstancePath, Keyword: v.Keyword})
	}
	return vs
}

// TestCorpusUnmarshal runs every fixture through models.Unmarshal: valid ones
// must decode, invalid ones must give a *models.ValidationError with exactly
// the manifest's (instancePath, keyword) pairs and leave the target unchanged.
func TestCorpusUnmarshal(t *testing.T) {
	corpus := mustLoadCorpus(t)
	for _, m := range corpusModels {
		c := corpus[m.stem]
		t.Run(m.stem, func(t *testing.T) {
			t.Run("valid", func(t *testing.T) {
				for _, f := range c.valid {
					t.Run(f.caseName(), func(t *testing.T) {
						t.Parallel()
						checkValidUnmarshal(t, m.stem, m.target, f)
					})
				}
			})
			t.Run("invalid", func(t *testing.T) {
				for _, f := range c.invalid {
					t.Run(f.caseName(), func(t *testing.T) {
						t.Parallel()
						entry, ok := c.manifest[f.name]
						if !ok {
							t.Fatalf("%s has no entry in %s", f.path, manifestName)
						}
						var sentinel []byte
						if len(c.valid) > 0 {
							sentinel = c.valid[0].data
						}
						checkInvalidUnmarshal(t, m.stem, m.target, f, entry, sentinel)
					})
				}
			})
		})
	}
}

func checkValidUnmarshal(t *testing.T, stem string, target func() any, f fixture) {
	v := target()
	if err := models.Unmarshal(f.data, v); err != nil {
		t.Fatalf("%s: Unmarshal: want success, got %v\npayload: %q", f.path, err, f.data)
	}
	if err := models.ValidateJSON(stem, f.data); err != nil {
		t.Errorf("%s: ValidateJSON: want nil, got %v", f.path, err)
	}
	// What Unmarshal accepted, Marshal must write and Unmarshal read again.
	out, err := models.Marshal(v)
	if err != nil {
		t.Fatalf("%s: Marshal of the decoded value: %v", f.path, err)
	}
	if err := models.Unmarshal(out, target()); err != nil {
		t.Errorf("%s: Unmarshal of the re-marshalled payload %s: %v", f.path, out, err)
	}
}

func checkInvalidUnmarshal(t *testing.T, stem string, target func() any, f fixture, entry manifestEntry, sentinel []byte) {
	v := target()
	if sentinel != nil {
		if err := models.Unmarshal(sentinel, v); err != nil {
			t.Fatalf("sentinel payload: %v", err)
		}
	}
	before := reflect.ValueOf(v).Elem().Interface()

	err := models.Unmarshal(f.data, v)
	if err == nil {
		t.Fatalf("%s (%s): Unmarshal succeeded, want violations %v\npayload: %q", f.path, entry.Description, entry.Violations, f.data)
	}
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("%s (%s): want a *models.ValidationError, got %T: %v", f.path, entry.Description, err, err)
	}
	if ve.Schema != stem {
		t.Errorf("ValidationError.Schema = %q, want %q", ve.Schema, stem)
	}
	for _, viol := range ve.Violations {
		if viol.Message == "" {
			t.Errorf("violation %s %s has no message", viol.InstancePath, viol.Keyword)
		}
	}
	if d := diffPairs(violationsOf(ve), entry.Violations); d != "" {
		t.Errorf("%s (%s): %s\nerror: %v", f.path, entry.Description, d, err)
	}
	if after := reflect.ValueOf(v).Elem().Interface(); !reflect.DeepEqual(before, after) {
		t.Errorf("%s: a failed Unmarshal changed its target:\nbefore: %+v\nafter:  %+v", f.path, before, after)
	}

	// ValidateJSON promises Unmarshal's verdict.
	var ve2 *models.ValidationError
	if err := models.ValidateJSON(stem, f.data); !errors.As(err, &ve2) {
		t.Errorf("ValidateJSON: want a *models.ValidationError, got %v", err)
	} else if !reflect.DeepEqual(ve2.Violations, ve.Violations) {
		t.Errorf("ValidateJSON and Unmarshal disagree:\nValidateJSON: %v\nUnmarshal:    %v", ve2, ve)
	}
}

// TestCorpusManifest keeps the corpus from rotting: every stem of
// models.SchemaNames has a corpus, every invalid file a manifest entry, every
// manifest entry a file, and every entry a description and violations.
func TestCorpusManifest(t *testing.T) {
	var stems []string
	for _, m := range corpusModels {
		stems = append(stems, m.stem)
	}
	slices.Sort(stems)
	if names := slices.Sorted(slices.Values(models.SchemaNames())); !slices.Equal(stems, names) {
		t.Errorf("the corpus covers the schemas %v, but models.SchemaNames() is %v", stems, names)
	}

	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !slices.Contains(stems, e.Name()) {
			t.Errorf("directory %s is not a schema stem %v", e.Name(), stems)
		}
	}

	corpus := mustLoadCorpus(t)
	for _, m := range corpusModels {
		t.Run(m.stem, func(t *testing.T) {
			c := corpus[m.stem]
			entries, err := os.ReadDir(m.stem)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				switch e.Name() {
				case "valid", "invalid", manifestName:
				default:
					t.Errorf("%s: unexpected entry %s (want only valid/, invalid/ and %s)", m.stem, e.Name(), manifestName)
				}
			}
			if len(c.valid) == 0 {
				t.Errorf("%s/valid has no fixtures", m.stem)
			}
			if len(c.invalid) == 0 {
				t.Errorf("%s/invalid has no fixtures", m.stem)
			}
			files := map[string]bool{}
			for _, f := range c.invalid {
				files[f.name] = true
				if _, ok := c.manifest[f.name]; !ok {
					t.Errorf("%s has no entry in %s/%s", f.path, m.stem, manifestName)
				}
			}
			for _, f := range c.valid {
				if files[f.name] {
					t.Errorf("%s is both valid and invalid", f.name)
				}
				if _, ok := c.manifest[f.name]; ok {
					t.Errorf("%s/%s has an entry for %s, which is a valid fixture", m.stem, manifestName, f.name)
				}
			}
			names := make([]string, 0, len(c.manifest))
			for name := range c.manifest {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				entry := c.manifest[name]
				if !files[name] {
					t.Errorf("%s/%s has an entry for %s, but %s/invalid/%s does not exist", m.stem, manifestName, name, m.stem, name)
				}
				if strings.TrimSpace(entry.Description) == "" {
					t.Errorf("%s/%s: %s has no description", m.stem, manifestName, name)
				}
				if len(entry.Violations) == 0 {
					t.Errorf("%s/%s: %s lists no violations", m.stem, manifestName, name)
				}
				if len(pairsOf(entry.Violations)) != len(entry.Violations) {
					t.Errorf("%s/%s: %s lists a violation twice", m.stem, manifestName, name)
				}
				for _, v := range entry.Violations {
					if v.Keyword == "" {
						t.Errorf("%s/%s: %s has a violation without a keyword", m.stem, manifestName, name)
					}
					if v.InstancePath != "" && !strings.HasPrefix(v.InstancePath, "/") {
						t.Errorf("%s/%s: %s: instancePath %q is not a JSON Pointer", m.stem, manifestName, name, v.InstancePath)
					}
				}
			}
		})
	}
}

// cliResult is one output line of `taskschema validate --json`.
type cliResult struct {
	File       *string `json:"file"`
	Valid      *bool   `json:"valid"`
	Violations []struct {
		InstancePath *string `json:"instancePath"`
		Keyword      *string `json:"keyword"`
		Message      *string `json:"message"`
	} `json:"violations"`
}

// TestCorpusCLI runs the corpus through `taskschema validate --type STEM
// --json FILE...`, one invocation per schema and validity, and checks each
// file's verdict and (instancePath, keyword) pairs against the manifest, and
// the exit status: 0 when all files are valid, 1 when any is invalid.
func TestCorpusCLI(t *testing.T) {
	if _, err := os.Stat(filepath.Join("..", "cmd", "taskschema")); errors.Is(err, os.ErrNotExist) {
		t.Skip("cmd/taskschema does not exist yet")
	}
	corpus := mustLoadCorpus(t)
	bin := filepath.Join(t.TempDir(), "taskschema")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/mcp-refcache/taskschema/cmd/taskschema")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/taskschema: %v\n%s", err, out)
	}

	for _, m := range corpusModels {
		c := corpus[m.stem]
		t.Run(m.stem, func(t *testing.T) {
			t.Run("valid", func(t *testing.T) {
				t.Parallel()
				runCLI(t, bin, m.stem, c.valid, 0, func(f fixture) (bool, []violation) { return true, nil })
			})
			t.Run("invalid", func(t *testing.T) {
				t.Parallel()
				runCLI(t, bin, m.stem, c.invalid, 1, func(f fixture) (bool, []violation) {
					return false, c.manifest[f.name].Violations
				})
			})
		})
	}

	t.Run("usage", func(t *testing.T) {
		file, err := filepath.Abs(filepath.Join("task_status", "valid", "pending.json"))
		if err != nil {
			t.Fatal(err)
		}
		for name, args := range map[string][]string{
			"missing_file": {"validate", "--type", "task_status", "--json", file, filepath.Join(t.TempDir(), "absent.json")},
			"unknown_type": {"validate", "--type", "no_such_schema", "--json", file},
		} {
			t.Run(name, func(t *testing.T) {
				cmd := exec.CommandContext(t.Context(), bin, args...)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				_ = cmd.Run()
				if code := cmd.ProcessState.ExitCode(); code != 2 {
					t.Errorf("taskschema %s: exit status %d, want 2\nstderr: %s", strings.Join(args, " "), code, stderr.Bytes())
				}
			})
		}
	})
}

// runCLI validates fixtures in one invocation of the command and checks each
// output line against expect.
func runCLI(t *testing.T, bin, stem string, fixtures []fixture, wantExit int, expect func(fixture) (bool, []violation)) {
	t.Helper()
	if len(fixtures) == 0 {
		t.Skip("no fixtures")
	}
	files := make([]string, 0, len(fixtures))
	byFile := map[string]fixture{}
	for _, f := range fixtures {
		abs, err := filepath.Abs(f.path)
		if err != nil {
			t.Fatal(err)
		}
		byFile[abs] = f
		files = append(files, abs)
	}
	args := append([]string{"validate", "--type", stem, "--json"}, files...)
	cmd := exec.CommandContext(t.Context(), bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run taskschema: %v", err)
	}
	if code := cmd.ProcessState.ExitCode(); code != wantExit {
		t.Errorf("exit status %d, want %d\nstderr: %s", code, wantExit, stderr.Bytes())
	}

	var lines []string
	if stdout.Len() > 0 {
		lines = strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	}
	if len(lines) != len(files) {
		t.Errorf("%d output lines for %d files", len(lines), len(files))
	}
	seen := map[string]bool{}
	for i, line := range lines {
		var r cliResult
		dec := json.NewDecoder(strings.NewReader(line))
		if err := dec.Decode(&r); err != nil {
			t.Errorf("output line %d is not a JSON object: %v\n%s", i+1, err, line)
			continue
		}
		if dec.More() {
			t.Errorf("output line %d holds more than one JSON value: %s", i+1, line)
		}
		if r.File == nil || r.Valid == nil {
			t.Errorf("output line %d lacks \"file\" or \"valid\": %s", i+1, line)
			continue
		}
		f, ok := byFile[*r.File]
		if !ok {
			t.Errorf("output line %d is about %q, which was not an argument", i+1, *r.File)
			continue
		}
		if seen[*r.File] {
			t.Errorf("%s is reported more than once", f.name)
		}
		seen[*r.File] = true
		if i < len(files) && *r.File != files[i] {
			t.Errorf("output line %d is about %s, want %s (files are reported in the order given)", i+1, *r.File, files[i])
		}
		if r.Violations == nil {
			t.Errorf("%s: \"violations\" is absent or null, want an array: %s", f.name, line)
		}

		wantValid, wantViolations := expect(f)
		if *r.Valid != wantValid {
			t.Errorf("%s: valid = %v, want %v\n%s", f.name, *r.Valid, wantValid, line)
			continue
		}
		var got []violation
		for _, v := range r.Violations {
			if v.InstancePath == nil || v.Keyword == nil || v.Message == nil {
				t.Errorf("%s: a violation lacks instancePath, keyword or message: %s", f.name, line)
				continue
			}
			if *v.Message == "" {
				t.Errorf("%s: a violation has an empty message: %s", f.name, line)
			}
			got = append(got, violation{InstancePath: *v.InstancePath, Keyword: *v.Keyword})
		}
		if d := diffPairs(got, wantViolations); d != "" {
			t.Errorf("%s: %s\n%s", f.name, d, line)
		}
	}
	for _, file := range files {
		if !seen[file] {
			t.Errorf("%s: no output line", byFile[file].name)
		}
	}
}
