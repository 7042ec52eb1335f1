package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/mcp-refcache/taskschema/models"
)

// result is what one call of run did.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd calls run with args and stdin, and returns its exit status and
// output.
func runCmd(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, stdin, &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// td returns the path of a fixture file under testdata.
func td(name string) string { return filepath.Join("testdata", name) }

// violation names one expected violation by its pointer and keyword; the
// message is the models package's business and is only required to be
// non-empty.
type violation struct{ path, keyword string }

// textLine returns the line that writeText prints for a violation, up to the
// message.
func (v violation) textLine() string {
	p := v.path
	if p == "" {
		p = "(root)"
	}
	return "  " + p + ": " + v.keyword + ": "
}

// fileVerdict is the expected verdict on one file.
type fileVerdict struct {
	file  string
	valid bool
	// violations must all be reported, and nothing else.
	violations []violation
	// err, when not "", is a substring of the "error" of a --json entry
	// for a file that got no verdict.
	err string
}

// Verdicts on the fixture files, shared by the text and JSON tests.
var (
	taskInfoValid = fileVerdict{file: td("task_info_valid.json"), valid: true}
	taskInfoBad   = fileVerdict{file: td("task_info_invalid.json"), violations: []violation{
		{"/progress/percentage", "maximum"},
		{"/ref_id", "type"},
		{"/retry_count", "type"},
		{"/retry_history/0/attempt", "minimum"},
		{"/retry_history/0/timestamp", "required"},
		{"/started_at", "minimum"},
		{"/status", "enum"},
	}}
	taskInfoEmptyObject = fileVerdict{file: td("task_info_empty_object.json"), violations: []violation{
		{"/ref_id", "required"},
		{"/started_at", "required"},
	}}
	asyncValid = fileVerdict{file: td("async_task_response_valid.json"), valid: true}

	minimalView       = fileVerdict{file: td("minimal_task_response_valid.json"), valid: true}
	minimalAsStandard = fileVerdict{file: td("minimal_task_response_valid.json"), violations: []violation{
		{"/message", "required"}, {"/progress", "required"}, {"/started_at", "required"},
	}}
	minimalAsFull = fileVerdict{file: td("minimal_task_response_valid.json"), violations: []violation{
		{"/can_retry", "required"}, {"/error", "required"}, {"/eta_seconds", "required"}, {"/expected_schema", "required"},
		{"/message", "required"}, {"/progress", "required"}, {"/retry_count", "required"}, {"/started_at", "required"},
	}}
	minimalAsAsync = fileVerdict{file: td("minimal_task_response_valid.json"), violations: []violation{{"/started_at", "required"}}}
	asyncBad       = fileVerdict{file: td("async_task_response_invalid.json"), violations: []violation{
		{"/can_retry", "type"},
		{"/eta_seconds", "minimum"},
		{"/started_at", "format"},
	}}
	progressValid = fileVerdict{file: td("task_progress_valid.json"), valid: true}
	progressBad   = fileVerdict{file: td("task_progress_invalid.json"), violations: []violation{
		{"/current", "minimum"},
		{"/percentage", "maximum"},
		{"/total", "type"},
	}}
	retryValid = fileVerdict{file: td("retry_info_valid.json"), valid: true}
	retryBad   = fileVerdict{file: td("retry_info_invalid.json"), violations: []violation{
		{"/attempt", "minimum"},
		{"/error", "required"},
		{"/timestamp", "maximum"},
	}}
	statusValid = fileVerdict{file: td("task_status_valid.json"), valid: true}
	statusBad   = fileVerdict{file: td("task_status_invalid.json"), violations: []violation{
		{"", "enum"},
	}}
	malformed = fileVerdict{file: td("malformed.json"), violations: []violation{{"", models.KeywordJSON}}}
	trailing  = fileVerdict{file: td("trailing.json"), violations: []violation{{"", models.KeywordJSON}}}
	empty     = fileVerdict{file: td("empty.json"), violations: []violation{{"", models.KeywordJSON}}}
)

// validateCase is one call of "validate" whose files can all be read.
type validateCase struct {
	name     string
	typ      string
	stdin    string
	verdicts []fileVerdict
	wantCode int
}

// validateCases are the calls shared by the text and JSON tests. A verdict
// whose file is "-" is read from stdin.
var validateCases = []validateCase{
	{name: "task_info valid", typ: "task_info", verdicts: []fileVerdict{taskInfoValid}, wantCode: exitOK},
	// A minimal view, checked by each view's schema by title and by stem:
	// only the minimal one accepts it.
	{name: "minimal view", typ: "MinimalTaskResponse", verdicts: []fileVerdict{minimalView}, wantCode: exitOK},
	{name: "minimal view as standard", typ: "standard_task_response", verdicts: []fileVerdict{minimalAsStandard}, wantCode: exitInvalid},
	{name: "minimal view as full", typ: "FullTaskResponse", verdicts: []fileVerdict{minimalAsFull}, wantCode: exitInvalid},
	{name: "minimal view as AsyncTaskResponse", typ: "async_task_response", verdicts: []fileVerdict{minimalAsAsync}, wantCode: exitInvalid},
	{name: "task_info invalid", typ: "task_info", verdicts: []fileVerdict{taskInfoBad}, wantCode: exitInvalid},
	{name: "task_info missing required", typ: "task_info", verdicts: []fileVerdict{taskInfoEmptyObject}, wantCode: exitInvalid},
	{name: "async_task_response valid", typ: "async_task_response", verdicts: []fileVerdict{asyncValid}, wantCode: exitOK},
	{name: "async_task_response invalid", typ: "async_task_response", verdicts: []fileVerdict{asyncBad}, wantCode: exitInvalid},
	{name: "task_progress", typ: "task_progress", verdicts: []fileVerdict{progressValid, progressBad}, wantCode: exitInvalid},
	{name: "retry_info", typ: "retry_info", verdicts: []fileVerdict{retryBad, retryValid}, wantCode: exitInvalid},
	{name: "task_status valid", typ: "task_status", verdicts: []fileVerdict{statusValid}, wantCode: exitOK},
	{name: "task_status invalid", typ: "task_status", verdicts: []fileVerdict{statusBad}, wantCode: exitInvalid},
	{name: "malformed JSON", typ: "task_info", verdicts: []fileVerdict{malformed}, wantCode: exitInvalid},
	{name: "trailing data", typ: "task_info", verdicts: []fileVerdict{trailing}, wantCode: exitInvalid},
	{name: "empty file", typ: "task_info", verdicts: []fileVerdict{empty}, wantCode: exitInvalid},
	{name: "several valid", typ: "task_info", verdicts: []fileVerdict{taskInfoValid, taskInfoValid}, wantCode: exitOK},
	{name: "valid then invalid", typ: "task_info", verdicts: []fileVerdict{taskInfoValid, taskInfoBad, malformed}, wantCode: exitInvalid},
	{
		name:     "the type decides",
		typ:      "task_info",
		verdicts: []fileVerdict{{file: td("task_progress_valid.json"), violations: []violation{{"/ref_id", "required"}, {"/started_at", "required"}}}},
		wantCode: exitInvalid,
	},
	{
		name:     "stdin valid",
		typ:      "task_progress",
		stdin:    `{"percentage": 12.5}`,
		verdicts: []fileVerdict{{file: "-", valid: true}},
		wantCode: exitOK,
	},
	{
		name:     "stdin invalid among files",
		typ:      "task_info",
		stdin:    `{"ref_id": "r", "started_at": 1, "max_retries": -3}`,
		verdicts: []fileVerdict{taskInfoValid, {file: "-", violations: []violation{{"/max_retries", "minimum"}}}, taskInfoValid},
		wantCode: exitInvalid,
	},
	{
		name:     "stdin trailing data",
		typ:      "task_status",
		stdin:    `"pending" "complete"`,
		verdicts: []fileVerdict{{file: "-", violations: []violation{{"", models.KeywordJSON}}}},
		wantCode: exitInvalid,
	},
}

// files returns the files of c in order.
func (c validateCase) files() []string {
	var files []string
	for _, v := range c.verdicts {
		files = append(files, v.file)
	}
	return files
}

func TestValidateText(t *testing.T) {
	for _, c := range validateCases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"validate", "--type", c.typ}, c.files()...)
			r := runCmd(t, strings.NewReader(c.stdin), args...)
			if r.code != c.wantCode {
				t.Errorf("exit status %d, want %d; stdout:\n%s\nstderr:\n%s", r.code, c.wantCode, r.stdout, r.stderr)
			}
			if r.stderr != "" {
				t.Errorf("stderr not empty:\n%s", r.stderr)
			}
			checkText(t, r.stdout, c.verdicts)
		})
	}
}

// checkText checks that out holds exactly one entry per verdict, in order:
// "FILE: valid", or "FILE: invalid" followed by the violation lines.
func checkText(t *testing.T, out string, verdicts []fileVerdict) {
	t.Helper()
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("output does not end with a newline: %q", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, want := range verdicts {
		if len(lines) == 0 {
			t.Errorf("no entry for %s", want.file)
			return
		}
		head := want.file + ": valid"
		if !want.valid {
			head = want.file + ": invalid"
		}
		if lines[0] != head {
			t.Errorf("entry line %q, want %q", lines[0], head)
		}
		lines = lines[1:]
		n := 0
		for n < len(lines) && strings.HasPrefix(lines[n], "  ") {
			n++
		}
		got := lines[:n]
		lines = lines[n:]
		if len(got) != len(want.violations) {
			t.Errorf("%s: %d violation lines, want %d:\n%s", want.file, len(got), len(want.violations), strings.Join(got, "\n"))
		}
		for _, v := range want.violations {
			i := slices.IndexFunc(got, func(l string) bool {
				return strings.HasPrefix(l, v.textLine()) && len(l) > len(v.textLine())
			})
			if i < 0 {
				t.Errorf("%s: no line starting %q with a message in:\n%s", want.file, v.textLine(), strings.Join(got, "\n"))
			}
		}
	}
	if len(lines) > 0 {
		t.Errorf("unexpected lines after the last entry:\n%s", strings.Join(lines, "\n"))
	}
}

// jsonEntry is one line of validate --json, decoded without losing the
// difference between [] and null.
type jsonEntry struct {
	File       *string         `json:"file"`
	Error      *string         `json:"error"`
	Valid      *bool           `json:"valid"`
	Violations json.RawMessage `json:"violations"`
}

// jsonViolation is one violation of validate --json.
type jsonViolation struct {
	InstancePath *string `json:"instancePath"`
	Keyword      *string `json:"keyword"`
	Message      *string `json:"message"`
}

func TestValidateJSON(t *testing.T) {
	for _, c := range validateCases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"validate", "--type", c.typ, "--json"}, c.files()...)
			r := runCmd(t, strings.NewReader(c.stdin), args...)
			if r.code != c.wantCode {
				t.Errorf("exit status %d, want %d; stdout:\n%s\nstderr:\n%s", r.code, c.wantCode, r.stdout, r.stderr)
			}
			if r.stderr != "" {
				t.Errorf("stderr not empty:\n%s", r.stderr)
			}
			checkJSON(t, r.stdout, c.verdicts)
		})
	}
}

// checkJSON checks that out holds exactly one JSON object per verdict per
// line, in order, with exactly the keys file, valid and violations.
func checkJSON(t *testing.T, out string, verdicts []fileVerdict) {
	t.Helper()
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end with a newline: %q", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(verdicts) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(verdicts), out)
	}
	for i, want := range verdicts {
		line := []byte(lines[i])
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(line, &keys); err != nil {
			t.Fatalf("line %d is not a JSON object: %v: %s", i+1, err, line)
		}
		if wantKeys := 3 + min(len(want.err), 1); len(keys) != wantKeys {
			t.Errorf("line %d has keys %v, want file, valid, violations (and error for no verdict)", i+1, slices.Sorted(maps.Keys(keys)))
		}
		var got jsonEntry
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, line)
		}
		if got.File == nil || *got.File != want.file {
			t.Errorf("line %d: file %s, want %q", i+1, deref(got.File), want.file)
		}
		if got.Valid == nil || *got.Valid != want.valid {
			t.Errorf("line %d: valid %s, want %v", i+1, deref(got.Valid), want.valid)
		}
		if want.err != "" && (got.Error == nil || !strings.Contains(*got.Error, want.err)) {
			t.Errorf("line %d: error %s, want one with %q", i+1, deref(got.Error), want.err)
		}
		if want.valid && string(got.Violations) != "[]" {
			t.Errorf("line %d: violations %s, want []", i+1, got.Violations)
		}
		var vs []jsonViolation
		if err := json.Unmarshal(got.Violations, &vs); err != nil || vs == nil {
			t.Fatalf("line %d: violations %s is not an array of violations (err %v)", i+1, got.Violations, err)
		}
		if len(vs) != len(want.violations) {
			t.Errorf("line %d: %d violations, want %d: %s", i+1, len(vs), len(want.violations), got.Violations)
		}
		for j, v := range vs {
			if v.InstancePath == nil || v.Keyword == nil || v.Message == nil || *v.Message == "" {
				t.Errorf("line %d: violation %d lacks instancePath, keyword or message: %s", i+1, j, got.Violations)
			}
		}
		for _, w := range want.violations {
			if !slices.ContainsFunc(vs, func(v jsonViolation) bool {
				return v.InstancePath != nil && *v.InstancePath == w.path && v.Keyword != nil && *v.Keyword == w.keyword
			}) {
				t.Errorf("line %d: no violation {instancePath %q, keyword %q} in %s", i+1, w.path, w.keyword, got.Violations)
			}
		}
	}
}

// deref formats *p, or "missing" for nil.
func deref[T any](p *T) string {
	if p == nil {
		return "missing"
	}
	return fmt.Sprintf("%#v", *p)
}

// TestValidateJSONMatchesModels checks the --json violations against
// models.ValidateJSON itself, message included, in its order.
func TestValidateJSONMatchesModels(t *testing.T) {
	file := td("task_info_invalid.json")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var ve *models.ValidationError
	if err := models.ValidateJSON("task_info", data); !errors.As(err, &ve) {
		t.Fatalf("ValidateJSON: %v, want a *ValidationError", err)
	}
	r := runCmd(t, nil, "validate", "--json", "--type", "task_info", file)
	if r.code != exitInvalid {
		t.Fatalf("exit status %d, want %d; stderr:\n%s", r.code, exitInvalid, r.stderr)
	}
	var got struct {
		Violations []struct {
			InstancePath, Keyword, Message string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if len(got.Violations) != len(ve.Violations) {
		t.Fatalf("%d violations, want %d", len(got.Violations), len(ve.Violations))
	}
	for i, v := range ve.Violations {
		g := got.Violations[i]
		if g.InstancePath != v.InstancePath || g.Keyword != v.Keyword || g.Message != v.Message {
			t.Errorf("violation %d = %+v, want %+v", i, g, v)
		}
	}

	// The text output uses Violation.String, indented.
	r = runCmd(t, nil, "validate", "--type", "task_info", file)
	want := file + ": invalid\n"
	for _, v := range ve.Violations {
		want += "  " + v.String() + "\n"
	}
	if r.stdout != want {
		t.Errorf("text output:\n%s\nwant:\n%s", r.stdout, want)
	}
}

// TestValidateArgs checks where flags and files may go.
func TestValidateArgs(t *testing.T) {
	valid, bad := td("task_info_valid.json"), td("task_info_invalid.json")
	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantLines []string // the entry lines, in order
	}{
		{"flags first", []string{"--type", "task_info", valid}, exitOK, []string{valid + ": valid"}},
		{"type with =", []string{"--type=task_info", valid}, exitOK, []string{valid + ": valid"}},
		{"single dash", []string{"-type", "task_info", valid}, exitOK, []string{valid + ": valid"}},
		{"flags after files", []string{valid, bad, "--type", "task_info"}, exitInvalid, []string{valid + ": valid", bad + ": invalid"}},
		{"json after files", []string{"--type", "task_info", valid, "--json"}, exitOK, []string{`{"file":"` + valid + `","valid":true,"violations":[]}`}},
		{"double dash", []string{"--type", "task_info", "--", valid}, exitOK, []string{valid + ": valid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmd(t, nil, append([]string{"validate"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Errorf("exit status %d, want %d; stderr:\n%s", r.code, tt.wantCode, r.stderr)
			}
			var heads []string
			for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
				if !strings.HasPrefix(l, "  ") {
					heads = append(heads, l)
				}
			}
			if !slices.Equal(heads, tt.wantLines) {
				t.Errorf("entries %q, want %q", heads, tt.wantLines)
			}
		})
	}
}

// TestDoubleDashFile checks that after "--" an argument that looks like a
// flag is a file.
func TestDoubleDashFile(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("--json", []byte(`"pending"`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, nil, "validate", "--type", "task_status", "--", "--json")
	if r.code != exitOK || r.stdout != "--json: valid\n" {
		t.Errorf("exit status %d, stdout %q, stderr %q; want 0 and %q", r.code, r.stdout, r.stderr, "--json: valid\n")
	}
}

// TestValidateUnreadable checks that an unreadable file is reported on
// stderr, the other files are still checked, and the exit status is 2 even
// when another file is invalid.
func TestValidateUnreadable(t *testing.T) {
	missing := td("does_not_exist.json")
	tests := []struct {
		name     string
		files    []string
		verdicts []fileVerdict // the entries on stdout
		stderr   []string      // substrings of stderr
	}{
		{"missing only", []string{missing}, nil, []string{missing}},
		{"missing among valid", []string{td("task_info_valid.json"), missing, td("task_info_valid.json")}, []fileVerdict{taskInfoValid, taskInfoValid}, []string{missing}},
		{"2 wins over 1", []string{td("task_info_invalid.json"), missing}, []fileVerdict{taskInfoBad}, []string{missing}},
		{"2 wins over 1, invalid last", []string{missing, td("malformed.json")}, []fileVerdict{malformed}, []string{missing}},
		{"directory", []string{"testdata", td("task_info_valid.json")}, []fileVerdict{taskInfoValid}, []string{"testdata"}},
		{"two missing", []string{missing, td("nor_this.json")}, nil, []string{missing, td("nor_this.json")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmd(t, nil, append([]string{"validate", "--type", "task_info"}, tt.files...)...)
			if r.code != exitUsage {
				t.Errorf("exit status %d, want %d", r.code, exitUsage)
			}
			if len(tt.verdicts) == 0 {
				if r.stdout != "" {
					t.Errorf("stdout %q, want nothing", r.stdout)
				}
			} else {
				checkText(t, r.stdout, tt.verdicts)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr %q does not mention %q", r.stderr, s)
				}
			}
			if got, want := strings.Count(r.stderr, "\n"), len(tt.stderr); got != want {
				t.Errorf("stderr has %d lines, want %d:\n%s", got, want, r.stderr)
			}
		})
	}
}

// TestValidateUnreadableJSON checks that with --json an unreadable file
// gets its own line on stdout, with valid false and an error, as well as a
// line on stderr.
func TestValidateUnreadableJSON(t *testing.T) {
	r := runCmd(t, nil, "validate", "--json", "--type", "task_info", td("nope.json"), td("task_info_valid.json"), "testdata")
	if r.code != exitUsage {
		t.Errorf("exit status %d, want %d", r.code, exitUsage)
	}
	checkJSON(t, r.stdout, []fileVerdict{
		{file: td("nope.json"), err: "no such file or directory"},
		taskInfoValid,
		{file: "testdata", err: "directory"},
	})
	if !strings.Contains(r.stderr, td("nope.json")) {
		t.Errorf("stderr %q does not mention the missing file", r.stderr)
	}
}

// failingReader fails every read.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("device on fire") }

func TestValidateStdinReadError(t *testing.T) {
	r := runCmd(t, failingReader{}, "validate", "--type", "task_info", "-", td("task_info_valid.json"))
	if r.code != exitUsage {
		t.Errorf("exit status %d, want %d", r.code, exitUsage)
	}
	checkText(t, r.stdout, []fileVerdict{taskInfoValid})
	if !strings.Contains(r.stderr, "standard input") || !strings.Contains(r.stderr, "device on fire") {
		t.Errorf("stderr %q does not report the read error", r.stderr)
	}
}

func TestValidateInvalidUTF8(t *testing.T) {
	file := filepath.Join(t.TempDir(), "latin1.json")
	if err := os.WriteFile(file, []byte("{\"ref_id\": \"caf\xe9\", \"started_at\": 1}"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, nil, "validate", "--type", "task_info", file)
	if r.code != exitInvalid {
		t.Errorf("exit status %d, want %d", r.code, exitInvalid)
	}
	checkText(t, r.stdout, []fileVerdict{{file: file, violations: []violation{{"", models.KeywordJSON}}}})
}

// TestValidateUsageErrors checks that every usage error exits 2, writes
// nothing on stdout, says what is wrong on stderr, and reads no file.
func TestValidateUsageErrors(t *testing.T) {
	valid := td("task_info_valid.json")
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no command", nil, "no command"},
		{"unknown command", []string{"check", "--type", "task_info", valid}, `unknown command "check"`},
		{"unknown command flag", []string{"--type", "task_info", valid}, `unknown command "--type"`},
		{"no type", []string{"validate", valid}, "--type"},
		{"empty type", []string{"validate", "--type", "", valid}, "--type"},
		{"unknown type", []string{"validate", "--type", "taskinfo", valid}, `unknown schema "taskinfo"`},
		{"type with another suffix", []string{"validate", "--type", "task_info.json", valid}, `unknown schema`},
		{"type as a path", []string{"validate", "--type", "schema/task_info.schema.json", valid}, `unknown schema`},
		{"version with an argument", []string{"version", "x"}, "no arguments"},
		{"type without value", []string{"validate", "--type"}, "flag needs an argument"},
		{"no files", []string{"validate", "--type", "task_info"}, "no FILE"},
		{"no args", []string{"validate"}, "--type"},
		{"unknown flag", []string{"validate", "--type", "task_info", "--strict", valid}, "strict"},
		{"unknown flag after files", []string{"validate", "--type", "task_info", valid, "-x"}, "-x"},
		{"bad bool", []string{"validate", "--type", "task_info", "--json=maybe", valid}, "json"},
		{"stdin twice", []string{"validate", "--type", "task_info", "-", "-"}, "more than once"},
		{"help with extra", []string{"help", "validate", "schema"}, "at most one"},
		{"help unknown", []string{"help", "frob"}, `unknown command "frob"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmd(t, failingReader{}, tt.args...)
			if r.code != exitUsage {
				t.Errorf("exit status %d, want %d", r.code, exitUsage)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.stderr)
			}
			if !strings.Contains(r.stderr, "Usage:") {
				t.Errorf("stderr %q does not show the usage", r.stderr)
			}
		})
	}
}

// TestNoVerdict checks that an error from ValidateJSON other than a
// *ValidationError is not taken for a verdict: it is reported, the other
// files are still checked, and the exit status is 2.
func TestNoVerdict(t *testing.T) {
	broken := td("task_info_invalid.json")
	orig := validateJSON
	t.Cleanup(func() { validateJSON = orig })
	validateJSON = func(name string, data []byte) error {
		if bytes.Contains(data, []byte(`"done"`)) { // only task_info_invalid.json
			return fmt.Errorf("%w on %s: boom", models.ErrValidatorFailed, name)
		}
		return orig(name, data)
	}
	for _, asJSON := range []bool{false, true} {
		args := []string{"validate", "--type", "task_info", td("task_info_valid.json"), broken, td("malformed.json")}
		if asJSON {
			args = append(args, "--json")
		}
		r := runCmd(t, nil, args...)
		if r.code != exitUsage {
			t.Errorf("json %v: exit status %d, want %d", asJSON, r.code, exitUsage)
		}
		if !strings.Contains(r.stderr, broken) || !strings.Contains(r.stderr, "boom") {
			t.Errorf("json %v: stderr %q does not report the failure on %s", asJSON, r.stderr, broken)
		}
		if asJSON {
			checkJSON(t, r.stdout, []fileVerdict{taskInfoValid, {file: broken, err: "boom"}, malformed})
		} else {
			checkText(t, r.stdout, []fileVerdict{taskInfoValid, malformed})
		}
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestWriteError checks that a failed standard output is an I/O error.
func TestWriteError(t *testing.T) {
	for _, args := range [][]string{
		{"validate", "--type", "task_info", td("task_info_valid.json")},
		{"validate", "--json", "--type", "task_info", td("task_info_invalid.json")},
		{"schema"},
		{"schema", "task_info"},
	} {
		var stderr bytes.Buffer
		code := run(args, nil, failingWriter{}, &stderr)
		if code != exitUsage {
			t.Errorf("%q: exit status %d, want %d", args, code, exitUsage)
		}
		if !strings.Contains(stderr.String(), "disk full") {
			t.Errorf("%q: stderr %q does not report the write error", args, stderr.String())
		}
	}
}

func TestSchemaList(t *testing.T) {
	r := runCmd(t, nil, "schema")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit status %d, stderr %q", r.code, r.stderr)
	}
	want := strings.Join(models.SchemaNames(), "\n") + "\n"
	if r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	for _, name := range []string{"task_status", "task_progress", "task_info", "async_task_response", "retry_info",
		"response_format", "expected_schema", "minimal_task_response", "standard_task_response", "full_task_response"} {
		if !slices.Contains(strings.Fields(r.stdout), name) {
			t.Errorf("%s is not listed", name)
		}
	}
}

func TestSchemaPrint(t *testing.T) {
	names := models.SchemaNames()
	files, _ := filepath.Glob(filepath.Join("..", "..", "schema", "*.schema.json"))
	if len(names) != len(files) || len(names) < 10 {
		t.Fatalf("SchemaNames() = %v, want one name for each of the %d files in schema/", names, len(files))
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			want, err := models.SchemaJSON(name)
			if err != nil {
				t.Fatal(err)
			}
			r := runCmd(t, nil, "schema", name)
			if r.code != exitOK || r.stderr != "" {
				t.Fatalf("exit status %d, stderr %q", r.code, r.stderr)
			}
			if r.stdout != string(want) {
				t.Errorf("stdout differs from SchemaJSON(%q):\n%s", name, r.stdout)
			}
			onDisk, err := os.ReadFile(filepath.Join("..", "..", "schema", name+".schema.json"))
			if err != nil {
				t.Fatal(err)
			}
			if r.stdout != string(onDisk) {
				t.Errorf("stdout differs from schema/%s.schema.json", name)
			}
		})
	}
}

func TestSchemaErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unknown name", []string{"schema", "task"}, `unknown schema "task"`},
		{"file name with another suffix", []string{"schema", "task_info.json"}, "unknown schema"},
		{"title in lower case", []string{"schema", "taskinfo"}, "unknown schema"},
		{"two names", []string{"schema", "task_info", "retry_info"}, "at most one NAME"},
		{"unknown flag", []string{"schema", "--raw", "task_info"}, "raw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmd(t, nil, tt.args...)
			if r.code != exitUsage {
				t.Errorf("exit status %d, want %d", r.code, exitUsage)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.stderr)
			}
		})
	}
}

// TestHelp checks that help asked for goes to stdout with status 0 and
// documents the commands, the output format and the exit statuses.
func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"-h"}, []string{"taskschema validate --type NAME [--json] FILE...", "taskschema schema [NAME]", "Exit status"}},
		{[]string{"--help"}, []string{"taskschema validate --type NAME [--json] FILE..."}},
		{[]string{"help"}, []string{"taskschema schema [NAME]"}},
		{[]string{"validate", "-h"}, []string{"--type NAME", "--json", "FILE: valid", "FILE: invalid", "POINTER: KEYWORD: MESSAGE", `"instancePath"`, "Exit status: 0", "2 wins over 1"}},
		{[]string{"validate", "--type", "task_info", "--help"}, []string{"Usage: taskschema validate"}},
		{[]string{"help", "validate"}, []string{"Usage: taskschema validate"}},
		{[]string{"schema", "-h"}, []string{"Usage: taskschema schema [NAME]"}},
		{[]string{"help", "schema"}, []string{"Usage: taskschema schema [NAME]"}},
	}
	for _, tt := range tests {
		r := runCmd(t, nil, tt.args...)
		if r.code != exitOK || r.stderr != "" {
			t.Errorf("%q: exit status %d, stderr %q; want 0 and nothing", tt.args, r.code, r.stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%q: usage does not contain %q:\n%s", tt.args, w, r.stdout)
			}
		}
		for _, name := range models.SchemaNames() {
			if !strings.Contains(r.stdout, name) {
				t.Errorf("%q: usage does not list the schema %s", tt.args, name)
			}
		}
	}
}

// TestExamples checks the sample payloads of examples/, which the README
// uses: the valid ones validate, and the invalid one fails for the reasons
// examples/README.md gives.
func TestExamples(t *testing.T) {
	ex := func(name string) string { return filepath.Join("..", "..", "examples", name) }
	tests := []struct {
		typ      string
		verdicts []fileVerdict
		wantCode int
	}{
		{"task_info", []fileVerdict{{file: ex("task_info.json"), valid: true}, {file: ex("task_info_failed.json"), valid: true}}, exitOK},
		{"async_task_response", []fileVerdict{{file: ex("async_task_response.json"), valid: true}, {file: ex("async_task_response_python.json"), valid: true}}, exitOK},
		{"task_progress", []fileVerdict{{file: ex("task_progress.json"), valid: true}}, exitOK},
		{"task_info", []fileVerdict{{file: ex("invalid/task_info_bad.json"), violations: []violation{
			{"/progress/percentage", "maximum"},
			{"/retry_count", "minimum"},
		}}}, exitInvalid},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		var files []string
		for _, v := range tt.verdicts {
			files = append(files, v.file)
			covered[v.file] = true
		}
		r := runCmd(t, nil, append([]string{"validate", "--type", tt.typ}, files...)...)
		if r.code != tt.wantCode || r.stderr != "" {
			t.Errorf("%v: exit status %d, stderr %q; want %d and nothing\n%s", files, r.code, r.stderr, tt.wantCode, r.stdout)
		}
		checkText(t, r.stdout, tt.verdicts)
	}

	// Every example is checked here.
	for _, pattern := range []string{ex("*.json"), ex("*/*.json")} {
		found, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range found {
			if !covered[f] {
				t.Errorf("%s is not checked by TestExamples", f)
			}
		}
	}
	if len(covered) != 6 {
		t.Errorf("%d examples checked, want 6", len(covered))
	}
}

// TestExamplesDecode checks that the examples decode to the values that
// examples/README.md describes, so that they stay realistic.
func TestExamplesDecode(t *testing.T) {
	read := func(name string) []byte {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}

	var info models.TaskInfo
	if err := models.Unmarshal(read("task_info.json"), &info); err != nil {
		t.Fatal(err)
	}
	if info.Status != models.TaskStatusProcessing || info.Progress == nil || info.RetryCount != 1 || len(info.RetryHistory) != 1 {
		t.Errorf("task_info.json: %+v, want a processing task with progress and one retry", info)
	}

	var failed models.TaskInfo
	if err := models.Unmarshal(read("task_info_failed.json"), &failed); err != nil {
		t.Fatal(err)
	}
	if failed.Status != models.TaskStatusFailed || failed.Error == nil || failed.CompletedAt == nil || !failed.IsTerminal() {
		t.Errorf("task_info_failed.json: %+v, want a failed task with no retries left", failed)
	}

	var resp models.AsyncTaskResponse
	if err := models.Unmarshal(read("async_task_response.json"), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Status != models.TaskStatusProcessing || resp.Progress == nil || resp.EtaSeconds == nil || resp.Message == nil {
		t.Errorf("async_task_response.json: %+v, want processing with progress, eta_seconds and message", resp)
	}

	py := read("async_task_response_python.json")
	var raw map[string]any
	if err := json.Unmarshal(py, &raw); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"ref_id", "status", "progress", "started_at", "eta_seconds", "error", "message", "retry_count", "can_retry"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("async_task_response_python.json lacks %q; pydantic writes every field", key)
		}
	}
	if raw["is_async"] != true || raw["is_complete"] != false {
		t.Errorf("async_task_response_python.json: is_async %v, is_complete %v; want true, false", raw["is_async"], raw["is_complete"])
	}
	if s, _ := raw["started_at"].(string); !strings.HasSuffix(s, "+00:00") {
		t.Errorf("async_task_response_python.json: started_at %q, want Python's isoformat with +00:00", s)
	}
	if !bytes.Contains(py, []byte(`"error":null`)) {
		t.Errorf("async_task_response_python.json: want compact pydantic output with nulls written out")
	}
}

// endlessReader yields spaces forever, counting the bytes it hands out. So
// that a reader that reads to the end fails the test instead of hanging it,
// it fails once it has handed out failAfter bytes.
type endlessReader struct {
	read      int64
	failAfter int64
}

func (r *endlessReader) Read(p []byte) (int, error) {
	if r.read >= r.failAfter {
		return 0, errors.New("endless reader: read far past MaxBytes")
	}
	for i := range p {
		p[i] = ' '
	}
	r.read += int64(len(p))
	return len(p), nil
}

// taskInfoOfSize returns a valid task_info payload of exactly n bytes (n at
// least 40), padded in ref_id.
func taskInfoOfSize(t *testing.T, n int) []byte {
	t.Helper()
	head, tail := `{"ref_id":"`, `","started_at":1}`
	pad := n - len(head) - len(tail)
	if pad < 0 {
		t.Fatalf("taskInfoOfSize(%d): too small", n)
	}
	return []byte(head + strings.Repeat("r", pad) + tail)
}

// limitVerdict is the verdict on a payload longer than MaxBytes.
func limitVerdict(file string) fileVerdict {
	return fileVerdict{file: file, violations: []violation{{"", models.KeywordLimit}}}
}

// TestValidateSizeLimit checks that files and standard input are read with
// models.DefaultLimits: a payload of MaxBytes bytes is judged as usual, one
// byte more is invalid (exit 1) with a single limit violation that names
// MaxBytes, and neither is an I/O error.
func TestValidateSizeLimit(t *testing.T) {
	maxBytes := models.DefaultLimits().MaxBytes
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		t.Helper()
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return file
	}
	atLimit := write("at_limit.json", taskInfoOfSize(t, maxBytes))
	overLimit := write("over_limit.json", taskInfoOfSize(t, maxBytes+1))
	huge := write("huge.json", taskInfoOfSize(t, 3*maxBytes))
	tests := []struct {
		name     string
		stdin    []byte
		verdicts []fileVerdict
		wantCode int
	}{
		{"file at the limit", nil, []fileVerdict{{file: atLimit, valid: true}}, exitOK},
		{"file one byte over", nil, []fileVerdict{limitVerdict(overLimit)}, exitInvalid},
		{"file of 3 MiB among valid files", nil, []fileVerdict{taskInfoValid, limitVerdict(huge), taskInfoValid}, exitInvalid},
		{"stdin at the limit", taskInfoOfSize(t, maxBytes), []fileVerdict{{file: "-", valid: true}}, exitOK},
		{"stdin one byte over", taskInfoOfSize(t, maxBytes+1), []fileVerdict{limitVerdict("-")}, exitInvalid},
	}
	for _, tt := range tests {
		files := make([]string, len(tt.verdicts))
		for i, v := range tt.verdicts {
			files[i] = v.file
		}
		for _, asJSON := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/json=%v", tt.name, asJSON), func(t *testing.T) {
				args := append([]string{"validate", "--type", "task_info"}, files...)
				if asJSON {
					args = append(args, "--json")
				}
				r := runCmd(t, bytes.NewReader(tt.stdin), args...)
				if r.code != tt.wantCode || r.stderr != "" {
					t.Errorf("exit status %d, stderr %q; want %d and nothing", r.code, r.stderr, tt.wantCode)
				}
				if asJSON {
					checkJSON(t, r.stdout, tt.verdicts)
				} else {
					checkText(t, r.stdout, tt.verdicts)
				}
				if tt.wantCode == exitInvalid && !strings.Contains(r.stdout, "MaxBytes") {
					t.Errorf("the limit violation does not name MaxBytes:\n%s", r.stdout)
				}
			})
		}
	}
}

// TestValidateEndlessStdin checks that an endless standard input is read no
// further than MaxBytes+1 bytes (plus at most one small buffer) and judged
// invalid for the size limit, while the other files are still checked.
func TestValidateEndlessStdin(t *testing.T) {
	maxBytes := int64(models.DefaultLimits().MaxBytes)
	const slack = 4096 // one read buffer beyond MaxBytes+1
	in := &endlessReader{failAfter: 4 * maxBytes}
	r := runCmd(t, in, "validate", "--json", "--type", "task_info", td("task_info_valid.json"), "-", td("task_info_valid.json"))
	if r.code != exitInvalid || r.stderr != "" {
		t.Errorf("exit status %d, stderr %q; want %d and nothing", r.code, r.stderr, exitInvalid)
	}
	checkJSON(t, r.stdout, []fileVerdict{taskInfoValid, limitVerdict("-"), taskInfoValid})
	if in.read < maxBytes+1 || in.read > maxBytes+1+slack {
		t.Errorf("read %d bytes of an endless standard input, want %d to %d", in.read, maxBytes+1, maxBytes+1+slack)
	}
}

// TestValidateHugeFileIsNotReadWhole checks that a file far beyond
// MaxBytes (a sparse 64 MiB file) is not read whole: validating it allocates
// a few MiB at most, where reading it all would allocate 64 MiB. Bytes
// allocated are measured, not time.
func TestValidateHugeFileIsNotReadWhole(t *testing.T) {
	const size = 64 << 20
	const bound = 8 << 20 // MaxBytes+1 read with io.ReadAll's doubling, and the rest
	file := filepath.Join(t.TempDir(), "sparse.json")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var r result
	allocated := bytesAllocated(func() { r = runCmd(t, nil, "validate", "--type", "task_status", file) })
	if r.code != exitInvalid || r.stderr != "" {
		t.Errorf("exit status %d, stderr %q; want %d and nothing", r.code, r.stderr, exitInvalid)
	}
	checkText(t, r.stdout, []fileVerdict{limitVerdict(file)})
	if allocated > bound {
		t.Errorf("validating a %d-byte file allocated %d bytes, want at most %d", size, allocated, bound)
	}
	t.Logf("allocated %d bytes for a %d-byte file", allocated, size)
}

// bytesAllocated returns the bytes that the heap allocated while f ran (no
// test in this package runs in parallel).
func bytesAllocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestTypeNames checks that --type and schema NAME take a schema's stem, its
// title and its file name alike.
func TestTypeNames(t *testing.T) {
	for _, name := range []string{"task_info", "TaskInfo", "task_info.schema.json"} {
		r := runCmd(t, nil, "validate", "--type", name, td("task_info_valid.json"), td("task_info_invalid.json"))
		if r.code != exitInvalid || r.stderr != "" {
			t.Errorf("--type %s: exit status %d, stderr %q; want %d and nothing", name, r.code, r.stderr, exitInvalid)
		}
		checkText(t, r.stdout, []fileVerdict{taskInfoValid, taskInfoBad})

		want, err := models.SchemaJSON("task_info")
		if err != nil {
			t.Fatal(err)
		}
		r = runCmd(t, nil, "schema", name)
		if r.code != exitOK || r.stdout != string(want) {
			t.Errorf("schema %s: exit status %d, %d bytes; want 0 and the task_info schema", name, r.code, len(r.stdout))
		}
	}
	for _, name := range models.SchemaNames() {
		title := schemaTitle(name)
		if got, ok := resolveSchemaName(title); !ok || got != name || title == "" {
			t.Errorf("title %q of %s resolves to %q, %v", title, name, got, ok)
		}
	}
}

// TestVersion checks that version and --version print the module version
// from the build information.
func TestVersion(t *testing.T) {
	orig := readBuildInfo
	t.Cleanup(func() { readBuildInfo = orig })
	readBuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Path: "github.com/mcp-refcache/taskschema", Version: "v1.2.3"}}, true
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCmd(t, nil, args...)
		if r.code != exitOK || r.stderr != "" {
			t.Errorf("%q: exit status %d, stderr %q", args, r.code, r.stderr)
		}
		if want := "taskschema v1.2.3 (github.com/mcp-refcache/taskschema, go1.99)\n"; r.stdout != want {
			t.Errorf("%q: stdout %q, want %q", args, r.stdout, want)
		}
	}
	readBuildInfo = func() (*debug.BuildInfo, bool) { return nil, false }
	if r := runCmd(t, nil, "version"); r.code != exitOK || !strings.Contains(r.stdout, "unknown version") {
		t.Errorf("without build information: %d, %q", r.code, r.stdout)
	}
	// The test binary has build information of its own.
	readBuildInfo = orig
	if r := runCmd(t, nil, "version"); r.code != exitOK || !strings.HasPrefix(r.stdout, "taskschema ") || strings.Contains(r.stdout, "unknown version") {
		t.Errorf("real build information: %d, %q", r.code, r.stdout)
	}
}
