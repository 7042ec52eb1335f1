package tests

// The conformance suite: the same corpus through every validator a client
// might use (docs/COMPATIBILITY.md). Each runner prints one verdict per
// fixture; a runner that disagrees with the fixture's directory (valid/ or
// invalid/) fails the test, naming the fixture and the runners, unless
// conformance/known_differences.json pins that difference, and a pinned
// difference that no longer occurs fails it too.
//
// TestConformance needs python3 (jsonschema, referencing, rfc3339-validator,
// pydantic) and node with conformance/node/node_modules (npm ci); it runs
// only when TASKSCHEMA_CONFORMANCE=1 (make conformance). The Go-only runners
// run in TestConformanceGo on every `go test`.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mcp-refcache/taskschema/models"
)

const (
	conformanceEnv       = "TASKSCHEMA_CONFORMANCE"
	knownDifferencesFile = "../conformance/known_differences.json"
	compatibilityDoc     = "../docs/COMPATIBILITY.md"
	bundleFile           = "../schema/taskschema.bundle.json"
)

// A runner judges fixtures. skip says which fixtures it may leave out besides
// the limit_* ones, which every runner but "go" must skip.
type runner struct {
	name string
	// args is the command of an external runner, run from the repository
	// root; nil for the runners in this process.
	args []string
	skip func(stem string, f fixture) bool
}

// skipNone: the runner judges every fixture but limit_*.
func skipNone(string, fixture) bool { return false }

// skipAllBut: the runner judges only the given schemas.
func skipAllBut(stems ...string) func(string, fixture) bool {
	return func(stem string, _ fixture) bool { return !slices.Contains(stems, stem) }
}

// dateTimeStems are the schemas with a date-time pattern, which the
// no-pattern runners judge without it.
var dateTimeStems = []string{"async_task_response", "standard_task_response", "full_task_response", "mcp_task", "mcp_ext_create_task_result", "mcp_ext_detailed_task"}

// externalRunners lists the runners of TestConformance.
var externalRunners = []runner{
	{name: "jsonschema", args: []string{"python3", "conformance/python/run_jsonschema.py"}, skip: skipNone},
	{name: "jsonschema-bundle", args: []string{"python3", "conformance/python/run_jsonschema.py", "--bundle", "schema/taskschema.bundle.json"}, skip: skipNone},
	{name: "jsonschema-plain", args: []string{"python3", "conformance/python/run_jsonschema.py", "--plain"}, skip: skipNone},
	{name: "jsonschema-no-pattern", args: []string{"python3", "conformance/python/run_jsonschema.py", "--no-pattern"}, skip: skipAllBut(dateTimeStems...)},
	{name: "ajv", args: []string{"node", "conformance/node/run.mjs"}, skip: skipNone},
	{name: "ajv-bundle", args: []string{"node", "conformance/node/run.mjs", "--bundle", "schema/taskschema.bundle.json"}, skip: skipNone},
	{name: "ajv-no-pattern", args: []string{"node", "conformance/node/run.mjs", "--no-pattern"}, skip: skipAllBut(dateTimeStems...)},
	// The seed defines no RetryInfo, so there is no reference model for it.
	{name: "pydantic", args: []string{"python3", "conformance/python/run_pydantic.py"}, skip: skipAllBut("task_status", "task_progress", "task_info", "async_task_response")},
	// The client packages of clients/: the generated pydantic models and
	// the TypeScript package's parse (built by npm run build there).
	{name: "python-models", args: []string{"python3", "conformance/python/run_models.py"}, skip: skipNone},
	{name: "typescript", args: []string{"node", "conformance/node/run_client.mjs"}, skip: skipNone},
}

// goRunners lists the runners in this process. "go" is models.ValidateJSON,
// the library's own verdict. "go-bundle" and "go-no-pattern" run
// jsonschema v6 on the single-file bundle and on the schemas without their
// pattern; they judge only what a schema can judge, so they skip the
// payloads that are not JSON to the Go library (keyword "json" or "limit").
var goRunners = []runner{
	{name: "go", skip: skipNone},
	{name: "go-bundle", skip: skipNotJSON},
	{name: "go-no-pattern", skip: func(stem string, f fixture) bool {
		return !slices.Contains(dateTimeStems, stem) || skipNotJSON(stem, f)
	}},
}

func skipNotJSON(stem string, f fixture) bool {
	var ve *models.ValidationError
	if err := models.ValidateJSON(stem, f.data); errors.As(err, &ve) {
		for _, v := range ve.Violations {
			if v.Keyword == "json" || v.Keyword == models.KeywordLimit {
				return true
			}
		}
	}
	return false
}

// result is one runner's line about one fixture.
type result struct {
	Runner     string      `json:"runner"`
	Schema     string      `json:"schema"`
	File       string      `json:"file"`
	Valid      *bool       `json:"valid"`
	Violations []violation `json:"violations"`
	Skipped    *string     `json:"skipped"`
	// Messages are the violations with their messages, from the runners
	// that word them as the Go library does (typescript).
	Messages []models.Violation `json:"messages"`
}

// knownDifference pins a deliberate disagreement with the expected verdicts.
type knownDifference struct {
	ID      string   `json:"id"`
	Runners []string `json:"runners"`
	Schemas []string `json:"schemas"` // globs of schema stems
	Files   []string `json:"files"`   // globs of "valid/<name>" or "invalid/<name>"
	Except  []string `json:"except"`  // globs like Files, taken out again
	Reason  string   `json:"reason"`
}

func (d knownDifference) matches(runner, stem string, f fixture) bool {
	if !slices.Contains(d.Runners, runner) {
		return false
	}
	if !slices.ContainsFunc(d.Schemas, func(g string) bool { ok, _ := path.Match(g, stem); return ok }) {
		return false
	}
	rel := f.rel()
	match := func(g string) bool { ok, _ := path.Match(g, rel); return ok }
	return slices.ContainsFunc(d.Files, match) && !slices.ContainsFunc(d.Except, match)
}

// rel is "valid/<name>" or "invalid/<name>".
func (f fixture) rel() string { return filepath.Base(filepath.Dir(f.path)) + "/" + f.name }

func (f fixture) wantValid() bool { return filepath.Base(filepath.Dir(f.path)) == "valid" }

func isLimit(f fixture) bool { return strings.HasPrefix(f.name, "limit_") }

// isPythonPayload: the real payloads from the Python implementation, which
// every runner must accept (conformance/python/gen_python_payloads.py).
func isPythonPayload(f fixture) bool { return strings.HasPrefix(f.name, "python_") }

var differenceID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// loadKnownDifferences reads the pins strictly and checks each against the
// runner names and docs/COMPATIBILITY.md, which must have a heading
// "### `<id>`" for each pin and no such heading without one.
func loadKnownDifferences(t *testing.T, runners []string) []knownDifference {
	t.Helper()
	data, err := os.ReadFile(knownDifferencesFile)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var file struct {
		Comment     string            `json:"$comment"`
		Differences []knownDifference `json:"differences"`
	}
	if err := dec.Decode(&file); err != nil {
		t.Fatalf("%s: %v", knownDifferencesFile, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		t.Fatalf("%s: data after the object", knownDifferencesFile)
	}
	doc, err := os.ReadFile(compatibilityDoc)
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^### `([^`]+)`").FindAllSubmatch(doc, -1) {
		documented[string(m[1])] = true
	}
	seen := map[string]bool{}
	for i, d := range file.Differences {
		where := fmt.Sprintf("%s: difference %d (%q)", knownDifferencesFile, i, d.ID)
		if !differenceID.MatchString(d.ID) {
			t.Errorf("%s: id must match %s", where, differenceID)
		}
		if seen[d.ID] {
			t.Errorf("%s: id used twice", where)
		}
		seen[d.ID] = true
		if !documented[d.ID] {
			t.Errorf("%s: %s has no heading \"### `%s`\"", where, compatibilityDoc, d.ID)
		}
		if strings.TrimSpace(d.Reason) == "" || len(d.Runners) == 0 || len(d.Schemas) == 0 || len(d.Files) == 0 {
			t.Errorf("%s: needs runners, schemas, files and a reason", where)
		}
		for _, r := range d.Runners {
			if !slices.Contains(runners, r) {
				t.Errorf("%s: unknown runner %q (known: %v)", where, r, runners)
			}
		}
		for _, g := range slices.Concat(d.Schemas, d.Files, d.Except) {
			if _, err := path.Match(g, ""); err != nil {
				t.Errorf("%s: bad glob %q: %v", where, g, err)
			}
		}
		for _, g := range slices.Concat(d.Files, d.Except) {
			if !strings.HasPrefix(g, "valid/") && !strings.HasPrefix(g, "invalid/") {
				t.Errorf("%s: file glob %q must start with valid/ or invalid/", where, g)
			}
		}
	}
	for id := range documented {
		if !seen[id] {
			t.Errorf("%s pins difference %q, which %s does not list", compatibilityDoc, id, knownDifferencesFile)
		}
	}
	return file.Differences
}

// tally counts one runner's verdicts for the summary.
type tally struct {
	judged, agree, pinned, skipped int
	// Of the invalid fixtures the runner rejected: how many with exactly the
	// manifest's (instancePath, keyword) pairs, and how many with its
	// pointers. Informational: runners report every failing keyword.
	invalid, samePairs, samePointers int
}

// evaluate compares each runner's results with the expected verdicts and the
// pins, and logs a summary.
func evaluate(t *testing.T, runners []runner, results map[string]map[string]result, diffs []knownDifference) {
	t.Helper()
	corpus := mustLoadCorpus(t)
	type disagreement struct{ runners []string }
	disagreements := map[string]*disagreement{} // by fixture path
	used := map[string]map[string]bool{}        // id -> runner -> seen
	tallies := map[string]*tally{}
	for _, r := range runners {
		tallies[r.name] = &tally{}
		seen := map[string]bool{}
		for _, m := range corpusModels {
			c := corpus[m.stem]
			for _, f := range slices.Concat(c.valid, c.invalid) {
				key := filepath.ToSlash(f.path)
				seen[key] = true
				res, ok := results[r.name][key]
				if !ok {
					t.Errorf("runner %s printed no verdict for %s", r.name, key)
					continue
				}
				tl := tallies[r.name]
				if res.Skipped != nil {
					tl.skipped++
					if r.name == "go" || !isLimit(f) && !r.skip(m.stem, f) {
						t.Errorf("runner %s skipped %s (%s), which it must judge", r.name, key, *res.Skipped)
					}
					continue
				}
				if res.Valid == nil {
					t.Errorf("runner %s: the line for %s has neither \"valid\" nor \"skipped\"", r.name, key)
					continue
				}
				if r.name != "go" && (isLimit(f) || r.skip(m.stem, f)) {
					t.Errorf("runner %s judged %s, which it must skip", r.name, key)
					continue
				}
				tl.judged++
				agree := *res.Valid == f.wantValid()
				var pins []string
				for _, d := range diffs {
					if d.matches(r.name, m.stem, f) {
						pins = append(pins, d.ID)
					}
				}
				if len(pins) > 0 && isPythonPayload(f) {
					t.Errorf("%s: a real payload of the Python implementation must be valid in every runner; no known difference may cover it (%v)", key, pins)
				}
				switch {
				case agree && len(pins) > 0:
					t.Errorf("known difference %v no longer occurs: runner %s agrees that %s is %s; narrow or remove the pin in %s and %s",
						pins, r.name, key, validity(*res.Valid), knownDifferencesFile, compatibilityDoc)
				case agree:
					tl.agree++
				case len(pins) > 0:
					tl.pinned++
					for _, id := range pins {
						if used[id] == nil {
							used[id] = map[string]bool{}
						}
						used[id][r.name] = true
					}
				default:
					d := disagreements[key]
					if d == nil {
						d = &disagreement{}
						disagreements[key] = d
					}
					d.runners = append(d.runners, r.name)
				}
				if !f.wantValid() && !*res.Valid && res.Violations != nil {
					tl.invalid++
					want := c.manifest[f.name].Violations
					if diffPairs(res.Violations, want) == "" {
						tl.samePairs++
					}
					if slices.Equal(pointersOf(res.Violations), pointersOf(want)) {
						tl.samePointers++
					}
				}
			}
		}
		for _, key := range slices.Sorted(maps.Keys(results[r.name])) {
			if !seen[key] {
				t.Errorf("runner %s judged %s, which is not in the corpus", r.name, key)
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(disagreements)) {
		want := "invalid"
		if strings.Contains(key, "/valid/") {
			want = "valid"
		}
		t.Errorf("%s (expected %s): %s disagree(s); fix the runner or the schema, or pin a deliberate difference in %s and %s",
			key, want, strings.Join(disagreements[key].runners, ", "), knownDifferencesFile, compatibilityDoc)
	}
	names := make([]string, 0, len(runners))
	for _, r := range runners {
		names = append(names, r.name)
	}
	for _, d := range diffs {
		for _, r := range d.Runners {
			if slices.Contains(names, r) && !used[d.ID][r] {
				t.Errorf("known difference %q lists runner %s, but no fixture shows it: remove the runner or the pin", d.ID, r)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-22s %6s %6s %6s %7s   %s\n", "runner", "judged", "agree", "pinned", "skipped", "violations of rejected invalid fixtures: same pairs / same pointers / total")
	for _, r := range runners {
		tl := tallies[r.name]
		viol := "not reported"
		if tl.invalid > 0 {
			viol = fmt.Sprintf("%d / %d / %d", tl.samePairs, tl.samePointers, tl.invalid)
		}
		fmt.Fprintf(&b, "%-22s %6d %6d %6d %7d   %s\n", r.name, tl.judged, tl.agree, tl.pinned, tl.skipped, viol)
	}
	t.Logf("conformance summary (agree: the verdict of the fixture's directory; pinned: a known difference):\n%s", b.String())
}

func validity(valid bool) string {
	if valid {
		return "valid"
	}
	return "invalid"
}

func pointersOf(vs []violation) []string {
	var ps []string
	for _, v := range vs {
		ps = append(ps, v.InstancePath)
	}
	slices.Sort(ps)
	return slices.Compact(ps)
}

func runnerNames() []string {
	var names []string
	for _, r := range slices.Concat(goRunners, externalRunners) {
		names = append(names, r.name)
	}
	return names
}

// TestConformanceGo runs the Go runners: the library itself, and jsonschema
// v6 on the single-file bundle and on the schemas without their pattern. It
// needs nothing but Go, so it runs on every `go test`.
func TestConformanceGo(t *testing.T) {
	diffs := loadKnownDifferences(t, runnerNames())
	results := goResults(t)
	evaluate(t, goRunners, results, diffs)
}

// TestConformance runs every runner, the Go ones included, and then the
// Python and TypeScript snippets of docs/CLIENTS.md and the check that the
// real Python payloads are current.
func TestConformance(t *testing.T) {
	if os.Getenv(conformanceEnv) != "1" {
		t.Skipf("the conformance suite runs Python (jsonschema, pydantic) and Node (ajv) on the corpus: run it with `make conformance`, or %s=1 go -C tests test . -run Conformance after `npm ci` in conformance/node", conformanceEnv)
	}
	checkConformancePrerequisites(t)
	diffs := loadKnownDifferences(t, runnerNames())
	results := goResults(t)
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, len(externalRunners))
	for i, r := range externalRunners {
		wg.Go(func() {
			res, err := runExternal(t, r)
			mu.Lock()
			defer mu.Unlock()
			results[r.name] = res
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	evaluate(t, slices.Concat(goRunners, externalRunners), results, diffs)
	t.Run("typescript_messages", func(t *testing.T) { compareMessages(t, results["typescript"]) })

	t.Run("python_payloads_current", func(t *testing.T) {
		cmd := exec.CommandContext(t.Context(), "python3", "conformance/python/gen_python_payloads.py", "--check")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%v\n%s", err, out)
		}
	})
	t.Run("snippets", testSnippets)
}

// exactMessages are the keywords whose messages the TypeScript package words
// exactly as the Go library: it has the same keyword from ajv and the value
// the message quotes. (minimum and maximum quote the number as JSON.parse
// read it, not as written; format says which part is wrong only in Go.)
var exactMessages = []string{"required", "type", "enum", "const", "pattern"}

// compareMessages holds the typescript runner's messages to the Go
// library's: for every violation at the same pointer with the same keyword,
// the same message for exactMessages, and a message with the same beginning
// (up to the value) for the others.
func compareMessages(t *testing.T, res map[string]result) {
	compared, same := 0, 0
	for _, key := range slices.Sorted(maps.Keys(res)) {
		r := res[key]
		if len(r.Messages) == 0 {
			continue
		}
		data, err := os.ReadFile(filepath.Join("..", "tests", key))
		if err != nil {
			t.Fatal(err)
		}
		var ve *models.ValidationError
		if !errors.As(models.ValidateJSON(r.Schema, data), &ve) {
			continue
		}
		want := map[[2]string]string{}
		for _, v := range ve.Violations {
			want[[2]string{v.InstancePath, v.Keyword}] = v.Message
		}
		for _, v := range r.Messages {
			w, ok := want[[2]string{v.InstancePath, v.Keyword}]
			if !ok || v.Keyword == "json" {
				continue
			}
			compared++
			if v.Message == w {
				same++
				continue
			}
			prefix := func(m string) string {
				before, _, _ := strings.Cut(m, ", got")
				before, _, _ = strings.Cut(before, " is not valid")
				return before
			}
			if slices.Contains(exactMessages, v.Keyword) || prefix(v.Message) != prefix(w) && v.Keyword != "format" {
				t.Errorf("%s %s %s: typescript says %q, Go says %q", key, v.InstancePath, v.Keyword, v.Message, w)
			}
		}
	}
	if compared == 0 {
		t.Fatal("the typescript runner printed no message at a violation Go also reports")
	}
	t.Logf("typescript messages: %d of %d the same as Go's (the others: minimum, maximum and format, whose values or details differ)", same, compared)
}

// checkConformancePrerequisites fails, naming everything that is missing,
// when a runtime or package the runners need is not installed.
func checkConformancePrerequisites(t *testing.T) {
	t.Helper()
	var missing []string
	if _, err := exec.LookPath("python3"); err != nil {
		missing = append(missing, "python3 is not on PATH")
	} else {
		cmd := exec.CommandContext(t.Context(), "python3", "-c", `
import importlib.util, sys
missing = [m for m in ("jsonschema", "referencing", "rfc3339_validator", "pydantic", "pydantic_core") if importlib.util.find_spec(m) is None]
print(" ".join(missing)); sys.exit(1 if missing else 0)`)
		if out, err := cmd.CombinedOutput(); err != nil {
			missing = append(missing, fmt.Sprintf("python3 lacks the packages: %s (pip install jsonschema rfc3339-validator pydantic)", strings.TrimSpace(string(out))))
		}
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node (20 or newer) is not on PATH")
	}
	for _, pkg := range []string{"ajv", "ajv-formats", "typescript", "@types/node"} {
		if _, err := os.Stat(filepath.Join("..", "conformance", "node", "node_modules", pkg, "package.json")); err != nil {
			missing = append(missing, fmt.Sprintf("conformance/node/node_modules/%s is not installed: run `npm ci` in conformance/node (make conformance does)", pkg))
			break
		}
	}
	if _, err := os.Stat(filepath.Join("..", "clients", "typescript", "dist", "src", "validators.gen.js")); err != nil {
		missing = append(missing, "clients/typescript is not built: run `npm ci && npm run build` there (make clients does)")
	}
	if len(missing) > 0 {
		t.Fatalf("%s=1, but the conformance suite cannot run:\n  %s", conformanceEnv, strings.Join(missing, "\n  "))
	}
}

// runExternal runs one external runner and parses its lines by fixture path.
func runExternal(t *testing.T, r runner) (map[string]result, error) {
	cmd := exec.CommandContext(t.Context(), r.args[0], r.args[1:]...)
	cmd.Dir = ".."
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("runner %s (%s): %v\n%s", r.name, strings.Join(r.args, " "), err, stderr.Bytes())
	}
	if stderr.Len() > 0 {
		t.Logf("runner %s wrote to standard error:\n%s", r.name, stderr.Bytes())
	}
	out := map[string]result{}
	for i, line := range strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n") {
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		var res result
		if err := dec.Decode(&res); err != nil {
			return nil, fmt.Errorf("runner %s, line %d: %v: %s", r.name, i+1, err, line)
		}
		if res.Runner != r.name {
			return nil, fmt.Errorf("runner %s, line %d: runner is %q", r.name, i+1, res.Runner)
		}
		if _, dup := out[res.File]; dup {
			return nil, fmt.Errorf("runner %s: two lines for %s", r.name, res.File)
		}
		if stem, _, _ := strings.Cut(res.File, "/"); stem != res.Schema {
			return nil, fmt.Errorf("runner %s, line %d: schema %q for file %s", r.name, i+1, res.Schema, res.File)
		}
		out[res.File] = res
	}
	return out, nil
}

// goResults judges the corpus with the Go runners.
func goResults(t *testing.T) map[string]map[string]result {
	t.Helper()
	corpus := mustLoadCorpus(t)
	bundle := compileBundle(t)
	noPattern := compileWithoutPattern(t)
	results := map[string]map[string]result{}
	for _, r := range goRunners {
		results[r.name] = map[string]result{}
	}
	for _, m := range corpusModels {
		c := corpus[m.stem]
		for _, f := range slices.Concat(c.valid, c.invalid) {
			key := filepath.ToSlash(f.path)
			base := result{Schema: m.stem, File: key}

			res := base
			res.Runner = "go"
			valid := true
			if err := models.ValidateJSON(m.stem, f.data); err != nil {
				var ve *models.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("%s: ValidateJSON: %v", key, err)
				}
				valid = false
				res.Violations = violationsOf(ve)
			}
			res.Valid = &valid
			results["go"][key] = res

			for _, r := range goRunners[1:] {
				res := base
				res.Runner = r.name
				if isLimit(f) || r.skip(m.stem, f) {
					why := "not JSON to the Go library, or beyond its limits: no schema judges it"
					res.Skipped = &why
				} else {
					sch := bundle[m.stem]
					if r.name == "go-no-pattern" {
						sch = noPattern[m.stem]
					}
					inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(f.data))
					if err != nil {
						t.Fatalf("%s: the Go library reads it, jsonschema.UnmarshalJSON does not: %v", key, err)
					}
					v := sch.Validate(inst) == nil
					res.Valid = &v
				}
				results[r.name][key] = res
			}
		}
	}
	return results
}

type refuseURLs struct{}

func (refuseURLs) Load(url string) (any, error) {
	return nil, fmt.Errorf("refusing to load %s: every schema is added from a file", url)
}

func newCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(refuseURLs{})
	return c
}

// schemaTitles maps each schema stem to its title, from ../schema.
func schemaTitles(t *testing.T) map[string]string {
	t.Helper()
	titles := map[string]string{}
	for _, m := range corpusModels {
		data, err := os.ReadFile(filepath.Join("..", "schema", m.stem+".schema.json"))
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			Title string `json:"title"`
		}
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatal(err)
		}
		titles[m.stem] = s.Title
	}
	return titles
}

// compileBundle compiles $defs/<title> of the bundle for each schema stem.
func compileBundle(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(bundleFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := doc.(map[string]any)["$id"].(string)
	c := newCompiler()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]*jsonschema.Schema{}
	for stem, title := range schemaTitles(t) {
		if out[stem], err = c.Compile(id + "#/$defs/" + title); err != nil {
			t.Fatalf("bundle: %v", err)
		}
	}
	return out
}

// compileWithoutPattern compiles the separate schema files with every
// "pattern" keyword removed, for the schemas that had one.
func compileWithoutPattern(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := newCompiler()
	var withPattern []string
	ids := map[string]string{}
	for _, m := range corpusModels {
		data, err := os.ReadFile(filepath.Join("..", "schema", m.stem+".schema.json"))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if dropPatterns(doc) {
			withPattern = append(withPattern, m.stem)
		}
		ids[m.stem], _ = doc.(map[string]any)["$id"].(string)
		if err := c.AddResource(ids[m.stem], doc); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, stem := range withPattern {
		var err error
		if out[stem], err = c.Compile(ids[stem]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func dropPatterns(node any) bool {
	found := false
	switch n := node.(type) {
	case map[string]any:
		if _, ok := n["pattern"].(string); ok {
			delete(n, "pattern")
			found = true
		}
		for _, v := range n {
			found = dropPatterns(v) || found
		}
	case []any:
		for _, v := range n {
			found = dropPatterns(v) || found
		}
	}
	return found
}

// snippetCase is one run of a docs/snippets program.
type snippetCase struct {
	title, payload string // payload relative to the repository root
	valid          bool
	output         string // a substring of the output
}

// The cases that the snippets of docs/CLIENTS.md must get right: the
// examples, and the traps each snippet guards against.
var (
	commonSnippetCases = []snippetCase{
		{"TaskInfo", "examples/task_info.json", true, "valid"},
		{"TaskInfo", "examples/invalid/task_info_bad.json", false, "/retry_count"},
		{"AsyncTaskResponse", "examples/async_task_response_python.json", true, "valid"},
		{"TaskInfo", "tests/task_info/valid/retry_history_attempt_2.0.json", true, "valid"},
		{"TaskStatus", "tests/task_status/valid/cancelled.json", true, "valid"},
		{"TaskInfo", "tests/task_info/invalid/utf8_bom.json", false, "json"},
		{"RetryInfo", "tests/retry_info/invalid/missing_error.json", false, "required"},
	}
	pythonSnippetCases = slices.Concat(commonSnippetCases, []snippetCase{
		{"AsyncTaskResponse", "tests/async_task_response/invalid/started_at_trailing_newline.json", false, "/started_at"},
		{"TaskProgress", "tests/task_progress/invalid/percentage_above_100_by_less_than_float64_precision.json", false, "/percentage"},
		{"TaskInfo", "tests/task_info/invalid/nan_literal.json", false, "json"},
	})
)

// testSnippets runs docs/snippets/validate.py and validate.ts (compiled with
// the typescript of conformance/node's lockfile) on snippetCases.
func testSnippets(t *testing.T) {
	bundle := "schema/taskschema.bundle.json"
	run := func(t *testing.T, c snippetCase, env []string, args ...string) {
		cmd := exec.CommandContext(t.Context(), args[0], append(args[1:], bundle, c.title, c.payload)...)
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		code := cmd.ProcessState.ExitCode()
		if err != nil && code < 0 {
			t.Fatalf("%s: %v", strings.Join(args, " "), err)
		}
		if want := map[bool]int{true: 0, false: 1}[c.valid]; code != want {
			t.Errorf("%s %s %s: exit status %d, want %d\n%s", strings.Join(args, " "), c.title, c.payload, code, want, out)
		}
		if !strings.Contains(string(out), c.output) {
			t.Errorf("%s %s %s: output lacks %q:\n%s", strings.Join(args, " "), c.title, c.payload, c.output, out)
		}
	}
	t.Run("python", func(t *testing.T) {
		for _, c := range pythonSnippetCases {
			t.Run(c.title+"/"+filepath.Base(c.payload), func(t *testing.T) {
				t.Parallel()
				run(t, c, nil, "python3", "docs/snippets/validate.py")
			})
		}
	})
	t.Run("python_package", func(t *testing.T) {
		for _, c := range []struct {
			payload string
			valid   bool
			output  string
		}{
			{"examples/async_task_response_python.json", true, "valid"},
			{"tests/async_task_response/valid/retry_count_2.0_integer_valued.json", true, "valid"},
			{"tests/async_task_response/invalid/retry_count_string.json", false, "/retry_count type"},
			{"tests/async_task_response/invalid/started_at_trailing_newline.json", false, "/started_at pattern"},
			{"tests/async_task_response/invalid/duplicate_key_status.json", false, " json"},
		} {
			cmd := exec.CommandContext(t.Context(), "python3", "docs/snippets/package.py", c.payload)
			cmd.Dir = ".."
			cmd.Env = append(os.Environ(), "PYTHONPATH=clients/python/src")
			out, err := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); err != nil && code < 0 || code != map[bool]int{true: 0, false: 1}[c.valid] {
				t.Errorf("package.py %s: %v\n%s", c.payload, err, out)
			}
			if !strings.Contains(string(out), c.output) {
				t.Errorf("package.py %s: output lacks %q:\n%s", c.payload, c.output, out)
			}
		}
	})
	t.Run("typescript", func(t *testing.T) {
		outDir := t.TempDir()
		tsc := exec.CommandContext(t.Context(), "node", "node_modules/typescript/bin/tsc", "-p", "tsconfig.snippets.json", "--outDir", outDir)
		tsc.Dir = filepath.Join("..", "conformance", "node")
		if out, err := tsc.CombinedOutput(); err != nil {
			t.Fatalf("tsc -p conformance/node/tsconfig.snippets.json: %v\n%s", err, out)
		}
		nodePath, err := filepath.Abs(filepath.Join("..", "conformance", "node", "node_modules"))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range commonSnippetCases {
			t.Run(c.title+"/"+filepath.Base(c.payload), func(t *testing.T) {
				t.Parallel()
				run(t, c, []string{"NODE_PATH=" + nodePath}, "node", filepath.Join(outDir, "validate.js"))
			})
		}
	})
}

// TestClientsGuideExcerpts keeps the code in docs/CLIENTS.md honest: every
// line of its python, ts and go blocks is a line of one of the programs that
// run in CI: docs/snippets/validate.py and package.py (TestConformance),
// validate.ts (TestConformance) and the TypeScript package's guide test
// (npm test in clients/typescript), and the Go example of CallTool (go test
// in mcp/).
func TestClientsGuideExcerpts(t *testing.T) {
	guide, err := os.ReadFile("../docs/CLIENTS.md")
	if err != nil {
		t.Fatal(err)
	}
	snippets := map[string][]string{
		"python": {"../docs/snippets/validate.py", "../docs/snippets/package.py"},
		"ts":     {"../docs/snippets/validate.ts", "../clients/typescript/test/guide.test.ts"},
		"go":     {"../mcp/call_example_test.go"},
	}
	lines := map[string]map[string]bool{}
	for lang, files := range snippets {
		lines[lang] = map[string]bool{}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range strings.Split(string(data), "\n") {
				lines[lang][strings.TrimSpace(l)] = true
			}
		}
	}
	blocks := regexp.MustCompile("(?s)```(python|ts|go)\n(.*?)```").FindAllStringSubmatch(string(guide), -1)
	found := map[string]bool{}
	for _, b := range blocks {
		found[b[1]] = true
		for _, l := range strings.Split(b[2], "\n") {
			if l = strings.TrimSpace(l); l != "" && !lines[b[1]][l] {
				t.Errorf("docs/CLIENTS.md: a %s block has a line that none of %v has: %s", b[1], snippets[b[1]], l)
			}
		}
	}
	for lang := range snippets {
		if !found[lang] {
			t.Errorf("docs/CLIENTS.md has no %s block", lang)
		}
	}
}
